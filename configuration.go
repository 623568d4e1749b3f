package conversations

import (
	"context"
	"fmt"
	"net/http"
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

// ConfigurationUpdateParams are the parameters of [ConfigurationService.Update];
// unset fields are not changed.
type ConfigurationUpdateParams struct {
	DefaultChatServiceSID      string `url:"DefaultChatServiceSid,omitempty"`
	DefaultMessagingServiceSID string `url:"DefaultMessagingServiceSid,omitempty"`
	// DefaultTimers are the timers of new conversations, with the rules of
	// a conversation's [Timers]: sent as DefaultInactiveTimer and
	// DefaultClosedTimer, ISO 8601 durations of whole seconds, at least
	// [MinInactiveTimer] and [MinClosedTimer]; zero leaves a default as it
	// is, DisableInactive and DisableClosed turn it off (PT0S).
	DefaultTimers Timers `url:"-"`
}

// configurationForm is the wire form of ConfigurationUpdateParams: the timers
// encoded as ISO 8601 durations.
type configurationForm struct {
	ConfigurationUpdateParams
	DefaultInactiveTimer string `url:"DefaultInactiveTimer,omitempty"`
	DefaultClosedTimer   string `url:"DefaultClosedTimer,omitempty"`
}

// form validates p and encodes its timers, with the checks of [Timers].
func (p *ConfigurationUpdateParams) form() (*configurationForm, error) {
	if p == nil {
		return nil, nil
	}
	f := &configurationForm{ConfigurationUpdateParams: *p}
	var err error
	if f.DefaultInactiveTimer, err = (stateTimer{"DefaultInactiveTimer", p.DefaultTimers.Inactive, p.DefaultTimers.DisableInactive, MinInactiveTimer}).encode(); err != nil {
		return nil, err
	}
	if f.DefaultClosedTimer, err = (stateTimer{"DefaultClosedTimer", p.DefaultTimers.Closed, p.DefaultTimers.DisableClosed, MinClosedTimer}).encode(); err != nil {
		return nil, err
	}
	return f, nil
}

// WebhookConfiguration is the account-level webhook configuration: where
// Twilio sends pre- and post-event webhooks of the default Conversation
// Service, or that they go to Flex.
type WebhookConfiguration struct {
	AccountSID     string        `json:"account_sid"`
	Method         WebhookMethod `json:"method"`
	Filters        []EventType   `json:"filters"`
	PreWebhookURL  string        `json:"pre_webhook_url"`
	PostWebhookURL string        `json:"post_webhook_url"`
	// Target is TargetWebhook or TargetFlex.
	Target WebhookTarget `json:"target"`
	URL    string        `json:"url"`
}

// WebhookConfigurationUpdateParams are the parameters of
// [ConfigurationService.UpdateWebhooks]; unset fields are not changed.
type WebhookConfigurationUpdateParams struct {
	Method WebhookMethod `url:"Method,omitempty"`
	// Filters are the webhook events sent, such as onMessageAdded; events
	// not listed do not fire.
	Filters        []EventType `url:"Filters,omitempty"`
	PreWebhookURL  string      `url:"PreWebhookUrl,omitempty"`
	PostWebhookURL string      `url:"PostWebhookUrl,omitempty"`
	// Target is TargetWebhook or TargetFlex.
	Target WebhookTarget `url:"Target,omitempty"`
}

func (p *WebhookConfigurationUpdateParams) validate() error {
	if p == nil {
		return nil
	}
	switch p.Target {
	case "", TargetWebhook, TargetFlex:
		return checkFilters("Filters", p.Filters)
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
func (s *ConfigurationService) Update(ctx context.Context, params *ConfigurationUpdateParams) (*Configuration, error) {
	f, err := params.form()
	if err != nil {
		s.core.failed(ctx, http.MethodPost, false, "Configuration")
		return nil, err
	}
	return doCall[Configuration](ctx, (*service)(s), http.MethodPost, "Configuration", f)
}

// FetchWebhooks fetches the account-level webhook configuration.
//
// GET /v1/Configuration/Webhooks
func (s *ConfigurationService) FetchWebhooks(ctx context.Context) (*WebhookConfiguration, error) {
	return doCall[WebhookConfiguration](ctx, (*service)(s), http.MethodGet, "Configuration/Webhooks", nil)
}

// UpdateWebhooks updates the account-level webhook configuration.
//
// POST /v1/Configuration/Webhooks
func (s *ConfigurationService) UpdateWebhooks(ctx context.Context, params *WebhookConfigurationUpdateParams) (*WebhookConfiguration, error) {
	return doCall[WebhookConfiguration](ctx, (*service)(s), http.MethodPost, "Configuration/Webhooks", params)
}
