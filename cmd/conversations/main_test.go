package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// The tests run the built command, as a user would, against the emulator
// (conversationstest in this process, on a loopback port) named by
// CONVERSATIONS_EMULATOR_HOST.

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// binary is the command, built once per test run by TestMain (with -race
// when the tests run with it); plainBinary is the same without -race, whose
// memory is measured; rssWrap runs a command and reports its peak memory
// (testdata/rsswrap).
var binary, plainBinary, rssWrap string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "conversations-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plainBinary = filepath.Join(dir, "conversations")
	binary = plainBinary
	rssWrap = filepath.Join(dir, "rsswrap")
	builds := [][]string{{"-o", plainBinary, "."}, {"-o", rssWrap, "./testdata/rsswrap"}}
	if raceEnabled {
		binary = filepath.Join(dir, "conversations-race")
		builds = append(builds, []string{"-race", "-o", binary, "."})
	}
	for _, args := range builds {
		build := exec.Command("go", append([]string{"build"}, args...)...)
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "go build", args, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Test credentials: distinctive, so a leak into any output is found.
const (
	testAccountSID = "AC5ec12e7ac5ec12e7ac5ec12e7ac5ec12"
	testAuthToken  = "tok3n5ecre7tok3n5ecre7tok3n5ecre7"
)

// emu is an emulator for one test, with the environment that points the
// command at it.
type emu struct {
	*conversationstest.Emulator
	url    string
	client *conversations.Client
	env    []string
}

func newEmu(t testing.TB, opts ...conversationstest.Option) *emu {
	return newEmuWrapped(t, nil, opts...)
}

// newEmuWrapped serves the emulator through wrap (to watch the requests),
// on a loopback port.
func newEmuWrapped(t testing.TB, wrap func(http.Handler) http.Handler, opts ...conversationstest.Option) *emu {
	t.Helper()
	opts = append([]conversationstest.Option{conversationstest.WithCredentials(testAccountSID, testAuthToken)}, opts...)
	e := conversationstest.New(opts...)
	var h http.Handler = e
	if wrap != nil {
		h = wrap(e)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
		e.Close()
	})
	c, err := conversations.NewClient(testAccountSID, testAuthToken, conversations.WithBaseURL(ts.URL), conversations.WithMediaBaseURL(ts.URL))
	require.NoError(t, err)
	u, err := url.Parse(ts.URL)
	require.NoError(t, err)
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		conversations.EmulatorHostEnv + "=" + u.Host,
		"TWILIO_ACCOUNT_SID=" + testAccountSID,
		"TWILIO_AUTH_TOKEN=" + testAuthToken,
	}
	return &emu{Emulator: e, url: ts.URL, client: c, env: env}
}

// result is one run of the command.
type result struct {
	stdout, stderr string
	code           int
	maxRSSKiB      int64 // runMeasured only
	took           time.Duration
}

// run runs the command with env and args, stdin empty.
func runCLI(t testing.TB, env []string, args ...string) result {
	t.Helper()
	return runIn(t, env, "", nil, args...)
}

// runIn runs the command in dir (a temporary one when empty) with stdin.
func runIn(t testing.TB, env []string, dir string, stdin io.Reader, args ...string) result {
	t.Helper()
	return runCmd(t, env, dir, stdin, binary, args...)
}

// runMeasured runs the command through rsswrap, which sets maxRSSKiB to
// the command's own peak memory.
func runMeasured(t testing.TB, env []string, dir string, args ...string) result {
	t.Helper()
	rssFile := filepath.Join(t.TempDir(), "rss")
	r := runCmd(t, env, dir, nil, rssWrap, append([]string{rssFile, plainBinary}, args...)...)
	data, err := os.ReadFile(rssFile)
	require.NoError(t, err)
	_, err = fmt.Sscan(string(data), &r.maxRSSKiB)
	require.NoError(t, err)
	return r
}

func runCmd(t testing.TB, env []string, dir string, stdin io.Reader, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	if dir == "" {
		dir = t.TempDir()
	}
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, &stderr, stdin
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if err != nil {
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr, "running %v: %s", args, stderr.String())
	}
	r.code = cmd.ProcessState.ExitCode()
	assertNoSecrets(t, r)
	return r
}

// assertNoSecrets checks that no output holds the credentials.
func assertNoSecrets(t testing.TB, r result) {
	t.Helper()
	for _, out := range []string{r.stdout, r.stderr} {
		require.NotContains(t, out, testAuthToken, "the auth token leaked")
	}
}

// sidRE matches the SIDs the emulator makes (random): golden files hold
// them renumbered in order of appearance.
var sidRE = regexp.MustCompile(`\b(CH|MB|IM|ME|IS|US|RQ|MG|RL)[0-9a-f]{32}\b`)

// normalize replaces each SID by a stable one of the same length (so
// table columns stay aligned), numbered by first appearance.
func normalize(s string) string {
	seen := map[string]string{}
	return sidRE.ReplaceAllStringFunc(s, func(sid string) string {
		if n, ok := seen[sid]; ok {
			return n
		}
		n := fmt.Sprintf("%s%032d", sid[:2], len(seen)+1)
		seen[sid] = n
		return n
	})
}

// golden compares got (normalized) with testdata/name.golden; -update
// rewrites it.
func golden(t testing.TB, name, got string) {
	t.Helper()
	got = normalize(got)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test -update")
	require.Equal(t, string(want), got, "output differs from %s (go test -update rewrites it)", path)
}

// lines splits output into its lines.
func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
