package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
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

// TestFirstReceiptPolls: the receipt is not there on the first lists (as on
// Twilio, right after the message is created); firstReceipt keeps listing.
func TestFirstReceiptPolls(t *testing.T) {
	calls := 0
	want := &conversations.Receipt{SID: "DY1"}
	r, err := firstReceipt(context.Background(), time.Now().Add(time.Second), time.Millisecond,
		func(context.Context) (*conversations.Receipt, error) {
			calls++
			if calls < 3 {
				return nil, nil
			}
			return want, nil
		})
	if err != nil || r != want || calls != 3 {
		t.Fatalf("got %v, %v after %d calls; want the receipt after 3", r, err, calls)
	}

	calls = 0
	_, err = firstReceipt(context.Background(), time.Now().Add(20*time.Millisecond), time.Millisecond,
		func(context.Context) (*conversations.Receipt, error) { calls++; return nil, nil })
	if err == nil || calls < 2 {
		t.Fatalf("got %v after %d calls; want an error at the deadline", err, calls)
	}

	boom := errors.New("boom")
	if _, err := firstReceipt(context.Background(), time.Now().Add(time.Second), time.Millisecond,
		func(context.Context) (*conversations.Receipt, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the list error", err)
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

// TestReadReceiptsDeletesServiceOnError: when a step fails (the context
// ends after the conversation was created), the service is still deleted.
func TestReadReceiptsDeletesServiceOnError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &cancelOn{marker: "created conversation", cancel: cancel}
	if err := run(ctx, out, func(string) string { return "" }); !errors.Is(err, context.Canceled) {
		t.Fatalf("run: got %v, want context.Canceled\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "deleted Conversation Service") {
		t.Errorf("the service was not deleted:\n%s", out.String())
	}
}
