package conversations

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ScopeOf replies in the event's own Conversation Service, or in the default
// one when the event names none.
func TestScopeOfEvent(t *testing.T) {
	c, mt := newTestClient(t)
	const other = "ISbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	scoped := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Services/" + other + "/Conversations/" + convSID + "/Messages",
		Form: url.Values{"Body": {"Thanks!"}},
		Body: example(t, "CreateServiceConversationMessage", "create"),
	})
	account := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Messages",
		Form: url.Values{"Body": {"Thanks!"}},
		Body: example(t, "CreateConversationMessage", "create"),
	})
	reply := func(ev Event, conversationSID string) {
		t.Helper()
		_, err := c.ScopeOf(ev).Messages.Create(context.Background(), conversationSID, &MessageCreateParams{Body: "Thanks!"})
		require.NoError(t, err)
	}

	reply(&MessageAddedEvent{MessageFields: MessageFields{ConversationSID: convSID}, ChatServiceSID: other}, convSID)
	assert.EqualValues(t, 1, scoped.Load())
	reply(&MessageAddedEvent{MessageFields: MessageFields{ConversationSID: convSID}}, convSID)
	assert.EqualValues(t, 1, account.Load())

	// An event decoded from a request: the typed field, or the raw form for
	// an event type this package does not know.
	ev, err := DecodeEvent(url.Values{"EventType": {"onMessageAdded"}, "ChatServiceSid": {other}, "ConversationSid": {convSID}, "MessageSid": {msgSID}})
	require.NoError(t, err)
	reply(ev, convSID)
	assert.EqualValues(t, 2, scoped.Load())
	unknown, err := DecodeEvent(url.Values{"EventType": {"onSomethingNew"}, "ChatServiceSid": {other}})
	require.NoError(t, err)
	assert.Equal(t, c.Service(other).SID(), other)
	reply(unknown, convSID)
	assert.EqualValues(t, 3, scoped.Load())

	// Participant events carry no ChatServiceSid: the default service.
	reply(&ParticipantAddedEvent{ParticipantFields: ParticipantFields{ConversationSID: convSID}}, convSID)
	assert.EqualValues(t, 2, account.Load())

	assert.Same(t, c.Scope, c.ScopeOf(nil))
	assert.Same(t, c.Scope, c.ScopeOf((*MessageAddedEvent)(nil)))
	assert.Same(t, c.Scope, c.ScopeOf(&ConversationAddedEvent{}))
}
