package conversationsotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cv "github.com/conversations-go/conversations"
)

// TestPrivacyBulkAndWebhooks runs the bulk operations and webhook
// deliveries (post-events, a pre-event modified by its callback, a
// redelivery, a bad signature) with private values against the emulator,
// and checks that nothing private was recorded. The emulator's own SIDs
// (conversations, participants, messages) are checked too.
func TestPrivacyBulkAndWebhooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	h, err := cv.NewWebhookHandler(e.emu.AuthToken(), cv.WithWebhookTelemetry(e.kit.tel),
		cv.WithDuplicateFilter(cv.NewMemoryDuplicateFilter(time.Hour, 100)))
	require.NoError(t, err)
	h.OnMessageAdd(func(ctx context.Context, ev *cv.MessageAddEvent) (cv.Decision, error) {
		body := pEdited
		return cv.ModifyMessage(cv.MessageChanges{Body: &body, Attributes: privAttrs}), nil
	})
	h.OnMessageAdded(func(ctx context.Context, ev *cv.MessageAddedEvent) error {
		if ev.Author == pIdentity {
			return nil
		}
		_, err := e.client.ScopeOf(ev).Messages.Create(ctx, ev.ConversationSID, &cv.MessageCreateParams{Author: pIdentity, Body: pBody})
		return err
	})
	var last captured
	hooks := httptest.NewServer(capture(&last, h))
	defer hooks.Close()
	_, err = e.setup.Configuration.UpdateWebhooks(ctx, &cv.WebhookConfigurationUpdateParams{Method: "POST",
		Filters:       []cv.EventType{cv.EventMessageAdded, cv.EventMessageAdd},
		PreWebhookURL: hooks.URL + "/pre", PostWebhookURL: hooks.URL + "/post", Target: cv.TargetWebhook})
	require.NoError(t, err)

	// Bulk: conversations with unique names, phone and chat participants
	// and a first message; more participants; close and delete by unique
	// name.
	setups := []*cv.ConversationSetup{{
		Conversation: &cv.ConversationCreateParams{UniqueName: pUnique, FriendlyName: pFriendly, Attributes: privAttrs},
		Participants: []*cv.ParticipantCreateParams{{MessagingBindingAddress: pPhone, MessagingBindingProxyAddress: pProxy}, {Identity: pIdentity}},
		Message:      &cv.MessageCreateParams{Author: pIdentity, Body: pBody},
	}}
	res, err := e.client.Conversations.CreateMany(ctx, setups, nil)
	require.NoError(t, err)
	convSID := res[0].Value.SID
	_, err = e.client.Participants.AddMany(ctx, pUnique, []*cv.ParticipantCreateParams{
		{Identity: pEmail, Attributes: privAttrs}, {MessagingBindingAddress: pWhatsApp, MessagingBindingProxyAddress: "whatsapp:" + pProjected},
	}, nil)
	require.NoError(t, err)

	// Webhooks: the customer texts in (a pre-event the callback modifies,
	// then the post-event whose callback replies), the post-event is
	// delivered again (a duplicate), and a forged delivery is refused.
	_, err = e.emu.SendSMS(pPhone, pProxy, pBody)
	require.NoError(t, err)
	e.emu.Flush()
	req := last.replay(t, hooks.URL+"/post")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	forged := url.Values{"EventType": {"onMessageAdded"}, "Body": {pBody}, "Author": {pPhone}, "ConversationSid": {convSID}}
	resp, err = http.Post(hooks.URL+"/post", "application/x-www-form-urlencoded", strings.NewReader(forged.Encode()))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "no signature")

	_, err = e.client.Conversations.CloseMany(ctx, []string{pUnique}, nil)
	require.NoError(t, err)
	_, err = e.client.Conversations.DeleteMany(ctx, []string{pUnique}, nil)
	require.NoError(t, err)

	names := map[string]bool{}
	for _, s := range e.kit.spans.GetSpans() {
		names[s.Name] = true
	}
	for _, want := range []string{"Conversations.CreateMany", "Participants.AddMany", "Conversations.CloseMany", "Conversations.DeleteMany",
		"Webhook onMessageAdd", "Webhook onMessageAdded", "Webhook", "CreateConversationParticipant", "CreateServiceConversationMessage"} {
		assert.True(t, names[want], "no span %q among %v", want, names)
	}
	var emulatorSIDs []string
	for _, p := range e.emu.Conversations() {
		emulatorSIDs = append(emulatorSIDs, p.SID)
	}
	assertNothingPrivate(t, e.kit, append(emulatorSIDs, convSID, e.emu.AuthToken(), e.emu.AccountSID())...)
}
