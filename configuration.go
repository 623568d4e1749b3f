package conversations

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Configuration is the account-level configuration of Conversations: the
// defaults applied to new conversations.
type Configuration struct {
	AccountSID                 string `json:"account_sid"`
	DefaultChatServiceSID      string `json:"default_chat_service_sid"`
	DefaultMessagingServiceSID string `json:"default_messaging_service_sid"`
	// DefaultInactiveTimer and DefaultClosedTimer are the default timers of
	// new conversations, as ISO 8601 durations such as PT1M; empty when not
	// set.
	DefaultInactiveTimer string             `json:"default_inactive_timer"`
	DefaultClosedTimer   string             `json:"default_closed_timer"`
	URL                  string             `json:"url"`
	Links                ConfigurationLinks `json:"links"`
}

// ConfigurationLinks are the URLs of the configuration's sub-resources.
type ConfigurationLinks struct {
	// Service is the configuration of the default Conversation Service.
	Service  string `json:"service"`
	Webhooks string `json:"webhooks"`
}

// ConfigurationParams are the parameters of [ConfigurationService.Update];
// unset fields are not changed.
type ConfigurationParams struct {
	DefaultChatServiceSID      string `url:"DefaultChatServiceSid,omitempty"`
	DefaultMessagingServiceSID string `url:"DefaultMessagingServiceSid,omitempty"`
	// DefaultInactiveTimer is sent as an ISO 8601 duration; it must be whole
	// seconds and at least [MinInactiveTimer]. Zero leaves it as it is.
	DefaultInactiveTimer time.Duration `url:"-"`
	// DefaultClosedTimer is sent as an ISO 8601 duration; it must be whole
	// seconds and at least [MinClosedTimer]. Zero leaves it as it is.
	DefaultClosedTimer time.Duration `url:"-"`
	// DisableDefaultInactiveTimer and DisableDefaultClosedTimer turn a
	// default timer off (PT0S), as Timers.DisableInactive and
	// Timers.DisableClosed do for one conversation.
	DisableDefaultInactiveTimer bool `url:"-"`
	DisableDefaultClosedTimer   bool `url:"-"`
}

// configurationForm is the wire form of ConfigurationParams: the timers
// encoded as ISO 8601 durations.
type configurationForm struct {
	ConfigurationParams
	DefaultInactiveTimer string `url:"DefaultInactiveTimer,omitempty"`
	DefaultClosedTimer   string `url:"DefaultClosedTimer,omitempty"`
}

// form validates p and encodes its timers, with the checks of [Timers].
func (p *ConfigurationParams) form() (*configurationForm, error) {
	if p == nil {
		return nil, nil
	}
	f := &configurationForm{ConfigurationParams: *p}
	var err error
	if f.DefaultInactiveTimer, err = (stateTimer{"DefaultInactiveTimer", p.DefaultInactiveTimer, p.DisableDefaultInactiveTimer, MinInactiveTimer}).encode(); err != nil {
		return nil, err
	}
	if f.DefaultClosedTimer, err = (stateTimer{"DefaultClosedTimer", p.DefaultClosedTimer, p.DisableDefaultClosedTimer, MinClosedTimer}).encode(); err != nil {
		return nil, err
	}
	return f, nil
}

// ConfigurationWebhook is the account-level webhook configuration: where
// Twilio sends pre- and post-event webhooks of the default Conversation
// Service, or that they go to Flex.
type ConfigurationWebhook struct {
	AccountSID     string        `json:"account_sid"`
	Method         WebhookMethod `json:"method"`
	Filters        []string      `json:"filters"`
	PreWebhookURL  string        `json:"pre_webhook_url"`
	PostWebhookURL string        `json:"post_webhook_url"`
	// Target is TargetWebhook or TargetFlex.
	Target WebhookTarget `json:"target"`
	URL    string        `json:"url"`
}

// ConfigurationWebhookParams are the parameters of
// [ConfigurationService.UpdateWebhooks]; unset fields are not changed.
type ConfigurationWebhookParams struct {
	Method WebhookMethod `url:"Method,omitempty"`
	// Filters are the webhook events sent, such as onMessageAdded; events
	// not listed do not fire.
	Filters        []string `url:"Filters,omitempty"`
	PreWebhookURL  string   `url:"PreWebhookUrl,omitempty"`
	PostWebhookURL string   `url:"PostWebhookUrl,omitempty"`
	// Target is TargetWebhook or TargetFlex.
	Target WebhookTarget `url:"Target,omitempty"`
}

func (p *ConfigurationWebhookParams) validate() error {
	if p == nil {
		return nil
	}
	switch p.Target {
	case "", TargetWebhook, TargetFlex:
		return nil
	}
	return fmt.Errorf("conversations: Target: %q is not webhook or flex", string(p.Target))
}

// Fetch fetches the account-level configuration.
//
// GET /v1/Configuration
func (s *ConfigurationService) Fetch(ctx context.Context) (*Configuration, error) {
	return doCall[Configuration](ctx, (*service)(s), http.MethodGet, "Configuration", nil)
}

// Update updates the account-level configuration.
//
// POST /v1/Configuration
func (s *ConfigurationService) Update(ctx context.Context, params *ConfigurationParams) (*Configuration, error) {
	f, err := params.form()
	if err != nil {
		return nil, err
	}
	return doCall[Configuration](ctx, (*service)(s), http.MethodPost, "Configuration", f)
}

// FetchWebhooks fetches the account-level webhook configuration.
//
// GET /v1/Configuration/Webhooks
func (s *ConfigurationService) FetchWebhooks(ctx context.Context) (*ConfigurationWebhook, error) {
	return doCall[ConfigurationWebhook](ctx, (*service)(s), http.MethodGet, "Configuration/Webhooks", nil)
}

// UpdateWebhooks updates the account-level webhook configuration.
//
// POST /v1/Configuration/Webhooks
func (s *ConfigurationService) UpdateWebhooks(ctx context.Context, params *ConfigurationWebhookParams) (*ConfigurationWebhook, error) {
	return doCall[ConfigurationWebhook](ctx, (*service)(s), http.MethodPost, "Configuration/Webhooks", params)
}
