// Package faultserver is a test server for the Conversations API that
// misbehaves on command, for the reliability suite.
//
// It is a real net/http server on 127.0.0.1. Faults are queued with
// [Server.Push] and consumed one per request, in order; with the queue empty
// the server answers like a minimal Conversations API (creates, fetches,
// updates, lists and deletes of any resource path). Faults work at the HTTP
// level (429 bursts, 5xx, HTML pages, huge bodies, redirects, delayed
// headers) and at the TCP level (a reset before the response or in the
// middle of the body, with SO_LINGER 0 so that the peer sees a RST).
//
// The server counts requests per operation ("POST /v1/Conversations"),
// "applied" creates, accepted TCP connections and the requests that carried
// an Authorization header. A create (a POST to a collection path) counts as
// applied as soon as the server has read its full body, whatever happens to
// the connection afterwards, except under [RateLimit] and [Redirect], which
// model responses that Twilio sends without processing the request. This is
// the pessimistic model: a client that re-sends a POST after a 5xx or a
// broken connection shows up as two applied creates.
package faultserver

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// Kind is the kind of a fault.
type Kind int

// The kinds of fault.
const (
	// KindOK answers normally.
	KindOK Kind = iota
	// KindRespond answers with the fault's Status, Header and Body.
	KindRespond
	// KindResetBeforeResponse reads the request, then resets the connection
	// without writing a byte.
	KindResetBeforeResponse
	// KindResetMidBody writes the status line, headers and half of a normal
	// body, then resets the connection.
	KindResetMidBody
	// KindTruncated answers normally but cuts the JSON body in half, with a
	// Content-Length that matches what is sent.
	KindTruncated
	// KindDelayHeaders waits Delay (or until the client goes away) before
	// answering normally.
	KindDelayHeaders
	// KindBigBody answers with Status and a body of Size bytes that is not
	// JSON, written in chunks (never held in memory).
	KindBigBody
	// KindRedirect answers with Status and a Location header.
	KindRedirect
)

// Fault is what the server does with one request.
type Fault struct {
	Kind   Kind
	Status int
	Header http.Header
	Body   string
	Delay  time.Duration
	Size   int64
	// NoApply makes a create not count as applied (429s, redirects).
	NoApply bool
}

// OK answers normally.
func OK() Fault { return Fault{Kind: KindOK} }

// Respond answers with status, body and the header pairs (name, value, ...).
func Respond(status int, body string, header ...string) Fault {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	if h.Get("Content-Type") == "" && body != "" {
		h.Set("Content-Type", "application/json")
	}
	return Fault{Kind: KindRespond, Status: status, Header: h, Body: body}
}

// RateLimit answers 429 with Twilio's error body and, unless retryAfter is
// empty, a Retry-After header. The request is not applied.
func RateLimit(retryAfter string) Fault {
	f := Respond(http.StatusTooManyRequests, `{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}`)
	if retryAfter != "" {
		f.Header.Set("Retry-After", retryAfter)
	}
	f.NoApply = true
	return f
}

// ServerError answers status (500, 502, 503...) with a Twilio JSON error body.
func ServerError(status int) Fault {
	return Respond(status, fmt.Sprintf(`{"code":20500,"message":"Internal Server Error","more_info":"https://www.twilio.com/docs/errors/20500","status":%d}`, status))
}

// HTMLPage answers status with an HTML error page, as a proxy does.
func HTMLPage(status int) Fault {
	return Respond(status, "<html><head><title>"+strconv.Itoa(status)+" "+http.StatusText(status)+
		"</title></head><body><center><h1>"+strconv.Itoa(status)+" "+http.StatusText(status)+
		"</h1></center><hr><center>nginx</center></body></html>\n", "Content-Type", "text/html")
}

// ResetBeforeResponse reads the request and resets the connection.
func ResetBeforeResponse() Fault { return Fault{Kind: KindResetBeforeResponse} }

// ResetMidBody sends half of a normal response and resets the connection.
func ResetMidBody() Fault { return Fault{Kind: KindResetMidBody} }

// Truncated sends a normal response whose JSON body is cut in half.
func Truncated() Fault { return Fault{Kind: KindTruncated} }

// DelayHeaders answers normally after d.
func DelayHeaders(d time.Duration) Fault { return Fault{Kind: KindDelayHeaders, Delay: d} }

// BigBody answers status with size bytes of non-JSON text.
func BigBody(status int, size int64) Fault {
	return Fault{Kind: KindBigBody, Status: status, Size: size}
}

// Redirect answers status (301, 302, 307, 308) with a Location header.
func Redirect(status int, location string) Fault {
	return Fault{Kind: KindRedirect, Status: status, Header: http.Header{"Location": {location}}, NoApply: true}
}

// Request is what the server saw of one request.
type Request struct {
	Method     string
	Path       string // the escaped path, as sent
	RawQuery   string
	Header     http.Header
	Form       url.Values
	Fault      Kind
	Applied    bool
	ReceivedAt time.Time
}

// Server is a misbehaving Conversations API.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	ts     *httptest.Server
	ln     *countingListener
	mu     sync.Mutex
	queue  []Fault
	repeat *Fault
	reqs   []Request
	ops    map[string]int

	applied  atomic.Int64
	authSeen atomic.Int64
	seq      atomic.Int64
	hijacked sync.WaitGroup
}

// New starts a server; Close it when done.
func New() *Server {
	s := &Server{ops: map[string]int{}}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.ln = &countingListener{Listener: s.ts.Listener}
	s.ts.Listener = s.ln
	s.ts.Start()
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down, waiting for its handlers.
func (s *Server) Close() {
	s.ts.Close()
	s.hijacked.Wait()
}

// Push queues faults for the next requests, one per request.
func (s *Server) Push(faults ...Fault) {
	s.mu.Lock()
	s.queue = append(s.queue, faults...)
	s.mu.Unlock()
}

// Always makes every request get f once the queue is empty (nil: answer
// normally).
func (s *Server) Always(f *Fault) {
	s.mu.Lock()
	s.repeat = f
	s.mu.Unlock()
}

// Reset clears the queue, the counters and the request log (not the
// connection count).
func (s *Server) Reset() {
	s.mu.Lock()
	s.queue, s.repeat, s.reqs, s.ops = nil, nil, nil, map[string]int{}
	s.mu.Unlock()
	s.applied.Store(0)
	s.authSeen.Store(0)
}

// Requests returns how many requests the server has received in all.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// Op returns how many requests the server received for one operation, such
// as "POST /v1/Conversations/CH.../Messages".
func (s *Server) Op(methodAndPath string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[methodAndPath]
}

// Log returns a copy of the request log.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Applied returns how many creates were applied.
func (s *Server) Applied() int { return int(s.applied.Load()) }

// AuthSeen returns how many requests carried an Authorization header.
func (s *Server) AuthSeen() int { return int(s.authSeen.Load()) }

// Conns returns how many TCP connections the server has accepted.
func (s *Server) Conns() int { return int(s.ln.n.Load()) }

func (s *Server) next() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 {
		f := s.queue[0]
		s.queue = s.queue[1:]
		return f
	}
	if s.repeat != nil {
		return *s.repeat
	}
	return OK()
}

// isCreate reports whether a POST path names a collection: an odd number of
// segments after /v1/ (Conversations, Conversations/CH.../Messages).
func isCreate(method, path string) bool {
	if method != http.MethodPost {
		return false
	}
	rest := strings.Trim(strings.TrimPrefix(path, "/v1/"), "/")
	return rest != "" && strings.Count(rest, "/")%2 == 0
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	f := s.next()
	// Read the full body first: from here on a create is applied (unless the
	// fault says the server refused it unprocessed).
	body, err := io.ReadAll(r.Body)
	form, _ := formparse.Parse(string(body))
	applied := err == nil && isCreate(r.Method, r.URL.Path) && !f.NoApply
	if applied {
		s.applied.Add(1)
	}
	if r.Header.Get("Authorization") != "" {
		s.authSeen.Add(1)
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{
		Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(),
		Form: form, Fault: f.Kind, Applied: applied, ReceivedAt: time.Now(),
	})
	s.ops[r.Method+" "+r.URL.EscapedPath()]++
	s.mu.Unlock()
	if err != nil {
		return
	}

	switch f.Kind {
	case KindRespond, KindRedirect:
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
	case KindResetBeforeResponse:
		s.reset(w, "")
	case KindResetMidBody:
		status, b := s.normal(r, form)
		head := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", status, http.StatusText(status), len(b))
		s.reset(w, head+string(b[:len(b)/2]))
	case KindTruncated:
		status, b := s.normal(r, form)
		b = b[:len(b)/2]
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(status)
		w.Write(b)
	case KindDelayHeaders:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		s.writeNormal(w, r, form)
	case KindBigBody:
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
		w.WriteHeader(f.Status)
		chunk := []byte(strings.Repeat("this is not JSON, it is a very long error page. ", 1024))
		for left := f.Size; left > 0; {
			n := min(left, int64(len(chunk)))
			if _, err := w.Write(chunk[:n]); err != nil {
				return
			}
			left -= n
		}
	default:
		s.writeNormal(w, r, form)
	}
}

// reset hijacks the connection, writes raw (if any), lets the client read
// it, and closes the connection with a RST.
func (s *Server) reset(w http.ResponseWriter, raw string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err) // HTTP/1.1 server: hijacking always works
	}
	s.hijacked.Add(1)
	defer s.hijacked.Done()
	if raw != "" {
		buf.WriteString(raw)
		buf.Flush()
		waitRead(conn)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// waitRead gives the client a moment to read what was written before the
// RST (a RST discards the peer's unread data).
func waitRead(conn net.Conn) {
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	bufio.NewReader(conn).Peek(1)
}

func (s *Server) writeNormal(w http.ResponseWriter, r *http.Request, form url.Values) {
	status, b := s.normal(r, form)
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Twilio-Request-Id", "RQ"+s.hex())
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) hex() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// normal is the server's answer when it behaves: a resource for creates,
// updates and fetches, a one-page list for GETs of collections, 204 for
// deletes. A resource's sid is its last path segment (or a new one for a
// create) and its fields echo the form.
func (s *Server) normal(r *http.Request, form url.Values) (int, []byte) {
	path := r.URL.EscapedPath()
	rest := strings.Trim(strings.TrimPrefix(path, "/v1/"), "/")
	segs := strings.Split(rest, "/")
	collection := len(segs)%2 == 1
	res := map[string]any{
		"account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"url":         s.URL + path,
		"attributes":  "{}",
	}
	for k, v := range form {
		res[wireToJSON(k)] = v[0]
	}
	switch {
	case r.Method == http.MethodDelete:
		return http.StatusNoContent, nil
	case r.Method == http.MethodPost && collection:
		res["sid"] = prefixOf(segs[len(segs)-1]) + s.hex()
		res["index"] = s.seq.Add(1) - 1
		b, _ := json.Marshal(res)
		return http.StatusCreated, b
	case r.Method == http.MethodGet && collection:
		key := strings.ToLower(segs[len(segs)-1])
		item := map[string]any{"sid": prefixOf(segs[len(segs)-1]) + strings.Repeat("0", 32)}
		b, _ := json.Marshal(map[string]any{
			key: []any{item},
			"meta": map[string]any{
				"page": 0, "page_size": 50, "key": key, "url": s.URL + path,
				"first_page_url": s.URL + path, "next_page_url": nil, "previous_page_url": nil,
			},
		})
		return http.StatusOK, b
	default:
		sid, _ := url.PathUnescape(segs[len(segs)-1])
		res["sid"] = sid
		b, _ := json.Marshal(res)
		return http.StatusOK, b
	}
}

// prefixOf returns the SID prefix of a collection's resources.
func prefixOf(collection string) string {
	switch collection {
	case "Conversations":
		return "CH"
	case "Messages":
		return "IM"
	case "Participants":
		return "MB"
	case "Users":
		return "US"
	case "Roles":
		return "RL"
	case "Webhooks":
		return "WH"
	case "Services":
		return "IS"
	}
	return "XX"
}

// wireToJSON turns a form name such as FriendlyName into friendly_name.
func wireToJSON(k string) string {
	var b strings.Builder
	for i, r := range k {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && k[i-1] != '.' {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		if r == '.' {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}
