package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// TestCommand runs the built command: its first line of output is the base
// URL, the client works against it with the credentials given by flag, each
// request is logged, and SIGTERM stops it cleanly.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin, err := emulatorBinary() // devtools_test.go: built once per run
	require.NoError(t, err)

	const sid, token = "AC0123456789abcdef0123456789abcdef", "cmd-test-token"
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-account-sid", sid, "-auth-token", token)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() string {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "the command's output ended")
			return l
		case <-time.After(10 * time.Second):
			t.Fatal("no output from the command")
			return ""
		}
	}
	base := next()
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base)

	ctx := context.Background()
	c, err := conversations.NewClient(sid, token, conversations.WithBaseURL(base))
	require.NoError(t, err)
	conv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "from the command"})
	require.NoError(t, err)
	assert.Equal(t, "from the command", conv.FriendlyName)
	assert.Equal(t, sid, conv.AccountSID)

	// A raw ';' in a form body, as curl -d sends it, is kept byte for byte.
	req, err := http.NewRequest(http.MethodPost, base+"/v1/Conversations/"+conv.SID+"/Messages",
		strings.NewReader("Body=See you at 5; bring the receipt"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(sid, token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var msg struct{ Body string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&msg))
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "See you at 5; bring the receipt", msg.Body)

	// The default credentials are not accepted when others are given.
	other, err := conversations.NewClient(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken,
		conversations.WithBaseURL(base), conversations.WithRetryPolicy(conversations.NoRetries))
	require.NoError(t, err)
	_, err = other.Conversations.Fetch(ctx, conv.SID)
	assert.True(t, conversations.HasCode(err, conversations.CodeAuthenticationFailed), "%v", err)

	logged := false
	for !logged {
		l := next()
		logged = strings.Contains(l, "POST") && strings.Contains(l, "/v1/Conversations")
	}

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "a clean exit on SIGTERM")
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop on SIGTERM")
	}
}
