package conversations

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	for p, r := range scopes {
		bindOp("Create"+p+"ConversationWithParticipants", Conversation{}, ConversationWithParticipantsCreateParams{})
		cover("Create"+p+"ConversationWithParticipants", func(ctx context.Context, c *Client) error {
			_, err := r(c).Conversations.CreateWithParticipants(ctx, &ConversationWithParticipantsCreateParams{
				Participants: []NewParticipant{{Identity: "alice"}},
			})
			return err
		})
	}
}

func TestCreateWithParticipants(t *testing.T) {
	c, mt := newTestClient(t)
	attrs, err := ParseAttributes(`{"vip":true}`)
	require.NoError(t, err)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/ConversationWithParticipants",
		Form: url.Values{
			"FriendlyName":        {"friendly_name"},
			"DateCreated":         {"2020-07-01T22:18:37Z"},
			"DateUpdated":         {"2020-07-01T22:18:37Z"},
			"MessagingServiceSid": {"MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
			"State":               {"active"},
			"Participant": {
				`{"identity":"user1"}`,
				`{"messaging_binding":{"address":"+15558675310","proxy_address":"+15017122661"}}`,
				`{"identity":"user2","messaging_binding":{"projected_address":"+15017122661"},"role_sid":"RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","attributes":"{\"vip\":true}"}`,
			},
		},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusCreated,
		Body:   example(t, "CreateConversationWithParticipants", "createWithParticipants"),
	})
	at := time.Date(2020, 7, 1, 22, 18, 37, 0, time.UTC)
	conv, err := c.Conversations.CreateWithParticipants(context.Background(), &ConversationWithParticipantsCreateParams{
		ConversationCreateParams: ConversationCreateParams{
			FriendlyName: "friendly_name", DateCreated: at, DateUpdated: at,
			MessagingServiceSID: "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", State: StateActive,
			WebhookEnabled: true,
		},
		Participants: []NewParticipant{
			{Identity: "user1"},
			{MessagingBindingAddress: "+15558675310", MessagingBindingProxyAddress: "+15017122661"},
			{Identity: "user2", MessagingBindingProjectedAddress: "+15017122661", RoleSID: "RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Attributes: attrs},
		},
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, convSID, conv.SID)
	assert.Equal(t, testAccountSID, conv.AccountSID)
	assert.Equal(t, serviceSID, conv.ChatServiceSID)
	assert.Equal(t, "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", conv.MessagingServiceSID)
	assert.Equal(t, "friendly_name", conv.FriendlyName)
	assert.Equal(t, StateActive, conv.State)
	assert.Equal(t, at, conv.DateCreated)
	assert.True(t, conv.Timers.DateInactive.IsZero())
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Participants", conv.Links.Participants)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID, conv.URL)
}

func TestCreateWithParticipantsTimersAndAccepted(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/ConversationWithParticipants",
		Form: url.Values{
			"FriendlyName":    {"friendly_name"},
			"UniqueName":      {"unique_name"},
			"Attributes":      {`{"topic":"feedback"}`},
			"State":           {"inactive"},
			"Timers.Inactive": {"PT1M"},
			"Timers.Closed":   {"PT10M"},
		},
		Status: http.StatusAccepted,
		Body:   example(t, "CreateConversationWithParticipants", "create"),
	})
	attrs, _ := ParseAttributes(`{"topic":"feedback"}`)
	conv, err := c.Conversations.CreateWithParticipants(context.Background(), &ConversationWithParticipantsCreateParams{
		ConversationCreateParams: ConversationCreateParams{
			FriendlyName: "friendly_name", UniqueName: "unique_name", Attributes: attrs, State: StateInactive,
			Timers: Timers{Inactive: time.Minute, Closed: 10 * time.Minute},
		},
	})
	require.NoError(t, err, "202 Accepted is a success")
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, "unique_name", conv.UniqueName)
	assert.Equal(t, StateInactive, conv.State)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 19, 38, 0, time.UTC), conv.Timers.DateInactive)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 28, 38, 0, time.UTC), conv.Timers.DateClosed)
	topic, err := DecodeAttributes[map[string]string](conv.Attributes)
	require.NoError(t, err)
	assert.Equal(t, "feedback", topic["topic"])
}

func TestCreateWithParticipantsScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Services/" + serviceSID + "/ConversationWithParticipants",
		Form:   url.Values{"Participant": {`{"identity":"user1"}`, `{"identity":"user2"}`}},
		Status: http.StatusCreated,
		Body:   example(t, "CreateServiceConversationWithParticipants", "createWithParticipants"),
	})
	conv, err := c.Service(serviceSID).Conversations.CreateWithParticipants(context.Background(), &ConversationWithParticipantsCreateParams{
		Participants: NewParticipants{{Identity: "user1"}, {Identity: "user2"}},
	})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, conv.ChatServiceSID)
}

// A group MMS conversation: SMS participants have an address and no proxy
// address; the chat participant is projected on a Twilio number.
func TestCreateWithParticipantsGroupMMS(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/ConversationWithParticipants",
		Form: url.Values{
			"FriendlyName": {"Group MMS"},
			"Participant": {
				`{"messaging_binding":{"address":"+15558675310"}}`,
				`{"messaging_binding":{"address":"+15558675311"}}`,
				`{"identity":"agent","messaging_binding":{"projected_address":"+15017122661"}}`,
			},
		},
		Status: http.StatusCreated,
		Body:   example(t, "CreateConversationWithParticipants", "createWithParticipants"),
	})
	_, err := c.Conversations.CreateWithParticipants(context.Background(), &ConversationWithParticipantsCreateParams{
		ConversationCreateParams: ConversationCreateParams{FriendlyName: "Group MMS"},
		Participants: NewParticipants{
			{MessagingBindingAddress: "+15558675310"},
			{MessagingBindingAddress: "+15558675311"},
			{Identity: "agent", MessagingBindingProjectedAddress: "+15017122661"},
		},
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
}

func TestNewParticipantJSON(t *testing.T) {
	b, err := json.Marshal(NewParticipant{Identity: "alice"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"identity":"alice"}`, string(b))
	attrs, _ := NewAttributes(map[string]int{"n": 1})
	b, err = json.Marshal(NewParticipant{MessagingBindingAddress: "whatsapp:+15558675310", MessagingBindingProxyAddress: "whatsapp:+15017122661", Attributes: attrs})
	require.NoError(t, err)
	assert.JSONEq(t, `{"messaging_binding":{"address":"whatsapp:+15558675310","proxy_address":"whatsapp:+15017122661"},"attributes":"{\"n\":1}"}`, string(b))
}

func TestCreateWithParticipantsBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	eleven := make([]NewParticipant, 11)
	for i := range eleven {
		eleven[i] = NewParticipant{Identity: "user"}
	}
	_, err := c.Conversations.CreateWithParticipants(ctx, &ConversationWithParticipantsCreateParams{Participants: eleven})
	assert.ErrorContains(t, err, "at most 10")
	_, err = c.Conversations.CreateWithParticipants(ctx, &ConversationWithParticipantsCreateParams{Participants: []NewParticipant{{Identity: "a"}, {RoleSID: "RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Participant[1]")
	assert.Equal(t, "conversations: empty required parameter: Identity, MessagingBinding.Address or MessagingBinding.ProjectedAddress (in Participant[1])", err.Error())
	_, err = c.Conversations.CreateWithParticipants(ctx, &ConversationWithParticipantsCreateParams{Participants: []NewParticipant{{MessagingBindingAddress: "+15558675310", MessagingBindingProxyAddress: "+15558675310"}}})
	assert.ErrorIs(t, err, errSameAddress)
	assert.Equal(t, "conversations: MessagingBinding.Address must differ from MessagingBinding.ProxyAddress (in Participant[0])", err.Error())
	_, err = c.Conversations.CreateWithParticipants(ctx, &ConversationWithParticipantsCreateParams{ConversationCreateParams: ConversationCreateParams{Timers: Timers{Inactive: -time.Second}}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	_, err = c.Conversations.CreateWithParticipants(ctx, &ConversationWithParticipantsCreateParams{ConversationCreateParams: ConversationCreateParams{Timers: Timers{Inactive: time.Hour}}})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "50382")
	_, err = c.Service("").Conversations.CreateWithParticipants(ctx, nil)
	assert.ErrorContains(t, err, "ChatServiceSid")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}

func TestCreateWithParticipantsNilParams(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/ConversationWithParticipants",
		Status: http.StatusCreated, Body: example(t, "CreateConversationWithParticipants", "createNoTimersNoAttributes"),
	})
	conv, err := c.Conversations.CreateWithParticipants(context.Background(), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, "{}", conv.Attributes.String())
}
