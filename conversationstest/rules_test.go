package conversationstest_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/require"
)

func TestAuth(t *testing.T) {
	h := newHarness(t, conversationstest.WithCredentials("AC11111111111111111111111111111111", "secret-token"),
		conversationstest.WithAPIKey("SK22222222222222222222222222222222", "key-secret"))
	call := func(user, pass string) (int, obj) {
		req, _ := http.NewRequest("GET", h.srv.URL+"/v1/Conversations", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body obj
		_ = decodeJSON(resp, &body)
		return resp.StatusCode, body
	}
	for _, c := range []struct{ user, pass string }{
		{"", ""},
		{"AC11111111111111111111111111111111", "wrong"},
		{conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken},
		{"SK22222222222222222222222222222222", "secret-token"},
	} {
		status, body := call(c.user, c.pass)
		require.Equal(t, 401, status, c.user)
		require.EqualValues(t, 20003, body["code"])
		require.EqualValues(t, 401, body["status"])
	}
	status, _ := call("AC11111111111111111111111111111111", "secret-token")
	require.Equal(t, 200, status)
	status, _ = call("SK22222222222222222222222222222222", "key-secret")
	require.Equal(t, 200, status)
}

func TestNotFound(t *testing.T) {
	h := newHarness(t)
	h.fails(404, 20404, "GET", "/v1/Nope", nil)
	h.fails(404, 20404, "GET", "/v1/Conversations/CH00000000000000000000000000000000", nil)
	h.fails(404, 20404, "GET", "/v1/Conversations/missing/Messages", nil)
	h.fails(404, 20404, "GET", "/v1/Services/IS00000000000000000000000000000000/Conversations", nil)
	ch := h.conversation()
	h.fails(404, 20404, "GET", "/v1/Conversations/"+ch+"/Messages/IM00000000000000000000000000000000", nil)
	h.fails(404, 20404, "DELETE", "/v1/Conversations/"+ch+"/Participants/MB00000000000000000000000000000000", nil)
	h.fails(400, 50363, "GET", "/v1/Conversations/"+ch+"/Webhooks/nope", nil)
}

func TestServices(t *testing.T) {
	h := newHarness(t)
	h.fails(400, 20001, "POST", "/v1/Services", nil)
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "support"))["sid"].(string)
	require.Regexp(t, `^IS[0-9a-f]{32}$`, is)
	list := h.ok(200, "GET", "/v1/Services", nil)["services"].([]any)
	require.Len(t, list, 2) // the default service and this one
	require.Equal(t, h.srv.DefaultServiceSID(), list[0].(obj)["sid"])

	// A conversation of another service is not visible at account level.
	ch := h.ok(201, "POST", "/v1/Services/"+is+"/Conversations", form("UniqueName", "x"))["sid"].(string)
	h.fails(404, 20404, "GET", "/v1/Conversations/"+ch, nil)
	h.ok(200, "GET", "/v1/Services/"+is+"/Conversations/x", nil)
	// Unique names are per service.
	h.conversation("UniqueName", "x")

	h.fails(400, 20001, "DELETE", "/v1/Services/"+h.srv.DefaultServiceSID(), nil)
	h.ok(204, "DELETE", "/v1/Services/"+is, nil)
	h.fails(404, 20404, "GET", "/v1/Services/"+is, nil)
	h.fails(404, 20404, "GET", "/v1/Services/"+is+"/Conversations/x", nil)
}

func TestUniqueNames(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation("UniqueName", "order-42")
	require.Equal(t, ch, h.ok(200, "GET", "/v1/Conversations/order-42", nil)["sid"])
	h.ok(200, "POST", "/v1/Conversations/order-42", form("FriendlyName", "Order 42"))
	h.message("order-42", "Body", "by unique name")
	h.fails(409, 50353, "POST", "/v1/Conversations", form("UniqueName", "order-42"))
	h.fails(400, 50390, "POST", "/v1/Conversations", form("UniqueName", "CH0123456789abcdef0123456789abcdef"))

	// Renaming frees the old name.
	other := h.conversation("UniqueName", "other")
	h.fails(409, 50353, "POST", "/v1/Conversations/"+other, form("UniqueName", "order-42"))
	h.ok(200, "POST", "/v1/Conversations/"+ch, form("UniqueName", "order-43"))
	h.fails(404, 20404, "GET", "/v1/Conversations/order-42", nil)
	h.conversation("UniqueName", "order-42")
	h.ok(204, "DELETE", "/v1/Conversations/order-43", nil)
	h.conversation("UniqueName", "order-43")
}

func TestAttributesMustBeJSON(t *testing.T) {
	h := newHarness(t)
	h.fails(400, 50304, "POST", "/v1/Conversations", form("Attributes", "{not json"))
	ch := h.conversation("Attributes", `{"topic":"billing"}`)
	require.Equal(t, `{"topic":"billing"}`, h.ok(200, "GET", "/v1/Conversations/"+ch, nil)["attributes"])
	h.fails(400, 50304, "POST", "/v1/Conversations/"+ch, form("Attributes", "nope"))
	h.fails(400, 50304, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "a", "Attributes", "["))
	h.fails(400, 50304, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "x", "Attributes", "}"))
	m := h.message(ch, "Body", "x", "Attributes", `{"n":1}`)
	require.Equal(t, `{"n":1}`, m["attributes"])
}

func TestStates(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation()
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch, form("State", "paused"))
	require.Equal(t, "inactive", h.ok(200, "POST", "/v1/Conversations/"+ch, form("State", "inactive"))["state"])
	require.Equal(t, "active", h.ok(200, "POST", "/v1/Conversations/"+ch, form("State", "active"))["state"])
	// A new message moves an inactive conversation back to active.
	h.ok(200, "POST", "/v1/Conversations/"+ch, form("State", "inactive"))
	h.message(ch, "Body", "wake up")
	require.Equal(t, "active", h.ok(200, "GET", "/v1/Conversations/"+ch, nil)["state"])

	h.participant(ch, "Identity", "alice")
	require.Equal(t, "closed", h.ok(200, "POST", "/v1/Conversations/"+ch, form("State", "closed"))["state"])
	// Closed is final.
	h.fails(400, 50377, "POST", "/v1/Conversations/"+ch, form("State", "active"))
	h.fails(400, 50377, "POST", "/v1/Conversations/"+ch, form("FriendlyName", "x"))
	h.fails(400, 50377, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "x"))
	h.fails(400, 50377, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "bob"))
	require.Len(t, h.ok(200, "GET", "/v1/Conversations", form("State", "closed"))["conversations"], 1)
	require.Len(t, h.ok(200, "GET", "/v1/Conversations", form("State", "active"))["conversations"], 0)
	h.ok(204, "DELETE", "/v1/Conversations/"+ch, nil)
}

func TestTimers(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, conversationstest.WithClock(start))
	h.fails(400, 50375, "POST", "/v1/Conversations", form("Timers.Inactive", "PT30S"))
	h.fails(400, 50376, "POST", "/v1/Conversations", form("Timers.Closed", "PT5M"))
	h.fails(400, 50379, "POST", "/v1/Conversations", form("Timers.Inactive", "5 minutes"))
	h.fails(400, 50382, "POST", "/v1/Conversations", form("Timers.Inactive", "PT5M"))

	conv := h.ok(201, "POST", "/v1/Conversations", form("State", "active", "Timers.Inactive", "PT1M", "Timers.Closed", "PT10M"))
	ch := conv["sid"].(string)
	require.Equal(t, obj{"date_inactive": "2025-03-01T12:01:00Z", "date_closed": "2025-03-01T12:10:00Z"}, conv["timers"])
	require.Equal(t, "2025-03-01T12:00:00Z", conv["date_created"])

	h.srv.Advance(61 * time.Second)
	conv = h.ok(200, "GET", "/v1/Conversations/"+ch, nil)
	require.Equal(t, "inactive", conv["state"])
	require.Equal(t, obj{"date_closed": "2025-03-01T12:10:00Z"}, conv["timers"])

	// A message reactivates it and restarts both timers.
	h.message(ch, "Body", "still there?")
	conv = h.ok(200, "GET", "/v1/Conversations/"+ch, nil)
	require.Equal(t, "active", conv["state"])
	require.Equal(t, obj{"date_inactive": "2025-03-01T12:02:01Z", "date_closed": "2025-03-01T12:11:01Z"}, conv["timers"])

	h.srv.Advance(10 * time.Minute)
	conv = h.ok(200, "GET", "/v1/Conversations/"+ch, nil)
	require.Equal(t, "closed", conv["state"])
	require.Equal(t, obj{}, conv["timers"])

	// PT0S disables a timer.
	ch2 := h.conversation("State", "active", "Timers.Inactive", "PT2M")
	conv = h.ok(200, "POST", "/v1/Conversations/"+ch2, form("Timers.Inactive", "PT0S"))
	require.Equal(t, obj{}, conv["timers"])
	h.srv.Advance(time.Hour)
	require.Equal(t, "active", h.ok(200, "GET", "/v1/Conversations/"+ch2, nil)["state"])
}

func TestTimerStateWebhook(t *testing.T) {
	h := newHarness(t, conversationstest.WithClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)))
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url+"/post", "Filters", "onConversationStateUpdated"))
	ch := h.conversation("State", "active", "Timers.Inactive", "PT1M")
	h.srv.Advance(2 * time.Minute)
	h.srv.Flush()
	reqs := hook.received()
	require.Len(t, reqs, 1)
	f := reqs[0].form
	require.Equal(t, "onConversationStateUpdated", f.Get("EventType"))
	require.Equal(t, ch, f.Get("ConversationSid"))
	require.Equal(t, "active", f.Get("StateFrom"))
	require.Equal(t, "inactive", f.Get("StateTo"))
	require.Equal(t, "TIMER", f.Get("Reason"))
}

func TestParticipantRules(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation()
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants", nil)
	// An SMS address without a proxy address is a Group MMS member (group_mms_test.go); WhatsApp needs one.
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants", form("MessagingBinding.Address", "whatsapp:+15550000001"))
	h.fails(400, 50409, "POST", "/v1/Conversations/"+ch+"/Participants",
		form("MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15550000001"))

	alice := h.participant(ch, "Identity", "alice")
	h.fails(409, 50433, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "alice"))
	require.Equal(t, alice, h.ok(200, "GET", "/v1/Conversations/"+ch+"/Participants/alice", nil)["sid"])

	pair := form("MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants", pair)
	other := h.conversation()
	h.fails(409, 50416, "POST", "/v1/Conversations/"+other+"/Participants", pair)
	// The same address through another proxy number is fine.
	h.participant(other, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990001")
	// Once the first conversation is closed, the pair is free.
	h.ok(200, "POST", "/v1/Conversations/"+ch, form("State", "closed"))
	third := h.conversation()
	h.ok(201, "POST", "/v1/Conversations/"+third+"/Participants", pair)

	// Update and delete.
	p := h.ok(200, "POST", "/v1/Conversations/"+third+"/Participants/"+
		h.ok(200, "GET", "/v1/Conversations/"+third+"/Participants", nil)["participants"].([]any)[0].(obj)["sid"].(string),
		form("Attributes", `{"vip":true}`, "LastReadMessageIndex", "3"))
	require.Equal(t, `{"vip":true}`, p["attributes"])
	require.EqualValues(t, 3, p["last_read_message_index"])
	h.ok(204, "DELETE", "/v1/Conversations/"+third+"/Participants/"+p["sid"].(string), nil)
	require.Empty(t, h.ok(200, "GET", "/v1/Conversations/"+third+"/Participants", nil)["participants"])
}

func TestParticipantLimits(t *testing.T) {
	h := newHarness(t, conversationstest.WithParticipantLimits(4, 2))
	ch := h.conversation()
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	h.participant(ch, "MessagingBinding.Address", "+15550000002", "MessagingBinding.ProxyAddress", "+15559990000")
	h.fails(400, 50422, "POST", "/v1/Conversations/"+ch+"/Participants",
		form("MessagingBinding.Address", "+15550000003", "MessagingBinding.ProxyAddress", "+15559990000"))
	h.participant(ch, "Identity", "a")
	h.participant(ch, "Identity", "b")
	h.fails(400, 50417, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "c"))
}

func TestDefaultNonChatLimit(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation()
	for i := range 50 {
		h.participant(ch, "MessagingBinding.Address", fmt.Sprintf("+1555000%04d", i), "MessagingBinding.ProxyAddress", "+15559990000")
	}
	h.fails(400, 50422, "POST", "/v1/Conversations/"+ch+"/Participants",
		form("MessagingBinding.Address", "+15550009999", "MessagingBinding.ProxyAddress", "+15559990000"))
}

func TestMessages(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation()
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Messages", nil)
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Messages", form("MediaSid", "nope"))
	var sids []string
	for i := range 4 {
		m := h.message(ch, "Body", "m"+strconv.Itoa(i))
		require.EqualValues(t, i, m["index"])
		require.Nil(t, m["delivery"], "no non-chat participant")
		sids = append(sids, m["sid"].(string))
	}
	h.ok(204, "DELETE", "/v1/Conversations/"+ch+"/Messages/"+sids[3], nil)
	require.EqualValues(t, 4, h.message(ch, "Body", "after delete")["index"], "indexes are not reused")

	desc := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", form("Order", "DeSc"))["messages"].([]any)
	require.Equal(t, "after delete", desc[0].(obj)["body"])
	asc := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", form("Order", "asc"))["messages"].([]any)
	require.Equal(t, "m0", asc[0].(obj)["body"])
	h.fails(400, 20001, "GET", "/v1/Conversations/"+ch+"/Messages", form("Order", "sideways"))

	up := h.ok(200, "POST", "/v1/Conversations/"+ch+"/Messages/"+sids[0], form("Body", "edited", "Author", "bob"))
	require.Equal(t, "edited", up["body"])
	require.Equal(t, "bob", up["author"])

	// Media must be uploaded first (media_test.go covers attaching it).
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Messages", form("MediaSid", "ME0123456789abcdef0123456789abcdef"))

	long := make([]byte, 1601)
	for i := range long {
		long[i] = 'x'
	}
	h.message(ch, "Body", string(long)) // chat only: allowed
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	h.fails(400, 21617, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", string(long)))
}

func TestDeliveries(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation()
	h.participant(ch, "Identity", "agent")
	ok := h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	h.participant(ch, "MessagingBinding.Address", "whatsapp:+15550000002", "MessagingBinding.ProxyAddress", "whatsapp:+15559990000")
	h.participant(ch, "MessagingBinding.Address", "+15550000003", "MessagingBinding.ProxyAddress", "+15559990000")
	h.srv.FailDeliveriesTo("+15550000003", conversations.DeliveryUndelivered)

	m := h.message(ch, "Body", "Your order shipped", "Author", "agent")
	require.Equal(t, obj{"total": 3.0, "sent": "all", "delivered": "none", "read": "none", "failed": "none", "undelivered": "none"}, m["delivery"])
	h.srv.Flush()
	im := m["sid"].(string)
	m = h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im, nil)
	// The WhatsApp user reads it (read counts as delivered too).
	require.Equal(t, obj{"total": 3.0, "sent": "some", "delivered": "some", "read": "some", "failed": "none", "undelivered": "some"}, m["delivery"])

	receipts := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im+"/Receipts", nil)["delivery_receipts"].([]any)
	require.Len(t, receipts, 3)
	byParticipant := map[string]obj{}
	for _, r := range receipts {
		byParticipant[r.(obj)["participant_sid"].(string)] = r.(obj)
	}
	require.Equal(t, "delivered", byParticipant[ok]["status"])
	require.EqualValues(t, 0, byParticipant[ok]["error_code"])

	got := h.srv.Received("+15550000001")
	require.Len(t, got, 1)
	require.Equal(t, "Your order shipped", got[0].Body)
	require.Equal(t, "+15559990000", got[0].From)
	require.Equal(t, "sms", got[0].Channel)
	require.Len(t, h.srv.Received("whatsapp:+15550000002"), 1)
	require.Empty(t, h.srv.Received("+15550000003"), "undelivered")

	// An inbound SMS is relayed to the others but not back to its sender.
	in, err := h.srv.SendSMS("+15550000001", "+15559990000", "Thanks!")
	require.NoError(t, err)
	require.Equal(t, ch, in.ConversationSid)
	require.Equal(t, ok, in.ParticipantSid)
	require.Equal(t, 1, in.Index)
	require.Len(t, h.srv.Received("+15550000001"), 1)
	wa := h.srv.Received("whatsapp:+15550000002")
	require.Len(t, wa, 2)
	require.Equal(t, "Thanks!", wa[1].Body)
	require.Equal(t, "whatsapp:+15559990000", wa[1].From)

	_, err = h.srv.SendSMS("+15550000009", "+15559990000", "who?")
	require.ErrorIs(t, err, conversationstest.ErrNoConversation)
	in, err = h.srv.SendWhatsApp("+15550000002", "+15559990000", "via WhatsApp")
	require.NoError(t, err)
	msg := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+in.MessageSid, nil)
	require.Equal(t, "whatsapp:+15550000002", msg["author"])
	require.Equal(t, "via WhatsApp", msg["body"])

	_, err = h.srv.SendChat(ch, "agent", "from the app")
	require.NoError(t, err)
	_, err = h.srv.SendChat(ch, "stranger", "hi")
	require.Error(t, err)
}
