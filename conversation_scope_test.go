package conversations_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scopeRecorder is a RateLimiter that records the scopes it is asked to
// wait on, and lets every call through.
type scopeRecorder struct {
	mu     sync.Mutex
	scopes []string
}

func (r *scopeRecorder) Wait(_ context.Context, scope string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scopes = append(r.scopes, scope)
	return nil
}

func (r *scopeRecorder) Throttled(context.Context, string, time.Duration) {}

// TestOneBudgetPerConversation: one bulk run adds participants to a
// conversation through its SID and through its unique name at once, on a
// client that has never seen the conversation; paced at the emulator's
// rate, it gets no 429: both halves share the conversation's one budget.
func TestOneBudgetPerConversation(t *testing.T) {
	const rate = 40
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(rate))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	setup, err := srv.Client()
	require.NoError(t, err)
	conv, err := setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "support-room"})
	require.NoError(t, err)

	c := bulkClient(t, srv, rate, nil)
	all := people(120, 0)
	var wg sync.WaitGroup
	results := make([][]conversations.BulkResult[conversations.Participant], 2)
	for i, addr := range []string{conv.SID, "support-room"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := c.Participants.AddMany(ctx, addr, all[i*60:(i+1)*60], nil)
			assert.NoError(t, err)
			results[i] = rs
		}()
	}
	wg.Wait()
	for i := range results {
		assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkDone: 60}, statuses(results[i]), "half %d", i)
	}
	assert.Equal(t, keysOf(all), heldBy(t, srv, conv.SID))
	assert.Zero(t, srv.Traffic().Throttled, "one budget for the conversation: no 429")
}

// TestConversationScopeByName: a mutating call that names a conversation
// by its unique name waits on the conversation's SID scope; the name is
// resolved once, by a read (which no rate limit counts), or learned from a
// response that carries both; a name that does not resolve is refused
// without sending the call.
func TestConversationScopeByName(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	setup, err := srv.Client()
	require.NoError(t, err)
	conv, err := setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "room-1"})
	require.NoError(t, err)

	rec := &scopeRecorder{}
	c, err := srv.Client(conversations.WithRateLimiter(rec))
	require.NoError(t, err)
	before := srv.Traffic().Requests
	for range 2 {
		_, err = c.Messages.Create(ctx, "room-1", &conversations.MessageCreateParams{Body: "hi"})
		require.NoError(t, err)
	}
	_, err = c.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: "hi"})
	require.NoError(t, err)
	assert.Equal(t, []string{"conversation:" + conv.SID, "conversation:" + conv.SID, "conversation:" + conv.SID}, rec.scopes)
	assert.Equal(t, int64(4), srv.Traffic().Requests-before, "three creates and one fetch to resolve the name")

	// Learned from a response: a conversation created with a unique name.
	rec.scopes = nil
	made, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "room-2"})
	require.NoError(t, err)
	before = srv.Traffic().Requests
	_, err = c.Conversations.Update(ctx, "room-2", &conversations.ConversationUpdateParams{FriendlyName: "two"})
	require.NoError(t, err)
	assert.Equal(t, []string{"service:default", "conversation:" + made.SID}, rec.scopes)
	assert.Equal(t, int64(1), srv.Traffic().Requests-before, "no fetch: the create told the name")

	// Renamed: the new name is learned from the update's response.
	rec.scopes = nil
	_, err = c.Conversations.Update(ctx, made.SID, &conversations.ConversationUpdateParams{UniqueName: "room-3"})
	require.NoError(t, err)
	before = srv.Traffic().Requests
	_, err = c.Messages.Create(ctx, "room-3", &conversations.MessageCreateParams{Body: "hi"})
	require.NoError(t, err)
	assert.Equal(t, []string{"conversation:" + made.SID, "conversation:" + made.SID}, rec.scopes)
	assert.Equal(t, int64(1), srv.Traffic().Requests-before)

	// In a Conversation Service, names are the service's own.
	svc, err := setup.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "other"})
	require.NoError(t, err)
	scoped, err := setup.Service(svc.SID).Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "room-1"})
	require.NoError(t, err)
	rec.scopes = nil
	_, err = c.Service(svc.SID).Messages.Create(ctx, "room-1", &conversations.MessageCreateParams{Body: "hi"})
	require.NoError(t, err)
	assert.Equal(t, []string{"conversation:" + scoped.SID}, rec.scopes)

	// An unknown name: the fetch answers 404, and nothing is sent.
	rec.scopes = nil
	before = srv.Traffic().Requests
	_, err = c.Messages.Create(ctx, "no-such-room", &conversations.MessageCreateParams{Body: "hi"})
	var apiErr *conversations.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Empty(t, rec.scopes, "not paced: not sent")
	assert.Equal(t, int64(1), srv.Traffic().Requests-before, "the fetch only")
}
