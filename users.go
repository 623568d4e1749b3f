package conversations

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// User is a chat user of a Conversation Service, known by its identity.
type User struct {
	SID            string     `json:"sid"`
	AccountSID     string     `json:"account_sid"`
	ChatServiceSID string     `json:"chat_service_sid"`
	RoleSID        string     `json:"role_sid"`
	Identity       string     `json:"identity"`
	FriendlyName   string     `json:"friendly_name"`
	Attributes     Attributes `json:"attributes"`
	// IsOnline reports whether the user has an active SDK connection; nil
	// when the service's Reachability Indicator is off.
	IsOnline *bool `json:"is_online"`
	// IsNotifiable reports whether the user has a push binding that can be
	// notified; nil when the service's Reachability Indicator is off.
	IsNotifiable *bool     `json:"is_notifiable"`
	DateCreated  time.Time `json:"date_created"`
	DateUpdated  time.Time `json:"date_updated"`
	URL          string    `json:"url"`
	Links        UserLinks `json:"links"`
}

// UserLinks are the URLs of a user's sub-resources.
type UserLinks struct {
	UserConversations string `json:"user_conversations"`
}

// UserCreateParams are the parameters of [UsersService.Create].
type UserCreateParams struct {
	// Identity is the user's identity, as in its Access Tokens (required).
	Identity     string     `url:"Identity,omitempty"`
	FriendlyName string     `url:"FriendlyName,omitempty"`
	Attributes   Attributes `url:"Attributes,omitempty"`
	// RoleSID is the user's service-level role; the service default if unset.
	RoleSID string `url:"RoleSid,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

func (p *UserCreateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

func (p *UserCreateParams) validate() error {
	return requireField(p == nil || p.Identity == "", "Identity")
}

// UserUpdateParams are the parameters of [UsersService.Update]; unset fields
// are not sent.
type UserUpdateParams struct {
	FriendlyName string     `url:"FriendlyName,omitempty"`
	Attributes   Attributes `url:"Attributes,omitempty"`
	RoleSID      string     `url:"RoleSid,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

func (p *UserUpdateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

const userPath = "Users/{Sid}"

// Create creates a user.
//
// POST /v1/Users
func (s *UsersService) Create(ctx context.Context, params *UserCreateParams) (*User, error) {
	return doCall[User](ctx, (*service)(s), http.MethodPost, "Users", params)
}

// Fetch fetches a user by SID or identity.
//
// GET /v1/Users/{Sid}
func (s *UsersService) Fetch(ctx context.Context, sidOrIdentity string) (*User, error) {
	return doCall[User](ctx, (*service)(s), http.MethodGet, userPath, nil, sidOrIdentity)
}

// Update updates a user, identified by SID or identity.
//
// POST /v1/Users/{Sid}
func (s *UsersService) Update(ctx context.Context, sidOrIdentity string, params *UserUpdateParams) (*User, error) {
	return doCall[User](ctx, (*service)(s), http.MethodPost, userPath, params, sidOrIdentity)
}

// Delete deletes a user, identified by SID or identity.
//
// DELETE /v1/Users/{Sid}
func (s *UsersService) Delete(ctx context.Context, sidOrIdentity string, params *DeleteParams) error {
	return (*service)(s).call(ctx, http.MethodDelete, userPath, params, nil, sidOrIdentity)
}

// List iterates over the users.
//
// A page holds at most 50 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Users
func (s *UsersService) List(ctx context.Context, params *ListParams) iter.Seq2[*User, error] {
	return listAll[User](ctx, (*service)(s), "Users", "users", 50, params)
}

// Pager reads the users one page at a time.
//
// A page holds at most 50 items; params.Limit ends the list early.
func (s *UsersService) Pager(params *ListParams) *Pager[User] {
	return newPager[User]((*service)(s), "Users", "users", 50, params)
}
