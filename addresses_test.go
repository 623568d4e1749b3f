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

const addressSID = "IGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	bindOp("CreateConfigurationAddress", AddressConfiguration{}, AddressCreateParams{})
	bindOp("FetchConfigurationAddress", AddressConfiguration{})
	bindOp("UpdateConfigurationAddress", AddressConfiguration{}, AddressUpdateParams{})
	bindOp("DeleteConfigurationAddress", nil)
	bindOp("ListConfigurationAddress", AddressConfiguration{}, AddressListParams{})
	cover("CreateConfigurationAddress", func(ctx context.Context, c *Client) error {
		_, err := c.Addresses.Create(ctx, &AddressCreateParams{Type: AddressSMS, Address: "+15017122661"})
		return err
	})
	cover("FetchConfigurationAddress", func(ctx context.Context, c *Client) error {
		_, err := c.Addresses.Fetch(ctx, addressSID)
		return err
	})
	cover("UpdateConfigurationAddress", func(ctx context.Context, c *Client) error {
		_, err := c.Addresses.Update(ctx, addressSID, &AddressUpdateParams{FriendlyName: "x"})
		return err
	})
	cover("DeleteConfigurationAddress", func(ctx context.Context, c *Client) error {
		return c.Addresses.Delete(ctx, addressSID)
	})
	cover("ListConfigurationAddress", func(ctx context.Context, c *Client) error {
		return drain(c.Addresses.List(ctx, nil))
	})
}

func TestAddressCreateWebhook(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration/Addresses",
		Form: url.Values{
			"Type":                                {"sms"},
			"Address":                             {"+37256123457"},
			"FriendlyName":                        {"My Test Configuration"},
			"AddressCountry":                      {"CA"},
			"AutoCreation.Enabled":                {"true"},
			"AutoCreation.Type":                   {"webhook"},
			"AutoCreation.ConversationServiceSid": {serviceSID},
			"AutoCreation.WebhookUrl":             {"https://example.com"},
			"AutoCreation.WebhookMethod":          {"post"},
			"AutoCreation.WebhookFilters":         {"onParticipantAdded", "onMessageAdded"},
		},
		Status: http.StatusCreated,
		Body:   example(t, "CreateConfigurationAddress", "create"),
	})
	addr, err := c.Addresses.Create(context.Background(), &AddressCreateParams{
		Type:           AddressSMS,
		Address:        "+37256123457",
		FriendlyName:   "My Test Configuration",
		AddressCountry: "CA",
		AutoCreation: AddressAutoCreationParams{
			Enabled:                Ptr(true),
			Type:                   AutoCreationWebhook,
			ConversationServiceSID: serviceSID,
			WebhookURL:             "https://example.com",
			WebhookMethod:          WebhookPOST,
			WebhookFilters:         []EventType{"onParticipantAdded", "onMessageAdded"},
		},
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, addressSID, addr.SID)
	assert.Equal(t, testAccountSID, addr.AccountSID)
	assert.Equal(t, AddressSMS, addr.Type)
	assert.Equal(t, "+37256123457", addr.Address)
	assert.Equal(t, "My Test Configuration", addr.FriendlyName)
	assert.Equal(t, "CA", addr.AddressCountry)
	assert.Equal(t, time.Date(2016, 3, 24, 21, 5, 50, 0, time.UTC), addr.DateCreated)
	assert.Equal(t, time.Date(2016, 3, 24, 21, 5, 50, 0, time.UTC), addr.DateUpdated)
	assert.Equal(t, apiBase+"/v1/Configuration/Addresses/"+addressSID, addr.URL)
	ac := addr.AutoCreation
	assert.True(t, ac.Enabled)
	assert.Equal(t, AutoCreationWebhook, ac.Type)
	assert.Equal(t, serviceSID, ac.ConversationServiceSID)
	assert.Equal(t, "https://example.com", ac.WebhookURL)
	assert.Equal(t, WebhookPOST, ac.WebhookMethod)
	assert.Equal(t, []EventType{"onParticipantAdded", "onMessageAdded"}, ac.WebhookFilters)
}

func TestAddressCreateEmailDefault(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration/Addresses",
		Form: url.Values{
			"Type":                 {"email"},
			"Address":              {"example@example.com"},
			"AutoCreation.Enabled": {"true"},
			"AutoCreation.Type":    {"default"},
		},
		Status: http.StatusCreated,
		Body:   example(t, "CreateConfigurationAddress", "createEmail"),
	})
	addr, err := c.Addresses.Create(context.Background(), &AddressCreateParams{
		Type: AddressEmail, Address: "example@example.com",
		AutoCreation: AddressAutoCreationParams{Enabled: Ptr(true), Type: AutoCreationDefault},
	})
	require.NoError(t, err)
	assert.Equal(t, AddressEmail, addr.Type)
	assert.Empty(t, addr.AddressCountry, "null address_country decodes as empty")
	assert.Equal(t, AutoCreationDefault, addr.AutoCreation.Type)
	assert.Empty(t, addr.AutoCreation.WebhookURL)
}

func TestAddressUpdateStudioDisabled(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Configuration/Addresses/" + addressSID,
		Form: url.Values{
			"FriendlyName":                        {"My Test Configuration Updated"},
			"AutoCreation.Enabled":                {"false"},
			"AutoCreation.Type":                   {"studio"},
			"AutoCreation.ConversationServiceSid": {serviceSID},
			"AutoCreation.StudioFlowSid":          {"FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
			"AutoCreation.StudioRetryCount":       {"0"},
		},
		Body: example(t, "UpdateConfigurationAddress", "update"),
	})
	addr, err := c.Addresses.Update(context.Background(), addressSID, &AddressUpdateParams{
		FriendlyName: "My Test Configuration Updated",
		AutoCreation: AddressAutoCreationParams{
			Enabled:                Ptr(false), // a false that is sent
			Type:                   AutoCreationStudio,
			ConversationServiceSID: serviceSID,
			StudioFlowSID:          "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			StudioRetryCount:       Ptr(0),
		},
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, "My Test Configuration Updated", addr.FriendlyName)
	assert.False(t, addr.AutoCreation.Enabled)
	assert.Equal(t, AutoCreationStudio, addr.AutoCreation.Type)
	assert.Equal(t, "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", addr.AutoCreation.StudioFlowSID)
	assert.Equal(t, 3, addr.AutoCreation.StudioRetryCount)
	assert.Equal(t, time.Date(2016, 3, 24, 21, 5, 51, 0, time.UTC), addr.DateUpdated)
}

func TestAddressFetchByAddressEscapesPath(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Configuration/Addresses/whatsapp:+37256123457",
		Body: example(t, "FetchConfigurationAddress", "fetch"),
	})
	addr, err := c.Addresses.Fetch(context.Background(), "whatsapp:+37256123457")
	require.NoError(t, err)
	assert.Equal(t, addressSID, addr.SID)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Configuration/Addresses/support%2Fteam@example.com",
		Body: example(t, "FetchConfigurationAddress", "fetch"),
	})
	_, err = c.Addresses.Fetch(context.Background(), "support/team@example.com")
	require.NoError(t, err)
}

func TestAddressDelete(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Configuration/Addresses/" + addressSID,
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Addresses.Delete(context.Background(), addressSID))
	assert.EqualValues(t, 1, n.Load())
}

func TestAddressListByType(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Configuration/Addresses",
		Query: url.Values{"Type": {"sms"}, "PageSize": {"50"}},
		Body:  example(t, "ListConfigurationAddress", "readByAddressType"),
	})
	var got []*AddressConfiguration
	for addr, err := range c.Addresses.List(context.Background(), &AddressListParams{Type: AddressSMS, PageSize: 200}) {
		require.NoError(t, err)
		got = append(got, addr)
	}
	want := decodeExample(t, "ListConfigurationAddress", "readByAddressType")["address_configurations"].([]any)
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, w.(map[string]any)["sid"], got[i].SID)
	}
	assert.Equal(t, AutoCreationStudio, got[1].AutoCreation.Type)
	assert.Equal(t, 3, got[1].AutoCreation.StudioRetryCount)
	assert.Equal(t, "NG", got[2].AddressCountry)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Configuration/Addresses",
		Body: example(t, "ListConfigurationAddress", "readBlank"),
	})
	page, err := c.Addresses.Pager(nil).Next(context.Background())
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

func TestAddressBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Addresses.Create(ctx, nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Type")
	_, err = c.Addresses.Create(ctx, &AddressCreateParams{Type: AddressSMS})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Address")
	_, err = c.Addresses.Create(ctx, &AddressCreateParams{Address: "+15017122661"})
	assert.ErrorContains(t, err, "Type")
	_, err = c.Addresses.Create(ctx, &AddressCreateParams{Type: AddressSMS, Address: "+15017122661",
		AutoCreation: AddressAutoCreationParams{StudioRetryCount: Ptr(-1)}})
	assert.ErrorContains(t, err, "AutoCreation.StudioRetryCount")
	_, err = c.Addresses.Update(ctx, addressSID, &AddressUpdateParams{
		AutoCreation: AddressAutoCreationParams{WebhookMethod: "PATCH"}})
	assert.ErrorContains(t, err, "AutoCreation.WebhookMethod")
	_, err = c.Addresses.Fetch(ctx, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Addresses.Update(ctx, "", nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Addresses.Delete(ctx, ""), ErrEmptyParameter)
	for _, err := range c.Addresses.List(ctx, &AddressListParams{PageSize: -1}) {
		assert.ErrorContains(t, err, "PageSize")
	}
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
