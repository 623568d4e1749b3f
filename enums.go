package conversations

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// ConversationState is the state of a conversation. A conversation moves
// between active and inactive freely; closed is final.
type ConversationState string

// Conversation states.
const (
	StateInitializing ConversationState = "initializing"
	StateActive       ConversationState = "active"
	StateInactive     ConversationState = "inactive"
	StateClosed       ConversationState = "closed"
)

// DeliveryStatus is the delivery status of a message receipt or of a
// message's delivery on a non-chat channel.
type DeliveryStatus string

// Delivery statuses, as reported by receipts and onDeliveryUpdated webhooks.
const (
	DeliverySent        DeliveryStatus = "sent"
	DeliveryDelivered   DeliveryStatus = "delivered"
	DeliveryRead        DeliveryStatus = "read"
	DeliveryFailed      DeliveryStatus = "failed"
	DeliveryUndelivered DeliveryStatus = "undelivered"
)

// Order is the sort order of a message list.
type Order string

// Message list orders.
const (
	OrderAsc  Order = "asc"
	OrderDesc Order = "desc"
)

// NotificationLevel is a user's notification level in one conversation.
type NotificationLevel string

// Notification levels of a user conversation.
const (
	NotificationDefault NotificationLevel = "default"
	NotificationMuted   NotificationLevel = "muted"
)

// RoleType says whether a role applies within a conversation or service-wide.
type RoleType string

// Role types.
const (
	RoleTypeConversation RoleType = "conversation"
	RoleTypeService      RoleType = "service"
)

// PushType is the kind of a push credential.
type PushType string

// Push credential types.
const (
	PushAPN PushType = "apn"
	PushGCM PushType = "gcm"
	PushFCM PushType = "fcm"
)

// BindingType is the kind of a push notification binding.
type BindingType string

// Binding types.
const (
	BindingAPN      BindingType = "apn"
	BindingGCM      BindingType = "gcm"
	BindingFCM      BindingType = "fcm"
	BindingTwilsock BindingType = "twilsock"
)

// WebhookTarget is the target of a conversation-scoped webhook.
type WebhookTarget string

// Conversation-scoped webhook targets.
const (
	TargetWebhook WebhookTarget = "webhook"
	TargetTrigger WebhookTarget = "trigger"
	TargetStudio  WebhookTarget = "studio"
	// TargetFlex is accepted by the account-level webhook configuration only.
	TargetFlex WebhookTarget = "flex"
)

// AddressType is the channel of an address configuration.
type AddressType string

// Address configuration channels.
const (
	AddressSMS       AddressType = "sms"
	AddressWhatsApp  AddressType = "whatsapp"
	AddressMessenger AddressType = "messenger"
	AddressGBM       AddressType = "gbm"
	AddressEmail     AddressType = "email"
	AddressRCS       AddressType = "rcs"
	AddressApple     AddressType = "apple"
	AddressChat      AddressType = "chat"
)

// AutoCreationType is what an address configuration creates on an inbound
// message: a webhook, a Studio flow, or nothing beyond the conversation.
type AutoCreationType string

// Address auto-creation types.
const (
	AutoCreationWebhook AutoCreationType = "webhook"
	AutoCreationStudio  AutoCreationType = "studio"
	AutoCreationDefault AutoCreationType = "default"
)

// ChannelType is the channel of a participant's messaging binding as sent
// in webhooks (MessagingBinding.Type), in upper case. The REST API reports
// the same channel in lower case, as a [MessagingChannel]; use
// [ChannelType.Messaging] to compare the two.
type ChannelType string

// Participant channel types, as sent in webhooks.
const (
	ChannelSMS      ChannelType = "SMS"
	ChannelWhatsApp ChannelType = "WHATSAPP"
	ChannelChat     ChannelType = "CHAT"
)

// Messaging returns the REST form of a webhook channel, such as
// [MessagingSMS] for [ChannelSMS].
func (c ChannelType) Messaging() MessagingChannel {
	return MessagingChannel(strings.ToLower(string(c)))
}

// MessagingChannel is the channel of a participant's messaging binding in
// the REST API (Participant.MessagingBinding.Type), in lower case, and the
// channel a media upload is checked against (MediaUploadParams.Channel).
// Webhooks report the channel in upper case, as a [ChannelType].
type MessagingChannel string

// Messaging channels, as the REST API reports them.
const (
	MessagingSMS       MessagingChannel = "sms"
	MessagingWhatsApp  MessagingChannel = "whatsapp"
	MessagingRCS       MessagingChannel = "rcs"
	MessagingEmail     MessagingChannel = "email"
	MessagingChat      MessagingChannel = "chat"
	MessagingMessenger MessagingChannel = "messenger"
	MessagingGBM       MessagingChannel = "gbm"
	MessagingApple     MessagingChannel = "apple"
)

// WebhookMethod is the HTTP method Twilio uses to call a webhook. Twilio
// reports it as GET or POST at the account level and in lower case for
// conversation-scoped webhooks; decoding normalizes it to upper case, so it
// compares equal to [WebhookGET] and [WebhookPOST].
type WebhookMethod string

// Webhook methods.
const (
	WebhookGET  WebhookMethod = "GET"
	WebhookPOST WebhookMethod = "POST"
)

// UnmarshalJSON decodes a method in any case, normalized to upper case.
func (m *WebhookMethod) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil {
		*m = ""
		return nil
	}
	*m = WebhookMethod(strings.ToUpper(*s))
	return nil
}

// EncodeValues implements the go-querystring Encoder interface. The method
// is sent in the case each parameter is specified with: upper case for the
// account-level Method, lower case for the nested Configuration.Method and
// AutoCreation.WebhookMethod. Anything but GET or POST (in any case) is an
// error, so it is never sent.
func (m WebhookMethod) EncodeValues(key string, v *url.Values) error {
	up := WebhookMethod(strings.ToUpper(string(m)))
	if up != WebhookGET && up != WebhookPOST {
		return fmt.Errorf("conversations: %s: webhook method %q is not GET or POST", key, string(m))
	}
	if strings.Contains(key, ".") {
		v.Set(key, strings.ToLower(string(up)))
	} else {
		v.Set(key, string(up))
	}
	return nil
}
