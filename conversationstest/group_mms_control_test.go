package conversationstest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// TestGroupMMSFromAnyLanguage: a Group MMS posted to the control API as raw
// JSON, as a Node or Python test would, lands in one group conversation
// whose participants are the members Twilio lists for a group (one SMS
// participant per member address, no proxy address, no participant for the
// group's number); the other members receive it from the group's number,
// with a delivery receipt each, and the sender does not. A later message of
// the same group, members in another order, lands in the same conversation.
func TestGroupMMSFromAnyLanguage(t *testing.T) {
	h := newHarness(t)
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", groupNumber, "AutoCreation.Enabled", "true"))

	res := h.ctlOK(201, "POST", "/_emulator/inbound",
		`{"channel":"sms","from":"+15550000001","to":"`+groupNumber+`","others":["+15550000002","+15550000003"],"body":"Who is driving?"}`)
	require.Equal(t, true, res["created_conversation"])
	ch := res["conversation"].(obj)["sid"].(string)
	msg := res["message"].(obj)
	require.Equal(t, "Who is driving?", msg["body"])
	require.Equal(t, "+15550000001", msg["author"])
	require.Equal(t, res["participant_sid"], msg["participant_sid"])
	h.srv.Flush()

	parts := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Participants", nil)["participants"].([]any)
	require.Len(t, parts, 3)
	bySid := map[string]string{}
	for i, p := range parts {
		p := p.(obj)
		require.Equal(t, obj{"type": "sms", "address": []string{"+15550000001", "+15550000002", "+15550000003"}[i], "proxy_address": nil}, p["messaging_binding"])
		require.Nil(t, p["identity"])
		bySid[p["sid"].(string)] = p["messaging_binding"].(obj)["address"].(string)
	}

	receipts := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+msg["sid"].(string)+"/Receipts", nil)["delivery_receipts"].([]any)
	var got []string
	for _, r := range receipts {
		got = append(got, bySid[r.(obj)["participant_sid"].(string)])
	}
	require.ElementsMatch(t, []string{"+15550000002", "+15550000003"}, got, "who received the message")
	for _, addr := range []string{"+15550000002", "+15550000003"} {
		phone := h.ctlOK(200, "GET", "/_emulator/phones/"+addr, nil)["messages"].([]any)
		require.Len(t, phone, 1)
		require.Equal(t, groupNumber, phone[0].(obj)["from"])
		require.Equal(t, "Who is driving?", phone[0].(obj)["body"])
	}
	require.Empty(t, h.ctlOK(200, "GET", "/_emulator/phones/+15550000001", nil)["messages"])

	again := h.ctlOK(201, "POST", "/_emulator/inbound",
		`{"channel":"sms","from":"+15550000003","to":"`+groupNumber+`","others":["+15550000002","+15550000001"],"body":"Me",
		  "media":[{"content_type":"image/png","filename":"car.png","data":"iVBORw0KGgo="}]}`)
	require.Equal(t, false, again["created_conversation"])
	require.Equal(t, ch, again["conversation"].(obj)["sid"])
	require.Len(t, again["message"].(obj)["media"], 1)
	phone := h.ctlOK(200, "GET", "/_emulator/phones/+15550000001", nil)["messages"].([]any)
	require.Len(t, phone, 1, "the first sender receives the others' messages")
	require.Equal(t, again["message"].(obj)["sid"], phone[0].(obj)["message_sid"])
	require.Equal(t, "car.png", phone[0].(obj)["media"].([]any)[0].(obj)["filename"])
	// Without others, the same sender and number is a one-to-one SMS: not
	// the group.
	h.ctlFails(404, "auto-creation", "POST", "/_emulator/inbound", `{"channel":"sms","from":"+15550000003","to":"+15558880000","body":"x"}`)
}

func TestGroupMMSControlRefusals(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ body, want string }{
		{`{"channel":"whatsapp","from":"+15550000001","to":"+15017122661","others":["+15550000002"],"body":"x"}`, "channel sms only"},
		{`{"channel":"chat","conversation":"c","identity":"i","others":["+15550000002"],"body":"x"}`, "channel sms only"},
		{`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":[],"body":"x"}`, "at least one other recipient"},
		{`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":["+15550000002","+15550000002"],"body":"x"}`, "repeats a member"},
		{`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":["+15550000001"],"body":"x"}`, "repeats a member"},
		{`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":["+15017122661"],"body":"x"}`, "group's Twilio number"},
		{`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":[""],"body":"x"}`, "is empty"},
		{`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":["+1","+2","+3","+4","+5","+6","+7","+8","+9","+10"],"body":"x"}`, "at most 10 members"},
		{`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":"+15550000002","body":"x"}`, "others"},
	} {
		h.ctlFails(400, tc.want, "POST", "/_emulator/inbound", tc.body)
	}
	// Nine others (ten members) is the most; without auto-creation on the
	// number, there is no conversation for it.
	h.ctlFails(404, "auto-creation", "POST", "/_emulator/inbound",
		`{"channel":"sms","from":"+15550000001","to":"+15017122661","others":["+1","+2","+3","+4","+5","+6","+7","+8","+9"],"body":"x"}`)
	// Phone numbers do not reach the error messages.
	_, out, _ := h.ctl("POST", "/_emulator/inbound", `{"channel":"sms","from":"+15550000001","to":"+15017122661","others":["+15550000077","+15550000077"],"body":"x"}`)
	require.NotContains(t, out["message"], "+15550000077")
}

// ControlClient.SendGroupMMS drives the same route from Go over HTTP.
func TestControlClientSendGroupMMS(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	h := &harness{t: t, srv: srv}
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", groupNumber, "AutoCreation.Enabled", "true"))
	cc := conversationstest.NewControlClient(srv.URL, srv.AccountSID(), srv.AuthToken())
	ctx := context.Background()
	res, err := cc.SendGroupMMS(ctx, "+15550000001", groupNumber, []string{"+15550000002", "+15550000003"}, "hi all")
	require.NoError(t, err)
	require.True(t, res.CreatedConversation)
	again, err := cc.SendGroupMMS(ctx, "+15550000002", groupNumber, []string{"+15550000003", "+15550000001"}, "hi")
	require.NoError(t, err)
	require.Equal(t, res.ConversationSid, again.ConversationSid)
	require.Equal(t, 1, again.Index)
	_, err = cc.SendGroupMMS(ctx, "+15550000002", groupNumber, nil, "hi")
	require.ErrorContains(t, err, "at least one other recipient")
	_, err = cc.SendGroupMMS(ctx, "+15550000002", groupNumber, []string{groupNumber}, "hi")
	require.ErrorContains(t, err, "group's Twilio number")
	// The in-process function checks the same way.
	_, err = srv.SendGroupMMS("+15550000002", groupNumber, []string{"+15550000002"}, "hi")
	require.ErrorContains(t, err, "repeats a member")
}
