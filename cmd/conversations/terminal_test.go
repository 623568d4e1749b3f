package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// The terminal tests run the command in a tmux pane, a real terminal: the
// progress bar and the confirmation prompt only show there. Without tmux
// they are skipped, unless CONVERSATIONS_CLI_REQUIRE_TMUX is set (CI).

// pane is a tmux session of its own server (its own socket), running one
// command line.
type pane struct {
	t      *testing.T
	socket string
}

func newPane(t *testing.T, env []string, dir string, args ...string) *pane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CONVERSATIONS_CLI_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is required (CONVERSATIONS_CLI_REQUIRE_TMUX is set)")
		}
		t.Skip("tmux is not installed")
	}
	p := &pane{t: t, socket: fmt.Sprintf("cli-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	line := fmt.Sprintf("cd %s && env -i %s %s %s; echo EXIT=$?; sleep 60", dir, strings.Join(env, " "), binary, strings.Join(quoted, " "))
	p.tmux("-f", "/dev/null", "new-session", "-d", "-x", "150", "-y", "40", "-s", "cli", line)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	return p
}

func (p *pane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	require.NoError(p.t, err, "tmux %v: %s", args, out)
	return string(out)
}

// screen is what the pane shows now.
func (p *pane) screen() string { return p.tmux("capture-pane", "-p", "-t", "cli") }

// waitFor waits until the pane shows want, and returns the screen.
func (p *pane) waitFor(want string, within time.Duration) string {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := p.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ttyCampaign creates the conversation "tty" and, in a new directory it
// returns, tty.csv naming n chat identities to add to it.
func ttyCampaign(t *testing.T, e *emu, n int) string {
	t.Helper()
	_, err := e.client.Conversations.Create(context.Background(), &conversations.ConversationCreateParams{UniqueName: "tty"})
	require.NoError(t, err)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("identity\n")
	for i := range n {
		fmt.Fprintf(&b, "tty-user-%d\n", i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tty.csv"), []byte(b.String()), 0o644))
	return dir
}

func TestTerminalProgressBar(t *testing.T) {
	e := newEmu(t, conversationstest.WithRateLimit(floorRate))
	dir := ttyCampaign(t, e, 90)

	p := newPane(t, e.env, dir, "participants", "add", "--csv", "tty.csv", "tty")
	// While it runs: a bar, not the plain lines.
	mid := p.waitFor("participants", 10*time.Second)
	s := p.waitFor("EXIT=", 30*time.Second)
	t.Logf("during the run:\n%s\nat the end:\n%s", strings.TrimSpace(mid), strings.TrimSpace(s))
	assert.Contains(t, s, "EXIT=0")
	assert.Contains(t, s, "100%")
	assert.Contains(t, s, "(90/90")
	assert.Contains(t, s, "added 90, skipped 0 (already there), failed 0, bad rows 0, of 90 rows")
	assert.NotContains(t, s, "participants: 9/90 (10%)", "the plain progress lines are for logs, not terminals")
	assert.Equal(t, 90, len(participantsIn(t, e.client, "tty")))
}

func TestTerminalPrompt(t *testing.T) {
	e := newEmu(t, conversationstest.WithClock(time.Now().Add(-90*24*time.Hour)))
	var sids []string
	for i := range 3 {
		c, err := e.client.Conversations.Create(context.Background(), &conversations.ConversationCreateParams{UniqueName: fmt.Sprintf("prompt-%d", i)})
		require.NoError(t, err)
		sids = append(sids, c.SID)
	}
	dir := t.TempDir()

	// "n": nothing changes.
	version := e.StateVersion()
	p := newPane(t, e.env, dir, "cleanup", "--close", "--unique-name-prefix", "prompt-")
	p.waitFor("Close 3 conversations? [y/N]", 10*time.Second)
	p.tmux("send-keys", "-t", "cli", "n", "Enter")
	s := p.waitFor("EXIT=", 10*time.Second)
	assert.Contains(t, s, "nothing changed")
	assert.Contains(t, s, "EXIT=0")
	assert.Equal(t, version, e.StateVersion())

	// "y": closed.
	p = newPane(t, e.env, dir, "cleanup", "--close", "--unique-name-prefix", "prompt-", "--inactive-for", "30d")
	p.waitFor("Close 3 conversations? [y/N]", 10*time.Second)
	p.tmux("send-keys", "-t", "cli", "y", "Enter")
	s = p.waitFor("EXIT=", 20*time.Second)
	assert.Contains(t, s, "closed 3, skipped 0, failed 0, of 3 conversations")
	assert.Contains(t, s, "EXIT=0")
	for _, sid := range sids {
		c, ok := e.Conversation(sid)
		require.True(t, ok)
		assert.Equal(t, "closed", c.State)
	}
}

func TestTerminalCtrlC(t *testing.T) {
	e := newEmu(t, conversationstest.WithRateLimit(floorRate))
	dir := ttyCampaign(t, e, 150)

	p := newPane(t, e.env, dir, "participants", "add", "--csv", "tty.csv", "tty")
	// Ctrl-C once the bar shows about a third done.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if _, after, ok := strings.Cut(p.screen(), "("); ok {
			fmt.Sscanf(after, "%d/150", &n)
		}
		if n >= 45 {
			break
		}
		require.False(t, time.Now().After(deadline), "the bar never passed 45/150:\n%s", p.screen())
		time.Sleep(20 * time.Millisecond)
	}
	p.tmux("send-keys", "-t", "cli", "C-c")
	s := p.waitFor("EXIT=", 20*time.Second)
	t.Logf("after Ctrl-C:\n%s", strings.TrimSpace(s))
	assert.Contains(t, s, "EXIT=3")
	assert.Contains(t, s, "rows not added or not confirmed; run the same command again: it adds only the missing ones")
	assert.Contains(t, s, "rows written to tty.failed.csv")
	n := len(participantsIn(t, e.client, "tty"))
	assert.Less(t, n, 150)

	// Fed back in, the failed-rows file completes the job.
	p = newPane(t, e.env, dir, "participants", "add", "--csv", "tty.failed.csv", "tty")
	s = p.waitFor("EXIT=", 20*time.Second)
	assert.Contains(t, s, "EXIT=0")
	assert.Equal(t, 150, len(participantsIn(t, e.client, "tty")))
}
