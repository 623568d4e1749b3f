package conversations

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"time"
)

// Binding is a push notification binding: a device endpoint of a user that
// receives push notifications through a push credential.
type Binding struct {
	SID            string `json:"sid"`
	AccountSID     string `json:"account_sid"`
	ChatServiceSID string `json:"chat_service_sid"`
	CredentialSID  string `json:"credential_sid"`
	// Endpoint is the device endpoint, as set by the SDK.
	Endpoint    string      `json:"endpoint"`
	Identity    string      `json:"identity"`
	BindingType BindingType `json:"binding_type"`
	// MessageTypes are the notification types the binding receives, such as
	// new_message, added_to_conversation and removed_from_conversation.
	MessageTypes []string  `json:"message_types"`
	DateCreated  time.Time `json:"date_created"`
	DateUpdated  time.Time `json:"date_updated"`
	URL          string    `json:"url"`
}

// BindingListParams filter [BindingsService.List]; each value of a filter is
// sent as its own query parameter.
type BindingListParams struct {
	BindingTypes []BindingType `url:"BindingType,omitempty"`
	Identities   []string      `url:"Identity,omitempty"`
	// PageSize is how many items one request asks for, clamped to the
	// list's maximum (in its List method's doc). Zero means Limit when that
	// is set, Twilio's default (50) otherwise. It does not limit the items
	// returned: Limit does.
	PageSize int `url:"PageSize,omitempty"`
	// Limit is the most items the list returns, over all pages: it stops
	// fetching once Limit items arrived. Zero means every item.
	Limit int `url:"-"`
}

func (p *BindingListParams) validate() error {
	if p == nil {
		return nil
	}
	for _, t := range p.BindingTypes {
		switch t {
		case BindingAPN, BindingGCM, BindingFCM, BindingTwilsock:
		default:
			return fmt.Errorf("conversations: invalid BindingType %q", t)
		}
	}
	for i, id := range p.Identities {
		if id == "" {
			return fmt.Errorf("%w: Identity[%d]", ErrEmptyParameter, i)
		}
	}
	return nil
}

const bindingPath = "Bindings/{Sid}"

// Fetch fetches a push binding by SID.
//
// GET /v1/Services/{ChatServiceSid}/Bindings/{Sid}
func (s *BindingsService) Fetch(ctx context.Context, sid string) (*Binding, error) {
	return doCall[Binding](ctx, (*service)(s), http.MethodGet, bindingPath, nil, sid)
}

// Delete deletes a push binding; the device stops receiving notifications.
//
// DELETE /v1/Services/{ChatServiceSid}/Bindings/{Sid}
func (s *BindingsService) Delete(ctx context.Context, sid string) error {
	return (*service)(s).call(ctx, http.MethodDelete, bindingPath, nil, nil, sid)
}

// List iterates over the push bindings of the service, optionally filtered
// by binding type and identity.
//
// A page holds at most 100 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Services/{ChatServiceSid}/Bindings
func (s *BindingsService) List(ctx context.Context, params *BindingListParams) iter.Seq2[*Binding, error] {
	return listAll[Binding](ctx, (*service)(s), "Bindings", "bindings", 100, params)
}

// Pager reads the push bindings of the service one page at a time.
//
// A page holds at most 100 items; params.Limit ends the list early.
func (s *BindingsService) Pager(params *BindingListParams) *Pager[Binding] {
	return newPager[Binding]((*service)(s), "Bindings", "bindings", 100, params)
}
