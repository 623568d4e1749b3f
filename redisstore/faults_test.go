package redisstore

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fault tests stall (SIGSTOP), kill and restart redis-servers of their
// own, or talk to a black hole (a listener that accepts connections and
// never answers), with the go-redis client set up as users do.

// blackHole returns the address of a loopback listener that accepts
// connections, reads everything and never answers; it closes them at the
// end of the test.
func blackHole(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// timed runs fn and returns how long it took.
func timed(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// TestDeadlinesKept: against a Redis that does not answer (a black hole, a
// stalled server) and a client with go-redis's default options (read
// timeout 5 s, three retries, ContextTimeoutEnabled off), Wait, Reserve,
// Commit and Release with 1 s deadlines return by 1.1 s; without a
// deadline they return after the call timeout and the outage policy takes
// over, and while Redis stays down the next calls do not wait at all.
func TestDeadlinesKept(t *testing.T) {
	t.Run("black hole", func(t *testing.T) { deadlinesKept(t, blackHole(t), nil) })
	t.Run("stalled server", func(t *testing.T) {
		srv := newServer(t)
		srv.pause()
		defer srv.resume()
		deadlinesKept(t, srv.addr, srv)
	})
}

func deadlinesKept(t *testing.T, addr string, srv *server) {
	client := redis.NewClient(&redis.Options{Addr: addr}) // as the old README showed
	defer client.Close()
	if srv != nil {
		defer srv.resume() // the abandoned calls end once the server answers
	}
	refuse, err := NewDuplicateFilter(client, WithOutagePolicy(Refuse))
	require.NoError(t, err)
	defer refuse.Close()
	local, err := NewDuplicateFilter(client, WithCallTimeout(300*time.Millisecond))
	require.NoError(t, err)
	defer local.Close()
	strict, err := NewRateLimiter(client, conversations.RateLimits{}, WithLocalFallback(0))
	require.NoError(t, err)
	fallback, err := NewRateLimiter(client, conversations.RateLimits{}, WithCallTimeout(300*time.Millisecond))
	require.NoError(t, err)

	const deadline = time.Second
	calls := map[string]func(ctx context.Context) error{
		"Wait": func(ctx context.Context) error { return strict.Wait(ctx, "conversation:CH1") },
		"Reserve": func(ctx context.Context) error {
			_, _, err := refuse.Reserve(ctx, "idem-dl")
			return err
		},
		"Commit": func(ctx context.Context) error {
			return refuse.Commit(ctx, conversations.Reservation{Token: "idem-c", Owner: "o:1"})
		},
		"Release": func(ctx context.Context) error {
			return refuse.Release(ctx, conversations.Reservation{Token: "idem-r", Owner: "o:2"})
		},
	}
	var wg sync.WaitGroup
	took := map[string]time.Duration{}
	errs := map[string]error{}
	var mu sync.Mutex
	for name, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			var err error
			d := timed(func() { err = call(ctx) })
			mu.Lock()
			took[name], errs[name] = d, err
			mu.Unlock()
		}()
	}
	wg.Wait()
	for name, d := range took {
		t.Logf("%s with a 1 s deadline returned after %v: %v", name, d.Round(time.Millisecond), errs[name])
		assert.LessOrEqual(t, d, deadline+100*time.Millisecond, name)
	}
	assert.ErrorIs(t, errs["Wait"], context.DeadlineExceeded)
	assert.Error(t, errs["Reserve"])
	assert.NoError(t, errs["Commit"], "a commit Redis did not take is kept in process")
	assert.Equal(t, 1, refuse.Stats().Pending)
	assert.Error(t, errs["Release"])

	// Without a deadline: the call timeout (300 ms), then the policy.
	var state conversations.TokenState
	var r conversations.Reservation
	d := timed(func() { state, r, err = local.Reserve(context.Background(), "idem-local") })
	t.Logf("Reserve without a deadline fell back after %v", d.Round(time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenNew, state, "run locally")
	assert.LessOrEqual(t, d, 400*time.Millisecond)
	d = timed(func() { state, _, err = local.Reserve(context.Background(), "idem-local") })
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenInProgress, state, "the same replica knows its local run")
	assert.Less(t, d, 50*time.Millisecond, "Redis is known to be down: no wait")
	require.NoError(t, local.Commit(context.Background(), r))
	state, _, err = local.Reserve(context.Background(), "idem-local")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenDone, state)
	st := local.Stats()
	assert.Equal(t, int64(1), st.LocalRuns)
	assert.Equal(t, 1, st.Pending, "to be recorded when Redis answers")

	d = timed(func() { err = fallback.Wait(context.Background(), "conversation:CH1") })
	t.Logf("Wait without a deadline fell back after %v", d.Round(time.Millisecond))
	require.NoError(t, err)
	assert.LessOrEqual(t, d, 400*time.Millisecond)
	d = timed(func() { err = fallback.Wait(context.Background(), "conversation:CH2") })
	require.NoError(t, err)
	assert.Less(t, d, 50*time.Millisecond, "Redis is known to be down: no wait")
	assert.Equal(t, int64(2), fallback.Stats().Fallbacks)
	assert.True(t, fallback.Stats().RedisDown)

	if srv == nil {
		return
	}
	// Once the server answers again, the deferred tokens are recorded.
	srv.resume()
	require.Eventually(t, func() bool { return local.Stats().Pending == 0 && refuse.Stats().Pending == 0 },
		10*time.Second, 20*time.Millisecond, "deferred tokens recorded after the stall")
	check := redis.NewClient(&redis.Options{Addr: addr})
	defer check.Close()
	for _, tok := range []string{"idem-local", "idem-c"} {
		assert.Equal(t, doneValue, check.Get(context.Background(), DefaultKeyPrefix+"dedup:{"+tok+"}").Val(), tok)
	}
	assert.Equal(t, int64(2), local.Stats().RecordedLate+refuse.Stats().RecordedLate)
}

// TestReserveRetriedByTheClientIsOurs: the server stalls longer than the
// client's read timeout while a Reserve is on the wire; go-redis gives up
// on the connection and sends the script again; after the stall the server
// runs both, and the second finds the first one's reservation: it is the
// same caller's, so Reserve answers new (the callback runs), not "in
// progress" until the lease runs out.
func TestReserveRetriedByTheClientIsOurs(t *testing.T) {
	srv := newServer(t)
	client := redis.NewClient(&redis.Options{Addr: srv.addr, ReadTimeout: 300 * time.Millisecond})
	defer client.Close()
	f, err := NewDuplicateFilter(client, WithCallTimeout(5*time.Second), WithOutagePolicy(Refuse))
	require.NoError(t, err)
	defer f.Close()
	ctx := context.Background()
	require.NoError(t, client.Ping(ctx).Err()) // a pooled connection, scripts loaded below
	require.NoError(t, reserveTokenScript.Load(ctx, client).Err())

	require.NoError(t, client.ConfigResetStat(ctx).Err())

	srv.pause()
	time.AfterFunc(450*time.Millisecond, srv.resume) // after the first read timed out
	state, r, err := f.Reserve(ctx, "idem-retried")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenNew, state, "the retry found its own reservation")
	stats := client.Info(ctx, "commandstats").Val()
	m := regexp.MustCompile(`cmdstat_evalsha:calls=(\d+)`).FindStringSubmatch(stats)
	require.NotNil(t, m, stats)
	t.Logf("the server ran the reserve script %s times for one Reserve", m[1])
	assert.NotEqual(t, "1", m[1], "go-redis sent the script again, and the server ran both")
	require.NoError(t, f.Commit(ctx, r))
	state, _, err = f.Reserve(ctx, "idem-retried")
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenDone, state)
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCommitRetriedAfterTheCallback: the server stalls while a callback
// runs and resumes 600 ms later, within the answer window: the handler's
// Commit, whose first call times out (call timeout 200 ms), is retried and
// recorded; the outcome is logged; a redelivery to another replica is
// answered 200 without running the callback again.
func TestCommitRetriedAfterTheCallback(t *testing.T) {
	srv := newServer(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ran := 0
	var hs []*replica
	for range 2 {
		c := redis.NewClient(webhookClientOptions(srv.addr))
		t.Cleanup(func() { c.Close() })
		f, err := NewDuplicateFilter(c, WithCallTimeout(200*time.Millisecond), WithLogger(logger))
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		h, err := conversations.NewWebhookHandler(hookToken, conversations.WithDuplicateFilter(f))
		require.NoError(t, err)
		h.OnMessageAdded(func(context.Context, *conversations.MessageAddedEvent) error {
			ran++
			srv.pause() // Redis stalls while the callback runs
			time.AfterFunc(600*time.Millisecond, srv.resume)
			return nil
		})
		hs = append(hs, &replica{h: h, f: f, client: c})
	}
	start := time.Now()
	assert.Equal(t, http.StatusOK, hs[0].deliver("idem-commit"))
	took := time.Since(start)
	st := hs[0].f.Stats()
	t.Logf("answered 200 after %v; stats %+v; log:\n%s", took.Round(time.Millisecond), st, logs.String())
	assert.Positive(t, st.CommitRetries, "the commit was retried")
	assert.Zero(t, st.Deferred, "and recorded within the answer window")
	assert.Contains(t, logs.String(), "commit recorded after retrying")
	assert.Less(t, took, DefaultAnswerWindow)
	assert.Equal(t, http.StatusOK, hs[1].deliver("idem-commit"))
	assert.Equal(t, 1, ran, "the redelivery did not run the callback again")
}
