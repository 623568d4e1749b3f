package conversations

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"
)

// TokenState is the state of an I-Twilio-Idempotency-Token in a
// [DuplicateFilter].
type TokenState int

const (
	// TokenNew means the token was not held: Reserve now holds it for the
	// caller, which must Commit or Release it.
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

// DuplicateFilter tracks the I-Twilio-Idempotency-Token of webhooks, so
// that [WebhookHandler] runs a redelivered post-event's callback once and
// never acknowledges an event whose callback has not succeeded. For each
// delivery the handler calls Reserve; when it returns [TokenNew] the handler
// runs the callback, then calls Commit after success or Release after a
// failure. An implementation backed by a shared store (Redis SET NX with an
// expiry, a database unique key with a state column) deduplicates across
// processes; it should expire a reservation that is never committed or
// released (a crashed process), after longer than a callback can run.
type DuplicateFilter interface {
	// Reserve reports the token's state and, when it is [TokenNew], holds
	// it as in progress. It must be atomic: of concurrent calls with one
	// token, one returns TokenNew.
	Reserve(ctx context.Context, token string) (TokenState, error)
	// Commit marks a reserved token done, after its callback succeeded.
	Commit(ctx context.Context, token string) error
	// Release forgets a reserved token, after its callback failed, so that
	// Twilio's redelivery runs the callback again.
	Release(ctx context.Context, token string) error
}

// MemoryDuplicateFilter is a DuplicateFilter for one process: it remembers
// tokens for a fixed time after they were reserved or committed, and at
// most a fixed number of them (the oldest are forgotten first), so its
// memory is bounded. It is safe for concurrent use.
type MemoryDuplicateFilter struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]*list.Element
	order   *list.List // of *dupEntry, oldest at the front
	now     func() time.Time
}

type dupEntry struct {
	token string
	at    time.Time // when reserved, or when committed
	done  bool
}

// NewMemoryDuplicateFilter returns a filter that remembers each token for
// ttl (24 h if ttl <= 0) and at most maxEntries tokens (10000 if
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
		entries: make(map[string]*list.Element),
		order:   list.New(),
		now:     time.Now,
	}
}

// Reserve returns the state of token and holds it when it is new.
func (f *MemoryDuplicateFilter) Reserve(_ context.Context, token string) (TokenState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	f.expire(now)
	if e, ok := f.entries[token]; ok {
		if e.Value.(*dupEntry).done {
			return TokenDone, nil
		}
		return TokenInProgress, nil
	}
	for f.order.Len() >= f.max {
		f.remove(f.order.Front())
	}
	f.entries[token] = f.order.PushBack(&dupEntry{token: token, at: now})
	return TokenNew, nil
}

// Commit marks token done; its TTL starts again. A token that is not held
// (released, expired or evicted) is recorded as done.
func (f *MemoryDuplicateFilter) Commit(_ context.Context, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if e, ok := f.entries[token]; ok {
		f.remove(e)
	}
	f.expire(now)
	for f.order.Len() >= f.max {
		f.remove(f.order.Front())
	}
	f.entries[token] = f.order.PushBack(&dupEntry{token: token, at: now, done: true})
	return nil
}

// Release forgets token.
func (f *MemoryDuplicateFilter) Release(_ context.Context, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.entries[token]; ok {
		f.remove(e)
	}
	return nil
}

// Len returns the number of tokens remembered, in progress or done.
func (f *MemoryDuplicateFilter) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expire(f.now())
	return f.order.Len()
}

// expire drops the tokens older than the TTL; they are at the front.
func (f *MemoryDuplicateFilter) expire(now time.Time) {
	for e := f.order.Front(); e != nil; e = f.order.Front() {
		if now.Sub(e.Value.(*dupEntry).at) < f.ttl {
			return
		}
		f.remove(e)
	}
}

func (f *MemoryDuplicateFilter) remove(e *list.Element) {
	delete(f.entries, e.Value.(*dupEntry).token)
	f.order.Remove(e)
}
