package main

import (
	"context"
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
