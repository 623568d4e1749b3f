package main

import (
	"context"
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
