package main

import (
	"context"
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
