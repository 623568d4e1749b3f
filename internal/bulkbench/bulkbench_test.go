package bulkbench

// The production-volume benchmarks. They take minutes (the rate limit sets
// their floor: 33 s for 1,000 participants, 10 s for 300 conversations, and
// the plain sequential loops take longer), so run them alone:
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 30m ./internal/bulkbench

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func benchmark(b *testing.B, work func(ctx context.Context, srv *conversationstest.Server, c *conversations.Client, v Variant) (Report, error)) {
	for _, v := range Variants {
		b.Run(string(v), func(b *testing.B) {
			var last Report
			for range b.N {
				srv := NewEmulator(Rate, Latency)
				c, err := srv.Client()
				require.NoError(b, err)
				last, err = work(context.Background(), srv, c, v)
				srv.Close()
				require.NoError(b, err)
			}
			b.Log(last)
			last.ReportMetrics(b)
		})
	}
}

// BenchmarkAddParticipants adds 1,000 participants (950 chat identities, 50
// SMS addresses) to one conversation at 30/s with 50 ms latency.
func BenchmarkAddParticipants(b *testing.B) {
	benchmark(b, func(ctx context.Context, srv *conversationstest.Server, c *conversations.Client, v Variant) (Report, error) {
		return AddParticipants(ctx, srv, []*conversations.Client{c}, v, 1000, 50, Rate)
	})
}

// BenchmarkCreateConversations creates 300 conversations, each with one SMS
// participant and one message, at 30/s with 50 ms latency.
func BenchmarkCreateConversations(b *testing.B) {
	benchmark(b, func(ctx context.Context, srv *conversationstest.Server, c *conversations.Client, v Variant) (Report, error) {
		return CreateConversations(ctx, srv, []*conversations.Client{c}, v, 300, Rate)
	})
}

// TestHarness runs small versions of the benchmarks fast, and checks what
// the harness counts.
func TestHarness(t *testing.T) {
	ctx := context.Background()
	srv := NewEmulator(500, time.Millisecond)
	t.Cleanup(srv.Close)
	var clients []*conversations.Client
	for range 2 {
		lim, err := conversations.NewRateLimiter(conversations.RateLimits{PerSecond: 250})
		require.NoError(t, err)
		c, err := srv.Client(conversations.WithRateLimiter(lim))
		require.NoError(t, err)
		clients = append(clients, c)
	}
	r, err := AddParticipants(ctx, srv, clients, Bulk, 60, 6, 500)
	require.NoError(t, err)
	assert.Equal(t, 60, r.Items)
	assert.Zero(t, r.Failed+r.Duplicates+r.Missing, r.String())
	assert.EqualValues(t, 60, r.Calls, "one create per participant")
	assert.Equal(t, 120*time.Millisecond, r.Floor)

	r, err = CreateConversations(ctx, srv, clients, Bulk, 20, 500)
	require.NoError(t, err)
	assert.Zero(t, r.Failed+r.Duplicates+r.Missing, r.String())
	assert.EqualValues(t, 60, r.Calls, "a conversation, a participant and a message each")

	// A plain loop on 64 goroutines, with no pacing, against a low rate:
	// the emulator answers 429s and the harness counts them.
	slow := NewEmulator(20, time.Millisecond)
	t.Cleanup(slow.Close)
	plain, err := slow.Client(conversations.WithRetryPolicy(conversations.NoRetries))
	require.NoError(t, err)
	r, err = AddParticipants(ctx, slow, []*conversations.Client{plain}, Goroutines64, 100, 0, 20)
	require.NoError(t, err)
	assert.Positive(t, r.Throttled)
	assert.Equal(t, int(r.Throttled), r.Failed, "without retries each 429 is a failed item")
	assert.Equal(t, r.Failed, r.Missing, "and a missing participant")
	assert.Zero(t, r.Duplicates)
	assert.EqualValues(t, 100, r.Calls)
}
