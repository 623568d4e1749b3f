package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startWrapped runs the command through sh, so the shell can set limits
// (ulimit) on it first, and reads its base URL.
func startWrapped(t *testing.T, shell string, args ...string) *proc {
	t.Helper()
	return startProc(t, func(bin string) *exec.Cmd {
		return exec.Command("sh", append([]string{"-c", shell + `; exec "$0" "$@"`, bin, "-addr", "127.0.0.1:0"}, args...)...)
	})
}

// interrupt sends SIGINT, as Ctrl-C in a terminal does, and returns how the
// process exited.
func (p *proc) interrupt() error {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(os.Interrupt))
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		p.t.Fatal("the command did not stop on SIGINT")
		return nil
	}
}

// postStatus sends a REST form post and returns its status.
func (p *proc) postStatus(path string, kv ...string) int {
	p.t.Helper()
	resp := p.postForm(path, kv...)
	resp.Body.Close()
	return resp.StatusCode
}

func skipToState(p *proc) string {
	for l := p.next(); ; l = p.next() {
		if strings.HasPrefix(l, "state: ") {
			return l
		}
	}
}

// TestCommandRefusesYear10000AndSavesOnInterrupt: a date that would be year
// 10000 in UTC is refused, so the exit-time save on SIGINT succeeds
// (before, it was stored, and the save failed with "year outside of range":
// exit 1 and every change since the last save lost).
func TestCommandRefusesYear10000AndSavesOnInterrupt(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	p := startEmulator(t, "-state", file)
	skipToState(p)
	assert.Equal(t, 400, p.postStatus("/v1/Conversations", "FriendlyName", "far", "DateCreated", "9999-12-31T23:59:59-23:59"))
	assert.Equal(t, 201, p.postStatus("/v1/Conversations", "FriendlyName", "kept on exit"))
	require.NoError(t, p.interrupt(), "stderr: %s", p.stderr)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(b), "kept on exit")
	assert.NotContains(t, string(b), "far")
}

// TestCommandFailedSaveKeepsTheLastGoodFile: when the exit-time save cannot
// be written (here the process may not write files past 16 blocks, as a
// full disk or a quota would refuse it), the command exits with an error
// saying so, and the file still holds the last state saved, whole, with no
// temporary file left beside it.
func TestCommandFailedSaveKeepsTheLastGoodFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	p := startEmulator(t, "-state", file)
	skipToState(p)
	p.post("/v1/Conversations", "FriendlyName", "saved before")
	require.NoError(t, p.interrupt(), "stderr: %s", p.stderr)
	good, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Contains(t, string(good), "saved before")
	require.Less(t, len(good), 8<<10, "the good file fits the limit below, so only the larger save fails")

	// RLIMIT_FSIZE: 16 blocks (8 or 16 KiB, as the shell counts them).
	p2 := startWrapped(t, "ulimit -f 16", "-state", file)
	assert.Contains(t, skipToState(p2), "loaded from")
	for i := range 8 {
		p2.post("/v1/Conversations", "FriendlyName", "lost "+string(rune('a'+i)), "Attributes", `{"pad":"`+strings.Repeat("x", 8<<10)+`"}`)
	}
	err = p2.interrupt()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the failed save is an error exit, got %v; stderr: %s", err, p2.stderr)
	assert.Equal(t, 1, exit.ExitCode())
	assert.False(t, exit.Sys().(syscall.WaitStatus).Signaled(), "an error exit, not a signal")
	assert.Contains(t, p2.stderr.String(), "file too large")
	assert.Contains(t, p2.stderr.String(), "keeps the last state saved")

	after, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(good), string(after), "the last good file is intact")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left: %v", entries)

	// And it still loads.
	p3 := startEmulator(t, "-state", file)
	assert.Contains(t, skipToState(p3), "loaded from")
	assert.Contains(t, p3.get("/v1/Conversations"), "saved before")
	p3.stop()
}
