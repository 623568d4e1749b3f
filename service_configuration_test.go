package conversations

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	bindOp("FetchServiceConfiguration", ServiceConfiguration{})
	bindOp("UpdateServiceConfiguration", ServiceConfiguration{}, ServiceConfigurationUpdateParams{})
	bindOp("FetchServiceNotification", ServiceNotifications{})
	bindOp("UpdateServiceNotification", ServiceNotifications{}, ServiceNotificationsUpdateParams{})
	bindOp("FetchServiceWebhookConfiguration", ServiceWebhookConfiguration{})
	bindOp("UpdateServiceWebhookConfiguration", ServiceWebhookConfiguration{}, ServiceWebhookConfigurationUpdateParams{})
	cfg := func(c *Client) *ServiceConfigurationService { return c.Service(serviceSID).Configuration }
	cover("FetchServiceConfiguration", func(ctx context.Context, c *Client) error {
		_, err := cfg(c).Fetch(ctx)
		return err
	})
	cover("UpdateServiceConfiguration", func(ctx context.Context, c *Client) error {
		_, err := cfg(c).Update(ctx, &ServiceConfigurationUpdateParams{ReachabilityEnabled: Ptr(true)})
		return err
	})
	cover("FetchServiceNotification", func(ctx context.Context, c *Client) error {
		_, err := cfg(c).FetchNotifications(ctx)
		return err
	})
	cover("UpdateServiceNotification", func(ctx context.Context, c *Client) error {
		_, err := cfg(c).UpdateNotifications(ctx, &ServiceNotificationsUpdateParams{LogEnabled: Ptr(true)})
		return err
	})
	cover("FetchServiceWebhookConfiguration", func(ctx context.Context, c *Client) error {
		_, err := cfg(c).FetchWebhooks(ctx)
		return err
	})
	cover("UpdateServiceWebhookConfiguration", func(ctx context.Context, c *Client) error {
		_, err := cfg(c).UpdateWebhooks(ctx, &ServiceWebhookConfigurationUpdateParams{Method: WebhookPOST})
		return err
	})
}

const serviceConfigPath = "/v1/Services/" + serviceSID + "/Configuration"

func TestServiceConfigurationFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{Method: http.MethodGet, Path: serviceConfigPath, Body: example(t, "FetchServiceConfiguration", "fetch")})
	cfg, err := c.Service(serviceSID).Configuration.Fetch(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, serviceSID, cfg.ChatServiceSID)
	assert.Equal(t, testRoleSID, cfg.DefaultConversationCreatorRoleSID)
	assert.Equal(t, testRoleSID, cfg.DefaultConversationRoleSID)
	assert.Equal(t, testRoleSID, cfg.DefaultChatServiceRoleSID)
	assert.False(t, cfg.ReachabilityEnabled)
	assert.Equal(t, apiBase+serviceConfigPath, cfg.URL)
	assert.Equal(t, apiBase+serviceConfigPath+"/Notifications", cfg.Links.Notifications)
	assert.Equal(t, apiBase+serviceConfigPath+"/Webhooks", cfg.Links.Webhooks)
}

func TestServiceConfigurationUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: serviceConfigPath,
		Form: url.Values{
			"DefaultConversationCreatorRoleSid": {"RLbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
			"DefaultConversationRoleSid":        {"RLcccccccccccccccccccccccccccccccc"},
			"DefaultChatServiceRoleSid":         {"RLdddddddddddddddddddddddddddddddd"},
			"ReachabilityEnabled":               {"false"},
		},
		Body: example(t, "UpdateServiceConfiguration", "update"),
	})
	cfg, err := c.Service(serviceSID).Configuration.Update(context.Background(), &ServiceConfigurationUpdateParams{
		DefaultConversationCreatorRoleSID: "RLbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		DefaultConversationRoleSID:        "RLcccccccccccccccccccccccccccccccc",
		DefaultChatServiceRoleSID:         "RLdddddddddddddddddddddddddddddddd",
		ReachabilityEnabled:               Ptr(false),
	})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, cfg.ChatServiceSID)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: serviceConfigPath,
		Form: url.Values{"ReachabilityEnabled": {"true"}},
		Body: example(t, "UpdateServiceConfiguration", "update"),
	})
	_, err = c.Service(serviceSID).Configuration.Update(context.Background(), &ServiceConfigurationUpdateParams{ReachabilityEnabled: Ptr(true)})
	require.NoError(t, err)
}

func TestServiceNotificationsFetch(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{Method: http.MethodGet, Path: serviceConfigPath + "/Notifications", Body: example(t, "FetchServiceNotification", "fetch")})
	nt, err := c.Service(serviceSID).Configuration.FetchNotifications(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAccountSID, nt.AccountSID)
	assert.Equal(t, serviceSID, nt.ChatServiceSID)
	assert.False(t, nt.LogEnabled)
	assert.Equal(t, NotificationSettings{Enabled: true, Template: "You have been added to a Conversation: ${CONVERSATION}", Sound: "ring"}, nt.AddedToConversation)
	assert.Equal(t, NotificationSettings{Enabled: true, Template: "You have been removed from a Conversation: ${CONVERSATION}", Sound: "ring"}, nt.RemovedFromConversation)
	assert.Equal(t, NewMessageNotificationSettings{
		Enabled:           true,
		Template:          "You have a new message in ${CONVERSATION} from ${PARTICIPANT}: ${MESSAGE}",
		Sound:             "ring",
		BadgeCountEnabled: false,
		WithMedia: MediaNotificationSettings{
			Enabled:  false,
			Template: "You have a new message in ${CONVERSATION} with ${MEDIA_COUNT} media files: ${MEDIA}",
		},
	}, nt.NewMessage)
	assert.Equal(t, apiBase+serviceConfigPath+"/Notifications", nt.URL)
}

func TestServiceNotificationsUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: serviceConfigPath + "/Notifications",
		Form: url.Values{
			"LogEnabled":                       {"true"},
			"NewMessage.Enabled":               {"false"},
			"NewMessage.Template":              {"New in ${CONVERSATION}"},
			"NewMessage.Sound":                 {"ring"},
			"NewMessage.BadgeCountEnabled":     {"true"},
			"NewMessage.WithMedia.Enabled":     {"false"},
			"NewMessage.WithMedia.Template":    {"${MEDIA_COUNT} files"},
			"AddedToConversation.Enabled":      {"false"},
			"AddedToConversation.Template":     {"Added to ${CONVERSATION}"},
			"AddedToConversation.Sound":        {"chime"},
			"RemovedFromConversation.Enabled":  {"false"},
			"RemovedFromConversation.Template": {"Removed from ${CONVERSATION}"},
			"RemovedFromConversation.Sound":    {"buzz"},
		},
		Body: example(t, "UpdateServiceNotification", "update"),
	})
	nt, err := c.Service(serviceSID).Configuration.UpdateNotifications(context.Background(), &ServiceNotificationsUpdateParams{
		LogEnabled:                      Ptr(true),
		NewMessageEnabled:               Ptr(false),
		NewMessageTemplate:              "New in ${CONVERSATION}",
		NewMessageSound:                 "ring",
		NewMessageBadgeCountEnabled:     Ptr(true),
		NewMessageWithMediaEnabled:      Ptr(false),
		NewMessageWithMediaTemplate:     "${MEDIA_COUNT} files",
		AddedToConversationEnabled:      Ptr(false),
		AddedToConversationTemplate:     "Added to ${CONVERSATION}",
		AddedToConversationSound:        "chime",
		RemovedFromConversationEnabled:  Ptr(false),
		RemovedFromConversationTemplate: "Removed from ${CONVERSATION}",
		RemovedFromConversationSound:    "buzz",
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.True(t, nt.LogEnabled)
	assert.True(t, nt.NewMessage.BadgeCountEnabled)
	assert.False(t, nt.NewMessage.Enabled)
	assert.False(t, nt.AddedToConversation.Enabled)
	assert.False(t, nt.RemovedFromConversation.Enabled)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: serviceConfigPath + "/Notifications",
		Body: example(t, "UpdateServiceNotification", "update"),
	})
	_, err = c.Service(serviceSID).Configuration.UpdateNotifications(context.Background(), &ServiceNotificationsUpdateParams{})
	require.NoError(t, err, "unset fields are not sent")
}

func TestServiceWebhooksFetch(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{Method: http.MethodGet, Path: serviceConfigPath + "/Webhooks", Body: example(t, "FetchServiceWebhookConfiguration", "fetch")})
	wh, err := c.Service(serviceSID).Configuration.FetchWebhooks(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAccountSID, wh.AccountSID)
	assert.Equal(t, serviceSID, wh.ChatServiceSID)
	assert.Equal(t, "https://www.example.com/pre", wh.PreWebhookURL)
	assert.Equal(t, "https://www.example.com/post", wh.PostWebhookURL)
	assert.Equal(t, []EventType{"onMessageRemove", "onParticipantAdd"}, wh.Filters)
	assert.Equal(t, WebhookPOST, wh.Method)
	assert.Equal(t, apiBase+serviceConfigPath+"/Webhooks", wh.URL)

	c, mt = newTestClient(t)
	expect(t, mt, call{Method: http.MethodGet, Path: serviceConfigPath + "/Webhooks", Body: example(t, "FetchServiceWebhookConfiguration", "fetchEmpty")})
	wh, err = c.Service(serviceSID).Configuration.FetchWebhooks(context.Background())
	require.NoError(t, err)
	assert.Empty(t, wh.PreWebhookURL)
	assert.Nil(t, wh.Filters)
	assert.Empty(t, wh.Method)
}

func TestServiceWebhooksUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: serviceConfigPath + "/Webhooks",
		Form: url.Values{
			"PreWebhookUrl":  {"https://www.example.com/pre"},
			"PostWebhookUrl": {"https://www.example.com/post"},
			"Filters":        {"onMessageRemoved", "onParticipantAdded"},
			"Method":         {"GET"},
		},
		Body: example(t, "UpdateServiceWebhookConfiguration", "update"),
	})
	wh, err := c.Service(serviceSID).Configuration.UpdateWebhooks(context.Background(), &ServiceWebhookConfigurationUpdateParams{
		PreWebhookURL:  "https://www.example.com/pre",
		PostWebhookURL: "https://www.example.com/post",
		Filters:        []EventType{"onMessageRemoved", "onParticipantAdded"},
		Method:         WebhookGET,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, []EventType{"onMessageRemoved", "onParticipantAdded"}, wh.Filters)
	assert.Equal(t, WebhookGET, wh.Method)
}

func TestServiceConfigurationBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	bad := c.Service("").Configuration
	_, err := bad.Fetch(ctx)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "ChatServiceSid")
	_, err = bad.Update(ctx, &ServiceConfigurationUpdateParams{ReachabilityEnabled: Ptr(true)})
	assert.ErrorContains(t, err, "ChatServiceSid")
	_, err = bad.FetchNotifications(ctx)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = bad.UpdateNotifications(ctx, &ServiceNotificationsUpdateParams{LogEnabled: Ptr(true)})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = bad.FetchWebhooks(ctx)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = bad.UpdateWebhooks(ctx, &ServiceWebhookConfigurationUpdateParams{Method: WebhookPOST})
	assert.ErrorIs(t, err, ErrEmptyParameter)

	cfg := c.Service(serviceSID).Configuration
	_, err = cfg.UpdateWebhooks(ctx, &ServiceWebhookConfigurationUpdateParams{Method: "PUT"})
	assert.ErrorContains(t, err, `Method: webhook method "PUT" is not GET or POST`)
	// Method is checked once, by WebhookMethod.EncodeValues, not by validate.
	assert.NoError(t, (&ServiceWebhookConfigurationUpdateParams{Method: "PUT"}).validate())
	_, err = cfg.UpdateWebhooks(ctx, &ServiceWebhookConfigurationUpdateParams{Filters: []EventType{"onMessageAdded", ""}})
	assert.ErrorContains(t, err, "Filters[1]")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
