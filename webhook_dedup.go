package conversations

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DuplicateFilter remembers the I-Twilio-Idempotency-Token of handled
// webhooks, so that [WebhookHandler] runs a redelivered post-event once. An
// implementation backed by a shared store (Redis SETNX, a database unique
// key) deduplicates across processes.
type DuplicateFilter interface {
	// Seen records token and reports whether it was already recorded. It
	// must be atomic: of concurrent calls with one token, one returns false.
	Seen(ctx context.Context, token string) (bool, error)
	// Forget removes token, after the callback for it failed, so that
	// Twilio's redelivery runs the callback again.
	Forget(ctx context.Context, token string) error
}

// MemoryDuplicateFilter is a DuplicateFilter for one process: it remembers
// tokens for a fixed time, and at most a fixed number of them (the oldest
// are forgotten first), so its memory is bounded. It is safe for concurrent
// use.
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
	at    time.Time
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

// Seen records token and reports whether it was recorded within the TTL.
func (f *MemoryDuplicateFilter) Seen(_ context.Context, token string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	f.expire(now)
	if _, ok := f.entries[token]; ok {
		return true, nil
	}
	for f.order.Len() >= f.max {
		f.remove(f.order.Front())
	}
	f.entries[token] = f.order.PushBack(&dupEntry{token: token, at: now})
	return false, nil
}

// Forget removes token.
func (f *MemoryDuplicateFilter) Forget(_ context.Context, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.entries[token]; ok {
		f.remove(e)
	}
	return nil
}

// Len returns the number of tokens remembered.
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
