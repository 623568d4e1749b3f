package redisstore

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Sentinel test runs against a failover set of its own: a master
// redis-server, one replica of it (--replicaof) and one sentinel
// (redis-server sentinel.conf --sentinel: Debian's redis-server package
// runs a sentinel this way; the redis-sentinel package only adds a
// symlink and a service), each on a free loopback port in a temporary
// directory, stopped at the end of the test.

// sentinelMaster is the name the sentinel monitors the master under.
const sentinelMaster = "mymaster"

// failoverSet is a master, its replica and the sentinel watching them.
type failoverSet struct {
	master, replica, sentinel *server
}

// newFailoverSet starts a failover set and waits until the sentinel knows
// the replica as a healthy one; it skips the test without redis-server
// (fails under CI=true).
func newFailoverSet(t *testing.T) *failoverSet {
	t.Helper()
	ctx := context.Background()
	fs := &failoverSet{master: newServer(t)}
	var err error
	fs.replica, err = startServer(t.TempDir(), "--replicaof", "127.0.0.1", strconv.Itoa(fs.master.port))
	require.NoError(t, err)
	t.Cleanup(fs.replica.stop)
	rc := redis.NewClient(&redis.Options{Addr: fs.replica.addr})
	defer rc.Close()
	require.Eventually(t, func() bool {
		info, err := rc.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	}, 15*time.Second, 20*time.Millisecond, "the replica in sync with the master")

	fs.sentinel, err = startSentinel(t.TempDir(), fs.master.port)
	require.NoError(t, err)
	t.Cleanup(fs.sentinel.stop)
	sc := redis.NewSentinelClient(&redis.Options{Addr: fs.sentinel.addr})
	defer sc.Close()
	require.Eventually(t, func() bool {
		reps, err := sc.Replicas(ctx, sentinelMaster).Result()
		return err == nil && len(reps) == 1 && reps[0]["flags"] == "slave" &&
			reps[0]["master-link-status"] == "ok" && reps[0]["port"] == strconv.Itoa(fs.replica.port)
	}, 15*time.Second, 20*time.Millisecond, "the sentinel knows the replica")
	return fs
}

// startSentinel starts a sentinel monitoring the master on masterPort with
// a quorum of 1, deciding the master down after 500 ms without an answer.
func startSentinel(dir string, masterPort int) (*server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		conf := filepath.Join(dir, "sentinel.conf") // the sentinel rewrites it
		text := fmt.Sprintf(`port %d
bind 127.0.0.1
dir %s
logfile %s
sentinel resolve-hostnames no
sentinel monitor %s 127.0.0.1 %d 1
sentinel down-after-milliseconds %[4]s 500
sentinel failover-timeout %[4]s 3000
`, port, dir, filepath.Join(dir, "redis.log"), sentinelMaster, masterPort)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			return nil, err
		}
		s := &server{bin: bin, dir: dir, port: port, conf: conf,
			addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
		if err = s.start(); err == nil {
			return s, nil
		}
		if attempt == 2 {
			return nil, err
		}
	}
}

// newFailoverClient returns a client of the set's master, found through
// the sentinel, with the timeouts docs/replicas.md recommends for webhook
// handlers; closed at the end of the test.
func (fs *failoverSet) newFailoverClient(t *testing.T) *redis.Client {
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:            sentinelMaster,
		SentinelAddrs:         []string{fs.sentinel.addr},
		DialTimeout:           500 * time.Millisecond,
		ReadTimeout:           500 * time.Millisecond,
		WriteTimeout:          500 * time.Millisecond,
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// deliverToAll delivers each token to every replica of the fleet at once
// and returns the answers by status code.
func (fl *hookFleet) deliverToAll(tokens []string) map[int]int {
	var (
		mu    sync.Mutex
		codes = map[int]int{}
		wg    sync.WaitGroup
	)
	for _, tok := range tokens {
		for _, r := range fl.reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code := r.deliver(tok)
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	return codes
}

// runsOf returns how many times each token's callback ran.
func (fl *hookFleet) runsOf(tokens []string) map[string]int {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	runs := map[string]int{}
	for _, tok := range tokens {
		runs[tok] = fl.runs[tok]
	}
	return runs
}

// onceEach returns tokens mapped to 1: each ran once.
func onceEach(tokens []string) map[string]int {
	m := map[string]int{}
	for _, tok := range tokens {
		m[tok] = 1
	}
	return m
}

func tokenList(prefix string, n int) []string {
	toks := make([]string, n)
	for i := range toks {
		toks[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return toks
}

// TestSentinelFailover: three replicas' duplicate filters and two
// replicas' rate limiters (20 calls per second), each on a failover client
// of its own (redis.NewFailoverClient), with the default options (outage
// policy RunLocally, fallback at half the rate) but for the call timeout
// (200 ms, shorter than the failover: with the default 1 s, a failover
// shorter than that only delays the calls, which then reach the new
// master). Before the failover each
// event delivered to all three replicas at once runs once. Then, while an
// event arrives every 10 ms (redelivered every 250 ms until answered 200)
// and the limiters are called as fast as they let calls out, the master is
// killed (SIGKILL) and the sentinel promotes the replica: the events
// delivered meanwhile run in process and are recorded in Redis once the
// new master answers. After the failover, new events delivered to all
// three replicas at once run once, and every event of the test delivered
// again to a random replica is answered done without running again. The
// limiters stay under their one rate throughout.
func TestSentinelFailover(t *testing.T) {
	fs := newFailoverSet(t)
	ctx := context.Background()
	fl := newHookFleet(t, 3, func() redis.UniversalClient { return fs.newFailoverClient(t) },
		WithCallTimeout(200*time.Millisecond))
	const rate = 20
	ls := make([]*RateLimiter, 2)
	for i := range ls {
		l, err := NewRateLimiter(fs.newFailoverClient(t), conversations.RateLimits{PerSecond: rate},
			WithCallTimeout(200*time.Millisecond))
		require.NoError(t, err)
		ls[i] = l
	}
	check := fs.newFailoverClient(t)
	sc := redis.NewSentinelClient(&redis.Options{Addr: fs.sentinel.addr})
	defer sc.Close()

	// The limiters, as fast as they let calls out, until stopLimiters.
	var (
		tsMu sync.Mutex
		ts   []time.Time
		lwg  sync.WaitGroup
	)
	stopLimiters := make(chan struct{})
	for _, l := range ls {
		for range 4 {
			lwg.Add(1)
			go func() {
				defer lwg.Done()
				for {
					select {
					case <-stopLimiters:
						return
					default:
					}
					wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					err := l.Wait(wctx, "conversation:CH1")
					cancel()
					if !assert.NoError(t, err) {
						return
					}
					now := time.Now()
					tsMu.Lock()
					ts = append(ts, now)
					tsMu.Unlock()
				}
			}()
		}
	}
	limiterStopped := false
	stopLimiterCalls := func() {
		if !limiterStopped {
			limiterStopped = true
			close(stopLimiters)
			lwg.Wait()
		}
	}
	defer stopLimiterCalls()

	// Before: each event to all three replicas at once.
	before := tokenList("before-", 10)
	beforeAnswers := fl.deliverToAll(before)
	require.Equal(t, onceEach(before), fl.runsOf(before), "each event ran once before the failover")
	require.Zero(t, fleetStats(fl).LocalRuns, "Redis answered before the failover")

	// The failover, while events flow.
	stop := make(chan struct{})
	flowDone := make(chan []*event)
	go func() {
		flowDone <- fl.flow("failover-", 10*time.Millisecond, 250*time.Millisecond, stop, time.Now().Add(30*time.Second))
	}()
	time.Sleep(300 * time.Millisecond) // some events before the kill (not an assertion)
	killed := time.Now()
	fs.master.kill()
	require.Eventually(t, func() bool {
		addr, err := sc.GetMasterAddrByName(ctx, sentinelMaster).Result()
		return err == nil && len(addr) == 2 && addr[1] == strconv.Itoa(fs.replica.port)
	}, 20*time.Second, 10*time.Millisecond, "the sentinel promotes the replica")
	promoted := time.Now()
	require.Eventually(t, func() bool {
		return check.Set(ctx, "failover-check", "1", time.Minute).Err() == nil
	}, 10*time.Second, 10*time.Millisecond, "the failover client writes to the new master")
	back := time.Now()
	// Recovered: every filter answered by Redis again, and every token run
	// in process recorded there.
	require.Eventually(t, func() bool {
		st := fleetStats(fl)
		return !st.RedisDown && st.Pending+st.PendingCancels+st.LocalInProgress == 0
	}, 10*time.Second, 10*time.Millisecond, "the filters back on Redis, deferred tokens recorded")
	recovered := time.Now()
	require.Eventually(t, func() bool {
		return !ls[0].Stats().RedisDown && !ls[1].Stats().RedisDown
	}, 10*time.Second, 10*time.Millisecond, "the limiters back on Redis")
	limitersBack := time.Now()
	time.Sleep(300 * time.Millisecond) // some events after recovery (not an assertion)
	close(stop)
	events := <-flowDone
	stFailover := fleetStats(fl)

	// After: new events to all three replicas at once, through Redis.
	after := tokenList("after-", 10)
	afterAnswers := fl.deliverToAll(after)
	require.Equal(t, onceEach(after), fl.runsOf(after), "each event ran once after the failover")
	assert.Equal(t, stFailover.LocalRuns, fleetStats(fl).LocalRuns, "Redis answered after the failover")

	// Limiter: one second through Redis after recovery.
	fallbacks := ls[0].Stats().Fallbacks + ls[1].Stats().Fallbacks
	time.Sleep(time.Second) // the limiters' goroutines call meanwhile (not an assertion)
	stopLimiterCalls()
	assert.Equal(t, fallbacks, ls[0].Stats().Fallbacks+ls[1].Stats().Fallbacks, "paced through Redis after the failover")
	limiterEnd := time.Now()

	// Every event of the test once more, to a random replica.
	all := append(append([]string{}, before...), after...)
	var inOutage []*event
	for _, ev := range events {
		require.False(t, ev.acked.IsZero(), "event %s acknowledged (answers %v)", ev.token, ev.codes)
		all = append(all, ev.token)
		if ev.sent.After(killed) && ev.sent.Before(recovered) {
			inOutage = append(inOutage, ev)
		}
	}
	redelivered := map[int]int{}
	for _, tok := range all {
		redelivered[fl.deliver(tok)]++
	}
	first, later := answers(events)
	firstInOutage := map[int]int{}
	var slowest time.Duration
	for _, ev := range inOutage {
		firstInOutage[ev.codes[0]]++
		slowest = max(slowest, ev.acked.Sub(ev.sent))
	}
	st := fleetStats(fl)

	// The limiters' calls, in the busiest second and in each phase.
	in := func(from, to time.Time) int {
		n := 0
		for _, x := range ts {
			if !x.Before(from) && x.Before(to) {
				n++
			}
		}
		return n
	}
	busiestIn := func(from, to time.Time) int {
		var sel []time.Time
		for _, x := range ts {
			if !x.Before(from) && x.Before(to) {
				sel = append(sel, x)
			}
		}
		return maxInWindow(sel, time.Second)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	busiest := maxInWindow(ts, time.Second)
	var busiestAt time.Time
	for i := range ts {
		if busiestIn(ts[i], ts[i].Add(time.Second)) == busiest {
			busiestAt = ts[i]
			break
		}
	}
	busiestBefore, busiestAfter := busiestIn(time.Time{}, killed), busiestIn(limitersBack.Add(500*time.Millisecond), limiterEnd)
	duringOutage := in(killed, limitersBack)

	t.Logf("failover: sentinel promoted the replica %v after SIGKILL; the failover client wrote to it %v after; filters recorded every deferred token %v after; limiters back on Redis %v after",
		promoted.Sub(killed).Round(time.Millisecond), back.Sub(killed).Round(time.Millisecond),
		recovered.Sub(killed).Round(time.Millisecond), limitersBack.Sub(killed).Round(time.Millisecond))
	t.Logf("events: before, each to 3 replicas at once: answers %v; during the flow %d events (%d sent between SIGKILL and recovery, first answers %v, the slowest acknowledged after %v); all first answers %v, redeliveries until 200 %v; after, each to 3 replicas at once: answers %v",
		beforeAnswers, len(events), len(inOutage), firstInOutage, slowest.Round(time.Millisecond), first, later, afterAnswers)
	t.Logf("every event delivered again after recovery: answers %v; callbacks run twice: %d; filter stats %+v",
		redelivered, len(fl.ranTwice()), st)
	t.Logf("limiters (%d/s, two replicas, 4 goroutines each): %d calls in the busiest second (starting %v after SIGKILL), %d before SIGKILL, %d from 0.5 s after back on Redis; %d calls in %v from SIGKILL to back on Redis; stats %+v %+v",
		rate, busiest, busiestAt.Sub(killed).Round(time.Millisecond), busiestBefore, busiestAfter, duringOutage, limitersBack.Sub(killed).Round(time.Millisecond), ls[0].Stats(), ls[1].Stats())

	assert.Empty(t, fl.ranTwice(), "callbacks that ran twice")
	assert.Len(t, fl.runs, len(all), "every event ran")
	assert.Equal(t, map[int]int{http.StatusOK: len(all)}, redelivered, "redeliveries after recovery are answered done")
	require.NotEmpty(t, inOutage, "events sent during the failover")
	assert.Positive(t, st.LocalRuns, "events run in process during the failover (RunLocally, the default)")
	assert.Equal(t, st.Deferred, st.RecordedLate, "every deferred token recorded in Redis")
	assert.Zero(t, st.Dropped+st.Conflicts)
	assert.Zero(t, first[http.StatusInternalServerError], "no event answered 500 under RunLocally")
	// Through Redis (before, and from half a second after the switch back),
	// the two limiters share the rate (plus a quarter second of scheduling
	// slack). At each switch, to the fallback and back, the calls granted
	// on one side and still waiting overlap with the other side's: at most
	// one per waiting goroutine (8), twice when both switches fall in one
	// second (a failover shorter than a second).
	assert.LessOrEqual(t, busiestBefore, rate+2+rate/4, "calls in the busiest second before the failover")
	assert.LessOrEqual(t, busiestAfter, rate+2+rate/4, "calls in the busiest second after the failover")
	assert.LessOrEqual(t, busiest, rate+2+rate/4+2*8, "calls in the busiest second")
	assert.Positive(t, duringOutage, "the limiters let calls out during the failover")
	assert.Positive(t, ls[0].Stats().Fallbacks+ls[1].Stats().Fallbacks, "the limiters fell back during the failover")
	assert.Greater(t, in(limitersBack, limiterEnd), rate/2, "the limiters let the rate out after the failover")
}
