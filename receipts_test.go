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

const (
	receiptMsgSID = "IMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	receiptSID    = "DYaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

func init() {
	for p, r := range scopes {
		bindOp("List"+p+"ConversationMessageReceipt", Receipt{}, ListParams{})
		bindOp("Fetch"+p+"ConversationMessageReceipt", Receipt{})
		cover("List"+p+"ConversationMessageReceipt", func(ctx context.Context, c *Client) error {
			return drain(r(c).Receipts.List(ctx, convSID, receiptMsgSID, nil))
		})
		cover("Fetch"+p+"ConversationMessageReceipt", func(ctx context.Context, c *Client) error {
			_, err := r(c).Receipts.Fetch(ctx, convSID, receiptMsgSID, receiptSID)
			return err
		})
	}
}

func TestReceiptFetch(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Conversations/" + convSID + "/Messages/" + receiptMsgSID + "/Receipts/" + receiptSID,
		Body: example(t, "FetchConversationMessageReceipt", "fetch"),
	})
	r, err := c.Receipts.Fetch(context.Background(), convSID, receiptMsgSID, receiptSID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, receiptSID, r.SID)
	assert.Equal(t, testAccountSID, r.AccountSID)
	assert.Equal(t, convSID, r.ConversationSID)
	assert.Equal(t, receiptMsgSID, r.MessageSID)
	assert.Equal(t, "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", r.ChannelMessageSID)
	assert.Equal(t, "MBaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", r.ParticipantSID)
	assert.Equal(t, DeliveryFailed, r.Status)
	assert.Equal(t, 3000, r.ErrorCode)
	assert.Empty(t, r.ChatServiceSID)
	assert.Equal(t, time.Date(2016, 3, 24, 20, 37, 57, 0, time.UTC), r.DateCreated)
	assert.Equal(t, time.Date(2016, 3, 24, 20, 37, 57, 0, time.UTC), r.DateUpdated)
	assert.Equal(t, apiBase+"/v1/Conversations/"+convSID+"/Messages/"+receiptMsgSID+"/Receipts/"+receiptSID, r.URL)
}

func TestReceiptListClampsPageSize(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Conversations/" + convSID + "/Messages/" + receiptMsgSID + "/Receipts",
		Query: url.Values{"PageSize": {"50"}},
		Body:  example(t, "ListConversationMessageReceipt", "readFull"),
	})
	var got []*Receipt
	for r, err := range c.Receipts.List(context.Background(), convSID, receiptMsgSID, &ListParams{PageSize: 100}) {
		require.NoError(t, err)
		got = append(got, r)
	}
	want := decodeExample(t, "ListConversationMessageReceipt", "readFull")["delivery_receipts"].([]any)
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, DeliveryFailed, got[i].Status)
		assert.Equal(t, 3000, got[i].ErrorCode)
	}
}

func TestReceiptScopedToService(t *testing.T) {
	c, mt := newTestClient(t)
	prefix := "/v1/Services/" + serviceSID + "/Conversations/" + convSID + "/Messages/" + receiptMsgSID + "/Receipts"
	expect(t, mt, call{
		Method: http.MethodGet, Path: prefix + "/" + receiptSID,
		Body: example(t, "FetchServiceConversationMessageReceipt", "fetch"),
	})
	expect(t, mt, call{
		Method: http.MethodGet, Path: prefix,
		Query: url.Values{"PageSize": {"2"}},
		Body:  example(t, "ListServiceConversationMessageReceipt", "readFull"),
	})
	sc := c.Service(serviceSID)
	r, err := sc.Receipts.Fetch(context.Background(), convSID, receiptMsgSID, receiptSID)
	require.NoError(t, err)
	assert.Equal(t, serviceSID, r.ChatServiceSID)
	page, err := sc.Receipts.Pager(convSID, receiptMsgSID, &ListParams{PageSize: 2}).Next(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, page.Items)
	assert.Equal(t, serviceSID, page.Items[0].ChatServiceSID)
	assert.Equal(t, "delivery_receipts", page.Meta.Key)
}

func TestReceiptBadInputSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	_, err := c.Receipts.Fetch(ctx, convSID, "", receiptSID)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "MessageSid")
	_, err = c.Receipts.Fetch(ctx, convSID, receiptMsgSID, "")
	assert.ErrorContains(t, err, "Sid")
	for _, err := range c.Receipts.List(ctx, "", receiptMsgSID, nil) {
		assert.ErrorIs(t, err, ErrEmptyParameter)
		assert.ErrorContains(t, err, "ConversationSid")
	}
	_, err = c.Service("").Receipts.Fetch(ctx, convSID, receiptMsgSID, receiptSID)
	assert.ErrorContains(t, err, "ChatServiceSid")
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}
