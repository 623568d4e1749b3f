package conversations

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBulkConcurrency is how many items a bulk operation works on at once
// unless [BulkOptions] says otherwise.
const DefaultBulkConcurrency = 8

// bulkRounds bounds how many times one step of an item is tried (each try
// includes the client's own retries).
const bulkRounds = 10

// ErrUncertain is returned (wrapped, in an item's [BulkResult]) when a
// create may have been applied by Twilio although it failed, and there is no
// way to check: it is not sent again. Give conversations a UniqueName so that
// [ConversationsService.CreateMany] can check.
var ErrUncertain = errors.New("conversations: the request may have been applied; not sent again")

// BulkOptions configures a bulk operation. A nil *BulkOptions uses the
// defaults.
//
// The bulk operations ([ParticipantsService.AddMany],
// [ConversationsService.CreateMany], [ConversationsService.CloseMany],
// [ConversationsService.DeleteMany]) work through many items at once, paced
// so that they stay under Twilio's rate limits, and report an outcome for
// every item: nothing is lost, and nothing is done twice.
//
// They pace their mutating calls through the client's [RateLimiter] (see
// [WithRateLimiter]); a client without one uses an in-process limiter at
// Twilio's default rate, shared by all bulk operations of that client.
//
// A call answered 429 was not processed, so it is sent again (after the
// client's own retries, the bulk operation keeps trying, slowing down). A
// create that may have reached Twilio (a 5xx answer, a connection broken
// after the request was sent) is never sent again blindly: the operation
// first looks for what it would have created (a participant by identity or
// address, a conversation by unique name, a message by author and body) and
// creates it only when it is not there. A create that cannot be checked (a
// conversation without a unique name) fails with [ErrUncertain] instead.
type BulkOptions struct {
	// Concurrency is how many items are worked on at once (default
	// DefaultBulkConcurrency). Pacing, not concurrency, sets the rate: a
	// few items in flight are enough to keep up with Twilio's limit over
	// round trips of 100 ms or more.
	Concurrency int
	// Progress, when set, is called each time an item is finished (done,
	// skipped or failed) with the number finished so far and the total. The
	// calls never overlap and finished grows by one each time, so it can
	// draw a progress bar directly.
	Progress func(finished, total int)
}

// BulkStatus is the outcome of one item of a bulk operation.
type BulkStatus int

const (
	// BulkDone means the item was created, updated or deleted by this run.
	BulkDone BulkStatus = iota + 1
	// BulkSkipped means the item was already there (or already closed, or
	// already gone), so nothing was sent for it, or what was sent was
	// refused as a duplicate.
	BulkSkipped
	// BulkFailed means the item failed; its Err says why. Items not
	// attempted because the context ended fail with the context's error.
	BulkFailed
)

// String returns "done", "skipped" or "failed".
func (s BulkStatus) String() string {
	switch s {
	case BulkDone:
		return "done"
	case BulkSkipped:
		return "skipped"
	case BulkFailed:
		return "failed"
	}
	return fmt.Sprintf("BulkStatus(%d)", int(s))
}

// BulkResult is the outcome of one item of a bulk operation; a bulk
// operation returns one for each item, in the items' order.
type BulkResult[T any] struct {
	// Status is whether the item was done, skipped or failed.
	Status BulkStatus
	// Value is the resource created, found already there, or updated; nil
	// when the item failed, and for deletes.
	Value *T
	// Err is why the item failed (nil unless Status is BulkFailed).
	Err error
}

// BulkError is returned by a bulk operation when some items failed. Each
// item's own error is in its [BulkResult].
type BulkError struct {
	// Failed is how many items failed, of Total items.
	Failed, Total int
	// Err is the context's error when the context ended the run, else the
	// first failed item's error.
	Err error
}

// Error implements error.
func (e *BulkError) Error() string {
	return fmt.Sprintf("conversations: %d of %d items failed: %v", e.Failed, e.Total, e.Err)
}

// Unwrap returns Err.
func (e *BulkError) Unwrap() error { return e.Err }

// bulkPacer holds a client's in-process limiter for bulk operations, made
// when first needed.
type bulkPacer struct {
	once sync.Once
	lim  *LocalRateLimiter
}

func (b *bulkPacer) limiter() RateLimiter {
	b.once.Do(func() { b.lim, _ = NewRateLimiter(RateLimits{}) })
	return b.lim
}

// paced returns s, or a copy of s paced by the client's bulk limiter when the
// client has no limiter of its own.
func (s *service) paced() *service {
	if s.core.limiter != nil || s.pace != nil {
		return s
	}
	return &service{core: s.core, prefix: s.prefix, err: s.err, pace: s.core.bulk.limiter()}
}

// checkBulkOptions rejects invalid options before a bulk operation starts.
func checkBulkOptions(opts *BulkOptions) error {
	if opts != nil && opts.Concurrency < 0 {
		return errors.New("conversations: BulkOptions.Concurrency must not be negative")
	}
	return nil
}

// runBulk calls work for items 0..total-1, at most opts.Concurrency at a
// time, and collects their results. Items not started when ctx ends fail
// with ctx's error. Its callers checked ctx (not nil) and opts
// ([checkBulkOptions]) first.
// bt, when not nil, gets a span per item, parent of the item's calls.
func runBulk[T any](ctx context.Context, bt *bulkTrace, total int, opts *BulkOptions, work func(ctx context.Context, i int) BulkResult[T]) ([]BulkResult[T], error) {
	var o BulkOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultBulkConcurrency
	}
	results := make([]BulkResult[T], total)
	var (
		next     atomic.Int64
		mu       sync.Mutex
		finished int
		wg       sync.WaitGroup
	)
	finish := func(i int, r BulkResult[T]) {
		results[i] = r
		mu.Lock()
		defer mu.Unlock()
		finished++
		if o.Progress != nil {
			o.Progress(finished, total)
		}
	}
	for range min(o.Concurrency, total) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				if err := ctx.Err(); err != nil {
					finish(i, BulkResult[T]{Status: BulkFailed, Err: err})
					continue
				}
				if bt == nil {
					finish(i, work(ctx, i))
					continue
				}
				ictx, span := bt.startItem(ctx, i)
				r := work(ictx, i)
				bt.endItem(span, r.Status, r.Err)
				finish(i, r)
			}
		}()
	}
	wg.Wait()
	failed := 0
	var first error
	for _, r := range results {
		if r.Status == BulkFailed {
			failed++
			if first == nil {
				first = r.Err
			}
		}
	}
	if failed == 0 {
		return results, nil
	}
	if err := ctx.Err(); err != nil {
		first = err
	}
	return results, &BulkError{Failed: failed, Total: total, Err: first}
}

// failure is how a failed call may be handled.
type failure int

const (
	failFinal     failure = iota // a definitive answer: not retried
	failThrottled                // 429: not processed, safe to send again
	failNotSent                  // the request never left: safe to send again
	failUncertain                // it may have been applied
	failStopped                  // the context ended
)

func classify(ctx context.Context, err error) failure {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return failStopped
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.Status == http.StatusTooManyRequests:
			return failThrottled
		case apiErr.Status >= 500:
			return failUncertain
		}
		return failFinal
	}
	var reqErr *RequestError
	if errors.As(err, &reqErr) {
		if reqErr.Status == 0 && notSent(err) {
			return failNotSent
		}
		if errors.As(err, new(redirectError)) {
			return failFinal
		}
		return failUncertain
	}
	return failFinal // bad input, caught before sending
}

// bulkStep is one call of a bulk item, with what is known about repeating it.
type bulkStep[T any] struct {
	send func(ctx context.Context) (*T, error)
	// find looks for the effect of send; it returns an error matching
	// ErrNotFound when there is none. nil when it cannot be checked.
	find func(ctx context.Context) (*T, error)
	// idempotent: sending again is harmless (an update, a delete).
	idempotent bool
	// present reports whether send's error says the effect is already
	// there (a duplicate); find, when set, confirms it.
	present func(err error) bool
}

// run performs the step: it returns the value, and whether this run made the
// change (false: it was already there).
func (s bulkStep[T]) run(ctx context.Context) (*T, bool, error) {
	mayHaveApplied := false // an attempt of ours may have been applied
	verify := false         // look for the effect before sending again
	var lastErr error
	for round := 0; ; round++ {
		if round > 0 {
			if round >= bulkRounds {
				return nil, false, fmt.Errorf("conversations: gave up after %d tries: %w", bulkRounds, lastErr)
			}
			if err := bulkSleep(ctx, round); err != nil {
				return nil, false, err
			}
		}
		if verify {
			v, err := s.find(ctx)
			if err == nil {
				return v, true, nil
			}
			if !IsNotFound(err) {
				switch classify(ctx, err) {
				case failFinal, failStopped:
					return nil, false, err
				}
				lastErr = err
				continue // look again
			}
			verify = false
		}
		v, err := s.send(ctx)
		if err == nil {
			return v, true, nil
		}
		if s.present != nil && s.present(err) {
			if s.find == nil {
				return nil, mayHaveApplied, nil
			}
			found, ferr := s.find(ctx)
			if ferr == nil {
				return found, mayHaveApplied, nil
			}
			if IsNotFound(ferr) {
				return nil, false, err // a duplicate somewhere else
			}
			lastErr, verify = ferr, true
			continue
		}
		lastErr = err
		switch classify(ctx, err) {
		case failFinal, failStopped:
			return nil, false, err
		case failUncertain:
			mayHaveApplied = true
			if s.idempotent {
				continue
			}
			if s.find == nil {
				return nil, false, fmt.Errorf("%w: %w", ErrUncertain, err)
			}
			verify = true
		}
	}
}

// bulkSleep waits before try round+1: a random duration up to
// 100ms·2^round, capped at 5s.
func bulkSleep(ctx context.Context, round int) error {
	ceiling := min(100*time.Millisecond<<min(round, 10), 5*time.Second)
	return sleep(ctx, time.Duration(rand.Int64N(int64(ceiling)))+time.Millisecond)
}

// statusOf is BulkDone for a change made by this run, else BulkSkipped.
func statusOf(changed bool) BulkStatus {
	if changed {
		return BulkDone
	}
	return BulkSkipped
}
