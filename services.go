package conversations

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// ServiceInstance is a Conversation Service: a container of
// conversations, users, roles and their configuration.
type ServiceInstance struct {
	SID          string       `json:"sid"`
	AccountSID   string       `json:"account_sid"`
	FriendlyName string       `json:"friendly_name"`
	DateCreated  time.Time    `json:"date_created"`
	DateUpdated  time.Time    `json:"date_updated"`
	URL          string       `json:"url"`
	Links        ServiceLinks `json:"links"`
}

// ServiceLinks are the URLs of a Conversation Service's sub-resources.
type ServiceLinks struct {
	Conversations                string `json:"conversations"`
	Users                        string `json:"users"`
	Roles                        string `json:"roles"`
	Bindings                     string `json:"bindings"`
	Configuration                string `json:"configuration"`
	ParticipantConversations     string `json:"participant_conversations"`
	ConversationWithParticipants string `json:"conversation_with_participants"`
}

// ServiceCreateParams are the parameters of [ServicesService.Create].
type ServiceCreateParams struct {
	// FriendlyName is the service's name (required).
	FriendlyName string `url:"FriendlyName"`
}

func (p *ServiceCreateParams) validate() error {
	return requireField(p == nil || p.FriendlyName == "", "FriendlyName")
}

// Create creates a Conversation Service.
//
// POST /v1/Services
func (s *ServicesService) Create(ctx context.Context, params *ServiceCreateParams) (*ServiceInstance, error) {
	return doCall[ServiceInstance](ctx, (*service)(s), http.MethodPost, "Services", params)
}

// Fetch fetches a Conversation Service by SID.
//
// GET /v1/Services/{Sid}
func (s *ServicesService) Fetch(ctx context.Context, sid string) (*ServiceInstance, error) {
	return doCall[ServiceInstance](ctx, (*service)(s), http.MethodGet, "Services/{Sid}", nil, sid)
}

// Delete deletes a Conversation Service and everything in it.
//
// DELETE /v1/Services/{Sid}
func (s *ServicesService) Delete(ctx context.Context, sid string) error {
	return (*service)(s).call(ctx, http.MethodDelete, "Services/{Sid}", nil, nil, sid)
}

// List iterates over the account's Conversation Services.
//
// A page holds at most 100 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Services
func (s *ServicesService) List(ctx context.Context, params *ListParams) iter.Seq2[*ServiceInstance, error] {
	return listAll[ServiceInstance](ctx, (*service)(s), "Services", "services", 100, params)
}

// Pager reads the Conversation Services one page at a time.
//
// A page holds at most 100 items; params.Limit ends the list early.
func (s *ServicesService) Pager(params *ListParams) *Pager[ServiceInstance] {
	return newPager[ServiceInstance]((*service)(s), "Services", "services", 100, params)
}
