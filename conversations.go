package conversations

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Conversation is a conversation: a thread of messages between participants
// on chat, SMS and WhatsApp.
type Conversation struct {
	SID                 string               `json:"sid"`
	AccountSID          string               `json:"account_sid"`
	ChatServiceSID      string               `json:"chat_service_sid"`
	MessagingServiceSID string               `json:"messaging_service_sid"`
	FriendlyName        string               `json:"friendly_name"`
	UniqueName          string               `json:"unique_name"`
	Attributes          Attributes           `json:"attributes"`
	State               ConversationState    `json:"state"`
	DateCreated         time.Time            `json:"date_created"`
	DateUpdated         time.Time            `json:"date_updated"`
	Timers              ConversationTimers   `json:"timers"`
	Bindings            ConversationBindings `json:"bindings"`
	URL                 string               `json:"url"`
	Links               ConversationLinks    `json:"links"`
}

// ConversationTimers are the times at which a conversation's timers will move
// it to inactive and to closed; zero when a timer is not set.
type ConversationTimers struct {
	DateInactive time.Time `json:"date_inactive"`
	DateClosed   time.Time `json:"date_closed"`
}

// ConversationBindings are a conversation's channel bindings, such as its
// default email sender.
type ConversationBindings struct {
	Email *EmailBinding `json:"email,omitempty"`
}

// EmailBinding is a conversation's email binding.
type EmailBinding struct {
	ProjectedAddress string `json:"projected_address"`
	Name             string `json:"name"`
}

// ConversationLinks are the URLs of a conversation's sub-resources.
type ConversationLinks struct {
	Participants string `json:"participants"`
	Messages     string `json:"messages"`
	Webhooks     string `json:"webhooks"`
	Export       string `json:"export"`
}

// ConversationCreateParams are the parameters of [ConversationsService.Create];
// unset fields are not sent.
type ConversationCreateParams struct {
	FriendlyName string `url:"FriendlyName,omitempty"`
	// UniqueName can be used in place of the SID in every call; it must not
	// look like a conversation SID.
	UniqueName          string            `url:"UniqueName,omitempty"`
	Attributes          Attributes        `url:"Attributes,omitempty"`
	MessagingServiceSID string            `url:"MessagingServiceSid,omitempty"`
	State               ConversationState `url:"State,omitempty"`
	// Timers sets the inactive and closed timers. Twilio refuses them
	// without a State (error 50382); Create checks this before sending.
	Timers Timers `url:"Timers,omitempty"`
	// DateCreated and DateUpdated override the dates, for imports.
	DateCreated          time.Time `url:"DateCreated,omitempty"`
	DateUpdated          time.Time `url:"DateUpdated,omitempty"`
	BindingsEmailAddress string    `url:"Bindings.Email.Address,omitempty"`
	BindingsEmailName    string    `url:"Bindings.Email.Name,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

func (p *ConversationCreateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

// ConversationUpdateParams are the parameters of [ConversationsService.Update];
// unset fields are not changed.
type ConversationUpdateParams struct {
	FriendlyName string `url:"FriendlyName,omitempty"`
	// UniqueName can be used in place of the SID in every call; it must not
	// look like a conversation SID.
	UniqueName          string            `url:"UniqueName,omitempty"`
	Attributes          Attributes        `url:"Attributes,omitempty"`
	MessagingServiceSID string            `url:"MessagingServiceSid,omitempty"`
	State               ConversationState `url:"State,omitempty"`
	// Timers sets the inactive and closed timers.
	Timers Timers `url:"Timers,omitempty"`
	// DateCreated and DateUpdated override the dates, for imports.
	DateCreated          time.Time `url:"DateCreated,omitempty"`
	DateUpdated          time.Time `url:"DateUpdated,omitempty"`
	BindingsEmailAddress string    `url:"Bindings.Email.Address,omitempty"`
	BindingsEmailName    string    `url:"Bindings.Email.Name,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

func (p *ConversationUpdateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

// ConversationCloseParams are the optional parameters of
// [ConversationsService.Close].
type ConversationCloseParams struct {
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true, so that closing
	// triggers the configured post-event webhooks (onConversationStateUpdated).
	WebhookEnabled bool `url:"-"`
}

// ConversationListParams filter [ConversationsService.List]. With a date
// filter Twilio returns the newest conversations first.
type ConversationListParams struct {
	// StartDate keeps conversations created on or after it; Twilio expects
	// the start of a day in UTC. Like every date it is sent in UTC.
	StartDate time.Time `url:"StartDate,omitempty"`
	// EndDate keeps conversations created on or before it; Twilio expects
	// the end of a day in UTC (23:59:59).
	EndDate time.Time         `url:"EndDate,omitempty"`
	State   ConversationState `url:"State,omitempty"`
	// PageSize is how many items one request asks for, clamped to the
	// list's maximum (in its List method's doc). Zero means Limit when that
	// is set, Twilio's default (50) otherwise. It does not limit the items
	// returned: Limit does.
	PageSize int `url:"PageSize,omitempty"`
	// Limit is the most items the list returns, over all pages: it stops
	// fetching once Limit items arrived. Zero means every item.
	Limit int `url:"-"`
}

// checkCreate applies the rules of a create to p: Twilio refuses timers
// without a State (error 50382).
func (p *ConversationCreateParams) checkCreate() error {
	if p == nil || p.Timers.IsZero() {
		return nil
	}
	if err := p.Timers.EncodeValues("Timers", &url.Values{}); err != nil {
		return err
	}
	if p.State == "" {
		return fmt.Errorf("%w: State (Twilio refuses Timers on create without a State, error 50382)", ErrEmptyParameter)
	}
	return nil
}

// Create creates a conversation. With Timers it requires a State.
//
// POST /v1/Conversations
func (s *ConversationsService) Create(ctx context.Context, params *ConversationCreateParams) (*Conversation, error) {
	if err := params.checkCreate(); err != nil {
		s.core.failed(ctx, http.MethodPost, s.prefix != "", "Conversations")
		return nil, err
	}
	return doCall[Conversation](ctx, (*service)(s), http.MethodPost, "Conversations", params)
}

// Fetch fetches a conversation by SID or unique name.
//
// GET /v1/Conversations/{Sid}
func (s *ConversationsService) Fetch(ctx context.Context, sid string) (*Conversation, error) {
	return doCall[Conversation](ctx, (*service)(s), http.MethodGet, "Conversations/{Sid}", nil, sid)
}

// Update updates a conversation, identified by SID or unique name. A closed
// conversation cannot be updated (error 50377).
//
// POST /v1/Conversations/{Sid}
func (s *ConversationsService) Update(ctx context.Context, sid string, params *ConversationUpdateParams) (*Conversation, error) {
	return doCall[Conversation](ctx, (*service)(s), http.MethodPost, "Conversations/{Sid}", params, sid)
}

// Close moves a conversation to the closed state, for good. params may be
// nil.
//
// POST /v1/Conversations/{Sid} with State=closed
func (s *ConversationsService) Close(ctx context.Context, sid string, params *ConversationCloseParams) (*Conversation, error) {
	return s.Update(ctx, sid, &ConversationUpdateParams{State: StateClosed, WebhookEnabled: params != nil && params.WebhookEnabled})
}

// Delete deletes a conversation with its participants and messages.
//
// DELETE /v1/Conversations/{Sid}
func (s *ConversationsService) Delete(ctx context.Context, sid string, params *DeleteParams) error {
	return (*service)(s).call(ctx, http.MethodDelete, "Conversations/{Sid}", params, nil, sid)
}

// List iterates over conversations, optionally filtered by state and dates.
//
// A page holds at most 100 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Conversations
func (s *ConversationsService) List(ctx context.Context, params *ConversationListParams) iter.Seq2[*Conversation, error] {
	return listAll[Conversation](ctx, (*service)(s), "Conversations", "conversations", 100, params)
}

// Pager reads conversations one page at a time.
//
// A page holds at most 100 items; params.Limit ends the list early.
func (s *ConversationsService) Pager(params *ConversationListParams) *Pager[Conversation] {
	return newPager[Conversation]((*service)(s), "Conversations", "conversations", 100, params)
}
