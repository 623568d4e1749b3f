package conversationstest_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// exported returns the emulator's whole state, to compare before and after.
func exported(t *testing.T, h *harness) string {
	t.Helper()
	h.srv.Flush()
	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	return string(doc)
}

func picture() []obj {
	return []obj{{"content_type": "image/png", "filename": "a.png", "data": base64.StdEncoding.EncodeToString([]byte("png bytes"))}}
}

// TestRefusedInboundMessagesChangeNothing: a simulated message the emulator
// refuses leaves no media file and no auto-created conversation behind,
// through the control API and the Go methods alike.
func TestRefusedInboundMessagesChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000",
		"AutoCreation.Enabled", "true", "AutoCreation.Type", "default"))
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "whatsapp", "Address", "+15559990000",
		"AutoCreation.Enabled", "true", "AutoCreation.Type", "default"))
	chat := h.conversation("UniqueName", "chat")
	h.participant(chat, "Identity", "alice")
	h.smsPair("+15550000001", "+15550000002", "+15558880000")
	closed := h.conversation("UniqueName", "closed")
	h.participant(closed, "Identity", "alice")
	h.ok(200, "POST", "/v1/Conversations/"+closed, form("State", "closed"))
	huge := strings.Repeat("x", 32<<10+1)
	sms := strings.Repeat("y", 1601)
	before := exported(t, h)

	for _, c := range []struct {
		name   string
		status int
		want   string
		req    obj
	}{
		{"chat over 32 KiB with media", 400, "exceeds the limit", obj{"channel": "chat", "conversation": "chat", "identity": "alice", "body": huge, "media": picture()}},
		{"chat to a closed conversation with media", 409, "is closed", obj{"channel": "chat", "conversation": "closed", "identity": "alice", "body": "hi", "media": picture()}},
		{"SMS auto-creating, over 32 KiB", 400, "exceeds the limit", obj{"channel": "sms", "from": "+15550000009", "to": "+15559990000", "body": huge}},
		{"SMS auto-creating, over 32 KiB with media", 400, "exceeds the limit", obj{"channel": "sms", "from": "+15550000009", "to": "+15559990000", "body": huge, "media": picture()}},
		{"SMS over 1600 to another SMS user, with media", 400, "1600", obj{"channel": "sms", "from": "+15550000001", "to": "+15558880000", "body": sms, "media": picture()}},
		{"WhatsApp auto-creating, over 32 KiB", 400, "exceeds the limit", obj{"channel": "whatsapp", "from": "+15550000009", "to": "+15559990000", "body": huge}},
	} {
		h.ctlFails(c.status, c.want, "POST", "/_emulator/inbound", c.req)
		assert.JSONEq(t, before, exported(t, h), "%s: the state changed", c.name)
	}

	_, err := h.srv.SendSMS("+15550000009", "+15559990000", huge)
	require.Error(t, err)
	_, err = h.srv.SendWhatsApp("+15550000009", "+15559990000", huge)
	require.Error(t, err)
	_, err = h.srv.SendChat("chat", "alice", huge)
	require.Error(t, err)
	_, err = h.srv.SendChat("closed", "alice", "hi")
	require.Error(t, err)
	// A Group MMS that would auto-create its conversation goes out to the
	// other members by SMS: 1600 characters at most.
	_, err = h.srv.SendGroupMMS("+15550000007", "+15559990000", []string{"+15550000008"}, sms)
	require.Error(t, err)
	assert.JSONEq(t, before, exported(t, h), "the Go methods' refusals changed the state")

	// The same messages within the limits land, media and all.
	res := h.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+15550000009", "to": "+15559990000", "body": "hi", "media": picture()})
	assert.Equal(t, true, res["created_conversation"])
	_, err = h.srv.SendGroupMMS("+15550000007", "+15559990000", []string{"+15550000008"}, "hello all")
	require.NoError(t, err)
}

// TestInboundRejectedByHookKeepsNoMedia: media stored for a message that the
// onMessageAdd pre-event hook then rejects is removed again.
func TestInboundRejectedByHookKeepsNoMedia(t *testing.T) {
	h := newHarness(t)
	chat := h.conversation("UniqueName", "chat")
	h.participant(chat, "Identity", "alice")
	h.smsPair("+15550000001", "+15550000002", "+15558880000")
	hook := h.newHook()
	hook.respond = func(url.Values) (int, string) { return 403, "" }
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url, "Filters", "onMessageAdd"))
	before := exported(t, h)

	h.ctlFails(403, "rejected", "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": "chat", "identity": "alice", "body": "hi", "media": picture()})
	h.ctlFails(403, "rejected", "POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+15550000001", "to": "+15558880000", "body": "", "media": picture()})
	assert.Equal(t, []string{"onMessageAdd", "onMessageAdd"}, hook.events(), "the hook was asked")
	assert.JSONEq(t, before, exported(t, h), "the rejected messages' media stayed")
	_, err := h.srv.SendChat("chat", "alice", "hi")
	require.ErrorIs(t, err, conversationstest.ErrRejected)
}
