package redisstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The outage tests play Twilio against three in-process replicas while
// their Redis (a server of the test's own) stalls, or is killed and
// restarted, under each outage policy, and report what each policy cost.

// hookFleet is in-process replicas whose callbacks count their runs in
// memory (Redis may be down) and take 20 ms.
type hookFleet struct {
	reps []*replica
	mu   sync.Mutex
	runs map[string]int
}

func newHookFleet(t *testing.T, n int, newClient func() redis.UniversalClient, opts ...Option) *hookFleet {
	fl := &hookFleet{runs: map[string]int{}}
	for range n {
		client := newClient()
		f, err := NewDuplicateFilter(client, opts...)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close(); client.Close() })
		h, err := conversations.NewWebhookHandler(hookToken, conversations.WithDuplicateFilter(f))
		require.NoError(t, err)
		h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
			fl.mu.Lock()
			fl.runs[ev.IdempotencyToken]++
			fl.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			return nil
		})
		fl.reps = append(fl.reps, &replica{h: h, f: f, client: client})
	}
	return fl
}

// deliver delivers token to a random replica.
func (fl *hookFleet) deliver(token string) int {
	return fl.reps[rand.IntN(len(fl.reps))].deliver(token)
}

// ranTwice returns the tokens whose callback ran more than once.
func (fl *hookFleet) ranTwice() []string {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	var twice []string
	for tok, n := range fl.runs {
		if n > 1 {
			twice = append(twice, tok)
		}
	}
	sort.Strings(twice)
	return twice
}

// event is one event as the simulated Twilio sent it.
type event struct {
	token string
	sent  time.Time
	codes []int     // the answers, in order
	acked time.Time // when answered 200; zero if never
}

// flow plays Twilio: it sends a new event every `every` until stop is
// closed, each to a random replica, and while redeliver > 0 delivers an
// event answered anything but 200 again after redeliver, to a random
// replica, until it is answered 200 or giveUp passes. It returns the
// events once every delivery has ended.
func (fl *hookFleet) flow(prefix string, every, redeliver time.Duration, stop <-chan struct{}, giveUp time.Time) []*event {
	var (
		events []*event
		mu     sync.Mutex
		wg     sync.WaitGroup
	)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			wg.Wait()
			return events
		case <-tick.C:
		}
		ev := &event{token: fmt.Sprintf("%sev-%04d", prefix, i), sent: time.Now()}
		events = append(events, ev)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				code := fl.deliver(ev.token)
				mu.Lock()
				ev.codes = append(ev.codes, code)
				mu.Unlock()
				if code == http.StatusOK {
					ev.acked = time.Now()
					return
				}
				if redeliver <= 0 || time.Now().After(giveUp) {
					return
				}
				time.Sleep(redeliver)
			}
		}()
	}
}

// answers counts the answers to the events' deliveries by status code,
// first deliveries and redeliveries apart.
func answers(events []*event) (first, later map[int]int) {
	first, later = map[int]int{}, map[int]int{}
	for _, ev := range events {
		for i, c := range ev.codes {
			if i == 0 {
				first[c]++
			} else {
				later[c]++
			}
		}
	}
	return first, later
}

// webhookClientOptions is the client setup docs/replicas.md recommends for
// webhook handlers.
func webhookClientOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:                  addr,
		DialTimeout:           500 * time.Millisecond,
		ReadTimeout:           500 * time.Millisecond,
		WriteTimeout:          500 * time.Millisecond,
		ContextTimeoutEnabled: true,
	}
}

// TestStallWhileEventsFlow: three replicas with the default lease (30 s)
// and call timeout (1 s) receive an event every 20 ms, redelivered every
// 250 ms until answered 200, while the server stalls (SIGSTOP) for 2 s,
// four times the clients' read timeout. Under each policy every event runs
// exactly once, and every event is acknowledged within a few seconds of
// SIGCONT: no reservation is left for its lease (30 s) with nobody to
// finish it.
func TestStallWhileEventsFlow(t *testing.T) {
	for _, policy := range []OutagePolicy{Refuse, RunLocally} {
		t.Run(policy.String(), func(t *testing.T) {
			stallWhileEventsFlow(t, policy, webhookClientOptions, 2*time.Second)
		})
	}
}

// TestStallLongerThanDefaultReadTimeout is TestStallWhileEventsFlow with
// go-redis's default client options (read timeout 5 s) and a 6 s stall; it
// runs when REDISSTORE_LONG=1.
func TestStallLongerThanDefaultReadTimeout(t *testing.T) {
	if testing.Short() || !longTests() {
		t.Skip("set REDISSTORE_LONG=1 to run")
	}
	for _, policy := range []OutagePolicy{Refuse, RunLocally} {
		t.Run(policy.String(), func(t *testing.T) {
			stallWhileEventsFlow(t, policy, func(addr string) *redis.Options { return &redis.Options{Addr: addr} }, 6*time.Second)
		})
	}
}

func stallWhileEventsFlow(t *testing.T, policy OutagePolicy, options func(string) *redis.Options, stall time.Duration) {
	srv := newServer(t)
	fl := newHookFleet(t, 3, func() redis.UniversalClient { return redis.NewClient(options(srv.addr)) },
		WithOutagePolicy(policy))
	stop := make(chan struct{})
	var resumed time.Time
	time.AfterFunc(500*time.Millisecond, func() {
		srv.pause()
		time.AfterFunc(stall, func() { resumed = time.Now(); srv.resume() })
	})
	time.AfterFunc(stall+1500*time.Millisecond, func() { close(stop) })
	events := fl.flow("", 20*time.Millisecond, 250*time.Millisecond, stop, time.Now().Add(30*time.Second))

	var lastAck time.Time
	for _, ev := range events {
		require.False(t, ev.acked.IsZero(), "event %s acknowledged (answers %v)", ev.token, ev.codes)
		if ev.acked.After(lastAck) {
			lastAck = ev.acked
		}
	}
	sentInStall := 0
	var lastStallAck time.Time
	for _, ev := range events {
		if ev.sent.After(resumed.Add(-stall)) && ev.sent.Before(resumed) {
			sentInStall++
			if ev.acked.After(lastStallAck) {
				lastStallAck = ev.acked
			}
		}
	}
	first, later := answers(events)
	st := fleetStats(fl)
	t.Logf("policy %s, stall %v: %d events (%d sent during the stall); first answers %v, redeliveries %v",
		policy, stall, len(events), sentInStall, first, later)
	t.Logf("every event sent during the stall acknowledged %v after SIGCONT (the default lease is %v); filter stats %+v",
		lastStallAck.Sub(resumed).Round(time.Millisecond), DefaultLease, st)
	assert.Empty(t, fl.ranTwice(), "callbacks that ran twice")
	assert.Len(t, fl.runs, len(events), "every event ran")
	assert.Less(t, lastStallAck.Sub(resumed), 5*time.Second, "acknowledged soon after SIGCONT, not after a lease")
	require.Eventually(t, func() bool { return fleetStats(fl).Pending == 0 }, 10*time.Second, 20*time.Millisecond)
}

// fleetStats sums the fleet's filter counters.
func fleetStats(fl *hookFleet) FilterStats {
	var s FilterStats
	for _, r := range fl.reps {
		x := r.f.Stats()
		s.LocalRuns += x.LocalRuns
		s.Refused += x.Refused
		s.CommitRetries += x.CommitRetries
		s.Deferred += x.Deferred
		s.RecordedLate += x.RecordedLate
		s.Dropped += x.Dropped
		s.Conflicts += x.Conflicts
		s.OrphansReleased += x.OrphansReleased
		s.ReleaseFailed += x.ReleaseFailed
		s.Pending += x.Pending
		s.PendingCancels += x.PendingCancels
		s.RedisDown = s.RedisDown || x.RedisDown
		s.LocalInProgress += x.LocalInProgress
	}
	return s
}

// TestKillAndRestartUnderLoad: three replicas receive an event every 10 ms
// while their Redis (with its append-only file on, as a production Redis
// keeps its data) is killed (SIGKILL) and restarted on the same port a
// second later. Twilio is played twice over: the first answer to each event
// is what a Twilio that never redelivers would go by (an event not answered
// 200 is lost); then every event not answered 200 is redelivered every
// 250 ms until it is, and once Redis is back every event is delivered once
// more to a random replica. Under RunLocally no event is lost; under Refuse
// the events refused during the outage would be lost without redelivery,
// and run once with it; under both, no callback runs twice.
func TestKillAndRestartUnderLoad(t *testing.T) {
	for _, policy := range []OutagePolicy{Refuse, RunLocally} {
		t.Run(policy.String(), func(t *testing.T) { killAndRestart(t, policy) })
	}
}

func killAndRestart(t *testing.T, policy OutagePolicy) {
	srv := newServer(t)
	srv.stop()
	srv.extra = []string{"--appendonly", "yes", "--appendfsync", "always"}
	require.NoError(t, srv.start())
	fl := newHookFleet(t, 3, func() redis.UniversalClient { return redis.NewClient(webhookClientOptions(srv.addr)) },
		WithOutagePolicy(policy))
	check := redis.NewClient(&redis.Options{Addr: srv.addr, MaxRetries: -1})
	defer check.Close()

	const outage = time.Second
	stop := make(chan struct{})
	var killed, restarted, back, flushed, lastFallback time.Time
	go func() {
		time.Sleep(time.Second)
		killed = time.Now()
		srv.kill()
		time.Sleep(outage)
		restarted = time.Now()
		if err := srv.start(); err != nil {
			t.Error(err)
		}
		// back: when the server answers a client of the test.
		for check.Ping(context.Background()).Err() != nil {
			time.Sleep(5 * time.Millisecond)
		}
		back = time.Now()
		// Recovered: the deferred tokens and the cancellations are all in
		// Redis, and no delivery falls back any more.
		fallbacks := func() int64 { st := fleetStats(fl); return st.LocalRuns + st.Refused }
		last, lastAt := fallbacks(), time.Now()
		for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
			st := fleetStats(fl)
			if st.Pending+st.PendingCancels == 0 && flushed.IsZero() {
				flushed = time.Now()
			}
			if n := fallbacks(); n != last {
				last, lastAt = n, time.Now()
			}
		}
		lastFallback = lastAt
		close(stop)
	}()
	events := fl.flow("", 10*time.Millisecond, 250*time.Millisecond, stop, time.Now().Add(30*time.Second))

	lost := 0
	var inOutage []*event
	for _, ev := range events {
		if ev.codes[0] != http.StatusOK {
			lost++
		}
		if ev.sent.After(killed) && ev.sent.Before(back) {
			inOutage = append(inOutage, ev)
		}
		require.False(t, ev.acked.IsZero(), "event %s acknowledged at last (answers %v)", ev.token, ev.codes)
	}
	require.False(t, flushed.IsZero(), "deferred tokens recorded within a second of the restart")
	st := fleetStats(fl)

	// Every event once more, after Redis is back, to a random replica.
	redelivered := map[int]int{}
	for _, ev := range events {
		redelivered[fl.deliver(ev.token)]++
	}
	first, later := answers(events)
	t.Logf("policy %s, outage %v: %d events, %d sent during the outage; first answers %v (lost without redelivery: %d); redeliveries until 200: %v",
		policy, outage, len(events), len(inOutage), first, lost, later)
	t.Logf("after the restart: Redis answered after %v; the last delivery handled by the outage policy %v; deferred tokens and cancellations all in Redis %v",
		back.Sub(restarted).Round(time.Millisecond), lastFallback.Sub(restarted).Round(time.Millisecond),
		flushed.Sub(restarted).Round(time.Millisecond))
	t.Logf("every event delivered again after recovery: answers %v; callbacks run twice: %d; filter stats %+v",
		redelivered, len(fl.ranTwice()), st)
	assert.Empty(t, fl.ranTwice(), "callbacks that ran twice")
	assert.Len(t, fl.runs, len(events), "every event ran")
	assert.Equal(t, map[int]int{http.StatusOK: len(events)}, redelivered, "redeliveries after recovery are answered done")
	assert.NotEmpty(t, inOutage)
	if policy == RunLocally {
		assert.Zero(t, lost, "no event lost under run locally")
		assert.Positive(t, st.LocalRuns)
	} else {
		assert.Positive(t, lost, "refused during the outage")
		assert.Zero(t, st.LocalRuns)
	}
}

// TestLimiterFallsBackDuringOutage: two replicas' limiters (20 calls per
// second, fallback at half the rate each) keep pacing while their Redis is
// killed, each at its share, so that together they stay under the rate;
// once Redis is restarted, the shared budget is used again.
func TestLimiterFallsBackDuringOutage(t *testing.T) {
	srv := newServer(t)
	const rate = 20
	ls := make([]*RateLimiter, 2)
	for i := range ls {
		c := redis.NewClient(webhookClientOptions(srv.addr))
		t.Cleanup(func() { c.Close() })
		l, err := NewRateLimiter(c, conversations.RateLimits{PerSecond: rate}, WithLocalFallback(0.5))
		require.NoError(t, err)
		ls[i] = l
	}
	ctx := context.Background()
	require.NoError(t, ls[0].Wait(ctx, "conversation:CH1"))
	srv.kill()
	// The first call after the kill finds Redis gone (within the call
	// timeout: go-redis retries the dial meanwhile); the next ones go to
	// the fallback at once.
	for _, l := range ls {
		var err error
		d := timed(func() { err = l.Wait(ctx, "conversation:CH0") })
		require.NoError(t, err)
		t.Logf("first Wait after the kill fell back after %v", d.Round(time.Millisecond))
		assert.LessOrEqual(t, d, DefaultCallTimeout+100*time.Millisecond)
	}

	// One second of calls from both replicas, as fast as they are let out.
	var mu sync.Mutex
	var ts []time.Time
	var wg sync.WaitGroup
	end := time.Now().Add(time.Second)
	for _, l := range ls {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					wctx, cancel := context.WithDeadline(ctx, end)
					err := l.Wait(wctx, "conversation:CH1")
					cancel()
					if err != nil {
						return
					}
					mu.Lock()
					ts = append(ts, time.Now())
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	st0, st1 := ls[0].Stats(), ls[1].Stats()
	t.Logf("Redis killed: %d calls let out in 1 s by two replicas at half of %d/s each; stats %+v %+v", len(ts), rate, st0, st1)
	assert.LessOrEqual(t, len(ts), rate+2, "together under the rate (plus each replica's burst of 1)")
	assert.GreaterOrEqual(t, len(ts), rate/2, "the calls go on")
	assert.True(t, st0.RedisDown && st1.RedisDown)
	assert.Positive(t, st0.Fallbacks)

	require.NoError(t, srv.start())
	require.Eventually(t, func() bool {
		for _, l := range ls {
			if err := l.Wait(ctx, "conversation:CH2"); err != nil || l.Stats().RedisDown {
				return false
			}
		}
		return true
	}, 5*time.Second, 50*time.Millisecond, "back on Redis")
	before := ls[0].Stats().Fallbacks
	require.NoError(t, ls[0].Wait(ctx, "conversation:CH3"))
	assert.Equal(t, before, ls[0].Stats().Fallbacks, "paced through Redis again")
}
