package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
)

const dedupHookURL = "https://hooks.example.test/twilio"

// dedupRig is a WebhookHandler with a MemoryDuplicateFilter whose
// onMessageAdded callback blocks until the test lets it finish, counting
// how many runs are under way at once.
type dedupRig struct {
	t       *testing.T
	h       *conversations.WebhookHandler
	runs    atomic.Int64
	running atomic.Int64
	maxConc atomic.Int64
	started chan run // each run, when it starts
	wg      sync.WaitGroup
}

// run is one run of the callback: it ends when it receives from finish
// (failing if true).
type run struct {
	token  string
	finish chan bool
}

func newDedupRig(t *testing.T, ttl time.Duration, maxEntries int) *dedupRig {
	g := &dedupRig{t: t, started: make(chan run, 16)}
	h, err := conversations.NewWebhookHandler(authToken,
		conversations.WithDuplicateFilter(conversations.NewMemoryDuplicateFilter(ttl, maxEntries)))
	if err != nil {
		t.Fatal(err)
	}
	h.OnMessageAdded(func(_ context.Context, ev *conversations.MessageAddedEvent) error {
		g.runs.Add(1)
		n := g.running.Add(1)
		defer g.running.Add(-1)
		for {
			m := g.maxConc.Load()
			if n <= m || g.maxConc.CompareAndSwap(m, n) {
				break
			}
		}
		r := run{ev.IdempotencyToken, make(chan bool)}
		g.started <- r
		if <-r.finish {
			return errors.New("transient failure")
		}
		return nil
	})
	g.h = h
	t.Cleanup(g.wg.Wait)
	return g
}

// deliver sends one signed onMessageAdded delivery with token and returns
// its status and Retry-After.
func (g *dedupRig) deliver(token string) (int, string) {
	form := url.Values{"EventType": {"onMessageAdded"}, "AccountSid": {accountSID}, "ConversationSid": {convSID},
		"MessageSid": {"IMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "Body": {"hi"}, "Author": {"a"}, "Index": {"0"},
		"DateCreated": {"2024-01-01T00:00:00Z"}, "Source": {"API"}, "RetryCount": {"0"}}
	r, err := conversations.NewSignedWebhookRequest(authToken, dedupHookURL, form)
	if err != nil {
		g.t.Fatal(err)
	}
	r.Header.Set(conversations.IdempotencyHeader, token)
	w := httptest.NewRecorder()
	g.h.ServeHTTP(w, r)
	return w.Code, w.Header().Get("Retry-After")
}

// attempt delivers token in the background and reports whether its
// callback started (ran; the run waits for finishOf(token)) or the delivery
// was answered without running it (code, retryAfter).
type attemptResult struct {
	ran        bool
	run        run
	code       int
	retryAfter string
	done       <-chan int // the status, once a run is let finish
}

func (g *dedupRig) attempt(token string) attemptResult {
	g.t.Helper()
	type answer struct {
		code  int
		retry string
	}
	ans := make(chan answer, 1)
	done := make(chan int, 1)
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		code, retry := g.deliver(token)
		ans <- answer{code, retry}
		done <- code
	}()
	select {
	case r := <-g.started:
		if r.token != token {
			g.t.Errorf("run of %q started, want %q", r.token, token)
		}
		return attemptResult{ran: true, run: r, done: done}
	case a := <-ans:
		return attemptResult{code: a.code, retryAfter: a.retry, done: done}
	case <-time.After(5 * time.Second):
		g.t.Fatalf("delivery of %q neither ran nor answered", token)
	}
	return attemptResult{}
}

// end lets a's run (if any) finish, failing it if fail, and returns a's
// status.
func (g *dedupRig) end(a attemptResult, fail bool) int {
	g.t.Helper()
	if a.ran {
		a.run.finish <- fail
	}
	return <-a.done
}

// TestDuplicateFilterHoldsInProgress (issue 13, item 10): the in-memory
// duplicate filter never lets its own housekeeping (the entry cap, the TTL)
// drop a reservation whose callback still runs, and a Release from an
// attempt that outlived its reservation cannot drop a newer attempt's.
func TestDuplicateFilterHoldsInProgress(t *testing.T) {
	t.Run("full of in-progress entries", func(t *testing.T) {
		g := newDedupRig(t, time.Hour, 1)
		first := g.attempt("tok-a")
		// The filter is full with a reservation in progress: a new token is
		// refused (not run, not acknowledged), so tok-a is not evicted and
		// its redelivery is answered in progress.
		b := g.attempt("tok-b")
		a2 := g.attempt("tok-a")
		if b.ran || b.code != conversations.InProgressStatus || b.retryAfter == "" {
			t.Errorf("new token while full of in-progress entries: ran %v, status %d, Retry-After %q; want %d with Retry-After",
				b.ran, b.code, b.retryAfter, conversations.InProgressStatus)
		}
		if a2.ran || a2.code != conversations.InProgressStatus || a2.retryAfter != "5" {
			t.Errorf("redelivery while in progress: ran %v (second concurrent run), status %d, Retry-After %q", a2.ran, a2.code, a2.retryAfter)
		}
		g.end(b, false)
		g.end(a2, false)
		if c := g.end(first, false); c != 200 {
			t.Errorf("first delivery: status %d", c)
		}
		// Once committed, the done entry may be evicted for a new token.
		b2 := g.attempt("tok-b")
		if c := g.end(b2, false); !b2.ran || c != 200 {
			t.Errorf("tok-b after tok-a finished: ran %v, status %d", b2.ran, c)
		}
		recordDedup("filter full (cap 1) of an in-progress entry: redelivery, new token",
			fmt.Sprintf("redelivery ran %v (%d), new token ran %v (%d, Retry-After %s)", a2.ran, a2.code, b.ran, b.code, b.retryAfter),
			g, !a2.ran && !b.ran)
	})

	t.Run("older than the TTL while in progress", func(t *testing.T) {
		g := newDedupRig(t, 30*time.Millisecond, 100)
		first := g.attempt("tok-ttl")
		time.Sleep(60 * time.Millisecond) // past the TTL, callback still running
		second := g.attempt("tok-ttl")
		if second.ran || second.code != conversations.InProgressStatus {
			t.Errorf("redelivery past the TTL while in progress: ran %v (second concurrent run), status %d, want %d",
				second.ran, second.code, conversations.InProgressStatus)
		}
		g.end(second, false)
		g.end(first, false)
		recordDedup("TTL 30ms, callback still running at 60ms: redelivery",
			fmt.Sprintf("redelivery ran %v (%d)", second.ran, second.code), g, !second.ran)
	})

	t.Run("late release of an outlived reservation", func(t *testing.T) {
		g := newDedupRig(t, 30*time.Millisecond, 100)
		first := g.attempt("tok-rel")
		time.Sleep(60 * time.Millisecond)
		// With the bug the second delivery runs (the reservation expired);
		// fixed, it is answered in progress.
		second := g.attempt("tok-rel")
		// The first attempt fails and releases its token.
		if c := g.end(first, true); c != 500 {
			t.Errorf("first (failing) delivery: status %d", c)
		}
		// Third delivery: if the second still runs, its reservation must
		// hold; if not, the released token runs once more (Twilio's retry).
		third := g.attempt("tok-rel")
		if second.ran && third.ran {
			t.Error("third delivery ran while the second still held the token: the late Release dropped its reservation")
		}
		if !second.ran && !third.ran {
			t.Errorf("after the failed first attempt, the next delivery did not run the callback (status %d)", third.code)
		}
		g.end(second, false)
		g.end(third, false)
		recordDedup("TTL 30ms; first attempt fails after a redelivery: third delivery",
			fmt.Sprintf("second ran %v, third ran %v", second.ran, third.ran), g, !(second.ran && third.ran))
	})
}

func recordDedup(fault, outcome string, g *dedupRig, ok bool) {
	verdict := "ok"
	if !ok || g.maxConc.Load() > 1 {
		verdict = "FAIL"
	}
	record(figure{Fault: "#10 " + fault, Op: "WebhookHandler + MemoryDuplicateFilter", Outcome: outcome + ": " + verdict,
		Attempts: "-", Applied: fmt.Sprintf("%d runs, max %d at once", g.runs.Load(), g.maxConc.Load()),
		Elapsed: "-", Conns: "-", BytesRead: "-", Leaked: "-"})
}
