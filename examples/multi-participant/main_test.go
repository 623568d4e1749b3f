package main

import (
	"context"
	"strings"
	"testing"
)

func TestMultiParticipantAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		"added SMS user +15558675312 as MB", "added WhatsApp user whatsapp:+15558675321 as MB", "added chat user dave as MB",
		"whatsapp whatsapp:+15558675320", "chat     carol",
		"4 chat, 3 sms, 2 whatsapp", "deleted conversation CH",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
