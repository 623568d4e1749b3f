package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/conversations-go/conversations"
	fs "github.com/conversations-go/conversations/internal/faultserver"
)

// errorCap is the library's cap on error bodies (64 KiB) plus the 64 KiB it
// drains before closing; bytes read per error response must stay under it
// plus a transport buffer.
const errorCap = 64<<10 + 64<<10 + 16<<10

// op is a public call under test.
type op struct {
	name   string
	create bool // a create: counts as applied on the server
	run    func(ctx context.Context, c *conversations.Client) error
}

var (
	opCreate = op{"Messages.Create (POST)", true, func(ctx context.Context, c *conversations.Client) error {
		m, err := c.Messages.Create(ctx, convSID, &conversations.MessageCreateParams{Author: "alice", Body: "hello"})
		if err == nil && (m.SID == "" || m.Body != "hello") {
			return fmt.Errorf("bad message decoded: %+v", m)
		}
		return err
	}}
	opFetch = op{"Conversations.Fetch (GET)", false, func(ctx context.Context, c *conversations.Client) error {
		cv, err := c.Conversations.Fetch(ctx, convSID)
		if err == nil && cv.SID != convSID {
			return fmt.Errorf("bad conversation decoded: %+v", cv)
		}
		return err
	}}
	opUpdate = op{"Conversations.Update (POST)", false, func(ctx context.Context, c *conversations.Client) error {
		_, err := c.Conversations.Update(ctx, convSID, &conversations.ConversationUpdateParams{FriendlyName: "x"})
		return err
	}}
	opDelete = op{"Conversations.Delete (DELETE)", false, func(ctx context.Context, c *conversations.Client) error {
		return c.Conversations.Delete(ctx, convSID, nil)
	}}
	opList = op{"Conversations.List (GET)", false, func(ctx context.Context, c *conversations.Client) error {
		n := 0
		for _, err := range c.Conversations.List(ctx, nil) {
			if err != nil {
				return err
			}
			n++
		}
		if n != 1 {
			return fmt.Errorf("listed %d conversations, want 1", n)
		}
		return nil
	}}
)

// outcome checks a call's result.
type outcome struct {
	desc  string
	check func(err error) error
}

var wantOK = outcome{"ok", func(err error) error { return err }}

func wantAPIError(status int, msgPart string) outcome {
	return outcome{fmt.Sprintf("*Error %d", status), func(err error) error {
		var e *conversations.Error
		if !errors.As(err, &e) {
			return fmt.Errorf("got %T %v, want *conversations.Error", err, err)
		}
		if e.Status != status || !strings.Contains(e.Message, msgPart) {
			return fmt.Errorf("got %d %q, want %d with %q", e.Status, e.Message, status, msgPart)
		}
		return nil
	}}
}

func wantRequestError(status int, errPart string) outcome {
	return outcome{fmt.Sprintf("*RequestError (status %d)", status), func(err error) error {
		var e *conversations.RequestError
		if !errors.As(err, &e) {
			return fmt.Errorf("got %T %v, want *conversations.RequestError", err, err)
		}
		if e.Status != status || !strings.Contains(e.Error(), errPart) {
			return fmt.Errorf("got status %d %q, want %d with %q", e.Status, e.Error(), status, errPart)
		}
		return nil
	}}
}

var wantForeignRedirect = outcome{"*RequestError, ErrForeignRedirect", func(err error) error {
	var e *conversations.RequestError
	if !errors.As(err, &e) || !errors.Is(err, conversations.ErrForeignRedirect) {
		return fmt.Errorf("got %T %v, want a *conversations.RequestError matching ErrForeignRedirect", err, err)
	}
	return nil
}}

var wantDeadline = outcome{"context.DeadlineExceeded", func(err error) error {
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("got %T %v, want context.DeadlineExceeded", err, err)
	}
	return nil
}}

// scenario is one fault (sequence) applied to each of several sequential calls.
type scenario struct {
	fault    string
	op       op
	faults   func(other *fs.Server) []fs.Fault // pushed before each call
	deadline time.Duration                     // per call; default 5s
	calls    int                               // default 3
	want     outcome
	attempts int           // exact attempts per call (server requests)
	minTime  time.Duration // each call takes at least this long (honoured waits)
	maxTime  time.Duration // each call ends within this (default: the deadline)
	conns    int           // exact new connections over all calls (0: not checked)
	maxBytes int64         // bytes read over all calls at most (0: not checked)
	other    bool          // a second server (another host) must see nothing
}

func faults(f ...fs.Fault) func(*fs.Server) []fs.Fault {
	return func(*fs.Server) []fs.Fault { return f }
}

func repeat(n int, f fs.Fault) []fs.Fault {
	out := make([]fs.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

const fiftyMB = 50 << 20

func scenarios() []scenario {
	return []scenario{
		// 429 bursts.
		{fault: "429 x3, no Retry-After", op: opCreate, faults: faults(repeat(3, fs.RateLimit(""))...), want: wantOK, attempts: 4, conns: 1},
		{fault: "429 x2, Retry-After: 1", op: opCreate, calls: 2, faults: faults(repeat(2, fs.RateLimit("1"))...), want: wantOK, attempts: 3, minTime: 2 * time.Second, conns: 1},
		{fault: "429 x10 (more than MaxAttempts)", op: opFetch, faults: faults(repeat(10, fs.RateLimit(""))...), want: wantAPIError(429, "Too Many Requests"), attempts: 4, conns: 1},
		{fault: "429, Retry-After: 60 (> MaxDelay)", op: opCreate, faults: faults(fs.RateLimit("60")), want: wantAPIError(429, "Too Many"), attempts: 1, maxTime: 500 * time.Millisecond, conns: 1},
		{fault: "429, Retry-After: 3 (> deadline 1s)", op: opFetch, deadline: time.Second, faults: faults(fs.RateLimit("3")), want: wantAPIError(429, "Too Many"), attempts: 1, maxTime: 500 * time.Millisecond, conns: 1},
		{fault: "429, Retry-After: 18446744074 (overflows)", op: opCreate, faults: faults(fs.RateLimit("18446744074"), fs.OK()), want: wantAPIError(429, "Too Many"), attempts: 1, maxTime: 500 * time.Millisecond, conns: 1},
		// 5xx: never retried for a POST, retried for GET and DELETE.
		{fault: "500", op: opCreate, faults: faults(fs.ServerError(500), fs.OK()), want: wantAPIError(500, "Internal"), attempts: 1, conns: 1},
		{fault: "502", op: opCreate, faults: faults(fs.ServerError(502), fs.OK()), want: wantAPIError(502, "Internal"), attempts: 1, conns: 1},
		{fault: "503", op: opUpdate, faults: faults(fs.ServerError(503), fs.OK()), want: wantAPIError(503, "Internal"), attempts: 1, conns: 1},
		{fault: "500, 502, 503, then ok", op: opFetch, faults: faults(fs.ServerError(500), fs.ServerError(502), fs.ServerError(503)), want: wantOK, attempts: 4, conns: 1},
		{fault: "503, then ok", op: opDelete, faults: faults(fs.ServerError(503)), want: wantOK, attempts: 2, conns: 1},
		{fault: "503 x10", op: opFetch, faults: faults(repeat(10, fs.ServerError(503))...), want: wantAPIError(503, "Internal"), attempts: 4, conns: 1},
		// Proxy pages and bad bodies.
		{fault: "HTML 502 page", op: opCreate, faults: faults(fs.HTMLPage(502), fs.OK()), want: wantAPIError(502, "non-JSON error response (text/html"), attempts: 1, conns: 1},
		{fault: "HTML 502 page, then ok", op: opList, faults: faults(fs.HTMLPage(502)), want: wantOK, attempts: 2, conns: 1},
		{fault: "truncated JSON 201", op: opCreate, faults: faults(fs.Truncated(), fs.OK()), want: wantRequestError(201, "decoding response"), attempts: 1, conns: 1},
		{fault: "truncated JSON 200, then ok", op: opFetch, faults: faults(fs.Truncated()), want: wantOK, attempts: 2, conns: 1},
		{fault: "HTML page with 200", op: opFetch, faults: faults(fs.Respond(200, "<html>hello</html>", "Content-Type", "text/html"), fs.OK()), want: wantRequestError(200, "decoding response"), attempts: 1, conns: 1},
		// TCP faults.
		{fault: "reset before response", op: opCreate, faults: faults(fs.ResetBeforeResponse(), fs.OK()), want: wantRequestError(0, "Messages"), attempts: 1, conns: 3},
		{fault: "reset before response, then ok", op: opFetch, faults: faults(fs.ResetBeforeResponse()), want: wantOK, attempts: 2, conns: 4},
		{fault: "reset in mid-body", op: opCreate, faults: faults(fs.ResetMidBody(), fs.OK()), want: wantRequestError(201, "decoding response"), attempts: 1, conns: 3},
		{fault: "reset in mid-body, then ok", op: opFetch, faults: faults(fs.ResetMidBody()), want: wantOK, attempts: 2, conns: 4},
		// Slow headers.
		{fault: "headers after deadline (2s > 300ms)", op: opCreate, deadline: 300 * time.Millisecond, faults: faults(fs.DelayHeaders(2*time.Second), fs.OK()), want: wantDeadline, attempts: 1, minTime: 300 * time.Millisecond, maxTime: time.Second, conns: 3},
		{fault: "headers after deadline (2s > 300ms)", op: opFetch, deadline: 300 * time.Millisecond, faults: faults(fs.DelayHeaders(2*time.Second), fs.OK()), want: wantDeadline, attempts: 1, minTime: 300 * time.Millisecond, maxTime: time.Second, conns: 3},
		// Huge error bodies.
		{fault: "50 MB error body (400)", op: opCreate, faults: faults(fs.BigBody(400, fiftyMB), fs.OK()), want: wantAPIError(400, "non-JSON error response (text/plain, 65536 bytes)"), attempts: 1, maxBytes: 3 * errorCap},
		{fault: "50 MB error body (500) x10", op: opFetch, faults: faults(repeat(10, fs.BigBody(500, fiftyMB))...), want: wantAPIError(500, "non-JSON"), attempts: 4, maxBytes: 3 * 4 * errorCap},
		// Redirects.
		{fault: "302 to another host", op: opFetch, other: true, faults: func(o *fs.Server) []fs.Fault {
			return []fs.Fault{fs.Redirect(302, o.URL+"/v1/Conversations/"+convSID), fs.OK()}
		}, want: wantForeignRedirect, attempts: 1, conns: 1},
		{fault: "307 to another host", op: opCreate, other: true, faults: func(o *fs.Server) []fs.Fault {
			return []fs.Fault{fs.Redirect(307, o.URL+"/v1/Conversations/"+convSID+"/Messages"), fs.OK()}
		}, want: wantForeignRedirect, attempts: 1, conns: 1},
		{fault: "302 loop on the same host", op: opFetch, faults: faults(repeat(10, fs.Redirect(302, "/v1/Conversations/"+convSID))...), want: wantRequestError(0, "stopped after 5 redirects"), attempts: 5, conns: 1},
		{fault: "307 to the same host", op: opCreate, faults: func(*fs.Server) []fs.Fault {
			return []fs.Fault{fs.Redirect(307, "/v1/Conversations/"+convSID+"/Messages")}
		}, want: wantOK, attempts: 2, conns: 1},
	}
}

// TestFaults drives each scenario through the public client and checks, for
// every call: the outcome (success or a typed error), the attempts, that no
// create is applied twice, the deadline, connection reuse, bytes read, that
// no request arrives after the call returned, and that no goroutine leaks.
// Run with -v for the table of figures.
func TestFaults(t *testing.T) {
	for _, sc := range scenarios() {
		name := sc.fault + " " + sc.op.name
		t.Run(name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func runScenario(t *testing.T, sc scenario) {
	ignore := goleak.IgnoreCurrent()
	if sc.calls == 0 {
		sc.calls = 3
	}
	if sc.deadline == 0 {
		sc.deadline = 5 * time.Second
	}
	if sc.maxTime == 0 {
		sc.maxTime = sc.deadline + 50*time.Millisecond
	}
	srv := fs.New()
	other := fs.New()
	c, st := newClient(t, srv.URL, testPolicy)

	var attempts []int
	applied := 0
	var worst time.Duration
	late := 0
	for i := 0; i < sc.calls; i++ {
		srv.Reset()
		srv.Push(sc.faults(other)...)
		start := time.Now() // before the deadline starts counting
		ctx, cancel := context.WithTimeout(context.Background(), sc.deadline)
		err := sc.op.run(ctx, c)
		elapsed := time.Since(start)
		cancel()
		n := srv.Requests()
		if cerr := sc.want.check(err); cerr != nil {
			t.Errorf("call %d: %v", i, cerr)
		}
		if n != sc.attempts {
			t.Errorf("call %d: %d attempts, want %d", i, n, sc.attempts)
		}
		if sc.op.create && srv.Applied() > 1 {
			t.Errorf("call %d: create applied %d times", i, srv.Applied())
		}
		if elapsed < sc.minTime || elapsed > sc.maxTime {
			t.Errorf("call %d took %v, want %v to %v", i, elapsed, sc.minTime, sc.maxTime)
		}
		attempts = append(attempts, n)
		applied += srv.Applied()
		worst = max(worst, elapsed)
		// Nothing may arrive once the call has returned: no retry outlives it.
		time.Sleep(30 * time.Millisecond)
		late += srv.Requests() - n
	}
	if late != 0 {
		t.Errorf("%d requests arrived after their call returned", late)
	}
	if sc.other && other.Requests() != 0 {
		t.Errorf("the other host got %d requests (%d with Authorization)", other.Requests(), other.AuthSeen())
	}
	conns := srv.Conns()
	if sc.conns != 0 && conns != sc.conns {
		t.Errorf("%d new connections over %d calls, want %d", conns, sc.calls, sc.conns)
	}
	if int(st.dials.Load()) != conns {
		t.Errorf("client dialed %d times, server accepted %d", st.dials.Load(), conns)
	}
	read := st.bytesRead.Load()
	if sc.maxBytes != 0 && read > sc.maxBytes {
		t.Errorf("read %d bytes, want at most %d", read, sc.maxBytes)
	}

	// Every connection left must be idle (bodies closed): closing the idle
	// ones and the servers must leave no goroutine behind.
	st.tr.CloseIdleConnections()
	srv.Close()
	other.Close()
	leaked := "0"
	if err := goleak.Find(ignore); err != nil {
		leaked = "LEAK"
		t.Errorf("goroutines leaked: %v", err)
	}

	appliedFig := "n/a"
	if sc.op.create {
		appliedFig = fmt.Sprintf("%d/%d", applied, sc.calls)
		if applied > sc.calls {
			t.Errorf("%d creates applied over %d calls", applied, sc.calls)
		}
	}
	bytesFig := fmt.Sprintf("%d", read)
	if read > 1<<20 {
		bytesFig = fmt.Sprintf("%.1f MB", float64(read)/(1<<20))
	}
	if sc.maxBytes != 0 {
		bytesFig += fmt.Sprintf(" (of %d MB sent)", int64(sc.calls)*int64(sc.attempts)*fiftyMB>>20)
	}
	outcomeFig := sc.want.desc
	if t.Failed() {
		outcomeFig = "FAILED: " + outcomeFig
	}
	record(figure{
		Fault: sc.fault, Op: sc.op.name, Outcome: outcomeFig,
		Attempts: distinct(attempts), Applied: appliedFig,
		Elapsed:   fmt.Sprintf("%v / %v", worst.Round(time.Millisecond), sc.deadline),
		Conns:     fmt.Sprintf("%d over %d calls", conns, sc.calls),
		BytesRead: bytesFig, Late: late, Leaked: leaked,
	})
}
