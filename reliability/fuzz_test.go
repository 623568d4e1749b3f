package reliability_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
)

// FuzzPathArgument: any string passed as a SID, unique name or identity
// either fails before sending or arrives as exactly one path segment on the
// API host, with a path that dot-segment resolution leaves alone.
func FuzzPathArgument(f *testing.F) {
	for _, s := range hostileStrings {
		if len(s) < 200 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, cp := captureClient(t)
		for _, pc := range pathCalls {
			before := cp.count()
			err := pc.run(context.Background(), c, s)
			checkPath(t, pc, s, err, cp, before)
		}
	})
}

// FuzzPagerResume: whatever URL Resume is given, the pager never sends a
// request anywhere but the API host, and never with user info.
func FuzzPagerResume(f *testing.F) {
	for _, s := range []string{
		captureBase + "/v1/Conversations?Page=1", "https://evil.test/", "//evil.test/x", "/v1/x", "javascript:alert(1)",
		"https://u:p@api.example.test/", "https://api.example.test@evil.test/", "https://evil.test#@api.example.test",
		"https://api.example.test:8443/", "HTTPS://API.EXAMPLE.TEST/v1", "https://api.example.test/../../x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		c, cp := captureClient(t)
		p := c.Conversations.Pager(nil)
		if err := p.Resume(u); err != nil {
			if !errors.Is(err, conversations.ErrForeignPageURL) {
				t.Errorf("Resume(%q) = %v, want ErrForeignPageURL", u, err)
			}
			return
		}
		_, _ = p.Next(context.Background())
		for _, r := range cp.reqs {
			if r.URL.Scheme+"://"+r.URL.Host != captureBase || r.URL.User != nil {
				t.Errorf("Resume(%q) sent a request to %s", u, r.URL.Redacted())
			}
		}
	})
}

// FuzzBaseURL: NewClient either refuses a base URL or sends requests (with
// credentials) only to that URL's scheme and host.
func FuzzBaseURL(f *testing.F) {
	for _, s := range []string{"https://conversations.twilio.com", "http://127.0.0.1:8080/", "http://u:p@h", "http://h/x",
		"ftp://h", "javascript:x", "http://[::1]:1", "http://h?x", "//h", "http://h#x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, base string) {
		cp := &capture{}
		c, err := conversations.NewClient(accountSID, authToken,
			conversations.WithHTTPClient(&http.Client{Transport: cp}), conversations.WithBaseURL(base), conversations.WithRetryPolicy(conversations.NoRetries))
		if err != nil {
			return
		}
		want, perr := url.Parse(base)
		if perr != nil {
			t.Fatalf("accepted unparsable %q", base)
		}
		_, _ = c.Conversations.Fetch(context.Background(), convSID)
		for _, r := range cp.reqs {
			if r.URL.Scheme != want.Scheme || r.URL.Host != want.Host || r.URL.User != nil || r.URL.Path != "/v1/Conversations/"+convSID {
				t.Errorf("base %q: request sent to %s", base, r.URL.Redacted())
			}
		}
	})
}

// FuzzResponse: whatever a server answers (status, Content-Type,
// Retry-After, body), a call returns nil, *Error or *RequestError, never
// panics, never waits past MaxDelay per retry, and quotes at most a capped
// part of the body.
func FuzzResponse(f *testing.F) {
	f.Add(200, "application/json", "", `{"sid":"CH1"}`)
	f.Add(201, "application/json", "", `{"sid":`)
	f.Add(404, "application/json", "", `{"code":20404,"message":"not found","status":404}`)
	f.Add(429, "application/json", "1", `{"code":20429}`)
	f.Add(429, "", "18446744074", ``)
	f.Add(502, "text/html", "", `<html>bad gateway</html>`)
	f.Add(500, "application/json", "Wed, 21 Oct 2015 07:28:00 GMT", `{"message":null,"code":"x"}`)
	f.Add(204, "", "", ``)
	f.Add(301, "", "", ``)
	f.Add(200, "application/json", "", `{"conversations":[{}],"meta":{"next_page_url":"https://evil.test/"}}`)
	f.Fuzz(func(t *testing.T, status int, ctype, retryAfter, body string) {
		if status < 100 || status > 999 {
			return
		}
		cp := &capture{respond: func(r *http.Request) *http.Response {
			resp := jsonResponse(r, status, body)
			resp.Header.Set("Content-Type", ctype)
			resp.Header.Set("Retry-After", retryAfter)
			return resp
		}}
		c, err := conversations.NewClient(accountSID, authToken, conversations.WithHTTPClient(&http.Client{Transport: cp}),
			conversations.WithBaseURL(captureBase),
			conversations.WithRetryPolicy(conversations.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		start := time.Now()
		var errs []error
		_, err = c.Conversations.Fetch(ctx, convSID)
		errs = append(errs, err)
		_, err = c.Messages.Create(ctx, convSID, &conversations.MessageCreateParams{Body: "x"})
		errs = append(errs, err)
		for _, err := range c.Conversations.List(ctx, nil) {
			if err != nil {
				errs = append(errs, err)
				break
			}
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("calls took %v", d)
		}
		for _, err := range errs {
			if err == nil {
				continue
			}
			var apiErr *conversations.Error
			var reqErr *conversations.RequestError
			if !errors.As(err, &apiErr) && !errors.As(err, &reqErr) && !errors.Is(err, conversations.ErrForeignPageURL) && !errors.Is(err, conversations.ErrPageLoop) {
				t.Errorf("status %d: untyped error %T %v", status, err, err)
			}
			if len(err.Error()) > 4096 {
				t.Errorf("error text of %d bytes", len(err.Error()))
			}
		}
		if len(cp.reqs) > 2+2+2*2 {
			t.Errorf("%d requests for 3 calls (4 requests) with MaxAttempts 2", len(cp.reqs))
		}
	})
}

// FuzzAttributes: attributes from any text are either refused or sent as
// exactly that text; attributes decoded from any response are never sent
// back unless they are valid JSON.
func FuzzAttributes(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[]`, `"x"`, `{`, ``, `null`, "{\"a\":\"\x00\"}", `{"a":1}{"b":2}`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, cp := captureClient(t)
		ctx := context.Background()
		if a, err := conversations.ParseAttributes(s); err == nil {
			if _, err := c.Conversations.Update(ctx, convSID, &conversations.ConversationUpdateParams{Attributes: a}); err != nil {
				t.Fatalf("valid attributes %q refused: %v", s, err)
			}
			_, body := cp.last()
			form, _ := url.ParseQuery(body)
			if got := form.Get("Attributes"); got != s {
				t.Errorf("sent %q, want %q", got, s)
			}
		}
		var cv conversations.Conversation
		raw, _ := json.Marshal(map[string]string{"attributes": s})
		if err := json.Unmarshal(raw, &cv); err != nil {
			return
		}
		before := cp.count()
		_, err := c.Conversations.Update(ctx, convSID, &conversations.ConversationUpdateParams{Attributes: cv.Attributes})
		if !json.Valid([]byte(s)) && s != "" && (err == nil || cp.count() != before) {
			t.Errorf("invalid attributes %q sent (err %v)", s, err)
		}
	})
}

// FuzzSignature: ComputeSignature takes any token, URL and parameters.
func FuzzSignature(f *testing.F) {
	f.Add("token", "https://example.test/hook?x=1", "Body", "hello")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, token, u, k, v string) {
		sig := conversations.ComputeSignature(token, u, url.Values{k: {v, v, ""}})
		if len(sig) != 28 || sig != conversations.ComputeSignature(token, u, url.Values{k: {"", v}}) {
			t.Errorf("signature %q not stable", sig)
		}
	})
}
