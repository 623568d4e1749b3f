package conversationstest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// ctl sends a control API request with the emulator's credentials; body, if
// not nil, is sent as JSON (a string is sent as it is). header holds pairs;
// "auth", "none" drops the credentials. It returns the status, the decoded
// body and the header.
func (h *harness) ctl(method, path string, body any, header ...string) (int, obj, http.Header) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(h.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	require.NoError(h.t, err)
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		switch {
		case header[i] == "auth" && header[i+1] == "none":
			req.Header.Del("Authorization")
		case header[i] == "Host":
			req.Host = header[i+1]
		default:
			req.Header.Set(header[i], header[i+1])
		}
	}
	return h.send(req)
}

// ctlOK sends a control request that must answer status.
func (h *harness) ctlOK(status int, method, path string, body any, header ...string) obj {
	h.t.Helper()
	got, out, _ := h.ctl(method, path, body, header...)
	require.Equal(h.t, status, got, "body: %v", out)
	return out
}

// ctlFails sends a control request that must fail with status and a message
// containing want.
func (h *harness) ctlFails(status int, want, method, path string, body any, header ...string) {
	h.t.Helper()
	got, out, hdr := h.ctl(method, path, body, header...)
	require.Equal(h.t, status, got, "body: %v", out)
	require.EqualValues(h.t, status, out["status"])
	require.Contains(h.t, out["message"], want)
	require.Empty(h.t, hdr.Get("WWW-Authenticate"), "never a browser auth challenge on /_emulator/")
}

// smsPair makes a conversation with two SMS participants on one proxy
// number and returns its SID.
func (h *harness) smsPair(a, b, proxy string) string {
	h.t.Helper()
	ch := h.conversation("FriendlyName", "pair")
	h.participant(ch, "MessagingBinding.Address", a, "MessagingBinding.ProxyAddress", proxy)
	h.participant(ch, "MessagingBinding.Address", b, "MessagingBinding.ProxyAddress", proxy)
	return ch
}

func TestControlHealthAndAuth(t *testing.T) {
	h := newHarness(t)
	assert.Equal(t, obj{"status": "ok"}, h.ctlOK(200, "GET", "/_emulator/health", nil, "auth", "none"))

	for _, r := range []struct{ method, path string }{
		{"GET", "/_emulator/state"}, {"PUT", "/_emulator/state"}, {"POST", "/_emulator/reset"},
		{"POST", "/_emulator/inbound"}, {"GET", "/_emulator/phones/+15550000001"}, {"POST", "/_emulator/deliveries"},
		{"POST", "/_emulator/clock"}, {"GET", "/_emulator/webhooks"}, {"POST", "/_emulator/bindings"},
	} {
		h.ctlFails(401, "credentials", r.method, r.path, "{}", "auth", "none")
	}
	// Wrong token: refused the same way, without a challenge.
	h.ctlFails(401, "credentials", "GET", "/_emulator/state", nil, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(h.srv.AccountSID()+":wrong")))
	// The REST API answers 401 without a challenge too, so no browser
	// caches credentials a cross-site form post would then carry.
	req, _ := http.NewRequest("GET", h.srv.URL+"/v1/Conversations", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("WWW-Authenticate"))

	h.ctlFails(404, "no control route", "GET", "/_emulator/nothing", nil)
	h.ctlFails(404, "no control route", "DELETE", "/_emulator/state", nil)
}

func TestControlGuards(t *testing.T) {
	h := newHarness(t, conversationstest.WithAllowedHosts("emulator.internal", " Box.Local ")) // as -allow-host "a, b" splits
	port := strings.TrimPrefix(h.srv.URL, "http://127.0.0.1:")

	// DNS rebinding: a foreign Host is refused on every control path, health included.
	h.ctlFails(403, "DNS rebinding", "GET", "/_emulator/health", nil, "Host", "evil.example:"+port)
	h.ctlFails(403, "DNS rebinding", "GET", "/_emulator/state", nil, "Host", "evil.example:"+port)
	h.ctlFails(403, "DNS rebinding", "POST", "/_emulator/reset", "{}", "Host", "evil.example")
	// The right name on the wrong port is refused too.
	h.ctlFails(403, "DNS rebinding", "GET", "/_emulator/health", nil, "Host", "127.0.0.1:1")
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "LOCALHOST:" + port, "emulator.internal:" + port, "box.local:" + port} {
		h.ctlOK(200, "GET", "/_emulator/health", nil, "Host", host)
	}
	// The REST API's Host cases are in guard_test.go.

	// Cross-site requests: a foreign Origin is refused, the emulator's own passes.
	h.ctlFails(403, "cross-origin", "POST", "/_emulator/reset", "{}", "Origin", "http://evil.example")
	h.ctlFails(403, "cross-origin", "GET", "/_emulator/state", nil, "Origin", "http://evil.example")
	h.ctlFails(403, "cross-origin", "POST", "/_emulator/clock", `{"advance":"PT1M"}`, "Origin", "null")
	h.ctlFails(403, "cross-origin", "POST", "/_emulator/reset", "{}", "Origin", "http://localhost:"+port) // Host is 127.0.0.1
	h.ctlOK(200, "POST", "/_emulator/reset", "{}", "Origin", h.srv.URL)

	// JSON bodies only: a form post (what a cross-site <form> can send) is refused.
	h.ctlFails(415, "application/json", "POST", "/_emulator/reset", "{}", "Content-Type", "application/x-www-form-urlencoded")
	h.ctlFails(415, "application/json", "POST", "/_emulator/clock", "advance=PT1M", "Content-Type", "text/plain")
	h.ctlFails(415, "application/json", "PUT", "/_emulator/state", "{}", "Content-Type", "multipart/form-data; boundary=x")
	h.ctlOK(200, "POST", "/_emulator/reset", "{}", "Content-Type", "application/json; charset=utf-8")
}

func TestControlInboundSMSAutoCreation(t *testing.T) {
	h := newHarness(t)
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000",
		"AutoCreation.Enabled", "true", "AutoCreation.Type", "default"))

	in := obj{"channel": "sms", "from": "+15550000001", "to": "+15559990000", "body": "hello"}
	first := h.ctlOK(201, "POST", "/_emulator/inbound", in)
	assert.Equal(t, true, first["created_conversation"])
	conv, msg := first["conversation"].(obj), first["message"].(obj)
	assert.Equal(t, "active", conv["state"])
	assert.Equal(t, "hello", msg["body"])
	assert.Equal(t, "+15550000001", msg["author"])
	assert.Equal(t, conv["sid"], msg["conversation_sid"])
	assert.Equal(t, first["participant_sid"], msg["participant_sid"])
	assert.EqualValues(t, 0, msg["index"])
	// The same REST shapes as the API's own.
	requireShape(t, "FetchConversation", "", conv)
	assert.Equal(t, h.ok(200, "GET", "/v1/Conversations/"+conv["sid"].(string)+"/Messages/"+msg["sid"].(string), nil), msg)

	in["body"] = "again"
	second := h.ctlOK(201, "POST", "/_emulator/inbound", in)
	assert.Equal(t, false, second["created_conversation"])
	assert.Equal(t, conv["sid"], second["conversation"].(obj)["sid"])
	assert.EqualValues(t, 1, second["message"].(obj)["index"])

	// No conversation and no auto-creation for that proxy number.
	h.ctlFails(404, "auto-creation", "POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+15550000001", "to": "+15558880000", "body": "x"})
}

func TestControlInboundMediaReachesPhone(t *testing.T) {
	h := newHarness(t)
	ch := h.smsPair("+15550000001", "+15550000002", "+15559990000")
	png := []byte("\x89PNG\r\n\x1a\nfake image")
	res := h.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+15550000001", "to": "+15559990000",
		"body": "look", "media": []obj{{"content_type": "image/png", "filename": "cat.png", "data": base64.StdEncoding.EncodeToString(png)}}})
	msg := res["message"].(obj)
	media := msg["media"].([]any)
	require.Len(t, media, 1)
	m0 := media[0].(obj)
	assert.Equal(t, "image/png", m0["content_type"])
	assert.Equal(t, "cat.png", m0["filename"])
	assert.EqualValues(t, len(png), m0["size"])
	h.srv.Flush()

	// The file is on the Media Content Service, attached to the message.
	is := h.srv.DefaultServiceSID()
	meta := h.ok(200, "GET", "/v1/Services/"+is+"/Media/"+m0["sid"].(string), nil)
	assert.Equal(t, ch, meta["channel_sid"])
	assert.Equal(t, msg["sid"], meta["message_sid"])

	phone := h.ctlOK(200, "GET", "/_emulator/phones/+15550000002", nil)
	assert.Equal(t, "+15550000002", phone["address"])
	msgs := phone["messages"].([]any)
	require.Len(t, msgs, 1)
	got := msgs[0].(obj)
	assert.Equal(t, "+15559990000", got["from"])
	assert.Equal(t, "+15550000002", got["to"])
	assert.Equal(t, "sms", got["channel"])
	assert.Equal(t, "", got["body"], "with media an SMS user gets the file alone")
	assert.Equal(t, "delivered", got["status"])
	assert.Equal(t, msg["sid"], got["message_sid"])
	assert.Equal(t, []any{obj{"sid": m0["sid"], "content_type": "image/png", "filename": "cat.png", "size": float64(len(png))}}, got["media"])
	// The sender's own phone got nothing; an escaped address works the same.
	assert.Empty(t, h.ctlOK(200, "GET", "/_emulator/phones/%2B15550000001", nil)["messages"])
	assert.Len(t, h.ctlOK(200, "GET", "/_emulator/phones/%2B15550000002", nil)["messages"], 1)
	assert.Equal(t, []any{obj{"address": "+15550000002", "count": float64(1)}}, h.ctlOK(200, "GET", "/_emulator/phones", nil)["phones"])
}

func TestControlInboundWhatsAppAndChat(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation("UniqueName", "support")
	h.participant(ch, "MessagingBinding.Address", "whatsapp:+15550000001", "MessagingBinding.ProxyAddress", "whatsapp:+15559990000")
	h.participant(ch, "Identity", "alice")

	wa := h.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "whatsapp", "from": "+15550000001", "to": "+15559990000", "body": "hola"})
	assert.Equal(t, "whatsapp:+15550000001", wa["message"].(obj)["author"])

	chat := h.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": "support", "identity": "alice", "body": "hi there"})
	assert.Equal(t, "alice", chat["message"].(obj)["author"])
	assert.Equal(t, ch, chat["conversation"].(obj)["sid"])
	h.srv.Flush()
	got := h.ctlOK(200, "GET", "/_emulator/phones/whatsapp:+15550000001", nil)["messages"].([]any)
	require.Len(t, got, 1)
	assert.Equal(t, "hi there", got[0].(obj)["body"])
	assert.Equal(t, "whatsapp", got[0].(obj)["channel"])

	h.ctlFails(400, "not a participant", "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": ch, "identity": "bob", "body": "x"})
	h.ctlFails(404, "not found", "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": "nope", "identity": "alice", "body": "x"})
	h.ok(200, "POST", "/v1/Conversations/"+ch, form("State", "closed"))
	h.ctlFails(409, "closed", "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": ch, "identity": "alice", "body": "x"})
}

func TestControlBadInput(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"POST", "/_emulator/inbound", `{"channel":`, "invalid JSON"},
		{"POST", "/_emulator/inbound", `{"channel":"sms"} {}`, "after the JSON value"},
		{"POST", "/_emulator/inbound", obj{"channel": "fax", "from": "a", "to": "b", "body": "x"}, "channel must be"},
		{"POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+1", "body": "x"}, "from and to are required"},
		{"POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+1", "to": "+2", "identity": "a", "body": "x"}, "channel chat"},
		{"POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": "CH1", "body": "x"}, "identity are required"},
		{"POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+1", "to": "+2"}, "body or media"},
		{"POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+1", "to": "+2", "bdy": "x"}, "unknown field"},
		{"POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+1", "to": "+2", "media": []obj{{"content_type": "", "data": "eA=="}}}, "content_type"},
		{"POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+1", "to": "+2", "media": []obj{{"content_type": "image/png", "data": "!!"}}}, "invalid JSON"},
		{"POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+1", "to": "+2", "media": []obj{{"content_type": "image/png"}}}, "data is empty"},
		{"POST", "/_emulator/deliveries", obj{"address": "+1", "status": "lost"}, "status must be"},
		{"POST", "/_emulator/deliveries", obj{"status": "failed"}, "address is required"},
		{"POST", "/_emulator/clock", obj{"advance": "5m"}, "ISO 8601"},
		{"POST", "/_emulator/clock", obj{"advance": "P"}, "ISO 8601"},
		{"POST", "/_emulator/clock", obj{"advance": "P1000Y"}, "100 years"},
		{"POST", "/_emulator/reset", `[]`, "invalid JSON"},
		{"POST", "/_emulator/bindings", obj{"identity": "a", "binding_type": "sms", "address": "x"}, "invalid binding type"},
		{"POST", "/_emulator/bindings", obj{"binding_type": "fcm", "address": "x"}, "required"},
		{"PUT", "/_emulator/state", obj{"version": 2}, "version must be 1"},
		{"PUT", "/_emulator/state", `"state"`, "invalid JSON"},
	} {
		h.ctlFails(400, c.want, c.method, c.path, c.body)
	}
	h.ctlFails(400, "after must be", "GET", "/_emulator/webhooks?after=x", nil)
	h.ctlFails(404, "service", "POST", "/_emulator/bindings", obj{"identity": "a", "binding_type": "fcm", "address": "x", "service_sid": "IS00000000000000000000000000000000"})
}

func TestControlDeliveries(t *testing.T) {
	h := newHarness(t)
	ch := h.smsPair("+15550000001", "+15550000002", "+15559990000")
	h.ctlOK(200, "POST", "/_emulator/deliveries", obj{"address": "+15550000002", "status": "undelivered"})
	assert.Equal(t, []any{obj{"address": "+15550000002", "status": "undelivered"}}, h.ctlOK(200, "GET", "/_emulator/deliveries", nil)["failing"])

	m := h.message(ch, "Body", "one")
	h.srv.Flush()
	assert.Empty(t, h.ctlOK(200, "GET", "/_emulator/phones/+15550000002", nil)["messages"])
	rcpts := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+m["sid"].(string)+"/Receipts", nil)["delivery_receipts"].([]any)
	require.Len(t, rcpts, 2, "one per SMS participant")
	statuses := map[string]float64{}
	for _, r := range rcpts {
		statuses[r.(obj)["status"].(string)] = r.(obj)["error_code"].(float64)
	}
	assert.Equal(t, map[string]float64{"undelivered": 30003, "delivered": 0}, statuses)
	assert.Len(t, h.ctlOK(200, "GET", "/_emulator/phones/+15550000001", nil)["messages"], 1, "the other address still receives")

	h.ctlOK(200, "POST", "/_emulator/deliveries", obj{"address": "+15550000002", "status": "delivered"})
	assert.Empty(t, h.ctlOK(200, "GET", "/_emulator/deliveries", nil)["failing"])
	h.message(ch, "Body", "two")
	h.srv.Flush()
	got := h.ctlOK(200, "GET", "/_emulator/phones/+15550000002", nil)["messages"].([]any)
	require.Len(t, got, 1)
	assert.Equal(t, "two", got[0].(obj)["body"])
	assert.Equal(t, "delivered", got[0].(obj)["status"])
}

func TestControlClockFiresTimers(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := newHarness(t, conversationstest.WithClock(start))
	ch := h.conversation("State", "active", "Timers.Inactive", "PT5M")
	assert.Equal(t, obj{"now": "2026-01-02T03:04:05Z", "offset_seconds": float64(0), "frozen": true}, h.ctlOK(200, "GET", "/_emulator/clock", nil))

	h.ctlOK(200, "POST", "/_emulator/clock", obj{"advance": "PT4M"})
	assert.Equal(t, "active", h.ok(200, "GET", "/v1/Conversations/"+ch, nil)["state"])
	got := h.ctlOK(200, "POST", "/_emulator/clock", obj{"advance": "PT1M0.5S"})
	assert.Equal(t, obj{"now": "2026-01-02T03:09:05.5Z", "offset_seconds": 300.5, "frozen": true}, got)
	assert.Equal(t, "inactive", h.ok(200, "GET", "/v1/Conversations/"+ch, nil)["state"])
}

func TestControlWebhookLog(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	long := strings.Repeat("x", 5000)
	hook.respond = func(f url.Values) (int, string) {
		switch {
		case f.Get("EventType") == "onMessageAdd" && f.Get("Body") == "reject me":
			return 403, "no"
		case f.Get("EventType") == "onMessageAdd":
			return 200, `{"body":"changed"}`
		}
		return 200, long
	}
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url+"/pre",
		"PostWebhookUrl", hook.url+"/post", "Method", "POST", "Filters", "onMessageAdd", "Filters", "onMessageAdded"))
	ch := h.conversation()
	h.participant(ch, "Identity", "alice")

	h.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": ch, "identity": "alice", "body": "hi"})
	h.srv.Flush() // the post-event is asynchronous: let it land in the log first
	h.ctlFails(403, "rejected", "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": ch, "identity": "alice", "body": "reject me"})
	h.srv.Flush()

	var log struct {
		Deliveries []conversationstest.WebhookDelivery `json:"deliveries"`
	}
	_, raw, _ := h.ctl("GET", "/_emulator/webhooks", nil)
	data, _ := json.Marshal(raw)
	require.NoError(t, json.Unmarshal(data, &log))
	require.Len(t, log.Deliveries, 3)
	pre, post, rejected := log.Deliveries[0], log.Deliveries[1], log.Deliveries[2]

	assert.Equal(t, "onMessageAdd", pre.Event)
	assert.True(t, pre.Pre)
	assert.Equal(t, hook.url+"/pre", pre.URL)
	assert.Equal(t, "POST", pre.Method)
	assert.Equal(t, ch, pre.ConversationSid)
	assert.Equal(t, 200, pre.Status)
	assert.Equal(t, `{"body":"changed"}`, pre.ResponseExcerpt)
	assert.Equal(t, conversationstest.DecisionModified, pre.Decision)
	assert.Greater(t, pre.LatencyMS, 0.0)

	assert.Equal(t, "onMessageAdded", post.Event)
	assert.False(t, post.Pre)
	assert.Empty(t, post.Decision)
	assert.Len(t, post.ResponseExcerpt, 1024, "the excerpt is capped")

	assert.Equal(t, conversationstest.DecisionRejected, rejected.Decision)
	assert.Equal(t, 403, rejected.Status)
	assert.Less(t, pre.ID, post.ID)

	// after= returns only newer entries.
	_, raw, _ = h.ctl("GET", "/_emulator/webhooks?after="+itoa(int(post.ID)), nil)
	require.Len(t, raw["deliveries"], 1)
	assert.EqualValues(t, rejected.ID, raw["deliveries"].([]any)[0].(obj)["id"])

	// The message body was changed by the pre-event hook.
	msgs := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", nil)["messages"].([]any)
	require.Len(t, msgs, 1)
	assert.Equal(t, "changed", msgs[0].(obj)["body"])
}

func TestControlWebhookLogFailOpen(t *testing.T) {
	h := newHarness(t, conversationstest.WithWebhookTimeout(50*time.Millisecond))
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", "http://user:secret@127.0.0.1:1/pre", "Method", "POST", "Filters", "onConversationAdd"))
	h.ok(201, "POST", "/v1/Conversations", form("FriendlyName", "x"), "X-Twilio-Webhook-Enabled", "true")
	log := h.ctlOK(200, "GET", "/_emulator/webhooks", nil)["deliveries"].([]any)
	require.Len(t, log, 1)
	d := log[0].(obj)
	assert.Equal(t, conversationstest.DecisionFailOpen, d["decision"])
	assert.EqualValues(t, 0, d["status"])
	assert.NotEmpty(t, d["error"])
	assert.Equal(t, "http://127.0.0.1:1/pre", d["url"], "user info is removed")
	assert.NotContains(t, d["error"], "secret")
}

func TestWithWebhookURLAndReset(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h2 := newHarness(t, conversationstest.WithWebhookURL(hook.url+"/events"), conversationstest.WithCredentials(h.srv.AccountSID(), h.srv.AuthToken()))
	cfg := h2.ok(200, "GET", "/v1/Configuration/Webhooks", nil)
	assert.Equal(t, hook.url+"/events", cfg["pre_webhook_url"])
	assert.Equal(t, hook.url+"/events", cfg["post_webhook_url"])
	assert.Equal(t, "POST", cfg["method"])
	assert.Contains(t, cfg["filters"], "onMessageAdd")
	assert.Contains(t, cfg["filters"], "onDeliveryUpdated")
	assert.Contains(t, cfg["filters"], "onUserUpdate", "the pre-event of a user update is forwarded too")

	ch := h2.smsPair("+15550000001", "+15550000002", "+15559990000")
	h2.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+15550000001", "to": "+15559990000", "body": "hi"})
	h2.ctlOK(200, "POST", "/_emulator/deliveries", obj{"address": "+15550000009", "status": "failed"})
	h2.ctlOK(200, "POST", "/_emulator/clock", obj{"advance": "PT1H"})
	h2.srv.Flush()
	assert.Contains(t, hook.events(), "onMessageAdd")
	assert.Contains(t, hook.events(), "onMessageAdded")
	oldService := h2.srv.DefaultServiceSID()

	// Reset: back to a fresh emulator, keeping the start-up webhook target.
	h2.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", "http://127.0.0.1:1/changed"))
	h2.ctlOK(200, "POST", "/_emulator/reset", nil, "Content-Type", "application/json")
	assert.Empty(t, h2.ok(200, "GET", "/v1/Conversations", nil)["conversations"])
	h2.fails(404, 20404, "GET", "/v1/Conversations/"+ch, nil)
	assert.Empty(t, h2.ctlOK(200, "GET", "/_emulator/phones", nil)["phones"])
	assert.Empty(t, h2.ctlOK(200, "GET", "/_emulator/deliveries", nil)["failing"])
	assert.Empty(t, h2.ctlOK(200, "GET", "/_emulator/webhooks", nil)["deliveries"])
	assert.EqualValues(t, 0, h2.ctlOK(200, "GET", "/_emulator/clock", nil)["offset_seconds"])
	assert.NotEqual(t, oldService, h2.srv.DefaultServiceSID())
	assert.Equal(t, hook.url+"/events", h2.ok(200, "GET", "/v1/Configuration/Webhooks", nil)["post_webhook_url"])
	assert.Len(t, h2.ok(200, "GET", "/v1/Services/"+h2.srv.DefaultServiceSID()+"/Roles", nil)["roles"], 4)
	// It works as before.
	h2.conversation("FriendlyName", "after reset")
}

func TestControlBindings(t *testing.T) {
	h := newHarness(t)
	b := h.ctlOK(201, "POST", "/_emulator/bindings", obj{"identity": "alice", "binding_type": "fcm", "address": "device-token-1"})
	requireShape(t, "FetchServiceBinding", "", b)
	assert.Equal(t, "alice", b["identity"])
	assert.Equal(t, "fcm", b["binding_type"])
	assert.Equal(t, "device-token-1", b["endpoint"])
	is := h.srv.DefaultServiceSID()
	list := h.ok(200, "GET", "/v1/Services/"+is+"/Bindings", nil)["bindings"].([]any)
	require.Len(t, list, 1)
	assert.Equal(t, b["sid"], list[0].(obj)["sid"])
	// As with Twilio, the identity's user was created.
	assert.Equal(t, "alice", h.ok(200, "GET", "/v1/Users/alice", nil)["identity"])

	other := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "other"))["sid"].(string)
	b2 := h.ctlOK(201, "POST", "/_emulator/bindings", obj{"identity": "bob", "binding_type": "apn", "address": "tok", "service_sid": other})
	assert.Equal(t, other, b2["chat_service_sid"])
}

// TestControlHostWithoutPort: with no listener behind the request (ServeHTTP
// called directly), loopback names pass with any port or none; others fail.
// A Host without a port stands for port 80, which a listener on another
// port refuses.
func TestControlHostWithoutPort(t *testing.T) {
	e := conversationstest.New()
	defer e.Close()
	for host, want := range map[string]int{"localhost": 200, "127.0.0.1:9": 200, "[::1]": 200, "evil.example": 403, "": 403} {
		req := httptest.NewRequest("GET", "/_emulator/health", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		assert.Equal(t, want, rec.Code, host)
	}
	h := newHarness(t)
	h.ctlFails(403, "DNS rebinding", "GET", "/_emulator/health", nil, "Host", "127.0.0.1")
}
