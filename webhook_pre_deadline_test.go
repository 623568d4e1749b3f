package conversations

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a log sink safe for the callback goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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

func TestPreEventTimeout(t *testing.T) {
	const d = 80 * time.Millisecond
	for _, tc := range []struct {
		name      string
		onTimeout Decision
		callback  func(ctx context.Context, release <-chan struct{}) (Decision, error)
		status    int
		body      string
	}{
		{"ignores its context, allow on timeout", Allow(), func(_ context.Context, release <-chan struct{}) (Decision, error) {
			<-release
			return Reject(), nil
		}, 200, "{}"},
		{"ignores its context, reject on timeout", Reject(), func(_ context.Context, release <-chan struct{}) (Decision, error) {
			<-release
			return Allow(), nil
		}, RejectStatus, ""},
		{"returns the context's error", Allow(), func(ctx context.Context, _ <-chan struct{}) (Decision, error) {
			<-ctx.Done()
			return Decision{}, ctx.Err()
		}, 200, "{}"},
		{"rejects after its context ended", Allow(), func(ctx context.Context, _ <-chan struct{}) (Decision, error) {
			<-ctx.Done()
			return Reject(), nil
		}, 200, "{}"},
		{"modify on timeout", ModifyMessage(MessageChanges{Body: Ptr("[held for review]")}), func(ctx context.Context, _ <-chan struct{}) (Decision, error) {
			<-ctx.Done()
			return Allow(), nil
		}, 200, `{"body":"[held for review]"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			h := newHandler(t, WithPreEventTimeout(d, tc.onTimeout),
				WithWebhookLogger(slog.New(slog.NewTextHandler(logs, nil))))
			release := make(chan struct{})
			finished := make(chan struct{})
			var deadline time.Time
			h.OnMessageAdd(func(ctx context.Context, _ *MessageAddEvent) (Decision, error) {
				defer close(finished)
				deadline, _ = ctx.Deadline()
				return tc.callback(ctx, release)
			})
			start := time.Now()
			w := serve(t, h, baseForm(EventMessageAdd, "Body", "x"), "")
			elapsed := time.Since(start)
			close(release)
			<-finished
			assert.Equal(t, tc.status, w.Code)
			if tc.body != "" {
				assert.JSONEq(t, tc.body, w.Body.String())
			}
			assert.GreaterOrEqual(t, elapsed, d)
			assert.Less(t, elapsed, d+2*time.Second, "answered at the deadline, not when the callback returned")
			assert.WithinDuration(t, start.Add(d), deadline, time.Second, "the callback's context ends at the timeout")
			require.Eventually(t, func() bool {
				return bytes.Contains([]byte(logs.String()), []byte("late pre-event callback result discarded"))
			}, 2*time.Second, 5*time.Millisecond)
			assert.Contains(t, logs.String(), "did not answer in time")
		})
	}
}

func TestPreEventInTime(t *testing.T) {
	h := newHandler(t, WithPreEventTimeout(time.Second, Allow()))
	var deadline time.Time
	var hasDeadline bool
	h.OnMessageAdd(func(ctx context.Context, _ *MessageAddEvent) (Decision, error) {
		deadline, hasDeadline = ctx.Deadline()
		return Reject(), nil
	})
	start := time.Now()
	w := serve(t, h, baseForm(EventMessageAdd, "Body", "x"), "")
	assert.Equal(t, RejectStatus, w.Code, "a decision in time is answered")
	require.True(t, hasDeadline)
	assert.WithinDuration(t, start.Add(time.Second), deadline, 500*time.Millisecond)

	// An error in time is still 500; a panic too.
	h.OnMessageAdd(func(context.Context, *MessageAddEvent) (Decision, error) { return Decision{}, errors.New("db down") })
	assert.Equal(t, 500, serve(t, h, baseForm(EventMessageAdd, "Body", "x"), "").Code)
	h.OnMessageAdd(func(context.Context, *MessageAddEvent) (Decision, error) { panic("bug") })
	assert.Equal(t, 500, serve(t, h, baseForm(EventMessageAdd, "Body", "x"), "").Code)

	// The default timeout is DefaultPreEventTimeout.
	h2 := newHandler(t)
	h2.OnMessageAdd(func(ctx context.Context, _ *MessageAddEvent) (Decision, error) {
		deadline, hasDeadline = ctx.Deadline()
		return Allow(), nil
	})
	start = time.Now()
	assert.Equal(t, 200, serve(t, h2, baseForm(EventMessageAdd, "Body", "x"), "").Code)
	require.True(t, hasDeadline)
	assert.WithinDuration(t, start.Add(DefaultPreEventTimeout), deadline, 500*time.Millisecond)
	assert.Less(t, DefaultPreEventTimeout, 5*time.Second)

	_, err := NewWebhookHandler(hookToken, WithPreEventTimeout(0, Allow()))
	assert.ErrorContains(t, err, "WithPreEventTimeout")
}
