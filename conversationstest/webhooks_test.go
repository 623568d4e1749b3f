package conversationstest_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/require"
)

var webhookOn = []string{"X-Twilio-Webhook-Enabled", "true"}

func TestPostEventDelivery(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form(
		"PostWebhookUrl", hook.url+"/post?tenant=1",
		"Filters", "onConversationAdded", "Filters", "onMessageAdded", "Filters", "onParticipantAdded"))

	// Without X-Twilio-Webhook-Enabled, REST actions fire nothing.
	ch := h.conversation()
	h.message(ch, "Body", "quiet")
	h.srv.Flush()
	require.Empty(t, hook.events())

	ch = h.ok(201, "POST", "/v1/Conversations", form("FriendlyName", "loud"), webhookOn...)["sid"].(string)
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "alice"), webhookOn...)
	m := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "hello", "Author", "alice", "Attributes", `{"a":1}`), webhookOn...)
	// Not in Filters: not sent.
	h.ok(200, "POST", "/v1/Conversations/"+ch, form("FriendlyName", "renamed"), webhookOn...)
	h.srv.Flush()
	require.Equal(t, []string{"onConversationAdded", "onParticipantAdded", "onMessageAdded"}, hook.events())

	reqs := hook.received()
	for _, r := range reqs {
		require.Equal(t, "POST", r.method)
		require.Equal(t, "application/x-www-form-urlencoded; charset=utf-8", r.header.Get("Content-Type"))
		require.Equal(t, "TwilioProxy/1.1", r.header.Get("User-Agent"))
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.header.Get("I-Twilio-Idempotency-Token"))
		require.Equal(t, h.srv.AccountSID(), r.form.Get("AccountSid"))
		require.Equal(t, "API", r.form.Get("Source"))
		require.Equal(t, ch, r.form.Get("ConversationSid"))
		require.Equal(t, h.srv.DefaultServiceSID(), r.form.Get("ChatServiceSid"))
	}
	msg := reqs[2].form
	require.Equal(t, m["sid"], msg.Get("MessageSid"))
	require.Equal(t, "0", msg.Get("Index"))
	require.Equal(t, "hello", msg.Get("Body"))
	require.Equal(t, "alice", msg.Get("Author"))
	require.Equal(t, m["participant_sid"], msg.Get("ParticipantSid"))
	require.Equal(t, `{"a":1}`, msg.Get("Attributes"))
	require.Equal(t, m["date_created"], msg.Get("DateCreated"))
	require.Equal(t, "alice", reqs[1].form.Get("Identity"))
	require.Equal(t, "CHAT", reqs[1].form.Get("MessagingBinding.Type"))
	require.Equal(t, "loud", reqs[0].form.Get("FriendlyName"))
}

func TestInboundAlwaysFires(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url, "Filters", "onMessageAdded", "Filters", "onDeliveryUpdated"))
	ch := h.conversation()
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	h.participant(ch, "MessagingBinding.Address", "+15550000002", "MessagingBinding.ProxyAddress", "+15559990000")
	_, err := h.srv.SendSMS("+15550000001", "+15559990000", "hi")
	require.NoError(t, err)
	h.srv.Flush()
	reqs := hook.received()
	require.Equal(t, []string{"onMessageAdded", "onDeliveryUpdated", "onDeliveryUpdated"}, hook.events())
	require.Equal(t, "SMS", reqs[0].form.Get("Source")) // the emulator's assumption, as captured payloads show
	require.Equal(t, "+15550000001", reqs[0].form.Get("Author"))
	require.Equal(t, "sent", reqs[1].form.Get("Status"))
	require.Equal(t, "delivered", reqs[2].form.Get("Status"))
	require.Regexp(t, `^DY[0-9a-f]{32}$`, reqs[2].form.Get("DeliveryReceiptSid"))
	require.Regexp(t, `^SM[0-9a-f]{32}$`, reqs[2].form.Get("ChannelMessageSid"))
}

func TestServiceWebhooksAndGET(t *testing.T) {
	h := newHarness(t)
	global, local := h.newHook(), h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", global.url, "Filters", "onConversationAdded"))
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "s"))["sid"].(string)
	cfg := h.ok(200, "POST", "/v1/Services/"+is+"/Configuration/Webhooks", form(
		"PostWebhookUrl", local.url+"/hook?x=1", "Method", "GET", "Filters", "onConversationAdded"))
	require.Equal(t, "GET", cfg["method"])
	require.Equal(t, []any{"onConversationAdded"}, cfg["filters"])

	h.ok(201, "POST", "/v1/Services/"+is+"/Conversations", form("FriendlyName", "a b&c"), webhookOn...)
	h.ok(201, "POST", "/v1/Conversations", nil, webhookOn...)
	h.srv.Flush()
	require.Equal(t, []string{"onConversationAdded"}, global.events())
	require.Equal(t, []string{"onConversationAdded"}, local.events())
	r := local.received()[0]
	require.Equal(t, "GET", r.method)
	require.Equal(t, "a b&c", r.form.Get("FriendlyName"))
	require.Equal(t, "1", r.form.Get("x"))
	require.Equal(t, is, r.form.Get("ChatServiceSid"))
}

func TestScopedWebhooks(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	ch := h.conversation()
	base := "/v1/Conversations/" + ch + "/Webhooks"
	h.fails(400, 20001, "POST", base, nil)
	h.fails(400, 20001, "POST", base, form("Target", "webhook"))
	w := h.ok(201, "POST", base, form("Target", "webhook", "Configuration.Url", hook.url+"/scoped",
		"Configuration.Method", "POST", "Configuration.Filters", "onMessageAdded", "Configuration.Filters", "onParticipantAdded"))
	require.Equal(t, obj{"url": hook.url + "/scoped", "method": "post", "filters": []any{"onMessageAdded", "onParticipantAdded"}}, w["configuration"])
	trig := h.ok(201, "POST", base, form("Target", "trigger", "Configuration.Url", hook.url+"/trigger", "Configuration.Triggers", "help"))
	for range 3 {
		h.ok(201, "POST", base, form("Target", "studio", "Configuration.FlowSid", "FW0123456789abcdef0123456789abcdef"))
	}
	h.fails(400, 50361, "POST", base, form("Target", "studio", "Configuration.FlowSid", "FW0123456789abcdef0123456789abcdef"))
	list := h.ok(200, "GET", base, form("PageSize", "50"))
	require.EqualValues(t, 5, list["meta"].(obj)["page_size"])
	require.Len(t, list["webhooks"], 5)

	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "hello"), webhookOn...)
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "I need HELP now"), webhookOn...)
	h.srv.Flush()
	require.Equal(t, []string{"onMessageAdded", "onMessageAdded", "onMessageAdded"}, hook.events())
	paths := []string{}
	for _, r := range hook.received() {
		paths = append(paths, r.form.Get("Body"))
	}
	require.Equal(t, []string{"hello", "I need HELP now", "I need HELP now"}, paths)

	up := h.ok(200, "POST", base+"/"+trig["sid"].(string), form("Configuration.Triggers", "stop"))
	require.Equal(t, []any{"stop"}, up["configuration"].(obj)["filters"])
	h.ok(204, "DELETE", base+"/"+w["sid"].(string), nil)
	h.fails(404, 20404, "GET", base+"/"+w["sid"].(string), nil)

	// ReplayAfter sends the earlier messages from that index on.
	replay := h.newHook()
	h.ok(204, "DELETE", base+"/"+trig["sid"].(string), nil)
	h.ok(201, "POST", base, form("Target", "webhook", "Configuration.Url", replay.url, "Configuration.Filters", "onMessageAdded", "Configuration.ReplayAfter", "1"))
	h.srv.Flush()
	require.Len(t, replay.received(), 1)
	require.Equal(t, "1", replay.received()[0].form.Get("Index"))
}

func TestPreEventReject(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	hook.respond = func(f url.Values) (int, string) {
		if strings.Contains(f.Get("Body"), "spam") || f.Get("Identity") == "mallory" {
			return 403, ""
		}
		return 200, ""
	}
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url,
		"Filters", "onMessageAdd", "Filters", "onParticipantAdd", "Filters", "onConversationRemove"))
	ch := h.conversation()
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "spam!"), "X-Twilio-Webhook-Enabled", "false")
	h.fails(403, 20403, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "more spam"), webhookOn...)
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "ham"), webhookOn...)
	h.fails(403, 20403, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "mallory"), webhookOn...)
	require.Len(t, h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", nil)["messages"], 2)
	require.Empty(t, h.ok(200, "GET", "/v1/Conversations/"+ch+"/Participants", nil)["participants"])

	r := hook.received()[0]
	require.Equal(t, "onMessageAdd", r.form.Get("EventType"))
	require.False(t, r.form.Has("MessageSid"), "a pre-event has no MessageSid yet")
	require.Equal(t, "more spam", r.form.Get("Body"))

	// Inbound messages always go through the pre-event hook.
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	_, err := h.srv.SendSMS("+15550000001", "+15559990000", "buy spam")
	require.ErrorIs(t, err, conversationstest.ErrRejected)

	hook.respond = func(url.Values) (int, string) { return 500, "" }
	h.fails(403, 20403, "DELETE", "/v1/Conversations/"+ch, nil, webhookOn...)
	h.ok(200, "GET", "/v1/Conversations/"+ch, nil)
}

func TestPreEventModify(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	hook.respond = func(f url.Values) (int, string) {
		switch f.Get("EventType") {
		case "onMessageAdd":
			return 200, `{"body": "[filtered] ` + f.Get("Body") + `", "attributes": "{\"checked\":true}"}`
		case "onMessageUpdate":
			return 200, `{"author": "moderator"}`
		case "onConversationAdd":
			return 200, `{"friendly_name": "Renamed by hook"}`
		}
		return 200, "{}"
	}
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url,
		"Filters", "onMessageAdd", "Filters", "onMessageUpdate", "Filters", "onConversationAdd", "Filters", "onConversationUpdate"))
	conv := h.ok(201, "POST", "/v1/Conversations", form("FriendlyName", "mine"), webhookOn...)
	require.Equal(t, "Renamed by hook", conv["friendly_name"])
	ch := conv["sid"].(string)
	require.Equal(t, "x", h.ok(200, "POST", "/v1/Conversations/"+ch, form("FriendlyName", "x"), webhookOn...)["friendly_name"])
	m := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "hi", "Author", "bob"), webhookOn...)
	require.Equal(t, "[filtered] hi", m["body"])
	require.Equal(t, `{"checked":true}`, m["attributes"])
	require.Equal(t, "bob", m["author"])
	m = h.ok(200, "POST", "/v1/Conversations/"+ch+"/Messages/"+m["sid"].(string), form("Body", "edit"), webhookOn...)
	require.Equal(t, "moderator", m["author"])
	require.Equal(t, "edit", m["body"])

	// A change that fails validation is an error for the caller.
	hook.respond = func(url.Values) (int, string) { return 200, `{"attributes": "{broken"}` }
	h.fails(400, 50304, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "x"), webhookOn...)
}

func TestPreEventTimeoutFailsOpen(t *testing.T) {
	h := newHarness(t, conversationstest.WithWebhookTimeout(100*time.Millisecond))
	hook := h.newHook()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	hook.respond = func(url.Values) (int, string) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		return 403, ""
	}
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url, "Filters", "onMessageAdd"))
	ch := h.conversation()
	start := time.Now()
	m := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "slow hook"), webhookOn...)
	require.Less(t, time.Since(start), 2*time.Second)
	require.Equal(t, "slow hook", m["body"])
}

func TestPreEventUnreachableFailsOpen(t *testing.T) {
	h := newHarness(t)
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", "http://127.0.0.1:1/nothing", "Filters", "onMessageAdd"))
	ch := h.conversation()
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "x"), webhookOn...)
}

// TestWebhookRoundTrip is the bot flow: an SMS user writes, the post-event
// webhook fires, the bot answers over REST, and the reply reaches the phone.
func TestWebhookRoundTrip(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	hook.respond = func(f url.Values) (int, string) {
		if f.Get("Author") == "bot" {
			return 200, ""
		}
		// Called from the webhook goroutine, as a real bot server would.
		code, _ := h.do("POST", "/v1/Conversations/"+f.Get("ConversationSid")+"/Messages",
			form("Author", "bot", "Body", "You said: "+f.Get("Body")))
		if code != 201 {
			t.Errorf("reply failed: %d", code)
		}
		return 200, ""
	}
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url, "Filters", "onMessageAdded"))
	ch := h.conversation()
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	_, err := h.srv.SendSMS("+15550000001", "+15559990000", "hello bot")
	require.NoError(t, err)
	h.srv.Flush()
	got := h.srv.Received("+15550000001")
	require.Len(t, got, 1)
	require.Equal(t, "You said: hello bot", got[0].Body)
	require.Equal(t, "bot", got[0].Author)
}

func TestPagination(t *testing.T) {
	h := newHarness(t)
	var want []string
	for i := range 7 {
		want = append(want, h.conversation("FriendlyName", fmt.Sprint(i)))
	}
	var got []string
	next := h.srv.URL + "/v1/Conversations?PageSize=3"
	pages := 0
	var prev any
	for next != "" {
		page := h.ok(200, "GET", next, nil)
		meta := page["meta"].(obj)
		require.EqualValues(t, 3, meta["page_size"])
		require.EqualValues(t, pages, meta["page"])
		require.Equal(t, "conversations", meta["key"])
		require.Equal(t, h.srv.URL+"/v1/Conversations?PageSize=3&Page=0", meta["first_page_url"])
		if pages == 0 {
			require.Nil(t, meta["previous_page_url"])
		} else {
			require.NotNil(t, meta["previous_page_url"])
			prev = meta["previous_page_url"]
		}
		for _, c := range page["conversations"].([]any) {
			got = append(got, c.(obj)["sid"].(string))
		}
		next, _ = meta["next_page_url"].(string)
		pages++
	}
	require.Equal(t, 3, pages)
	require.Equal(t, want, got)
	back := h.ok(200, "GET", prev.(string), nil)
	require.Equal(t, want[3], back["conversations"].([]any)[0].(obj)["sid"])

	h.fails(400, 21481, "GET", "/v1/Conversations", form("PageToken", "garbage"))
	h.fails(400, 20001, "GET", "/v1/Conversations", form("PageSize", "0"))
	require.EqualValues(t, 100, h.ok(200, "GET", "/v1/Conversations", form("PageSize", "1000"))["meta"].(obj)["page_size"])
	require.EqualValues(t, 50, h.ok(200, "GET", "/v1/Conversations", nil)["meta"].(obj)["page_size"])

	// Filters stay in the page URLs.
	ch := want[0]
	for range 4 {
		h.message(ch, "Body", "x")
	}
	page := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", form("Order", "desc", "PageSize", "2"))
	meta := page["meta"].(obj)
	require.Equal(t, h.srv.URL+"/v1/Conversations/"+ch+"/Messages?Order=desc&PageSize=2&Page=0", meta["url"])
	next, _ = meta["next_page_url"].(string)
	require.Contains(t, next, "Order=desc&PageSize=2&Page=1&PageToken=")
	page = h.ok(200, "GET", next, nil)
	require.EqualValues(t, 1, page["messages"].([]any)[0].(obj)["index"])

	// Receipts cap PageSize at 50.
	im := h.message(ch, "Body", "y")["sid"].(string)
	require.EqualValues(t, 50, h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im+"/Receipts", form("PageSize", "100"))["meta"].(obj)["page_size"])
}

// A delete between two page requests does not make the next page skip an
// item: the page token remembers the last item returned, not an offset.
func TestPaginationSurvivesDeletes(t *testing.T) {
	h := newHarness(t)
	var sids []string
	for i := range 5 {
		sids = append(sids, h.conversation("FriendlyName", fmt.Sprint(i)))
	}
	page := h.ok(200, "GET", "/v1/Conversations", form("PageSize", "2"))
	first := page["conversations"].([]any)
	require.Len(t, first, 2)
	next := page["meta"].(obj)["next_page_url"].(string)

	// Another client deletes an item of the page already read.
	h.ok(204, "DELETE", "/v1/Conversations/"+sids[0], nil)
	page = h.ok(200, "GET", next, nil)
	got := page["conversations"].([]any)
	require.Len(t, got, 2)
	require.Equal(t, sids[2], got[0].(obj)["sid"], "the next page starts after the last item read")
	require.Equal(t, sids[3], got[1].(obj)["sid"])

	// The last item read may itself be deleted: the token also remembers
	// the first item of the next page.
	next = page["meta"].(obj)["next_page_url"].(string)
	h.ok(204, "DELETE", "/v1/Conversations/"+sids[3], nil)
	page = h.ok(200, "GET", next, nil)
	got = page["conversations"].([]any)
	require.Len(t, got, 1)
	require.Equal(t, sids[4], got[0].(obj)["sid"])
	require.Nil(t, page["meta"].(obj)["next_page_url"])
}

func TestListConversationsByDate(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, conversationstest.WithClock(start))
	a := h.conversation()
	h.srv.Advance(48 * time.Hour)
	b := h.conversation()
	h.srv.Advance(48 * time.Hour)
	c := h.conversation()
	ids := func(page obj) []string {
		var out []string
		for _, c := range page["conversations"].([]any) {
			out = append(out, c.(obj)["sid"].(string))
		}
		return out
	}
	require.Equal(t, []string{a, b, c}, ids(h.ok(200, "GET", "/v1/Conversations", nil)))
	require.Equal(t, []string{c, b}, ids(h.ok(200, "GET", "/v1/Conversations", form("StartDate", "2025-03-02T00:00:00Z"))))
	require.Equal(t, []string{b, a}, ids(h.ok(200, "GET", "/v1/Conversations", form("EndDate", "2025-03-03"))))
	// Imports may set DateCreated.
	d := h.ok(201, "POST", "/v1/Conversations", form("DateCreated", "2020-01-01T00:00:00Z"))
	require.Equal(t, "2020-01-01T00:00:00Z", d["date_created"])
}

func TestConcurrentMessages(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url, "Filters", "onMessageAdded"))
	ch := h.conversation()
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ok(201, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", fmt.Sprint(i)), webhookOn...)
			h.ok(200, "GET", "/v1/Conversations/"+ch, nil)
			h.srv.Received("+15550000001")
		}()
	}
	wg.Wait()
	h.srv.Flush()
	msgs := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", form("PageSize", "100"))["messages"].([]any)
	require.Len(t, msgs, n)
	for i, m := range msgs {
		require.EqualValues(t, i, m.(obj)["index"])
		require.Equal(t, "all", m.(obj)["delivery"].(obj)["delivered"])
	}
	require.Len(t, h.srv.Received("+15550000001"), n)
	// Webhooks arrive in index order.
	reqs := hook.received()
	require.Len(t, reqs, n)
	for i, r := range reqs {
		require.Equal(t, fmt.Sprint(i), r.form.Get("Index"))
	}
}

func TestHandlerWithoutServer(t *testing.T) {
	emu := conversationstest.New()
	t.Cleanup(emu.Close)
	rec := newRecorder()
	req := newRequest("POST", "http://example.test/v1/Conversations", "FriendlyName=direct")
	req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
	emu.ServeHTTP(rec, req)
	require.Equal(t, 201, rec.Code)
	var body obj
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.True(t, strings.HasPrefix(body["url"].(string), "http://example.test/v1/Conversations/CH"))
}
