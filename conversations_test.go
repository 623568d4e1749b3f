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
	for _, p := range []string{"", "Service"} {
		bindOp("Create"+p+"Conversation", Conversation{}, ConversationCreateParams{})
		bindOp("Update"+p+"Conversation", Conversation{}, ConversationCreateParams{})
		bindOp("Fetch"+p+"Conversation", Conversation{})
		bindOp("List"+p+"Conversation", Conversation{}, ConversationListParams{})
		bindOp("Delete"+p+"Conversation", nil, DeleteParams{})
	}
	for p, r := range scopes {
		cover("Create"+p+"Conversation", func(ctx context.Context, c *Client) error {
			_, err := r(c).Conversations.Create(ctx, &ConversationCreateParams{FriendlyName: "x"})
			return err
		})
		cover("Fetch"+p+"Conversation", func(ctx context.Context, c *Client) error {
			_, err := r(c).Conversations.Fetch(ctx, convSID)
			return err
		})
		cover("Update"+p+"Conversation", func(ctx context.Context, c *Client) error {
			_, err := r(c).Conversations.Update(ctx, convSID, &ConversationUpdateParams{FriendlyName: "y"})
			return err
		})
		cover("Delete"+p+"Conversation", func(ctx context.Context, c *Client) error {
			return r(c).Conversations.Delete(ctx, convSID, nil)
		})
		cover("List"+p+"Conversation", func(ctx context.Context, c *Client) error {
			return drain(r(c).Conversations.List(ctx, nil))
		})
	}
}

func TestConversationCreate(t *testing.T) {
	c, mt := newTestClient(t)
	attrs, err := NewAttributes(map[string]string{"topic": "feedback"})
	require.NoError(t, err)
	n := expect(t, mt, call{
		Method: http.MethodPost,
		Path:   "/v1/Conversations",
		Form: url.Values{
			"FriendlyName":        {"friendly_name"},
			"UniqueName":          {"unique_name"},
			"Attributes":          {`{"topic":"feedback"}`},
			"MessagingServiceSid": {"MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
			"State":               {"inactive"},
			"Timers.Inactive":     {"PT1M"},
			"Timers.Closed":       {"PT10M"},
		},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusCreated,
		Body:   example(t, "CreateConversation", "create"),
	})
	conv, err := c.Conversations.Create(context.Background(), &ConversationCreateParams{
		FriendlyName:        "friendly_name",
		UniqueName:          "unique_name",
		Attributes:          attrs,
		MessagingServiceSID: "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		State:               StateInactive,
		Timers:              Timers{Inactive: time.Minute, Closed: 10 * time.Minute},
		WebhookEnabled:      true,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())

	assert.Equal(t, convSID, conv.SID)
	assert.Equal(t, testAccountSID, conv.AccountSID)
	assert.Equal(t, serviceSID, conv.ChatServiceSID)
	assert.Equal(t, "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", conv.MessagingServiceSID)
	assert.Equal(t, "friendly_name", conv.FriendlyName)
	assert.Equal(t, "unique_name", conv.UniqueName)
	assert.Equal(t, StateInactive, conv.State)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 37, 0, time.UTC), conv.DateCreated)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 38, 0, time.UTC), conv.DateUpdated)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 19, 38, 0, time.UTC), conv.Timers.DateInactive)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 28, 38, 0, time.UTC), conv.Timers.DateClosed)
	topic, err := DecodeAttributes[map[string]string](conv.Attributes)
	require.NoError(t, err)
	assert.Equal(t, "feedback", topic["topic"])
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID, conv.URL)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Participants", conv.Links.Participants)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Messages", conv.Links.Messages)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Webhooks", conv.Links.Webhooks)
	assert.Nil(t, conv.Bindings.Email)
}

func TestConversationCreateEmailBindingAndEmptyTimers(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations",
		Form: url.Values{
			"FriendlyName":           {"friendly_name"},
			"Bindings.Email.Address": {"example+123@example.com"},
			"Bindings.Email.Name":    {"example"},
		},
		Status: http.StatusCreated, Body: example(t, "CreateConversation", "createEmailConversation"),
	})
	conv, err := c.Conversations.Create(context.Background(), &ConversationCreateParams{
		FriendlyName: "friendly_name", BindingsEmailAddress: "example+123@example.com", BindingsEmailName: "example",
	})
	require.NoError(t, err)
	require.NotNil(t, conv.Bindings.Email)
	assert.Equal(t, "example+123@example.com", conv.Bindings.Email.ProjectedAddress)
	assert.Equal(t, "example", conv.Bindings.Email.Name)
	assert.True(t, conv.Timers.DateInactive.IsZero())
	assert.Empty(t, conv.UniqueName, "null unique_name decodes as empty")
	assert.Equal(t, "{}", conv.Attributes.String())
}

func TestConversationFetchByUniqueNameEscapesPath(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Conversations/support%2Forder%20%2342",
		Body: example(t, "FetchConversation", "fetch"),
	})
	conv, err := c.Conversations.Fetch(context.Background(), "support/order #42")
	require.NoError(t, err)
	assert.Equal(t, convSID, conv.SID)
}

func TestConversationUpdateAndClose(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID,
		Form:   url.Values{"State": {"closed"}},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": ""},
		Body:   example(t, "UpdateConversation", "updateClosedState"),
	})
	conv, err := c.Conversations.Close(context.Background(), convSID, nil)
	require.NoError(t, err)
	assert.Equal(t, StateClosed, conv.State)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID,
		Form:   url.Values{"State": {"closed"}},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Body:   example(t, "UpdateConversation", "updateClosedState"),
	})
	_, err = c.Conversations.Close(context.Background(), convSID, &ConversationCloseParams{WebhookEnabled: true})
	require.NoError(t, err)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID,
		Form: url.Values{"FriendlyName": {"friendly_name"}, "Attributes": {`{"topic":"feedback"}`}, "Timers.Inactive": {"PT0S"}, "Timers.Closed": {"PT1H30M"}},
		Body: example(t, "UpdateConversation", "update"),
	})
	attrs, _ := ParseAttributes(`{"topic":"feedback"}`)
	_, err = c.Conversations.Update(context.Background(), convSID, &ConversationUpdateParams{
		FriendlyName: "friendly_name", Attributes: attrs,
		Timers: Timers{DisableInactive: true, Closed: 90 * time.Minute},
	})
	require.NoError(t, err)
}

// The create-only timer rule does not apply to updates.
func TestConversationUpdateTimersWithoutState(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID,
		Form: url.Values{"Timers.Inactive": {"PT5M"}},
		Body: example(t, "UpdateConversation", "update"),
	})
	_, err := c.Conversations.Update(context.Background(), convSID, &ConversationUpdateParams{Timers: Timers{Inactive: 5 * time.Minute}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
}

func TestConversationDelete(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Conversations/" + convSID,
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Conversations.Delete(context.Background(), convSID, &DeleteParams{WebhookEnabled: true}))
	assert.EqualValues(t, 1, n.Load())
}

func TestConversationListFiltered(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Conversations",
		Query: url.Values{
			"State":     {"active"},
			"StartDate": {"2015-12-16T00:00:00Z"},
			"EndDate":   {"2015-12-17T23:59:59Z"},
			"PageSize":  {"100"},
		},
		Body: example(t, "ListConversation", "readFull"),
	})
	var got []*Conversation
	for conv, err := range c.Conversations.List(context.Background(), &ConversationListParams{
		State:     StateActive,
		StartDate: time.Date(2015, 12, 16, 0, 0, 0, 0, time.UTC),
		EndDate:   time.Date(2015, 12, 17, 23, 59, 59, 0, time.UTC),
		PageSize:  500, // clamped to the spec's maximum of 100
	}) {
		require.NoError(t, err)
		got = append(got, conv)
	}
	want := decodeExample(t, "ListConversation", "readFull")["conversations"].([]any)
	require.Len(t, got, len(want))
	assert.Equal(t, want[0].(map[string]any)["sid"], got[0].SID)
}

func TestConversationScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Services/" + serviceSID + "/Conversations",
		Form:   url.Values{"FriendlyName": {"friendly_name"}},
		Status: http.StatusCreated, Body: example(t, "CreateServiceConversation", "create"),
	})
	conv, err := c.Service(serviceSID).Conversations.Create(context.Background(), &ConversationCreateParams{FriendlyName: "friendly_name"})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, conv.ChatServiceSID)
}

func TestConversationBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Conversations.Fetch(ctx, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Sid")
	_, err = c.Conversations.Create(ctx, &ConversationCreateParams{Timers: Timers{Inactive: -time.Minute}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	assert.ErrorContains(t, err, "Timers.Inactive")
	_, err = c.Conversations.Create(ctx, &ConversationCreateParams{Timers: Timers{Closed: 1500 * time.Millisecond}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	_, err = c.Conversations.Create(ctx, &ConversationCreateParams{Timers: Timers{Closed: time.Hour, DisableClosed: true}})
	assert.ErrorContains(t, err, "Timers.Closed")
	_, err = c.Conversations.Create(ctx, &ConversationCreateParams{Timers: Timers{Inactive: 30 * time.Second}, State: StateActive})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	assert.ErrorContains(t, err, "Timers.Inactive")
	_, err = c.Conversations.Create(ctx, &ConversationCreateParams{Timers: Timers{Closed: 5 * time.Minute}, State: StateActive})
	assert.ErrorContains(t, err, "Timers.Closed")
	// Twilio refuses timers on create without a State (error 50382).
	_, err = c.Conversations.Create(ctx, &ConversationCreateParams{Timers: Timers{Inactive: time.Hour}})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "State")
	assert.ErrorContains(t, err, "50382")
	_, err = c.Conversations.Create(ctx, &ConversationCreateParams{Timers: Timers{DisableClosed: true}})
	assert.ErrorContains(t, err, "50382")
	_, err = c.Service("").Conversations.Fetch(ctx, convSID)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "ChatServiceSid")
	yields, errs := 0, 0
	for conv, err := range c.Service("").Conversations.List(ctx, nil) {
		yields++
		if err != nil {
			errs++
			assert.Nil(t, conv)
			assert.ErrorIs(t, err, ErrEmptyParameter)
			assert.ErrorContains(t, err, "ChatServiceSid")
		}
	}
	assert.Equal(t, 1, yields, "the list yields exactly once")
	assert.Equal(t, 1, errs, "and that yield is the error")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
