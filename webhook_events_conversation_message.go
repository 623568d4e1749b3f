package conversations

import "time"

// Conversation events. The fields are those Twilio documents for each event
// (https://www.twilio.com/docs/conversations/conversations-webhooks); every
// field is optional, and fields not listed here are in Form. The fields that
// several events share are grouped in embedded structs ([ConversationFields],
// [MessageFields], [ParticipantFields], [UserFields]); they are promoted, so
// ev.Body reads as before, but a composite literal names the group:
//
//	&MessageAddedEvent{MessageFields: MessageFields{ConversationSID: "CH…", Body: "hi"}}

// ConversationFields are the fields of a conversation that its events after
// creation carry.
type ConversationFields struct {
	ConversationSID     string            `form:"ConversationSid"`
	DateCreated         time.Time         `form:"DateCreated"`
	DateUpdated         time.Time         `form:"DateUpdated"`
	FriendlyName        string            `form:"FriendlyName"`
	UniqueName          string            `form:"UniqueName"`
	Attributes          Attributes        `form:"Attributes"`
	ChatServiceSID      string            `form:"ChatServiceSid"`
	MessagingServiceSID string            `form:"MessagingServiceSid"`
	State               ConversationState `form:"State"`
}

// MessageFields are the fields of a message that its events after creation
// carry.
type MessageFields struct {
	ConversationSID string       `form:"ConversationSid"`
	MessageSID      string       `form:"MessageSid"`
	Index           int          `form:"Index"`
	DateCreated     time.Time    `form:"DateCreated"`
	Body            string       `form:"Body"`
	Author          string       `form:"Author"`
	ParticipantSID  string       `form:"ParticipantSid"`
	Attributes      Attributes   `form:"Attributes"`
	Media           []EventMedia `form:"Media"`
}

// ConversationAddEvent is onConversationAdd, sent before a conversation is
// created (for example by an inbound SMS). Answer it with [Allow], [Reject]
// or [ModifyConversation].
type ConversationAddEvent struct {
	EventBase
	FriendlyName        string            `form:"FriendlyName"`
	UniqueName          string            `form:"UniqueName"`
	Attributes          Attributes        `form:"Attributes"`
	ChatServiceSID      string            `form:"ChatServiceSid"`
	MessagingServiceSID string            `form:"MessagingServiceSid"`
	MessagingBinding    EventBinding      `form:"MessagingBinding"`
	MessageBody         string            `form:"MessageBody"` // the body of the message that creates it
	Media               []EventMedia      `form:"Media"`
	State               ConversationState `form:"State"`
}

// ConversationAddedEvent is onConversationAdded, sent after a conversation
// was created.
type ConversationAddedEvent struct {
	EventBase
	ConversationFields
	MessagingBinding EventBinding `form:"MessagingBinding"`
}

// ConversationUpdateEvent is onConversationUpdate, sent before a
// conversation is updated. Answer it with [Allow], [Reject] or
// [ModifyConversation].
type ConversationUpdateEvent struct {
	EventBase
	ConversationFields
}

// ConversationUpdatedEvent is onConversationUpdated, sent after a
// conversation was updated.
type ConversationUpdatedEvent struct {
	EventBase
	ConversationFields
}

// ConversationRemoveEvent is onConversationRemove, sent before a
// conversation is deleted. Answer it with [Allow] or [Reject].
type ConversationRemoveEvent struct {
	EventBase
	ConversationFields
}

// ConversationRemovedEvent is onConversationRemoved, sent after a
// conversation was deleted.
type ConversationRemovedEvent struct {
	EventBase
	ConversationFields
	DateRemoved time.Time `form:"DateRemoved"`
}

// ConversationStateUpdatedEvent is onConversationStateUpdated, sent after a
// conversation moved between active, inactive and closed.
type ConversationStateUpdatedEvent struct {
	EventBase
	ConversationSID     string            `form:"ConversationSid"`
	ChatServiceSID      string            `form:"ChatServiceSid"`
	MessagingServiceSID string            `form:"MessagingServiceSid"`
	StateUpdated        time.Time         `form:"StateUpdated"`
	StateFrom           ConversationState `form:"StateFrom"`
	StateTo             ConversationState `form:"StateTo"`
	Reason              StateUpdateReason `form:"Reason"` // API, TIMER or EVENT
}

// Message events.

// MessageAddEvent is onMessageAdd, sent before a message is added; it has
// no MessageSID or Index yet. Answer it with [Allow], [Reject] or
// [ModifyMessage].
type MessageAddEvent struct {
	EventBase
	ConversationSID string       `form:"ConversationSid"`
	Body            string       `form:"Body"`
	Author          string       `form:"Author"`
	ParticipantSID  string       `form:"ParticipantSid"`
	Attributes      Attributes   `form:"Attributes"`
	Media           []EventMedia `form:"Media"`
}

// MessageAddedEvent is onMessageAdded, sent after a message was added.
// This is the event auto-replies and bots act on.
type MessageAddedEvent struct {
	EventBase
	MessageFields
	MessagingServiceSID string `form:"MessagingServiceSid"`
	ChatServiceSID      string `form:"ChatServiceSid"` // not documented; seen in practice
}

// MessageUpdateEvent is onMessageUpdate, sent before a message's body or
// attributes change. Answer it with [Allow], [Reject] or [ModifyMessage].
type MessageUpdateEvent struct {
	EventBase
	MessageFields
	DateUpdated time.Time `form:"DateUpdated"`
}

// MessageUpdatedEvent is onMessageUpdated, sent after a message changed.
type MessageUpdatedEvent struct {
	EventBase
	MessageFields
	MessagingServiceSID string    `form:"MessagingServiceSid"`
	DateUpdated         time.Time `form:"DateUpdated"`
}

// MessageRemoveEvent is onMessageRemove, sent before a message is deleted.
// Answer it with [Allow] or [Reject].
type MessageRemoveEvent struct {
	EventBase
	MessageFields
	DateUpdated time.Time `form:"DateUpdated"`
}

// MessageRemovedEvent is onMessageRemoved, sent after a message was deleted.
type MessageRemovedEvent struct {
	EventBase
	MessageFields
	MessagingServiceSID string    `form:"MessagingServiceSid"`
	DateUpdated         time.Time `form:"DateUpdated"`
	DateRemoved         time.Time `form:"DateRemoved"`
}

// EventType returns [EventConversationAdd].
func (*ConversationAddEvent) EventType() EventType { return EventConversationAdd }

// EventType returns [EventConversationAdded].
func (*ConversationAddedEvent) EventType() EventType { return EventConversationAdded }

// EventType returns [EventConversationUpdate].
func (*ConversationUpdateEvent) EventType() EventType { return EventConversationUpdate }

// EventType returns [EventConversationUpdated].
func (*ConversationUpdatedEvent) EventType() EventType { return EventConversationUpdated }

// EventType returns [EventConversationRemove].
func (*ConversationRemoveEvent) EventType() EventType { return EventConversationRemove }

// EventType returns [EventConversationRemoved].
func (*ConversationRemovedEvent) EventType() EventType { return EventConversationRemoved }

// EventType returns [EventConversationStateUpdated].
func (*ConversationStateUpdatedEvent) EventType() EventType { return EventConversationStateUpdated }

// EventType returns [EventMessageAdd].
func (*MessageAddEvent) EventType() EventType { return EventMessageAdd }

// EventType returns [EventMessageAdded].
func (*MessageAddedEvent) EventType() EventType { return EventMessageAdded }

// EventType returns [EventMessageUpdate].
func (*MessageUpdateEvent) EventType() EventType { return EventMessageUpdate }

// EventType returns [EventMessageUpdated].
func (*MessageUpdatedEvent) EventType() EventType { return EventMessageUpdated }

// EventType returns [EventMessageRemove].
func (*MessageRemoveEvent) EventType() EventType { return EventMessageRemove }

// EventType returns [EventMessageRemoved].
func (*MessageRemovedEvent) EventType() EventType { return EventMessageRemoved }
