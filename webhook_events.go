package conversations

import "time"

// Conversation events. The fields are those Twilio documents for each event
// (https://www.twilio.com/docs/conversations/conversations-webhooks); every
// field is optional, and fields not listed here are in Form.

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
	ConversationSID     string            `form:"ConversationSid"`
	DateCreated         time.Time         `form:"DateCreated"`
	DateUpdated         time.Time         `form:"DateUpdated"`
	FriendlyName        string            `form:"FriendlyName"`
	UniqueName          string            `form:"UniqueName"`
	Attributes          Attributes        `form:"Attributes"`
	ChatServiceSID      string            `form:"ChatServiceSid"`
	MessagingServiceSID string            `form:"MessagingServiceSid"`
	MessagingBinding    EventBinding      `form:"MessagingBinding"`
	State               ConversationState `form:"State"`
}

// ConversationUpdateEvent is onConversationUpdate, sent before a
// conversation is updated. Answer it with [Allow], [Reject] or
// [ModifyConversation].
type ConversationUpdateEvent struct {
	EventBase
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

// ConversationUpdatedEvent is onConversationUpdated, sent after a
// conversation was updated.
type ConversationUpdatedEvent struct {
	EventBase
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

// ConversationRemoveEvent is onConversationRemove, sent before a
// conversation is deleted. Answer it with [Allow] or [Reject].
type ConversationRemoveEvent struct {
	EventBase
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

// ConversationRemovedEvent is onConversationRemoved, sent after a
// conversation was deleted.
type ConversationRemovedEvent struct {
	EventBase
	ConversationSID     string            `form:"ConversationSid"`
	DateCreated         time.Time         `form:"DateCreated"`
	DateUpdated         time.Time         `form:"DateUpdated"`
	DateRemoved         time.Time         `form:"DateRemoved"`
	FriendlyName        string            `form:"FriendlyName"`
	UniqueName          string            `form:"UniqueName"`
	Attributes          Attributes        `form:"Attributes"`
	ChatServiceSID      string            `form:"ChatServiceSid"`
	MessagingServiceSID string            `form:"MessagingServiceSid"`
	State               ConversationState `form:"State"`
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
	ConversationSID     string       `form:"ConversationSid"`
	MessageSID          string       `form:"MessageSid"`
	MessagingServiceSID string       `form:"MessagingServiceSid"`
	ChatServiceSID      string       `form:"ChatServiceSid"` // not documented; seen in practice
	Index               int          `form:"Index"`
	DateCreated         time.Time    `form:"DateCreated"`
	Body                string       `form:"Body"`
	Author              string       `form:"Author"`
	ParticipantSID      string       `form:"ParticipantSid"`
	Attributes          Attributes   `form:"Attributes"`
	Media               []EventMedia `form:"Media"`
}

// MessageUpdateEvent is onMessageUpdate, sent before a message's body or
// attributes change. Answer it with [Allow], [Reject] or [ModifyMessage].
type MessageUpdateEvent struct {
	EventBase
	ConversationSID string       `form:"ConversationSid"`
	MessageSID      string       `form:"MessageSid"`
	Index           int          `form:"Index"`
	DateCreated     time.Time    `form:"DateCreated"`
	DateUpdated     time.Time    `form:"DateUpdated"`
	Body            string       `form:"Body"`
	Author          string       `form:"Author"`
	ParticipantSID  string       `form:"ParticipantSid"`
	Attributes      Attributes   `form:"Attributes"`
	Media           []EventMedia `form:"Media"`
}

// MessageUpdatedEvent is onMessageUpdated, sent after a message changed.
type MessageUpdatedEvent struct {
	EventBase
	ConversationSID     string       `form:"ConversationSid"`
	MessageSID          string       `form:"MessageSid"`
	MessagingServiceSID string       `form:"MessagingServiceSid"`
	Index               int          `form:"Index"`
	DateCreated         time.Time    `form:"DateCreated"`
	DateUpdated         time.Time    `form:"DateUpdated"`
	Body                string       `form:"Body"`
	Author              string       `form:"Author"`
	ParticipantSID      string       `form:"ParticipantSid"`
	Attributes          Attributes   `form:"Attributes"`
	Media               []EventMedia `form:"Media"`
}

// MessageRemoveEvent is onMessageRemove, sent before a message is deleted.
// Answer it with [Allow] or [Reject].
type MessageRemoveEvent struct {
	EventBase
	ConversationSID string       `form:"ConversationSid"`
	MessageSID      string       `form:"MessageSid"`
	Index           int          `form:"Index"`
	DateCreated     time.Time    `form:"DateCreated"`
	DateUpdated     time.Time    `form:"DateUpdated"`
	Body            string       `form:"Body"`
	Author          string       `form:"Author"`
	ParticipantSID  string       `form:"ParticipantSid"`
	Attributes      Attributes   `form:"Attributes"`
	Media           []EventMedia `form:"Media"`
}

// MessageRemovedEvent is onMessageRemoved, sent after a message was deleted.
type MessageRemovedEvent struct {
	EventBase
	ConversationSID     string       `form:"ConversationSid"`
	MessageSID          string       `form:"MessageSid"`
	MessagingServiceSID string       `form:"MessagingServiceSid"`
	Index               int          `form:"Index"`
	DateCreated         time.Time    `form:"DateCreated"`
	DateUpdated         time.Time    `form:"DateUpdated"`
	DateRemoved         time.Time    `form:"DateRemoved"`
	Body                string       `form:"Body"`
	Author              string       `form:"Author"`
	ParticipantSID      string       `form:"ParticipantSid"`
	Attributes          Attributes   `form:"Attributes"`
	Media               []EventMedia `form:"Media"`
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
