package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun runs the example offline and checks what it printed: the bulk
// run paced by the limiter, the webhook span with the reply below it, the
// stdout exporters' spans and metrics.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	require.NoError(t, run(&out, true))
	s := out.String()
	// 15 creates at 10 per second take over a second.
	assert.Greater(t, time.Since(start), time.Second)
	for _, want := range []string{
		"== span tree",
		"Participants.AddMany (internal, ",
		"  ListConversationParticipant (client, ",
		"  Participants.AddMany item (internal, ",
		"    CreateConversationParticipant (client, ",
		"      RateLimiter.Wait (internal, ",
		"… 12 more items",
		"Webhook onMessageAdded (server, ",
		"twilio.conversations.webhook.duplicate=new",
		"\n  CreateServiceConversationMessage (client, ",
		"    POST /v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages (client, ",
		`"Name": "Webhook onMessageAdded"`,
		`"Name": "twilio.conversations.rate_limit.wait"`,
		`"Name": "http.client.request.duration"`,
		`"Name": "twilio.conversations.webhook.deliveries"`,
	} {
		assert.True(t, strings.Contains(s, want), "the output lacks %q", want)
	}
	assert.False(t, strings.Contains(s, "+15551230001"), "no phone number in any span or metric")
	assert.False(t, strings.Contains(s, "Where is my order?"), "no message body in any span or metric")
}
