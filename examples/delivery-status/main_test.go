package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogsDeliveryUpdates(t *testing.T) {
	var out bytes.Buffer
	env := map[string]string{"TWILIO_AUTH_TOKEN": "new-token", "TWILIO_AUTH_TOKEN_SECONDARY": "old-token"}
	h, err := newHandler(func(k string) string { return env[k] }, "https://hooks.example.com", &out)
	require.NoError(t, err)

	send := func(token string, ev *conversations.DeliveryUpdatedEvent) int {
		form, err := conversations.EncodeEvent(ev)
		require.NoError(t, err)
		r, err := conversations.NewSignedWebhookRequest(token, "https://hooks.example.com/delivery", form)
		require.NoError(t, err)
		// The app sees the request from its proxy, not the public URL.
		r.Host = "127.0.0.1:3001"
		r.TLS = nil
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, http.StatusOK, send("new-token", &conversations.DeliveryUpdatedEvent{
		ConversationSID: "CH1", MessageSID: "IM1", ParticipantSID: "MB1", ChannelMessageSID: "SM1",
		Status: conversations.DeliveryDelivered, DateUpdated: when,
	}))
	assert.Equal(t, http.StatusOK, send("old-token", &conversations.DeliveryUpdatedEvent{
		ConversationSID: "CH1", MessageSID: "IM2", Status: conversations.DeliveryUndelivered, ErrorCode: 30003,
	}))
	assert.Equal(t, http.StatusForbidden, send("other-token", &conversations.DeliveryUpdatedEvent{MessageSID: "IM3"}))

	logs := out.String()
	assert.Contains(t, logs, `level=INFO msg="delivery updated" conversation=CH1 message=IM1 participant=MB1 channel_message=SM1 status=delivered updated=2024-05-01T12:00:00.000Z`)
	assert.Contains(t, logs, `level=WARN msg="delivery updated" conversation=CH1 message=IM2`)
	assert.Contains(t, logs, `status=undelivered`)
	assert.Contains(t, logs, `error_code=30003`)
	assert.NotContains(t, logs, "IM3")
	assert.NotContains(t, logs, "token")
}

func TestNeedsToken(t *testing.T) {
	_, err := newHandler(func(string) string { return "" }, "", &bytes.Buffer{})
	assert.Error(t, err)
}
