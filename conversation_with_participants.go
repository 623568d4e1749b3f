package conversations

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// MaxNewParticipants is the most participants
// [ConversationsService.CreateWithParticipants] adds in one request.
const MaxNewParticipants = 10

// NewParticipant is a participant added by
// [ConversationsService.CreateWithParticipants]. A chat participant has an
// Identity; an SMS or WhatsApp participant has MessagingBindingAddress and
// MessagingBindingProxyAddress. In a group MMS conversation an SMS
// participant has only MessagingBindingAddress (no proxy), and a chat
// participant has an Identity and MessagingBindingProjectedAddress.
type NewParticipant struct {
	Identity                         string
	MessagingBindingAddress          string
	MessagingBindingProxyAddress     string
	MessagingBindingProjectedAddress string
	// RoleSID is a conversation-level role (RL...).
	RoleSID    string
	Attributes Attributes
}

// MarshalJSON encodes the participant as the JSON object Twilio takes in a
// Participant parameter, such as
// {"messaging_binding":{"address":"+15558675310","proxy_address":"+15017122661"}}.
func (p NewParticipant) MarshalJSON() ([]byte, error) {
	type binding struct {
		Address          string `json:"address,omitempty"`
		ProxyAddress     string `json:"proxy_address,omitempty"`
		ProjectedAddress string `json:"projected_address,omitempty"`
	}
	out := struct {
		Identity         string     `json:"identity,omitempty"`
		MessagingBinding *binding   `json:"messaging_binding,omitempty"`
		RoleSID          string     `json:"role_sid,omitempty"`
		Attributes       Attributes `json:"attributes,omitzero"`
	}{Identity: p.Identity, RoleSID: p.RoleSID, Attributes: p.Attributes}
	if b := (binding{p.MessagingBindingAddress, p.MessagingBindingProxyAddress, p.MessagingBindingProjectedAddress}); b != (binding{}) {
		out.MessagingBinding = &b
	}
	return json.Marshal(out)
}

func (p *NewParticipant) validate() error {
	return checkParticipant(p.Identity, p.MessagingBindingAddress, p.MessagingBindingProxyAddress, p.MessagingBindingProjectedAddress)
}

// NewParticipants are the participants of
// [ConversationsService.CreateWithParticipants], sent as one Participant
// form value (a JSON object) each, in order. A []NewParticipant literal can
// be assigned to it.
type NewParticipants []NewParticipant

// EncodeValues implements the go-querystring Encoder interface.
func (ps NewParticipants) EncodeValues(key string, v *url.Values) error {
	for i, p := range ps {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("conversations: %s[%d]: %w", key, i, err)
		}
		v.Add(key, string(b))
	}
	return nil
}

// ConversationWithParticipantsCreateParams are the parameters of
// [ConversationsService.CreateWithParticipants]: those of a new conversation
// plus up to [MaxNewParticipants] participants.
type ConversationWithParticipantsCreateParams struct {
	ConversationCreateParams
	// Participants are added to the conversation, at most 10.
	Participants NewParticipants `url:"Participant,omitempty"`
}

func (p *ConversationWithParticipantsCreateParams) webhookEnabled() bool {
	return p != nil && p.WebhookEnabled
}

func (p *ConversationWithParticipantsCreateParams) validate() error {
	if p == nil {
		return nil
	}
	if err := p.ConversationCreateParams.checkCreate(); err != nil {
		return err
	}
	if len(p.Participants) > MaxNewParticipants {
		return fmt.Errorf("conversations: Participant: %d participants, at most %d are allowed", len(p.Participants), MaxNewParticipants)
	}
	for i := range p.Participants {
		if err := p.Participants[i].validate(); err != nil {
			// err has the conversations: prefix already.
			return fmt.Errorf("%w (in Participant[%d])", err, i)
		}
	}
	return nil
}

// CreateWithParticipants creates a conversation and adds participants to it
// in one request. The conversation starts in the initializing state and
// becomes active once its participants are added; Twilio answers 201 or 202.
//
// POST /v1/ConversationWithParticipants
func (s *ConversationsService) CreateWithParticipants(ctx context.Context, params *ConversationWithParticipantsCreateParams) (*Conversation, error) {
	return doCall[Conversation](ctx, (*service)(s), http.MethodPost, "ConversationWithParticipants", params)
}
