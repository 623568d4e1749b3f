package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestAttributesAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		`with attributes {"topic":"billing","priority":"normal","customer":{"id":7,"tier":"gold"},"tags":["invoice"]}`,
		"topic=billing priority=normal customer=7 (gold)",
		`conversation attributes now {"customer":{"id":7,"tier":"platinum"},"escalated_by":"alice","priority":"high","topic":"billing"}`,
		"escalated_by=alice, tags present: false",
		"participant alice: role=agent team=billing on_shift=true",
		"participant alice: on_shift=false language=fr",
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
