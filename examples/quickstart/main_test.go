package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestQuickstartAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		"added SMS participant", "added WhatsApp participant",
		`+15558675310's phone received from +15017122661: "Hi! Your order #1042 has shipped."`,
		"the SMS user replied", "Great, thanks!",
		`"priority":"high"`, "state closed", "cannot be updated (error 50377)", "deleted Conversation Service",
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

// TestQuickstartDeletesServiceOnError: when a step fails (here: the context
// ends right after the service was created), the service is still deleted.
func TestQuickstartDeletesServiceOnError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &cancelOn{marker: "created Conversation Service", cancel: cancel}
	err := run(ctx, out, func(string) string { return "" })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run: got %v, want context.Canceled\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "deleted Conversation Service") {
		t.Errorf("the service was not deleted:\n%s", out.String())
	}
}
