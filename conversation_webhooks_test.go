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

const convWebhookSID = "WHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	for p, r := range scopes {
		bindOp("Create"+p+"ConversationScopedWebhook", ConversationWebhook{}, ConversationWebhookCreateParams{})
		bindOp("Fetch"+p+"ConversationScopedWebhook", ConversationWebhook{})
		bindOp("Update"+p+"ConversationScopedWebhook", ConversationWebhook{}, ConversationWebhookUpdateParams{})
		bindOp("Delete"+p+"ConversationScopedWebhook", nil)
		bindOp("List"+p+"ConversationScopedWebhook", ConversationWebhook{}, ListParams{})
		cover("Create"+p+"ConversationScopedWebhook", func(ctx context.Context, c *Client) error {
			_, err := r(c).Webhooks.Create(ctx, convSID, &ConversationWebhookCreateParams{Target: TargetStudio, ConfigurationFlowSID: "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
			return err
		})
		cover("Fetch"+p+"ConversationScopedWebhook", func(ctx context.Context, c *Client) error {
			_, err := r(c).Webhooks.Fetch(ctx, convSID, convWebhookSID)
			return err
		})
		cover("Update"+p+"ConversationScopedWebhook", func(ctx context.Context, c *Client) error {
			_, err := r(c).Webhooks.Update(ctx, convSID, convWebhookSID, &ConversationWebhookUpdateParams{ConfigurationURL: "https://example.com"})
			return err
		})
		cover("Delete"+p+"ConversationScopedWebhook", func(ctx context.Context, c *Client) error {
			return r(c).Webhooks.Delete(ctx, convSID, convWebhookSID)
		})
		cover("List"+p+"ConversationScopedWebhook", func(ctx context.Context, c *Client) error {
			return drain(r(c).Webhooks.List(ctx, convSID, nil))
		})
	}
}

func TestConversationWebhookCreate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Webhooks",
		Form: url.Values{
			"Target":                    {"webhook"},
			"Configuration.Url":         {"https://example.com"},
			"Configuration.Method":      {"get"},
			"Configuration.Filters":     {"onMessageAdded", "onConversationUpdated"},
			"Configuration.ReplayAfter": {"0"},
		},
		Status: http.StatusCreated,
		Body:   example(t, "CreateConversationScopedWebhook", "create"),
	})
	wh, err := c.Webhooks.Create(context.Background(), convSID, &ConversationWebhookCreateParams{
		Target:                   TargetWebhook,
		ConfigurationURL:         "https://example.com",
		ConfigurationMethod:      WebhookGET,
		ConfigurationFilters:     []EventType{"onMessageAdded", "onConversationUpdated"},
		ConfigurationReplayAfter: Ptr(0),
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, convWebhookSID, wh.SID)
	assert.Equal(t, testAccountSID, wh.AccountSID)
	assert.Equal(t, convSID, wh.ConversationSID)
	assert.Equal(t, TargetWebhook, wh.Target)
	assert.Equal(t, "https://example.com", wh.Configuration.URL)
	assert.Equal(t, WebhookGET, wh.Configuration.Method, "lower-case get decodes as GET")
	assert.Equal(t, []EventType{"onMessageSent", "onConversationDestroyed"}, wh.Configuration.Filters)
	assert.Nil(t, wh.Configuration.ReplayAfter)
	assert.JSONEq(t, `{"url":"https://example.com","method":"get","filters":["onMessageSent","onConversationDestroyed"]}`, string(wh.Configuration.Raw))
	assert.Equal(t, time.Date(2016, 3, 24, 21, 5, 50, 0, time.UTC), wh.DateCreated)
	assert.Equal(t, time.Date(2016, 3, 24, 21, 5, 50, 0, time.UTC), wh.DateUpdated)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Webhooks/"+convWebhookSID, wh.URL)
}

func TestConversationWebhookCreateTriggerAndStudio(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Webhooks",
		Form: url.Values{
			"Target":                 {"trigger"},
			"Configuration.Url":      {"https://example.com"},
			"Configuration.Method":   {"post"},
			"Configuration.Triggers": {"keyword1", "keyword2"},
		},
		Status: http.StatusCreated, Body: example(t, "CreateConversationScopedWebhook", "create"),
	})
	_, err := c.Webhooks.Create(context.Background(), convSID, &ConversationWebhookCreateParams{
		Target: TargetTrigger, ConfigurationURL: "https://example.com", ConfigurationMethod: WebhookPOST,
		ConfigurationTriggers: []string{"keyword1", "keyword2"},
	})
	require.NoError(t, err)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Webhooks",
		Form: url.Values{
			"Target":                {"studio"},
			"Configuration.FlowSid": {"FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		},
		Status: http.StatusCreated, Body: example(t, "FetchConversationScopedWebhook", "fetch"),
	})
	wh, err := c.Webhooks.Create(context.Background(), convSID, &ConversationWebhookCreateParams{
		Target: TargetStudio, ConfigurationFlowSID: "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	})
	require.NoError(t, err)
	assert.Equal(t, TargetStudio, wh.Target)
	assert.Equal(t, "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", wh.Configuration.FlowSID)
	assert.Empty(t, wh.Configuration.URL)
	assert.Empty(t, wh.Configuration.Method)
	assert.Nil(t, wh.Configuration.Filters)
}

func TestConversationWebhookUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Webhooks/" + convWebhookSID,
		Form: url.Values{
			"Configuration.Url":     {"https://example.com"},
			"Configuration.Method":  {"post"},
			"Configuration.Filters": {"keyword1", "keyword2"},
		},
		Body: example(t, "UpdateConversationScopedWebhook", "update"),
	})
	wh, err := c.Webhooks.Update(context.Background(), convSID, convWebhookSID, &ConversationWebhookUpdateParams{
		ConfigurationURL: "https://example.com", ConfigurationMethod: "POST",
		ConfigurationFilters: []EventType{"keyword1", "keyword2"},
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, TargetTrigger, wh.Target)
	assert.Equal(t, WebhookPOST, wh.Configuration.Method)
	assert.Equal(t, []EventType{"keyword1", "keyword2"}, wh.Configuration.Filters)
	assert.Equal(t, time.Date(2016, 3, 24, 21, 5, 51, 0, time.UTC), wh.DateUpdated)
}

func TestConversationWebhookFetchDelete(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Conversations/" + convSID + "/Webhooks/" + convWebhookSID,
		Body: example(t, "FetchConversationScopedWebhook", "fetch"),
	})
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Conversations/" + convSID + "/Webhooks/" + convWebhookSID,
		Status: http.StatusNoContent,
	})
	wh, err := c.Webhooks.Fetch(context.Background(), convSID, convWebhookSID)
	require.NoError(t, err)
	assert.Equal(t, TargetStudio, wh.Target)
	assert.Equal(t, "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", wh.Configuration.FlowSID)
	require.NoError(t, c.Webhooks.Delete(context.Background(), convSID, convWebhookSID))
	assert.EqualValues(t, 1, n.Load())
}

func TestConversationWebhookListClampsToFive(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Conversations/" + convSID + "/Webhooks",
		Query: url.Values{"PageSize": {"5"}},
		Body:  example(t, "ListConversationScopedWebhook", "readFull"),
	})
	var got []*ConversationWebhook
	for wh, err := range c.Webhooks.List(context.Background(), convSID, &ListParams{PageSize: 50}) {
		require.NoError(t, err)
		got = append(got, wh)
	}
	want := decodeExample(t, "ListConversationScopedWebhook", "readFull")["webhooks"].([]any)
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, WebhookTarget(w.(map[string]any)["target"].(string)), got[i].Target)
	}
	assert.Equal(t, "https://example.com", got[0].Configuration.URL)
	assert.Equal(t, "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", got[2].Configuration.FlowSID)
}

func TestConversationWebhookScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	prefix := "/v1/Services/" + serviceSID + "/Conversations/" + convSID + "/Webhooks"
	expect(t, mt, call{
		Method: http.MethodPost, Path: prefix,
		Form:   url.Values{"Target": {"webhook"}, "Configuration.Url": {"https://example.com"}},
		Status: http.StatusCreated, Body: example(t, "CreateServiceConversationScopedWebhook", "create"),
	})
	expect(t, mt, call{
		Method: http.MethodGet, Path: prefix,
		Body: example(t, "ListServiceConversationScopedWebhook", "readEmpty"),
	})
	expect(t, mt, call{Method: http.MethodDelete, Path: prefix + "/" + convWebhookSID, Status: http.StatusNoContent})
	sc := c.Service(serviceSID)
	wh, err := sc.Webhooks.Create(context.Background(), convSID, &ConversationWebhookCreateParams{Target: TargetWebhook, ConfigurationURL: "https://example.com"})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, wh.ChatServiceSID)
	page, err := sc.Webhooks.Pager(convSID, nil).Next(context.Background())
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	require.NoError(t, sc.Webhooks.Delete(context.Background(), convSID, convWebhookSID))
}

func TestConversationWebhookConfigurationIsLenient(t *testing.T) {
	for in, check := range map[string]func(*testing.T, ConversationWebhookConfiguration){
		`{"url":"https://x","method":"post","filters":"onMessageAdded","replay_after":"7"}`: func(t *testing.T, c ConversationWebhookConfiguration) {
			assert.Equal(t, "https://x", c.URL)
			assert.Equal(t, WebhookPOST, c.Method)
			assert.Equal(t, []EventType{"onMessageAdded"}, c.Filters)
			require.NotNil(t, c.ReplayAfter)
			assert.Equal(t, 7, *c.ReplayAfter)
		},
		`{"triggers":["help","stop"],"replay_after":0,"url":42,"extra":{"a":1}}`: func(t *testing.T, c ConversationWebhookConfiguration) {
			assert.Equal(t, []string{"help", "stop"}, c.Triggers)
			require.NotNil(t, c.ReplayAfter)
			assert.Equal(t, 0, *c.ReplayAfter)
			assert.Empty(t, c.URL, "a url of the wrong type is skipped")
			assert.Contains(t, string(c.Raw), `"extra"`)
		},
		`null`: func(t *testing.T, c ConversationWebhookConfiguration) {
			assert.Equal(t, ConversationWebhookConfiguration{}, c)
		},
		`"unexpected"`: func(t *testing.T, c ConversationWebhookConfiguration) {
			assert.Empty(t, c.URL)
			assert.Equal(t, `"unexpected"`, string(c.Raw))
		},
		`{"replay_after":null,"filters":null}`: func(t *testing.T, c ConversationWebhookConfiguration) {
			assert.Nil(t, c.ReplayAfter)
			assert.Nil(t, c.Filters)
		},
	} {
		var wh ConversationWebhook
		require.NoError(t, json.Unmarshal([]byte(`{"sid":"WHx","configuration":`+in+`}`), &wh), in)
		assert.Equal(t, "WHx", wh.SID)
		t.Run(in, func(t *testing.T) { check(t, wh.Configuration) })
	}
}

func TestConversationWebhookBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Webhooks.Create(ctx, convSID, nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Target")
	_, err = c.Webhooks.Create(ctx, convSID, &ConversationWebhookCreateParams{Target: TargetFlex, ConfigurationURL: "https://x"})
	assert.ErrorContains(t, err, "Target")
	_, err = c.Webhooks.Create(ctx, convSID, &ConversationWebhookCreateParams{Target: TargetWebhook})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Configuration.Url")
	_, err = c.Webhooks.Create(ctx, convSID, &ConversationWebhookCreateParams{Target: TargetStudio, ConfigurationURL: "https://x"})
	assert.ErrorContains(t, err, "Configuration.FlowSid")
	_, err = c.Webhooks.Create(ctx, convSID, &ConversationWebhookCreateParams{Target: TargetWebhook, ConfigurationURL: "https://x", ConfigurationReplayAfter: Ptr(-1)})
	assert.ErrorContains(t, err, "Configuration.ReplayAfter")
	_, err = c.Webhooks.Create(ctx, convSID, &ConversationWebhookCreateParams{Target: TargetWebhook, ConfigurationURL: "https://x", ConfigurationMethod: "put"})
	assert.ErrorContains(t, err, "Configuration.Method")
	_, err = c.Webhooks.Create(ctx, "", &ConversationWebhookCreateParams{Target: TargetWebhook, ConfigurationURL: "https://x"})
	assert.ErrorContains(t, err, "ConversationSid")
	_, err = c.Webhooks.Update(ctx, convSID, "", nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Webhooks.Fetch(ctx, "", convWebhookSID)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Webhooks.Delete(ctx, convSID, ""), ErrEmptyParameter)
	for _, err := range c.Service("").Webhooks.List(ctx, convSID, nil) {
		assert.ErrorContains(t, err, "ChatServiceSid")
	}
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
