package conversations

import (
	"context"
	"errors"
	"iter"
	"time"
)

// ParticipantConversation is a conversation seen from one of its
// participants: the participant's identity or messaging binding with the
// conversation's summary.
type ParticipantConversation struct {
	AccountSID     string `json:"account_sid"`
	ChatServiceSID string `json:"chat_service_sid"`
	ParticipantSID string `json:"participant_sid"`
	// ParticipantUserSID and ParticipantIdentity are set for chat
	// participants.
	ParticipantUserSID  string `json:"participant_user_sid"`
	ParticipantIdentity string `json:"participant_identity"`
	// ParticipantMessagingBinding is nil for chat participants.
	ParticipantMessagingBinding *MessagingBinding            `json:"participant_messaging_binding"`
	ConversationSID             string                       `json:"conversation_sid"`
	ConversationUniqueName      string                       `json:"conversation_unique_name"`
	ConversationFriendlyName    string                       `json:"conversation_friendly_name"`
	ConversationAttributes      Attributes                   `json:"conversation_attributes"`
	ConversationDateCreated     time.Time                    `json:"conversation_date_created"`
	ConversationDateUpdated     time.Time                    `json:"conversation_date_updated"`
	ConversationCreatedBy       string                       `json:"conversation_created_by"`
	ConversationState           ConversationState            `json:"conversation_state"`
	ConversationTimers          ConversationTimers           `json:"conversation_timers"`
	Links                       ParticipantConversationLinks `json:"links"`
}

// ParticipantConversationLinks are the URLs of the conversation and of the
// participant in it.
type ParticipantConversationLinks struct {
	Participant  string `json:"participant"`
	Conversation string `json:"conversation"`
}

// ParticipantConversationListParams select the participant of
// [ParticipantConversationsService.List]: exactly one of Identity and Address
// must be set.
type ParticipantConversationListParams struct {
	// Identity selects a chat participant by its user identity.
	Identity string `url:"Identity,omitempty"`
	// Address selects a non-chat participant by its messaging binding
	// address, such as +15558675310 or whatsapp:+15558675310.
	Address string `url:"Address,omitempty"`
	// PageSize is how many items one request asks for, clamped to the
	// list's maximum (in its List method's doc). Zero means Limit when that
	// is set, Twilio's default (50) otherwise. It does not limit the items
	// returned: Limit does.
	PageSize int `url:"PageSize,omitempty"`
	// Limit is the most items the list returns, over all pages: it stops
	// fetching once Limit items arrived. Zero means every item.
	Limit int `url:"-"`
}

// ErrParticipantFilter is returned when a participant conversation
// list has both or neither of Identity and Address.
var ErrParticipantFilter = errors.New("conversations: exactly one of Identity and Address must be set")

func (p *ParticipantConversationListParams) validate() error {
	if p == nil || (p.Identity == "") == (p.Address == "") {
		return ErrParticipantFilter
	}
	return nil
}

// List iterates over the conversations of the participant with an identity
// or an address.
//
// A page holds at most 50 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/ParticipantConversations
func (s *ParticipantConversationsService) List(ctx context.Context, params *ParticipantConversationListParams) iter.Seq2[*ParticipantConversation, error] {
	return listAll[ParticipantConversation](ctx, (*service)(s), "ParticipantConversations", "conversations", 50, params)
}

// Pager reads the conversations of a participant one page at a time.
//
// A page holds at most 50 items; params.Limit ends the list early.
func (s *ParticipantConversationsService) Pager(params *ParticipantConversationListParams) *Pager[ParticipantConversation] {
	return newPager[ParticipantConversation]((*service)(s), "ParticipantConversations", "conversations", 50, params)
}
