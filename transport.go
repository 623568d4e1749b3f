package conversations

// The transport-level pieces of the request pipeline: request bodies,
// response decoding, redaction, logging and Retry-After.

import (
	"context"
	"encoding/json"
	"errors"
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
)

// jsonDecoder is implemented by response types that decode themselves from
// the stream, such as list pages.
type jsonDecoder interface{ decodeJSON(dec *json.Decoder) error }

// redact trims the URLs that transport errors carry (Go's *url.Error holds
// the whole URL): an API request keeps its query's keys only, since a value
// can be personal data such as a phone number in a filter; an anonymous
// request loses its query (and fragment), the signature of a pre-signed URL.
func (r *request) redact(err error) error {
	if err == nil {
		return err
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ue, ok := e.(*url.Error); ok {
			if r.anonymous {
				ue.URL = withoutQuery(ue.URL)
			} else {
				ue.URL = withQueryKeys(ue.URL)
			}
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

// logAttempt logs one attempt: at debug level, or at info level when it is
// retried.
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
	if keys := queryKeys(rawQuery, ','); keys != "" {
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

// withQueryKeys keeps the keys of a path's query and drops their values,
// for error texts: "/v1/ParticipantConversations?Address=%2B1555..." becomes
// "/v1/ParticipantConversations?Address". A value can be personal data.
func withQueryKeys(path string) string {
	p, rawQuery, ok := strings.Cut(path, "?")
	if !ok {
		return path // most requests: nothing to trim
	}
	if keys := queryKeys(rawQuery, '&'); keys != "" {
		return p + "?" + keys
	}
	return p
}

// queryKeys lists the distinct keys of a raw query, joined by sep, in the
// order they come.
func queryKeys(rawQuery string, sep byte) string {
	var b strings.Builder
	seen := make(map[string]bool)
	for pair := range strings.SplitSeq(rawQuery, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		if b.Len() > 0 {
			b.WriteByte(sep)
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
