package conversations

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"
)

// ErrEmptyParameter is returned (wrapped, naming the parameter) when a
// required path parameter such as a SID is empty. No request is sent.
var ErrEmptyParameter = errors.New("conversations: empty required parameter")

// ErrForeignRedirect is returned (wrapped in a [RequestError]) when the API
// host redirects to another host or scheme: the redirect is not followed,
// so credentials never leave the API host, and the request is not retried.
var ErrForeignRedirect = errors.New("conversations: redirect to another host")

// redirectError marks a refused redirect: it is not retried, since the same
// redirect would come again.
type redirectError struct{ err error }

func (e redirectError) Error() string { return e.err.Error() }
func (e redirectError) Unwrap() error { return e.err }

// core is the request pipeline shared by every service: it builds, sends,
// retries and decodes requests.
type core struct {
	hc         *http.Client
	anon       *http.Client // for pre-signed URLs: no credentials, the caller's redirect policy
	base       *url.URL
	baseURL    string // scheme://host[:port], no trailing slash
	media      *url.URL
	mediaURL   string // the Media Content Service's base URL, like baseURL
	accountSID string
	auth       string // the Authorization header value
	userAgent  string
	retry      RetryPolicy
	logger     *slog.Logger
}

func newCore(cfg *config, base, media *url.URL, accountSID, user, pass string) (*core, error) {
	var hc http.Client
	if cfg.httpClient != nil {
		hc = *cfg.httpClient // a copy: the caller's client is never modified
	}
	anon := hc // before the credential check below
	userCheck := hc.CheckRedirect
	apiHost := base.Host
	trusted := func(u *url.URL) bool {
		return u.Host == apiHost && u.Scheme == base.Scheme || u.Host == media.Host && u.Scheme == media.Scheme
	}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !trusted(req.URL) {
			return redirectError{fmt.Errorf("%w: refusing redirect to %s://%s: credentials go only to %s and %s", ErrForeignRedirect, req.URL.Scheme, req.URL.Host, apiHost, media.Host)}
		}
		if userCheck != nil {
			if err := userCheck(req, via); err != nil {
				if err == http.ErrUseLastResponse {
					return err
				}
				return redirectError{err}
			}
			return nil
		}
		if len(via) >= 5 {
			return redirectError{errors.New("conversations: stopped after 5 redirects")}
		}
		return nil
	}
	b := *base
	b.Path, b.RawPath, b.RawQuery, b.Fragment = "", "", "", ""
	m := *media
	m.Path, m.RawPath, m.RawQuery, m.Fragment = "", "", "", ""
	return &core{
		hc:         &hc,
		anon:       &anon,
		base:       &b,
		baseURL:    b.String(),
		media:      &m,
		mediaURL:   m.String(),
		accountSID: accountSID,
		auth:       "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)),
		userAgent:  userAgent(cfg.userAgent),
		retry:      cfg.retry,
		logger:     cfg.logger,
	}, nil
}

// validator is implemented by params that check themselves before sending.
type validator interface{ validate() error }

// webhookParams is implemented by params that carry X-Twilio-Webhook-Enabled.
type webhookParams interface{ webhookEnabled() bool }

// endpoint expands a path template such as "Conversations/{Sid}/Messages"
// with args, escaping each one and rejecting empty ones by name. It returns
// the path below the base URL, with the scope's prefix: /v1/[Services/IS.../]...
func (s *service) endpoint(tmpl string, args ...string) (string, error) {
	if s.err != nil {
		return "", s.err
	}
	var b strings.Builder
	b.Grow(len("/v1/") + len(s.prefix) + len(tmpl) + 34*len(args))
	b.WriteString("/v1/")
	b.WriteString(s.prefix)
	n := 0
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}') + i
		name := tmpl[i+1 : j]
		if n >= len(args) {
			return "", fmt.Errorf("conversations: missing path parameter %s", name)
		}
		if args[n] == "" {
			return "", fmt.Errorf("%w: %s", ErrEmptyParameter, name)
		}
		if err := checkSegment(name, args[n]); err != nil {
			return "", err
		}
		b.WriteString(tmpl[:i])
		b.WriteString(url.PathEscape(args[n]))
		tmpl = tmpl[j+1:]
		n++
	}
	return b.String(), nil
}

// checkSegment rejects the path arguments "." and "..": path escaping
// leaves them as they are, and servers and proxies resolve them, so that
// Participants.Delete(ctx, sid, "..") would delete the conversation itself.
func checkSegment(name, arg string) error {
	if arg == "." || arg == ".." {
		return fmt.Errorf("conversations: invalid %s %q: not a SID or name", name, arg)
	}
	return nil
}

// encodeParams validates params and encodes them as form or query values
// with go-querystring, plus the X-Twilio-Webhook-Enabled header when set.
// params may be nil or a nil pointer.
func encodeParams(params any) (url.Values, bool, error) {
	if params == nil {
		return nil, false, nil
	}
	if v, ok := params.(validator); ok {
		if err := v.validate(); err != nil {
			return nil, false, err
		}
	}
	vals, err := query.Values(params)
	if err != nil {
		return nil, false, fmt.Errorf("conversations: encoding parameters: %w", err)
	}
	hook := false
	if w, ok := params.(webhookParams); ok {
		hook = w.webhookEnabled()
	}
	return vals, hook, nil
}

// call performs one operation: it expands the path, encodes params (as the
// form body of a POST, the query of a GET) and decodes the response into out.
func (s *service) call(ctx context.Context, method, tmpl string, params, out any, args ...string) error {
	path, err := s.endpoint(tmpl, args...)
	if err != nil {
		return err
	}
	vals, hook, err := encodeParams(params)
	if err != nil {
		return err
	}
	u := s.core.baseURL + path
	var body string
	if method == http.MethodPost {
		body = vals.Encode()
	} else if len(vals) > 0 {
		u += "?" + vals.Encode()
	}
	return s.core.do(ctx, method, u, body, hook, out)
}

// doCall is call for operations that return a resource.
func doCall[T any](ctx context.Context, s *service, method, tmpl string, params any, args ...string) (*T, error) {
	out := new(T)
	if err := s.call(ctx, method, tmpl, params, out, args...); err != nil {
		return nil, err
	}
	return out, nil
}

// jsonDecoder is implemented by response types that decode themselves from
// the stream, such as list pages.
type jsonDecoder interface{ decodeJSON(dec *json.Decoder) error }

// do sends a request to rawURL (on the API or MCS host) with retries, and
// decodes a 2xx JSON response into out (nil to discard it).
func (c *core) do(ctx context.Context, method, rawURL, body string, webhook bool, out any) error {
	return c.doRequest(ctx, &request{method: method, url: rawURL, form: body, webhook: webhook}, out)
}

// request is one API call for doRequest: a form body (the default), or a raw
// body with its own content type, such as a media upload.
type request struct {
	method  string
	url     string
	form    string // the form body of a POST; unused when body is set
	webhook bool   // send X-Twilio-Webhook-Enabled: true

	// body is a raw body, sent with contentType instead of the form. It is
	// retried (by the usual rules) only when it is an io.Seeker, rewound to
	// where it started; otherwise the first attempt is the only one.
	body        io.Reader
	contentType string
	size        int64             // body's length (also sent as Content-Size); <= 0: unknown, or found by seeking
	header      map[string]string // extra headers

	// anonymous sends no credentials, through a client that follows any
	// redirect: for pre-signed URLs on other hosts. Their query is left out
	// of errors and logs.
	anonymous bool
}

// rawResponse, as the out of doRequest, receives the body of a 2xx response
// unread; the caller closes it.
type rawResponse struct {
	body   io.ReadCloser
	header http.Header
}

// path is the request's path for errors and logs.
func (r *request) path() string {
	p := pathOf(r.url)
	if r.anonymous {
		p = withoutQuery(p)
	}
	return p
}

// doRequest sends r with retries and decodes a 2xx response into out: JSON
// for a struct, the unread body for a *rawResponse, nothing for nil.
func (c *core) doRequest(ctx context.Context, r *request, out any) error {
	if ctx == nil {
		return errors.New("conversations: nil Context")
	}
	method, path := r.method, r.path()
	// A raw body can be sent again only if it can be rewound.
	rewindable, origin := false, int64(0)
	if s, ok := r.body.(io.Seeker); ok {
		if off, err := s.Seek(0, io.SeekCurrent); err == nil {
			rewindable, origin = true, off
			if r.size <= 0 {
				if end, err := s.Seek(0, io.SeekEnd); err == nil {
					r.size = end - origin
				}
				if _, err := s.Seek(origin, io.SeekStart); err != nil {
					return fmt.Errorf("conversations: rewinding the request body: %w", err)
				}
			}
		}
	}
	// applied: an earlier attempt may have been applied although it failed
	// (a 5xx, or a connection broken after the request was sent).
	applied := false
	for attempt := 1; ; attempt++ {
		var guard *guardedBody
		if r.body != nil {
			if attempt > 1 {
				if _, err := r.body.(io.Seeker).Seek(origin, io.SeekStart); err != nil {
					return &RequestError{Method: method, Path: path, Err: fmt.Errorf("rewinding the request body: %w", err)}
				}
			}
			guard = &guardedBody{r: r.body}
		}
		canRetry := func(delay time.Duration, ok bool) (time.Duration, bool) {
			if ok && guard != nil {
				if !rewindable {
					return 0, false
				}
				// The transport may still read the body in the background:
				// cut it off before rewinding it.
				guard.detach()
			}
			return delay, ok
		}
		start := time.Now()
		resp, err := c.send(ctx, r, guard)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err = &RequestError{Method: method, Path: path, Err: err}
			delay, ok := canRetry(c.retry.next(attempt, method, 0, err, 0))
			c.logAttempt(ctx, method, path, attempt, 0, "", start, ok)
			if !ok {
				return err
			}
			applied = applied || !notSent(err)
			if werr := c.wait(ctx, delay, err); werr != nil {
				return werr
			}
			continue
		}
		reqID := resp.Header.Get("Twilio-Request-Id")
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if raw, ok := out.(*rawResponse); ok {
				c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, false)
				raw.body, raw.header = resp.Body, resp.Header
				return nil
			}
			err := decodeBody(resp, out)
			if err == nil {
				c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, false)
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rerr := &RequestError{Method: method, Path: path, Status: resp.StatusCode, RequestID: reqID, Err: fmt.Errorf("decoding response: %w", err)}
			// A body cut short (the connection broke, or it ended in
			// mid-value) is retried like a connection failure: for an
			// idempotent request only. A body that arrived whole but is not
			// what was expected is not retried.
			delay, ok := time.Duration(0), false
			if cutShort(err) {
				delay, ok = canRetry(c.retry.next(attempt, method, 0, err, 0))
			}
			c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, ok)
			if !ok {
				return rerr
			}
			applied = true
			if werr := c.wait(ctx, delay, rerr); werr != nil {
				return werr
			}
			continue
		}
		apiErr := readError(resp, method, path)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if applied && method == http.MethodDelete && resp.StatusCode == http.StatusNotFound && out == nil {
			// An earlier attempt deleted it: the caller's goal is reached.
			c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, false)
			return nil
		}
		delay, ok := canRetry(c.retry.next(attempt, method, resp.StatusCode, nil, apiErr.RetryAfter))
		c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, ok)
		if !ok {
			return apiErr
		}
		applied = applied || resp.StatusCode >= 500
		if werr := c.wait(ctx, delay, apiErr); werr != nil {
			return werr
		}
	}
}

// send makes one attempt. body is r.body behind its guard, or nil.
func (c *core) send(ctx context.Context, r *request, body *guardedBody) (*http.Response, error) {
	var rd io.Reader
	switch {
	case body != nil:
		rd = body
	case r.form != "":
		rd = strings.NewReader(r.form)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, rd)
	if err != nil {
		return nil, r.redact(err)
	}
	h := req.Header
	if !r.anonymous {
		h["Authorization"] = []string{c.auth}
	}
	h["User-Agent"] = []string{c.userAgent}
	h["Accept"] = []string{"application/json"}
	switch {
	case body != nil:
		h["Content-Type"] = []string{r.contentType}
		if r.size > 0 {
			req.ContentLength = r.size
			// The Media Content Service documents this header with the size.
			h["Content-Size"] = []string{strconv.FormatInt(r.size, 10)}
		}
		req.GetBody = nil // a redirect cannot replay it
	case r.method == http.MethodPost:
		h["Content-Type"] = []string{"application/x-www-form-urlencoded"}
	}
	for k, v := range r.header {
		h.Set(k, v)
	}
	if r.webhook {
		h["X-Twilio-Webhook-Enabled"] = []string{"true"}
	}
	if r.anonymous {
		resp, err := c.anon.Do(req)
		return resp, r.redact(err)
	}
	return c.hc.Do(req)
}

// redact removes the query (and fragment) from the URLs that the errors of
// an anonymous request carry: Go's *url.Error holds the whole URL, and the
// query of a pre-signed URL is its signature.
func (r *request) redact(err error) error {
	if err == nil || !r.anonymous {
		return err
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ue, ok := e.(*url.Error); ok {
			ue.URL = withoutQuery(ue.URL)
		}
	}
	return err
}

// withoutQuery cuts the query and fragment off a URL or path.
func withoutQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// errBodyDetached is what a request body reads after its attempt ended.
var errBodyDetached = errors.New("conversations: request attempt is over")

// guardedBody is a raw request body for one attempt. The transport may read
// a body (and close it) in the background even after the response arrived;
// detach cuts it off so that the body can be rewound safely for a retry.
// Close does not close the caller's reader, which is theirs to close.
type guardedBody struct {
	mu  sync.Mutex
	r   io.Reader
	off bool
}

func (g *guardedBody) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.off {
		return 0, errBodyDetached
	}
	return g.r.Read(p)
}

func (g *guardedBody) Close() error { return nil }

func (g *guardedBody) detach() {
	g.mu.Lock()
	g.off = true
	g.mu.Unlock()
}

// wait sleeps for d on a timer that stops with ctx. When ctx's deadline
// comes before the retry would, it returns lastErr at once.
func (c *core) wait(ctx context.Context, d time.Duration, lastErr error) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return lastErr
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *core) logAttempt(ctx context.Context, method, path string, attempt, status int, reqID string, start time.Time, retrying bool) {
	if c.logger == nil {
		return
	}
	level := slog.LevelDebug
	if retrying {
		level = slog.LevelInfo
	}
	if !c.logger.Enabled(ctx, level) {
		return
	}
	msg := "conversations request"
	if retrying {
		msg = "conversations request failed, retrying"
	}
	// The query's values can be personal data (a phone number or identity
	// in a filter): only its keys are logged.
	path, rawQuery, _ := strings.Cut(path, "?")
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs, slog.String("method", method), slog.String("path", path))
	if keys := queryKeys(rawQuery); keys != "" {
		attrs = append(attrs, slog.String("query", keys))
	}
	attrs = append(attrs,
		slog.Int("status", status),
		slog.Int("attempt", attempt),
		slog.Duration("duration", time.Since(start)),
		slog.String("request_id", reqID),
	)
	c.logger.LogAttrs(ctx, level, msg, attrs...)
}

// queryKeys lists the distinct keys of a raw query, comma-separated, in the
// order they come.
func queryKeys(rawQuery string) string {
	var b strings.Builder
	seen := make(map[string]bool)
	for pair := range strings.SplitSeq(rawQuery, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
	}
	return b.String()
}

// pathOf returns the path and query of an API URL, for errors and logs.
func pathOf(rawURL string) string {
	if i := strings.Index(rawURL, "://"); i >= 0 {
		if j := strings.IndexByte(rawURL[i+3:], '/'); j >= 0 {
			return rawURL[i+3+j:]
		}
	}
	return rawURL
}

// decodeBody decodes a successful response and closes it, draining a little
// so that the connection can be reused.
func decodeBody(resp *http.Response, out any) error {
	defer closeBody(resp.Body)
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	dec := json.NewDecoder(&cappedReader{r: resp.Body, n: maxSuccessBody})
	if d, ok := out.(jsonDecoder); ok {
		return d.decodeJSON(dec)
	}
	return dec.Decode(out)
}

// maxSuccessBody caps how much of a successful response is decoded: a list
// page of the largest size is a few MiB at most.
const maxSuccessBody = 32 << 20

// ErrResponseTooLarge is returned (wrapped) when a successful response body
// is larger than the library will decode (32 MiB).
var ErrResponseTooLarge = errors.New("conversations: response body too large")

// cappedReader reads at most n bytes, then fails with ErrResponseTooLarge.
type cappedReader struct {
	r io.Reader
	n int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// cutShort reports whether a decoding error means that the body did not
// arrive whole: the connection failed or the body ended in mid-value.
func cutShort(err error) bool {
	var opErr *net.OpError
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &opErr)
}

func closeBody(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 64<<10)
	_ = b.Close()
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case n < 0:
			return 0
		case n > int64(math.MaxInt64/time.Second):
			return math.MaxInt64 // longer than any MaxDelay; never wraps around
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
