package conversations

import (
	"context"
	"fmt"
	"net/http"
)

// ServiceConfiguration is the configuration of a Conversation Service: its
// default roles and whether the Reachability Indicator is on.
type ServiceConfiguration struct {
	ChatServiceSID string `json:"chat_service_sid"`
	// DefaultConversationCreatorRoleSID is the conversation-level role given
	// to the user who creates a conversation.
	DefaultConversationCreatorRoleSID string `json:"default_conversation_creator_role_sid"`
	// DefaultConversationRoleSID is the conversation-level role given to
	// other participants.
	DefaultConversationRoleSID string `json:"default_conversation_role_sid"`
	// DefaultChatServiceRoleSID is the service-level role given to new users.
	DefaultChatServiceRoleSID string `json:"default_chat_service_role_sid"`
	// ReachabilityEnabled reports whether users' online and notifiable
	// states are tracked.
	ReachabilityEnabled bool                      `json:"reachability_enabled"`
	URL                 string                    `json:"url"`
	Links               ServiceConfigurationLinks `json:"links"`
}

// ServiceConfigurationLinks are the URLs of a service configuration's
// sub-resources.
type ServiceConfigurationLinks struct {
	Notifications string `json:"notifications"`
	Webhooks      string `json:"webhooks"`
}

// ServiceConfigurationUpdateParams are the parameters of
// [ServiceConfigurationService.Update]; unset fields are not sent.
type ServiceConfigurationUpdateParams struct {
	DefaultConversationCreatorRoleSID string `url:"DefaultConversationCreatorRoleSid,omitempty"`
	DefaultConversationRoleSID        string `url:"DefaultConversationRoleSid,omitempty"`
	DefaultChatServiceRoleSID         string `url:"DefaultChatServiceRoleSid,omitempty"`
	// ReachabilityEnabled turns the Reachability Indicator on or off.
	ReachabilityEnabled *bool `url:"ReachabilityEnabled,omitempty"`
}

// ServiceNotifications are the push notification settings of a Conversation
// Service.
type ServiceNotifications struct {
	AccountSID     string `json:"account_sid"`
	ChatServiceSID string `json:"chat_service_sid"`
	// LogEnabled reports whether notifications are logged.
	LogEnabled              bool                           `json:"log_enabled"`
	NewMessage              NewMessageNotificationSettings `json:"new_message"`
	AddedToConversation     NotificationSettings           `json:"added_to_conversation"`
	RemovedFromConversation NotificationSettings           `json:"removed_from_conversation"`
	URL                     string                         `json:"url"`
}

// NotificationSettings are the settings of one kind of push notification.
type NotificationSettings struct {
	Enabled bool `json:"enabled"`
	// Template is the notification text, with placeholders such as
	// ${CONVERSATION}.
	Template string `json:"template"`
	// Sound is the name of the sound to play.
	Sound string `json:"sound"`
}

// NewMessageNotificationSettings are the settings of new message
// notifications.
type NewMessageNotificationSettings struct {
	Enabled           bool   `json:"enabled"`
	Template          string `json:"template"`
	Sound             string `json:"sound"`
	BadgeCountEnabled bool   `json:"badge_count_enabled"`
	// WithMedia are the settings for messages with media.
	WithMedia MediaNotificationSettings `json:"with_media"`
}

// MediaNotificationSettings are the settings of notifications for new
// messages with media.
type MediaNotificationSettings struct {
	Enabled bool `json:"enabled"`
	// Template is the notification text, with placeholders such as
	// ${MEDIA_COUNT} and ${MEDIA}.
	Template string `json:"template"`
}

// ServiceNotificationsUpdateParams are the parameters of
// [ServiceConfigurationService.UpdateNotifications]; unset fields are not
// sent. Booleans are pointers so that false can be sent: use Ptr(false).
type ServiceNotificationsUpdateParams struct {
	LogEnabled                      *bool  `url:"LogEnabled,omitempty"`
	NewMessageEnabled               *bool  `url:"NewMessage.Enabled,omitempty"`
	NewMessageTemplate              string `url:"NewMessage.Template,omitempty"`
	NewMessageSound                 string `url:"NewMessage.Sound,omitempty"`
	NewMessageBadgeCountEnabled     *bool  `url:"NewMessage.BadgeCountEnabled,omitempty"`
	NewMessageWithMediaEnabled      *bool  `url:"NewMessage.WithMedia.Enabled,omitempty"`
	NewMessageWithMediaTemplate     string `url:"NewMessage.WithMedia.Template,omitempty"`
	AddedToConversationEnabled      *bool  `url:"AddedToConversation.Enabled,omitempty"`
	AddedToConversationTemplate     string `url:"AddedToConversation.Template,omitempty"`
	AddedToConversationSound        string `url:"AddedToConversation.Sound,omitempty"`
	RemovedFromConversationEnabled  *bool  `url:"RemovedFromConversation.Enabled,omitempty"`
	RemovedFromConversationTemplate string `url:"RemovedFromConversation.Template,omitempty"`
	RemovedFromConversationSound    string `url:"RemovedFromConversation.Sound,omitempty"`
}

// ServiceWebhookConfiguration is the webhook configuration of a Conversation
// Service: where its pre- and post-event webhooks go and which events fire.
type ServiceWebhookConfiguration struct {
	AccountSID     string `json:"account_sid"`
	ChatServiceSID string `json:"chat_service_sid"`
	PreWebhookURL  string `json:"pre_webhook_url"`
	PostWebhookURL string `json:"post_webhook_url"`
	// Filters are the events that fire webhooks, such as onMessageAdd and
	// onParticipantAdded.
	Filters []EventType   `json:"filters"`
	Method  WebhookMethod `json:"method"`
	URL     string        `json:"url"`
}

// ServiceWebhookConfigurationUpdateParams are the parameters of
// [ServiceConfigurationService.UpdateWebhooks]; unset fields are not sent.
type ServiceWebhookConfigurationUpdateParams struct {
	PreWebhookURL  string `url:"PreWebhookUrl,omitempty"`
	PostWebhookURL string `url:"PostWebhookUrl,omitempty"`
	// Filters replace the events that fire webhooks; each is sent as its own
	// Filters value.
	Filters []EventType   `url:"Filters,omitempty"`
	Method  WebhookMethod `url:"Method,omitempty"`
}

func (p *ServiceWebhookConfigurationUpdateParams) validate() error {
	if p == nil {
		return nil
	}
	// Method is checked by WebhookMethod.EncodeValues.
	return checkFilters("Filters", p.Filters)
}

// checkFilters rejects an empty event type in a list of webhook filters.
func checkFilters(name string, filters []EventType) error {
	for i, f := range filters {
		if f == "" {
			return fmt.Errorf("%w: %s[%d]", ErrEmptyParameter, name, i)
		}
	}
	return nil
}

const (
	serviceConfigurationPath = "Configuration"
	serviceNotificationsPath = "Configuration/Notifications"
	serviceWebhooksPath      = "Configuration/Webhooks"
)

// Fetch fetches the service's configuration.
//
// GET /v1/Services/{ChatServiceSid}/Configuration
func (s *ServiceConfigurationService) Fetch(ctx context.Context) (*ServiceConfiguration, error) {
	return doCall[ServiceConfiguration](ctx, (*service)(s), http.MethodGet, serviceConfigurationPath, nil)
}

// Update updates the service's configuration.
//
// POST /v1/Services/{ChatServiceSid}/Configuration
func (s *ServiceConfigurationService) Update(ctx context.Context, params *ServiceConfigurationUpdateParams) (*ServiceConfiguration, error) {
	return doCall[ServiceConfiguration](ctx, (*service)(s), http.MethodPost, serviceConfigurationPath, params)
}

// FetchNotifications fetches the service's push notification settings.
//
// GET /v1/Services/{ChatServiceSid}/Configuration/Notifications
func (s *ServiceConfigurationService) FetchNotifications(ctx context.Context) (*ServiceNotifications, error) {
	return doCall[ServiceNotifications](ctx, (*service)(s), http.MethodGet, serviceNotificationsPath, nil)
}

// UpdateNotifications updates the service's push notification settings.
//
// POST /v1/Services/{ChatServiceSid}/Configuration/Notifications
func (s *ServiceConfigurationService) UpdateNotifications(ctx context.Context, params *ServiceNotificationsUpdateParams) (*ServiceNotifications, error) {
	return doCall[ServiceNotifications](ctx, (*service)(s), http.MethodPost, serviceNotificationsPath, params)
}

// FetchWebhooks fetches the service's webhook configuration.
//
// GET /v1/Services/{ChatServiceSid}/Configuration/Webhooks
func (s *ServiceConfigurationService) FetchWebhooks(ctx context.Context) (*ServiceWebhookConfiguration, error) {
	return doCall[ServiceWebhookConfiguration](ctx, (*service)(s), http.MethodGet, serviceWebhooksPath, nil)
}

// UpdateWebhooks updates the service's webhook configuration.
//
// POST /v1/Services/{ChatServiceSid}/Configuration/Webhooks
func (s *ServiceConfigurationService) UpdateWebhooks(ctx context.Context, params *ServiceWebhookConfigurationUpdateParams) (*ServiceWebhookConfiguration, error) {
	return doCall[ServiceWebhookConfiguration](ctx, (*service)(s), http.MethodPost, serviceWebhooksPath, params)
}
