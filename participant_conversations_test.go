package conversations

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	bindOp("ListParticipantConversation", ParticipantConversation{}, ParticipantConversationListParams{})
	bindOp("ListServiceParticipantConversation", ParticipantConversation{}, ParticipantConversationListParams{})
	cover("ListParticipantConversation", func(ctx context.Context, c *Client) error {
		return drain(c.ParticipantConversations.List(ctx, &ParticipantConversationListParams{Identity: "alice"}))
	})
	cover("ListServiceParticipantConversation", func(ctx context.Context, c *Client) error {
		return drain(c.Service(serviceSID).ParticipantConversations.List(ctx, &ParticipantConversationListParams{Address: "+15558675310"}))
	})
}

func TestParticipantConversationListByIdentity(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/ParticipantConversations",
		Query: url.Values{"Identity": {"identity"}, "PageSize": {"50"}},
		Body:  example(t, "ListParticipantConversation", "readFullByIdentity"),
	})
	pcs, err := collect(c.ParticipantConversations.List(context.Background(), &ParticipantConversationListParams{Identity: "identity", PageSize: 200}))
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	require.Len(t, pcs, 1)
	pc := pcs[0]
	assert.Equal(t, testAccountSID, pc.AccountSID)
	assert.Equal(t, serviceSID, pc.ChatServiceSID)
	assert.Equal(t, testParticipantSID, pc.ParticipantSID)
	assert.Equal(t, testUserSID, pc.ParticipantUserSID)
	assert.Equal(t, "identity", pc.ParticipantIdentity)
	assert.Nil(t, pc.ParticipantMessagingBinding)
	assert.Equal(t, convSID, pc.ConversationSID)
	assert.Equal(t, "unique_name", pc.ConversationUniqueName)
	assert.Equal(t, "friendly_name", pc.ConversationFriendlyName)
	assert.Equal(t, "{}", pc.ConversationAttributes.String())
	assert.Equal(t, time.Date(2015, 7, 30, 20, 0, 0, 0, time.UTC), pc.ConversationDateCreated)
	assert.Equal(t, time.Date(2015, 7, 30, 20, 0, 0, 0, time.UTC), pc.ConversationDateUpdated)
	assert.Equal(t, "created_by", pc.ConversationCreatedBy)
	assert.Equal(t, StateInactive, pc.ConversationState)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 19, 38, 0, time.UTC), pc.ConversationTimers.DateInactive)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 28, 38, 0, time.UTC), pc.ConversationTimers.DateClosed)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Participants/"+testParticipantSID, pc.Links.Participant)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID, pc.Links.Conversation)
}

func TestParticipantConversationListByAddress(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/ParticipantConversations",
		Query: url.Values{"Address": {"+375255555555"}},
		Body:  example(t, "ListParticipantConversation", "readFullByAddress"),
	})
	p := c.ParticipantConversations.Pager(&ParticipantConversationListParams{Address: "+375255555555"})
	assert.Contains(t, p.NextPageURL(), "Address=%2B375255555555", "the + of an address is escaped")
	page, err := p.Next(context.Background())
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	pc := page.Items[0]
	assert.Empty(t, pc.ParticipantIdentity)
	assert.Empty(t, pc.ParticipantUserSID)
	require.NotNil(t, pc.ParticipantMessagingBinding)
	assert.Equal(t, MessagingSMS, pc.ParticipantMessagingBinding.Type)
	assert.Equal(t, "+375255555555", pc.ParticipantMessagingBinding.Address)
	assert.Equal(t, "+12345678910", pc.ParticipantMessagingBinding.ProxyAddress)
	assert.False(t, p.More())
}

func TestParticipantConversationScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Services/" + serviceSID + "/ParticipantConversations",
		Query: url.Values{"Identity": {"identity"}, "PageSize": {"20"}},
		Body:  example(t, "ListServiceParticipantConversation", "readFullByIdentity"),
	})
	pcs, err := collect(c.Service(serviceSID).ParticipantConversations.List(context.Background(), &ParticipantConversationListParams{Identity: "identity", PageSize: 20}))
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	require.NotEmpty(t, pcs)
	assert.Equal(t, serviceSID, pcs[0].ChatServiceSID)
}

func TestParticipantConversationBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	for _, params := range []*ParticipantConversationListParams{
		nil,
		{},
		{PageSize: 10},
		{Identity: "alice", Address: "+15558675310"},
	} {
		_, err := collect(c.ParticipantConversations.List(ctx, params))
		assert.ErrorIs(t, err, ErrParticipantFilter)
		_, err = c.Service(serviceSID).ParticipantConversations.Pager(params).Next(ctx)
		assert.ErrorIs(t, err, ErrParticipantFilter)
	}
	_, err := collect(c.Service("").ParticipantConversations.List(ctx, &ParticipantConversationListParams{Identity: "alice"}))
	assert.ErrorContains(t, err, "ChatServiceSid")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
