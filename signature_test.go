package conversations

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	vecToken = "12345"
	vecU     = "https://mycompany.com/myapp.php?foo=1&bar=2"
	vecHash  = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	vecBody  = `{"property": "value", "boolean": true}`
)

func p5() url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675309"},
		"Digits":  {"1234"},
		"From":    {"+14158675309"},
		"To":      {"+18005551212"},
	}
}

func withParams(base url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range base {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Add(kv[i], kv[i+1])
	}
	return out
}

// signatureVectors are the test vectors of reference §2.3.
var signatureVectors = []struct {
	name   string
	url    string
	params url.Values
	sig    string
	// exact: ComputeSignature(url, params) must equal sig (the vector's URL
	// is the string Twilio signed). Otherwise only validation must accept it.
	exact bool
}{
	{"docs", "https://example.com/myapp.php?foo=1&bar=2", url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675310"}, "Digits": {"1234"},
		"From": {"+14158675310"}, "To": {"+18005551212"},
	}, "L/OH5YylLD5NRKLltdqwSvS0BnU=", true},
	{"sdk U P5", vecU, p5(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
	{"sdk :443", "https://mycompany.com:443/myapp.php?foo=1&bar=2", p5(), "kvajT1Ptam85bY51eRf/AJRuM3w=", true},
	{"sdk :443 validated without port", vecU, p5(), "kvajT1Ptam85bY51eRf/AJRuM3w=", false},
	{"sdk no port validated with :443", "https://mycompany.com:443/myapp.php?foo=1&bar=2", p5(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false},
	{"http :80", "http://mycompany.com:80/myapp.php?foo=1&bar=2", p5(), "0ZXoZLH/DfblKGATFgpif+LLRf4=", true},
	{"http :80 validated without port", "http://mycompany.com/myapp.php?foo=1&bar=2", p5(), "0ZXoZLH/DfblKGATFgpif+LLRf4=", false},
	{"http :1234", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", p5(), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", true},
	{"http no port", "http://mycompany.com/myapp.php?foo=1&bar=2", p5(), "OyGYPqTF6ztdbRNCvuQO/oPvqQ4=", true},
	{"http :1234 signed without port", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", p5(), "OyGYPqTF6ztdbRNCvuQO/oPvqQ4=", false},
	{"Reason sorted by name only", vecU, withParams(p5(), "ReasonConferenceEnded", "test", "Reason", "Participant"), "vOEb5UThFn24KEfnOFLQY2AE5FY=", true},
	{"Reason http", "http://mycompany.com/myapp.php?foo=1&bar=2", withParams(p5(), "ReasonConferenceEnded", "test", "Reason", "Participant"), "n2xBNyzSW7rfYStDtOFiFMv7qNo=", true},
	{"repeated Digits", vecU, url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234", "1234"}}, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", true},
	{"group MMS addresses", vecU, url.Values{"MessagingBinding.Address": {"+1325xxxxxxx", "+1415xxxxxxx"}}, "83O6e2vORAoJHUNzJjDWN1jz+BA=", true},
	{"group MMS addresses reversed", vecU, url.Values{"MessagingBinding.Address": {"+1415xxxxxxx", "+1325xxxxxxx"}}, "83O6e2vORAoJHUNzJjDWN1jz+BA=", true},
	{"bodySHA256 URL", vecU + "&bodySHA256=" + vecHash, nil, "a9nBmqA0ju/hNViExpshrM61xv4=", true},
	{"bodySHA256 only", "https://mycompany.com/myapp.php?bodySHA256=" + vecHash, nil, "y77kIzt2vzLz71DgmJGsen2scGs=", true},
	{"bodySHA256 {} (:443 form)", vecU + "&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", nil, "Ldidvp12m26NI7eqEvxnEpkd9Hc=", false},
	{"form body", vecU, url.Values{"property": {"value"}, "boolean": {"true"}}, "NBdBDr/T/lgjI+tlgpXjKZQZs/k=", true},
	{"user:pass", "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", p5(), "CukzLTc1tT5dXEDIHm/tKBanW10=", true},
	{"user:pass :443", "https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2", p5(), "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=", true},
	{"user:pass :443 validated without port", "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", p5(), "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=", false},
	{"user only", "https://user@mycompany.com/myapp.php?foo=1&bar=2", p5(), "2YRLlVAflCqxaNicjMpJcSTgzSs=", true},
	{"user:pass dropped by Twilio", "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", p5(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false},
	{"apostrophe signed as %27", vecU + "&Body=It's+amazing", p5(), "TfZzewPq8wqrGlMfyAud8+/IvJ0=", false},
	{"apostrophe %27 given", vecU + "&Body=It%27s+amazing", p5(), "TfZzewPq8wqrGlMfyAud8+/IvJ0=", true},
}

func TestSignatureVectors(t *testing.T) {
	for _, v := range signatureVectors {
		t.Run(v.name, func(t *testing.T) {
			if v.exact {
				assert.Equal(t, v.sig, ComputeSignature(vecToken, v.url, v.params))
			} else {
				assert.NotEqual(t, v.sig, ComputeSignature(vecToken, v.url, v.params), "vector should need a URL variant")
			}
			assert.NoError(t, ValidateSignature(vecToken, v.url, v.params, v.sig))
			assert.ErrorIs(t, ValidateSignature("54321", v.url, v.params, v.sig), ErrInvalidSignature)
		})
	}
}

func TestSignatureNegatives(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		params url.Values
		sig    string
	}{
		// Go's validator keeps only the first value of a repeated key; that
		// signature must not validate the full list.
		{"first address only", vecU, url.Values{"MessagingBinding.Address": {"+1325xxxxxxx", "+1415xxxxxxx"}}, "l69Cq2SqrVmDeh6tHafZeu2p7mw="},
		// twilio-go's test value sorts ReasonConferenceEnded before Reason.
		{"twilio-go Reason order", vecU, withParams(p5(), "ReasonConferenceEnded", "test", "Reason", "Participant"), "95+Bu0JVPi0r/SsESZCVf0dWAjw="},
		{"changed param", vecU, withParams(p5(), "Extra", "1"), "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{"changed path", "https://mycompany.com/myapp.php/?foo=1&bar=2", p5(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{"other host", "https://evil.com/myapp.php?foo=1&bar=2", p5(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{"truncated", vecU, p5(), "RSOYDt4T1cUTdK1PDd93/VVr8B8"},
		{"not base64", vecU, p5(), "!!!!!!!!!!!!!!!!!!!!!!!!!!!="},
		{"lower-case", vecU, p5(), "rsoydt4t1cutdk1pdd93/vvr8b8="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, ValidateSignature(vecToken, tc.url, tc.params, tc.sig), ErrInvalidSignature)
		})
	}
	assert.ErrorIs(t, ValidateSignature(vecToken, vecU, p5(), ""), ErrMissingSignature)
	assert.ErrorIs(t, ValidateSignature("", vecU, p5(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="), ErrNoAuthToken)
}

func TestSignatureRepeatedKeysDedupSorted(t *testing.T) {
	a := ComputeSignature(vecToken, vecU, url.Values{"A": {"2", "1", "2"}})
	b := ComputeSignature(vecToken, vecU, url.Values{"A": {"1", "2"}})
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, ComputeSignature(vecToken, vecU, url.Values{"A": {"1"}}))
	// Caller's slice is not reordered.
	params := url.Values{"A": {"b", "a"}}
	ComputeSignature(vecToken, vecU, params)
	assert.Equal(t, []string{"b", "a"}, params["A"])
	// A value equal to an empty string is still signed as its name.
	assert.NotEqual(t, ComputeSignature(vecToken, vecU, nil), ComputeSignature(vecToken, vecU, url.Values{"A": {""}}))
}

func TestSignatureLongValues(t *testing.T) {
	// Values longer than the internal buffer must hash like one string.
	long := strings.Repeat("x", 3*signerBufSize+7)
	params := url.Values{"Body": {long}, "A": {"1"}}
	want := hmacB64(vecToken, vecU+"A1Body"+long)
	assert.Equal(t, want, ComputeSignature(vecToken, vecU, params))
	assert.Equal(t, hmacB64(vecToken, long), ComputeSignature(vecToken, long, nil))
}

func TestSignatureManyKeys(t *testing.T) {
	params := url.Values{}
	s := vecU
	for i := range 50 {
		params.Set(fmt.Sprintf("K%02d", i), "v")
	}
	for i := range 50 {
		s += fmt.Sprintf("K%02dv", i)
	}
	assert.Equal(t, hmacB64(vecToken, s), ComputeSignature(vecToken, vecU, params))
}

func TestSignaturePortsAndIPv6(t *testing.T) {
	params := url.Values{"A": {"1"}}
	tests := []struct{ signed, given string }{
		{"https://[2001:db8::1]/hook", "https://[2001:db8::1]:443/hook"},
		{"https://[2001:db8::1]:443/hook", "https://[2001:db8::1]/hook"},
		{"http://[::1]/hook", "http://[::1]:8080/hook"},
		{"http://[::1]:80/hook?x=1", "http://[::1]/hook?x=1"},
		{"https://u:p@[::1]/hook", "https://u:p@[::1]:443/hook"},
		{"https://[::1]/hook", "https://u:p@[::1]:443/hook"},
		{"https://example.com", "https://example.com:443"},
		{"https://example.com:443?x=1", "https://example.com?x=1"},
	}
	for _, tc := range tests {
		t.Run(tc.given, func(t *testing.T) {
			sig := ComputeSignature(vecToken, tc.signed, params)
			assert.NoError(t, ValidateSignature(vecToken, tc.given, params, sig))
		})
	}
	// A different port is never accepted in place of another.
	sig := ComputeSignature(vecToken, "https://[::1]:8443/hook", params)
	assert.ErrorIs(t, ValidateSignature(vecToken, "https://[::1]:9443/hook", params, sig), ErrInvalidSignature)
	assert.ErrorIs(t, ValidateSignature(vecToken, "https://[::2]:8443/hook", params, sig), ErrInvalidSignature)
}

func TestSplitURL(t *testing.T) {
	tests := []struct {
		in   string
		want urlParts
		ok   bool
	}{
		{"https://h/p?q", urlParts{scheme: "https", host: "h", rest: "/p?q"}, true},
		{"https://u:p@h:1/p", urlParts{scheme: "https", userinfo: "u:p", host: "h", port: "1", rest: "/p"}, true},
		{"http://[fe80::1%25en0]:8080?x", urlParts{scheme: "http", host: "[fe80::1%25en0]", port: "8080", rest: "?x"}, true},
		{"http://a@b@h", urlParts{scheme: "http", userinfo: "a@b", host: "h"}, true},
		{"http://[::1", urlParts{}, false},
		{"http://[::1]x/", urlParts{}, false},
		{"/relative", urlParts{}, false},
		{"://h", urlParts{}, false},
	}
	for _, tc := range tests {
		got, ok := splitURL(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		if ok {
			assert.Equal(t, tc.in, got.String(), "round trip")
		}
	}
}

func TestTokenRotation(t *testing.T) {
	params := p5()
	oldSig := ComputeSignature("old-token", vecU, params)
	newSig := ComputeSignature("new-token", vecU, params)
	rot := WithSecondaryAuthTokens("old-token", "")
	assert.NoError(t, ValidateSignature("new-token", vecU, params, newSig, rot))
	assert.NoError(t, ValidateSignature("new-token", vecU, params, oldSig, rot))
	assert.ErrorIs(t, ValidateSignature("new-token", vecU, params, oldSig), ErrInvalidSignature)
	assert.ErrorIs(t, ValidateSignature("new-token", vecU, params, ComputeSignature("other", vecU, params), rot), ErrInvalidSignature)
	// Secondary tokens alone are enough.
	assert.NoError(t, ValidateSignature("", vecU, params, oldSig, rot))
	// Tokens alternate through the signer cache without mixing up keys.
	for range 5 {
		for _, tok := range []string{"a", "b", "c"} {
			assert.Equal(t, hmacB64(tok, vecU), ComputeSignature(tok, vecU, nil))
		}
	}
}

func TestValidateSignatureBody(t *testing.T) {
	u := vecU + "&bodySHA256=" + vecHash
	sig := "a9nBmqA0ju/hNViExpshrM61xv4="
	assert.NoError(t, ValidateSignatureBody(vecToken, u, []byte(vecBody), sig))
	assert.ErrorIs(t, ValidateSignatureBody(vecToken, u, []byte(vecBody+" "), sig), ErrBodyHashMismatch)
	assert.ErrorIs(t, ValidateSignatureBody(vecToken, u, []byte(vecBody+" "), sig), ErrInvalidSignature)
	assert.ErrorIs(t, ValidateSignatureBody(vecToken, u, []byte(vecBody), "a9nBmqA0ju/hNViExpshrM61xv5="), ErrInvalidSignature)
	// Upper-case hex in the URL is signed as given and still matches.
	up := vecU + "&bodySHA256=" + strings.ToUpper(vecHash)
	assert.NoError(t, ValidateSignatureBody(vecToken, up, []byte(vecBody), ComputeSignature(vecToken, up, nil)))
	// {} body: the vector is the :443 form.
	u2 := vecU + "&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
	assert.NoError(t, ValidateSignatureBody(vecToken, u2, []byte("{}"), "Ldidvp12m26NI7eqEvxnEpkd9Hc="))
	// Form body.
	assert.NoError(t, ValidateSignatureBody(vecToken, vecU, []byte("property=value&boolean=true"), "NBdBDr/T/lgjI+tlgpXjKZQZs/k="))
	assert.ErrorIs(t, ValidateSignatureBody(vecToken, vecU, []byte("property=value&boolean=false"), "NBdBDr/T/lgjI+tlgpXjKZQZs/k="), ErrInvalidSignature)
	assert.ErrorIs(t, ValidateSignatureBody(vecToken, vecU, []byte("a=%zz"), "NBdBDr/T/lgjI+tlgpXjKZQZs/k="), ErrMalformedWebhook)
	assert.ErrorIs(t, ValidateSignatureBody(vecToken, vecU, nil, ""), ErrMissingSignature)
}

func TestValidateRequest(t *testing.T) {
	form := url.Values{"EventType": {"onMessageAdded"}, "Body": {"hi"}, "MessagingBinding.Address": {"+2", "+1"}}
	body := form.Encode()
	newReq := func(target string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		return r
	}
	signed := func(r *http.Request, u string) *http.Request {
		r.Header.Set(SignatureHeader, ComputeSignature(vecToken, u, form))
		return r
	}

	t.Run("direct https", func(t *testing.T) {
		r := signed(newReq("https://example.com/hook?x=1"), "https://example.com/hook?x=1")
		require.NoError(t, ValidateRequest(r, vecToken))
		require.NoError(t, r.ParseForm(), "body is put back for ParseForm")
		assert.Equal(t, "hi", r.PostForm.Get("Body"))
		r = signed(newReq("https://example.com/hook?x=1"), "https://example.com/hook?x=1")
		require.NoError(t, ValidateRequest(r, vecToken))
		got, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		assert.Equal(t, body, string(got), "body is put back")
	})
	t.Run("direct http with port", func(t *testing.T) {
		r := signed(newReq("http://127.0.0.1:3000/hook"), "http://127.0.0.1:3000/hook")
		assert.NoError(t, ValidateRequest(r, vecToken))
	})
	t.Run("scheme mismatch", func(t *testing.T) {
		r := signed(newReq("http://example.com/hook"), "https://example.com/hook")
		assert.ErrorIs(t, ValidateRequest(r, vecToken), ErrInvalidSignature)
	})
	t.Run("raw request URI kept", func(t *testing.T) {
		r := signed(newReq("https://example.com/hook?Body=It%27s+a%2Fb"), "https://example.com/hook?Body=It%27s+a%2Fb")
		assert.NoError(t, ValidateRequest(r, vecToken))
	})
	t.Run("proxy untrusted by default", func(t *testing.T) {
		r := signed(newReq("http://10.0.0.5:8080/hook"), "https://public.example.com/hook")
		r.Header.Set("X-Forwarded-Proto", "https")
		r.Header.Set("X-Forwarded-Host", "public.example.com")
		assert.ErrorIs(t, ValidateRequest(r, vecToken), ErrInvalidSignature)
	})
	t.Run("trusted proxy", func(t *testing.T) {
		r := signed(newReq("http://10.0.0.5:8080/hook"), "https://public.example.com/hook")
		r.Header.Set("X-Forwarded-Proto", "https, http")
		r.Header.Set("X-Forwarded-Host", "public.example.com, 10.0.0.5")
		assert.NoError(t, ValidateRequest(r, vecToken, WithTrustedProxy()))
	})
	t.Run("trusted proxy ignores odd proto", func(t *testing.T) {
		r := signed(newReq("https://example.com/hook"), "https://example.com/hook")
		r.Header.Set("X-Forwarded-Proto", "javascript")
		assert.NoError(t, ValidateRequest(r, vecToken, WithTrustedProxy()))
	})
	t.Run("public URL with prefix", func(t *testing.T) {
		r := signed(newReq("http://localhost:3000/hook?x=1"), "https://example.com/twilio/hook?x=1")
		r.Header.Set("X-Forwarded-Host", "evil.com")
		assert.NoError(t, ValidateRequest(r, vecToken, WithPublicURL("https://example.com/twilio/"), WithTrustedProxy()))
	})
	t.Run("public URL invalid", func(t *testing.T) {
		r := signed(newReq("http://localhost/hook"), "http://localhost/hook")
		assert.Error(t, ValidateRequest(r, vecToken, WithPublicURL("example.com")))
	})
	t.Run("missing signature", func(t *testing.T) {
		assert.ErrorIs(t, ValidateRequest(newReq("https://example.com/hook"), vecToken), ErrMissingSignature)
	})
	t.Run("rotation", func(t *testing.T) {
		r := newReq("https://example.com/hook")
		r.Header.Set(SignatureHeader, ComputeSignature("old", "https://example.com/hook", form))
		assert.NoError(t, ValidateRequest(r, "new", WithSecondaryAuthTokens("old")))
	})
	t.Run("body too large", func(t *testing.T) {
		r := signed(newReq("https://example.com/hook"), "https://example.com/hook")
		assert.ErrorIs(t, ValidateRequest(r, vecToken, WithMaxBodyBytes(10)), ErrBodyTooLarge)
		r = signed(newReq("https://example.com/hook"), "https://example.com/hook")
		r.ContentLength = -1 // unknown length: the cap applies while reading
		assert.ErrorIs(t, ValidateRequest(r, vecToken, WithMaxBodyBytes(10)), ErrBodyTooLarge)
	})
	t.Run("GET signs URL only", func(t *testing.T) {
		u := "https://example.com/hook?EventType=onMessageAdded&Body=hi"
		r := httptest.NewRequest(http.MethodGet, u, nil)
		r.Header.Set(SignatureHeader, ComputeSignature(vecToken, u, nil))
		assert.NoError(t, ValidateRequest(r, vecToken))
	})
	t.Run("JSON body", func(t *testing.T) {
		u := "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + vecHash
		r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(vecBody))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(SignatureHeader, "a9nBmqA0ju/hNViExpshrM61xv4=")
		assert.NoError(t, ValidateRequest(r, vecToken))
		r = httptest.NewRequest(http.MethodPost, u, strings.NewReader(`{"property": "evil"}`))
		r.Header.Set(SignatureHeader, "a9nBmqA0ju/hNViExpshrM61xv4=")
		assert.ErrorIs(t, ValidateRequest(r, vecToken), ErrBodyHashMismatch)
	})
	t.Run("real server behind httptest", func(t *testing.T) {
		var got error
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = ValidateRequest(r, vecToken)
		}))
		defer srv.Close()
		req, err := NewSignedWebhookRequest(vecToken, srv.URL+"/hook?a=b", form)
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.NoError(t, got)
	})
}

func TestNewSignedWebhookRequest(t *testing.T) {
	form := url.Values{"EventType": {"onMessageAdded"}, "Body": {"x"}}
	r, err := NewSignedWebhookRequest(vecToken, "https://user:pass@example.com/hook", form)
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "application/x-www-form-urlencoded; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Equal(t, ComputeSignature(vecToken, "https://example.com/hook", form), r.Header.Get(SignatureHeader))
	assert.NotNil(t, r.TLS)
	assert.NoError(t, ValidateRequest(r, vecToken))
	_, err = NewSignedWebhookRequest(vecToken, "://bad", form)
	assert.Error(t, err)
}

func TestComputeSignatureMatchesManual(t *testing.T) {
	form := url.Values{"b": {"2"}, "a": {"1"}, "ab": {"3"}}
	assert.Equal(t, hmacB64("tok", "https://x/ya1ab3b2"), ComputeSignature("tok", "https://x/y", form))
	h := sha256.Sum256([]byte("{}"))
	assert.Equal(t, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", hex.EncodeToString(h[:]))
}

func TestWhatwgEncode(t *testing.T) {
	assert.Equal(t, "https://h/p?q=It%27s", whatwgEncode("https://h/p?q=It's"))
	assert.Equal(t, "https://h/a%20b'?q=%22%3C%3E", whatwgEncode("https://h/a b'?q=\"<>"))
	assert.Equal(t, "https://h/%7B%7D?q=%C3%A9#frag'", whatwgEncode("https://h/{}?q=é#frag'"))
	assert.Equal(t, "https://h/p?q=1", whatwgEncode("https://h/p?q=1"))
	assert.Equal(t, "nourl'", whatwgEncode("nourl'"))
}

func TestReadBodyError(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "https://example.com/", io.NopCloser(errReader{}))
	r.Header.Set(SignatureHeader, "x")
	err := ValidateRequest(r, vecToken)
	require.Error(t, err)
	assert.True(t, errors.Is(err, errBoom))
}

var errBoom = errors.New("boom")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBoom }

func hmacB64(token, s string) string {
	// Independent of the signer: one Write of the whole string.
	return bareSign([]byte(token), []byte(s))
}

// bareSign is the baseline HMAC-SHA1 + Base64 with no reuse.
func bareSign(key, msg []byte) string {
	mac := hmac.New(sha1.New, key)
	mac.Write(msg)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
