package reliability_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
)

// TestPreEventDeadline (issue 13, item 13): Twilio publishes a pre-event's
// action unchanged when it has no answer after 5 s, so a callback must learn
// its deadline before then, and the handler must answer in time: a slow
// callback that would reject after 6 s gets a context that ends before 5 s,
// and the handler answers 200 {} (what Twilio does anyway) by then instead
// of a rejection Twilio would ignore. Default settings; takes ~4.5 s.
func TestPreEventDeadline(t *testing.T) {
	const twilioWaits = 5 * time.Second
	h, err := conversations.NewWebhookHandler(authToken)
	if err != nil {
		t.Fatal(err)
	}
	var deadline time.Time
	var hasDeadline bool
	returned := make(chan time.Duration, 1)
	h.OnMessageAdd(func(ctx context.Context, _ *conversations.MessageAddEvent) (conversations.Decision, error) {
		start := time.Now()
		deadline, hasDeadline = ctx.Deadline()
		select {
		case <-ctx.Done():
		case <-time.After(6 * time.Second): // a slow moderation service
		}
		returned <- time.Since(start)
		return conversations.Reject(), nil
	})
	form := url.Values{"EventType": {"onMessageAdd"}, "AccountSid": {accountSID}, "ConversationSid": {convSID},
		"Body": {"hi"}, "Author": {"a"}, "Source": {"API"}, "RetryCount": {"0"}}
	r, err := conversations.NewSignedWebhookRequest(authToken, "https://hooks.example.test/pre", form)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	elapsed := time.Since(start)
	cb := <-returned
	if !hasDeadline || deadline.Sub(start) >= twilioWaits {
		t.Errorf("callback context: deadline set %v, %v after the request; want one before Twilio's 5 s", hasDeadline, deadline.Sub(start))
	}
	if elapsed >= twilioWaits || w.Code != 200 || w.Body.String() != "{}" {
		t.Errorf("slow pre-event callback: answered %d %q after %v; want 200 {} before 5 s", w.Code, w.Body.String(), elapsed.Round(time.Millisecond))
	}
	record(figure{Fault: "#13 pre-event callback needs 6 s (Twilio waits 5 s)", Op: "WebhookHandler onMessageAdd",
		Outcome:  fmt.Sprintf("%d %s: callback ctx ended at %v", w.Code, w.Body.String(), cb.Round(time.Millisecond)),
		Attempts: "-", Applied: "-", Elapsed: fmt.Sprintf("%v / 5s", elapsed.Round(time.Millisecond)), Conns: "-", BytesRead: "-", Leaked: "-"})
}
