package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errNoAnswer marks a Redis call that did not answer within its bound, or
// that was not tried because Redis is known to be down ([health]).
var errNoAnswer = errors.New("Redis did not answer")

// bounded runs fn (one Redis round trip) with a context that ends at ctx's
// deadline or after timeout, whichever comes first, and returns by then
// whatever the client does: go-redis with ContextTimeoutEnabled off (its
// default) does not stop reading a stalled connection before its
// ReadTimeout, and then retries.
//
// fn runs in a goroutine of its own. When the bound passes first, bounded
// returns an error wrapping errNoAnswer and the context's error, cancels
// fn's context (so go-redis stops waiting for a pooled connection and does
// not retry), and lets fn finish in the background, at the latest after the
// client's read (or dial) timeout; its answer is dropped. The command may
// still run in Redis later (a stalled server runs what it has read once it
// resumes): every script of this package is written so that such a late
// run is recognised as the caller's own (its owner value), and
// [DuplicateFilter] cancels a reservation whose answer it did not get.
func bounded[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1) // the goroutine never blocks on it
	go func() {
		defer cancel()
		v, err := fn(cctx)
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-cctx.Done():
		select {
		case r := <-ch: // the answer came at the same moment
			return r.v, r.err
		default:
		}
		cancel()
		var zero T
		return zero, fmt.Errorf("%w within %v: %w", errNoAnswer, timeout, cctx.Err())
	}
}

// timeoutFor returns the bound of one call made now for ctx: the call
// timeout, or less when ctx's deadline comes first (bounded applies ctx's
// deadline too; this is for logs and for budgets).
func timeoutFor(ctx context.Context, callTimeout time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return min(max(time.Until(dl), 0), callTimeout)
	}
	return callTimeout
}

// probeEvery is how often, while Redis is down, one call tries it again.
const probeEvery = 100 * time.Millisecond

// health remembers whether Redis answered the last call, so that while it
// is down the calls that have a fallback (Reserve, Wait) use it at once
// instead of each waiting for its bound: one call at a time, at most every
// probeEvery, still tries Redis (a probe), and its success ends the outage.
type health struct {
	mu      sync.Mutex
	down    bool
	probing bool
	lastTry time.Time
}

// admit reports whether a call should try Redis now, and whether it is the
// probe (it must then report its outcome with probe true).
func (h *health) admit() (try, probe bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return true, false
	}
	if h.probing || time.Since(h.lastTry) < probeEvery {
		return false, false
	}
	h.probing, h.lastTry = true, time.Now()
	return true, true
}

// report records the outcome of a call to Redis (ok: it answered).
func (h *health) report(ok, probe bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if probe {
		h.probing = false
	}
	if ok {
		h.down = false
		return
	}
	h.down, h.lastTry = true, time.Now()
}

// isDown reports whether the last call found Redis down.
func (h *health) isDown() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down
}
