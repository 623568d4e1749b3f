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
	bindOp("FetchConfiguration", Configuration{})
	bindOp("UpdateConfiguration", Configuration{}, configurationForm{})
	bindOp("FetchConfigurationWebhook", WebhookConfiguration{})
	bindOp("UpdateConfigurationWebhook", WebhookConfiguration{}, WebhookConfigurationUpdateParams{})
	cover("FetchConfiguration", func(ctx context.Context, c *Client) error {
		_, err := c.Configuration.Fetch(ctx)
		return err
	})
	cover("UpdateConfiguration", func(ctx context.Context, c *Client) error {
		_, err := c.Configuration.Update(ctx, &ConfigurationUpdateParams{DefaultTimers: Timers{Inactive: time.Hour}})
		return err
	})
	cover("FetchConfigurationWebhook", func(ctx context.Context, c *Client) error {
		_, err := c.Configuration.FetchWebhooks(ctx)
		return err
	})
	cover("UpdateConfigurationWebhook", func(ctx context.Context, c *Client) error {
		_, err := c.Configuration.UpdateWebhooks(ctx, &WebhookConfigurationUpdateParams{Target: TargetFlex})
		return err
	})
}

func TestConfigurationFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Configuration",
		Body: example(t, "FetchConfiguration", "fetch"),
	})
	cfg, err := c.Configuration.Fetch(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, testAccountSID, cfg.AccountSID)
	assert.Equal(t, serviceSID, cfg.DefaultChatServiceSID)
	assert.Equal(t, "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", cfg.DefaultMessagingServiceSID)
	assert.Equal(t, "PT1M", cfg.DefaultInactiveTimer)
	assert.Equal(t, "PT10M", cfg.DefaultClosedTimer)
	assert.Equal(t, apiBase+"/v1/Configuration", cfg.URL)
	assert.Equal(t, apiBase+"/v1/Services/"+serviceSID+"/Configuration", cfg.Links.Service)
	assert.Equal(t, apiBase+"/v1/Configuration/Webhooks", cfg.Links.Webhooks)
}

func TestConfigurationUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration",
		Form: url.Values{
			"DefaultChatServiceSid":      {serviceSID},
			"DefaultMessagingServiceSid": {"MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
			"DefaultInactiveTimer":       {"PT1M"},
			"DefaultClosedTimer":         {"PT1H30M"},
		},
		Body: example(t, "UpdateConfiguration", "update"),
	})
	cfg, err := c.Configuration.Update(context.Background(), &ConfigurationUpdateParams{
		DefaultChatServiceSID:      serviceSID,
		DefaultMessagingServiceSID: "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		DefaultTimers:              Timers{Inactive: time.Minute, Closed: 90 * time.Minute},
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, serviceSID, cfg.DefaultChatServiceSID)
	assert.Equal(t, "PT10M", cfg.DefaultClosedTimer)

	// Unset fields are not sent.
	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration",
		Form: url.Values{"DefaultClosedTimer": {"PT10M"}},
		Body: example(t, "UpdateConfiguration", "update"),
	})
	_, err = c.Configuration.Update(context.Background(), &ConfigurationUpdateParams{DefaultTimers: Timers{Closed: 10 * time.Minute}})
	require.NoError(t, err)
}

func TestConfigurationUpdateDisablesTimers(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration",
		Form: url.Values{"DefaultInactiveTimer": {"PT0S"}, "DefaultClosedTimer": {"PT0S"}},
		Body: example(t, "UpdateConfiguration", "update"),
	})
	_, err := c.Configuration.Update(context.Background(), &ConfigurationUpdateParams{DefaultTimers: Timers{DisableInactive: true, DisableClosed: true}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
}

func TestConfigurationWebhooksFetch(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Configuration/Webhooks",
		Body: example(t, "FetchConfigurationWebhook", "fetch"),
	})
	wh, err := c.Configuration.FetchWebhooks(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAccountSID, wh.AccountSID)
	assert.Equal(t, "https://example.com/pre", wh.PreWebhookURL)
	assert.Equal(t, "https://example.com/post", wh.PostWebhookURL)
	assert.Equal(t, WebhookGET, wh.Method)
	assert.Equal(t, []EventType{"onMessageSend", "onConversationUpdated"}, wh.Filters)
	assert.Equal(t, TargetWebhook, wh.Target)
	assert.Equal(t, apiBase+"/v1/Configuration/Webhooks", wh.URL)
}

func TestConfigurationWebhooksUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration/Webhooks",
		Form: url.Values{
			"PreWebhookUrl":  {"https://example.com/pre"},
			"PostWebhookUrl": {"https://example.com/post"},
			"Method":         {"GET"},
			"Filters":        {"onConversationUpdated", "onMessageAdded"},
			"Target":         {"webhook"},
		},
		Body: example(t, "UpdateConfigurationWebhook", "update"),
	})
	wh, err := c.Configuration.UpdateWebhooks(context.Background(), &WebhookConfigurationUpdateParams{
		PreWebhookURL:  "https://example.com/pre",
		PostWebhookURL: "https://example.com/post",
		Method:         "get", // sent upper case
		Filters:        []EventType{"onConversationUpdated", "onMessageAdded"},
		Target:         TargetWebhook,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, []EventType{"onConversationUpdated"}, wh.Filters)
	assert.Equal(t, "http://example.com/post", wh.PostWebhookURL)
}

func TestConfigurationBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Configuration.Update(ctx, &ConfigurationUpdateParams{DefaultTimers: Timers{Inactive: 30 * time.Second}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	assert.ErrorContains(t, err, "DefaultInactiveTimer")
	_, err = c.Configuration.Update(ctx, &ConfigurationUpdateParams{DefaultTimers: Timers{Closed: 5 * time.Minute}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	assert.ErrorContains(t, err, "DefaultClosedTimer")
	_, err = c.Configuration.Update(ctx, &ConfigurationUpdateParams{DefaultTimers: Timers{Closed: time.Hour + time.Millisecond}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	_, err = c.Configuration.Update(ctx, &ConfigurationUpdateParams{DefaultTimers: Timers{Inactive: -time.Hour}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	_, err = c.Configuration.Update(ctx, &ConfigurationUpdateParams{DefaultTimers: Timers{Closed: time.Hour, DisableClosed: true}})
	assert.ErrorContains(t, err, "DefaultClosedTimer: both a duration and Disable")
	_, err = c.Configuration.UpdateWebhooks(ctx, &WebhookConfigurationUpdateParams{Target: TargetStudio})
	assert.ErrorContains(t, err, "Target")
	_, err = c.Configuration.UpdateWebhooks(ctx, &WebhookConfigurationUpdateParams{Method: "PUT"})
	assert.ErrorContains(t, err, "Method")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}

func TestConfigurationUpdateNilParamsSendsEmptyForm(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration",
		Body: example(t, "UpdateConfiguration", "update"),
	})
	_, err := c.Configuration.Update(context.Background(), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
}
