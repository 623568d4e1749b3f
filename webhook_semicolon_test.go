package conversations

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A webhook body as a sender that does not escape ';' writes it (Node's
// querystring.stringify and Python's urlencode escape it, but the form
// grammar does not require it): the semicolons are raw.
const semicolonWebhookBody = "EventType=onMessageAdded&ConversationSid=CH00000000000000000000000000000001" +
	"&MessageSid=IM00000000000000000000000000000001&Index=0&Author=alice" +
	"&Body=See+you+at+5;+bring+the+receipt" +
	"&Attributes=%7B%22note%22%3A%22a;b%22%7D" +
	"&Media=%5B%5D&x;y=1;2"

// semicolonWebhookForm is what semicolonWebhookBody carries, decoded.
var semicolonWebhookForm = url.Values{
	"EventType":       {"onMessageAdded"},
	"ConversationSid": {"CH00000000000000000000000000000001"},
	"MessageSid":      {"IM00000000000000000000000000000001"},
	"Index":           {"0"},
	"Author":          {"alice"},
	"Body":            {"See you at 5; bring the receipt"},
	"Attributes":      {`{"note":"a;b"}`},
	"Media":           {"[]"},
	"x;y":             {"1;2"},
}

const semicolonHookURL = "https://example.com/hook?tenant=a;b"

func semicolonRequest(t *testing.T, sig string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, semicolonHookURL, strings.NewReader(semicolonWebhookBody))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(SignatureHeader, sig)
	return r
}

func TestValidateRequestRawSemicolon(t *testing.T) {
	good := ComputeSignature(vecToken, semicolonHookURL, semicolonWebhookForm)
	if err := ValidateRequest(semicolonRequest(t, good), vecToken, WithPublicURL("https://example.com")); err != nil {
		t.Fatalf("a form with raw ';' signed over its decoded values: %v", err)
	}
	// The signature covers the values with their ';': one that dropped
	// the pairs holding a ';' (what url.URL.Query does) must not validate.
	dropped := url.Values{}
	for k, v := range semicolonWebhookForm {
		if !strings.Contains(k+v[0], ";") {
			dropped[k] = v
		}
	}
	err := ValidateRequest(semicolonRequest(t, ComputeSignature(vecToken, semicolonHookURL, dropped)), vecToken, WithPublicURL("https://example.com"))
	if !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("signature over the form without its ';' pairs: %v, want ErrInvalidSignature", err)
	}
	if err := ValidateSignatureBody(vecToken, semicolonHookURL, []byte(semicolonWebhookBody), good); err != nil {
		t.Fatalf("ValidateSignatureBody: %v", err)
	}
}

func TestParseEventRawSemicolon(t *testing.T) {
	ev, err := ParseEvent(semicolonRequest(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	checkSemicolonEvent(t, ev)
}

func TestParseEventGETRawSemicolon(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/hook?"+semicolonWebhookBody, nil)
	ev, err := ParseEvent(r)
	if err != nil {
		t.Fatal(err)
	}
	checkSemicolonEvent(t, ev)
}

func checkSemicolonEvent(t *testing.T, ev Event) {
	t.Helper()
	m, ok := ev.(*MessageAddedEvent)
	if !ok {
		t.Fatalf("event %T", ev)
	}
	if m.Body != "See you at 5; bring the receipt" || m.Attributes.String() != `{"note":"a;b"}` || m.Author != "alice" {
		t.Fatalf("decoded Body %q Attributes %q Author %q", m.Body, m.Attributes.String(), m.Author)
	}
	if got := m.Form.Get("x;y"); got != "1;2" {
		t.Fatalf("Form[x;y] = %q", got)
	}
}

func TestWebhookHandlerRawSemicolon(t *testing.T) {
	h, err := NewWebhookHandler(vecToken, WithPublicURL("https://example.com"))
	if err != nil {
		t.Fatal(err)
	}
	var got *MessageAddedEvent
	h.OnMessageAdded(func(_ context.Context, ev *MessageAddedEvent) error { got = ev; return nil })
	w := httptest.NewRecorder()
	h.ServeHTTP(w, semicolonRequest(t, ComputeSignature(vecToken, semicolonHookURL, semicolonWebhookForm)))
	if w.Code != http.StatusOK || got == nil {
		t.Fatalf("status %d, event %v: %s", w.Code, got, w.Body)
	}
	checkSemicolonEvent(t, got)
}
