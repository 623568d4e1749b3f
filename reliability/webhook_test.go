package reliability_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/conversations-go/conversations"
)

// TestHostileWebhookRequests drives a WebhookHandler with requests an
// attacker or a broken proxy could send: every one is answered with a 4xx
// (never a panic, never a callback), and validly signed odd payloads are
// decoded or refused cleanly.
func TestHostileWebhookRequests(t *testing.T) {
	const hookURL = "https://hooks.example.test/twilio?x=1"
	var calls atomic.Int64
	h, err := conversations.NewWebhookHandler(authToken, conversations.WithMaxBodyBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	h.OnMessageAdded(func(context.Context, *conversations.MessageAddedEvent) error { calls.Add(1); return nil })
	h.OnUnknownEvent(func(context.Context, *conversations.UnknownEvent) error { calls.Add(1); return nil })

	valid := url.Values{"EventType": {"onMessageAdded"}, "AccountSid": {accountSID}, "ConversationSid": {convSID},
		"MessageSid": {"IMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "Body": {"hi"}, "Author": {"a"}, "Index": {"0"},
		"DateCreated": {"2024-01-01T00:00:00Z"}, "Source": {"API"}, "RetryCount": {"0"}, "WebhookType": {"webhook"}, "WebhookSid": {"WHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}
	signed := func(form url.Values) *http.Request {
		r, err := conversations.NewSignedWebhookRequest(authToken, hookURL, form)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	raw := func(method, body, sig, ctype string) *http.Request {
		r := httptest.NewRequest(method, hookURL, strings.NewReader(body))
		if sig != "" {
			r.Header.Set("X-Twilio-Signature", sig)
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		return r
	}
	goodSig := conversations.ComputeSignature(authToken, hookURL, valid)
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range valid {
			f[key] = append([]string(nil), vals...)
		}
		f.Set(k, v)
		return f
	}
	huge := strings.Repeat("a", 1<<20)

	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int // exact, or 0 for "any 4xx"
	}{
		{"no signature", raw("POST", valid.Encode(), "", "application/x-www-form-urlencoded"), 400},
		{"bad signature", raw("POST", valid.Encode(), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "application/x-www-form-urlencoded"), 403},
		{"signature for another URL", raw("POST", valid.Encode(), conversations.ComputeSignature(authToken, "https://evil.test/", valid), "application/x-www-form-urlencoded"), 403},
		{"signature with another token", raw("POST", valid.Encode(), conversations.ComputeSignature("other", hookURL, valid), "application/x-www-form-urlencoded"), 403},
		{"tampered body", raw("POST", with("Body", "evil").Encode(), goodSig, "application/x-www-form-urlencoded"), 403},
		{"huge body", raw("POST", "Body="+huge, goodSig, "application/x-www-form-urlencoded"), 413},
		{"bad percent-encoding", raw("POST", "Body=%zz&EventType=onMessageAdded", goodSig, "application/x-www-form-urlencoded"), 0},
		{"NUL bytes", raw("POST", "Body=\x00\x00&EventType=\x00", goodSig, "application/x-www-form-urlencoded"), 0},
		{"JSON body", raw("POST", `{"EventType":"onMessageAdded"}`, goodSig, "application/json"), 0},
		{"PUT", raw("PUT", valid.Encode(), goodSig, "application/x-www-form-urlencoded"), 405},
		{"DELETE", raw("DELETE", "", goodSig, ""), 405},
		{"signed, no EventType", signed(with("EventType", "")), 400},
		{"signed, bad Index", signed(with("Index", "-1x")), 400},
		{"signed, bad date", signed(with("DateCreated", "yesterday")), 400},
		{"signed, huge Index", signed(with("Index", "99999999999999999999999")), 400},
		{"signed, pre-event without handler", signed(with("EventType", "onMessageAdd")), 0},
	} {
		w := httptest.NewRecorder()
		before := calls.Load()
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panic %v", tc.name, p)
				}
			}()
			h.ServeHTTP(w, tc.req)
		}()
		if tc.status != 0 && w.Code != tc.status || tc.status == 0 && (w.Code < 200 || w.Code >= 500) {
			t.Errorf("%s: status %d, want %d (0: 2xx-4xx)", tc.name, w.Code, tc.status)
		}
		if w.Code >= 400 && calls.Load() != before {
			t.Errorf("%s: callback ran for a refused request", tc.name)
		}
		// Refusals never echo a secret.
		if bytes.Contains(w.Body.Bytes(), []byte(authToken)) {
			t.Errorf("%s: response holds the auth token", tc.name)
		}
	}

	// The positive control: a valid signed event reaches its callback once.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(valid))
	if w.Code != 200 || calls.Load() != 1 {
		t.Errorf("valid event: status %d, %d callbacks", w.Code, calls.Load())
	}

	// ValidateRequest with hostile requests: typed errors, no panic, and the
	// body is left readable.
	for _, r := range []*http.Request{
		raw("POST", "", "", ""), raw("POST", "a=b", "%%%", "application/x-www-form-urlencoded"),
		raw("GET", "", goodSig, ""), raw("POST", huge, goodSig, "text/plain"),
	} {
		if err := conversations.ValidateRequest(r, authToken, conversations.WithMaxBodyBytes(1024)); err == nil {
			t.Errorf("%s %s accepted", r.Method, r.Header)
		}
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
		}
	}
	if err := conversations.ValidateRequest(signed(valid), ""); err == nil {
		t.Error("empty auth token accepted")
	}
}
