package conversations

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Attributes written inline in a params literal are sent as their JSON.
func TestAttributesOfInline(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations",
		Form: url.Values{"FriendlyName": {"Order #1042"}, "Attributes": {`{"order":1042,"vip":true}`}},
		Body: example(t, "CreateConversation", "create"),
	})
	_, err := c.Conversations.Create(context.Background(), &ConversationCreateParams{
		FriendlyName: "Order #1042",
		Attributes:   AttributesOf(map[string]any{"order": 1042, "vip": true}),
	})
	require.NoError(t, err)

	type meta struct {
		Order int `json:"order"`
	}
	a := AttributesOf(meta{Order: 7})
	assert.NoError(t, a.Err())
	assert.Equal(t, `{"order":7}`, a.String())
	got, err := DecodeAttributes[meta](a)
	require.NoError(t, err)
	assert.Equal(t, 7, got.Order)
}

// A value encoding/json cannot marshal is caught before any request is
// sent, wherever the attributes go.
func TestAttributesOfInvalidSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	for _, v := range []any{make(chan int), math.NaN(), map[string]any{"f": func() {}}} {
		a := AttributesOf(v)
		require.ErrorIs(t, a.Err(), ErrInvalidAttributes)
		assert.False(t, a.IsZero(), "invalid attributes are not 'not set'")
		assert.False(t, a.Valid())

		_, err := c.Conversations.Create(ctx, &ConversationCreateParams{Attributes: a})
		assert.ErrorIs(t, err, ErrInvalidAttributes)
		assert.ErrorContains(t, err, "Attributes")
		_, err = c.Messages.Create(ctx, convSID, &MessageCreateParams{Body: "hi", Attributes: a})
		assert.ErrorIs(t, err, ErrInvalidAttributes)
		_, err = c.Participants.Create(ctx, convSID, &ParticipantCreateParams{Identity: "ana", Attributes: a})
		assert.ErrorIs(t, err, ErrInvalidAttributes)

		_, err = a.Merge(map[string]any{"k": 1})
		assert.ErrorIs(t, err, ErrInvalidAttributes)
		_, err = (Attributes{}).Merge(a)
		assert.ErrorIs(t, err, ErrInvalidAttributes)
		assert.ErrorIs(t, a.Decode(&map[string]any{}), ErrInvalidAttributes)
		_, err = a.MarshalJSON()
		assert.ErrorIs(t, err, ErrInvalidAttributes)
	}
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for invalid attributes")
}
