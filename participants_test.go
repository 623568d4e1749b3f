package conversations

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	partSID = "MBaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	roleSID = "RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

func init() {
	for _, p := range []string{"", "Service"} {
		bindOp("Create"+p+"ConversationParticipant", Participant{}, ParticipantCreateParams{})
		bindOp("Update"+p+"ConversationParticipant", Participant{}, ParticipantUpdateParams{})
		bindOp("Fetch"+p+"ConversationParticipant", Participant{})
		bindOp("List"+p+"ConversationParticipant", Participant{}, ListParams{})
		bindOp("Delete"+p+"ConversationParticipant", nil, DeleteParams{})
	}
	for p, r := range scopes {
		cover("Create"+p+"ConversationParticipant", func(ctx context.Context, c *Client) error {
			_, err := r(c).Participants.Create(ctx, convSID, &ParticipantCreateParams{Identity: "alice"})
			return err
		})
		cover("Fetch"+p+"ConversationParticipant", func(ctx context.Context, c *Client) error {
			_, err := r(c).Participants.Fetch(ctx, convSID, partSID)
			return err
		})
		cover("Update"+p+"ConversationParticipant", func(ctx context.Context, c *Client) error {
			_, err := r(c).Participants.Update(ctx, convSID, partSID, &ParticipantUpdateParams{LastReadMessageIndex: Ptr(0)})
			return err
		})
		cover("Delete"+p+"ConversationParticipant", func(ctx context.Context, c *Client) error {
			return r(c).Participants.Delete(ctx, convSID, partSID, nil)
		})
		cover("List"+p+"ConversationParticipant", func(ctx context.Context, c *Client) error {
			return drain(r(c).Participants.List(ctx, convSID, nil))
		})
	}
}

var participantsPath = "/v1/Conversations/" + convSID + "/Participants"

// assertParticipantCommon checks the fields every participant example shares.
func assertParticipantCommon(t *testing.T, p *Participant) {
	t.Helper()
	assert.Equal(t, partSID, p.SID)
	assert.Equal(t, testAccountSID, p.AccountSID)
	assert.Equal(t, convSID, p.ConversationSID)
	assert.Equal(t, apiBase+participantsPath+"/"+partSID, p.URL)
	assert.Nil(t, p.LastReadMessageIndex)
	assert.Empty(t, p.LastReadTimestamp)
}

func driverAttributes(t *testing.T) Attributes {
	t.Helper()
	a, err := NewAttributes(map[string]string{"role": "driver"})
	require.NoError(t, err)
	return a
}

func TestParticipantCreateSMS(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath,
		Form: url.Values{
			"MessagingBinding.Address":      {"+15558675310"},
			"MessagingBinding.ProxyAddress": {"+15017122661"},
			"RoleSid":                       {roleSID},
			"Attributes":                    {`{"role":"driver"}`},
		},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusCreated, Body: example(t, "CreateConversationParticipant", "createSms"),
	})
	p, err := c.Participants.Create(context.Background(), convSID, &ParticipantCreateParams{
		MessagingBindingAddress:      "+15558675310",
		MessagingBindingProxyAddress: "+15017122661",
		RoleSID:                      roleSID,
		Attributes:                   driverAttributes(t),
		WebhookEnabled:               true,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assertParticipantCommon(t, p)
	assert.Empty(t, p.Identity, "null identity decodes as empty")
	require.NotNil(t, p.MessagingBinding)
	assert.Equal(t, MessagingBinding{Type: MessagingSMS, Address: "+15558675310", ProxyAddress: "+15017122661"}, *p.MessagingBinding)
	assert.Equal(t, roleSID, p.RoleSID)
	assert.Equal(t, `{ "role": "driver" }`, p.Attributes.String())
	role, err := DecodeAttributes[map[string]string](p.Attributes)
	require.NoError(t, err)
	assert.Equal(t, "driver", role["role"])
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 37, 0, time.UTC), p.DateCreated)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 38, 0, time.UTC), p.DateUpdated)
}

func TestParticipantCreateWhatsApp(t *testing.T) {
	c, mt := newTestClient(t)
	body := example(t, "CreateConversationParticipant", "createSms")
	body = bytes.ReplaceAll(body, []byte(`"+15558675310"`), []byte(`"whatsapp:+15558675310"`))
	body = bytes.ReplaceAll(body, []byte(`"+15017122661"`), []byte(`"whatsapp:+15017122661"`))
	body = bytes.ReplaceAll(body, []byte(`"type":"sms"`), []byte(`"type":"whatsapp"`))
	expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath,
		Form: url.Values{
			"MessagingBinding.Address":      {"whatsapp:+15558675310"},
			"MessagingBinding.ProxyAddress": {"whatsapp:+15017122661"},
			"RoleSid":                       {roleSID},
			"Attributes":                    {`{"role":"driver"}`},
		},
		Status: http.StatusCreated, Body: body,
	})
	p, err := c.Participants.Create(context.Background(), convSID, &ParticipantCreateParams{
		MessagingBindingAddress:      "whatsapp:+15558675310",
		MessagingBindingProxyAddress: "whatsapp:+15017122661",
		RoleSID:                      roleSID,
		Attributes:                   driverAttributes(t),
	})
	require.NoError(t, err)
	require.NotNil(t, p.MessagingBinding)
	assert.Equal(t, MessagingWhatsApp, p.MessagingBinding.Type)
	assert.Equal(t, "whatsapp:+15558675310", p.MessagingBinding.Address)
	assert.Equal(t, "whatsapp:+15017122661", p.MessagingBinding.ProxyAddress)
}

func TestParticipantCreateRCSAndChannelTypes(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Participants",
		Form: url.Values{
			"MessagingBinding.Address":      {"rcs:+15558675310"},
			"MessagingBinding.ProxyAddress": {"rcs:+15017122661"},
		},
		Status: http.StatusCreated,
		Body:   example(t, "CreateConversationParticipant", "createRcs"),
	})
	p, err := c.Participants.Create(context.Background(), convSID, &ParticipantCreateParams{
		MessagingBindingAddress: "rcs:+15558675310", MessagingBindingProxyAddress: "rcs:+15017122661",
	})
	require.NoError(t, err)
	require.NotNil(t, p.MessagingBinding)
	assert.Equal(t, MessagingRCS, p.MessagingBinding.Type)
	// The webhook enum is upper case; Messaging maps it to the REST value.
	assert.Equal(t, MessagingSMS, ChannelSMS.Messaging())
	assert.Equal(t, MessagingWhatsApp, ChannelWhatsApp.Messaging())
	assert.Equal(t, MessagingChat, ChannelChat.Messaging())
	assert.NotEqual(t, string(ChannelSMS), string(MessagingSMS))
}

func TestParticipantCreateChat(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath,
		Form: url.Values{
			"Identity":   {"IDENTITY"},
			"RoleSid":    {roleSID},
			"Attributes": {`{"role":"driver"}`},
		},
		Status: http.StatusCreated, Body: example(t, "CreateConversationParticipant", "createChat"),
	})
	p, err := c.Participants.Create(context.Background(), convSID, &ParticipantCreateParams{
		Identity: "IDENTITY", RoleSID: roleSID, Attributes: driverAttributes(t),
	})
	require.NoError(t, err)
	assertParticipantCommon(t, p)
	assert.Equal(t, "IDENTITY", p.Identity)
	assert.Nil(t, p.MessagingBinding, "chat participants have no messaging binding")
	assert.Equal(t, roleSID, p.RoleSID)
}

func TestParticipantCreateGroupMMS(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath,
		Form: url.Values{
			"Identity":                          {"IDENTITY"},
			"MessagingBinding.ProjectedAddress": {"+15017122661"},
			"RoleSid":                           {roleSID},
			"Attributes":                        {`{"role":"driver"}`},
		},
		Status: http.StatusCreated, Body: example(t, "CreateConversationParticipant", "createGmms"),
	})
	p, err := c.Participants.Create(context.Background(), convSID, &ParticipantCreateParams{
		Identity:                         "IDENTITY",
		MessagingBindingProjectedAddress: "+15017122661",
		RoleSID:                          roleSID,
		Attributes:                       driverAttributes(t),
	})
	require.NoError(t, err)
	assertParticipantCommon(t, p)
	require.NotNil(t, p.MessagingBinding)
	assert.Equal(t, MessagingBinding{Type: MessagingSMS, ProjectedAddress: "+15017122661"}, *p.MessagingBinding)

	// The SMS side of a group MMS: an address without a proxy address.
	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath,
		Form:   url.Values{"MessagingBinding.Address": {"+15017122661"}},
		Status: http.StatusCreated, Body: example(t, "CreateConversationParticipant", "createGmmsSmsNoAttributes"),
	})
	p, err = c.Participants.Create(context.Background(), convSID, &ParticipantCreateParams{MessagingBindingAddress: "+15017122661"})
	require.NoError(t, err)
	assert.Equal(t, "{}", p.Attributes.String())
	assert.Empty(t, p.RoleSID)
	assert.Equal(t, time.Date(2020, 7, 1, 22, 18, 37, 0, time.UTC), p.DateCreated)
}

// TestParticipantCreateProjectedAddressOnly: a participant with only
// MessagingBinding.ProjectedAddress, which Twilio's group texting guide
// lists as valid, is sent (it was refused before sending), alone and in
// CreateWithParticipants.
func TestParticipantCreateProjectedAddressOnly(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath,
		Form:   url.Values{"MessagingBinding.ProjectedAddress": {"+15017122661"}},
		Status: http.StatusCreated, Body: example(t, "CreateConversationParticipant", "createGmms"),
	})
	p, err := c.Participants.Create(context.Background(), convSID, &ParticipantCreateParams{MessagingBindingProjectedAddress: "+15017122661"})
	require.NoError(t, err)
	assert.Equal(t, "+15017122661", p.MessagingBinding.ProjectedAddress)
	assert.Equal(t, 1, mt.GetTotalCallCount())

	require.NoError(t, (&NewParticipant{MessagingBindingProjectedAddress: "+15017122661"}).validate())
	require.ErrorIs(t, (&NewParticipant{}).validate(), ErrEmptyParameter)
}

func TestParticipantFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: participantsPath + "/" + partSID,
		Body: example(t, "FetchConversationParticipant", "fetch"),
	})
	p, err := c.Participants.Fetch(context.Background(), convSID, partSID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assertParticipantCommon(t, p)
	assert.Equal(t, time.Date(2016, 3, 24, 21, 5, 50, 0, time.UTC), p.DateCreated)
	assert.Equal(t, "+15558675310", p.MessagingBinding.Address)

	// By identity, escaped.
	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: participantsPath + "/alice@example.com%2Fweb",
		Body: example(t, "FetchConversationParticipant", "fetchByIdentity"),
	})
	p, err = c.Participants.Fetch(context.Background(), convSID, "alice@example.com/web")
	require.NoError(t, err)
	assert.Equal(t, "alice", p.Identity)
}

func TestParticipantUpdateAttributes(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath + "/" + partSID,
		Form: url.Values{
			"Attributes": {`{"role":"driver"}`},
			"RoleSid":    {roleSID},
		},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Body:   example(t, "UpdateConversationParticipant", "update"),
	})
	p, err := c.Participants.Update(context.Background(), convSID, partSID, &ParticipantUpdateParams{
		Attributes: driverAttributes(t), RoleSID: roleSID, WebhookEnabled: true,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assertParticipantCommon(t, p)
	assert.Equal(t, `{ "role": "driver" }`, p.Attributes.String())
}

func TestParticipantUpdateLastReadIndexZero(t *testing.T) {
	c, mt := newTestClient(t)
	body := bytes.Replace(example(t, "UpdateConversationParticipant", "update"),
		[]byte(`"last_read_message_index":null`), []byte(`"last_read_message_index":0`), 1)
	expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath + "/" + partSID,
		Form: url.Values{"LastReadMessageIndex": {"0"}, "LastReadTimestamp": {"2015-12-16T22:18:38Z"}},
		Body: body,
	})
	p, err := c.Participants.Update(context.Background(), convSID, partSID, &ParticipantUpdateParams{
		LastReadMessageIndex: Ptr(0), LastReadTimestamp: time.Date(2015, 12, 16, 22, 18, 38, 0, time.UTC),
	})
	require.NoError(t, err)
	require.NotNil(t, p.LastReadMessageIndex)
	assert.Equal(t, 0, *p.LastReadMessageIndex)
}

func TestParticipantUpdateGroupMMS(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: participantsPath + "/" + partSID,
		Form: url.Values{"Identity": {"id"}, "MessagingBinding.ProjectedAddress": {"+15017122661"}},
		Body: example(t, "UpdateConversationParticipant", "updateGmms"),
	})
	p, err := c.Participants.Update(context.Background(), convSID, partSID, &ParticipantUpdateParams{
		Identity: "id", MessagingBindingProjectedAddress: "+15017122661",
	})
	require.NoError(t, err)
	assert.Equal(t, "id", p.Identity)
	assert.Equal(t, "+15017122661", p.MessagingBinding.ProjectedAddress)
}

func TestParticipantDelete(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: participantsPath + "/" + partSID,
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Participants.Delete(context.Background(), convSID, partSID, &DeleteParams{WebhookEnabled: true}))
	assert.EqualValues(t, 1, n.Load())

	c, mt = newTestClient(t)
	n = expect(t, mt, call{Method: http.MethodDelete, Path: participantsPath + "/" + partSID, Status: http.StatusNoContent})
	require.NoError(t, c.Participants.Delete(context.Background(), convSID, partSID, nil))
	assert.EqualValues(t, 1, n.Load())
}

func TestParticipantList(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: participantsPath,
		Query: url.Values{"PageSize": {"20"}},
		Body:  example(t, "ListConversationParticipant", "read"),
	})
	var got []*Participant
	for p, err := range c.Participants.List(context.Background(), convSID, &ListParams{PageSize: 20}) {
		require.NoError(t, err)
		got = append(got, p)
	}
	assert.EqualValues(t, 1, n.Load())
	require.Len(t, got, 2)
	assert.Equal(t, "+15558675310", got[0].MessagingBinding.Address)
	assert.Equal(t, "IDENTITY", got[1].Identity)
	assert.Nil(t, got[1].MessagingBinding)

	c, mt = newTestClient(t)
	n = expect(t, mt, call{
		Method: http.MethodGet, Path: participantsPath,
		Body: example(t, "ListConversationParticipant", "read"),
	})
	p := c.Participants.Pager(convSID, nil)
	page, err := p.Next(context.Background())
	require.NoError(t, err)
	assert.Len(t, page.Items, 2)
	assert.Equal(t, "participants", page.Meta.Key)
	assert.EqualValues(t, 1, n.Load())
	assert.False(t, p.More())
}

// participantPages serves the participant list of convSID as two pages: the
// first holds chat participants only, the second the SMS and WhatsApp ones.
// It returns the counter of requests served.
func participantPages(t *testing.T, mt *httpmock.MockTransport) *int {
	t.Helper()
	n := new(int)
	next := apiBase + participantsPath + "?PageSize=100&Page=1&PageToken=PT2"
	mt.RegisterResponder(http.MethodGet, apiBase+participantsPath, func(req *http.Request) (*http.Response, error) {
		*n++
		q := req.URL.Query()
		assert.Equal(t, "100", q.Get("PageSize"))
		var body string
		switch q.Get("PageToken") {
		case "":
			body = fmt.Sprintf(`{"participants":[{"sid":"MB01","identity":"alice","messaging_binding":null},{"sid":"MB02","identity":"bob","messaging_binding":null}],
				"meta":{"page":0,"page_size":2,"key":"participants","next_page_url":%q}}`, next)
		case "PT2":
			body = `{"participants":[{"sid":"MB03","messaging_binding":{"type":"sms","address":"+15558675310","proxy_address":"+15017122661"}},
				{"sid":"MB04","messaging_binding":{"type":"whatsapp","address":"whatsapp:+15558675311","proxy_address":"whatsapp:+15017122661"}}],
				"meta":{"page":1,"page_size":2,"key":"participants","next_page_url":null}}`
		default:
			t.Errorf("unexpected page token %q", q.Get("PageToken"))
		}
		return httpmock.NewStringResponse(http.StatusOK, body), nil
	})
	return n
}

func TestParticipantFindByAddressAcrossPages(t *testing.T) {
	c, mt := newTestClient(t)
	n := participantPages(t, mt)
	p, err := c.Participants.FindByAddress(context.Background(), convSID, "whatsapp:+15558675311")
	require.NoError(t, err)
	assert.Equal(t, "MB04", p.SID)
	assert.Equal(t, 2, *n, "both pages read")

	p, err = c.Participants.FindByAddress(context.Background(), convSID, "+15558675310")
	require.NoError(t, err)
	assert.Equal(t, "MB03", p.SID)

	_, err = c.Participants.FindByAddress(context.Background(), convSID, "+19999999999")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.True(t, IsNotFound(err))
	assert.NotContains(t, err.Error(), "+19999999999", "a customer's phone number never reaches an error text")
	assert.NotContains(t, err.Error(), "19999999999")
}

func TestParticipantRemoveByAddress(t *testing.T) {
	c, mt := newTestClient(t)
	lists := participantPages(t, mt)
	del := expect(t, mt, call{
		Method: http.MethodDelete, Path: participantsPath + "/MB03",
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusNoContent,
	})
	p, err := c.Participants.RemoveByAddress(context.Background(), convSID, "+15558675310", &DeleteParams{WebhookEnabled: true})
	require.NoError(t, err)
	assert.Equal(t, "MB03", p.SID)
	assert.Equal(t, 2, *lists)
	assert.EqualValues(t, 1, del.Load())
	assert.Equal(t, 3, mt.GetTotalCallCount(), "two list pages and one delete")

	// Not found: no delete.
	_, err = c.Participants.RemoveByAddress(context.Background(), convSID, "+19999999999", nil)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.EqualValues(t, 1, del.Load())
}

func TestParticipantRemoveByIdentity(t *testing.T) {
	c, mt := newTestClient(t)
	fetch := expect(t, mt, call{
		Method: http.MethodGet, Path: participantsPath + "/alice",
		Body: example(t, "FetchConversationParticipant", "fetchByIdentity"),
	})
	del := expect(t, mt, call{
		Method: http.MethodDelete, Path: participantsPath + "/" + partSID,
		Status: http.StatusNoContent,
	})
	p, err := c.Participants.RemoveByIdentity(context.Background(), convSID, "alice", nil)
	require.NoError(t, err)
	assert.Equal(t, "alice", p.Identity)
	assert.EqualValues(t, 1, fetch.Load())
	assert.EqualValues(t, 1, del.Load())
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestParticipantRemoveByIdentityNotFound(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: participantsPath + "/nobody",
		Status: http.StatusNotFound,
		Body:   []byte(`{"code":20404,"message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`),
	})
	_, err := c.Participants.RemoveByIdentity(context.Background(), convSID, "nobody", nil)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.True(t, HasCode(err, CodeNotFound))
	assert.Equal(t, 1, mt.GetTotalCallCount(), "no delete after a failed fetch")
}

func TestParticipantScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	scoped := "/v1/Services/" + serviceSID + "/Conversations/" + convSID + "/Participants"
	expect(t, mt, call{
		Method: http.MethodPost, Path: scoped,
		Form:   url.Values{"Identity": {"IDENTITY"}},
		Status: http.StatusCreated, Body: example(t, "CreateServiceConversationParticipant", "createChat"),
	})
	expect(t, mt, call{
		Method: http.MethodGet, Path: scoped + "/" + partSID,
		Body: example(t, "FetchServiceConversationParticipant", "fetch"),
	})
	expect(t, mt, call{
		Method: http.MethodPost, Path: scoped + "/" + partSID,
		Form: url.Values{"LastReadMessageIndex": {"3"}},
		Body: example(t, "UpdateServiceConversationParticipant", "update"),
	})
	expect(t, mt, call{Method: http.MethodDelete, Path: scoped + "/" + partSID, Status: http.StatusNoContent})
	expect(t, mt, call{
		Method: http.MethodGet, Path: scoped,
		Body: example(t, "ListServiceConversationParticipant", "read"),
	})
	ctx := context.Background()
	s := c.Service(serviceSID)
	p, err := s.Participants.Create(ctx, convSID, &ParticipantCreateParams{Identity: "IDENTITY"})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, p.ChatServiceSID)
	_, err = s.Participants.Fetch(ctx, convSID, partSID)
	require.NoError(t, err)
	_, err = s.Participants.Update(ctx, convSID, partSID, &ParticipantUpdateParams{LastReadMessageIndex: Ptr(3)})
	require.NoError(t, err)
	require.NoError(t, s.Participants.Delete(ctx, convSID, partSID, nil))
	n := 0
	for p, err := range s.Participants.List(ctx, convSID, nil) {
		require.NoError(t, err)
		assert.Equal(t, serviceSID, p.ChatServiceSID)
		n++
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, 5, mt.GetTotalCallCount())
}

func TestParticipantBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Participants.Create(ctx, convSID, nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Participants.Create(ctx, convSID, &ParticipantCreateParams{RoleSID: roleSID})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Identity, MessagingBinding.Address or MessagingBinding.ProjectedAddress")
	_, err = c.Participants.Create(ctx, convSID, &ParticipantCreateParams{MessagingBindingAddress: "+15017122661", MessagingBindingProxyAddress: "+15017122661"})
	assert.ErrorIs(t, err, errSameAddress)
	assert.Equal(t, "conversations: MessagingBinding.Address must differ from MessagingBinding.ProxyAddress", err.Error())
	_, err = c.Participants.Create(ctx, "", &ParticipantCreateParams{Identity: "alice"})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "ConversationSid")
	_, err = c.Participants.Create(ctx, convSID, &ParticipantCreateParams{Identity: "alice", Attributes: Attributes{raw: "{bad"}})
	assert.ErrorIs(t, err, ErrInvalidAttributes)
	_, err = c.Participants.Fetch(ctx, convSID, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Sid")
	_, err = c.Participants.Update(ctx, "", partSID, nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Participants.Delete(ctx, convSID, "", nil), ErrEmptyParameter)
	_, err = c.Participants.FindByAddress(ctx, convSID, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Participants.RemoveByAddress(ctx, convSID, "", nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Participants.RemoveByIdentity(ctx, convSID, "", nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "identity")
	for _, err := range c.Participants.List(ctx, "", nil) {
		assert.ErrorIs(t, err, ErrEmptyParameter)
	}
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
