package conversationstest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestShapes checks every emulated response against the field sets of the
// spec's examples, in the account-level and service-scoped forms.
func TestShapes(t *testing.T) {
	h := newHarness(t)
	svc := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "shapes"))
	requireShape(t, "CreateService", "", svc)
	is := svc["sid"].(string)
	requireShape(t, "FetchService", "", h.ok(200, "GET", "/v1/Services/"+is, nil))
	requireShape(t, "ListService", "", h.ok(200, "GET", "/v1/Services", nil))

	conv := h.ok(201, "POST", "/v1/Conversations", form("FriendlyName", "f", "UniqueName", "shapes", "State", "active", "Timers.Inactive", "PT5M"))
	requireShape(t, "CreateConversation", "create", conv)
	ch := conv["sid"].(string)
	requireShape(t, "FetchConversation", "", h.ok(200, "GET", "/v1/Conversations/"+ch, nil))
	requireShape(t, "UpdateConversation", "", h.ok(200, "POST", "/v1/Conversations/"+ch, form("FriendlyName", "g")))
	requireShape(t, "ListConversation", "", h.ok(200, "GET", "/v1/Conversations", nil))

	sms := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants",
		form("MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000"))
	requireShape(t, "CreateConversationParticipant", "createSms", sms)
	require.Equal(t, obj{"type": "sms", "address": "+15550000001", "proxy_address": "+15559990000"}, sms["messaging_binding"])
	require.Nil(t, sms["identity"])
	chat := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "alice"))
	requireShape(t, "CreateConversationParticipant", "createChat", chat)
	require.Nil(t, chat["messaging_binding"])
	requireShape(t, "FetchConversationParticipant", "fetch", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Participants/alice", nil))
	requireShape(t, "ListConversationParticipant", "", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Participants", nil))

	msg := h.message(ch, "Body", "hi", "Author", "alice")
	requireShape(t, "CreateConversationMessage", "create", msg)
	require.Equal(t, chat["sid"], msg["participant_sid"])
	require.Nil(t, msg["media"])
	require.Nil(t, msg["content_sid"])
	im := msg["sid"].(string)
	requireShape(t, "FetchConversationMessage", "", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im, nil))
	requireShape(t, "ListConversationMessage", "readFull", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages", nil))
	receipts := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im+"/Receipts", nil)
	requireShape(t, "ListConversationMessageReceipt", "", receipts)
	dy := receipts["delivery_receipts"].([]any)[0].(obj)["sid"].(string)
	require.True(t, strings.HasPrefix(dy, "DY"))
	requireShape(t, "FetchConversationMessageReceipt", "", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+im+"/Receipts/"+dy, nil))

	wh := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Webhooks",
		form("Target", "webhook", "Configuration.Url", "https://example.com/hook", "Configuration.Filters", "onMessageAdded"))
	requireShape(t, "CreateConversationScopedWebhook", "", wh)
	requireShape(t, "ListConversationScopedWebhook", "readFull", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Webhooks", nil))
	requireShape(t, "FetchConversationScopedWebhook", "", h.ok(200, "GET", "/v1/Conversations/"+ch+"/Webhooks/"+wh["sid"].(string), nil))

	requireShape(t, "FetchConfigurationWebhook", "", h.ok(200, "GET", "/v1/Configuration/Webhooks", nil))
	requireShape(t, "UpdateConfigurationWebhook", "", h.ok(200, "POST", "/v1/Configuration/Webhooks", form("Filters", "onMessageAdded")))

	// The service-scoped forms add chat_service_sid to nested resources.
	empty := h.ok(200, "GET", "/v1/Services/"+is+"/Configuration/Webhooks", nil)
	requireShape(t, "FetchServiceWebhookConfiguration", "fetchEmpty", empty)
	require.Nil(t, empty["filters"])
	require.Nil(t, empty["method"])
	requireShape(t, "UpdateServiceWebhookConfiguration", "",
		h.ok(200, "POST", "/v1/Services/"+is+"/Configuration/Webhooks", form("PostWebhookUrl", "https://example.com/post", "Filters", "onMessageAdded")))
	base := "/v1/Services/" + is + "/Conversations"
	sconv := h.ok(201, "POST", base, form("FriendlyName", "scoped"))
	requireShape(t, "CreateServiceConversation", "", sconv)
	require.Equal(t, h.srv.URL+base+"/"+sconv["sid"].(string), sconv["url"])
	sch := sconv["sid"].(string)
	requireShape(t, "FetchServiceConversation", "", h.ok(200, "GET", base+"/"+sch, nil))
	requireShape(t, "ListServiceConversation", "", h.ok(200, "GET", base, nil))
	sp := h.ok(201, "POST", base+"/"+sch+"/Participants", form("MessagingBinding.Address", "whatsapp:+15550000002", "MessagingBinding.ProxyAddress", "whatsapp:+15559990000"))
	requireShape(t, "CreateServiceConversationParticipant", "createSms", sp)
	require.Equal(t, "whatsapp", sp["messaging_binding"].(obj)["type"])
	requireShape(t, "FetchServiceConversationParticipant", "", h.ok(200, "GET", base+"/"+sch+"/Participants/"+sp["sid"].(string), nil))
	smsg := h.ok(201, "POST", base+"/"+sch+"/Messages", form("Body", "hello"))
	requireShape(t, "CreateServiceConversationMessage", "create", smsg)
	require.Equal(t, "system", smsg["author"])
	require.Nil(t, smsg["participant_sid"])
	sim := smsg["sid"].(string)
	requireShape(t, "FetchServiceConversationMessage", "", h.ok(200, "GET", base+"/"+sch+"/Messages/"+sim, nil))
	requireShape(t, "ListServiceConversationMessage", "readFull", h.ok(200, "GET", base+"/"+sch+"/Messages", nil))
	sreceipts := h.ok(200, "GET", base+"/"+sch+"/Messages/"+sim+"/Receipts", nil)
	requireShape(t, "ListServiceConversationMessageReceipt", "", sreceipts)
	sdy := sreceipts["delivery_receipts"].([]any)[0].(obj)
	require.True(t, strings.HasPrefix(sdy["channel_message_sid"].(string), "WA"))
	requireShape(t, "FetchServiceConversationMessageReceipt", "", h.ok(200, "GET", base+"/"+sch+"/Messages/"+sim+"/Receipts/"+sdy["sid"].(string), nil))
	swh := h.ok(201, "POST", base+"/"+sch+"/Webhooks", form("Target", "studio", "Configuration.FlowSid", "FW0123456789abcdef0123456789abcdef"))
	requireShape(t, "CreateServiceConversationScopedWebhook", "", swh)
	require.Equal(t, obj{"flow_sid": "FW0123456789abcdef0123456789abcdef"}, swh["configuration"])
	requireShape(t, "ListServiceConversationScopedWebhook", "readFull", h.ok(200, "GET", base+"/"+sch+"/Webhooks", nil))
}

func TestConversationDefaults(t *testing.T) {
	h := newHarness(t)
	conv := h.ok(201, "POST", "/v1/Conversations", nil)
	require.Nil(t, conv["unique_name"])
	require.Nil(t, conv["friendly_name"])
	require.Equal(t, "{}", conv["attributes"])
	require.Equal(t, "active", conv["state"])
	require.Equal(t, obj{}, conv["timers"])
	require.Equal(t, obj{}, conv["bindings"])
	require.Equal(t, h.srv.DefaultServiceSID(), conv["chat_service_sid"])
	require.Regexp(t, `^CH[0-9a-f]{32}$`, conv["sid"])
	require.Regexp(t, `^MG[0-9a-f]{32}$`, conv["messaging_service_sid"])
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, conv["date_created"])
	require.Equal(t, h.srv.URL+"/v1/Conversations/"+conv["sid"].(string), conv["url"])
	require.Equal(t, h.srv.URL+"/v1/Conversations/"+conv["sid"].(string)+"/Messages", conv["links"].(obj)["messages"])
}
