package conversations

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"time"
)

// UserConversation is a user's membership of one conversation: the
// conversation's summary with the user's own read state and notification
// level in it.
type UserConversation struct {
	AccountSID      string `json:"account_sid"`
	ChatServiceSID  string `json:"chat_service_sid"`
	ConversationSID string `json:"conversation_sid"`
	// UnreadMessagesCount is how many messages the user has not read; nil
	// when the user has never set a read horizon.
	UnreadMessagesCount *int `json:"unread_messages_count"`
	// LastReadMessageIndex is the index of the last message the user read;
	// nil when unknown.
	LastReadMessageIndex *int               `json:"last_read_message_index"`
	ParticipantSID       string             `json:"participant_sid"`
	UserSID              string             `json:"user_sid"`
	FriendlyName         string             `json:"friendly_name"`
	UniqueName           string             `json:"unique_name"`
	ConversationState    ConversationState  `json:"conversation_state"`
	Timers               ConversationTimers `json:"timers"`
	Attributes           Attributes         `json:"attributes"`
	DateCreated          time.Time          `json:"date_created"`
	DateUpdated          time.Time          `json:"date_updated"`
	// CreatedBy is the identity of the conversation's creator.
	CreatedBy         string                `json:"created_by"`
	NotificationLevel NotificationLevel     `json:"notification_level"`
	URL               string                `json:"url"`
	Links             UserConversationLinks `json:"links"`
}

// UserConversationLinks are the URLs of the conversation and of the user's
// participant in it.
type UserConversationLinks struct {
	Participant  string `json:"participant"`
	Conversation string `json:"conversation"`
}

// UserConversationUpdateParams are the parameters of
// [UserConversationsService.Update]; unset fields are not sent.
type UserConversationUpdateParams struct {
	// NotificationLevel mutes (muted) or restores (default) the user's push
	// notifications for the conversation.
	NotificationLevel NotificationLevel `url:"NotificationLevel,omitempty"`
	// LastReadTimestamp is when the user last read the conversation; it is
	// sent in RFC 3339 form (such as 2015-12-16T22:18:38Z), as other dates are.
	LastReadTimestamp time.Time `url:"LastReadTimestamp,omitempty"`
	// LastReadMessageIndex marks messages read up to this index; use Ptr(0)
	// for the first message.
	LastReadMessageIndex *int `url:"LastReadMessageIndex,omitempty"`
}

func (p *UserConversationUpdateParams) validate() error {
	if p == nil {
		return nil
	}
	if p.NotificationLevel != "" && p.NotificationLevel != NotificationDefault && p.NotificationLevel != NotificationMuted {
		return fmt.Errorf("conversations: invalid NotificationLevel %q", p.NotificationLevel)
	}
	if p.LastReadMessageIndex != nil && *p.LastReadMessageIndex < 0 {
		return fmt.Errorf("conversations: LastReadMessageIndex %d is negative", *p.LastReadMessageIndex)
	}
	return nil
}

const (
	userConversationsPath = "Users/{UserSid}/Conversations"
	userConversationPath  = "Users/{UserSid}/Conversations/{ConversationSid}"
)

// Fetch fetches a user's membership of a conversation. The user may be given
// by SID or identity, the conversation by SID or unique name.
//
// GET /v1/Users/{UserSid}/Conversations/{ConversationSid}
func (s *UserConversationsService) Fetch(ctx context.Context, userSID, conversationSID string) (*UserConversation, error) {
	return doCall[UserConversation](ctx, (*service)(s), http.MethodGet, userConversationPath, nil, userSID, conversationSID)
}

// Update updates a user's notification level or read state in a
// conversation.
//
// POST /v1/Users/{UserSid}/Conversations/{ConversationSid}
func (s *UserConversationsService) Update(ctx context.Context, userSID, conversationSID string, params *UserConversationUpdateParams) (*UserConversation, error) {
	return doCall[UserConversation](ctx, (*service)(s), http.MethodPost, userConversationPath, params, userSID, conversationSID)
}

// Delete makes a user leave a conversation, removing its participant.
//
// DELETE /v1/Users/{UserSid}/Conversations/{ConversationSid}
func (s *UserConversationsService) Delete(ctx context.Context, userSID, conversationSID string) error {
	return (*service)(s).call(ctx, http.MethodDelete, userConversationPath, nil, nil, userSID, conversationSID)
}

// List iterates over the conversations a user takes part in.
//
// A page holds at most 50 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Users/{UserSid}/Conversations
func (s *UserConversationsService) List(ctx context.Context, userSID string, params *ListParams) iter.Seq2[*UserConversation, error] {
	return listAll[UserConversation](ctx, (*service)(s), userConversationsPath, "conversations", 50, params, userSID)
}

// Pager reads the conversations of a user one page at a time.
//
// A page holds at most 50 items; params.Limit ends the list early.
func (s *UserConversationsService) Pager(userSID string, params *ListParams) *Pager[UserConversation] {
	return newPager[UserConversation]((*service)(s), userConversationsPath, "conversations", 50, params, userSID)
}
