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

const testBindingSID = "BSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	bindOp("FetchServiceBinding", Binding{})
	bindOp("ListServiceBinding", Binding{}, BindingListParams{})
	bindOp("DeleteServiceBinding", nil)
	cover("FetchServiceBinding", func(ctx context.Context, c *Client) error {
		_, err := c.Service(serviceSID).Bindings.Fetch(ctx, testBindingSID)
		return err
	})
	cover("ListServiceBinding", func(ctx context.Context, c *Client) error {
		return drain(c.Service(serviceSID).Bindings.List(ctx, nil))
	})
	cover("DeleteServiceBinding", func(ctx context.Context, c *Client) error {
		return c.Service(serviceSID).Bindings.Delete(ctx, testBindingSID)
	})
}

const bindingsPath = "/v1/Services/" + serviceSID + "/Bindings"

func TestBindingFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: bindingsPath + "/" + testBindingSID,
		Body: example(t, "FetchServiceBinding", "fetch"),
	})
	b, err := c.Service(serviceSID).Bindings.Fetch(context.Background(), testBindingSID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())

	assert.Equal(t, testBindingSID, b.SID)
	assert.Equal(t, testAccountSID, b.AccountSID)
	assert.Equal(t, serviceSID, b.ChatServiceSID)
	assert.Equal(t, "CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b.CredentialSID)
	assert.Equal(t, "TestUser-endpoint", b.Endpoint)
	assert.Equal(t, "TestUser", b.Identity)
	assert.Equal(t, BindingGCM, b.BindingType)
	assert.Equal(t, []string{"removed_from_conversation", "new_message", "added_to_conversation"}, b.MessageTypes)
	assert.Equal(t, time.Date(2016, 10, 21, 11, 37, 3, 0, time.UTC), b.DateCreated)
	assert.Equal(t, time.Date(2016, 10, 21, 11, 37, 3, 0, time.UTC), b.DateUpdated)
	assert.Equal(t, apiBase+bindingsPath+"/"+testBindingSID, b.URL)
}

func TestBindingDelete(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: bindingsPath + "/" + testBindingSID,
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Service(serviceSID).Bindings.Delete(context.Background(), testBindingSID))
	assert.EqualValues(t, 1, n.Load())
}

func TestBindingListRepeatedFilters(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: bindingsPath,
		Query: url.Values{
			"BindingType": {"gcm", "apn"},
			"Identity":    {"TestUser", "alice@example.com"},
			"PageSize":    {"100"},
		},
		Body: example(t, "ListServiceBinding", "readFull"),
	})
	bindings, err := collect(c.Service(serviceSID).Bindings.List(context.Background(), &BindingListParams{
		BindingTypes: []BindingType{BindingGCM, BindingAPN},
		Identities:   []string{"TestUser", "alice@example.com"},
		PageSize:     1000,
	}))
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	want := decodeExample(t, "ListServiceBinding", "readFull")["bindings"].([]any)
	require.Len(t, bindings, len(want))
	assert.Equal(t, want[0].(map[string]any)["sid"], bindings[0].SID)
	assert.Equal(t, BindingGCM, bindings[0].BindingType)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: bindingsPath,
		Query: url.Values{"BindingType": {"twilsock"}},
		Body:  example(t, "ListServiceBinding", "readEmpty"),
	})
	p := c.Service(serviceSID).Bindings.Pager(&BindingListParams{BindingTypes: []BindingType{BindingTwilsock}})
	page, err := p.Next(context.Background())
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, "bindings", page.Meta.Key)
	assert.False(t, p.More())
}

func TestBindingBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	svc := c.Service(serviceSID)
	_, err := svc.Bindings.Fetch(ctx, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Sid")
	assert.ErrorIs(t, svc.Bindings.Delete(ctx, ""), ErrEmptyParameter)
	_, err = collect(svc.Bindings.List(ctx, &BindingListParams{BindingTypes: []BindingType{"sms"}}))
	assert.ErrorContains(t, err, `"sms"`)
	_, err = collect(svc.Bindings.List(ctx, &BindingListParams{Identities: []string{"a", ""}}))
	assert.ErrorContains(t, err, "Identity[1]")
	_, err = c.Service("").Bindings.Fetch(ctx, testBindingSID)
	assert.ErrorContains(t, err, "ChatServiceSid")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
