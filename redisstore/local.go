package redisstore

import (
	"sync"
	"time"

	"github.com/conversations-go/conversations"
)

// localCapacity bounds the tokens a DuplicateFilter holds in process during
// an outage (reservations in progress and done tokens not yet recorded in
// Redis).
const localCapacity = 100_000

// localStore is a DuplicateFilter's in-process memory of the tokens it
// handled without Redis (the [RunLocally] policy) and of the done tokens
// Redis has not recorded yet (a commit that failed, under either policy).
// A token leaves it once Redis holds its done record, or its done TTL has
// passed.
type localStore struct {
	mu      sync.Mutex
	entries map[string]*localEntry // by token
	cancels map[string]string      // token by owner: reservations to cancel in Redis
}

type localEntry struct {
	owner string
	done  bool      // the callback succeeded; Redis must record it
	at    time.Time // when committed (done), or reserved
}

func newLocalStore() *localStore {
	return &localStore{entries: map[string]*localEntry{}, cancels: map[string]string{}}
}

// peek returns the state of a token the process holds, if it does.
func (s *localStore) peek(token string) (conversations.TokenState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[token]
	switch {
	case !ok:
		return 0, false
	case e.done:
		return conversations.TokenDone, true
	}
	return conversations.TokenInProgress, true
}

// reserve holds token for owner in process. It reports the token's state
// (TokenNew when it is now held for owner) and false when the store is
// full.
func (s *localStore) reserve(token, owner string, now time.Time) (conversations.TokenState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[token]; ok {
		if e.done {
			return conversations.TokenDone, true
		}
		return conversations.TokenInProgress, true
	}
	if len(s.entries)+len(s.cancels) >= localCapacity {
		return 0, false
	}
	s.entries[token] = &localEntry{owner: owner, at: now}
	return conversations.TokenNew, true
}

// owns reports whether owner holds token in process, in progress or done
// and not yet recorded in Redis.
func (s *localStore) owns(token, owner string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[token]
	return ok && e.owner == owner
}

// markDone records that owner's callback for token succeeded, to be
// recorded in Redis. It reports false when another owner holds the token
// in process, or the store is full.
func (s *localStore) markDone(token, owner string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[token]
	switch {
	case ok && e.owner != owner && !e.done:
		return false
	case ok:
		e.owner, e.done, e.at = owner, true, now
		return true
	case len(s.entries)+len(s.cancels) >= localCapacity:
		return false
	}
	s.entries[token] = &localEntry{owner: owner, done: true, at: now}
	return true
}

// release forgets token if owner holds it in progress, and reports whether
// it did.
func (s *localStore) release(token, owner string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[token]; ok && !e.done && e.owner == owner {
		delete(s.entries, token)
		return true
	}
	return false
}

// pendingDone is a done token waiting to be recorded in Redis.
type pendingDone struct {
	token, owner string
	at           time.Time
}

// pending returns the done tokens not yet recorded in Redis, dropping (and
// counting) those whose done TTL has passed: Redis would forget them
// anyway.
func (s *localStore) pending(now time.Time, ttl time.Duration) (list []pendingDone, expired int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok, e := range s.entries {
		if !e.done {
			continue
		}
		if now.Sub(e.at) >= ttl {
			delete(s.entries, tok)
			expired++
			continue
		}
		list = append(list, pendingDone{token: tok, owner: e.owner, at: e.at})
	}
	return list, expired
}

// recorded forgets a done token once Redis holds it (or it was found held
// by another attempt, and is that attempt's to finish).
func (s *localStore) recorded(token, owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[token]; ok && e.done && e.owner == owner {
		delete(s.entries, token)
	}
}

// addCancel records that owner's reservation of token, which Redis may
// hold or get later, must be cancelled there. It reports false when the
// store is full.
func (s *localStore) addCancel(token, owner string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.entries)+len(s.cancels) >= localCapacity {
		return false
	}
	s.cancels[owner] = token
	return true
}

// pendingCancels returns the reservations to cancel in Redis, by owner.
func (s *localStore) pendingCancels() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]string, len(s.cancels))
	for o, t := range s.cancels {
		m[o] = t
	}
	return m
}

// cancelled forgets owner's cancellation once Redis has it.
func (s *localStore) cancelled(owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cancels, owner)
}

// counts returns how many tokens are in progress in process, how many done
// tokens wait to be recorded, and how many reservations wait to be
// cancelled in Redis.
func (s *localStore) counts() (inProgress, done, cancels int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.done {
			done++
		} else {
			inProgress++
		}
	}
	return inProgress, done, len(s.cancels)
}

// dropAll forgets every done token not yet recorded, and every
// cancellation, and returns how many tokens it forgot.
func (s *localStore) dropAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.cancels)
	n := 0
	for tok, e := range s.entries {
		if e.done {
			delete(s.entries, tok)
			n++
		}
	}
	return n
}
