package conversations

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter paces the mutating calls a Client makes, per rate-limit scope.
//
// Twilio allows 30 mutating actions per second by default (reads are not
// counted), counted per Conversation Service for conversation create and
// delete and all User and Role operations, and per conversation for
// conversation update and all Participant and Message operations. A scope is
// an opaque string: "service:<IS sid>" ("service:default" for the
// account-level /v1 paths) or "conversation:<CH sid>". A call that names a
// conversation by its unique name waits on the conversation's SID, so that
// both ways of naming it share one budget: the client learns the SID from
// any Conversation a call returns, or resolves an unknown name once with a
// fetch (a read, not counted); when the fetch fails, the call fails unsent.
//
// Other mutating calls, whose scope Twilio does not document, are counted
// too, so that pacing errs on the slow side: a conversation's scoped webhooks
// against the conversation; Conversation Services, configuration,
// credentials, address configurations and bindings against their service
// ("service:default" at the account level). Media uploads go to the Media
// Content Service, not the Conversations API, and are not counted.
//
// [NewRateLimiter] returns the in-process implementation; a limiter shared
// by several processes (such as the redisstore module's) implements the same
// interface.
type RateLimiter interface {
	// Wait blocks until one more mutating call counted against scope may be sent,
	// or ctx is done (then it returns ctx's error).
	Wait(ctx context.Context, scope string) error
	// Throttled reports that a call counted against scope was answered 429 anyway;
	// retryAfter is its Retry-After (0 if none). The limiter slows the scope down.
	Throttled(ctx context.Context, scope string, retryAfter time.Duration)
}

// WithRateLimiter paces the client's mutating calls (POST and DELETE on the
// Conversations API) through l: each attempt, retries included, waits in
// l.Wait for the scope it counts against, and each 429 answer is reported to
// l.Throttled. Reads are never paced. Without this option calls are not
// paced; the bulk operations then use an in-process limiter of their own.
func WithRateLimiter(l RateLimiter) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("conversations: WithRateLimiter needs a non-nil RateLimiter")
		}
		c.limiter = l
		return nil
	}
}

// DefaultRateLimit is Twilio's default rate: mutating actions per second per scope.
const DefaultRateLimit = 30

// RateLimits configures [NewRateLimiter]. The zero value gives Twilio's
// defaults.
type RateLimits struct {
	// PerSecond is the rate of mutating calls per scope (default
	// DefaultRateLimit). Set it when Twilio has raised the account's limits,
	// or lower it to leave room for another client on the same account.
	PerSecond float64
	// Burst is how many calls a scope may send at once after a quiet spell
	// (default 1: calls are spread evenly over each second, which leaves the
	// most margin against Twilio's own count).
	Burst int
	// Backoff is how long a scope stays slowed down after a 429 (default 5s):
	// its rate is halved for that long (down to a tenth of PerSecond at
	// most), and nothing is sent before the 429's Retry-After has passed.
	Backoff time.Duration
	// IdleTimeout is how long an unused scope is kept (default 1 minute, and
	// never less than it takes the scope's bucket to fill up again, so
	// dropping it loses nothing). Idle scopes are dropped as new calls come,
	// so memory stays bounded by the scopes used recently.
	IdleTimeout time.Duration
}

// LocalRateLimiter is the in-process [RateLimiter]: a token bucket per scope
// (golang.org/x/time/rate). It is safe for concurrent use. It paces one
// process; replicas of an application that share an account need a shared
// limiter instead.
type LocalRateLimiter struct {
	limits RateLimits
	now    func() time.Time

	mu        sync.Mutex
	scopes    map[string]*scopeLimiter
	lastSweep time.Time
}

// scopeLimiter is one scope's bucket and its slow-down state.
type scopeLimiter struct {
	lim       *rate.Limiter
	lastUsed  time.Time // when the last token taken is (or was) spent
	slowUntil time.Time // the rate is reduced until then
	notBefore time.Time // a Retry-After: nothing is sent before then
}

// NewRateLimiter returns an in-process limiter with the given limits; zero
// fields take their defaults. Negative values are an error.
func NewRateLimiter(l RateLimits) (*LocalRateLimiter, error) {
	if l.PerSecond < 0 || l.Burst < 0 || l.Backoff < 0 || l.IdleTimeout < 0 {
		return nil, errors.New("conversations: rate limits must not be negative")
	}
	if l.PerSecond == 0 {
		l.PerSecond = DefaultRateLimit
	}
	if l.Burst == 0 {
		l.Burst = 1
	}
	if l.Backoff == 0 {
		l.Backoff = 5 * time.Second
	}
	if l.IdleTimeout == 0 {
		l.IdleTimeout = time.Minute
	}
	if refill := time.Duration(float64(l.Burst) / l.PerSecond * float64(time.Second)); l.IdleTimeout < refill {
		l.IdleTimeout = refill
	}
	return &LocalRateLimiter{limits: l, now: time.Now, scopes: make(map[string]*scopeLimiter)}, nil
}

// Limits returns the limiter's settings, defaults filled in.
func (l *LocalRateLimiter) Limits() RateLimits { return l.limits }

// scope returns scope's limiter, creating it, and drops idle scopes at most
// once per IdleTimeout. l.mu is held.
func (l *LocalRateLimiter) scope(scope string, now time.Time) *scopeLimiter {
	if now.Sub(l.lastSweep) >= l.limits.IdleTimeout {
		for k, s := range l.scopes {
			if now.Sub(s.lastUsed) >= l.limits.IdleTimeout && now.After(s.slowUntil) && now.After(s.notBefore) {
				delete(l.scopes, k)
			}
		}
		l.lastSweep = now
	}
	s := l.scopes[scope]
	if s == nil {
		s = &scopeLimiter{lim: rate.NewLimiter(rate.Limit(l.limits.PerSecond), l.limits.Burst)}
		l.scopes[scope] = s
	}
	return s
}

// Wait blocks until one more mutating call counted against scope may be sent,
// or ctx is done: then it returns ctx's error. When ctx's deadline comes
// before the call could be sent, it returns at once with an error that wraps
// context.DeadlineExceeded.
func (l *LocalRateLimiter) Wait(ctx context.Context, scope string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.now()
	s := l.scope(scope, now)
	if !s.slowUntil.IsZero() && !now.Before(s.slowUntil) {
		s.lim.SetLimitAt(now, rate.Limit(l.limits.PerSecond))
		s.slowUntil = time.Time{}
	}
	start := now
	if s.notBefore.After(now) {
		start = s.notBefore
	}
	r := s.lim.ReserveN(start, 1)
	delay := r.DelayFrom(now)
	if at := now.Add(delay); at.After(s.lastUsed) {
		s.lastUsed = at
	}
	l.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
		r.CancelAt(now)
		return fmt.Errorf("conversations: waiting %v for the rate limit of %s would pass the context's deadline: %w", delay.Round(time.Millisecond), scope, context.DeadlineExceeded)
	}
	if err := sleep(ctx, delay); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// Throttled slows scope down after a 429: its rate is halved (down to a
// tenth of the configured rate) for RateLimits.Backoff, the tokens it holds
// are dropped, and nothing more is sent before retryAfter has passed.
func (l *LocalRateLimiter) Throttled(_ context.Context, scope string, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	s := l.scope(scope, now)
	limit := max(s.lim.Limit()/2, rate.Limit(l.limits.PerSecond/10))
	s.lim.SetLimitAt(now, limit)
	s.lim.SetBurstAt(now, 0)
	s.lim.SetBurstAt(now, l.limits.Burst) // refills from empty
	s.slowUntil = now.Add(l.limits.Backoff)
	if retryAfter > 0 && now.Add(retryAfter).After(s.notBefore) {
		s.notBefore = now.Add(retryAfter)
	}
}

// scopeCount is the number of scopes the limiter holds (for tests).
func (l *LocalRateLimiter) scopeCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.scopes)
}
