package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestFindAndRemoveAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		"participants: driver-17 dispatcher +15558675310\n",
		"removed +15558675310 (MB", "removed driver-17 (MB",
		"+15550000000 is not in the conversation: nothing to remove",
		"driver-17 is no longer in the conversation",
		"participants: dispatcher\n",
		"deleted conversation CH",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// cancelOn is a writer that cancels a context once the output contains a
// marker: it stops run right after a given step.
type cancelOn struct {
	strings.Builder
	marker string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	n, err := c.Builder.Write(p)
	if strings.Contains(c.String(), c.marker) {
		c.cancel()
	}
	return n, err
}

// TestCleanupAfterCancel: when the caller's context ends after the
// conversation was created, run stops and still deletes the conversation.
func TestCleanupAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &cancelOn{marker: "created conversation", cancel: cancel}
	err := run(ctx, out, func(string) string { return "" })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run: got %v, want context.Canceled\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "deleted conversation") {
		t.Errorf("the conversation was not deleted:\n%s", out.String())
	}
}
