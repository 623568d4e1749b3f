package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func TestRedact(t *testing.T) {
	a := &app{}
	a.allow("whatsapp:+15551230001")
	in := "participant +15551230001 and +15559876543 (or 15559876543) in CH0123456789abcdef0123456789abcdef, request RQ12345678901234567890123456789012, code 50416"
	assert.Equal(t, "participant +15551230001 and [phone number] (or [phone number]) in CH0123456789abcdef0123456789abcdef, request RQ12345678901234567890123456789012, code 50416", a.redact(in))
}

func TestExplain(t *testing.T) {
	a := &app{}
	err := fmt.Errorf("adding: %w", &conversations.Error{Status: 409, Code: 50416, Message: "Participant +15559876543 is already in conversation CH00000000000000000000000000000001.",
		MoreInfo: "https://www.twilio.com/docs/errors/50416", Method: "POST", Path: "/v1/Conversations/CH00000000000000000000000000000002/Participants", RequestID: "RQ1"})
	assert.Equal(t, "Twilio error 50416 (HTTP 409 Conflict) on POST /v1/Conversations/CH00000000000000000000000000000002/Participants: "+
		"Participant [phone number] is already in conversation CH00000000000000000000000000000001. "+
		"The address is already in another active conversation with the same proxy address: close that one first (find it with 'conversations find ADDRESS'). "+
		"See https://www.twilio.com/docs/errors/50416 (request RQ1)", a.describe(err))

	rerr := &conversations.RequestError{Method: "GET", Path: "/v1/Conversations", Err: errors.New("connection refused")}
	assert.Contains(t, a.describe(rerr), "no usable answer from Twilio")
	assert.Contains(t, a.describe(rerr), "CONVERSATIONS_EMULATOR_HOST")

	assert.Equal(t, 2, exitCode(usagef("x")))
	assert.Equal(t, 1, exitCode(&failure{err: errors.New("x")}))
	assert.Equal(t, 3, exitCode(&quietFailure{code: exitBulkFailed}))
	assert.Equal(t, 2, exitCode(errors.New("unknown command")))
}

func TestInterruptedCommandExits130(t *testing.T) {
	e := newEmu(t, conversationstest.WithLatency(3*time.Second))
	cmd := exec.Command(binary, "list")
	cmd.Env = e.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	time.Sleep(time.Second) // the request is held by the emulator
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second, "it stopped at once, not when the answer came")
	assert.Equal(t, 130, cmd.ProcessState.ExitCode())
	assert.Equal(t, "error: interrupted\n", stderr.String())
	assert.Empty(t, stdout.String())
}
