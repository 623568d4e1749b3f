package conversations

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// recordingLimiter records the scopes a client waits on and reports.
type recordingLimiter struct {
	mu        sync.Mutex
	waits     []string
	throttled []string
	after     []time.Duration
	err       error // returned by Wait
}

func (r *recordingLimiter) Wait(_ context.Context, scope string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, scope)
	return r.err
}

func (r *recordingLimiter) Throttled(_ context.Context, scope string, retryAfter time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.throttled = append(r.throttled, scope)
	r.after = append(r.after, retryAfter)
}

func TestWithRateLimiterScopes(t *testing.T) {
	ctx := context.Background()
	rec := &recordingLimiter{}
	c, mt := newTestClient(t, WithRateLimiter(rec))
	ok := `{"sid":"` + convSID + `"}`
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/v1/Conversations"},
		{http.MethodPost, "/v1/Conversations/" + convSID},
		{http.MethodDelete, "/v1/Conversations/" + convSID},
		{http.MethodPost, "/v1/Conversations/" + convSID + "/Messages"},
		{http.MethodGet, "/v1/Conversations/" + convSID + "/Messages/" + msgSID},
		{http.MethodPost, "/v1/Services/" + serviceSID + "/Users"},
	} {
		mt.RegisterResponder(r.method, apiBase+r.path, func(*http.Request) (*http.Response, error) {
			return httpmock.NewStringResponse(http.StatusOK, ok), nil
		})
	}
	_, err := c.Conversations.Create(ctx, &ConversationCreateParams{FriendlyName: "x"})
	require.NoError(t, err)
	_, err = c.Conversations.Update(ctx, convSID, &ConversationUpdateParams{FriendlyName: "y"})
	require.NoError(t, err)
	require.NoError(t, c.Conversations.Delete(ctx, convSID, nil))
	_, err = c.Messages.Create(ctx, convSID, &MessageCreateParams{Body: "hi"})
	require.NoError(t, err)
	_, err = c.Messages.Fetch(ctx, convSID, msgSID)
	require.NoError(t, err)
	_, err = c.Service(serviceSID).Users.Create(ctx, &UserCreateParams{Identity: "alice"})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"service:default",
		"conversation:" + convSID,
		"service:default",
		"conversation:" + convSID,
		// the fetch is a read: not paced
		"service:" + serviceSID,
	}, rec.waits)
	assert.Empty(t, rec.throttled)
}

func TestWithRateLimiter429IsReported(t *testing.T) {
	rec := &recordingLimiter{}
	c, mt := newTestClient(t, WithRateLimiter(rec),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Second}))
	n := sequence(t, mt, http.MethodPost, "/v1/Conversations/"+convSID, url.Values{"FriendlyName": {"y"}},
		step{status: 429, header: http.Header{"Retry-After": {"1"}}}, step{status: 429}, step{status: 200})
	_, err := c.Conversations.Update(context.Background(), convSID, &ConversationUpdateParams{FriendlyName: "y"})
	require.NoError(t, err)
	assert.EqualValues(t, 3, n.Load())
	scope := "conversation:" + convSID
	assert.Equal(t, []string{scope, scope, scope}, rec.waits, "every attempt waits")
	assert.Equal(t, []string{scope, scope}, rec.throttled)
	assert.Equal(t, []time.Duration{time.Second, 0}, rec.after)
}

func TestWithRateLimiterWaitError(t *testing.T) {
	rec := &recordingLimiter{err: context.Canceled}
	c, mt := newTestClient(t, WithRateLimiter(rec))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Messages.Create(ctx, convSID, &MessageCreateParams{Body: "hi"})
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, mt.GetTotalCallCount(), "nothing is sent when the wait fails")

	_, err = NewClient(testAccountSID, testAuthToken, WithRateLimiter(nil))
	require.ErrorContains(t, err, "non-nil RateLimiter")
}

func TestNewRateLimiterDefaults(t *testing.T) {
	l, err := NewRateLimiter(RateLimits{})
	require.NoError(t, err)
	assert.Equal(t, RateLimits{PerSecond: 30, Burst: 1, Backoff: 5 * time.Second, IdleTimeout: time.Minute}, l.Limits())
	l, err = NewRateLimiter(RateLimits{PerSecond: 0.001, Burst: 1})
	require.NoError(t, err)
	assert.Equal(t, 1000*time.Second, l.Limits().IdleTimeout, "an idle scope is kept until its bucket is full again")
	_, err = NewRateLimiter(RateLimits{PerSecond: -1})
	require.ErrorContains(t, err, "negative")
}

// deadlineIn returns a context whose deadline is d away.
func deadlineIn(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestLocalRateLimiterPacesEachScope(t *testing.T) {
	l, err := NewRateLimiter(RateLimits{PerSecond: 50})
	require.NoError(t, err)
	ctx := context.Background()
	start := time.Now()
	for range 6 {
		require.NoError(t, l.Wait(ctx, "conversation:CH1"))
	}
	// 6 calls at 50/s with a burst of 1: 5 intervals of 20ms at least.
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond-time.Millisecond)

	// Another scope has its own budget: its first call needs no wait,
	// while the busy scope's next one does.
	require.NoError(t, l.Wait(deadlineIn(t, 5*time.Millisecond), "conversation:CH2"))
	err = l.Wait(deadlineIn(t, 5*time.Millisecond), "conversation:CH1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "conversation:CH1")
}

func TestLocalRateLimiterBurst(t *testing.T) {
	l, err := NewRateLimiter(RateLimits{PerSecond: 1, Burst: 3})
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, l.Wait(deadlineIn(t, 5*time.Millisecond), "s"), "call %d is in the burst", i+1)
	}
	require.ErrorIs(t, l.Wait(deadlineIn(t, 5*time.Millisecond), "s"), context.DeadlineExceeded)
}

func TestLocalRateLimiterCancelWhileWaiting(t *testing.T) {
	l, err := NewRateLimiter(RateLimits{PerSecond: 0.5})
	require.NoError(t, err)
	require.NoError(t, l.Wait(context.Background(), "s"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx, "s") }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Second):
		t.Fatal("Wait did not return when its context was cancelled")
	}
	// An already-cancelled context returns at once, on any scope.
	require.ErrorIs(t, l.Wait(ctx, "other"), context.Canceled)
}

func TestLocalRateLimiterThrottled(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l, err := NewRateLimiter(RateLimits{PerSecond: 10, Burst: 2, Backoff: 5 * time.Second})
	require.NoError(t, err)
	l.now = func() time.Time { return now }
	ctx := context.Background()
	require.NoError(t, l.Wait(ctx, "s"))
	l.Throttled(ctx, "s", 0)
	s := l.scopes["s"]
	assert.Equal(t, rate.Limit(5), s.lim.Limit(), "halved")
	assert.Zero(t, s.lim.TokensAt(now), "the tokens held are dropped")
	l.Throttled(ctx, "s", 0)
	l.Throttled(ctx, "s", 0)
	l.Throttled(ctx, "s", 0)
	assert.Equal(t, rate.Limit(1), s.lim.Limit(), "never below a tenth of the rate")

	// A Retry-After holds every call until it has passed.
	l.Throttled(ctx, "s", 3*time.Second)
	now = now.Add(time.Second)
	err = l.Wait(deadlineIn(t, time.Second), "s")
	require.ErrorIs(t, err, context.DeadlineExceeded, "2s of Retry-After left")

	// After the backoff the configured rate is back.
	now = now.Add(10 * time.Second)
	require.NoError(t, l.Wait(ctx, "s"))
	assert.Equal(t, rate.Limit(10), s.lim.Limit())
}

func TestLocalRateLimiterDropsIdleScopes(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l, err := NewRateLimiter(RateLimits{IdleTimeout: time.Minute})
	require.NoError(t, err)
	l.now = func() time.Time { return now }
	ctx := context.Background()
	for i := range 100 {
		require.NoError(t, l.Wait(ctx, "conversation:CH"+string(rune('A'+i%26))+string(rune('a'+i/26))))
	}
	assert.Equal(t, 100, l.scopeCount())
	now = now.Add(30 * time.Second)
	require.NoError(t, l.Wait(ctx, "conversation:busy"))
	assert.Equal(t, 101, l.scopeCount(), "nothing is idle long enough yet")
	now = now.Add(45 * time.Second)
	require.NoError(t, l.Wait(ctx, "conversation:new"))
	assert.Equal(t, 2, l.scopeCount(), "only the scopes used in the last minute are kept")
	l.Throttled(ctx, "conversation:new", 0)
	now = now.Add(2 * time.Minute)
	require.NoError(t, l.Wait(ctx, "conversation:other"))
	assert.Equal(t, 1, l.scopeCount())
}
