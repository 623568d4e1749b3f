package conversationstest_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// TestUserUpdatePreEvent: updating a user runs the onUserUpdate pre-event
// before onUserUpdated; a 4xx answer rejects the update (nothing changes),
// and a JSON answer changes friendly_name.
func TestUserUpdatePreEvent(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url, "PostWebhookUrl", hook.url,
		"Filters", "onUserUpdate", "Filters", "onUserUpdated"))
	us := h.ok(201, "POST", "/v1/Users", form("Identity", "ana", "FriendlyName", "Ana"))["sid"].(string)
	hook.respond = func(f url.Values) (int, string) {
		switch {
		case f.Get("EventType") != "onUserUpdate":
			return 200, ""
		case f.Get("FriendlyName") == "forbidden":
			return 403, ""
		}
		return 200, `{"friendly_name": "` + strings.ToUpper(f.Get("FriendlyName")) + `"}`
	}

	h.fails(403, 20403, "POST", "/v1/Users/"+us, form("FriendlyName", "forbidden"),
		"X-Twilio-Webhook-Enabled", "true")
	require.Equal(t, "Ana", h.ok(200, "GET", "/v1/Users/"+us, nil)["friendly_name"])

	got := h.ok(200, "POST", "/v1/Users/"+us, form("FriendlyName", "ana maría"), "X-Twilio-Webhook-Enabled", "true")
	require.Equal(t, "ANA MARÍA", got["friendly_name"])
	h.srv.Flush()
	require.Equal(t, []string{"onUserUpdate", "onUserUpdate", "onUserUpdated"}, hook.events())
	reqs := hook.received()
	require.Equal(t, "ana", reqs[1].form.Get("Identity"))
	require.Equal(t, us, reqs[1].form.Get("UserSid"))
	require.Equal(t, "API", reqs[1].form.Get("Source"))
	require.Equal(t, "ANA MARÍA", reqs[2].form.Get("FriendlyName"))
}

// TestAutoCreatePreEvent: a conversation auto-created by an inbound message
// runs the onConversationAdd pre-event with MessageBody and the
// MessagingBinding fields; rejecting it creates nothing, and modifying it
// sets the new conversation's friendly_name.
func TestAutoCreatePreEvent(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url, "Filters", "onConversationAdd"))
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "whatsapp", "Address", "whatsapp:+15559990000", "AutoCreation.Enabled", "true"))
	hook.respond = func(f url.Values) (int, string) {
		if strings.Contains(f.Get("MessageBody"), "spam") {
			return 403, ""
		}
		return 200, `{"friendly_name": "Support: ` + f.Get("MessagingBinding.AuthorAddress") + `"}`
	}

	_, err := h.srv.SendWhatsApp("+15550000001", "+15559990000", "buy spam")
	require.ErrorIs(t, err, conversationstest.ErrRejected)
	require.Empty(t, h.ok(200, "GET", "/v1/Conversations", nil)["conversations"])
	require.Empty(t, h.ok(200, "GET", "/v1/ParticipantConversations", form("Address", "whatsapp:+15550000001"))["conversations"])

	in, err := h.srv.SendWhatsApp("+15550000001", "+15559990000", "Hello")
	require.NoError(t, err)
	conv := h.ok(200, "GET", "/v1/Conversations/"+in.ConversationSid, nil)
	require.Equal(t, "Support: whatsapp:+15550000001", conv["friendly_name"])
	msgs := h.ok(200, "GET", "/v1/Conversations/"+in.ConversationSid+"/Messages", nil)["messages"].([]any)
	require.Len(t, msgs, 1)

	reqs := hook.received()
	require.Len(t, reqs, 2)
	pre := reqs[1].form
	require.Equal(t, "onConversationAdd", pre.Get("EventType"))
	require.Equal(t, "Hello", pre.Get("MessageBody"))
	require.Equal(t, "whatsapp:+15550000001", pre.Get("MessagingBinding.Address"))
	require.Equal(t, "whatsapp:+15559990000", pre.Get("MessagingBinding.ProxyAddress"))
	require.Equal(t, "whatsapp:+15550000001", pre.Get("MessagingBinding.AuthorAddress"))
	require.Equal(t, "WHATSAPP", pre.Get("Source"))
	require.Equal(t, h.srv.DefaultServiceSID(), pre.Get("ChatServiceSid"))
}

// TestSourceOnEveryEvent: every event carries Source: API for REST calls,
// SDK for client-SDK messages, and the emulator's documented values for the
// rest (SMS or WHATSAPP for inbound messages and delivery receipts, SYSTEM
// for timers).
func TestSourceOnEveryEvent(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newHarness(t, conversationstest.WithClock(start))
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url,
		"Filters", "onMessageAdded", "Filters", "onDeliveryUpdated", "Filters", "onConversationStateUpdated",
		"Filters", "onParticipantAdded", "Filters", "onConversationAdded"))
	ch := h.ok(201, "POST", "/v1/Conversations", form("Timers.Inactive", "PT5M", "State", "active"), "X-Twilio-Webhook-Enabled", "true")["sid"].(string)
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "agent"), "X-Twilio-Webhook-Enabled", "true")
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	h.participant(ch, "MessagingBinding.Address", "whatsapp:+15550000002", "MessagingBinding.ProxyAddress", "whatsapp:+15559990000")
	h.srv.Flush()
	mark := len(hook.received())

	_, err := h.srv.SendSMS("+15550000001", "+15559990000", "sms in")
	require.NoError(t, err)
	h.srv.Flush()
	_, err = h.srv.SendWhatsApp("+15550000002", "+15559990000", "wa in")
	require.NoError(t, err)
	h.srv.Flush()
	_, err = h.srv.SendChat(ch, "agent", "sdk")
	require.NoError(t, err)
	h.srv.Flush()
	h.srv.Advance(6 * time.Minute)
	h.srv.Flush()

	reqs := hook.received()
	for _, r := range reqs[:mark] {
		require.Equal(t, "API", r.form.Get("Source"), r.form.Get("EventType"))
	}
	type ev struct{ typ, body, status, source string }
	var got []ev
	for _, r := range reqs[mark:] {
		require.True(t, r.form.Has("Source"), "%s has no Source", r.form.Get("EventType"))
		got = append(got, ev{r.form.Get("EventType"), r.form.Get("Body"), r.form.Get("Status"), r.form.Get("Source")})
	}
	require.Contains(t, got, ev{"onMessageAdded", "sms in", "", "SMS"})
	require.Contains(t, got, ev{"onMessageAdded", "wa in", "", "WHATSAPP"})
	require.Contains(t, got, ev{"onMessageAdded", "sdk", "", "SDK"})
	require.Contains(t, got, ev{"onDeliveryUpdated", "", "delivered", "SMS"})    // the SMS recipient's receipt
	require.Contains(t, got, ev{"onDeliveryUpdated", "", "read", "WHATSAPP"})    // the WhatsApp recipient's
	require.Contains(t, got, ev{"onConversationStateUpdated", "", "", "SYSTEM"}) // the inactive timer
}

// TestCharacterLimits: the 256-character limits count characters, not
// bytes: 256 two-byte characters are accepted, 257 refused, for friendly
// names, identities and addresses.
func TestCharacterLimits(t *testing.T) {
	h := newHarness(t)
	n256, n257 := strings.Repeat("é", 256), strings.Repeat("é", 257)
	ch := h.conversation("FriendlyName", n256)
	h.fails(400, 20001, "POST", "/v1/Conversations", form("FriendlyName", n257))
	h.ok(200, "POST", "/v1/Conversations/"+ch, form("FriendlyName", n256))
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch, form("FriendlyName", n257))

	h.participant(ch, "Identity", n256)
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", n257))
	us := h.ok(201, "POST", "/v1/Users", form("Identity", "ü"+n256[2:], "FriendlyName", n256))["sid"].(string)
	h.fails(400, 20001, "POST", "/v1/Users", form("Identity", n257))
	h.fails(400, 20001, "POST", "/v1/Users/"+us, form("FriendlyName", n257))

	addr := "+1" + strings.Repeat("٠", 254) // Arabic-Indic digits: 2 bytes each
	h.participant(ch, "MessagingBinding.Address", addr, "MessagingBinding.ProxyAddress", "+15559990000")
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants",
		form("MessagingBinding.Address", addr+"٠", "MessagingBinding.ProxyAddress", "+15559990000"))
	mb := h.participant(ch, "Identity", "agent")
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants/"+mb, form("Identity", n257))

	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15550000001", "FriendlyName", n256))
	h.fails(400, 20001, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15550000002", "FriendlyName", n257))
	h.ok(201, "POST", "/v1/Roles", form("FriendlyName", strings.Repeat("ß", 64), "Type", "conversation", "Permission", "sendMessage"))
	h.fails(400, 20001, "POST", "/v1/Roles", form("FriendlyName", strings.Repeat("ß", 65), "Type", "conversation", "Permission", "sendMessage"))

	h.fails(400, 20001, "POST", "/v1/ConversationWithParticipants", url.Values{"Participant": {`{"identity":"` + n257 + `"}`}})
}

// TestWhatsAppReadReceipts: a WhatsApp recipient's receipt moves from sent
// to delivered to read (onDeliveryUpdated with Status read each time);
// SetReadReceipts(address, false) stops it at delivered; SMS never reads.
func TestWhatsAppReadReceipts(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url, "Filters", "onDeliveryUpdated"))
	ch := h.conversation()
	h.participant(ch, "Identity", "agent")
	wa := h.participant(ch, "MessagingBinding.Address", "whatsapp:+15550000002", "MessagingBinding.ProxyAddress", "whatsapp:+15559990000")
	sms := h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")

	im := h.message(ch, "Author", "agent", "Body", "Your order shipped")["sid"].(string)
	h.srv.Flush()
	statuses := func(im string) map[string]string {
		out := map[string]string{}
		for _, r := range h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im+"/Receipts", nil)["delivery_receipts"].([]any) {
			out[r.(obj)["participant_sid"].(string)] = r.(obj)["status"].(string)
		}
		return out
	}
	require.Equal(t, map[string]string{wa: "read", sms: "delivered"}, statuses(im))
	var waSteps []string
	for _, r := range hook.received() {
		if r.form.Get("ParticipantSid") == wa {
			waSteps = append(waSteps, r.form.Get("Status"))
		}
	}
	require.Equal(t, []string{"sent", "delivered", "read"}, waSteps)
	m := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im, nil)
	require.Equal(t, "some", m["delivery"].(obj)["read"])

	h.srv.SetReadReceipts("whatsapp:+15550000002", false)
	im2 := h.message(ch, "Author", "agent", "Body", "Again")["sid"].(string)
	h.srv.Flush()
	require.Equal(t, map[string]string{wa: "delivered", sms: "delivered"}, statuses(im2))
}

// TestContentSidMessages: with ContentSid, Body and MediaSid are ignored
// (not stored, not returned, not sent); ContentVariables must be a JSON
// object of strings (50527).
func TestContentSidMessages(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation()
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	const hx = "HX0123456789abcdef0123456789abcdef"
	m := h.message(ch, "ContentSid", hx, "Body", "ignored", "MediaSid", "ME0123456789abcdef0123456789abcdef",
		"ContentVariables", `{"1":"Ana","2":"5 pm"}`)
	require.Equal(t, hx, m["content_sid"])
	require.Nil(t, m["body"])
	require.Nil(t, m["media"])
	got := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+m["sid"].(string), nil)
	require.Nil(t, got["body"])
	require.Empty(t, h.srv.Received("+15550000001")[0].Body)

	for _, bad := range []string{`{"1":1}`, `["Ana"]`, `"Ana"`, `{"1":`, `null`, `{"1":{"a":"b"}}`} {
		h.fails(400, 50527, "POST", "/v1/Conversations/"+ch+"/Messages", form("ContentSid", hx, "ContentVariables", bad))
	}
}

// TestIdentityConversationLimit: one identity may be in at most 1000
// active or inactive conversations; the 1001st is refused (400, 20001: the
// emulator's choice, Twilio documents no code), and closing one frees a place.
func TestIdentityConversationLimit(t *testing.T) {
	e := conversationstest.New()
	t.Cleanup(e.Close)
	do := func(path string, kv ...string) (int, string) {
		f := form(kv...)
		r := newRequest("POST", path, f.Encode())
		r.SetBasicAuth(e.AccountSID(), e.AuthToken())
		w := newRecorder()
		e.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	var first string
	for i := 0; i < 1000; i++ {
		code, body := do("/v1/Conversations")
		require.Equal(t, 201, code, body)
		sid := body[strings.Index(body, `"sid":"`)+7:][:34]
		if i == 0 {
			first = sid
		}
		code, body = do("/v1/Conversations/"+sid+"/Participants", "Identity", "busy")
		require.Equal(t, 201, code, body)
	}
	code, body := do("/v1/Conversations")
	require.Equal(t, 201, code)
	last := body[strings.Index(body, `"sid":"`)+7:][:34]
	code, body = do("/v1/Conversations/"+last+"/Participants", "Identity", "busy")
	require.Equal(t, 400, code, body)
	require.Contains(t, body, `"code":20001`)
	code, _ = do("/v1/Conversations/"+last+"/Participants", "Identity", "other")
	require.Equal(t, 201, code, "another identity is not limited")

	code, body = do("/v1/Conversations/"+first, "State", "closed")
	require.Equal(t, 200, code, body)
	code, body = do("/v1/Conversations/"+last+"/Participants", "Identity", "busy")
	require.Equal(t, 201, code, body)
}

// TestHugeDurationsRefused: a timer duration that would overflow is refused
// with 50379 instead of wrapping around.
func TestHugeDurationsRefused(t *testing.T) {
	h := newHarness(t)
	for _, d := range []string{"P9999999999999999999Y", "PT9223372036854775807S", "P106752D", "PT99999999999999999999H", "P101Y"} {
		h.fails(400, 50379, "POST", "/v1/Conversations", form("State", "active", "Timers.Inactive", d))
	}
	h.ok(201, "POST", "/v1/Conversations", form("State", "active", "Timers.Closed", "P100Y"))
}

// TestPreEventModsRespectLimits: a pre-event webhook cannot push a field
// past its limit: a friendly_name of 257 characters, or a body over 1600
// characters for a message already sent to SMS, is refused.
func TestPreEventModsRespectLimits(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url,
		"Filters", "onConversationAdd", "Filters", "onConversationUpdate", "Filters", "onMessageUpdate"))
	hook.respond = func(f url.Values) (int, string) {
		switch f.Get("EventType") {
		case "onMessageUpdate":
			return 200, `{"body": "` + strings.Repeat("x", 1601) + `"}`
		case "onConversationAdd", "onConversationUpdate":
			if f.Get("FriendlyName") == "long" {
				return 200, `{"friendly_name": "` + strings.Repeat("é", 257) + `"}`
			}
		}
		return 200, ""
	}
	hdr := []string{"X-Twilio-Webhook-Enabled", "true"}
	h.fails(400, 20001, "POST", "/v1/Conversations", form("FriendlyName", "long"), hdr...)
	ch := h.conversation()
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch, form("FriendlyName", "long"), hdr...)
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	im := h.message(ch, "Body", "short")["sid"].(string)
	h.fails(400, 21617, "POST", "/v1/Conversations/"+ch+"/Messages/"+im, form("Body", "edit"), hdr...)
	require.Equal(t, "short", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im, nil)["body"])
}
