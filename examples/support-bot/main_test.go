package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestCustomersGetTheBotsAnswer drives the example as the inspector does,
// through the control API: customers text the support lines, the emulator
// creates their conversations and posts signed webhooks to the bot, and the
// bot's answer reaches their phones.
func TestCustomersGetTheBotsAnswer(t *testing.T) {
	ctx := context.Background()
	a, err := start(ctx, quiet())
	require.NoError(t, err)
	defer a.Close()
	cc := conversationstest.NewControlClient(a.emu.URL, a.emu.AccountSID(), a.emu.AuthToken())

	for _, tc := range []struct{ channel, from, to, phone, status string }{
		{"sms", "+15551230001", smsLine, "+15551230001", "delivered"},
		// The emulator's WhatsApp users read what they receive.
		{"whatsapp", "+447700900123", "+15559870002", "whatsapp:+447700900123", "read"},
	} {
		t.Run(tc.channel, func(t *testing.T) {
			res, err := cc.Inbound(ctx, conversationstest.InboundRequest{
				Channel: tc.channel, From: tc.from, To: tc.to, Body: "Where is my order?"})
			require.NoError(t, err)
			assert.True(t, res.CreatedConversation, "the support line's auto-creation made a conversation")
			a.emu.Flush()

			got, err := cc.Phone(ctx, tc.phone)
			require.NoError(t, err)
			require.Len(t, got, 1, "the bot answers once")
			assert.Equal(t, replyBody, got[0].Body)
			assert.Equal(t, botIdentity, got[0].Author)
			assert.Equal(t, res.ConversationSid, got[0].ConversationSid)
			assert.Equal(t, tc.status, got[0].Status)
		})
	}

	// The webhooks went to the bot, signed: it answered 200 to each.
	hooks, err := cc.Webhooks(ctx, 0)
	require.NoError(t, err)
	var added []conversationstest.WebhookDelivery
	for _, d := range hooks {
		assert.Equal(t, a.botURL, d.URL)
		assert.Equal(t, http.StatusOK, d.Status, "%s: %s", d.Event, d.ResponseExcerpt)
		if d.Event == "onMessageAdded" {
			added = append(added, d)
		}
	}
	assert.Len(t, added, 2, "one onMessageAdded per customer message (the bot's REST replies fire none)")
}

// TestChatAgentsGetNoAnswer: an agent writing from a chat client (Source
// SDK) is not answered.
func TestChatAgentsGetNoAnswer(t *testing.T) {
	ctx := context.Background()
	a, err := start(ctx, quiet())
	require.NoError(t, err)
	defer a.Close()
	cc := conversationstest.NewControlClient(a.emu.URL, a.emu.AccountSID(), a.emu.AuthToken())

	res, err := cc.Inbound(ctx, conversationstest.InboundRequest{Channel: "sms", From: "+15551230001", To: smsLine, Body: "Hello?"})
	require.NoError(t, err)
	a.emu.Flush() // the bot has answered the customer
	_, err = a.client.Participants.Create(ctx, res.ConversationSid, &conversations.ParticipantCreateParams{Identity: "agent-alice"})
	require.NoError(t, err)
	_, err = cc.Inbound(ctx, conversationstest.InboundRequest{Channel: "chat", Conversation: res.ConversationSid, Identity: "agent-alice", Body: "Hi, Alice here."})
	require.NoError(t, err)
	a.emu.Flush()

	got, err := cc.Phone(ctx, "+15551230001")
	require.NoError(t, err)
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, m.Author+": "+m.Body)
	}
	assert.Equal(t, []string{botIdentity + ": " + replyBody, "agent-alice: Hi, Alice here."}, bodies)
}

// syncWriter is a strings.Builder safe to read while run writes to it.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestRunPrintsTheInspector: run prints where everything is; the printed
// inspector page is served, and run returns once its context ends.
func TestRunPrintsTheInspector(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncWriter
	done := make(chan error, 1)
	go func() { done <- run(ctx, &out, quiet()) }()

	var inspector string
	require.Eventually(t, func() bool {
		for _, line := range strings.Split(out.String(), "\n") {
			if u, ok := strings.CutPrefix(line, "inspector: "); ok {
				inspector = u
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, out.String(), "emulator:  http://127.0.0.1:")
	assert.Contains(t, out.String(), "/webhook (webhooks from the emulator)")

	page, _, ok := strings.Cut(inspector, "#")
	require.True(t, ok, "the link carries the credentials in its fragment: %s", inspector)
	assert.True(t, strings.HasSuffix(page, "/_emulator/ui/"), inspector)
	resp, err := http.Get(page)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}
