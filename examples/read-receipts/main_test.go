package main

import (
	"context"
	"strings"
	"testing"
)

func TestReadReceiptsAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		"added SMS participant +15558675310 and chat user alice",
		"message #0 created: delivery sent all, delivered none", "is now delivered",
		"onDeliveryUpdated webhooks reported: sent -> delivered", "sent all, delivered all, failed none",
		`+15558675310's phone received from +15017122661: "Your parcel is out for delivery."`,
		"alice read message #0: 2 unread", "alice marked everything read (up to #2): 0 unread",
		"same read horizon: #2", "deleted Conversation Service",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
