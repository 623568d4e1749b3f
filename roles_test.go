package conversations

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testRoleSID = "RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	for _, p := range []string{"", "Service"} {
		bindOp("Create"+p+"Role", Role{}, RoleCreateParams{})
		bindOp("Update"+p+"Role", Role{}, RoleUpdateParams{})
		bindOp("Fetch"+p+"Role", Role{})
		bindOp("List"+p+"Role", Role{}, ListParams{})
		bindOp("Delete"+p+"Role", nil)
	}
	for p, r := range scopes {
		cover("Create"+p+"Role", func(ctx context.Context, c *Client) error {
			_, err := r(c).Roles.Create(ctx, &RoleCreateParams{FriendlyName: "x", Type: RoleTypeConversation, Permissions: []string{"sendMessage"}})
			return err
		})
		cover("Fetch"+p+"Role", func(ctx context.Context, c *Client) error {
			_, err := r(c).Roles.Fetch(ctx, testRoleSID)
			return err
		})
		cover("Update"+p+"Role", func(ctx context.Context, c *Client) error {
			_, err := r(c).Roles.Update(ctx, testRoleSID, &RoleUpdateParams{Permissions: []string{"sendMessage"}})
			return err
		})
		cover("Delete"+p+"Role", func(ctx context.Context, c *Client) error {
			return r(c).Roles.Delete(ctx, testRoleSID)
		})
		cover("List"+p+"Role", func(ctx context.Context, c *Client) error {
			return drain(r(c).Roles.List(ctx, nil))
		})
	}
}

var rolePermissions = []string{"sendMessage", "leaveConversation", "editOwnMessage", "deleteOwnMessage"}

func TestRoleCreate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost,
		Path:   "/v1/Roles",
		Form: url.Values{
			"FriendlyName": {"Conversation Role"},
			"Type":         {"conversation"},
			"Permission":   rolePermissions,
		},
		Status: http.StatusCreated,
		Body:   example(t, "CreateRole", "create"),
	})
	role, err := c.Roles.Create(context.Background(), &RoleCreateParams{
		FriendlyName: "Conversation Role",
		Type:         RoleTypeConversation,
		Permissions:  rolePermissions,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())

	assert.Equal(t, testRoleSID, role.SID)
	assert.Equal(t, testAccountSID, role.AccountSID)
	assert.Equal(t, serviceSID, role.ChatServiceSID)
	assert.Equal(t, "Conversation Role", role.FriendlyName)
	assert.Equal(t, RoleTypeConversation, role.Type)
	assert.Equal(t, rolePermissions, role.Permissions)
	assert.Equal(t, time.Date(2016, 3, 3, 19, 47, 15, 0, time.UTC), role.DateCreated)
	assert.Equal(t, time.Date(2016, 3, 3, 19, 47, 15, 0, time.UTC), role.DateUpdated)
	assert.Equal(t, apiBase+"/v1/Roles/"+testRoleSID, role.URL)
}

func TestRoleFetchUpdateDelete(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Roles/" + testRoleSID,
		Body: example(t, "FetchRole", "fetch"),
	})
	role, err := c.Roles.Fetch(ctx, testRoleSID)
	require.NoError(t, err)
	assert.Equal(t, testRoleSID, role.SID)
	assert.Equal(t, rolePermissions, role.Permissions)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Roles/" + testRoleSID,
		Form: url.Values{"Permission": {"sendMessage", "leaveConversation"}},
		Body: example(t, "UpdateRole", "update"),
	})
	role, err = c.Roles.Update(ctx, testRoleSID, &RoleUpdateParams{Permissions: []string{"sendMessage", "leaveConversation"}})
	require.NoError(t, err)
	assert.Equal(t, RoleTypeConversation, role.Type)

	c, mt = newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Roles/" + testRoleSID,
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Roles.Delete(ctx, testRoleSID))
	assert.EqualValues(t, 1, n.Load())
}

func TestRoleList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Roles",
		Query: url.Values{"PageSize": {"50"}},
		Body:  example(t, "ListRole", "readFull"),
	})
	roles, err := collect(c.Roles.List(context.Background(), &ListParams{PageSize: 1000}))
	require.NoError(t, err)
	want := decodeExample(t, "ListRole", "readFull")["roles"].([]any)
	require.Len(t, roles, len(want))
	assert.Equal(t, want[0].(map[string]any)["sid"], roles[0].SID)
	assert.Equal(t, RoleTypeConversation, roles[0].Type)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Roles",
		Body: example(t, "ListRole", "readEmpty"),
	})
	p := c.Roles.Pager(nil)
	page, err := p.Next(context.Background())
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, "roles", page.Meta.Key)
	assert.False(t, p.More())
}

func TestRoleScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	svc := c.Service(serviceSID)
	base := "/v1/Services/" + serviceSID + "/Roles"
	expect(t, mt, call{
		Method: http.MethodPost, Path: base,
		Form:   url.Values{"FriendlyName": {"Service Role"}, "Type": {"service"}, "Permission": {"createConversation"}},
		Status: http.StatusCreated, Body: example(t, "CreateServiceRole", "create"),
	})
	expect(t, mt, call{
		Method: http.MethodGet, Path: base + "/" + testRoleSID,
		Body: example(t, "FetchServiceRole", "fetch"),
	})
	expect(t, mt, call{
		Method: http.MethodGet, Path: base, Query: url.Values{"PageSize": {"10"}},
		Body: example(t, "ListServiceRole", "readFull"),
	})
	expect(t, mt, call{Method: http.MethodDelete, Path: base + "/" + testRoleSID, Status: http.StatusNoContent})

	role, err := svc.Roles.Create(ctx, &RoleCreateParams{FriendlyName: "Service Role", Type: RoleTypeService, Permissions: []string{"createConversation"}})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, role.ChatServiceSID)
	role, err = svc.Roles.Fetch(ctx, testRoleSID)
	require.NoError(t, err)
	assert.Equal(t, testRoleSID, role.SID)
	roles, err := collect(svc.Roles.List(ctx, &ListParams{PageSize: 10}))
	require.NoError(t, err)
	assert.NotEmpty(t, roles)
	require.NoError(t, svc.Roles.Delete(ctx, testRoleSID))
	assert.Equal(t, 4, mt.GetTotalCallCount())
}

func TestRoleBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	perms := []string{"sendMessage"}
	for _, tc := range []struct {
		params *RoleCreateParams
		field  string
	}{
		{nil, "FriendlyName"},
		{&RoleCreateParams{Type: RoleTypeService, Permissions: perms}, "FriendlyName"},
		{&RoleCreateParams{FriendlyName: "r", Permissions: perms}, "Type"},
		{&RoleCreateParams{FriendlyName: "r", Type: RoleTypeService}, "Permission"},
		{&RoleCreateParams{FriendlyName: "r", Type: RoleTypeService, Permissions: []string{"sendMessage", ""}}, "Permission[1]"},
	} {
		_, err := c.Roles.Create(ctx, tc.params)
		assert.ErrorIs(t, err, ErrEmptyParameter, tc.field)
		assert.ErrorContains(t, err, tc.field)
	}
	_, err := c.Roles.Create(ctx, &RoleCreateParams{FriendlyName: "r", Type: "admin", Permissions: perms})
	assert.ErrorContains(t, err, `"admin"`)
	_, err = c.Roles.Update(ctx, testRoleSID, nil)
	assert.ErrorContains(t, err, "Permission")
	_, err = c.Roles.Update(ctx, testRoleSID, &RoleUpdateParams{})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Roles.Update(ctx, "", &RoleUpdateParams{Permissions: perms})
	assert.ErrorContains(t, err, "Sid")
	_, err = c.Roles.Fetch(ctx, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Roles.Delete(ctx, ""), ErrEmptyParameter)
	_, err = c.Service("").Roles.Fetch(ctx, testRoleSID)
	assert.ErrorContains(t, err, "ChatServiceSid")
	_, err = c.Roles.Pager(&ListParams{PageSize: -1}).Next(ctx)
	assert.ErrorContains(t, err, "PageSize")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
