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

const testUserSID = "USaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	for _, p := range []string{"", "Service"} {
		bindOp("Create"+p+"User", User{}, UserCreateParams{})
		bindOp("Update"+p+"User", User{}, UserUpdateParams{})
		bindOp("Fetch"+p+"User", User{})
		bindOp("List"+p+"User", User{}, ListParams{})
		bindOp("Delete"+p+"User", nil, DeleteParams{})
	}
	for p, r := range scopes {
		cover("Create"+p+"User", func(ctx context.Context, c *Client) error {
			_, err := r(c).Users.Create(ctx, &UserCreateParams{Identity: "alice"})
			return err
		})
		cover("Fetch"+p+"User", func(ctx context.Context, c *Client) error {
			_, err := r(c).Users.Fetch(ctx, testUserSID)
			return err
		})
		cover("Update"+p+"User", func(ctx context.Context, c *Client) error {
			_, err := r(c).Users.Update(ctx, testUserSID, &UserUpdateParams{FriendlyName: "y"})
			return err
		})
		cover("Delete"+p+"User", func(ctx context.Context, c *Client) error {
			return r(c).Users.Delete(ctx, testUserSID, nil)
		})
		cover("List"+p+"User", func(ctx context.Context, c *Client) error {
			return drain(r(c).Users.List(ctx, nil))
		})
	}
}

func TestUserCreate(t *testing.T) {
	c, mt := newTestClient(t)
	attrs, err := ParseAttributes(`{"duty":"tech"}`)
	require.NoError(t, err)
	n := expect(t, mt, call{
		Method: http.MethodPost,
		Path:   "/v1/Users",
		Form: url.Values{
			"Identity":     {"admin"},
			"FriendlyName": {"name"},
			"Attributes":   {`{"duty":"tech"}`},
			"RoleSid":      {testRoleSID},
		},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusCreated,
		Body:   example(t, "CreateUser", "create"),
	})
	user, err := c.Users.Create(context.Background(), &UserCreateParams{
		Identity:       "admin",
		FriendlyName:   "name",
		Attributes:     attrs,
		RoleSID:        testRoleSID,
		WebhookEnabled: true,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())

	assert.Equal(t, testUserSID, user.SID)
	assert.Equal(t, testAccountSID, user.AccountSID)
	assert.Equal(t, serviceSID, user.ChatServiceSID)
	assert.Equal(t, testRoleSID, user.RoleSID)
	assert.Equal(t, "admin", user.Identity)
	assert.Equal(t, "name", user.FriendlyName)
	duty, err := DecodeAttributes[map[string]string](user.Attributes)
	require.NoError(t, err)
	assert.Equal(t, "tech", duty["duty"])
	require.NotNil(t, user.IsOnline)
	assert.True(t, *user.IsOnline)
	assert.Nil(t, user.IsNotifiable, "null is_notifiable stays nil")
	assert.Equal(t, time.Date(2019, 12, 16, 22, 18, 37, 0, time.UTC), user.DateCreated)
	assert.Equal(t, time.Date(2019, 12, 16, 22, 18, 38, 0, time.UTC), user.DateUpdated)
	assert.Equal(t, apiBase+"/v1/Users/"+testUserSID, user.URL)
	assert.Equal(t, apiBase+"/v1/Users/"+testUserSID+"/Conversations", user.Links.UserConversations)
}

func TestUserFetchByIdentityEscapesPath(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Users/alice@example.com%2Fdesk%20%231",
		Body: example(t, "FetchUser", "fetch"),
	})
	user, err := c.Users.Fetch(context.Background(), "alice@example.com/desk #1")
	require.NoError(t, err)
	assert.Equal(t, testUserSID, user.SID)
}

func TestUserUpdateAndDelete(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	attrs, _ := ParseAttributes(`{"duty":"tech","team":"internals"}`)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Users/" + testUserSID,
		Form:   url.Values{"FriendlyName": {"new name"}, "Attributes": {`{"duty":"tech","team":"internals"}`}, "RoleSid": {testRoleSID}},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Body:   example(t, "UpdateUser", "update"),
	})
	user, err := c.Users.Update(ctx, testUserSID, &UserUpdateParams{
		FriendlyName: "new name", Attributes: attrs, RoleSID: testRoleSID, WebhookEnabled: true,
	})
	require.NoError(t, err)
	assert.Equal(t, "new name", user.FriendlyName)
	team, err := DecodeAttributes[map[string]string](user.Attributes)
	require.NoError(t, err)
	assert.Equal(t, "internals", team["team"])

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Users/" + testUserSID,
		Body: example(t, "UpdateUser", "update"),
	})
	_, err = c.Users.Update(ctx, testUserSID, nil)
	require.NoError(t, err, "an update with nothing set sends an empty form")

	c, mt = newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Users/admin",
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Users.Delete(ctx, "admin", &DeleteParams{WebhookEnabled: true}))
	assert.EqualValues(t, 1, n.Load())
}

func TestUserList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Users",
		Query: url.Values{"PageSize": {"50"}},
		Body:  example(t, "ListUser", "readFull"),
	})
	users, err := collect(c.Users.List(context.Background(), &ListParams{PageSize: 51}))
	require.NoError(t, err)
	want := decodeExample(t, "ListUser", "readFull")["users"].([]any)
	require.Len(t, users, len(want))
	assert.Equal(t, "admin", users[0].Identity)
	assert.Equal(t, "agent0034", users[1].Identity)
	require.NotNil(t, users[1].IsOnline)
	assert.False(t, *users[1].IsOnline)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Users",
		Query: url.Values{"PageSize": {"2"}},
		Body:  example(t, "ListUser", "readFull"),
	})
	p := c.Users.Pager(&ListParams{PageSize: 2})
	page, err := p.Next(context.Background())
	require.NoError(t, err)
	assert.Len(t, page.Items, 2)
	assert.Equal(t, "users", page.Meta.Key)
	assert.False(t, p.More())
}

func TestUserScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	svc := c.Service(serviceSID)
	base := "/v1/Services/" + serviceSID + "/Users"
	expect(t, mt, call{
		Method: http.MethodPost, Path: base,
		Form:   url.Values{"Identity": {"admin"}},
		Status: http.StatusCreated, Body: example(t, "CreateServiceUser", "create"),
	})
	expect(t, mt, call{
		Method: http.MethodGet, Path: base + "/admin",
		Body: example(t, "FetchServiceUser", "fetch"),
	})
	expect(t, mt, call{
		Method: http.MethodDelete, Path: base + "/" + testUserSID,
		Status: http.StatusNoContent,
	})
	user, err := svc.Users.Create(ctx, &UserCreateParams{Identity: "admin"})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, user.ChatServiceSID)
	user, err = svc.Users.Fetch(ctx, "admin")
	require.NoError(t, err)
	assert.Equal(t, apiBase+base+"/"+testUserSID+"/Conversations", user.Links.UserConversations)
	require.NoError(t, svc.Users.Delete(ctx, testUserSID, nil))
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestUserBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Users.Create(ctx, nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Identity")
	_, err = c.Users.Create(ctx, &UserCreateParams{FriendlyName: "no identity"})
	assert.ErrorContains(t, err, "Identity")
	_, err = c.Users.Update(ctx, testUserSID, &UserUpdateParams{Attributes: Attributes{raw: "{bad"}})
	assert.ErrorIs(t, err, ErrInvalidAttributes)
	_, err = c.Users.Fetch(ctx, "")
	assert.ErrorContains(t, err, "Sid")
	_, err = c.Users.Update(ctx, "", &UserUpdateParams{FriendlyName: "x"})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Users.Delete(ctx, "", nil), ErrEmptyParameter)
	_, err = c.Service("").Users.Create(ctx, &UserCreateParams{Identity: "a"})
	assert.ErrorContains(t, err, "ChatServiceSid")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
