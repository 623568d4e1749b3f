package conversationstest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// richState fills an emulator with one of everything the state holds and
// returns the REST paths whose answers must survive an export and import.
func richState(t *testing.T, h *harness) []string {
	t.Helper()
	is := h.srv.DefaultServiceSID()
	other := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "other"))["sid"].(string)
	h.ok(200, "POST", "/v1/Configuration", form("DefaultInactiveTimer", "PT1H", "DefaultClosedTimer", "P1D"))
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", "http://127.0.0.1:1/post", "Method", "POST", "Filters", "onMessageAdded"))
	h.ok(200, "POST", "/v1/Services/"+other+"/Configuration", form("ReachabilityEnabled", "true"))
	h.ok(200, "POST", "/v1/Services/"+other+"/Configuration/Notifications", form("LogEnabled", "true"))
	role := h.ok(201, "POST", "/v1/Roles", form("FriendlyName", "reader", "Type", "conversation", "Permission", "sendMessage"))["sid"].(string)
	h.ok(201, "POST", "/v1/Users", form("Identity", "carol", "FriendlyName", "Carol", "Attributes", `{"vip":true}`))
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000", "AutoCreation.Enabled", "true", "AutoCreation.Type", "default"))
	h.ok(201, "POST", "/v1/Credentials", form("Type", "fcm", "FriendlyName", "android", "Secret", "s"))
	h.ctlOK(201, "POST", "/_emulator/bindings", obj{"identity": "carol", "binding_type": "fcm", "address": "tok"})

	ch := h.conversation("UniqueName", "support", "FriendlyName", "Support", "Attributes", `{"tier":2}`,
		"State", "active", "Timers.Inactive", "PT10M", "Timers.Closed", "PT2H")
	h.participant(ch, "Identity", "carol", "RoleSid", role)
	h.participant(ch, "MessagingBinding.Address", "+15550000002", "MessagingBinding.ProxyAddress", "+15559990000")
	h.participant(ch, "MessagingBinding.Address", "whatsapp:+15550000004", "MessagingBinding.ProxyAddress", "whatsapp:+15559990000")
	h.srv.SetReadReceipts("whatsapp:+15550000004", false)
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Webhooks", form("Target", "webhook", "Configuration.Url", "http://127.0.0.1:1/scoped",
		"Configuration.Filters", "onMessageAdded", "Configuration.Method", "POST"))
	h.ok(200, "POST", "/v1/Users/carol/Conversations/"+ch, form("NotificationLevel", "muted", "LastReadMessageIndex", "0"))
	h.message(ch, "Body", "welcome", "Author", "carol")
	h.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+15550000002", "to": "+15559990000", "body": "",
		"media": []obj{{"content_type": "text/plain", "filename": "note.txt", "data": base64.StdEncoding.EncodeToString([]byte("a note"))}}})
	// An inbound SMS that auto-creates a second conversation.
	h.ctlOK(201, "POST", "/_emulator/inbound", obj{"channel": "sms", "from": "+15550000003", "to": "+15559990000", "body": "new here"})
	h.ok(201, "POST", "/v1/Services/"+other+"/Conversations", form("FriendlyName", "elsewhere"))
	h.ctlOK(200, "POST", "/_emulator/deliveries", obj{"address": "+15550000009", "status": "failed"})
	h.ctlOK(200, "POST", "/_emulator/clock", obj{"advance": "PT3M"})
	h.srv.Flush()

	msgs := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", nil)["messages"].([]any)
	require.Len(t, msgs, 2)
	media := msgs[1].(obj)["media"].([]any)[0].(obj)["sid"].(string)
	return []string{
		"/v1/Conversations", "/v1/Conversations/support", "/v1/Conversations/" + ch + "/Participants",
		"/v1/Conversations/" + ch + "/Messages", "/v1/Conversations/" + ch + "/Webhooks",
		"/v1/Conversations/" + ch + "/Messages/" + msgs[1].(obj)["sid"].(string) + "/Receipts",
		"/v1/Services", "/v1/Services/" + other + "/Conversations", "/v1/Services/" + other + "/Configuration",
		"/v1/Services/" + other + "/Configuration/Notifications", "/v1/Configuration", "/v1/Configuration/Webhooks",
		"/v1/Configuration/Addresses", "/v1/Credentials", "/v1/Roles", "/v1/Users", "/v1/Users/carol/Conversations",
		"/v1/Services/" + is + "/Bindings", "/v1/Services/" + is + "/Media/" + media,
		"/v1/Services/" + is + "/Media/" + media + "/Content",
		"/_emulator/phones", "/_emulator/phones/+15550000002", "/_emulator/phones/+15550000003", "/_emulator/deliveries",
		"/_emulator/phones/whatsapp:+15550000004",
	}
}

// snapshot reads each path and returns its body with the server's own URL
// replaced, so two servers' answers compare equal.
func snapshot(t *testing.T, h *harness, paths []string) map[string]string {
	t.Helper()
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		req, err := http.NewRequest("GET", h.srv.URL+p, nil)
		require.NoError(t, err)
		req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode, "%s: %s", p, b)
		out[p] = strings.ReplaceAll(string(b), h.srv.URL, "BASE")
	}
	return out
}

func TestStateRoundTrip(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, conversationstest.WithClock(start))
	paths := richState(t, h)
	before := snapshot(t, h, paths)
	doc := h.ctlOK(200, "GET", "/_emulator/state", nil)
	assert.EqualValues(t, 1, doc["version"])
	assert.Len(t, doc["services"], 2)
	assert.Equal(t, []any{"whatsapp:+15550000004"}, doc["no_read_receipts"])
	exported, err := h.srv.ExportState()
	require.NoError(t, err)

	h2 := newHarness(t, conversationstest.WithClock(start))
	res := h2.ctlOK(200, "PUT", "/_emulator/state", string(exported))
	assert.Equal(t, obj{"status": "imported", "services": float64(2), "conversations": float64(3), "messages": float64(3)}, res)
	assert.Equal(t, before, snapshot(t, h2, paths), "every REST view is the same after the import")
	again, err := h2.srv.ExportState()
	require.NoError(t, err)
	assert.JSONEq(t, string(exported), string(again), "export(import(x)) == x")
	assert.Equal(t, h.srv.DefaultServiceSID(), h2.srv.DefaultServiceSID())
	assert.Equal(t, h.ctlOK(200, "GET", "/_emulator/clock", nil), h2.ctlOK(200, "GET", "/_emulator/clock", nil))

	// The imported emulator carries on: indexes continue, unique names resolve,
	// timers fire, new SIDs are fresh.
	m := h2.message("support", "Body", "after import")
	assert.EqualValues(t, 2, m["index"])
	h2.ctlOK(200, "POST", "/_emulator/clock", obj{"advance": "PT10M"})
	assert.Equal(t, "inactive", h2.ok(200, "GET", "/v1/Conversations/support", nil)["state"])
	h2.fails(409, 50353, "POST", "/v1/Conversations", form("UniqueName", "support"))
}

func TestStateImportRefusesBadDocuments(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation("FriendlyName", "keep me")
	exported, err := h.srv.ExportState()
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(exported, &doc))

	mutate := func(f func(d map[string]any)) string {
		var d map[string]any
		require.NoError(t, json.Unmarshal(exported, &d))
		f(d)
		b, _ := json.Marshal(d)
		return string(b)
	}
	conv := func(d map[string]any) map[string]any {
		return d["services"].([]any)[0].(map[string]any)["conversations"].([]any)[0].(map[string]any)
	}
	for want, body := range map[string]string{
		"version must be 1":                mutate(func(d map[string]any) { d["version"] = 7 }),
		"default_service_sid":              mutate(func(d map[string]any) { d["default_service_sid"] = "IS" + strings.Repeat("0", 32) }),
		"is not a CH":                      mutate(func(d map[string]any) { conv(d)["sid"] = "nope" }),
		"state must be":                    mutate(func(d map[string]any) { conv(d)["state"] = "open" }),
		"appears twice":                    mutate(func(d map[string]any) { d["services"] = append(d["services"].([]any), d["services"].([]any)[0]) }),
		"unknown field":                    mutate(func(d map[string]any) { d["surprise"] = 1 }),
		"messaging_service_sid":            mutate(func(d map[string]any) { d["messaging_service_sid"] = "" }),
		"must not be negative":             mutate(func(d map[string]any) { d["clock_offset_ns"] = -1 }),
		"failed or undelivered":            mutate(func(d map[string]any) { d["delivery_failures"] = map[string]any{"+1": map[string]any{"status": "x"}} }),
		"timers must not exceed 100 years": mutate(func(d map[string]any) { conv(d)["closed_timer_ns"] = math.MaxInt64 }),
		"timers must be between 0 and 100 years": mutate(func(d map[string]any) {
			d["account_configuration"].(map[string]any)["inactive_timer_ns"] = -1
		}),
		"outside 0..next_index": mutate(func(d map[string]any) {
			conv(d)["messages"] = []any{map[string]any{"sid": "IM" + strings.Repeat("1", 32), "index": 3}}
		}),
	} {
		h.ctlFails(400, want, "PUT", "/_emulator/state", body)
	}
	// Nothing changed.
	assert.Equal(t, "keep me", h.ok(200, "GET", "/v1/Conversations/"+ch, nil)["friendly_name"])
	require.Error(t, h.srv.ImportState([]byte(`{"version":1}{}`)))
}

func TestClockNeverWrapsPastItsMaximum(t *testing.T) {
	h := newHarness(t)
	exported, err := h.srv.ExportState()
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal(exported, &d))
	d["clock_offset_ns"] = int64(math.MaxInt64 - 1)
	doc, err := json.Marshal(d)
	require.NoError(t, err)
	require.NoError(t, h.srv.ImportState(doc))
	now := func() time.Time {
		n, err := time.Parse(time.RFC3339Nano, h.ctlOK(200, "GET", "/_emulator/clock", nil)["now"].(string))
		require.NoError(t, err)
		return n
	}
	before := now()
	h.ctlOK(200, "POST", "/_emulator/clock", obj{"advance": "PT1H"})
	h.srv.Advance(time.Hour)
	after := now()
	assert.False(t, after.Before(before), "advancing past the largest offset sent the clock back from %v to %v", before, after)
}

func TestStateImportCompletesPendingDeliveries(t *testing.T) {
	h := newHarness(t)
	ch := h.smsPair("+15550000001", "+15550000002", "+15559990000")
	m := h.message(ch, "Body", "in flight")
	h.srv.Flush()
	exported, err := h.srv.ExportState()
	require.NoError(t, err)
	// Rewrite the receipts as still pending, as an export taken mid-delivery has them.
	pending := strings.ReplaceAll(string(exported), `"status":"delivered"`, `"status":"sent"`)
	require.NotEqual(t, string(exported), pending)

	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url, "Filters", "onDeliveryUpdated"))
	require.NoError(t, h.srv.ImportState([]byte(pending))) // the import replaces the hook config too
	h.srv.Flush()
	rcpts := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+m["sid"].(string)+"/Receipts", nil)["delivery_receipts"].([]any)
	require.Len(t, rcpts, 2)
	for _, r := range rcpts {
		assert.Equal(t, "delivered", r.(obj)["status"])
	}
	assert.Empty(t, hook.events(), "the imported webhook configuration has no post URL")
}

func TestControlClient(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	t.Cleanup(srv.Close)
	h := &harness{t: t, srv: srv}
	ctx := context.Background()
	cc := conversationstest.NewControlClient(srv.URL+"/", srv.AccountSID(), srv.AuthToken())

	require.NoError(t, cc.Health(ctx))
	ch := h.smsPair("+15550000001", "+15550000002", "+15559990000")
	res, err := cc.Inbound(ctx, conversationstest.InboundRequest{Channel: "sms", From: "+15550000001", To: "+15559990000", Body: "hi"})
	require.NoError(t, err)
	assert.Equal(t, ch, res.ConversationSid)
	assert.Equal(t, 0, res.Index)
	assert.NotEmpty(t, res.MessageSid)
	assert.False(t, res.CreatedConversation)
	srv.Flush()

	msgs, err := cc.Phone(ctx, "+15550000002")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, "hi", msgs[0].Body)
	assert.Equal(t, "delivered", msgs[0].Status)
	assert.Equal(t, res.MessageSid, msgs[0].MessageSid)
	phones, err := cc.Phones(ctx)
	require.NoError(t, err)
	assert.Equal(t, []conversationstest.PhoneSummary{{Address: "+15550000002", Count: 1}}, phones)

	require.NoError(t, cc.SetDeliveries(ctx, "+15550000002", "failed"))
	failing, err := cc.FailingDeliveries(ctx)
	require.NoError(t, err)
	assert.Equal(t, []conversationstest.DeliveryRule{{Address: "+15550000002", Status: "failed"}}, failing)
	err = cc.SetDeliveries(ctx, "+15550000002", "lost")
	var ce *conversationstest.ControlError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 400, ce.Status)
	assert.Contains(t, ce.Message, "status must be")

	clock, err := cc.AdvanceClock(ctx, 90*time.Minute+500*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 1, 1, 1, 30, 0, 5e8, time.UTC), clock.Now)
	assert.True(t, clock.Frozen)
	got, err := cc.Clock(ctx)
	require.NoError(t, err)
	assert.Equal(t, clock, got)
	_, err = cc.AdvanceClock(ctx, -time.Second)
	require.Error(t, err)

	sid, err := cc.RegisterBinding(ctx, conversationstest.BindingRequest{Identity: "dave", BindingType: "apn", Address: "tok"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(sid, "BS"), sid)

	hooks, err := cc.Webhooks(ctx, 0)
	require.NoError(t, err)
	assert.Empty(t, hooks, "no webhook is configured")

	state, err := cc.ExportState(ctx)
	require.NoError(t, err)
	require.NoError(t, cc.Reset(ctx))
	phones, err = cc.Phones(ctx)
	require.NoError(t, err)
	assert.Empty(t, phones)
	require.NoError(t, cc.ImportState(ctx, state))
	msgs, err = cc.Phone(ctx, "+15550000002")
	require.NoError(t, err)
	assert.Len(t, msgs, 1)
	require.Error(t, cc.ImportState(ctx, []byte("{")))

	// Wrong credentials: a ControlError with 401.
	bad := conversationstest.NewControlClient(srv.URL, srv.AccountSID(), "wrong")
	require.ErrorAs(t, bad.Reset(ctx), &ce)
	assert.Equal(t, 401, ce.Status)
}

func TestStateVersion(t *testing.T) {
	h := newHarness(t)
	v0 := h.srv.StateVersion()
	h.ok(200, "GET", "/v1/Conversations", nil)
	h.ctlOK(200, "GET", "/_emulator/state", nil)
	assert.Equal(t, v0, h.srv.StateVersion(), "reads change nothing")
	ch := h.smsPair("+15550000001", "+15550000002", "+15559990000")
	v1 := h.srv.StateVersion()
	assert.Greater(t, v1, v0)
	h.message(ch, "Body", "x")
	h.srv.Flush() // the receipts moving to delivered count too
	assert.GreaterOrEqual(t, h.srv.StateVersion(), v1+2)
	v2 := h.srv.StateVersion()
	h.srv.Reset()
	assert.Greater(t, h.srv.StateVersion(), v2)
}

// A Group MMS member added over REST (an address, no proxy address) in a
// conversation with no group number yet gets its copy of a message from no
// number; the emulator's own export of that must import again.
func TestStateImportsAGroupCopyWithNoFromNumber(t *testing.T) {
	h := newHarness(t)
	conv := h.conversation()
	h.participant(conv, "MessagingBinding.Address", "+15558675310")
	h.message(conv, "Author", "agent", "Body", "hello group")
	doc, err := h.srv.Emulator.ExportState()
	require.NoError(t, err)
	var parsed struct {
		Phones map[string][]struct {
			From string `json:"from"`
		} `json:"phones"`
	}
	require.NoError(t, json.Unmarshal(doc, &parsed))
	require.Len(t, parsed.Phones["+15558675310"], 1)
	require.Empty(t, parsed.Phones["+15558675310"][0].From, "the copy comes from no number")
	require.NoError(t, h.srv.Emulator.ImportState(doc))
	again, err := h.srv.Emulator.ExportState()
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(again))
}
