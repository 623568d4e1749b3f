package redisstore

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ conversations.DuplicateFilter = (*DuplicateFilter)(nil)

// runs returns how many times the callback ran for token, in any process.
func runs(t *testing.T, c redis.UniversalClient, prefix, token string) int {
	t.Helper()
	n, err := c.Get(context.Background(), prefix+"runs:"+token).Int()
	if err == redis.Nil {
		return 0
	}
	require.NoError(t, err)
	return n
}

// newReplicas builds n in-process replicas, each on a client of its own.
func newReplicas(t *testing.T, n int, prefix string, lease, hold time.Duration) []*replica {
	t.Helper()
	newClient(t) // skips without Redis
	rs := make([]*replica, n)
	for i := range rs {
		r, err := newReplica(redisAddr, prefix, lease, hold)
		require.NoError(t, err)
		t.Cleanup(func() { r.f.Close(); r.client.Close() })
		rs[i] = r
	}
	return rs
}

// TestFilterRunsOnceAcrossReplicas: each event is delivered at the same
// moment to four handlers in this process and two in child processes, each
// with its own Redis connection pool; its callback runs exactly once. The
// delivery that ran it is answered 200, the others 503 (still running) or
// 200 (already done); a later redelivery is answered 200 without a run.
func TestFilterRunsOnceAcrossReplicas(t *testing.T) {
	runOnceAcrossReplicas(t, newClient(t), newReplicas(t, 4, testPrefix(t), time.Second, 300*time.Millisecond))
}

// runOnceAcrossReplicas delivers three events to the in-process replicas
// rs (sharing one prefix, with a 1 s lease and a 300 ms callback) and to
// two child processes at the same moment, on c's Redis (or cluster
// nodes); each callback must run exactly once.
func runOnceAcrossReplicas(t *testing.T, c redis.UniversalClient, rs []*replica, cluster ...string) {
	prefix := rs[0].f.prefix[:len(rs[0].f.prefix)-len("dedup:")]
	tokens := []string{"idem-a", "idem-b", "idem-c"}
	local, children := len(rs), 2
	const hold = 300 * time.Millisecond
	var outs []*strings.Builder
	var cmds []interface{ Wait() error }
	for range children {
		cmd, out := startChild(t, roleDeliver, prefix, tokens, time.Second, hold, cluster...)
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for _, tok := range tokens {
		codes := make([]int, local)
		var wg sync.WaitGroup
		for i, r := range rs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, err := r.deliverTogether(prefix, tok)
				assert.NoError(t, err)
				codes[i] = code
			}()
		}
		startLine(t, c, prefix, tok, local+children)
		wg.Wait()
		// The run may be a child's: the local replicas can answer 503 before
		// its callback's count lands. Exactly once is checked at the end.
		assert.Eventually(t, func() bool { return runs(t, c, prefix, tok) >= 1 },
			10*time.Second, 5*time.Millisecond, "callback ran for %s", tok)
		assert.LessOrEqual(t, runs(t, c, prefix, tok), 1, "callback runs for %s", tok)
		for i, code := range codes {
			assert.Contains(t, []int{http.StatusOK, conversations.InProgressStatus}, code, "replica %d, %s", i, tok)
		}
	}
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "child %d", i)
	}
	all := map[string][]string{}
	for _, out := range outs {
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			tok, code, _ := strings.Cut(line, " ")
			all[tok] = append(all[tok], code)
		}
	}
	for _, tok := range tokens {
		assert.Len(t, all[tok], children, "children delivered %s", tok)
		for _, code := range all[tok] {
			assert.Contains(t, []string{"200", fmt.Sprint(conversations.InProgressStatus)}, code)
		}
		assert.Equal(t, http.StatusOK, rs[0].deliver(tok), "redelivery after success")
		assert.Equal(t, 1, runs(t, c, prefix, tok), "the redelivery did not run %s again", tok)
	}
	for _, r := range rs {
		assert.Empty(t, r.f.renewals, "no lease renewal left running")
	}
}

// TestFilterCrashedReservationExpires: a replica process is killed while
// its callback runs; until its lease runs out a redelivery is answered 503,
// then the redelivery runs the callback.
func TestFilterCrashedReservationExpires(t *testing.T) {
	c := newClient(t)
	prefix := testPrefix(t)
	const lease = 600 * time.Millisecond
	const tok = "idem-crash"
	cmd, _ := startChild(t, roleCrash, prefix, []string{tok}, lease, 0)
	require.Eventually(t, func() bool { return runs(t, c, prefix, tok) == 1 },
		30*time.Second, 5*time.Millisecond, "the child's callback started")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	cmd.Wait()
	killed := time.Now()

	r := newReplicas(t, 1, prefix, lease, 0)[0]
	if time.Since(killed) < lease/3 {
		assert.Equal(t, conversations.InProgressStatus, r.deliver(tok), "the dead process's lease still holds")
	}
	assert.Equal(t, 1, runs(t, c, prefix, tok))
	require.Eventually(t, func() bool { return r.deliver(tok) == http.StatusOK },
		10*lease, lease/10, "a redelivery runs once the lease expired")
	// The lease had between lease and two thirds of it left when the child
	// died (it renews every third).
	assert.GreaterOrEqual(t, time.Since(killed), lease/3, "not before the lease ran out")
	assert.Equal(t, 2, runs(t, c, prefix, tok), "the redelivery ran the callback")
	assert.Equal(t, http.StatusOK, r.deliver(tok))
	assert.Equal(t, 2, runs(t, c, prefix, tok), "and it was committed")
}

// TestFilterLongCallbackIsRenewed: a callback that runs for four leases is
// not run again by the redeliveries that arrive meanwhile, because its
// lease is renewed while it runs.
func TestFilterLongCallbackIsRenewed(t *testing.T) {
	c := newClient(t)
	prefix := testPrefix(t)
	const lease = 600 * time.Millisecond // renewed every 200 ms
	const tok = "idem-long"
	rs := newReplicas(t, 2, prefix, lease, 4*lease)
	first := make(chan int)
	go func() { first <- rs[0].deliver(tok) }()
	require.Eventually(t, func() bool { return runs(t, c, prefix, tok) == 1 },
		5*time.Second, time.Millisecond)
	for range 3 {
		time.Sleep(lease)
		assert.Equal(t, conversations.InProgressStatus, rs[1].deliver(tok), "redelivery while the callback runs")
	}
	assert.Equal(t, http.StatusOK, <-first)
	assert.Equal(t, http.StatusOK, rs[1].deliver(tok))
	assert.Equal(t, 1, runs(t, c, prefix, tok), "the callback ran once")
}

// newFilters returns n filters sharing a prefix, each on a client of its
// own.
func newFilters(t *testing.T, n int, opts ...Option) []*DuplicateFilter {
	t.Helper()
	opts = append([]Option{WithKeyPrefix(testPrefix(t))}, opts...)
	fs := make([]*DuplicateFilter, n)
	for i := range fs {
		f, err := NewDuplicateFilter(newClient(t), opts...)
		require.NoError(t, err)
		fs[i] = f
	}
	return fs
}

// TestFilterLateReleaseKeepsNewerReservation: an attempt stalls (its lease
// is not renewed) and expires; a redelivery reserves the token; the stalled
// attempt's late Release and Commit leave the newer reservation alone.
func TestFilterLateReleaseKeepsNewerReservation(t *testing.T) {
	const lease = 200 * time.Millisecond
	fs := newFilters(t, 3, WithLease(lease))
	ctx := context.Background()
	state, old, err := fs[0].Reserve(ctx, "idem-late")
	require.NoError(t, err)
	require.Equal(t, conversations.TokenNew, state)
	fs[0].stopRenewal(old.Owner) // the process stalls: no more renewals
	time.Sleep(lease + 100*time.Millisecond)

	state, newer, err := fs[1].Reserve(ctx, "idem-late")
	require.NoError(t, err)
	require.Equal(t, conversations.TokenNew, state, "the stalled reservation expired")
	assert.NotEqual(t, old.Owner, newer.Owner)

	require.NoError(t, fs[0].Release(ctx, old), "a late Release is not an error")
	state, _, err = fs[2].Reserve(ctx, "idem-late")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenInProgress, state, "the late Release did not drop the newer reservation")

	assert.ErrorIs(t, fs[0].Commit(ctx, old), ErrLeaseLost)
	state, _, err = fs[2].Reserve(ctx, "idem-late")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenInProgress, state, "the late Commit changed nothing")

	require.NoError(t, fs[1].Commit(ctx, newer))
	require.NoError(t, fs[0].Release(ctx, old))
	state, _, err = fs[2].Reserve(ctx, "idem-late")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenDone, state, "a late Release after the commit changed nothing")
}

// TestFilterStates: release makes a token new again; commit makes it done
// for the done TTL, also when its lease had run out and nobody holds it.
func TestFilterStates(t *testing.T) {
	c := newClient(t)
	prefix := testPrefix(t)
	const lease = 200 * time.Millisecond
	f, err := NewDuplicateFilter(c, WithKeyPrefix(prefix), WithLease(lease), WithDoneTTL(time.Hour))
	require.NoError(t, err)
	ctx := context.Background()
	key := prefix + "dedup:{idem-s}"

	state, r, err := f.Reserve(ctx, "idem-s")
	require.NoError(t, err)
	require.Equal(t, conversations.TokenNew, state)
	assert.Equal(t, "idem-s", r.Token)
	ttl := c.PTTL(ctx, key).Val()
	assert.True(t, ttl > 0 && ttl <= lease, "a reservation lives for the lease, got %v", ttl)
	state, _, err = f.Reserve(ctx, "idem-s")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenInProgress, state, "the same filter sees its own reservation")

	require.NoError(t, f.Release(ctx, r))
	assert.Equal(t, int64(0), c.Exists(ctx, key).Val(), "released: the key is gone")
	state, r, err = f.Reserve(ctx, "idem-s")
	require.NoError(t, err)
	require.Equal(t, conversations.TokenNew, state, "a released token runs again")

	f.stopRenewal(r.Owner)
	time.Sleep(lease + 100*time.Millisecond)
	require.NoError(t, f.Commit(ctx, r), "nobody holds the token: Commit records it done")
	assert.Equal(t, doneValue, c.Get(ctx, key).Val())
	ttl = c.PTTL(ctx, key).Val()
	assert.True(t, ttl > 59*time.Minute && ttl <= time.Hour, "done is kept for the done TTL, got %v", ttl)
	state, _, err = f.Reserve(ctx, "idem-s")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenDone, state)
	assert.Empty(t, f.renewals)
}

// TestFilterErrors: bad options and an empty token are refused; under the
// Refuse policy an unreachable Redis makes Reserve fail, and the handler
// answers 500 without running the callback.
func TestFilterErrors(t *testing.T) {
	_, err := NewDuplicateFilter(nil)
	assert.ErrorIs(t, err, errNilClient)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	for _, o := range []Option{WithLease(time.Millisecond), WithDoneTTL(0), WithCallTimeout(0),
		WithAnswerWindow(0), WithOutagePolicy(0), WithOutagePolicy(3)} {
		_, err := NewDuplicateFilter(c, o)
		assert.Error(t, err)
	}
	f, err := NewDuplicateFilter(c, WithOutagePolicy(Refuse), WithAnswerWindow(300*time.Millisecond))
	require.NoError(t, err)
	defer f.Close()
	_, _, err = f.Reserve(context.Background(), "")
	assert.Error(t, err)
	_, _, err = f.Reserve(context.Background(), "idem-x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redisstore: reserve")
	// A commit Redis does not take is kept in process: a redelivery to this
	// replica is answered done.
	assert.NoError(t, f.Commit(context.Background(), conversations.Reservation{Token: "idem-c", Owner: "o:1"}))
	state, _, err := f.Reserve(context.Background(), "idem-c")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenDone, state)
	assert.Error(t, f.Release(context.Background(), conversations.Reservation{Token: "idem-x", Owner: "o:1"}))
	st := f.Stats()
	assert.Equal(t, int64(1), st.Refused)
	assert.Equal(t, int64(1), st.Deferred)
	assert.Equal(t, 1, st.Pending)
	assert.Equal(t, int64(1), st.ReleaseFailed)
	assert.Positive(t, st.CommitRetries, "the commit was retried within the answer window")
	assert.True(t, st.RedisDown)

	ran := false
	h, err := conversations.NewWebhookHandler(hookToken, conversations.WithDuplicateFilter(f))
	require.NoError(t, err)
	h.OnMessageAdded(func(context.Context, *conversations.MessageAddedEvent) error { ran = true; return nil })
	assert.Equal(t, http.StatusInternalServerError, (&replica{h: h}).deliver("idem-x"))
	assert.False(t, ran)
}

// TestScriptsTolerateTheirOwnRetry: each script, run twice for the same
// owner (a client retry, or a command a stalled server runs late), acts as
// if run once; a cancelled owner's late reserve reserves nothing, and
// leaves the token free for other owners.
func TestScriptsTolerateTheirOwnRetry(t *testing.T) {
	c := newClient(t)
	f, err := NewDuplicateFilter(c, WithKeyPrefix(testPrefix(t)), WithLease(time.Second))
	require.NoError(t, err)
	defer f.Close()
	ctx := context.Background()
	run := func(s *redis.Script, token, owner string, args ...any) int64 {
		keys := []string{f.tokenKey(token)}
		if s == reserveTokenScript || s == cancelScript {
			keys = append(keys, f.cancelKey(token, owner))
		}
		n, err := s.Run(ctx, c, keys, append([]any{owner}, args...)...).Int64()
		require.NoError(t, err)
		return n
	}
	lease, ttl := int64(1000), int64(60000)

	assert.Equal(t, int64(0), run(reserveTokenScript, "a", "o:1", lease), "reserved")
	assert.Equal(t, int64(0), run(reserveTokenScript, "a", "o:1", lease), "the retry finds its own reservation")
	assert.Equal(t, int64(1), run(reserveTokenScript, "a", "o:2", lease), "another owner sees it in progress")
	assert.Equal(t, int64(1), run(commitScript, "a", "o:1", ttl))
	assert.Equal(t, int64(1), run(commitScript, "a", "o:1", ttl), "a retried commit finds it done")
	assert.Equal(t, int64(2), run(reserveTokenScript, "a", "o:1", lease), "a late reserve after the commit changes nothing")
	assert.Equal(t, doneValue, c.Get(ctx, f.tokenKey("a")).Val())

	assert.Equal(t, int64(0), run(reserveTokenScript, "b", "o:3", lease))
	assert.Equal(t, int64(1), run(releaseScript, "b", "o:3"))
	assert.Equal(t, int64(0), run(releaseScript, "b", "o:3"), "a retried release finds nothing to do")
	assert.Equal(t, int64(0), run(reserveTokenScript, "b", "o:4", lease), "the token is free again")
	assert.Equal(t, int64(0), run(releaseScript, "b", "o:3"), "a late release leaves the newer reservation")
	assert.Equal(t, "o:4", c.Get(ctx, f.tokenKey("b")).Val())

	// Cancelled before its reserve ran (the order a stalled server may
	// choose): the late reserve does nothing, and others may reserve.
	assert.Equal(t, int64(0), run(cancelScript, "c", "o:5", lease))
	assert.Equal(t, int64(3), run(reserveTokenScript, "c", "o:5", lease), "cancelled: nothing reserved")
	assert.Equal(t, int64(0), c.Exists(ctx, f.tokenKey("c")).Val())
	assert.Equal(t, int64(0), run(reserveTokenScript, "c", "o:6", lease), "another owner reserves")
	// Cancelled after its reserve ran: the reservation is deleted.
	assert.Equal(t, int64(0), run(reserveTokenScript, "d", "o:7", lease))
	assert.Equal(t, int64(1), run(cancelScript, "d", "o:7", lease))
	assert.Equal(t, int64(0), c.Exists(ctx, f.tokenKey("d")).Val())
	assert.Equal(t, int64(3), run(reserveTokenScript, "d", "o:7", lease), "a retry of the cancelled reserve does nothing")
	pttl := c.PTTL(ctx, f.cancelKey("d", "o:7")).Val()
	assert.True(t, pttl > 0 && pttl <= time.Second, "the cancel marker lives for a lease, got %v", pttl)
}
