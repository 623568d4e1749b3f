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

// Dates are sent in UTC whatever the zone of the caller's time.Time, and the
// caller's params keep their zone.
func TestDatesSentInUTC(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	created := time.Date(2024, 3, 1, 10, 30, 0, 0, paris)
	ctx := context.Background()

	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations",
		Form: url.Values{"FriendlyName": {"import"}, "DateCreated": {"2024-03-01T09:30:00Z"}, "DateUpdated": {"2024-03-01T23:00:00Z"}},
		Body: example(t, "CreateConversation", "create"),
	})
	params := &ConversationCreateParams{FriendlyName: "import", DateCreated: created,
		DateUpdated: time.Date(2024, 3, 1, 18, 0, 0, 0, time.FixedZone("EST", -5*3600))}
	_, err := c.Conversations.Create(ctx, params)
	require.NoError(t, err)
	assert.Equal(t, paris, params.DateCreated.Location(), "the caller's params are not modified")

	// A list filter, in the query.
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Conversations",
		Query: url.Values{"StartDate": {"2024-02-29T23:00:00Z"}, "EndDate": {"2024-03-01T22:59:59Z"}, "PageSize": {"5"}},
		Body:  example(t, "ListConversation", "readFull"),
	})
	for _, err := range c.Conversations.List(ctx, &ConversationListParams{
		StartDate: time.Date(2024, 3, 1, 0, 0, 0, 0, paris), EndDate: time.Date(2024, 3, 1, 23, 59, 59, 0, paris), Limit: 5}) {
		require.NoError(t, err)
	}

	// A date in an embedded struct (the conversation of a create with
	// participants) and on the service scope.
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Services/" + serviceSID + "/ConversationWithParticipants",
		Form: url.Values{"DateCreated": {"2024-03-01T09:30:00Z"}},
		Body: example(t, "CreateServiceConversationWithParticipants", "create"),
	})
	_, err = c.Service(serviceSID).Conversations.CreateWithParticipants(ctx, &ConversationWithParticipantsCreateParams{
		ConversationCreateParams: ConversationCreateParams{DateCreated: created}})
	require.NoError(t, err)

	// A participant's last read timestamp.
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Participants/" + "MBaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		Form: url.Values{"LastReadTimestamp": {"2024-03-01T09:30:00Z"}},
		Body: example(t, "UpdateConversationParticipant", "update"),
	})
	_, err = c.Participants.Update(ctx, convSID, "MBaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &ParticipantUpdateParams{LastReadTimestamp: created})
	require.NoError(t, err)
}

func TestInUTCLeavesOtherParamsAlone(t *testing.T) {
	p := &ListParams{PageSize: 3}
	assert.Same(t, p, inUTC(p).(*ListParams), "no dates: no copy")
	assert.Nil(t, inUTC(nil))
	var none *ConversationCreateParams
	assert.Same(t, none, inUTC(none).(*ConversationCreateParams))
	zero := &MessageCreateParams{Body: "x"}
	got := inUTC(zero).(*MessageCreateParams)
	assert.True(t, got.DateCreated.IsZero(), "a zero date stays zero (and is omitted)")
}
