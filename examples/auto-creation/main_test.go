package main

import (
	"context"
	"strings"
	"testing"
)

func TestAutoCreationAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		"auto-creation true, type webhook, webhook http://127.0.0.1:",
		"/conversation-events [onParticipantAdded onMessageAdded]",
		"the scoped webhook received onParticipantAdded, onMessageAdded",
		"+15558675310 texted +15017122661: the emulator created conversation CH",
		"(active) in service IS", "participant MB", ": +15558675310 via +15017122661",
		`message #0 from +15558675310: "Hi, where is my order #1042?"`,
		"POST http://127.0.0.1:",
		"as message #1", "deleted address configuration IG",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
