package main

import (
	"context"
	"strings"
	"testing"
)

func TestUsersAndRolesAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		`default role "channel user" (conversation)`, `default role "service admin" (service)`,
		`created role "guest" with permissions [sendMessage leaveConversation]`,
		`attributes {"team":"support"}`, "is refused", "50201",
		"(guest: true)", "user customer-42 exists now", `agent-7 is in "Order #1042" (active), notifications default`,
		"service admin role RL", "deleted Conversation Service",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
