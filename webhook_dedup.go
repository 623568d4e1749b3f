package conversations

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// TokenState is the state of an I-Twilio-Idempotency-Token in a
// [DuplicateFilter].
type TokenState int

const (
	// TokenNew means the token was not held: Reserve now holds it for the
	// caller, which must Commit or Release the [Reservation] it returned.
	TokenNew TokenState = iota
	// TokenInProgress means another delivery of the event holds the token
	// and its callback is still running.
	TokenInProgress
	// TokenDone means a delivery of the event was handled successfully.
	TokenDone
)

// String returns "new", "in progress" or "done".
func (s TokenState) String() string {
	switch s {
	case TokenNew:
		return "new"
	case TokenInProgress:
		return "in progress"
	case TokenDone:
		return "done"
	}
	return fmt.Sprintf("TokenState(%d)", int(s))
}

// ErrDuplicateFilterFull is returned (wrapped) by [MemoryDuplicateFilter]'s
// Reserve when every entry it may hold is a reservation still in progress:
// it refuses the new token rather than forget one of them. [WebhookHandler]
// answers [InProgressStatus] with Retry-After to a Reserve error wrapping
// it, so the delivery counts as failed and is not acknowledged.
var ErrDuplicateFilterFull = errors.New("conversations: duplicate filter is full of reservations in progress")

// Reservation is one delivery attempt's hold on an idempotency token.
type Reservation struct {
	Token string // the I-Twilio-Idempotency-Token
	Owner string // unique to this attempt, chosen by the filter in Reserve
}

// DuplicateFilter tracks the I-Twilio-Idempotency-Token of webhooks, so
// that [WebhookHandler] runs a redelivered post-event's callback once and
// never acknowledges an event whose callback has not succeeded. For each
// delivery the handler calls Reserve; when it returns [TokenNew] the handler
// runs the callback, then calls Commit with the returned [Reservation] after
// success or Release after a failure.
//
// Commit and Release act only on their own reservation, identified by its
// Owner: an attempt that outlived its reservation (a shared store expired
// it, and a newer delivery reserved the token) must not drop or complete the
// newer attempt's hold. An implementation backed by a shared store (Redis
// SET NX with an expiry and a compare-and-delete script, a database unique
// key with owner and state columns) deduplicates across processes; it
// should expire a reservation that is never committed or released (a
// crashed process), after longer than a callback can run.
type DuplicateFilter interface {
	// Reserve reports the token's state and, when it is [TokenNew], holds
	// it as in progress for a new owner, returned in the Reservation (the
	// zero Reservation otherwise). It must be atomic: of concurrent calls
	// with one token, one returns TokenNew.
	Reserve(ctx context.Context, token string) (TokenState, Reservation, error)
	// Commit marks r's token done, after its callback succeeded, if r.Owner
	// still holds it or nobody holds it (then it records the token as
	// done). When another owner holds the token it does nothing: that
	// attempt commits or releases it.
	Commit(ctx context.Context, r Reservation) error
	// Release forgets r's token, after its callback failed, so that a
	// redelivery runs the callback again, but only if r.Owner still holds
	// it; otherwise it does nothing.
	Release(ctx context.Context, r Reservation) error
}

// MemoryDuplicateFilter is a DuplicateFilter for one process. It remembers
// a done token for a fixed time after it was committed, and at most a fixed
// number of tokens, in progress or done; when full it forgets the oldest
// done token first. A reservation in progress is never forgotten by this
// housekeeping, whatever its age: it ends only with its Commit or Release
// (in one process, a callback that returns, fails or panics always ends
// it). When every entry is a reservation in progress, Reserve refuses a new
// token with an error wrapping [ErrDuplicateFilterFull]. Commit and Release
// of a reservation whose owner no longer holds the token do nothing and
// return nil. It is safe for concurrent use.
type MemoryDuplicateFilter struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]*dupEntry
	done    *list.List // of *dupEntry that are done, oldest commit at the front
	next    uint64     // owner counter
	now     func() time.Time
}

type dupEntry struct {
	token string
	owner string        // holder while in progress
	at    time.Time     // when committed
	elem  *list.Element // in done; nil while in progress
}

// NewMemoryDuplicateFilter returns a filter that remembers each done token
// for ttl (24 h if ttl <= 0) and at most maxEntries tokens (10000 if
// maxEntries <= 0).
func NewMemoryDuplicateFilter(ttl time.Duration, maxEntries int) *MemoryDuplicateFilter {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	if maxEntries <= 0 {
		maxEntries = 10000
	}
	return &MemoryDuplicateFilter{
		ttl:     ttl,
		max:     maxEntries,
		entries: make(map[string]*dupEntry),
		done:    list.New(),
		now:     time.Now,
	}
}

// Reserve returns the state of token and holds it when it is new.
func (f *MemoryDuplicateFilter) Reserve(_ context.Context, token string) (TokenState, Reservation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expire(f.now())
	if e, ok := f.entries[token]; ok {
		if e.elem != nil {
			return TokenDone, Reservation{}, nil
		}
		return TokenInProgress, Reservation{}, nil
	}
	if !f.makeRoom() {
		return TokenNew, Reservation{}, fmt.Errorf("%w (%d entries)", ErrDuplicateFilterFull, f.max)
	}
	f.next++
	r := Reservation{Token: token, Owner: "mem-" + strconv.FormatUint(f.next, 10)}
	f.entries[token] = &dupEntry{token: token, owner: r.Owner}
	return TokenNew, r, nil
}

// Commit marks r's token done if r.Owner holds it or nobody does; its TTL
// starts now. A token held by another owner is left to that owner. A
// token that nobody holds is not recorded when the filter is full of
// reservations in progress (the error wraps [ErrDuplicateFilterFull]).
func (f *MemoryDuplicateFilter) Commit(_ context.Context, r Reservation) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	f.expire(now)
	e, ok := f.entries[r.Token]
	switch {
	case ok && e.elem == nil && e.owner != r.Owner:
		return nil // a newer attempt holds the token
	case ok && e.elem != nil:
		f.done.Remove(e.elem) // done already: the TTL starts again
	case ok:
		// r's own reservation: it becomes done.
	default:
		if !f.makeRoom() {
			return fmt.Errorf("%w (%d entries)", ErrDuplicateFilterFull, f.max)
		}
		e = &dupEntry{token: r.Token}
		f.entries[r.Token] = e
	}
	e.owner = ""
	e.at = now
	e.elem = f.done.PushBack(e)
	return nil
}

// Release forgets r's token if r.Owner still holds it.
func (f *MemoryDuplicateFilter) Release(_ context.Context, r Reservation) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.entries[r.Token]; ok && e.elem == nil && e.owner == r.Owner {
		delete(f.entries, r.Token)
	}
	return nil
}

// Len returns the number of tokens remembered, in progress or done.
func (f *MemoryDuplicateFilter) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expire(f.now())
	return len(f.entries)
}

// makeRoom forgets the oldest done tokens until one more entry fits, and
// reports whether it does: it does not when all entries are in progress.
func (f *MemoryDuplicateFilter) makeRoom() bool {
	for len(f.entries) >= f.max {
		front := f.done.Front()
		if front == nil {
			return false
		}
		f.forget(front)
	}
	return true
}

// expire drops the done tokens committed longer than the TTL ago; they are
// at the front.
func (f *MemoryDuplicateFilter) expire(now time.Time) {
	for e := f.done.Front(); e != nil; e = f.done.Front() {
		if now.Sub(e.Value.(*dupEntry).at) < f.ttl {
			return
		}
		f.forget(e)
	}
}

func (f *MemoryDuplicateFilter) forget(e *list.Element) {
	delete(f.entries, e.Value.(*dupEntry).token)
	f.done.Remove(e)
}
