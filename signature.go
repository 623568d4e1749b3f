package conversations

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"slices"
	"strings"
	"sync"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// SignatureHeader is the HTTP header that carries Twilio's webhook signature.
const SignatureHeader = "X-Twilio-Signature"

// Sentinel errors of webhook signature validation, for errors.Is.
var (
	// ErrMissingSignature means the request has no X-Twilio-Signature.
	ErrMissingSignature = errors.New("conversations: missing X-Twilio-Signature")
	// ErrInvalidSignature means the signature does not match the URL and
	// parameters under any accepted auth token.
	ErrInvalidSignature = errors.New("conversations: invalid X-Twilio-Signature")
	// ErrBodyHashMismatch means a JSON body does not match the bodySHA256
	// query parameter that Twilio signed. It wraps ErrInvalidSignature.
	ErrBodyHashMismatch = fmt.Errorf("%w: body does not match bodySHA256", ErrInvalidSignature)
	// ErrBodyTooLarge means the request body is larger than the configured cap.
	ErrBodyTooLarge = errors.New("conversations: webhook body too large")
	// ErrNoAuthToken means no non-empty auth token was given to validate with.
	ErrNoAuthToken = errors.New("conversations: no auth token to validate the webhook with")
)

// sigLen is the length of a Base64-encoded HMAC-SHA1.
const sigLen = 28

// ComputeSignature returns the X-Twilio-Signature that Twilio sends for a
// webhook request to rawURL with the given form parameters, signed with
// authToken: HMAC-SHA1 over the full URL followed by each parameter name and
// value, names in byte order; every value of a repeated name is kept,
// deduplicated and sorted; the result is standard padded Base64.
//
// For GET webhooks and JSON bodies pass nil params: the URL alone is signed.
func ComputeSignature(authToken, rawURL string, params url.Values) string {
	s := getSigner()
	var out [sigLen]byte
	s.sign(authToken, rawURL, params, &out)
	putSigner(s)
	return string(out[:])
}

// ValidateSignature checks signature (the X-Twilio-Signature header) against
// the URL Twilio called and the form parameters it posted. It returns nil when
// the signature matches, [ErrMissingSignature] when signature is empty and
// [ErrInvalidSignature] otherwise. The comparison is constant-time.
//
// The URL is tried as given first, then, only if that fails, with the
// scheme's default port added (or any port removed), without user:pass@, and
// with the query percent-encoded the way Twilio's signer encodes it (for
// example ' as %27), because Twilio's and proxies' handling of these differ.
// IPv6 hosts such as https://[::1]:8443/ are handled.
//
// Of opts only [WithSecondaryAuthTokens] applies: every listed token is
// accepted too, for auth token rotation.
//
// ValidateSignature does not check a JSON body against the bodySHA256 query
// parameter; use [ValidateSignatureBody] or [ValidateRequest] for that.
func ValidateSignature(authToken, rawURL string, params url.Values, signature string, opts ...WebhookOption) error {
	var extra []string
	if len(opts) > 0 {
		extra = newWebhookConfig(opts).tokens
	}
	return validateSignature(authToken, extra, rawURL, params, signature)
}

// ValidateSignatureBody validates a webhook from its raw body. When rawURL
// carries a bodySHA256 query parameter (Twilio's JSON webhooks), the URL is
// validated with no parameters and the lowercase hex SHA-256 of body must
// equal that parameter ([ErrBodyHashMismatch] if not); both comparisons are
// constant-time. Otherwise body is parsed as a form and validated as by
// [ValidateSignature].
func ValidateSignatureBody(authToken, rawURL string, body []byte, signature string, opts ...WebhookOption) error {
	cfg := newWebhookConfig(opts)
	_, err := cfg.validateBody(authToken, rawURL, body, signature)
	return err
}

// validate checks signature against every accepted token and URL variant.
func (c *webhookConfig) validate(authToken, rawURL string, params url.Values, signature string) error {
	return validateSignature(authToken, c.tokens, rawURL, params, signature)
}

// validateSignature checks signature against authToken and extra, for every
// URL variant.
func validateSignature(authToken string, extra []string, rawURL string, params url.Values, signature string) error {
	if signature == "" {
		return ErrMissingSignature
	}
	if authToken == "" && len(extra) == 0 {
		return ErrNoAuthToken
	}
	if len(signature) != sigLen {
		return ErrInvalidSignature
	}
	s := getSigner()
	defer putSigner(s)
	ok := false
	forEachURLVariant(rawURL, func(u string) bool {
		ok = s.matchAny(authToken, extra, u, params, signature)
		return !ok
	})
	if !ok {
		return ErrInvalidSignature
	}
	return nil
}

// validateBody validates a raw body and returns the parsed form (nil for a
// JSON body).
func (c *webhookConfig) validateBody(authToken, rawURL string, body []byte, signature string) (url.Values, error) {
	if want, ok := bodyHashParam(rawURL); ok {
		if err := c.validate(authToken, rawURL, nil, signature); err != nil {
			return nil, err
		}
		var got [2 * sha256.Size]byte
		sum := sha256.Sum256(body)
		hex.Encode(got[:], sum[:])
		if subtle.ConstantTimeCompare(got[:], []byte(strings.ToLower(want))) != 1 {
			return nil, ErrBodyHashMismatch
		}
		return nil, nil
	}
	if signature == "" {
		return nil, ErrMissingSignature
	}
	form, err := formparse.Parse(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: malformed form body: %v", ErrMalformedWebhook, err)
	}
	return form, c.validate(authToken, rawURL, form, signature)
}

// bodyHashParam returns the bodySHA256 query parameter of rawURL.
func bodyHashParam(rawURL string) (string, bool) {
	if !strings.Contains(rawURL, "bodySHA256=") {
		return "", false
	}
	_, q, _ := strings.Cut(rawURL, "?")
	q, _, _ = strings.Cut(q, "#")
	vals, _ := formparse.Parse(q)
	h, ok := vals["bodySHA256"]
	if !ok || len(h) == 0 {
		return "", false
	}
	return h[0], true
}

// signer holds the reusable state of one signature computation: cached
// HMACs keyed by token (so the key schedule is not redone per request), a
// write buffer (so strings reach the hash without per-write conversions),
// and scratch slices for sorting. Signers are pooled.
type signer struct {
	macs    [2]tokenMAC
	next    int
	buf     []byte
	pairs   []param
	scratch []string
	sum     [sha1.Size]byte
}

type param struct {
	key  string
	vals []string
}

type tokenMAC struct {
	token string
	mac   hash.Hash
}

const signerBufSize = 2048

var signerPool = sync.Pool{New: func() any {
	return &signer{buf: make([]byte, 0, signerBufSize)}
}}

func getSigner() *signer { return signerPool.Get().(*signer) }

func putSigner(s *signer) {
	clear(s.pairs[:cap(s.pairs)])
	clear(s.scratch[:cap(s.scratch)])
	s.pairs, s.scratch = s.pairs[:0], s.scratch[:0]
	signerPool.Put(s)
}

// macFor returns a reset HMAC-SHA1 keyed with token.
func (s *signer) macFor(token string) hash.Hash {
	for i := range s.macs {
		if m := &s.macs[i]; m.mac != nil && m.token == token {
			m.mac.Reset()
			return m.mac
		}
	}
	m := &s.macs[s.next]
	s.next = (s.next + 1) % len(s.macs)
	m.token = token
	m.mac = hmac.New(sha1.New, []byte(token))
	return m.mac
}

// sign writes the Base64 signature of rawURL and params into out.
func (s *signer) sign(token, rawURL string, params url.Values, out *[sigLen]byte) {
	mac := s.macFor(token)
	s.writeSigned(mac, rawURL, params)
	base64.StdEncoding.Encode(out[:], mac.Sum(s.sum[:0]))
}

// matchAny reports whether signature matches rawURL and params under token or
// any of extra.
func (s *signer) matchAny(token string, extra []string, rawURL string, params url.Values, signature string) bool {
	var out [sigLen]byte
	if token != "" {
		s.sign(token, rawURL, params, &out)
		if hmac.Equal(out[:], []byte(signature)) {
			return true
		}
	}
	for _, t := range extra {
		s.sign(t, rawURL, params, &out)
		if hmac.Equal(out[:], []byte(signature)) {
			return true
		}
	}
	return false
}

// writeSigned writes the string Twilio signs into mac: the URL, then the
// sorted parameter names each followed by their sorted, deduplicated values.
func (s *signer) writeSigned(mac hash.Hash, rawURL string, params url.Values) {
	s.buf = s.buf[:0]
	s.write(mac, rawURL)
	if len(params) > 0 {
		pairs := s.pairs[:0]
		for k, vs := range params {
			pairs = append(pairs, param{k, vs})
		}
		sortParams(pairs)
		for _, p := range pairs {
			vals := p.vals
			if len(vals) > 1 && !slices.IsSorted(vals) {
				s.scratch = append(s.scratch[:0], vals...)
				vals = s.scratch
				slices.Sort(vals)
			}
			for i, v := range vals {
				if i > 0 && v == vals[i-1] {
					continue
				}
				s.write(mac, p.key)
				s.write(mac, v)
			}
		}
		s.pairs = pairs
	}
	if len(s.buf) > 0 {
		mac.Write(s.buf)
		s.buf = s.buf[:0]
	}
}

// sortParams sorts params by key in byte order: an insertion sort for the
// dozen or so keys of a webhook, which beats a general sort at that size.
func sortParams(p []param) {
	if len(p) > 32 {
		slices.SortFunc(p, func(a, b param) int { return strings.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(p); i++ {
		x := p[i]
		j := i
		for j > 0 && x.key < p[j-1].key {
			p[j] = p[j-1]
			j--
		}
		p[j] = x
	}
}

// write buffers str, flushing the buffer into mac when it is full.
func (s *signer) write(mac hash.Hash, str string) {
	for len(str) > 0 {
		if len(s.buf) == cap(s.buf) {
			mac.Write(s.buf)
			s.buf = s.buf[:0]
		}
		n := min(len(str), cap(s.buf)-len(s.buf))
		s.buf = append(s.buf, str[:n]...)
		str = str[n:]
	}
}

// forEachURLVariant calls try with rawURL and then, lazily and without
// repeats, the variants Twilio may have signed instead, until try returns
// false: default port added or port removed, user:pass@ removed, and the
// WHATWG-normalised encoding. At most 8 URLs are tried.
func forEachURLVariant(rawURL string, try func(string) bool) {
	if !try(rawURL) {
		return
	}
	var seen [8]string
	n := 0
	seen[n] = rawURL
	n++
	attempt := func(u string) bool {
		if slices.Contains(seen[:n], u) {
			return true
		}
		if n < len(seen) {
			seen[n] = u
			n++
		}
		return try(u)
	}
	p, ok := splitURL(rawURL)
	if !ok {
		if enc := whatwgEncode(rawURL); enc != rawURL {
			attempt(enc)
		}
		return
	}
	bases := []urlParts{p}
	if p.userinfo != "" {
		q := p
		q.userinfo = ""
		bases = append(bases, q)
	}
	for _, b := range bases {
		for _, v := range [2]string{b.String(), b.togglePort().String()} {
			if !attempt(v) {
				return
			}
			if enc := whatwgEncode(v); enc != v && !attempt(enc) {
				return
			}
		}
	}
}

// urlParts is an absolute URL split without any re-encoding.
type urlParts struct {
	scheme   string // lower case, without "://"
	userinfo string // without "@"
	host     string // hostname; IPv6 literals keep their brackets
	port     string // without ":"
	rest     string // path, query and fragment, as given
}

// splitURL splits an absolute http(s)-style URL into parts, keeping every
// byte as given.
func splitURL(raw string) (urlParts, bool) {
	scheme, after, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" || strings.ContainsAny(scheme, "/?#") {
		return urlParts{}, false
	}
	var p urlParts
	p.scheme = scheme
	end := strings.IndexAny(after, "/?#")
	if end < 0 {
		end = len(after)
	}
	authority := after[:end]
	p.rest = after[end:]
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		p.userinfo, authority = authority[:i], authority[i+1:]
	}
	if strings.HasPrefix(authority, "[") {
		i := strings.IndexByte(authority, ']')
		if i < 0 {
			return urlParts{}, false
		}
		p.host = authority[:i+1]
		tail := authority[i+1:]
		if tail != "" {
			if tail[0] != ':' {
				return urlParts{}, false
			}
			p.port = tail[1:]
		}
	} else if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		p.host, p.port = authority[:i], authority[i+1:]
	} else {
		p.host = authority
	}
	return p, true
}

// String joins the parts back into a URL.
func (p urlParts) String() string {
	var b strings.Builder
	b.Grow(len(p.scheme) + len(p.userinfo) + len(p.host) + len(p.port) + len(p.rest) + 5)
	b.WriteString(p.scheme)
	b.WriteString("://")
	if p.userinfo != "" {
		b.WriteString(p.userinfo)
		b.WriteByte('@')
	}
	b.WriteString(p.host)
	if p.port != "" {
		b.WriteByte(':')
		b.WriteString(p.port)
	}
	b.WriteString(p.rest)
	return b.String()
}

// togglePort removes the port if there is one, or else adds the scheme's
// default port (for http and https).
func (p urlParts) togglePort() urlParts {
	if p.port != "" {
		p.port = ""
		return p
	}
	switch strings.ToLower(p.scheme) {
	case "https":
		p.port = "443"
	case "http":
		p.port = "80"
	}
	return p
}

// whatwgEncode percent-encodes the bytes of the path and query that a WHATWG
// URL parser (as used by Twilio's signer and its Node SDK) encodes: controls,
// space, non-ASCII, " < > and, in the path, ` { }, in the query, '.
func whatwgEncode(raw string) string {
	const hexDigits = "0123456789ABCDEF"
	start := strings.Index(raw, "://")
	if start < 0 {
		return raw
	}
	slash := strings.IndexAny(raw[start+3:], "/?#")
	if slash < 0 {
		return raw
	}
	slash += start + 3
	var b []byte
	inQuery := false
	for i := slash; i < len(raw); i++ {
		c := raw[i]
		if c == '#' {
			if b != nil {
				b = append(b, raw[i:]...)
			}
			break
		}
		if c == '?' && !inQuery {
			inQuery = true
		}
		enc := c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>'
		if inQuery {
			enc = enc || c == '\''
		} else {
			enc = enc || c == '`' || c == '{' || c == '}'
		}
		if enc && b == nil {
			b = append(make([]byte, 0, len(raw)+16), raw[:i]...)
		}
		if b == nil {
			continue
		}
		if enc {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		} else {
			b = append(b, c)
		}
	}
	if b == nil {
		return raw
	}
	return string(b)
}
