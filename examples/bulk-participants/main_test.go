package main

import (
	"context"
	"strings"
	"testing"
)

// env is the environment of the test: offline, with a high rate so that it
// runs in well under a second.
func env(k string) string {
	return map[string]string{"EXAMPLE_COUNT": "200", "EXAMPLE_RATE": "2000"}[k]
}

func TestBulkParticipantsAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, env); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		"(2000 actions/s per scope, 50ms latency)",
		"created conversation CH",
		"\r[####################....................] 100/200",
		"\r[########################################] 200/200\n",
		"200 done, 0 skipped, 0 failed",
		"added 200 participants in ",
		"the rate limit's floor is 200/2000 = 100ms",
		"the emulator holds 200 participants and answered 0 requests with 429",
		"deleted conversation CH",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestSettings(t *testing.T) {
	count, rate, err := settings(func(string) string { return "" })
	if err != nil || count != 200 || rate != 30 {
		t.Errorf("defaults: %d, %g, %v; want 200, 30", count, rate, err)
	}
	for _, bad := range []map[string]string{
		{"EXAMPLE_COUNT": "0"}, {"EXAMPLE_COUNT": "1001"}, {"EXAMPLE_COUNT": "x"}, {"EXAMPLE_RATE": "-1"}, {"EXAMPLE_RATE": "fast"},
	} {
		if _, _, err := settings(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
