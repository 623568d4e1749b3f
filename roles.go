package conversations

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"time"
)

// Role is a set of permissions given to users, either within the
// conversations they take part in or across the whole Conversation Service.
type Role struct {
	SID            string   `json:"sid"`
	AccountSID     string   `json:"account_sid"`
	ChatServiceSID string   `json:"chat_service_sid"`
	FriendlyName   string   `json:"friendly_name"`
	Type           RoleType `json:"type"`
	// Permissions are the role's permission names, such as sendMessage or
	// leaveConversation.
	Permissions []string  `json:"permissions"`
	DateCreated time.Time `json:"date_created"`
	DateUpdated time.Time `json:"date_updated"`
	URL         string    `json:"url"`
}

// RoleCreateParams are the parameters of [RolesService.Create]; every field is
// required.
type RoleCreateParams struct {
	FriendlyName string   `url:"FriendlyName,omitempty"`
	Type         RoleType `url:"Type,omitempty"`
	// Permissions are the permission names the role grants; each is sent as
	// its own Permission value.
	Permissions []string `url:"Permission,omitempty"`
}

func (p *RoleCreateParams) validate() error {
	if p == nil {
		return requireField(true, "FriendlyName")
	}
	if err := requireField(p.FriendlyName == "", "FriendlyName"); err != nil {
		return err
	}
	if err := requireField(p.Type == "", "Type"); err != nil {
		return err
	}
	if p.Type != RoleTypeConversation && p.Type != RoleTypeService {
		return fmt.Errorf("conversations: invalid role Type %q", p.Type)
	}
	return validatePermissions(p.Permissions)
}

// RoleUpdateParams are the parameters of [RolesService.Update].
type RoleUpdateParams struct {
	// Permissions replace all of the role's permissions (required).
	Permissions []string `url:"Permission,omitempty"`
}

func (p *RoleUpdateParams) validate() error {
	if p == nil {
		return requireField(true, "Permission")
	}
	return validatePermissions(p.Permissions)
}

func validatePermissions(perms []string) error {
	if err := requireField(len(perms) == 0, "Permission"); err != nil {
		return err
	}
	for i, p := range perms {
		if p == "" {
			return fmt.Errorf("%w: Permission[%d]", ErrEmptyParameter, i)
		}
	}
	return nil
}

const rolePath = "Roles/{Sid}"

// Create creates a role.
//
// POST /v1/Roles
func (s *RolesService) Create(ctx context.Context, params *RoleCreateParams) (*Role, error) {
	return doCall[Role](ctx, (*service)(s), http.MethodPost, "Roles", params)
}

// Fetch fetches a role by SID.
//
// GET /v1/Roles/{Sid}
func (s *RolesService) Fetch(ctx context.Context, sid string) (*Role, error) {
	return doCall[Role](ctx, (*service)(s), http.MethodGet, rolePath, nil, sid)
}

// Update replaces the permissions of a role.
//
// POST /v1/Roles/{Sid}
func (s *RolesService) Update(ctx context.Context, sid string, params *RoleUpdateParams) (*Role, error) {
	return doCall[Role](ctx, (*service)(s), http.MethodPost, rolePath, params, sid)
}

// Delete deletes a role.
//
// DELETE /v1/Roles/{Sid}
func (s *RolesService) Delete(ctx context.Context, sid string) error {
	return (*service)(s).call(ctx, http.MethodDelete, rolePath, nil, nil, sid)
}

// List iterates over the roles.
//
// A page holds at most 50 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Roles
func (s *RolesService) List(ctx context.Context, params *ListParams) iter.Seq2[*Role, error] {
	return listAll[Role](ctx, (*service)(s), "Roles", "roles", 50, params)
}

// Pager reads the roles one page at a time.
//
// A page holds at most 50 items; params.Limit ends the list early.
func (s *RolesService) Pager(params *ListParams) *Pager[Role] {
	return newPager[Role]((*service)(s), "Roles", "roles", 50, params)
}
