package conversationstest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

func TestRateLimitAnswers429AndDoesNotProcess(t *testing.T) {
	h := newHarness(t, conversationstest.WithRateLimit(2))
	conv := h.conversation("FriendlyName", "limited")
	created, throttled := 0, 0
	for i := range 12 {
		status, body := h.do("POST", "/v1/Conversations/"+conv+"/Messages", form("Body", "m"+itoa(i)))
		switch status {
		case http.StatusCreated:
			created++
		case http.StatusTooManyRequests:
			throttled++
			assert.EqualValues(t, 20429, body["code"])
			assert.EqualValues(t, 429, body["status"])
			assert.Equal(t, "https://www.twilio.com/docs/errors/20429", body["more_info"])
		default:
			t.Fatalf("status %d: %v", status, body)
		}
	}
	require.Positive(t, throttled, "12 creates at once are over 2 per second")
	require.GreaterOrEqual(t, created, 2, "the bucket holds one second's worth")
	// Reads are never limited.
	for range 20 {
		h.ok(200, "GET", "/v1/Conversations/"+conv+"/Messages", nil)
	}
	sum, ok := h.srv.Conversation(conv)
	require.True(t, ok)
	assert.Equal(t, created, sum.Messages, "a 429 was not processed")
	tr := h.srv.Traffic()
	assert.EqualValues(t, throttled, tr.Throttled)
	assert.EqualValues(t, 13, tr.Limited, "the conversation create and the 12 message creates")
	assert.EqualValues(t, 33, tr.Requests)
}

func TestNoRateLimitByDefault(t *testing.T) {
	h := newHarness(t)
	conv := h.conversation()
	for i := range 40 {
		h.message(conv, "Body", "m"+itoa(i))
	}
	assert.Equal(t, conversationstest.Traffic{Requests: 41}, h.srv.Traffic())
}

func TestLatency(t *testing.T) {
	h := newHarness(t, conversationstest.WithLatency(60*time.Millisecond))
	start := time.Now()
	h.ok(200, "GET", "/v1/Conversations", nil)
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)
}

func TestConversationSummaries(t *testing.T) {
	h := newHarness(t)
	a := h.conversation("UniqueName", "room-a", "FriendlyName", "A")
	h.participant(a, "Identity", "alice")
	h.participant(a, "MessagingBinding.Address", "+15555550100", "MessagingBinding.ProxyAddress", "+15555550199")
	h.message(a, "Body", "hi")
	b := h.conversation()
	h.ok(204, "DELETE", "/v1/Conversations/"+b, nil)
	got := h.srv.Conversations()
	require.Len(t, got, 1, "deleted conversations are left out")
	assert.Equal(t, conversationstest.ConversationSummary{
		SID: a, ServiceSID: h.srv.DefaultServiceSID(), UniqueName: "room-a", FriendlyName: "A", State: "active",
		Participants: []string{"alice", "+15555550100"}, Messages: 1,
	}, got[0])
	byName, ok := h.srv.Conversation("room-a")
	require.True(t, ok)
	assert.Equal(t, got[0], byName)
	_, ok = h.srv.Conversation(b)
	assert.False(t, ok)
}
