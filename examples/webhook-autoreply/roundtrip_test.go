package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOfflineRoundTrip runs the guide's flow against the emulator: a
// customer texts in, the emulator posts a signed onMessageAdded to the bot,
// the bot replies over REST, and the reply reaches the customer's phone.
func TestOfflineRoundTrip(t *testing.T) {
	const customer, twilioNumber = "+15551230001", "+15559870002"
	emu := conversationstest.NewServer()
	defer emu.Close()

	env := map[string]string{"TWILIO_ACCOUNT_SID": emu.AccountSID(), "TWILIO_AUTH_TOKEN": emu.AuthToken()}
	h, err := newHandler(options{baseURL: emu.URL, agent: "agent-alice"}, func(k string) string { return env[k] },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	bot := httptest.NewServer(h)
	defer bot.Close()

	ctx := context.Background()
	client, err := emu.Client()
	require.NoError(t, err)
	_, err = client.Configuration.UpdateWebhooks(ctx, &conversations.WebhookConfigurationUpdateParams{
		Method: "POST", Filters: []conversations.EventType{"onMessageAdded"}, PostWebhookURL: bot.URL + "/webhook", Target: conversations.TargetWebhook,
	})
	require.NoError(t, err)
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)
	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: customer, MessagingBindingProxyAddress: twilioNumber,
	})
	require.NoError(t, err)

	_, err = emu.SendSMS(customer, twilioNumber, "Where is my order?")
	require.NoError(t, err)
	emu.Flush()

	got := emu.Received(customer)
	require.Len(t, got, 1, "the bot answers once")
	assert.Equal(t, "Thanks — an agent will be with you shortly.", got[0].Body)
	assert.Equal(t, "support-bot", got[0].Author)
	assert.Equal(t, conv.SID, got[0].ConversationSid)

	// The agent writing (over REST, with webhooks enabled) gets no answer.
	_, err = client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "agent-alice", Body: "Hi, I'm Alice", WebhookEnabled: true})
	require.NoError(t, err)
	emu.Flush()
	assert.Len(t, emu.Received(customer), 2, "only the agent's message, no second bot reply")
}

// TestOfflineRoundTripOtherService runs the round trip for a conversation in
// a Conversation Service other than the default one: the reply must go to
// /v1/Services/{ChatServiceSid}/Conversations/..., since
// /v1/Conversations/... does not find the conversation.
func TestOfflineRoundTripOtherService(t *testing.T) {
	const customer, twilioNumber = "+15551230011", "+15559870012"
	emu := conversationstest.NewServer()
	defer emu.Close()

	env := map[string]string{"TWILIO_ACCOUNT_SID": emu.AccountSID(), "TWILIO_AUTH_TOKEN": emu.AuthToken()}
	h, err := newHandler(options{baseURL: emu.URL}, func(k string) string { return env[k] },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	bot := httptest.NewServer(h)
	defer bot.Close()

	ctx := context.Background()
	client, err := emu.Client()
	require.NoError(t, err)
	_, err = client.Configuration.UpdateWebhooks(ctx, &conversations.WebhookConfigurationUpdateParams{
		Method: "POST", Filters: []conversations.EventType{"onMessageAdded"}, PostWebhookURL: bot.URL + "/webhook", Target: conversations.TargetWebhook,
	})
	require.NoError(t, err)
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "Other"})
	require.NoError(t, err)
	require.NotEqual(t, emu.DefaultServiceSID(), svc.SID)
	scoped := client.Service(svc.SID)
	conv, err := scoped.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)
	_, err = scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: customer, MessagingBindingProxyAddress: twilioNumber,
	})
	require.NoError(t, err)

	_, err = emu.SendSMS(customer, twilioNumber, "Where is my order?")
	require.NoError(t, err)
	emu.Flush()

	got := emu.Received(customer)
	require.Len(t, got, 1, "the bot answers in the conversation's own service")
	assert.Equal(t, "Thanks — an agent will be with you shortly.", got[0].Body)
	assert.Equal(t, conv.SID, got[0].ConversationSid)
}
