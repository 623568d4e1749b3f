package conversations_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// campaign returns n conversation setups: each with a unique name, one SMS
// participant and a first message.
func campaign(n int) []*conversations.ConversationSetup {
	out := make([]*conversations.ConversationSetup, n)
	for i := range n {
		out[i] = &conversations.ConversationSetup{
			Conversation: &conversations.ConversationCreateParams{UniqueName: fmt.Sprintf("campaign-%03d", i), FriendlyName: "Campaign"},
			Participants: []*conversations.ParticipantCreateParams{{
				MessagingBindingAddress: fmt.Sprintf("+1555020%04d", i), MessagingBindingProxyAddress: "+15550009999",
			}},
			Message: &conversations.MessageCreateParams{Author: "shop", Body: "Your order has shipped"},
		}
	}
	return out
}

// requireCampaign checks that the emulator holds each conversation of items
// exactly once, each with its one participant and one message.
func requireCampaign(t *testing.T, srv *conversationstest.Server, items []*conversations.ConversationSetup) {
	t.Helper()
	byName := map[string]conversationstest.ConversationSummary{}
	for _, s := range srv.Conversations() {
		_, dup := byName[s.UniqueName]
		require.False(t, dup, "conversation %s twice", s.UniqueName)
		byName[s.UniqueName] = s
	}
	require.Len(t, byName, len(items))
	for _, it := range items {
		s, ok := byName[it.Conversation.UniqueName]
		require.True(t, ok, "missing %s", it.Conversation.UniqueName)
		assert.Equal(t, []string{it.Participants[0].MessagingBindingAddress}, s.Participants)
		assert.Equal(t, 1, s.Messages, s.UniqueName)
	}
}

func TestCreateManyAndRerun(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(100))
	t.Cleanup(srv.Close)
	ft := &faultTransport{fault: func(n int) string {
		switch n {
		case 3, 17, 31: // a conversation, participant or message create whose answer is lost
			return "drop"
		case 9, 22:
			return "500"
		}
		return ""
	}}
	c := bulkClient(t, srv, 100, ft)
	ctx := context.Background()
	items := campaign(25)
	var last int
	rs, err := c.Conversations.CreateMany(ctx, items, &conversations.BulkOptions{
		Progress: func(done, total int) { last = done; assert.Equal(t, 25, total) },
	})
	require.NoError(t, err)
	assert.Equal(t, 25, last)
	for i, r := range rs {
		require.Equal(t, conversations.BulkDone, r.Status, "item %d: %v", i, r.Err)
		assert.Equal(t, items[i].Conversation.UniqueName, r.Value.UniqueName)
	}
	assert.Equal(t, 5, ft.faults)
	requireCampaign(t, srv, items)
	assert.Zero(t, srv.Traffic().Throttled)

	// A re-run finds everything there and sends nothing.
	rs, err = c.Conversations.CreateMany(ctx, items, nil)
	require.NoError(t, err)
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkSkipped: 25}, statuses(rs))
	requireCampaign(t, srv, items)
}

func TestCreateManyCompletesAPartialRun(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	c := bulkClient(t, srv, 1000, nil)
	ctx := context.Background()
	items := campaign(6)
	// A first run got as far as: conversation 0 complete, conversation 1
	// without its message, conversation 2 without its participant.
	for i := range 3 {
		conv, err := c.Conversations.Create(ctx, items[i].Conversation)
		require.NoError(t, err)
		if i != 2 {
			_, err = c.Participants.Create(ctx, conv.SID, items[i].Participants[0])
			require.NoError(t, err)
		}
		if i != 1 {
			_, err = c.Messages.Create(ctx, conv.SID, items[i].Message)
			require.NoError(t, err)
		}
	}
	rs, err := c.Conversations.CreateMany(ctx, items, nil)
	require.NoError(t, err)
	assert.Equal(t, conversations.BulkSkipped, rs[0].Status)
	for i := 1; i < 6; i++ {
		assert.Equal(t, conversations.BulkDone, rs[i].Status, "item %d", i)
	}
	requireCampaign(t, srv, items)
}

func TestCreateManyWithoutUniqueNameNeverResends(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	ft := &faultTransport{match: func(p string) bool { return p == "/v1/Conversations" }, fault: func(n int) string {
		if n == 0 {
			return "drop"
		}
		return ""
	}}
	c := bulkClient(t, srv, 1000, ft)
	rs, err := c.Conversations.CreateMany(context.Background(), []*conversations.ConversationSetup{
		{Conversation: &conversations.ConversationCreateParams{FriendlyName: "no name"}},
	}, &conversations.BulkOptions{Concurrency: 1})
	require.Error(t, err)
	assert.Equal(t, conversations.BulkFailed, rs[0].Status)
	assert.ErrorIs(t, rs[0].Err, conversations.ErrUncertain)
	assert.Len(t, srv.Conversations(), 1, "the lost create landed once, and was not sent again")

	_, err = c.Conversations.CreateMany(context.Background(), []*conversations.ConversationSetup{
		{Conversation: &conversations.ConversationCreateParams{UniqueName: "x"}},
		{Conversation: &conversations.ConversationCreateParams{UniqueName: "x"}},
	}, nil)
	require.ErrorContains(t, err, "given twice")
	_, err = c.Conversations.CreateMany(context.Background(), []*conversations.ConversationSetup{{}}, nil)
	require.ErrorContains(t, err, "no Conversation")
}

func TestCloseManyAndDeleteMany(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(100))
	t.Cleanup(srv.Close)
	ft := &faultTransport{fault: func(int) string { return "" }}
	c := bulkClient(t, srv, 100, ft)
	ctx := context.Background()
	var sids []string
	for i := range 8 {
		conv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: fmt.Sprintf("c%d", i)})
		require.NoError(t, err)
		sids = append(sids, conv.SID)
	}
	_, err := c.Conversations.Close(ctx, sids[2], nil)
	require.NoError(t, err)
	// Lose the answer of one close: closing again is harmless (then 50377: already closed).
	ft.mu.Lock()
	ft.counts, ft.fault = 0, func(n int) string {
		if n == 1 {
			return "drop"
		}
		return ""
	}
	ft.mu.Unlock()
	rs, err := c.Conversations.CloseMany(ctx, append(sids[:5:5], "c5"), &conversations.BulkOptions{Concurrency: 1})
	require.NoError(t, err)
	assert.Equal(t, conversations.BulkSkipped, rs[2].Status, "already closed")
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkDone: 5, conversations.BulkSkipped: 1}, statuses(rs))
	assert.Equal(t, conversations.BulkDone, rs[1].Status, "its answer was lost, it was closed again: 50377, yet this run closed it")
	assert.Equal(t, 1, ft.faults)
	for _, s := range srv.Conversations()[:6] {
		assert.Equal(t, "closed", s.State, s.UniqueName)
	}
	assert.Equal(t, "active", srv.Conversations()[6].State)

	ft.mu.Lock()
	ft.fault = func(int) string { return "" }
	ft.mu.Unlock()
	rs, err = c.Conversations.DeleteMany(ctx, append(sids[:4:4], "c4", "CH00000000000000000000000000000000"), nil)
	require.NoError(t, err)
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkDone: 5, conversations.BulkSkipped: 1}, statuses(rs))
	assert.Equal(t, conversations.BulkSkipped, rs[5].Status, "already gone")
	assert.Len(t, srv.Conversations(), 3)

	_, err = c.Conversations.DeleteMany(ctx, []string{""}, nil)
	require.ErrorIs(t, err, conversations.ErrEmptyParameter)
}
