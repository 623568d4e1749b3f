package conversations

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"
)

// Participant is a member of a conversation: a chat user (Identity) or an
// SMS, WhatsApp or other channel user (MessagingBinding).
type Participant struct {
	SID             string     `json:"sid"`
	AccountSID      string     `json:"account_sid"`
	ChatServiceSID  string     `json:"chat_service_sid"`
	ConversationSID string     `json:"conversation_sid"`
	Identity        string     `json:"identity"`
	Attributes      Attributes `json:"attributes"`
	// MessagingBinding is nil for chat participants.
	MessagingBinding *MessagingBinding `json:"messaging_binding"`
	RoleSID          string            `json:"role_sid"`
	DateCreated      time.Time         `json:"date_created"`
	DateUpdated      time.Time         `json:"date_updated"`
	URL              string            `json:"url"`
	// LastReadMessageIndex is the index of the last message the participant
	// read; nil when unknown.
	LastReadMessageIndex *int `json:"last_read_message_index"`
	// LastReadTimestamp is when the participant last read, exactly as Twilio
	// sent it; empty when unknown. It stays a string because the spec types
	// it as a plain string with no date-time format (unlike the other dates)
	// and its examples are all null, so its form is not guaranteed to be
	// RFC 3339; parse it with time.Parse(time.RFC3339, ...) when it is.
	LastReadTimestamp string `json:"last_read_timestamp"`
}

// MessagingBinding is how a non-chat participant exchanges messages.
type MessagingBinding struct {
	// Type is the channel in lower case, such as [MessagingSMS] or
	// [MessagingWhatsApp] (webhooks report it in upper case, as a
	// [ChannelType]).
	Type MessagingChannel `json:"type"`
	// Address is the participant's own address, such as +15558675310 or
	// whatsapp:+15558675310.
	Address string `json:"address,omitempty"`
	// ProxyAddress is the Twilio address the participant talks to.
	ProxyAddress string `json:"proxy_address,omitempty"`
	// ProjectedAddress is the Twilio address a chat participant of a group
	// MMS conversation is shown as.
	ProjectedAddress string `json:"projected_address,omitempty"`
	// AuthorAddress, Name and Level appear on email bindings.
	AuthorAddress string `json:"author_address,omitempty"`
	Name          string `json:"name,omitempty"`
	Level         string `json:"level,omitempty"`
}

// ParticipantCreateParams are the parameters of [ParticipantsService.Create].
// A chat participant has an Identity; an SMS or WhatsApp participant has
// MessagingBindingAddress and MessagingBindingProxyAddress (use whatsapp:
// addresses for WhatsApp). In a group MMS conversation an SMS participant has
// only MessagingBindingAddress, and a chat participant has an Identity and
// MessagingBindingProjectedAddress.
type ParticipantCreateParams struct {
	Identity                         string     `url:"Identity,omitempty"`
	MessagingBindingAddress          string     `url:"MessagingBinding.Address,omitempty"`
	MessagingBindingProxyAddress     string     `url:"MessagingBinding.ProxyAddress,omitempty"`
	MessagingBindingProjectedAddress string     `url:"MessagingBinding.ProjectedAddress,omitempty"`
	RoleSID                          string     `url:"RoleSid,omitempty"`
	Attributes                       Attributes `url:"Attributes,omitempty"`
	DateCreated                      time.Time  `url:"DateCreated,omitempty"`
	DateUpdated                      time.Time  `url:"DateUpdated,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

func (p *ParticipantCreateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

func (p *ParticipantCreateParams) validate() error {
	if p == nil {
		return checkParticipant("", "", "", "")
	}
	return checkParticipant(p.Identity, p.MessagingBindingAddress, p.MessagingBindingProxyAddress, p.MessagingBindingProjectedAddress)
}

// errSameAddress is returned (wrapped) when a participant's address equals
// its proxy address.
var errSameAddress = errors.New("MessagingBinding.Address must differ from MessagingBinding.ProxyAddress")

// checkParticipant is the one check of a new participant, shared by
// [ParticipantsService.Create] and [ConversationsService.CreateWithParticipants]:
// an identity, an address or a projected address is required, and an
// address must differ from its proxy address. The proxy address is
// optional: SMS participants of a group MMS conversation have an address and
// no proxy, and Twilio's group texting guide lists a participant with only a
// projected address (the group's Twilio number) as valid too.
func checkParticipant(identity, address, proxyAddress, projectedAddress string) error {
	if identity == "" && address == "" && projectedAddress == "" {
		return fmt.Errorf("%w: Identity, MessagingBinding.Address or MessagingBinding.ProjectedAddress", ErrEmptyParameter)
	}
	if address != "" && address == proxyAddress {
		return fmt.Errorf("conversations: %w", errSameAddress)
	}
	return nil
}

// ParticipantUpdateParams are the parameters of [ParticipantsService.Update].
type ParticipantUpdateParams struct {
	Identity                         string     `url:"Identity,omitempty"`
	MessagingBindingProxyAddress     string     `url:"MessagingBinding.ProxyAddress,omitempty"`
	MessagingBindingProjectedAddress string     `url:"MessagingBinding.ProjectedAddress,omitempty"`
	RoleSID                          string     `url:"RoleSid,omitempty"`
	Attributes                       Attributes `url:"Attributes,omitempty"`
	// LastReadMessageIndex marks messages read up to this index; use Ptr(0)
	// for the first message.
	LastReadMessageIndex *int `url:"LastReadMessageIndex,omitempty"`
	// LastReadTimestamp is when the participant last read; it is sent in
	// RFC 3339 form (such as 2015-12-16T22:18:38Z), as other dates are.
	LastReadTimestamp time.Time `url:"LastReadTimestamp,omitempty"`
	DateCreated       time.Time `url:"DateCreated,omitempty"`
	DateUpdated       time.Time `url:"DateUpdated,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

func (p *ParticipantUpdateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

const (
	participantListPath = "Conversations/{ConversationSid}/Participants"
	participantPath     = participantListPath + "/{Sid}"
)

// Create adds a participant to a conversation.
//
// POST /v1/Conversations/{ConversationSid}/Participants
func (s *ParticipantsService) Create(ctx context.Context, conversationSID string, params *ParticipantCreateParams) (*Participant, error) {
	return doCall[Participant](ctx, (*service)(s), http.MethodPost, "Conversations/{ConversationSid}/Participants", params, conversationSID)
}

// Fetch fetches a participant by SID or, for chat participants, by identity.
//
// GET /v1/Conversations/{ConversationSid}/Participants/{Sid}
func (s *ParticipantsService) Fetch(ctx context.Context, conversationSID, sidOrIdentity string) (*Participant, error) {
	return doCall[Participant](ctx, (*service)(s), http.MethodGet, participantPath, nil, conversationSID, sidOrIdentity)
}

// FindByAddress returns the participant whose messaging binding address is
// address (such as +15558675310 or whatsapp:+15558675310), reading the
// participant list. It returns an error matching [ErrNotFound] when none is.
func (s *ParticipantsService) FindByAddress(ctx context.Context, conversationSID, address string) (*Participant, error) {
	if address == "" {
		s.core.failed(ctx, http.MethodGet, s.prefix != "", participantListPath)
		return nil, fmt.Errorf("%w: address", ErrEmptyParameter)
	}
	for p, err := range s.List(ctx, conversationSID, &ListParams{PageSize: 100}) {
		if err != nil {
			return nil, err
		}
		if p.MessagingBinding != nil && p.MessagingBinding.Address == address {
			return p, nil
		}
	}
	// The address is left out: it is a customer's phone number.
	return nil, fmt.Errorf("%w: no participant with that address in conversation %s", ErrNotFound, conversationSID)
}

// Update updates a participant.
//
// POST /v1/Conversations/{ConversationSid}/Participants/{Sid}
func (s *ParticipantsService) Update(ctx context.Context, conversationSID, sid string, params *ParticipantUpdateParams) (*Participant, error) {
	return doCall[Participant](ctx, (*service)(s), http.MethodPost, participantPath, params, conversationSID, sid)
}

// Delete removes a participant, by SID, from a conversation.
//
// DELETE /v1/Conversations/{ConversationSid}/Participants/{Sid}
func (s *ParticipantsService) Delete(ctx context.Context, conversationSID, sid string, params *DeleteParams) error {
	return (*service)(s).call(ctx, http.MethodDelete, participantPath, params, nil, conversationSID, sid)
}

// RemoveByIdentity finds the chat participant with identity and removes it,
// returning the participant removed.
func (s *ParticipantsService) RemoveByIdentity(ctx context.Context, conversationSID, identity string, params *DeleteParams) (*Participant, error) {
	if identity == "" {
		s.core.failed(ctx, http.MethodGet, s.prefix != "", participantPath)
		return nil, fmt.Errorf("%w: identity", ErrEmptyParameter)
	}
	p, err := s.Fetch(ctx, conversationSID, identity)
	if err != nil {
		return nil, err
	}
	return p, s.Delete(ctx, conversationSID, p.SID, params)
}

// RemoveByAddress finds the participant with a messaging binding address
// (a phone number, or whatsapp:+...) and removes it, returning the
// participant removed.
func (s *ParticipantsService) RemoveByAddress(ctx context.Context, conversationSID, address string, params *DeleteParams) (*Participant, error) {
	p, err := s.FindByAddress(ctx, conversationSID, address)
	if err != nil {
		return nil, err
	}
	return p, s.Delete(ctx, conversationSID, p.SID, params)
}

// List iterates over the participants of a conversation.
//
// A page holds at most 100 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Conversations/{ConversationSid}/Participants
func (s *ParticipantsService) List(ctx context.Context, conversationSID string, params *ListParams) iter.Seq2[*Participant, error] {
	return listAll[Participant](ctx, (*service)(s), participantListPath, "participants", 100, params, conversationSID)
}

// Pager reads the participants of a conversation one page at a time.
//
// A page holds at most 100 items; params.Limit ends the list early.
func (s *ParticipantsService) Pager(conversationSID string, params *ListParams) *Pager[Participant] {
	return newPager[Participant]((*service)(s), participantListPath, "participants", 100, params, conversationSID)
}
