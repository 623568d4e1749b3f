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

const testParticipantSID = "MBaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	for _, p := range []string{"", "Service"} {
		bindOp("Fetch"+p+"UserConversation", UserConversation{})
		bindOp("Update"+p+"UserConversation", UserConversation{}, UserConversationUpdateParams{})
		bindOp("List"+p+"UserConversation", UserConversation{}, ListParams{})
		bindOp("Delete"+p+"UserConversation", nil)
	}
	for p, r := range scopes {
		cover("Fetch"+p+"UserConversation", func(ctx context.Context, c *Client) error {
			_, err := r(c).UserConversations.Fetch(ctx, testUserSID, convSID)
			return err
		})
		cover("Update"+p+"UserConversation", func(ctx context.Context, c *Client) error {
			_, err := r(c).UserConversations.Update(ctx, testUserSID, convSID, &UserConversationUpdateParams{NotificationLevel: NotificationMuted})
			return err
		})
		cover("Delete"+p+"UserConversation", func(ctx context.Context, c *Client) error {
			return r(c).UserConversations.Delete(ctx, testUserSID, convSID)
		})
		cover("List"+p+"UserConversation", func(ctx context.Context, c *Client) error {
			return drain(r(c).UserConversations.List(ctx, testUserSID, nil))
		})
	}
}

func TestUserConversationFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Users/" + testUserSID + "/Conversations/" + convSID,
		Body: example(t, "FetchUserConversation", "fetch"),
	})
	uc, err := c.UserConversations.Fetch(context.Background(), testUserSID, convSID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())

	assert.Equal(t, testAccountSID, uc.AccountSID)
	assert.Equal(t, serviceSID, uc.ChatServiceSID)
	assert.Equal(t, convSID, uc.ConversationSID)
	require.NotNil(t, uc.UnreadMessagesCount)
	assert.Equal(t, 100, *uc.UnreadMessagesCount)
	require.NotNil(t, uc.LastReadMessageIndex)
	assert.Equal(t, 100, *uc.LastReadMessageIndex)
	assert.Equal(t, testParticipantSID, uc.ParticipantSID)
	assert.Equal(t, testUserSID, uc.UserSID)
	assert.Equal(t, "friendly_name", uc.FriendlyName)
	assert.Equal(t, "unique_name", uc.UniqueName)
	assert.Equal(t, StateInactive, uc.ConversationState)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 19, 38, 0, time.UTC), uc.Timers.DateInactive)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 28, 38, 0, time.UTC), uc.Timers.DateClosed)
	assert.Equal(t, "{}", uc.Attributes.String())
	assert.Equal(t, time.Date(2015, 7, 30, 20, 0, 0, 0, time.UTC), uc.DateCreated)
	assert.Equal(t, time.Date(2015, 7, 30, 20, 0, 0, 0, time.UTC), uc.DateUpdated)
	assert.Equal(t, "created_by", uc.CreatedBy)
	assert.Equal(t, NotificationDefault, uc.NotificationLevel)
	assert.Equal(t, apiBase+"/v1/Users/"+testUserSID+"/Conversations/"+convSID, uc.URL)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Participants/"+testParticipantSID, uc.Links.Participant)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID, uc.Links.Conversation)
}

func TestUserConversationUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Users/alice/Conversations/support%2F42",
		Form: url.Values{
			"NotificationLevel":    {"muted"},
			"LastReadTimestamp":    {"2015-07-30T20:00:00Z"},
			"LastReadMessageIndex": {"0"},
		},
		Body: example(t, "UpdateUserConversation", "update"),
	})
	uc, err := c.UserConversations.Update(context.Background(), "alice", "support/42", &UserConversationUpdateParams{
		NotificationLevel:    NotificationMuted,
		LastReadTimestamp:    time.Date(2015, 7, 30, 20, 0, 0, 0, time.UTC),
		LastReadMessageIndex: Ptr(0),
	})
	require.NoError(t, err)
	assert.Equal(t, convSID, uc.ConversationSID)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Users/" + testUserSID + "/Conversations/" + convSID,
		Form: url.Values{"NotificationLevel": {"default"}},
		Body: example(t, "UpdateUserConversation", "update"),
	})
	uc, err = c.UserConversations.Update(context.Background(), testUserSID, convSID, &UserConversationUpdateParams{NotificationLevel: NotificationDefault})
	require.NoError(t, err)
	assert.Equal(t, NotificationDefault, uc.NotificationLevel)
}

func TestUserConversationDelete(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Users/" + testUserSID + "/Conversations/" + convSID,
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.UserConversations.Delete(context.Background(), testUserSID, convSID))
	assert.EqualValues(t, 1, n.Load())
}

func TestUserConversationList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Users/" + testUserSID + "/Conversations",
		Query: url.Values{"PageSize": {"50"}},
		Body:  example(t, "ListUserConversation", "readFull"),
	})
	ucs, err := collect(c.UserConversations.List(context.Background(), testUserSID, &ListParams{PageSize: 100}))
	require.NoError(t, err)
	want := decodeExample(t, "ListUserConversation", "readFull")["conversations"].([]any)
	require.Len(t, ucs, len(want))
	assert.Equal(t, want[0].(map[string]any)["conversation_sid"], ucs[0].ConversationSID)
	assert.Equal(t, want[0].(map[string]any)["notification_level"], string(ucs[0].NotificationLevel))

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Users/" + testUserSID + "/Conversations",
		Body: example(t, "ListUserConversation", "readEmpty"),
	})
	page, err := c.UserConversations.Pager(testUserSID, nil).Next(context.Background())
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, "conversations", page.Meta.Key)
}

func TestUserConversationScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	svc := c.Service(serviceSID)
	base := "/v1/Services/" + serviceSID + "/Users/" + testUserSID + "/Conversations"
	expect(t, mt, call{Method: http.MethodGet, Path: base + "/" + convSID, Body: example(t, "FetchServiceUserConversation", "fetch")})
	expect(t, mt, call{
		Method: http.MethodPost, Path: base + "/" + convSID,
		Form: url.Values{"LastReadMessageIndex": {"7"}},
		Body: example(t, "UpdateServiceUserConversation", "update"),
	})
	expect(t, mt, call{Method: http.MethodGet, Path: base, Body: example(t, "ListServiceUserConversation", "readFull")})
	expect(t, mt, call{Method: http.MethodDelete, Path: base + "/" + convSID, Status: http.StatusNoContent})

	uc, err := svc.UserConversations.Fetch(ctx, testUserSID, convSID)
	require.NoError(t, err)
	assert.Equal(t, serviceSID, uc.ChatServiceSID)
	_, err = svc.UserConversations.Update(ctx, testUserSID, convSID, &UserConversationUpdateParams{LastReadMessageIndex: Ptr(7)})
	require.NoError(t, err)
	ucs, err := collect(svc.UserConversations.List(ctx, testUserSID, nil))
	require.NoError(t, err)
	assert.NotEmpty(t, ucs)
	require.NoError(t, svc.UserConversations.Delete(ctx, testUserSID, convSID))
	assert.Equal(t, 4, mt.GetTotalCallCount())
}

func TestUserConversationBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.UserConversations.Fetch(ctx, "", convSID)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "UserSid")
	_, err = c.UserConversations.Fetch(ctx, testUserSID, "")
	assert.ErrorContains(t, err, "ConversationSid")
	_, err = c.UserConversations.Update(ctx, testUserSID, convSID, &UserConversationUpdateParams{NotificationLevel: "loud"})
	assert.ErrorContains(t, err, "NotificationLevel")
	_, err = c.UserConversations.Update(ctx, testUserSID, convSID, &UserConversationUpdateParams{LastReadMessageIndex: Ptr(-1)})
	assert.ErrorContains(t, err, "LastReadMessageIndex")
	assert.ErrorIs(t, c.UserConversations.Delete(ctx, testUserSID, ""), ErrEmptyParameter)
	_, err = collect(c.UserConversations.List(ctx, "", nil))
	assert.ErrorContains(t, err, "UserSid")
	_, err = c.Service("").UserConversations.Fetch(ctx, testUserSID, convSID)
	assert.ErrorContains(t, err, "ChatServiceSid")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
