package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
)

// ErrLeaseLost is returned by [DuplicateFilter.Commit] when the reservation
// it commits is held by another delivery attempt: this attempt's lease ran
// out (Redis was unreachable for longer than the lease, or evicted the
// key) and a redelivery reserved the token, so the callback may have run
// twice. The newer reservation is left alone.
var ErrLeaseLost = errors.New("redisstore: the reservation's lease was lost to another delivery")

// Defaults of the [DuplicateFilter] options.
const (
	// DefaultLease is how long a [DuplicateFilter] reservation lives
	// without being renewed: how long after its process dies a redelivery
	// can run the callback again.
	DefaultLease = 30 * time.Second
	// DefaultDoneTTL is how long a [DuplicateFilter] remembers a token whose
	// callback succeeded. Twilio publishes no redelivery schedule for
	// Conversations webhooks, so the default is generous.
	DefaultDoneTTL = 24 * time.Hour
)

// minLease keeps the renewal period (a third of the lease) well above a
// Redis round trip.
const minLease = 30 * time.Millisecond

// WithLease sets how long a [DuplicateFilter] reservation lives without
// renewal ([DefaultLease]; at least 30 ms). While the callback runs, the
// filter renews the lease every third of it, so the lease bounds how long a
// redelivery waits after a process died, not how long a callback may run.
func WithLease(d time.Duration) Option {
	return func(c *config) { c.lease = d }
}

// WithDoneTTL sets how long a [DuplicateFilter] remembers a token whose
// callback succeeded ([DefaultDoneTTL]).
func WithDoneTTL(d time.Duration) Option {
	return func(c *config) { c.doneTTL = d }
}

// doneValue marks a token whose callback succeeded. Owners are "o:" and
// hex, so they never equal it.
const doneValue = "done"

// DuplicateFilter is a conversations.DuplicateFilter shared by every process
// that uses the same Redis and key prefix, so that a webhook redelivered to
// any replica runs its callback once. Pass it to each replica's handler with
// conversations.WithDuplicateFilter.
//
// Each token is one key. Reserve sets it to a random owner value with SET NX
// semantics and a short lease ([WithLease], 30 s by default), so it is
// atomic across processes and a reservation whose process died expires
// after the lease; while the reservation lives, a goroutine renews the lease
// every third of it, so a callback that runs longer than the lease is not
// run again by a redelivery. Commit and Release are Lua scripts that act
// only when the key still holds the reservation's owner, so a late Release
// from an earlier attempt cannot drop a newer reservation. A committed token
// is kept for [WithDoneTTL] (24 h by default).
//
// Every Reservation that Reserve returns with conversations.TokenNew must be
// committed or released (the WebhookHandler always does), or its lease is
// renewed for as long as the process lives.
//
// Eviction: a reservation that Redis evicts is gone, and a redelivery runs
// the callback again. Every key of this package has an expiry, so under
// memory pressure the allkeys-* and the volatile-* maxmemory policies may
// all evict them. Run the Redis that holds these keys with
// maxmemory-policy noeviction (or with no maxmemory): a full Redis then
// makes Reserve fail and the handler answers 500 without running the
// callback: the event is not acknowledged, and nothing runs twice.
//
// A DuplicateFilter is safe for concurrent use.
type DuplicateFilter struct {
	client  redis.Scripter
	prefix  string
	lease   time.Duration
	doneTTL time.Duration
	log     *slog.Logger

	mu       sync.Mutex
	renewals map[string]*renewal // by owner
}

// renewal is the goroutine that keeps one reservation's lease alive.
type renewal struct {
	stop chan struct{}
	done chan struct{}
}

// NewDuplicateFilter returns a filter on client (a *redis.Client,
// *redis.ClusterClient or *redis.Ring; each script touches one key).
// Options: [WithLease], [WithDoneTTL], [WithKeyPrefix], [WithLogger].
func NewDuplicateFilter(client redis.Scripter, opts ...Option) (*DuplicateFilter, error) {
	if client == nil {
		return nil, errNilClient
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &DuplicateFilter{
		client:   client,
		prefix:   c.prefix + "dedup:",
		lease:    c.lease,
		doneTTL:  c.doneTTL,
		log:      c.logger,
		renewals: map[string]*renewal{},
	}, nil
}

// reserveTokenScript: KEYS[1] the token's key; ARGV: owner, lease ms.
// Answers 0 (reserved for owner), 1 (held by another attempt), 2 (done).
var reserveTokenScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
if v == 'done' then return 2 end
return 1
`)

// renewScript: KEYS[1] the token's key; ARGV: owner, lease ms. Answers 1
// after extending the lease, 0 when owner no longer holds the key.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// commitScript: KEYS[1] the token's key; ARGV: owner, done TTL ms. Records
// done when owner holds the key or nobody does, and answers 1 then (or when
// the token is already done); answers 0, changing nothing, when another
// owner holds it.
var commitScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 1 end
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
`)

// releaseScript: KEYS[1] the token's key; ARGV: owner. Deletes the key when
// owner holds it; answers 1 then, else 0.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)

// Reserve reports the token's state and, when it is new, holds it for a
// new owner: one Redis round trip. The reservation's lease is renewed
// until Commit or Release.
func (f *DuplicateFilter) Reserve(ctx context.Context, token string) (conversations.TokenState, conversations.Reservation, error) {
	if token == "" {
		return 0, conversations.Reservation{}, errors.New("redisstore: empty idempotency token")
	}
	owner, err := newOwner()
	if err != nil {
		return 0, conversations.Reservation{}, err
	}
	n, err := reserveTokenScript.Run(ctx, f.client, []string{f.prefix + token},
		owner, f.lease.Milliseconds()).Int64()
	if err != nil {
		return 0, conversations.Reservation{}, fmt.Errorf("redisstore: reserve: %w", err)
	}
	switch n {
	case 0:
		r := conversations.Reservation{Token: token, Owner: owner}
		f.startRenewal(ctx, r)
		return conversations.TokenNew, r, nil
	case 1:
		return conversations.TokenInProgress, conversations.Reservation{}, nil
	case 2:
		return conversations.TokenDone, conversations.Reservation{}, nil
	}
	return 0, conversations.Reservation{}, fmt.Errorf("redisstore: reserve: unexpected script answer %d", n)
}

// Commit marks r's token done for the done TTL, when r still holds it or
// nobody does (its lease ran out and no other attempt took it). When
// another attempt holds the token, Commit changes nothing and returns
// [ErrLeaseLost].
func (f *DuplicateFilter) Commit(ctx context.Context, r conversations.Reservation) error {
	f.stopRenewal(r.Owner)
	n, err := commitScript.Run(ctx, f.client, []string{f.prefix + r.Token},
		r.Owner, f.doneTTL.Milliseconds()).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: commit: %w", err)
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Release forgets r's token, so that a redelivery runs the callback again,
// when r still holds it; otherwise (another attempt took the token after
// r's lease ran out, or it is done) it changes nothing.
func (f *DuplicateFilter) Release(ctx context.Context, r conversations.Reservation) error {
	f.stopRenewal(r.Owner)
	if err := releaseScript.Run(ctx, f.client, []string{f.prefix + r.Token}, r.Owner).Err(); err != nil {
		return fmt.Errorf("redisstore: release: %w", err)
	}
	return nil
}

// newOwner returns a random owner value for one reservation.
func newOwner() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("redisstore: owner: %w", err)
	}
	return "o:" + hex.EncodeToString(b[:]), nil
}

// startRenewal starts the goroutine that renews r's lease every third of
// it. It runs detached from ctx's cancellation: a request whose client
// went away still has a callback running.
func (f *DuplicateFilter) startRenewal(ctx context.Context, r conversations.Reservation) {
	rn := &renewal{stop: make(chan struct{}), done: make(chan struct{})}
	f.mu.Lock()
	f.renewals[r.Owner] = rn
	f.mu.Unlock()
	go f.renew(context.WithoutCancel(ctx), r, rn)
}

func (f *DuplicateFilter) renew(ctx context.Context, r conversations.Reservation, rn *renewal) {
	defer close(rn.done)
	period := f.lease / 3
	tick := time.NewTicker(period)
	defer tick.Stop()
	key := []string{f.prefix + r.Token}
	for {
		select {
		case <-rn.stop:
			return
		case <-tick.C:
		}
		cctx, cancel := context.WithTimeout(ctx, period)
		n, err := renewScript.Run(cctx, f.client, key, r.Owner, f.lease.Milliseconds()).Int64()
		cancel()
		switch {
		case err != nil:
			// Try again next period: the lease outlives two failures.
			f.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: lease renewal failed",
				slog.String("token", r.Token), slog.String("error", err.Error()))
		case n == 0:
			f.log.LogAttrs(ctx, slog.LevelError, "redisstore: reservation lost while its callback runs",
				slog.String("token", r.Token))
			return
		}
	}
}

// stopRenewal stops the renewal of owner's reservation and waits for it to
// end, so that no renewal runs after Commit or Release.
func (f *DuplicateFilter) stopRenewal(owner string) {
	f.mu.Lock()
	rn := f.renewals[owner]
	delete(f.renewals, owner)
	f.mu.Unlock()
	if rn != nil {
		close(rn.stop)
		<-rn.done
	}
}
