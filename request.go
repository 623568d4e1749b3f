package conversations

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/conversations-go/conversations/internal/ratescope"
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
	hc       *http.Client
	anon     *http.Client // for pre-signed URLs: no credentials, the caller's redirect policy
	base     *url.URL
	baseURL  string // scheme://host[:port], no trailing slash
	media    *url.URL
	mediaURL string // the Media Content Service's base URL, like baseURL
	// The constant headers, built once and shared by every request: an
	// http.Header's value slices are never written in place (Add appends to
	// a full slice, so it copies; Set replaces it).
	auth      []string // Authorization
	userAgent []string // User-Agent
	retry     RetryPolicy
	logger    *slog.Logger
	limiter   RateLimiter // nil: calls are not paced
	tel       Telemetry   // nil: no telemetry (telemetry_request.go)
	bulk      bulkPacer   // the bulk operations' limiter when limiter is nil (bulk.go)
	// defaultSvc is the account's default Conversation Service, resolved
	// once for the account-level media calls (default_service.go).
	defaultSvc defaultService
	// names maps conversations' unique names to their SIDs, for the rate
	// limits (conversation_scope.go).
	names convNames
}

func newCore(cfg *config, base, media *url.URL, user, pass string) *core {
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
		hc:        &hc,
		anon:      &anon,
		base:      &b,
		baseURL:   b.String(),
		media:     &m,
		mediaURL:  m.String(),
		auth:      []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))},
		userAgent: []string{userAgent(cfg.userAgent)},
		retry:     cfg.retry,
		logger:    cfg.logger,
		limiter:   cfg.limiter,
		tel:       cfg.telemetry,
	}
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
	vals, err := query.Values(inUTC(params))
	if err != nil {
		if strings.HasPrefix(err.Error(), "conversations: ") {
			return nil, false, err // our own encoders name the parameter already
		}
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
		s.core.failed(ctx, method, s.prefix != "", tmpl)
		return err
	}
	vals, hook, err := encodeParams(params)
	if err != nil {
		s.core.failed(ctx, method, s.prefix != "", tmpl)
		return err
	}
	u := s.core.baseURL + path
	var body string
	if method == http.MethodPost {
		body = vals.Encode()
	} else if len(vals) > 0 {
		u += "?" + vals.Encode()
	}
	r := &request{method: method, url: u, form: body, webhook: hook, limiter: s.core.limiter, tmpl: tmpl, scoped: s.prefix != ""}
	if s.pace != nil {
		r.limiter = s.pace
	}
	var name string // a conversation's unique name the scope was resolved from
	if r.limiter != nil {
		r.scope, _, _ = ratescope.Classify(method, path)
		if r.scope, name, err = s.conversationScope(ctx, r.scope); err != nil {
			return err
		}
	}
	err = s.core.doRequest(ctx, r, out)
	s.learnName(out, name, err)
	return err
}

// doCall is call for operations that return a resource.
func doCall[T any](ctx context.Context, s *service, method, tmpl string, params any, args ...string) (*T, error) {
	out := new(T)
	if err := s.call(ctx, method, tmpl, params, out, args...); err != nil {
		return nil, err
	}
	return out, nil
}

// request is one API call for doRequest: a form body (the default), or a raw
// body with its own content type, such as a media upload.
type request struct {
	method  string
	url     string
	form    string      // the form body of a POST; unused when body is set
	webhook bool        // send X-Twilio-Webhook-Enabled: true
	scope   string      // the rate-limit scope each attempt waits on; "" for none
	limiter RateLimiter // paces the attempts when scope is set

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

	// What telemetry names the operation after (telemetry_request.go):
	// op when set, else the path template below the scope (tmpl) and
	// whether it is scoped to a Conversation Service. page is a list
	// page's number (1-based), 0 for other calls.
	op     *operation
	tmpl   string
	scoped bool
	page   int
}

// rawResponse, as the out of doRequest, receives the body of a 2xx response
// unread; the caller closes it.
type rawResponse struct {
	body   io.ReadCloser
	header http.Header
}

// path is the request's path for errors and logs: the query's keys only,
// never its values.
func (r *request) path() string {
	p := pathOf(r.url)
	if r.anonymous {
		return withoutQuery(p)
	}
	return withQueryKeys(p)
}

// doRequest sends r with retries and decodes a 2xx response into out: JSON
// for a struct, the unread body for a *rawResponse, nothing for nil.
func (c *core) doRequest(ctx context.Context, r *request, out any) error {
	if ctx == nil {
		return errors.New("conversations: nil Context")
	}
	if c.tel == nil {
		return c.attempts(ctx, r, out, nil)
	}
	ot := c.startOperation(ctx, r)
	err := c.attempts(ot.ctx, r, out, ot)
	ot.end(err, out)
	return err
}

// attempts is doRequest's loop of attempts; ot is the operation's
// telemetry, nil without a Telemetry.
func (c *core) attempts(ctx context.Context, r *request, out any, ot *opTrace) error {
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
		if r.scope != "" {
			ot.startWait(r.scope)
			err := r.limiter.Wait(ctx, r.scope)
			ot.endWait(r.scope, err)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return &RequestError{Method: method, Path: path, Err: err}
			}
		}
		start := time.Now()
		resp, err := c.send(ot.startAttempt(ctx, method, attempt), r, guard)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err = &RequestError{Method: method, Path: path, Err: err}
			delay, ok := canRetry(c.retry.next(attempt, method, 0, err, 0))
			c.logAttempt(ctx, method, path, attempt, 0, "", start, ok)
			ot.endAttempt(method, 0, "", err, ok)
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
				ot.endAttempt(method, resp.StatusCode, reqID, nil, false)
				raw.body, raw.header = resp.Body, resp.Header
				return nil
			}
			err := decodeBody(resp, out)
			if err == nil {
				c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, false)
				ot.endAttempt(method, resp.StatusCode, reqID, nil, false)
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
			ot.endAttempt(method, resp.StatusCode, reqID, rerr, ok)
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
		if resp.StatusCode == http.StatusTooManyRequests && r.scope != "" {
			r.limiter.Throttled(ctx, r.scope, apiErr.RetryAfter)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if applied && method == http.MethodDelete && resp.StatusCode == http.StatusNotFound && out == nil {
			// An earlier attempt deleted it: the caller's goal is reached.
			c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, false)
			ot.endAttempt(method, resp.StatusCode, reqID, nil, false)
			return nil
		}
		delay, ok := canRetry(c.retry.next(attempt, method, resp.StatusCode, nil, apiErr.RetryAfter))
		c.logAttempt(ctx, method, path, attempt, resp.StatusCode, reqID, start, ok)
		ot.endAttempt(method, resp.StatusCode, reqID, apiErr, ok)
		if !ok {
			return apiErr
		}
		applied = applied || resp.StatusCode >= 500
		if werr := c.wait(ctx, delay, apiErr); werr != nil {
			return werr
		}
	}
}

// Constant header values, shared by every request (see core.auth).
var (
	headerJSON = []string{"application/json"}
	headerForm = []string{"application/x-www-form-urlencoded"}
	headerTrue = []string{"true"}
)

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
		h["Authorization"] = c.auth
	}
	h["User-Agent"] = c.userAgent
	h["Accept"] = headerJSON
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
		h["Content-Type"] = headerForm
	}
	for k, v := range r.header {
		h.Set(k, v)
	}
	if r.webhook {
		h["X-Twilio-Webhook-Enabled"] = headerTrue
	}
	if r.anonymous {
		resp, err := c.anon.Do(req)
		return resp, r.redact(err)
	}
	resp, err := c.hc.Do(req)
	return resp, r.redact(err)
}

// wait sleeps for d on a timer that stops with ctx. When ctx's deadline
// comes before the retry would, it returns lastErr at once.
func (c *core) wait(ctx context.Context, d time.Duration, lastErr error) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return lastErr
	}
	return sleep(ctx, d)
}

// sleep waits for d, or until ctx is done: then it returns ctx's error.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
