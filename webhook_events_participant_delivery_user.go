package conversations

import (
	"slices"
	"time"
)

// Participant events. Chat participants have an Identity and no
// MessagingBinding; SMS and WhatsApp participants have a MessagingBinding and
// no Identity.

// ParticipantFields are the fields of a participant that its events after
// it was added carry.
type ParticipantFields struct {
	ConversationSID  string       `form:"ConversationSid"`
	ParticipantSID   string       `form:"ParticipantSid"`
	DateCreated      time.Time    `form:"DateCreated"`
	Identity         string       `form:"Identity"`
	RoleSID          string       `form:"RoleSid"`
	Attributes       Attributes   `form:"Attributes"`
	MessagingBinding EventBinding `form:"MessagingBinding"`
}

// ParticipantAddEvent is onParticipantAdd, sent before a participant is
// added; it has no ParticipantSID yet. Answer it with [Allow] or [Reject].
type ParticipantAddEvent struct {
	EventBase
	ConversationSID  string       `form:"ConversationSid"`
	Identity         string       `form:"Identity"`
	RoleSID          string       `form:"RoleSid"`
	Attributes       Attributes   `form:"Attributes"`
	MessagingBinding EventBinding `form:"MessagingBinding"`
}

// ParticipantAddedEvent is onParticipantAdded, sent after a participant was
// added.
type ParticipantAddedEvent struct {
	EventBase
	ParticipantFields
}

// ParticipantUpdateEvent is onParticipantUpdate, sent before a participant
// is updated (not for reachability changes). Answer it with [Allow] or
// [Reject].
type ParticipantUpdateEvent struct {
	EventBase
	ParticipantFields
	DateUpdated time.Time `form:"DateUpdated"`
}

// ParticipantUpdatedEvent is onParticipantUpdated, sent after a participant
// was updated.
type ParticipantUpdatedEvent struct {
	EventBase
	ParticipantFields
	DateUpdated time.Time `form:"DateUpdated"`
	// LastReadMessageIndex is the index of the last message the participant
	// read; nil when not sent.
	LastReadMessageIndex *int `form:"LastReadMessageIndex"`
}

// ParticipantRemoveEvent is onParticipantRemove, sent before a participant
// is removed. Answer it with [Allow] or [Reject].
type ParticipantRemoveEvent struct {
	EventBase
	ParticipantFields
	DateUpdated time.Time `form:"DateUpdated"`
}

// ParticipantRemovedEvent is onParticipantRemoved, sent after a participant
// was removed.
type ParticipantRemovedEvent struct {
	EventBase
	ParticipantFields
	DateUpdated time.Time `form:"DateUpdated"`
	DateRemoved time.Time `form:"DateRemoved"`
}

// DeliveryUpdatedEvent is onDeliveryUpdated, sent when the delivery status
// of a message to a non-chat participant changes.
type DeliveryUpdatedEvent struct {
	EventBase
	ConversationSID    string         `form:"ConversationSid"`
	ChatServiceSID     string         `form:"ChatServiceSid"`
	MessageSID         string         `form:"MessageSid"`
	DeliveryReceiptSID string         `form:"DeliveryReceiptSid"` // DY…
	ChannelMessageSID  string         `form:"ChannelMessageSid"`  // SM… or WA…
	ParticipantSID     string         `form:"ParticipantSid"`
	Status             DeliveryStatus `form:"Status"`
	// ErrorCode is the Twilio error code of a failed or undelivered
	// message, or 0.
	ErrorCode   int       `form:"ErrorCode"`
	DateCreated time.Time `form:"DateCreated"`
	DateUpdated time.Time `form:"DateUpdated"`
}

// User events.

// UserFields are the fields of a user that every user event carries.
type UserFields struct {
	ChatServiceSID string     `form:"ChatServiceSid"`
	UserSID        string     `form:"UserSid"`
	DateCreated    time.Time  `form:"DateCreated"`
	Identity       string     `form:"Identity"`
	RoleSID        string     `form:"RoleSid"`
	Attributes     Attributes `form:"Attributes"`
	FriendlyName   string     `form:"FriendlyName"`
}

// UserAddedEvent is onUserAdded, sent after a user was created.
type UserAddedEvent struct {
	EventBase
	UserFields
}

// UserUpdateEvent is onUserUpdate, sent before a user is updated. Answer it
// with [Allow] or [Reject].
type UserUpdateEvent struct {
	EventBase
	UserFields
	DateUpdated time.Time `form:"DateUpdated"`
}

// UserUpdatedEvent is onUserUpdated, sent after a user was updated.
type UserUpdatedEvent struct {
	EventBase
	UserFields
	DateUpdated time.Time `form:"DateUpdated"`
	// IsOnline reports whether the user is connected; nil when not sent.
	// Both IsOnline and isOnline keys are accepted.
	IsOnline *bool `form:"IsOnline,isOnline"`
	// IsNotifiable reports whether the user can get push notifications;
	// nil when not sent.
	IsNotifiable *bool `form:"IsNotifiable,isNotifiable"`
}

// EventType returns [EventParticipantAdd].
func (*ParticipantAddEvent) EventType() EventType { return EventParticipantAdd }

// EventType returns [EventParticipantAdded].
func (*ParticipantAddedEvent) EventType() EventType { return EventParticipantAdded }

// EventType returns [EventParticipantUpdate].
func (*ParticipantUpdateEvent) EventType() EventType { return EventParticipantUpdate }

// EventType returns [EventParticipantUpdated].
func (*ParticipantUpdatedEvent) EventType() EventType { return EventParticipantUpdated }

// EventType returns [EventParticipantRemove].
func (*ParticipantRemoveEvent) EventType() EventType { return EventParticipantRemove }

// EventType returns [EventParticipantRemoved].
func (*ParticipantRemovedEvent) EventType() EventType { return EventParticipantRemoved }

// EventType returns [EventDeliveryUpdated].
func (*DeliveryUpdatedEvent) EventType() EventType { return EventDeliveryUpdated }

// EventType returns [EventUserAdded].
func (*UserAddedEvent) EventType() EventType { return EventUserAdded }

// EventType returns [EventUserUpdate].
func (*UserUpdateEvent) EventType() EventType { return EventUserUpdate }

// EventType returns [EventUserUpdated].
func (*UserUpdatedEvent) EventType() EventType { return EventUserUpdated }

// eventConstructors makes an empty event of each known type.
var eventConstructors = map[EventType]func() Event{
	EventConversationAdd:          func() Event { return new(ConversationAddEvent) },
	EventConversationAdded:        func() Event { return new(ConversationAddedEvent) },
	EventConversationUpdate:       func() Event { return new(ConversationUpdateEvent) },
	EventConversationUpdated:      func() Event { return new(ConversationUpdatedEvent) },
	EventConversationRemove:       func() Event { return new(ConversationRemoveEvent) },
	EventConversationRemoved:      func() Event { return new(ConversationRemovedEvent) },
	EventConversationStateUpdated: func() Event { return new(ConversationStateUpdatedEvent) },
	EventMessageAdd:               func() Event { return new(MessageAddEvent) },
	EventMessageAdded:             func() Event { return new(MessageAddedEvent) },
	EventMessageUpdate:            func() Event { return new(MessageUpdateEvent) },
	EventMessageUpdated:           func() Event { return new(MessageUpdatedEvent) },
	EventMessageRemove:            func() Event { return new(MessageRemoveEvent) },
	EventMessageRemoved:           func() Event { return new(MessageRemovedEvent) },
	EventParticipantAdd:           func() Event { return new(ParticipantAddEvent) },
	EventParticipantAdded:         func() Event { return new(ParticipantAddedEvent) },
	EventParticipantUpdate:        func() Event { return new(ParticipantUpdateEvent) },
	EventParticipantUpdated:       func() Event { return new(ParticipantUpdatedEvent) },
	EventParticipantRemove:        func() Event { return new(ParticipantRemoveEvent) },
	EventParticipantRemoved:       func() Event { return new(ParticipantRemovedEvent) },
	EventDeliveryUpdated:          func() Event { return new(DeliveryUpdatedEvent) },
	EventUserAdded:                func() Event { return new(UserAddedEvent) },
	EventUserUpdate:               func() Event { return new(UserUpdateEvent) },
	EventUserUpdated:              func() Event { return new(UserUpdatedEvent) },
}

// EventTypes returns the 23 event types this package decodes into typed
// events.
func EventTypes() []EventType {
	out := make([]EventType, 0, len(eventConstructors))
	for t := range eventConstructors {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
