package conversationstest_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

const groupNumber = "+15017122661" // the group's Twilio number

// TestGroupMMSParticipants: a Group MMS conversation is built over REST as
// Twilio's group texting guide does it (a chat participant projected as the
// group's number, SMS participants with an address and no proxy address);
// it holds at most 10 participants (50436), an address once (50437), and no
// second open group conversation may have the same members (50438). Members
// receive messages from the group's number.
func TestGroupMMSParticipants(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation()
	agent := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants",
		form("Identity", "agent", "MessagingBinding.ProjectedAddress", groupNumber))
	require.Equal(t, obj{"type": "sms", "projected_address": groupNumber}, agent["messaging_binding"])
	member := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants", form("MessagingBinding.Address", "+15550000001"))
	require.Equal(t, obj{"type": "sms", "address": "+15550000001", "proxy_address": nil}, member["messaging_binding"])
	h.participant(ch, "MessagingBinding.Address", "+15550000002")

	h.fails(409, 50437, "POST", "/v1/Conversations/"+ch+"/Participants", form("MessagingBinding.Address", "+15550000002"))

	// A second group of the same number with the same members is refused
	// when its last member would complete the list.
	other := h.conversation()
	h.participant(other, "Identity", "agent2", "MessagingBinding.ProjectedAddress", groupNumber)
	h.participant(other, "MessagingBinding.Address", "+15550000001")
	h.fails(409, 50438, "POST", "/v1/Conversations/"+other+"/Participants", form("MessagingBinding.Address", "+15550000002"))
	h.participant(other, "MessagingBinding.Address", "+15550000003") // a different list is fine

	h.message(ch, "Author", "agent", "Body", "Pickup at 5")
	got := h.srv.Received("+15550000001")
	require.Len(t, got, 1)
	require.Equal(t, groupNumber, got[0].From)
	require.Equal(t, "Pickup at 5", got[0].Body)

	// Up to 10 participants: 3 so far, 7 more, then 50436.
	for i := 4; i <= 10; i++ {
		h.participant(ch, "MessagingBinding.Address", "+1555000001"+string(rune('0'+i-4)))
	}
	h.fails(400, 50436, "POST", "/v1/Conversations/"+ch+"/Participants", form("MessagingBinding.Address", "+15550000099"))
	h.fails(400, 50436, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "late-agent", "MessagingBinding.ProjectedAddress", groupNumber))
}

// TestGroupMMSInboundAutoCreate: an inbound Group MMS to a number with
// auto-creation creates a group conversation with every member as a
// participant (no proxy address); its onConversationAdd pre-event carries
// MessagingBinding.Address once per member (repeated form keys, sender
// first), the group number as ProjectedAddress, AuthorAddress and
// MessageBody. The next message of the same group lands in it.
func TestGroupMMSInboundAutoCreate(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PreWebhookUrl", hook.url, "PostWebhookUrl", hook.url,
		"Filters", "onConversationAdd", "Filters", "onConversationAdded", "Filters", "onMessageAdded"))
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", groupNumber, "AutoCreation.Enabled", "true"))

	others := []string{"+15550000002", "+15550000003"}
	in, err := h.srv.SendGroupMMS("+15550000001", groupNumber, others, "Who is driving?")
	require.NoError(t, err)
	h.srv.Flush()

	parts := h.ok(200, "GET", "/v1/Conversations/"+in.ConversationSid+"/Participants", nil)["participants"].([]any)
	var addrs []any
	for _, p := range parts {
		b := p.(obj)["messaging_binding"].(obj)
		require.Nil(t, b["proxy_address"])
		addrs = append(addrs, b["address"])
	}
	require.Equal(t, []any{"+15550000001", "+15550000002", "+15550000003"}, addrs)

	byEvent := map[string]url.Values{}
	for _, r := range hook.received() {
		byEvent[r.form.Get("EventType")] = r.form
	}
	pre := byEvent["onConversationAdd"]
	require.NotNil(t, pre, "events: %v", hook.events())
	require.Equal(t, []string{"+15550000001", "+15550000002", "+15550000003"}, pre["MessagingBinding.Address"])
	require.Equal(t, groupNumber, pre.Get("MessagingBinding.ProjectedAddress"))
	require.False(t, pre.Has("MessagingBinding.ProxyAddress"))
	require.Equal(t, "+15550000001", pre.Get("MessagingBinding.AuthorAddress"))
	require.Equal(t, "Who is driving?", pre.Get("MessageBody"))
	require.Equal(t, "SMS", pre.Get("Source"))
	require.Equal(t, []string{"+15550000001", "+15550000002", "+15550000003"}, byEvent["onConversationAdded"]["MessagingBinding.Address"])

	// The others got it from the group's number; the sender did not.
	require.Empty(t, h.srv.Received("+15550000001"))
	require.Equal(t, groupNumber, h.srv.Received("+15550000003")[0].From)

	// Same group, another sender: same conversation.
	again, err := h.srv.SendGroupMMS("+15550000003", groupNumber, []string{"+15550000001", "+15550000002"}, "Me")
	require.NoError(t, err)
	require.Equal(t, in.ConversationSid, again.ConversationSid)
	require.NotEmpty(t, again.ParticipantSid)

	// The group survives a state export and import.
	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	h2 := newHarness(t)
	require.NoError(t, h2.srv.ImportState(doc))
	third, err := h2.srv.SendGroupMMS("+15550000002", groupNumber, others[1:], "a smaller group")
	require.NoError(t, err)
	require.NotEqual(t, in.ConversationSid, third.ConversationSid, "a different member list is another group")
	third, err = h2.srv.SendGroupMMS("+15550000002", groupNumber, []string{"+15550000003", "+15550000001"}, "ok")
	require.NoError(t, err)
	require.Equal(t, in.ConversationSid, third.ConversationSid)
}
