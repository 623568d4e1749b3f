package conversations

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	formparse "github.com/conversations-go/conversations/internal/form"
)

func FuzzDecodeEvent(f *testing.F) {
	for _, tc := range eventCases() {
		f.Add(tc.form.Encode())
	}
	f.Add("EventType=onMessageAdded&Index=x")
	f.Add("EventType=onMessageAdded&Media=%5B%7B%22Size%22%3A1e400%7D%5D")
	f.Add("EventType=onMessageAdded&Media=%7B%7D&DateCreated=2021-08-10T18%3A00%3A58.111Z")
	f.Add("EventType=onUserUpdated&isOnline=1&IsNotifiable=F")
	f.Add("EventType=onFuture&X=1")
	f.Add("EventType=&Body=")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := formparse.Parse(body)
		if err != nil {
			return
		}
		ev, err := DecodeEvent(form)
		if err != nil {
			if ev != nil {
				t.Fatalf("event with error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "conversations: ") {
				t.Fatalf("error not from this package: %v", err)
			}
			return
		}
		if string(ev.EventType()) != form.Get("EventType") {
			t.Fatalf("EventType %q, form %q", ev.EventType(), form.Get("EventType"))
		}
		enc, err := EncodeEvent(ev)
		if err != nil {
			t.Fatalf("EncodeEvent: %v", err)
		}
		if _, err := DecodeEvent(enc); err != nil {
			t.Fatalf("re-decoding an encoded event: %v\nform: %v\nencoded: %v", err, form, enc)
		}
	})
}

func FuzzValidateSignature(f *testing.F) {
	for _, v := range signatureVectors {
		f.Add(v.url, v.params.Encode(), v.sig)
	}
	f.Add("https://[::1]:443/x", "a=1&a=2", "")
	f.Add("http://u:p@[fe80::1%25en0]/", "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add("https://h/p?bodySHA256=zz", "", "x")
	f.Add("\x00://@[:", "=", "")
	f.Fuzz(func(t *testing.T, rawURL, query, sig string) {
		params, err := formparse.Parse(query)
		if err != nil {
			return
		}
		// Arbitrary signatures do not validate (except by a 2^-160 chance).
		if err := ValidateSignature(vecToken, rawURL, params, sig); err == nil && sig != ComputeSignature(vecToken, rawURL, params) {
			// A URL variant matched; it must be a genuine signature of one.
			ok := false
			forEachURLVariant(rawURL, func(u string) bool {
				ok = ComputeSignature(vecToken, u, params) == sig
				return !ok
			})
			if !ok {
				t.Fatalf("accepted a signature that matches no URL variant")
			}
		}
		// The signature of the URL as given always validates.
		good := ComputeSignature(vecToken, rawURL, params)
		if err := ValidateSignature(vecToken, rawURL, params, good); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if err := ValidateSignature("other", rawURL, params, good); err == nil {
			t.Fatalf("signature accepted under another token")
		}
		_ = ValidateSignatureBody(vecToken, rawURL, []byte(query), sig)
	})
}

func FuzzValidateRequest(f *testing.F) {
	f.Add("POST", "/hook?x=1", "example.com", "EventType=onMessageAdded&Body=hi", "", "", "")
	f.Add("GET", "/hook?EventType=onMessageAdded", "[::1]:3000", "", "https", "[::1]", "x")
	f.Add("POST", "/hook?bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "h", "{}", "http, https", "a, b", "")
	f.Add("PUT", "/%zz", "h:99999", "a=%zz", "ftp", "", "!!")
	f.Fuzz(func(t *testing.T, method, target, host, body, proto, fwdHost, sig string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target+host+method, " \r\n\t#") {
			return
		}
		if method == "" || strings.ContainsAny(method, "()<>@,;:\\\"/[]?={}") {
			return
		}
		r, err := http.NewRequest(method, "http://placeholder"+target, bytes.NewReader([]byte(body)))
		if err != nil {
			return
		}
		r.Host = host
		r.RequestURI = target
		r.Header.Set("X-Forwarded-Proto", proto)
		r.Header.Set("X-Forwarded-Host", fwdHost)
		for _, opts := range [][]WebhookOption{nil, {WithTrustedProxy()}, {WithPublicURL("https://example.com/base")}} {
			r.Header.Set(SignatureHeader, sig)
			_ = ValidateRequest(r, vecToken, opts...)
			// A request signed for the URL it rebuilds validates.
			cfg := newWebhookConfig(opts)
			u := cfg.requestURL(r)
			var params url.Values
			if method != http.MethodGet && method != http.MethodHead {
				if _, ok := bodyHashParam(u); ok {
					continue
				}
				var err error
				if params, err = formparse.Parse(body); err != nil {
					continue
				}
			}
			r.Header.Set(SignatureHeader, ComputeSignature(vecToken, u, params))
			if err := ValidateRequest(r, vecToken, opts...); err != nil {
				t.Fatalf("own signature rejected for %q: %v", u, err)
			}
			// The handler never panics and answers a status.
			h, _ := NewWebhookHandler(vecToken, opts...)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code < 200 || w.Code > 599 {
				t.Fatalf("status %d", w.Code)
			}
		}
	})
}
