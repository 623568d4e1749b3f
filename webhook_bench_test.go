package conversations

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// benchForm is a typical onMessageAdded post.
func benchForm() url.Values {
	return url.Values{
		"AccountSid":          {tAccount},
		"EventType":           {"onMessageAdded"},
		"Source":              {"SMS"},
		"RetryCount":          {"0"},
		"ConversationSid":     {tConv},
		"MessageSid":          {tMsg},
		"MessagingServiceSid": {tMsgSvc},
		"ChatServiceSid":      {tChatSvc},
		"Index":               {"12"},
		"DateCreated":         {"2021-08-10T18:00:58.111Z"},
		"Body":                {"Hi, I need help with my order #1234, it has not arrived yet."},
		"Author":              {"+15551234567"},
		"ParticipantSid":      {tPart},
		"Attributes":          {"{}"},
	}
}

// signedString builds the exact string Twilio signs, for the baseline.
func signedString(rawURL string, form url.Values) string {
	var b strings.Builder
	b.WriteString(rawURL)
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range form[k] {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	return b.String()
}

// BenchmarkBaselineHMAC is the floor: a bare HMAC-SHA1 over the pre-built
// signed string, Base64 and hmac.Equal, with nothing reused.
func BenchmarkBaselineHMAC(b *testing.B) {
	form := benchForm()
	msg := signedString(hookURL, form)
	sig := ComputeSignature(hookToken, hookURL, form)
	b.ReportAllocs()
	for b.Loop() {
		mac := hmac.New(sha1.New, []byte(hookToken))
		mac.Write([]byte(msg))
		got := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(got), []byte(sig)) {
			b.Fatal("mismatch")
		}
	}
}

// BenchmarkValidateSignature validates the post from its parsed form.
func BenchmarkValidateSignature(b *testing.B) {
	form := benchForm()
	sig := ComputeSignature(hookToken, hookURL, form)
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateSignature(hookToken, hookURL, form, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateSignatureRotation validates with the secondary token,
// after the primary failed.
func BenchmarkValidateSignatureRotation(b *testing.B) {
	form := benchForm()
	sig := ComputeSignature("old-token", hookURL, form)
	opt := WithSecondaryAuthTokens("old-token")
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateSignature(hookToken, hookURL, form, sig, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEvent decodes the post's parsed form into *MessageAddedEvent.
func BenchmarkDecodeEvent(b *testing.B) {
	form := benchForm()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEvent(form); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateRequest validates the post as an *http.Request: reading
// the body, parsing the form and rebuilding the URL included.
func BenchmarkValidateRequest(b *testing.B) {
	form := benchForm()
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, hookURL, nil)
	r.Header.Set(SignatureHeader, ComputeSignature(hookToken, hookURL, form))
	b.ReportAllocs()
	for b.Loop() {
		r.Body = readCloser{strings.NewReader(body)}
		if err := ValidateRequest(r, hookToken); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandler serves the post end to end through WebhookHandler.
func BenchmarkHandler(b *testing.B) {
	form := benchForm()
	body := form.Encode()
	h, err := NewWebhookHandler(hookToken)
	if err != nil {
		b.Fatal(err)
	}
	h.OnMessageAdded(func(_ context.Context, ev *MessageAddedEvent) error { return nil })
	r := httptest.NewRequest(http.MethodPost, hookURL, nil)
	r.Header.Set(SignatureHeader, ComputeSignature(hookToken, hookURL, form))
	w := &discardResponse{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		r.Body = readCloser{strings.NewReader(body)}
		h.ServeHTTP(w, r)
		if w.code != 200 {
			b.Fatal(w.code)
		}
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

type discardResponse struct {
	h    http.Header
	code int
}

func (d *discardResponse) Header() http.Header         { return d.h }
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardResponse) WriteHeader(code int)        { d.code = code }
