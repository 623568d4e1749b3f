package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// binDir holds the command built for the tests; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// emulatorBinary builds the command once per test run.
var emulatorBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "conversations-emulator-test-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "conversations-emulator")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{string(out), err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// proc is a running emulator process.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	lines  chan string
	stderr *syncBuffer
}

// syncBuffer is a bytes.Buffer safe to write from the process's copier
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startEmulator runs the command with args and reads its base URL.
func startEmulator(t *testing.T, args ...string) *proc {
	t.Helper()
	return startProc(t, func(bin string) *exec.Cmd {
		return exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	})
}

// startProc builds the binary, starts the command command makes of it, and
// reads its base URL from the first line it prints.
func startProc(t *testing.T, command func(bin string) *exec.Cmd) *proc {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin, err := emulatorBinary()
	require.NoError(t, err)
	p := &proc{t: t, cmd: command(bin), lines: make(chan string, 1000), stderr: &syncBuffer{}}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	p.base = p.next()
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, p.base)
	return p
}

func (p *proc) next() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		require.True(p.t, ok, "the command's output ended; stderr: %s", p.stderr)
		return l
	case <-time.After(15 * time.Second):
		p.t.Fatal("no output from the command")
		return ""
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop() {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(p.t, err, "a clean exit on SIGTERM; stderr: %s", p.stderr)
	case <-time.After(15 * time.Second):
		p.t.Fatal("the command did not stop on SIGTERM")
	}
}

func (p *proc) control() *conversationstest.ControlClient {
	return conversationstest.NewControlClient(p.base, conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
}

// post sends a REST form post that must answer 200 or 201, and returns its JSON.
func (p *proc) post(path string, kv ...string) map[string]any {
	p.t.Helper()
	resp := p.postForm(path, kv...)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(p.t, json.NewDecoder(resp.Body).Decode(&out))
	require.Contains(p.t, []int{200, 201}, resp.StatusCode, "%s: %v", path, out)
	return out
}

// postForm sends a REST form post of the key-value pairs kv with the
// default credentials; the caller closes the answer's body.
func (p *proc) postForm(path string, kv ...string) *http.Response {
	p.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	req, err := http.NewRequest("POST", p.base+path, strings.NewReader(form.Encode()))
	require.NoError(p.t, err)
	req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(p.t, err)
	return resp
}

// get returns a REST or control answer with the base URL replaced, for
// comparing two processes' answers.
func (p *proc) get(path string) string {
	p.t.Helper()
	req, err := http.NewRequest("GET", p.base+path, nil)
	require.NoError(p.t, err)
	req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	require.Equal(p.t, 200, resp.StatusCode, "%s: %s", path, b)
	return strings.ReplaceAll(string(b), p.base, "BASE")
}

func TestCommandAnnouncesCredentialsAndInspector(t *testing.T) {
	p := startEmulator(t, "-webhook-url", "http://127.0.0.1:9/hook")
	assert.Equal(t, "credentials: account SID "+conversationstest.DefaultAccountSID+", auth token "+conversationstest.DefaultAuthToken, p.next())
	frag := base64.StdEncoding.EncodeToString([]byte(conversationstest.DefaultAccountSID + ":" + conversationstest.DefaultAuthToken))
	assert.Equal(t, "inspector: "+p.base+"/_emulator/ui/#"+frag, p.next())
	assert.Equal(t, "webhooks: every event forwarded to http://127.0.0.1:9/hook (POST, signed with the auth token)", p.next())
	require.NoError(t, p.control().Health(context.Background()))
	assert.Empty(t, p.stderr.String(), "no warning on loopback")
	p.stop()
}

func TestCommandWarnsBeyondLoopback(t *testing.T) {
	var out, warn bytes.Buffer
	lo, err := net.ResolveTCPAddr("tcp", "127.0.0.1:4010")
	require.NoError(t, err)
	devFlags{}.announce(&out, &warn, "http://127.0.0.1:4010", lo, "AC1", "tok", "")
	assert.Empty(t, warn.String())
	assert.Contains(t, out.String(), "webhooks: none configured")
	all, err := net.ResolveTCPAddr("tcp", "0.0.0.0:4010")
	require.NoError(t, err)
	devFlags{}.announce(&out, &warn, "http://127.0.0.1:4010", all, "AC1", "tok", "")
	assert.Contains(t, warn.String(), "warning: listening on 0.0.0.0:4010, reachable from other machines")

	_, err = devFlags{webhookURL: "ftp://x"}.options()
	assert.ErrorContains(t, err, "-webhook-url must be an http(s) URL")
	_, err = devFlags{webhookURL: "not a url"}.options()
	assert.Error(t, err)
}

// TestCommandForwardsSignedWebhooks runs the binary with -webhook-url
// pointing at the library's own WebhookHandler: the handler accepts the
// emulator's signatures, its pre-event decision changes the message, and the
// delivery log shows both deliveries.
func TestCommandForwardsSignedWebhooks(t *testing.T) {
	h, err := conversations.NewWebhookHandler(conversationstest.DefaultAuthToken)
	require.NoError(t, err)
	added := make(chan *conversations.MessageAddedEvent, 4)
	h.OnMessageAdd(func(_ context.Context, ev *conversations.MessageAddEvent) (conversations.Decision, error) {
		body := strings.ToUpper(ev.Body)
		return conversations.ModifyMessage(conversations.MessageChanges{Body: &body}), nil
	})
	h.OnMessageAdded(func(_ context.Context, ev *conversations.MessageAddedEvent) error {
		added <- ev
		return nil
	})
	hook := httptest.NewServer(h)
	defer hook.Close()

	p := startEmulator(t, "-webhook-url", hook.URL+"/twilio")
	ctx := context.Background()
	conv := p.post("/v1/Conversations", "FriendlyName", "bot")["sid"].(string)
	p.post("/v1/Conversations/"+conv+"/Participants", "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")

	res, err := p.control().Inbound(ctx, conversationstest.InboundRequest{Channel: "sms", From: "+15550000001", To: "+15559990000", Body: "hello bot"})
	require.NoError(t, err)
	select {
	case ev := <-added:
		assert.Equal(t, "HELLO BOT", ev.Body, "the pre-event decision applied")
		assert.Equal(t, res.MessageSid, ev.MessageSID)
		assert.Equal(t, conv, ev.ConversationSID)
	case <-time.After(10 * time.Second):
		t.Fatal("the handler got no onMessageAdded")
	}
	var log []conversationstest.WebhookDelivery
	require.Eventually(t, func() bool {
		log, err = p.control().Webhooks(ctx, 0)
		return err == nil && len(log) == 2
	}, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, "onMessageAdd", log[0].Event)
	assert.Equal(t, 200, log[0].Status, "the handler accepted the signature")
	assert.Equal(t, conversationstest.DecisionModified, log[0].Decision)
	assert.Equal(t, hook.URL+"/twilio", log[0].URL)
	assert.Equal(t, "onMessageAdded", log[1].Event)
	assert.Equal(t, 200, log[1].Status)
	p.stop()
}

// TestCommandStateSurvivesRestart keeps the state in a file across a clean
// stop and a crash (SIGKILL after a periodic save): nothing is lost.
func TestCommandStateSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emulator-state.json")
	p := startEmulator(t, "-state", file)
	for l := p.next(); !strings.HasPrefix(l, "state: "); l = p.next() {
	}
	ctx := context.Background()
	p.post("/v1/Configuration/Addresses", "Type", "sms", "Address", "+15559990000", "AutoCreation.Enabled", "true", "AutoCreation.Type", "default")
	cc := p.control()
	first, err := cc.Inbound(ctx, conversationstest.InboundRequest{Channel: "sms", From: "+15550000001", To: "+15559990000", Body: "first",
		Media: []conversationstest.InboundMedia{{ContentType: "image/png", Filename: "a.png", Data: []byte("png bytes")}}})
	require.NoError(t, err)
	require.True(t, first.CreatedConversation)
	p.post("/v1/Conversations/"+first.ConversationSid+"/Participants", "Identity", "agent")
	p.post("/v1/Conversations/"+first.ConversationSid+"/Messages", "Author", "agent", "Body", "hi, how can I help?")
	require.NoError(t, cc.SetDeliveries(ctx, "+15550000002", "failed"))
	_, err = cc.AdvanceClock(ctx, time.Minute)
	require.NoError(t, err)
	_, err = cc.RegisterBinding(ctx, conversationstest.BindingRequest{Identity: "agent", BindingType: "fcm", Address: "device"})
	require.NoError(t, err)

	paths := []string{"/v1/Conversations", "/v1/Conversations/" + first.ConversationSid + "/Messages",
		"/v1/Conversations/" + first.ConversationSid + "/Participants", "/v1/Configuration/Addresses", "/v1/Users",
		"/_emulator/phones/+15550000001", "/_emulator/deliveries"}
	// Wait until the receipts have settled, then take the views.
	require.Eventually(t, func() bool {
		msgs, err := cc.Phone(ctx, "+15550000001")
		return err == nil && len(msgs) == 1 && msgs[0].Status == "delivered"
	}, 5*time.Second, 20*time.Millisecond)
	want := map[string]string{}
	for _, path := range paths {
		want[path] = p.get(path)
	}
	wantState, err := cc.ExportState(ctx)
	require.NoError(t, err)

	// A periodic save happens without a stop.
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(file)
		return err == nil && bytes.Contains(b, []byte("hi, how can I help?"))
	}, 3*saveInterval, 50*time.Millisecond)
	p.stop()
	onDisk, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.JSONEq(t, string(wantState), string(onDisk))
	info, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// Restart: everything is back, and the app carries on.
	p2 := startEmulator(t, "-state", file)
	var stateLine string
	for stateLine = p2.next(); !strings.HasPrefix(stateLine, "state: "); stateLine = p2.next() {
	}
	assert.Contains(t, stateLine, "loaded from "+file)
	for _, path := range paths {
		assert.Equal(t, want[path], p2.get(path), path)
	}
	m := p2.post("/v1/Conversations/"+first.ConversationSid+"/Messages", "Author", "agent", "Body", "after restart")
	assert.EqualValues(t, 2, m["index"])

	// A crash after the periodic save loses nothing that was saved.
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(file)
		return err == nil && bytes.Contains(b, []byte("after restart"))
	}, 3*saveInterval, 50*time.Millisecond)
	require.NoError(t, p2.cmd.Process.Kill())
	_ = p2.cmd.Wait()
	p3 := startEmulator(t, "-state", file)
	var list struct {
		Messages []struct {
			Body string `json:"body"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal([]byte(p3.get("/v1/Conversations/"+first.ConversationSid+"/Messages")), &list))
	require.Len(t, list.Messages, 3)
	assert.Equal(t, "after restart", list.Messages[2].Body)
	p3.stop()

	// A torn or foreign file is refused at start, and left alone.
	require.NoError(t, os.WriteFile(file, []byte(`{"version":1,"servi`), 0o600))
	bin, _ := emulatorBinary()
	out, err := exec.Command(bin, "-addr", "127.0.0.1:0", "-state", file).CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "invalid state document")
	b, _ := os.ReadFile(file)
	assert.Equal(t, `{"version":1,"servi`, string(b))
}

// TestWriteAtomic: readers racing with saves only ever see a whole
// document, a failed save leaves the old file and no temporary file.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	docs := [][]byte{[]byte(`{"v":"` + strings.Repeat("a", 1<<20) + `"}`), []byte(`{"v":"` + strings.Repeat("b", 3<<20) + `"}`)}
	require.NoError(t, writeAtomic(file, docs[0]))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	reads := 0
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(file)
			if assert.NoError(t, err) {
				assert.True(t, json.Valid(b) && (bytes.Equal(b, docs[0]) || bytes.Equal(b, docs[1])), "a torn read of %d bytes", len(b))
			}
			reads++
		}
	}()
	for i := range 20 {
		require.NoError(t, writeAtomic(file, docs[i%2]))
	}
	close(stop)
	wg.Wait()
	assert.Greater(t, reads, 0)

	// A save that cannot complete (the target is a directory) leaves nothing behind.
	target := filepath.Join(dir, "adir")
	require.NoError(t, os.Mkdir(target, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(target, "keep"), []byte("x"), 0o600))
	require.Error(t, writeAtomic(target, docs[0]))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"state.json", "adir"}, names, "no temporary file left")
}

// TestStateFileSavesOnlyChanges: an unchanged state is not rewritten.
func TestStateFileSavesOnlyChanges(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.json")
	emu := conversationstest.New()
	defer emu.Close()
	s, msg, err := openState(file, emu)
	require.NoError(t, err)
	assert.Contains(t, msg, "(new;")
	require.NoError(t, s.save())
	st1, err := os.Stat(file)
	require.NoError(t, err)
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, s.save())
	st2, _ := os.Stat(file)
	assert.Equal(t, st1.ModTime(), st2.ModTime(), "not rewritten")
	// A change through HTTP, as the command sees them, is saved.
	ts := httptest.NewServer(emu)
	defer ts.Close()
	cc := conversationstest.NewControlClient(ts.URL, conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
	require.NoError(t, cc.SetDeliveries(context.Background(), "+15550000001", "failed"))
	require.NoError(t, s.save())
	b, _ := os.ReadFile(file)
	assert.Contains(t, string(b), "+15550000001")

	// Loading it into another emulator.
	emu2 := conversationstest.New()
	defer emu2.Close()
	_, msg, err = openState(file, emu2)
	require.NoError(t, err)
	assert.Contains(t, msg, "loaded from")
}
