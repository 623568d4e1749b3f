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

const contentSID = "HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	for _, p := range []string{"", "Service"} {
		bindOp("Create"+p+"ConversationMessage", Message{}, MessageCreateParams{})
		bindOp("Update"+p+"ConversationMessage", Message{}, MessageUpdateParams{})
		bindOp("Fetch"+p+"ConversationMessage", Message{})
		bindOp("List"+p+"ConversationMessage", Message{}, MessageListParams{})
		bindOp("Delete"+p+"ConversationMessage", nil, DeleteParams{})
	}
	for p, r := range scopes {
		cover("Create"+p+"ConversationMessage", func(ctx context.Context, c *Client) error {
			_, err := r(c).Messages.Create(ctx, convSID, &MessageCreateParams{Body: "hi"})
			return err
		})
		cover("Fetch"+p+"ConversationMessage", func(ctx context.Context, c *Client) error {
			_, err := r(c).Messages.Fetch(ctx, convSID, msgSID)
			return err
		})
		cover("Update"+p+"ConversationMessage", func(ctx context.Context, c *Client) error {
			_, err := r(c).Messages.Update(ctx, convSID, msgSID, &MessageUpdateParams{Body: "edited"})
			return err
		})
		cover("Delete"+p+"ConversationMessage", func(ctx context.Context, c *Client) error {
			return r(c).Messages.Delete(ctx, convSID, msgSID, nil)
		})
		cover("List"+p+"ConversationMessage", func(ctx context.Context, c *Client) error {
			return drain(r(c).Messages.List(ctx, convSID, nil))
		})
	}
}

var messagesURLPath = "/v1/Conversations/" + convSID + "/Messages"

func importanceHigh(t *testing.T) Attributes {
	t.Helper()
	a, err := ParseAttributes(`{"importance":"high"}`)
	require.NoError(t, err)
	return a
}

// assertMessageCommon checks the fields every message example shares.
func assertMessageCommon(t *testing.T, m *Message) {
	t.Helper()
	assert.Equal(t, msgSID, m.SID)
	assert.Equal(t, testAccountSID, m.AccountSID)
	assert.Equal(t, convSID, m.ConversationSID)
	assert.Equal(t, apiBase+messagesURLPath+"/"+msgSID, m.URL)
	assert.Equal(t, apiBase+messagesURLPath+"/"+msgSID+"/Receipts", m.Links.DeliveryReceipts)
	assert.Equal(t, apiBase+messagesURLPath+"/"+msgSID+"/ChannelMetadata", m.Links.ChannelMetadata)
	require.NotNil(t, m.Delivery)
	assert.Equal(t, DeliverySummary{Total: 2, Sent: DeliveryAll, Delivered: DeliverySome, Read: DeliverySome, Failed: DeliveryNone, Undelivered: DeliveryNone}, *m.Delivery)
}

func TestMessageCreate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: messagesURLPath,
		Form: url.Values{
			"Author":      {"message author"},
			"Body":        {"Hello"},
			"Attributes":  {`{"importance":"high"}`},
			"DateCreated": {"2015-12-16T22:18:37Z"},
		},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusCreated, Body: example(t, "CreateConversationMessage", "create"),
	})
	m, err := c.Messages.Create(context.Background(), convSID, &MessageCreateParams{
		Author:         "message author",
		Body:           "Hello",
		Attributes:     importanceHigh(t),
		DateCreated:    time.Date(2015, 12, 16, 22, 18, 37, 0, time.UTC),
		WebhookEnabled: true,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assertMessageCommon(t, m)
	assert.Equal(t, "Hello", m.Body)
	assert.Equal(t, "message author", m.Author)
	assert.Equal(t, partSID, m.ParticipantSID)
	assert.Equal(t, 0, m.Index)
	assert.Nil(t, m.Media)
	assert.Empty(t, m.ContentSID)
	imp, err := DecodeAttributes[struct{ Importance string }](m.Attributes)
	require.NoError(t, err)
	assert.Equal(t, "high", imp.Importance)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 37, 0, time.UTC), m.DateCreated)
	assert.Equal(t, time.Date(2015, 12, 16, 22, 18, 38, 0, time.UTC), m.DateUpdated)
}

func TestMessageCreateWithMedia(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: messagesURLPath,
		Form:   url.Values{"MediaSid": {mediaSID}, "Author": {"message author"}},
		Status: http.StatusCreated, Body: example(t, "CreateConversationMessage", "createWithMedia"),
	})
	m, err := c.Messages.Create(context.Background(), convSID, &MessageCreateParams{MediaSID: mediaSID, Author: "message author"})
	require.NoError(t, err)
	assertMessageCommon(t, m)
	assert.Empty(t, m.Body, "null body decodes as empty")
	require.Len(t, m.Media, 1)
	assert.Equal(t, MessageMedia{SID: mediaSID, Size: 42056, ContentType: "image/jpeg", Filename: "car.jpg"}, m.Media[0])
}

func TestMessageCreateWithContent(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: messagesURLPath,
		Form: url.Values{
			"ContentSid":       {contentSID},
			"ContentVariables": {`{"1":"John","2":"tomorrow"}`},
		},
		Status: http.StatusCreated, Body: example(t, "CreateConversationMessage", "createWithContentSid"),
	})
	m, err := c.Messages.Create(context.Background(), convSID, &MessageCreateParams{
		ContentSID:       contentSID,
		ContentVariables: ContentVariables{"2": "tomorrow", "1": "John"},
	})
	require.NoError(t, err)
	assertMessageCommon(t, m)
	assert.Equal(t, contentSID, m.ContentSID)
	assert.Equal(t, "Hello John", m.Body)
	assert.Equal(t, "{}", m.Attributes.String())
}

func TestMessageCreateWithSubject(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: messagesURLPath,
		Form:   url.Values{"Body": {"message body"}, "Subject": {"Your order"}, "Author": {"message author"}},
		Status: http.StatusCreated, Body: example(t, "CreateConversationMessage", "createWithSubject"),
	})
	m, err := c.Messages.Create(context.Background(), convSID, &MessageCreateParams{
		Body: "message body", Subject: "Your order", Author: "message author",
	})
	require.NoError(t, err)
	assert.Equal(t, "message body", m.Body)
}

func TestMessageFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: messagesURLPath + "/" + msgSID,
		Body: example(t, "FetchConversationMessage", "fetch"),
	})
	m, err := c.Messages.Fetch(context.Background(), convSID, msgSID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assertMessageCommon(t, m)
	assert.Equal(t, "Welcome!", m.Body)
	assert.Equal(t, "system", m.Author)
	assert.Empty(t, m.ParticipantSID, "system messages have no participant")
	assert.Equal(t, time.Date(2016, 3, 24, 20, 37, 57, 0, time.UTC), m.DateCreated)
}

func TestMessageUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: messagesURLPath + "/" + msgSID,
		Form: url.Values{
			"Body":        {"Hello"},
			"Author":      {"message author"},
			"Attributes":  {`{"importance":"high"}`},
			"Subject":     {"s"},
			"DateUpdated": {"2015-12-16T22:18:38Z"},
		},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Body:   example(t, "UpdateConversationMessage", "update"),
	})
	m, err := c.Messages.Update(context.Background(), convSID, msgSID, &MessageUpdateParams{
		Body: "Hello", Author: "message author", Attributes: importanceHigh(t), Subject: "s",
		DateUpdated:    time.Date(2015, 12, 16, 22, 18, 38, 0, time.UTC),
		WebhookEnabled: true,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assertMessageCommon(t, m)
	assert.Equal(t, `{ "importance": "high" }`, m.Attributes.String())
}

func TestMessageDelete(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: messagesURLPath + "/" + msgSID,
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Messages.Delete(context.Background(), convSID, msgSID, &DeleteParams{WebhookEnabled: true}))
	assert.EqualValues(t, 1, n.Load())
}

func TestMessageListHistory(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: messagesURLPath,
		Query: url.Values{"PageSize": {"50"}},
		Body:  example(t, "ListConversationMessage", "readFull"),
	})
	var idx []int
	var bodies []string
	for m, err := range c.Messages.List(context.Background(), convSID, &MessageListParams{PageSize: 50}) {
		require.NoError(t, err)
		idx = append(idx, m.Index)
		bodies = append(bodies, m.Body)
	}
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, []int{0, 5, 9}, idx, "indexes may skip numbers")
	assert.Equal(t, []string{"I like pie.", "Cake is my favorite!", ""}, bodies)
}

func TestMessageListOrder(t *testing.T) {
	for _, tc := range []struct {
		order Order
		ex    string
	}{
		{OrderAsc, "readLastMessage_ienumOrderMixedCaseAsc"},
		{OrderDesc, "readLastMessage_ienumOrderMixedCaseDesc"},
	} {
		t.Run(string(tc.order), func(t *testing.T) {
			c, mt := newTestClient(t)
			n := expect(t, mt, call{
				Method: http.MethodGet, Path: messagesURLPath,
				Query: url.Values{"Order": {string(tc.order)}, "PageSize": {"2"}},
				Body:  example(t, "ListConversationMessage", tc.ex),
			})
			p := c.Messages.Pager(convSID, &MessageListParams{Order: tc.order, PageSize: 2})
			page, err := p.Next(context.Background())
			require.NoError(t, err)
			assert.EqualValues(t, 1, n.Load())
			require.Len(t, page.Items, 1)
			assert.Equal(t, 9, page.Items[0].Index)
			assert.Equal(t, 2, page.Meta.PageSize)
			assert.Contains(t, page.Meta.URL, "Order="+string(tc.order))
		})
	}
}

func TestMessageScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	scoped := "/v1/Services/" + serviceSID + "/Conversations/" + convSID + "/Messages"
	expect(t, mt, call{
		Method: http.MethodPost, Path: scoped,
		Form:   url.Values{"Body": {"Hello"}},
		Status: http.StatusCreated, Body: example(t, "CreateServiceConversationMessage", "create"),
	})
	expect(t, mt, call{Method: http.MethodGet, Path: scoped + "/" + msgSID, Body: example(t, "FetchServiceConversationMessage", "fetch")})
	expect(t, mt, call{
		Method: http.MethodPost, Path: scoped + "/" + msgSID,
		Form: url.Values{"Body": {"edited"}},
		Body: example(t, "UpdateServiceConversationMessage", "update"),
	})
	expect(t, mt, call{Method: http.MethodDelete, Path: scoped + "/" + msgSID, Status: http.StatusNoContent})
	expect(t, mt, call{
		Method: http.MethodGet, Path: scoped,
		Query: url.Values{"Order": {"desc"}},
		Body:  example(t, "ListServiceConversationMessage", "readFullOrderDescMixedDesc"),
	})
	ctx := context.Background()
	s := c.Service(serviceSID)
	m, err := s.Messages.Create(ctx, convSID, &MessageCreateParams{Body: "Hello"})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, m.ChatServiceSID)
	_, err = s.Messages.Fetch(ctx, convSID, msgSID)
	require.NoError(t, err)
	_, err = s.Messages.Update(ctx, convSID, msgSID, &MessageUpdateParams{Body: "edited"})
	require.NoError(t, err)
	require.NoError(t, s.Messages.Delete(ctx, convSID, msgSID, nil))
	n := 0
	for _, err := range s.Messages.List(ctx, convSID, &MessageListParams{Order: OrderDesc}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 3, n)
	assert.Equal(t, 5, mt.GetTotalCallCount())
}

func TestMessageValidationSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	for name, p := range map[string]*MessageCreateParams{
		"nil":              nil,
		"empty":            {},
		"author only":      {Author: "alice", Attributes: importanceHigh(t)},
		"variables only":   {ContentVariables: ContentVariables{"1": "x"}},
		"short media":      {MediaSID: "ME123"},
		"media not hex":    {MediaSID: "MEzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"},
		"media wrong kind": {MediaSID: contentSID},
		"short content":    {Body: "hi", ContentSID: "HX1"},
		"content wrong":    {ContentSID: mediaSID},
		"bad attributes":   {Body: "hi", Attributes: Attributes{raw: "{"}},
	} {
		_, err := c.Messages.Create(ctx, convSID, p)
		assert.Error(t, err, name)
	}
	_, err := c.Messages.Create(ctx, convSID, &MessageCreateParams{})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "Body, MediaSid or ContentSid")
	_, err = c.Messages.Create(ctx, convSID, &MessageCreateParams{MediaSID: "ME123"})
	assert.ErrorContains(t, err, "MediaSid")
	_, err = c.Messages.Create(ctx, convSID, &MessageCreateParams{ContentSID: "HX1"})
	assert.ErrorContains(t, err, "ContentSid")
	_, err = c.Messages.Create(ctx, "", &MessageCreateParams{Body: "hi"})
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Messages.Fetch(ctx, convSID, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Messages.Update(ctx, convSID, "", nil)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Messages.Delete(ctx, "", msgSID, nil), ErrEmptyParameter)
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
