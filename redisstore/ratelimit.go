package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
)

// RateLimiter is a conversations.RateLimiter shared by every process that
// uses the same Redis and key prefix, so that N replicas of an app together
// send at most the configured rate per scope (a Conversation Service or a
// conversation, as the client names them). Pass it to each replica's
// client with conversations.WithRateLimiter. It is configured, and slows
// down after a 429, like the in-process conversations.LocalRateLimiter.
//
// It is a GCRA (generic cell rate algorithm: a token bucket kept as the
// time the next call is due) run by one Lua script per call: Wait costs one
// Redis round trip, which reserves the scope's next free slot and answers
// how long to sleep until it. The clock is Redis's, so the replicas' clocks
// do not matter. Each scope is one hash key, which expires once the scope
// is idle. Calls are served in the order they reach Redis, across
// replicas.
//
// A slot reserved by a Wait whose context is then cancelled, or whose
// answer came after Wait gave up, is not given back: the scope runs
// slightly under its rate rather than over it.
//
// Wait's round trip to Redis returns by the context's deadline, or after
// [WithCallTimeout] (1 s) when the context has none, whatever the go-redis
// options. When Redis does not answer (or is known to be down: then Wait
// does not wait for it, and one call every 100 ms tries it again), Wait
// falls back to an in-process limiter at a share of the rate
// ([WithLocalFallback], half by default), or fails when the share is 0.
// [RateLimiter.Stats] counts the fallbacks and [WithLogger] logs them.
//
// A RateLimiter is safe for concurrent use.
type RateLimiter struct {
	client      redis.UniversalClient
	prefix      string
	limits      conversations.RateLimits
	interval    int64 // µs between two calls at the full rate
	callTimeout time.Duration
	fallback    *conversations.LocalRateLimiter // nil: fail
	share       float64
	log         *slog.Logger

	health    health
	fallbacks atomic.Int64
	failed    atomic.Int64
}

// DefaultFallbackShare is the share of the rate that a [RateLimiter] lets
// each replica send while Redis does not answer ([WithLocalFallback]).
const DefaultFallbackShare = 0.5

// WithLocalFallback sets what a [RateLimiter] does while Redis does not
// answer: each replica paces its calls with an in-process limiter at share
// of the configured rate ([DefaultFallbackShare], a half; 1/N suits N
// replicas), or, with share 0, Wait fails and the call is not sent. A share
// over 1/N lets N replicas together go over the limit: Twilio answers the
// excess 429 without processing it, and the in-process limiter slows down
// after each 429 as the shared one does.
func WithLocalFallback(share float64) Option {
	return func(c *config) { c.fallbackShare = share }
}

// LimiterStats counts a [RateLimiter]'s fallbacks since it was made.
type LimiterStats struct {
	// Fallbacks is the Wait calls paced by the in-process limiter because
	// Redis did not answer.
	Fallbacks int64
	// Failed is the Wait calls that failed because Redis did not answer and
	// there is no fallback (share 0).
	Failed int64
	// RedisDown reports whether the last call found Redis not answering.
	RedisDown bool
}

// Stats returns the limiter's fallback counters.
func (l *RateLimiter) Stats() LimiterStats {
	return LimiterStats{Fallbacks: l.fallbacks.Load(), Failed: l.failed.Load(), RedisDown: l.health.isDown()}
}

// NewRateLimiter returns a limiter on client (a *redis.Client, also from
// redis.NewFailoverClient for Sentinel, a *redis.ClusterClient, or any
// redis.UniversalClient: each script touches the one key of its scope, so
// it runs in one hash slot) with the given limits. Zero fields take the
// defaults of conversations.NewRateLimiter: 30 calls per second, burst 1,
// backoff 5 s; IdleTimeout is not used (a scope's key expires by itself).
// Negative values are an error. Options: [WithKeyPrefix], [WithLogger],
// [WithCallTimeout], [WithLocalFallback].
func NewRateLimiter(client redis.UniversalClient, limits conversations.RateLimits, opts ...Option) (*RateLimiter, error) {
	if client == nil {
		return nil, errNilClient
	}
	// The in-process limiter checks the limits and fills in the defaults:
	// one set of rules for both.
	local, err := conversations.NewRateLimiter(limits)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}
	limits = local.Limits()
	limits.IdleTimeout = 0
	if limits.PerSecond > 1e6 {
		return nil, fmt.Errorf("redisstore: rate %v per second is above 1e6", limits.PerSecond)
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	var fallback *conversations.LocalRateLimiter
	if c.fallbackShare > 0 {
		fallback, err = conversations.NewRateLimiter(conversations.RateLimits{
			PerSecond: limits.PerSecond * c.fallbackShare,
			Burst:     limits.Burst,
			Backoff:   limits.Backoff,
		})
		if err != nil {
			return nil, fmt.Errorf("redisstore: fallback limiter: %w", err)
		}
	}
	return &RateLimiter{
		client:      client,
		prefix:      c.prefix + "rate:",
		limits:      limits,
		interval:    max(int64(math.Round(1e6/limits.PerSecond)), 1),
		callTimeout: c.callTimeout,
		fallback:    fallback,
		share:       c.fallbackShare,
		log:         c.logger,
	}, nil
}

// Limits returns the limiter's settings, defaults filled in.
func (l *RateLimiter) Limits() conversations.RateLimits { return l.limits }

// The scripts keep a scope in one hash (times in µs of Redis's clock):
//   - tat: the theoretical arrival time of the next call; a call may go at
//     tat - (burst-1) × interval, and moves tat one interval on;
//   - factor, slow: the interval is multiplied by factor (2, 4 or 8, or 10)
//     until slow, after 429s;
//   - cut: when factor last doubled: the reports that arrive within a second
//     of it (or within the backoff, when shorter) come from the same
//     overload and do not double it again.
//
// The common head reads the clock and the slow-down state.
const scopeHead = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local base = tonumber(ARGV[1])
local burst1 = tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'tat', 'factor', 'slow', 'cut')
local tat = tonumber(h[1] or '0')
local factor = tonumber(h[2] or '1')
local slow = tonumber(h[3] or '0')
local cut = tonumber(h[4] or '0')
if slow <= now then factor = 1 end
if tat < now then tat = now end
`

// reserveScript takes the next slot of a scope. KEYS[1] is the scope's
// hash. ARGV: interval µs, burst-1, the most the caller can wait in µs (-1:
// no bound). It answers {1, wait µs} after reserving a slot that starts
// wait µs from now, or {0, wait µs} without reserving when wait exceeds the
// bound.
var reserveScript = redis.NewScript(scopeHead + `
local interval = base * factor
local bound = tonumber(ARGV[3])
local wait = tat - burst1 * interval - now
if wait < 0 then wait = 0 end
if bound >= 0 and wait > bound then return {0, wait} end
tat = tat + interval
redis.call('HSET', KEYS[1], 'tat', string.format('%d', tat))
redis.call('PEXPIRE', KEYS[1], math.ceil((math.max(tat, slow) - now) / 1000) + 1000)
return {1, wait}
`)

// throttleScript slows a scope down after a 429. KEYS[1] is the scope's
// hash. ARGV: interval µs, burst-1, backoff µs, Retry-After µs. The rate is
// halved (down to a tenth) for the backoff, the burst credit dropped, and
// no new slot starts before Retry-After. Answers the factor now in force.
var throttleScript = redis.NewScript(scopeHead + `
local backoff = tonumber(ARGV[3])
local retry = tonumber(ARGV[4])
if now - cut >= math.min(1000000, backoff) then
  factor = math.min(factor * 2, 10)
  cut = now
end
slow = now + backoff
local interval = base * factor
tat = math.max(tat, now + burst1 * interval + interval, now + retry + burst1 * interval)
redis.call('HSET', KEYS[1], 'tat', string.format('%d', tat), 'factor', string.format('%d', factor),
  'slow', string.format('%d', slow), 'cut', string.format('%d', cut))
redis.call('PEXPIRE', KEYS[1], math.ceil((math.max(tat, slow) - now) / 1000) + 1000)
return factor
`)

// Wait blocks until one more call counted against scope may be sent: one
// Redis round trip reserves the scope's next slot, then Wait sleeps until
// it. When ctx is done first it returns ctx's error (within a few
// milliseconds of its deadline, even when Redis does not answer). When ctx
// has a deadline that comes before the slot, Wait returns at once, without
// taking the slot, an error that wraps context.DeadlineExceeded. When
// Redis does not answer, the in-process fallback paces the call
// ([WithLocalFallback]), or Wait fails.
func (l *RateLimiter) Wait(ctx context.Context, scope string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bound := int64(-1)
	if dl, ok := ctx.Deadline(); ok {
		bound = max(time.Until(dl).Microseconds(), 0)
	}
	var res []int64
	cause := error(errNoAnswer) // Redis is known to be down: not tried
	if try, probe := l.health.admit(); try {
		res, cause = bounded(ctx, l.callTimeout, func(ctx context.Context) ([]int64, error) {
			return reserveScript.Run(ctx, l.client, []string{l.prefix + scope},
				l.interval, l.limits.Burst-1, bound).Int64Slice()
		})
		l.health.report(cause == nil, probe)
		if cause != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if cause != nil {
		return l.outage(ctx, scope, cause)
	}
	if len(res) != 2 {
		return fmt.Errorf("redisstore: rate limiter: unexpected script answer %v", res)
	}
	wait := time.Duration(res[1]) * time.Microsecond
	if res[0] == 0 {
		return fmt.Errorf("redisstore: waiting %v for the rate limit of %s would pass the context's deadline: %w",
			wait.Round(time.Millisecond), scope, context.DeadlineExceeded)
	}
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// outage applies the outage policy to a Wait that Redis did not answer.
func (l *RateLimiter) outage(ctx context.Context, scope string, cause error) error {
	if l.fallback == nil {
		l.failed.Add(1)
		l.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: rate limiter: Redis did not answer; call not sent (no fallback)",
			slog.String("scope", scope), slog.String("error", cause.Error()))
		return fmt.Errorf("redisstore: rate limiter: %w", cause)
	}
	l.fallbacks.Add(1)
	l.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: rate limiter: Redis did not answer; pacing in process",
		slog.String("scope", scope), slog.Float64("share of the rate", l.share), slog.String("error", cause.Error()))
	return l.fallback.Wait(ctx, scope)
}

// Throttled slows scope down for every replica after a 429: its rate is
// halved (down to a tenth of the configured rate) for the backoff, its
// burst credit is dropped, and no new slot starts before retryAfter has
// passed. The 429s reported within a second of a halving come from the
// same overload and do not halve the rate again. Calls that already had
// their slot go ahead. Errors talking to Redis are logged ([WithLogger])
// and otherwise ignored.
func (l *RateLimiter) Throttled(ctx context.Context, scope string, retryAfter time.Duration) {
	if l.fallback != nil {
		l.fallback.Throttled(ctx, scope, retryAfter) // in case Redis goes away
	}
	ctx = context.WithoutCancel(ctx) // the slow-down must reach the other replicas
	factor, err := bounded(ctx, l.callTimeout, func(ctx context.Context) (int64, error) {
		return throttleScript.Run(ctx, l.client, []string{l.prefix + scope},
			l.interval, l.limits.Burst-1, l.limits.Backoff.Microseconds(), max(retryAfter, 0).Microseconds()).Int64()
	})
	l.health.report(err == nil, false)
	if err != nil {
		l.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: rate limiter: could not slow the scope down",
			slog.String("scope", scope), slog.String("error", err.Error()))
		return
	}
	l.log.LogAttrs(ctx, slog.LevelInfo, "redisstore: rate limiter: scope slowed down after a 429",
		slog.String("scope", scope), slog.Int64("rate divided by", factor), slog.Duration("for", l.limits.Backoff))
}
