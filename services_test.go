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

func init() {
	bindOp("CreateService", ServiceInstance{}, ServiceCreateParams{})
	bindOp("FetchService", ServiceInstance{})
	bindOp("DeleteService", nil)
	bindOp("ListService", ServiceInstance{}, ListParams{})
	cover("CreateService", func(ctx context.Context, c *Client) error {
		_, err := c.Services.Create(ctx, &ServiceCreateParams{FriendlyName: "x"})
		return err
	})
	cover("FetchService", func(ctx context.Context, c *Client) error {
		_, err := c.Services.Fetch(ctx, serviceSID)
		return err
	})
	cover("DeleteService", func(ctx context.Context, c *Client) error {
		return c.Services.Delete(ctx, serviceSID)
	})
	cover("ListService", func(ctx context.Context, c *Client) error {
		return drain(c.Services.List(ctx, nil))
	})
}

// assertServiceLinks checks the links of the spec's service examples.
func assertServiceLinks(t *testing.T, svc *ServiceInstance) {
	t.Helper()
	base := apiBase + "/v1/Services/" + serviceSID
	assert.Equal(t, base, svc.URL)
	assert.Equal(t, ServiceLinks{
		Conversations:                base + "/Conversations",
		Users:                        base + "/Users",
		Roles:                        base + "/Roles",
		Bindings:                     base + "/Bindings",
		Configuration:                base + "/Configuration",
		ParticipantConversations:     base + "/ParticipantConversations",
		ConversationWithParticipants: base + "/ConversationWithParticipants",
	}, svc.Links)
}

func TestServiceCreate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Services",
		Form:   url.Values{"FriendlyName": {"friendly_name"}},
		Status: http.StatusCreated, Body: example(t, "CreateService", "create"),
	})
	svc, err := c.Services.Create(context.Background(), &ServiceCreateParams{FriendlyName: "friendly_name"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, serviceSID, svc.SID)
	assert.Equal(t, testAccountSID, svc.AccountSID)
	assert.Equal(t, "friendly_name", svc.FriendlyName)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 37, 0, time.UTC), svc.DateCreated)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 38, 0, time.UTC), svc.DateUpdated)
	assertServiceLinks(t, svc)
}

func TestServiceFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Services/" + serviceSID,
		Body: example(t, "FetchService", "fetch"),
	})
	svc, err := c.Services.Fetch(context.Background(), serviceSID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, serviceSID, svc.SID)
	assert.Equal(t, "My First Service", svc.FriendlyName)
	assertServiceLinks(t, svc)
}

func TestServiceDelete(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Services/" + serviceSID,
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Services.Delete(context.Background(), serviceSID))
	assert.EqualValues(t, 1, n.Load())
}

func TestServiceList(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Services",
		Query: url.Values{"PageSize": {"100"}},
		Body:  example(t, "ListService", "readFull"),
	})
	var got []*ServiceInstance
	for svc, err := range c.Services.List(context.Background(), &ListParams{PageSize: 1000}) {
		require.NoError(t, err)
		got = append(got, svc)
	}
	assert.EqualValues(t, 1, n.Load())
	require.Len(t, got, 1)
	assert.Equal(t, "Home Service", got[0].FriendlyName)
	assertServiceLinks(t, got[0])
}

func TestServicePager(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Services",
		Body: example(t, "ListService", "readFull"),
	})
	p := c.Services.Pager(nil)
	require.True(t, p.More())
	page, err := p.Next(context.Background())
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, serviceSID, page.Items[0].SID)
	assert.Equal(t, "services", page.Meta.Key)
	assert.Equal(t, 50, page.Meta.PageSize)
	assert.False(t, p.More())
	_, err = p.Next(context.Background())
	assert.ErrorIs(t, err, ErrNoMorePages)
}

func TestServiceBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Services.Create(ctx, nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "FriendlyName")
	_, err = c.Services.Create(ctx, &ServiceCreateParams{})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Services.Fetch(ctx, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Services.Delete(ctx, ""), ErrEmptyParameter)
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
