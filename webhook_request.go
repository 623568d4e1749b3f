package conversations

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// DefaultMaxWebhookBody is the default cap on a webhook body: 1 MiB.
const DefaultMaxWebhookBody = 1 << 20

// ErrMalformedWebhook is wrapped by errors about a webhook request or form
// that cannot be read: a bad form encoding, a missing EventType, or a field
// that does not parse (see [WebhookFieldError]).
var ErrMalformedWebhook = errors.New("conversations: malformed webhook")

// WebhookOption configures [ValidateRequest], [ValidateSignature],
// [ValidateSignatureBody] and [NewWebhookHandler]. Options that do not apply
// to a function are ignored by it.
type WebhookOption func(*webhookConfig)

type webhookConfig struct {
	tokens       []string
	publicURL    string
	trustProxy   bool
	maxBody      int64
	dupes        DuplicateFilter
	preTimeout   time.Duration
	preOnTimeout Decision
	logger       *slog.Logger
	tel          Telemetry
	err          error // the first invalid option's error
}

// fail records an invalid option's error; the first one is kept.
func (c *webhookConfig) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func newWebhookConfig(opts []WebhookOption) *webhookConfig {
	c := &webhookConfig{maxBody: DefaultMaxWebhookBody, preTimeout: DefaultPreEventTimeout}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// WithSecondaryAuthTokens accepts signatures made with any of tokens as well
// as with the primary auth token, so that an auth token can be rotated
// without dropping webhooks. Empty tokens are ignored.
func WithSecondaryAuthTokens(tokens ...string) WebhookOption {
	return func(c *webhookConfig) {
		for _, t := range tokens {
			if t != "" {
				c.tokens = append(c.tokens, t)
			}
		}
	}
}

// WithPublicURL rebuilds the URL Twilio called from a fixed public base URL,
// such as "https://example.com" or "https://example.com/twilio", followed by
// the request's path and query. Use it behind a proxy or tunnel that changes
// the Host, scheme or path prefix. It takes precedence over
// [WithTrustedProxy].
func WithPublicURL(baseURL string) WebhookOption {
	return func(c *webhookConfig) {
		u, err := url.Parse(baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			c.fail(fmt.Errorf("conversations: WithPublicURL: %q is not an absolute http(s) URL without query", baseURL))
			return
		}
		c.publicURL = strings.TrimSuffix(baseURL, "/")
	}
}

// WithTrustedProxy takes the scheme from X-Forwarded-Proto and the host from
// X-Forwarded-Host (their first values) when rebuilding the URL Twilio
// called. Use it only behind a proxy that sets or overwrites these headers:
// otherwise a client chooses the URL that is validated.
func WithTrustedProxy() WebhookOption {
	return func(c *webhookConfig) { c.trustProxy = true }
}

// WithMaxBodyBytes caps the webhook body that is read; a larger body fails
// with [ErrBodyTooLarge] (413 from [WebhookHandler]). The default is
// [DefaultMaxWebhookBody]; n <= 0 keeps the default.
func WithMaxBodyBytes(n int64) WebhookOption {
	return func(c *webhookConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// ValidateRequest validates the X-Twilio-Signature of a webhook request.
//
// The URL Twilio called is rebuilt from the request: scheme "https" when
// r.TLS is set, else "http"; the Host header; the request URI as received.
// [WithPublicURL] and [WithTrustedProxy] change this for deployments behind
// proxies. For a POST the body is read (at most the [WithMaxBodyBytes] cap)
// and put back, so handlers can read it again; a form body is validated as
// its parameters, and a JSON body through the bodySHA256 query parameter. A
// GET is validated on its URL alone. [WithSecondaryAuthTokens] adds tokens
// accepted during rotation.
//
// Errors match [ErrMissingSignature], [ErrInvalidSignature] (including
// [ErrBodyHashMismatch]), [ErrBodyTooLarge], [ErrMalformedWebhook] or
// [ErrNoAuthToken] with errors.Is.
func ValidateRequest(r *http.Request, authToken string, opts ...WebhookOption) error {
	_, err := newWebhookConfig(opts).validateRequest(r, authToken)
	return err
}

// validateRequest validates r and returns its parameters: the parsed form
// body of a POST, the query of a GET, or nil for a JSON body.
func (c *webhookConfig) validateRequest(r *http.Request, authToken string) (url.Values, error) {
	if c.err != nil {
		return nil, c.err
	}
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		return nil, ErrMissingSignature
	}
	rawURL := c.requestURL(r)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if err := c.validate(authToken, rawURL, nil, sig); err != nil {
			return nil, err
		}
		return formparse.Query(r.URL), nil
	}
	body, err := readBody(r, c.maxBody)
	if err != nil {
		return nil, err
	}
	return c.validateBody(authToken, rawURL, body, sig)
}

// readBody reads at most max bytes of r.Body and puts the bytes back.
func readBody(r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > max {
		return nil, ErrBodyTooLarge
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, max+1))
	r.Body.Close()
	body := buf.Bytes()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("conversations: reading webhook body: %w", err)
	}
	if int64(len(body)) > max {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

// requestURL rebuilds the URL Twilio called.
func (c *webhookConfig) requestURL(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" || uri[0] != '/' {
		uri = r.URL.RequestURI()
	}
	if c.publicURL != "" {
		return c.publicURL + uri
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if host == "" {
		host = r.URL.Host
	}
	if c.trustProxy {
		if p := firstHeaderValue(r.Header.Get("X-Forwarded-Proto")); p != "" {
			if p = strings.ToLower(p); p == "http" || p == "https" {
				scheme = p
			}
		}
		if h := firstHeaderValue(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
	}
	return scheme + "://" + host + uri
}

// firstHeaderValue returns the first comma-separated element of v, trimmed.
func firstHeaderValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// NewSignedWebhookRequest builds a POST of form to rawURL signed with
// authToken as Twilio would sign it, for tests of webhook handlers: serve it
// with handler.ServeHTTP, or send it with an http.Client to a test server.
// Build form from an event with [EncodeEvent]. The request has the form
// Content-Type and X-Twilio-Signature headers; set I-Twilio-Idempotency-Token
// yourself if the test needs it. For an https URL, r.TLS is set so that
// [ValidateRequest] rebuilds the same URL when the request is served directly.
func NewSignedWebhookRequest(authToken, rawURL string, form url.Values) (*http.Request, error) {
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("conversations: NewSignedWebhookRequest: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	signed := rawURL
	if p, ok := splitURL(rawURL); ok && p.userinfo != "" {
		p.userinfo = "" // Twilio drops user:pass@ before signing
		signed = p.String()
	}
	req.Header.Set(SignatureHeader, ComputeSignature(authToken, signed, form))
	if req.URL.Scheme == "https" {
		req.TLS = &tls.ConnectionState{HandshakeComplete: true}
	}
	return req, nil
}
