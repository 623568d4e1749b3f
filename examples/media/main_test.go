package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunOffline(t *testing.T) {
	t.Setenv("TWILIO_ACCOUNT_SID", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"running offline", "sent message IM", "image/png", "identical", `the phone +15550100001 got an MMS from +15550100999 with media [ME`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
