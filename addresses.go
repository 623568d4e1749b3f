package conversations

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
)

// AddressConfiguration is an address configuration: it makes an inbound
// message to an address (a phone number, WhatsApp sender, email address...)
// that is in no conversation create one, and optionally a webhook or Studio
// flow for it.
type AddressConfiguration struct {
	SID        string `json:"sid"`
	AccountSID string `json:"account_sid"`
	// Type is the channel, as Twilio reports it.
	Type           AddressType         `json:"type"`
	Address        string              `json:"address"`
	FriendlyName   string              `json:"friendly_name"`
	AddressCountry string              `json:"address_country"`
	AutoCreation   AddressAutoCreation `json:"auto_creation"`
	DateCreated    time.Time           `json:"date_created"`
	DateUpdated    time.Time           `json:"date_updated"`
	URL            string              `json:"url"`
}

// AddressAutoCreation is what an address configuration creates for an
// inbound message. Which fields are set depends on Type.
type AddressAutoCreation struct {
	Enabled                bool             `json:"enabled"`
	Type                   AutoCreationType `json:"type"`
	ConversationServiceSID string           `json:"conversation_service_sid"`
	// WebhookURL, WebhookMethod and WebhookFilters are set for the webhook
	// type.
	WebhookURL     string        `json:"webhook_url"`
	WebhookMethod  WebhookMethod `json:"webhook_method"`
	WebhookFilters []EventType   `json:"webhook_filters"`
	// StudioFlowSID and StudioRetryCount are set for the studio type.
	StudioFlowSID    string `json:"studio_flow_sid"`
	StudioRetryCount int    `json:"studio_retry_count"`
}

// AddressAutoCreationParams are the AutoCreation.* parameters of an address
// configuration, the AutoCreation field of [AddressCreateParams] and
// [AddressUpdateParams]; unset fields are not sent.
type AddressAutoCreationParams struct {
	// Enabled turns auto-creation on or off (AutoCreation.Enabled).
	Enabled *bool            `url:"AutoCreation.Enabled,omitempty"`
	Type    AutoCreationType `url:"AutoCreation.Type,omitempty"`
	// ConversationServiceSID is the Conversation Service (IS...) that
	// conversations are created in.
	ConversationServiceSID string `url:"AutoCreation.ConversationServiceSid,omitempty"`
	// WebhookURL, WebhookMethod and WebhookFilters configure the
	// conversation-scoped webhook of the webhook type.
	WebhookURL     string        `url:"AutoCreation.WebhookUrl,omitempty"`
	WebhookMethod  WebhookMethod `url:"AutoCreation.WebhookMethod,omitempty"`
	WebhookFilters []EventType   `url:"AutoCreation.WebhookFilters,omitempty"`
	// StudioFlowSID (FW...) and StudioRetryCount configure the studio type.
	StudioFlowSID    string `url:"AutoCreation.StudioFlowSid,omitempty"`
	StudioRetryCount *int   `url:"AutoCreation.StudioRetryCount,omitempty"`
}

// EncodeValues implements the go-querystring Encoder interface: the fields
// are sent under their own names (AutoCreation.Enabled, ...), whatever key.
func (p AddressAutoCreationParams) EncodeValues(_ string, v *url.Values) error {
	vals, err := query.Values(p)
	if err != nil {
		if strings.HasPrefix(err.Error(), "conversations: ") {
			return err
		}
		return fmt.Errorf("conversations: AutoCreation: %w", err)
	}
	for k, vs := range vals {
		(*v)[k] = vs
	}
	return nil
}

func (AddressAutoCreationParams) wireKeys(string) []string {
	var keys []string
	t := reflect.TypeOf(AddressAutoCreationParams{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("url"), ",")
		keys = append(keys, name)
	}
	return keys
}

func (p *AddressAutoCreationParams) validate() error {
	if p.StudioRetryCount != nil && *p.StudioRetryCount < 0 {
		return fmt.Errorf("conversations: AutoCreation.StudioRetryCount: %d is negative", *p.StudioRetryCount)
	}
	return nil
}

// AddressCreateParams are the parameters of [AddressesService.Create].
type AddressCreateParams struct {
	// Type is the channel of the address (required).
	Type AddressType `url:"Type"`
	// Address is the address itself (required), such as +15017122661,
	// whatsapp:+15017122661 or support@example.com.
	Address      string `url:"Address"`
	FriendlyName string `url:"FriendlyName,omitempty"`
	// AddressCountry is the ISO country code of the address.
	AddressCountry string `url:"AddressCountry,omitempty"`
	// AutoCreation configures what an inbound message creates.
	AutoCreation AddressAutoCreationParams `url:"AutoCreation"`
}

func (p *AddressCreateParams) validate() error {
	if p == nil {
		return requireField(true, "Type")
	}
	if err := requireField(p.Type == "", "Type"); err != nil {
		return err
	}
	if err := requireField(p.Address == "", "Address"); err != nil {
		return err
	}
	return p.AutoCreation.validate()
}

// AddressUpdateParams are the parameters of [AddressesService.Update];
// unset fields are not changed.
type AddressUpdateParams struct {
	FriendlyName string `url:"FriendlyName,omitempty"`
	// AutoCreation changes what an inbound message creates.
	AutoCreation AddressAutoCreationParams `url:"AutoCreation"`
}

func (p *AddressUpdateParams) validate() error {
	if p == nil {
		return nil
	}
	return p.AutoCreation.validate()
}

// AddressListParams filter [AddressesService.List].
type AddressListParams struct {
	// Type keeps the address configurations of one channel.
	Type AddressType `url:"Type,omitempty"`
	// PageSize is how many items one request asks for, clamped to the
	// list's maximum (in its List method's doc). Zero means Limit when that
	// is set, Twilio's default (50) otherwise. It does not limit the items
	// returned: Limit does.
	PageSize int `url:"PageSize,omitempty"`
	// Limit is the most items the list returns, over all pages: it stops
	// fetching once Limit items arrived. Zero means every item.
	Limit int `url:"-"`
}

// Create creates an address configuration.
//
// POST /v1/Configuration/Addresses
func (s *AddressesService) Create(ctx context.Context, params *AddressCreateParams) (*AddressConfiguration, error) {
	return doCall[AddressConfiguration](ctx, (*service)(s), http.MethodPost, "Configuration/Addresses", params)
}

// Fetch fetches an address configuration by SID (IG...) or by address.
//
// GET /v1/Configuration/Addresses/{Sid}
func (s *AddressesService) Fetch(ctx context.Context, sid string) (*AddressConfiguration, error) {
	return doCall[AddressConfiguration](ctx, (*service)(s), http.MethodGet, "Configuration/Addresses/{Sid}", nil, sid)
}

// Update updates an address configuration.
//
// POST /v1/Configuration/Addresses/{Sid}
func (s *AddressesService) Update(ctx context.Context, sid string, params *AddressUpdateParams) (*AddressConfiguration, error) {
	return doCall[AddressConfiguration](ctx, (*service)(s), http.MethodPost, "Configuration/Addresses/{Sid}", params, sid)
}

// Delete deletes an address configuration.
//
// DELETE /v1/Configuration/Addresses/{Sid}
func (s *AddressesService) Delete(ctx context.Context, sid string) error {
	return (*service)(s).call(ctx, http.MethodDelete, "Configuration/Addresses/{Sid}", nil, nil, sid)
}

// List iterates over the account's address configurations, optionally of
// one channel.
//
// A page holds at most 50 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Configuration/Addresses
func (s *AddressesService) List(ctx context.Context, params *AddressListParams) iter.Seq2[*AddressConfiguration, error] {
	return listAll[AddressConfiguration](ctx, (*service)(s), "Configuration/Addresses", "address_configurations", 50, params)
}

// Pager reads the address configurations one page at a time.
//
// A page holds at most 50 items; params.Limit ends the list early.
func (s *AddressesService) Pager(params *AddressListParams) *Pager[AddressConfiguration] {
	return newPager[AddressConfiguration]((*service)(s), "Configuration/Addresses", "address_configurations", 50, params)
}
