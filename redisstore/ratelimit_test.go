package redisstore

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newLimiters returns n limiters on one scope namespace, each with a Redis
// client and connection pool of its own, as n replicas would have.
func newLimiters(t *testing.T, n int, limits conversations.RateLimits) []*RateLimiter {
	t.Helper()
	prefix := testPrefix(t)
	ls := make([]*RateLimiter, n)
	for i := range ls {
		l, err := NewRateLimiter(newClient(t), limits, WithKeyPrefix(prefix))
		require.NoError(t, err)
		ls[i] = l
	}
	return ls
}

// maxInWindow returns the most timestamps that fall in any window of
// length w (half-open, starting at a timestamp).
func maxInWindow(ts []time.Time, w time.Duration) int {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, j := 0, 0
	for i := range ts {
		for j < len(ts) && ts[j].Sub(ts[i]) < w {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

// TestLimiterSharedAcrossReplicas: four replicas, each with eight
// goroutines calling Wait as fast as it lets them, together stay under the
// one rate they share: in any one-second window, at most rate + burst calls
// go out (plus a quarter second of scheduling slack). Four in-process
// limiters would let out four times that.
func TestLimiterSharedAcrossReplicas(t *testing.T) {
	const rate, perReplica = 40, 20
	ls := newLimiters(t, 4, conversations.RateLimits{PerSecond: rate})
	var (
		mu sync.Mutex
		ts []time.Time
		wg sync.WaitGroup
	)
	ctx := context.Background()
	for _, l := range ls {
		calls := make(chan struct{}, perReplica)
		for range perReplica {
			calls <- struct{}{}
		}
		close(calls)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range calls {
					if !assert.NoError(t, l.Wait(ctx, "conversation:CH1")) {
						return
					}
					now := time.Now()
					mu.Lock()
					ts = append(ts, now)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	require.Len(t, ts, 4*perReplica, "every call was let out")
	got := maxInWindow(ts, time.Second)
	// The slack (a quarter of a second's calls) absorbs goroutines woken
	// late on a busy machine; two unshared budgets would let out twice the
	// rate.
	assert.LessOrEqual(t, got, rate+1+rate/4, "calls in the busiest second")
	assert.Greater(t, got, rate/2, "the limiter lets the rate out, not a trickle")
}

// TestLimiterBurst: after being idle a scope lets burst calls out at once
// and holds the next one back by the interval.
func TestLimiterBurst(t *testing.T) {
	l := newLimiters(t, 1, conversations.RateLimits{PerSecond: 2, Burst: 3})[0]
	ctx := context.Background()
	for i := range 3 {
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		assert.NoError(t, l.Wait(dctx, "service:IS1"), "call %d of the burst", i)
		cancel()
	}
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err := l.Wait(dctx, "service:IS1")
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the fourth call waits for the interval (500 ms)")
}

// TestLimiterScopesAreIndependent: a scope whose schedule is full does not
// hold back another scope.
func TestLimiterScopesAreIndependent(t *testing.T) {
	ls := newLimiters(t, 2, conversations.RateLimits{PerSecond: 10})
	ctx := context.Background()
	ls[0].Throttled(ctx, "conversation:CHbusy", 5*time.Second)

	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, ls[1].Wait(dctx, "conversation:CHbusy"), context.DeadlineExceeded)
	assert.NoError(t, ls[1].Wait(dctx, "conversation:CHidle"))
	assert.NoError(t, ls[1].Wait(dctx, "service:IS1"))
}

// TestLimiterWaitHonoursContext: Wait returns ctx's error when ctx is
// cancelled while it sleeps; with a deadline before the slot it returns at
// once without taking the slot; with a done ctx it does not reserve.
func TestLimiterWaitHonoursContext(t *testing.T) {
	l := newLimiters(t, 1, conversations.RateLimits{PerSecond: 10})[0]
	ctx := context.Background()
	const scope = "conversation:CHwait"
	l.Throttled(ctx, scope, 3*time.Second) // the next slot is 3 s away

	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := l.Wait(cctx, scope)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second, "Wait returned on cancel, not at the slot")

	dctx, dcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer dcancel()
	start = time.Now()
	err = l.Wait(dctx, scope)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 400*time.Millisecond, "Wait gave up at once, before the deadline")

	done, dc := context.WithCancel(ctx)
	dc()
	assert.ErrorIs(t, l.Wait(done, "conversation:CHother"), context.Canceled)
	// The refused and the cancelled-before-reserving calls took no slot: an
	// idle scope still lets a call out at once after them.
	qctx, qc := context.WithTimeout(ctx, 50*time.Millisecond)
	defer qc()
	assert.NoError(t, l.Wait(qctx, "conversation:CHother"))
}

// The throttling tests use a slow rate (5 per second: 200 ms apart, 400 ms
// when halved) and contexts with deadlines: the limiter refuses, in Redis,
// a slot further away than the deadline, so the tests read the schedule
// with margins of 100 ms or more either way, not by timing the sleeps.

// TestThrottledSlowsEveryReplica: a 429 reported by one replica holds back
// the next calls of every replica for Retry-After, then halves the rate for
// the backoff; other scopes keep their rate; a burst of reports of one
// overload halves the rate once.
func TestThrottledSlowsEveryReplica(t *testing.T) {
	ls := newLimiters(t, 3, conversations.RateLimits{PerSecond: 5, Backoff: 5 * time.Second})
	ctx := context.Background()
	const scope = "service:ISthrottled"

	start := time.Now()
	ls[0].Throttled(ctx, scope, time.Second)
	for _, l := range ls[1:] {
		dctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		assert.ErrorIs(t, l.Wait(dctx, scope), context.DeadlineExceeded, "held back by the other replica's 429")
		cancel()
	}
	require.NoError(t, ls[2].Wait(ctx, scope))
	assert.GreaterOrEqual(t, time.Since(start), 950*time.Millisecond, "the next call went out after Retry-After")
	// At half the rate, three more calls from all replicas take at least
	// 3 × 400 ms (600 ms at the full rate).
	start = time.Now()
	for i := range 3 {
		require.NoError(t, ls[i%3].Wait(ctx, scope))
	}
	assert.GreaterOrEqual(t, time.Since(start), 1100*time.Millisecond, "every replica runs at half the rate")

	// Another scope keeps the full rate: its second call is 200 ms away.
	for i := range 2 {
		dctx, cancel := context.WithTimeout(ctx, 320*time.Millisecond)
		assert.NoError(t, ls[1].Wait(dctx, "service:ISother"), "call %d", i)
		cancel()
	}

	// Ten concurrent reports without Retry-After halve the rate once (the
	// next slot is 400 ms away), not down to a tenth (2 s).
	const burst = "conversation:CHburst"
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); ls[i%3].Throttled(ctx, burst, 0) }()
	}
	wg.Wait()
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	assert.NoError(t, ls[1].Wait(dctx, burst), "halved once, not ten times")
}

// TestThrottledBackoffEnds: after a 429 the scope's burst is gone and its
// rate halved; once the backoff has passed, the full rate is back.
func TestThrottledBackoffEnds(t *testing.T) {
	const backoff = time.Second
	ls := newLimiters(t, 2, conversations.RateLimits{PerSecond: 5, Backoff: backoff})
	ctx := context.Background()
	const scope = "conversation:CHback"
	start := time.Now()
	ls[0].Throttled(ctx, scope, 0)
	dctx, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
	defer cancel()
	require.NoError(t, ls[1].Wait(dctx, scope), "first call after the 429: one slow interval (400 ms) away")
	dctx2, cancel2 := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel2()
	assert.ErrorIs(t, ls[1].Wait(dctx2, scope), context.DeadlineExceeded, "the next one 400 ms later")

	time.Sleep(backoff + 200*time.Millisecond - time.Since(start))
	for i := range 3 {
		dctx, cancel := context.WithTimeout(ctx, 320*time.Millisecond)
		assert.NoError(t, ls[i%2].Wait(dctx, scope), "call %d after the backoff: 200 ms apart again", i)
		cancel()
	}
}

// TestLimiterKeys: a scope is one key under the prefix, expiring once the
// scope is idle again.
func TestLimiterKeys(t *testing.T) {
	c := newClient(t)
	prefix := testPrefix(t)
	l, err := NewRateLimiter(c, conversations.RateLimits{PerSecond: 5}, WithKeyPrefix(prefix))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, l.Wait(ctx, "conversation:CH1"))
	keys, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{prefix + "rate:conversation:CH1"}, keys)
	ttl, err := c.PTTL(ctx, keys[0]).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, time.Duration(0))
	assert.LessOrEqual(t, ttl, 1200*time.Millisecond, "idle after one interval (200 ms) plus a second")
}

// TestLimiterErrors: bad options are refused; with no fallback
// (WithLocalFallback(0)) an unreachable Redis makes Wait fail (the call is
// not sent) and Throttled a no-op.
func TestLimiterErrors(t *testing.T) {
	_, err := NewRateLimiter(nil, conversations.RateLimits{})
	assert.ErrorIs(t, err, errNilClient)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	for _, bad := range []conversations.RateLimits{{PerSecond: -1}, {Burst: -1}, {Backoff: -1}, {IdleTimeout: -1}, {PerSecond: 2e6}} {
		_, err := NewRateLimiter(c, bad)
		assert.Error(t, err, "%+v", bad)
	}
	_, err = NewRateLimiter(c, conversations.RateLimits{}, WithLease(time.Nanosecond))
	assert.Error(t, err, "a bad option is refused, even one for the filter")
	for _, o := range []Option{WithLocalFallback(-0.1), WithLocalFallback(1.5), WithCallTimeout(time.Millisecond)} {
		_, err := NewRateLimiter(c, conversations.RateLimits{}, o)
		assert.Error(t, err)
	}
	l, err := NewRateLimiter(c, conversations.RateLimits{}, WithLocalFallback(0))
	require.NoError(t, err)
	assert.Equal(t, conversations.RateLimits{PerSecond: 30, Burst: 1, Backoff: 5 * time.Second}, l.Limits())
	err = l.Wait(context.Background(), "service:IS1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redisstore: rate limiter")
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
	l.Throttled(context.Background(), "service:IS1", time.Second) // logs and returns
	assert.Equal(t, LimiterStats{Failed: 1, RedisDown: true}, l.Stats())
}

var _ conversations.RateLimiter = (*RateLimiter)(nil)
