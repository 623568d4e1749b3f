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
	// DefaultAnswerWindow is how long after Reserve a [DuplicateFilter]
	// keeps retrying a Commit that Redis did not take: Twilio's
	// 5 s pre-event window, taken as the time a webhook should be answered
	// in (Twilio publishes no timeout for post-events).
	DefaultAnswerWindow = 5 * time.Second
)

// minLease keeps the renewal period (a third of the lease) well above a
// Redis round trip.
const minLease = 30 * time.Millisecond

// OutagePolicy says what a [DuplicateFilter] does with a delivery while
// Redis does not answer ([WithOutagePolicy]).
type OutagePolicy int

const (
	// RunLocally (the default) runs the callback with in-process
	// de-duplication only: a redelivery to the same replica is recognised,
	// one to another replica during the outage may run the callback a
	// second time. The tokens done during the outage are recorded in Redis
	// as soon as it answers again (within their done TTL), so a redelivery
	// after that, to any replica, does not run them again. Nothing is lost
	// if Twilio does not redeliver.
	RunLocally OutagePolicy = iota + 1
	// Refuse answers the delivery with an error (the WebhookHandler
	// answers 500) without running the callback: nothing runs twice, and
	// the event is lost unless Twilio delivers it again.
	Refuse
)

// String returns "run locally" or "refuse".
func (p OutagePolicy) String() string {
	switch p {
	case RunLocally:
		return "run locally"
	case Refuse:
		return "refuse"
	}
	return fmt.Sprintf("OutagePolicy(%d)", int(p))
}

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

// WithOutagePolicy sets what a [DuplicateFilter] does with a delivery while
// Redis does not answer: [RunLocally] (the default) or [Refuse].
func WithOutagePolicy(p OutagePolicy) Option {
	return func(c *config) { c.policy = p }
}

// WithAnswerWindow sets how long after Reserve a [DuplicateFilter] keeps
// retrying a Commit that Redis did not take
// ([DefaultAnswerWindow]); each gets at least one call of
// [WithCallTimeout] whatever the window. A commit still not taken then is
// kept in process and recorded as soon as Redis answers again.
func WithAnswerWindow(d time.Duration) Option {
	return func(c *config) { c.answerWindow = d }
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
// Every script is idempotent for its caller: the owner value is chosen
// before the call, so a Reserve that go-redis retries (the first attempt's
// answer was lost) finds its own reservation and proceeds as reserved, and
// a retried Commit or Release finds its own work done.
//
// Every call returns by its context's deadline, or after [WithCallTimeout]
// (1 s) when the context has none, whatever the go-redis options. A Reserve
// that gave up without an answer does not leave a reservation nobody owns:
// once Redis answers, the reservation is cancelled (deleted if Redis holds
// it, and marked so that the same reserve run late reserves nothing), or,
// when the [RunLocally] policy ran the callback under the same owner,
// settled by that run's Commit or Release. While Redis does not answer,
// the [OutagePolicy] decides ([RunLocally] by default). A Commit that Redis
// does not take is retried within [WithAnswerWindow] of the Reserve, then
// kept in process and recorded once Redis answers; a Release that it does
// not take is queued and run then. [DuplicateFilter.Stats] counts each of
// these cases, and [WithLogger] logs them.
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
// refuses writes, which the filter treats as an outage.
//
// A DuplicateFilter is safe for concurrent use. Close it when the process
// stops, to end its background work.
type DuplicateFilter struct {
	client       redis.UniversalClient
	prefix       string
	lease        time.Duration
	doneTTL      time.Duration
	callTimeout  time.Duration
	answerWindow time.Duration
	policy       OutagePolicy
	log          *slog.Logger

	health health
	local  *localStore
	stats  filterCounters

	mu       sync.Mutex
	renewals map[string]*renewal // by owner
	flushing bool                // the flusher goroutine runs
	closed   bool
	closing  chan struct{}
	bg       sync.WaitGroup // the flusher
}

// NewDuplicateFilter returns a filter on client: a *redis.Client (also
// from redis.NewFailoverClient, for Sentinel), a *redis.ClusterClient, or
// any redis.UniversalClient. Every script touches one key, so each runs in
// one hash slot. Options: [WithLease], [WithDoneTTL], [WithKeyPrefix],
// [WithLogger], [WithCallTimeout], [WithOutagePolicy], [WithAnswerWindow].
func NewDuplicateFilter(client redis.UniversalClient, opts ...Option) (*DuplicateFilter, error) {
	if client == nil {
		return nil, errNilClient
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &DuplicateFilter{
		client:       client,
		prefix:       c.prefix + "dedup:",
		lease:        c.lease,
		doneTTL:      c.doneTTL,
		callTimeout:  c.callTimeout,
		answerWindow: c.answerWindow,
		policy:       c.policy,
		log:          c.logger,
		local:        newLocalStore(),
		renewals:     map[string]*renewal{},
		closing:      make(chan struct{}),
	}, nil
}

// Reserve reports the token's state and, when it is new, holds it for a
// new owner: one Redis round trip. The reservation's lease is renewed
// until Commit or Release. A token this process handled during an outage
// and Redis has not recorded yet is answered from memory.
//
// When Redis does not answer within the call's bound (ctx's deadline, or
// [WithCallTimeout]), or is known to be down, the outage policy applies:
// [RunLocally] reserves the token in process, [Refuse] returns an error.
// When ctx itself is done, Reserve returns its error.
func (f *DuplicateFilter) Reserve(ctx context.Context, token string) (conversations.TokenState, conversations.Reservation, error) {
	if token == "" {
		return 0, conversations.Reservation{}, errors.New("redisstore: empty idempotency token")
	}
	if err := ctx.Err(); err != nil {
		return 0, conversations.Reservation{}, err
	}
	if state, ok := f.local.peek(token); ok {
		return state, conversations.Reservation{}, nil
	}
	owner, err := newOwner()
	if err != nil {
		return 0, conversations.Reservation{}, err
	}
	at := time.Now()
	keys := []string{f.tokenKey(token), f.cancelKey(token, owner)}
	cause := errNoAnswer // Redis is known to be down: not tried
	try, probe := f.health.admit()
	if try {
		n, err := bounded(ctx, f.callTimeout, func(ctx context.Context) (int64, error) {
			return reserveTokenScript.Run(ctx, f.client, keys, owner, f.lease.Milliseconds()).Int64()
		})
		f.health.report(err == nil, probe)
		if err == nil {
			switch n {
			case 0:
				r := conversations.Reservation{Token: token, Owner: owner}
				f.startRenewal(ctx, r, at)
				return conversations.TokenNew, r, nil
			case 1:
				return conversations.TokenInProgress, conversations.Reservation{}, nil
			case 2:
				return conversations.TokenDone, conversations.Reservation{}, nil
			}
			return 0, conversations.Reservation{}, fmt.Errorf("redisstore: reserve: unexpected script answer %d", n)
		}
		if ctx.Err() != nil {
			f.cancel(ctx, token, owner)
			return 0, conversations.Reservation{}, fmt.Errorf("redisstore: reserve: %w", err)
		}
		cause = err
	}
	if f.policy == Refuse {
		f.stats.refused.Add(1)
		f.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: Redis did not answer; delivery refused (outage policy: refuse)",
			slog.String("token", token), slog.String("error", cause.Error()))
		if try {
			f.cancel(ctx, token, owner)
		}
		return 0, conversations.Reservation{}, fmt.Errorf("redisstore: reserve (outage policy refuse): %w", cause)
	}
	// The reserve may still reach Redis under owner: the local run's
	// Commit records done for owner, its Release cancels owner.
	state, ok := f.local.reserve(token, owner, at)
	if !ok {
		f.stats.refused.Add(1)
		f.log.LogAttrs(ctx, slog.LevelError, "redisstore: Redis did not answer and the in-process store is full; delivery refused",
			slog.String("token", token), slog.Int("capacity", localCapacity))
		if try {
			f.cancel(ctx, token, owner)
		}
		return 0, conversations.Reservation{}, fmt.Errorf("redisstore: reserve: %w; in-process store full (%d tokens)", cause, localCapacity)
	}
	if state != conversations.TokenNew {
		if try {
			f.cancel(ctx, token, owner)
		}
		return state, conversations.Reservation{}, nil
	}
	f.stats.localRuns.Add(1)
	f.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: Redis did not answer; running the callback with in-process de-duplication (outage policy: run locally)",
		slog.String("token", token), slog.String("error", cause.Error()))
	return conversations.TokenNew, conversations.Reservation{Token: token, Owner: owner}, nil
}

// cancel queues the cancellation of owner's reservation of token, which
// Redis may hold, or get later, although the caller got no answer: the
// flusher runs cancelScript as soon as Redis answers.
func (f *DuplicateFilter) cancel(ctx context.Context, token, owner string) {
	if !f.local.addCancel(token, owner) {
		f.log.LogAttrs(ctx, slog.LevelError, "redisstore: the in-process store is full; a reservation Redis may hold expires after its lease",
			slog.String("token", token))
		return
	}
	f.startFlusher()
}

// Commit marks r's token done for the done TTL, when r still holds it or
// nobody does (its lease ran out and no other attempt took it). When
// another attempt holds the token, Commit changes nothing and returns
// [ErrLeaseLost].
//
// A Commit that Redis does not take is retried until [WithAnswerWindow]
// after the Reserve (or ctx's deadline, if earlier), and then kept in
// process: a redelivery to this replica is answered from memory, and the
// token is recorded in Redis as soon as it answers again (within its done
// TTL). Commit returns nil then, and logs the outcome. The commit of a
// reservation made in process during an outage goes that way directly.
func (f *DuplicateFilter) Commit(ctx context.Context, r conversations.Reservation) error {
	at := f.stopRenewal(r.Owner)
	if f.local.owns(r.Token, r.Owner) {
		// A local run: Redis was down; the flusher records it.
		f.deferCommit(ctx, r, nil)
		return nil
	}
	n, tries, err := f.retry(ctx, at, func(ctx context.Context) (int64, error) {
		return commitScript.Run(ctx, f.client, []string{f.tokenKey(r.Token)}, r.Owner, f.doneTTL.Milliseconds()).Int64()
	})
	switch {
	case err != nil:
		f.deferCommit(ctx, r, err)
		return nil
	case n == 0:
		f.stats.conflicts.Add(1)
		f.log.LogAttrs(ctx, slog.LevelError, "redisstore: commit found the token held by another delivery; the callback may have run twice",
			slog.String("token", r.Token))
		return ErrLeaseLost
	}
	if tries > 1 {
		f.log.LogAttrs(ctx, slog.LevelInfo, "redisstore: commit recorded after retrying",
			slog.String("token", r.Token), slog.Int("attempts", tries))
	}
	return nil
}

// deferCommit keeps r's token as done in process, to be recorded in Redis by
// the flusher.
func (f *DuplicateFilter) deferCommit(ctx context.Context, r conversations.Reservation, cause error) {
	if !f.local.markDone(r.Token, r.Owner, time.Now()) {
		f.stats.dropped.Add(1)
		f.log.LogAttrs(ctx, slog.LevelError, "redisstore: commit not recorded (the in-process store is full); a redelivery may run the callback again",
			slog.String("token", r.Token))
		return
	}
	f.stats.deferred.Add(1)
	attrs := []slog.Attr{slog.String("token", r.Token)}
	if cause != nil {
		attrs = append(attrs, slog.String("error", cause.Error()))
	}
	f.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: commit kept in process until Redis answers", attrs...)
	f.startFlusher()
}

// Release forgets r's token, so that a redelivery runs the callback again,
// when r still holds it; otherwise (another attempt took the token after
// r's lease ran out, or it is done) it changes nothing. It makes one call,
// bounded like the others: a Release that Redis does not take is queued,
// and the reservation is cancelled as soon as Redis answers (it would
// expire after its lease anyway, since it is no longer renewed). The
// Release of a reservation made in process during an outage goes that way
// directly.
func (f *DuplicateFilter) Release(ctx context.Context, r conversations.Reservation) error {
	f.stopRenewal(r.Owner)
	if f.local.release(r.Token, r.Owner) {
		f.cancel(ctx, r.Token, r.Owner) // its reserve may reach Redis late
		return nil
	}
	_, err := bounded(ctx, f.callTimeout, func(ctx context.Context) (int64, error) {
		return releaseScript.Run(ctx, f.client, []string{f.tokenKey(r.Token)}, r.Owner).Int64()
	})
	f.health.report(err == nil, false)
	if err != nil {
		f.stats.releaseFailed.Add(1)
		f.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: release not taken; it is retried once Redis answers",
			slog.String("token", r.Token), slog.String("error", err.Error()))
		f.cancel(ctx, r.Token, r.Owner)
		return fmt.Errorf("redisstore: release: %w", err)
	}
	return nil
}

// retry runs fn (an idempotent script call) until Redis answers, or the
// answer window that started at at (or ctx's deadline) passes; it makes at
// least one call. It returns the answer and the number of calls.
func (f *DuplicateFilter) retry(ctx context.Context, at time.Time, fn func(context.Context) (int64, error)) (int64, int, error) {
	deadline := at.Add(f.answerWindow)
	if least := time.Now().Add(f.callTimeout); deadline.Before(least) {
		deadline = least
	}
	cctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	backoff := 25 * time.Millisecond
	for tries := 1; ; tries++ {
		n, err := bounded(cctx, f.callTimeout, fn)
		f.health.report(err == nil, false)
		if err == nil {
			return n, tries, nil
		}
		if sleepCtx(cctx, backoff) != nil {
			return 0, tries, err
		}
		backoff = min(2*backoff, 500*time.Millisecond)
		f.stats.commitRetries.Add(1)
	}
}

// sleepCtx waits for d, or until ctx is done: then it returns ctx's error.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newOwner returns a random owner value for one reservation.
func newOwner() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("redisstore: owner: %w", err)
	}
	return "o:" + hex.EncodeToString(b[:]), nil
}
