package conversationstest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/require"
)

// TestShapesMore checks the responses of roles, users, user and participant
// conversations, bindings, configurations, addresses, credentials and
// conversation with participants against the spec's examples.
func TestShapesMore(t *testing.T) {
	h := newHarness(t)
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "shapes"))["sid"].(string)
	svc := "/v1/Services/" + is

	role := h.ok(201, "POST", "/v1/Roles", form("FriendlyName", "r", "Type", "conversation", "Permission", "sendMessage", "Permission", "leaveConversation"))
	requireShape(t, "CreateRole", "", role)
	rl := role["sid"].(string)
	requireShape(t, "FetchRole", "", h.ok(200, "GET", "/v1/Roles/"+rl, nil))
	requireShape(t, "UpdateRole", "", h.ok(200, "POST", "/v1/Roles/"+rl, form("Permission", "sendMessage")))
	requireShape(t, "ListRole", "readFull", h.ok(200, "GET", "/v1/Roles", nil))
	srole := h.ok(201, "POST", svc+"/Roles", form("FriendlyName", "s", "Type", "service", "Permission", "createConversation"))
	requireShape(t, "CreateServiceRole", "", srole)
	require.Equal(t, h.srv.URL+svc+"/Roles/"+srole["sid"].(string), srole["url"])
	requireShape(t, "ListServiceRole", "readFull", h.ok(200, "GET", svc+"/Roles", nil))

	user := h.ok(201, "POST", "/v1/Users", form("Identity", "alice", "FriendlyName", "Alice"))
	requireShape(t, "CreateUser", "", user)
	us := user["sid"].(string)
	require.Nil(t, user["is_online"])
	require.Nil(t, user["is_notifiable"])
	require.Equal(t, h.srv.DefaultServiceSID(), user["chat_service_sid"])
	requireShape(t, "FetchUser", "", h.ok(200, "GET", "/v1/Users/alice", nil))
	requireShape(t, "UpdateUser", "", h.ok(200, "POST", "/v1/Users/"+us, form("Attributes", `{"a":1}`)))
	requireShape(t, "ListUser", "readFull", h.ok(200, "GET", "/v1/Users", nil))
	requireShape(t, "CreateServiceUser", "", h.ok(201, "POST", svc+"/Users", form("Identity", "bob")))
	requireShape(t, "ListServiceUser", "readFull", h.ok(200, "GET", svc+"/Users", nil))

	ch := h.conversation("FriendlyName", "f")
	h.participant(ch, "Identity", "alice")
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	requireShape(t, "FetchUserConversation", "", h.ok(200, "GET", "/v1/Users/"+us+"/Conversations/"+ch, nil))
	requireShape(t, "UpdateUserConversation", "", h.ok(200, "POST", "/v1/Users/"+us+"/Conversations/"+ch, form("NotificationLevel", "muted")))
	requireShape(t, "ListUserConversation", "readFull", h.ok(200, "GET", "/v1/Users/"+us+"/Conversations", nil))
	requireShape(t, "ListParticipantConversation", "readFullByIdentity", h.ok(200, "GET", "/v1/ParticipantConversations", form("Identity", "alice")))
	byAddr := h.ok(200, "GET", "/v1/ParticipantConversations", form("Address", "+15550000001"))
	requireShape(t, "ListParticipantConversation", "readFullByAddress", byAddr)
	item := byAddr["conversations"].([]any)[0].(obj)
	require.Equal(t, keys(specExample(t, "ListParticipantConversation", "readFullByAddress")["conversations"].([]any)[0].(obj)["participant_messaging_binding"].(obj)),
		keys(item["participant_messaging_binding"].(obj)))
	require.Nil(t, item["participant_identity"])

	sch := h.ok(201, "POST", svc+"/Conversations", nil)["sid"].(string)
	h.ok(201, "POST", svc+"/Conversations/"+sch+"/Participants", form("Identity", "bob"))
	requireShape(t, "FetchServiceUserConversation", "", h.ok(200, "GET", svc+"/Users/bob/Conversations/"+sch, nil))
	requireShape(t, "ListServiceUserConversation", "readFull", h.ok(200, "GET", svc+"/Users/bob/Conversations", nil))
	requireShape(t, "ListServiceParticipantConversation", "readFullByIdentity", h.ok(200, "GET", svc+"/ParticipantConversations", form("Identity", "bob")))

	bs, err := h.srv.RegisterBinding(is, "bob", conversations.BindingFCM, "device-1")
	require.NoError(t, err)
	requireShape(t, "FetchServiceBinding", "", h.ok(200, "GET", svc+"/Bindings/"+bs, nil))
	requireShape(t, "ListServiceBinding", "readFull", h.ok(200, "GET", svc+"/Bindings", nil))

	requireShape(t, "FetchConfiguration", "", h.ok(200, "GET", "/v1/Configuration", nil))
	requireShape(t, "UpdateConfiguration", "", h.ok(200, "POST", "/v1/Configuration", form("DefaultInactiveTimer", "PT1M", "DefaultClosedTimer", "PT10M")))
	requireShape(t, "FetchServiceConfiguration", "", h.ok(200, "GET", svc+"/Configuration", nil))
	requireShape(t, "UpdateServiceConfiguration", "", h.ok(200, "POST", svc+"/Configuration", form("ReachabilityEnabled", "true")))
	notif := h.ok(200, "GET", svc+"/Configuration/Notifications", nil)
	requireShape(t, "FetchServiceNotification", "", notif)
	want := specExample(t, "FetchServiceNotification", "")
	for _, k := range []string{"new_message", "added_to_conversation", "removed_from_conversation"} {
		require.Equal(t, want[k], notif[k], k)
	}
	requireShape(t, "UpdateServiceNotification", "", h.ok(200, "POST", svc+"/Configuration/Notifications", form("LogEnabled", "true")))

	addr := h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990001", "FriendlyName", "support",
		"AddressCountry", "US", "AutoCreation.Enabled", "true", "AutoCreation.Type", "webhook", "AutoCreation.ConversationServiceSid", is,
		"AutoCreation.WebhookUrl", "https://example.com", "AutoCreation.WebhookMethod", "POST",
		"AutoCreation.WebhookFilters", "onParticipantAdded", "AutoCreation.WebhookFilters", "onMessageAdded"))
	requireShape(t, "CreateConfigurationAddress", "create", addr)
	createEx := specExample(t, "CreateConfigurationAddress", "create")
	require.Equal(t, keys(createEx["auto_creation"].(obj)), keys(addr["auto_creation"].(obj)))
	ig := addr["sid"].(string)
	requireShape(t, "FetchConfigurationAddress", "", h.ok(200, "GET", "/v1/Configuration/Addresses/"+ig, nil))
	requireShape(t, "UpdateConfigurationAddress", "", h.ok(200, "POST", "/v1/Configuration/Addresses/"+ig, form("FriendlyName", "x")))
	requireShape(t, "ListConfigurationAddress", "readAll", h.ok(200, "GET", "/v1/Configuration/Addresses", nil))
	email := h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "email", "Address", "a@example.com", "AutoCreation.Enabled", "true"))
	require.Equal(t, keys(specExample(t, "CreateConfigurationAddress", "createEmail")["auto_creation"].(obj)), keys(email["auto_creation"].(obj)))
	require.Nil(t, email["address_country"])

	cred := h.ok(201, "POST", "/v1/Credentials", form("Type", "apn", "FriendlyName", "ios", "Certificate", "CERT", "PrivateKey", "KEY", "Sandbox", "true"))
	requireShape(t, "CreateCredential", "create", cred)
	require.Equal(t, "True", cred["sandbox"])
	cr := cred["sid"].(string)
	requireShape(t, "FetchCredential", "", h.ok(200, "GET", "/v1/Credentials/"+cr, nil))
	requireShape(t, "UpdateCredential", "", h.ok(200, "POST", "/v1/Credentials/"+cr, form("Sandbox", "false")))
	requireShape(t, "ListCredential", "readFull", h.ok(200, "GET", "/v1/Credentials", nil))

	cwp := h.ok(202, "POST", "/v1/ConversationWithParticipants", form("FriendlyName", "w", "Participant", `{"identity":"carol"}`))
	// The operation's examples sit under two statuses (201 and 202), which
	// specExample does not tell apart; they share Create Conversation's shape.
	requireShape(t, "CreateConversation", "create", cwp)
	scwp := h.ok(201, "POST", svc+"/ConversationWithParticipants", form("FriendlyName", "w"))
	requireShape(t, "CreateServiceConversation", "", scwp)
}

func TestRoles(t *testing.T) {
	h := newHarness(t)
	roles := h.ok(200, "GET", "/v1/Roles", nil)["roles"].([]any)
	names := map[string]string{}
	for _, r := range roles {
		names[r.(obj)["friendly_name"].(string)] = r.(obj)["type"].(string)
	}
	require.Equal(t, map[string]string{"channel admin": "conversation", "channel user": "conversation",
		"service admin": "service", "service user": "service"}, names)

	h.fails(400, 20001, "POST", "/v1/Roles", form("FriendlyName", "r", "Type", "conversation"))
	h.fails(400, 20001, "POST", "/v1/Roles", form("FriendlyName", "r", "Type", "global", "Permission", "sendMessage"))
	h.fails(400, 20001, "POST", "/v1/Roles", form("Type", "service", "Permission", "x"))
	r := h.ok(201, "POST", "/v1/Roles", form("FriendlyName", "r", "Type", "service", "Permission", "a", "Permission", "b"))
	require.Equal(t, []any{"a", "b"}, r["permissions"])
	r = h.ok(200, "POST", "/v1/Roles/"+r["sid"].(string), form("Permission", "c"))
	require.Equal(t, []any{"c"}, r["permissions"])
	h.fails(400, 20001, "POST", "/v1/Roles/"+r["sid"].(string), nil)
	h.ok(204, "DELETE", "/v1/Roles/"+r["sid"].(string), nil)
	h.fails(404, 20404, "GET", "/v1/Roles/"+r["sid"].(string), nil)

	// The configured defaults cannot be deleted; chat participants get the
	// default conversation role, users the default service role.
	cfg := h.ok(200, "GET", "/v1/Services/"+h.srv.DefaultServiceSID()+"/Configuration", nil)
	h.fails(400, 20001, "DELETE", "/v1/Roles/"+cfg["default_conversation_role_sid"].(string), nil)
	ch := h.conversation()
	p := h.ok(201, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "dave"))
	require.Equal(t, cfg["default_conversation_role_sid"], p["role_sid"])
	u := h.ok(200, "GET", "/v1/Users/dave", nil)
	require.Equal(t, cfg["default_chat_service_role_sid"], u["role_sid"])
}

func TestUsers(t *testing.T) {
	h := newHarness(t)
	u := h.ok(201, "POST", "/v1/Users", form("Identity", "alice", "Attributes", `{"x":1}`))
	require.Equal(t, `{"x":1}`, u["attributes"])
	require.Nil(t, u["friendly_name"])
	h.fails(409, 50201, "POST", "/v1/Users", form("Identity", "alice"))
	h.fails(400, 20001, "POST", "/v1/Users", nil)
	h.fails(400, 50304, "POST", "/v1/Users", form("Identity", "x", "Attributes", "{"))
	require.Equal(t, u["sid"], h.ok(200, "GET", "/v1/Users/alice", nil)["sid"])
	require.Equal(t, "alice", h.ok(200, "GET", "/v1/Users/"+u["sid"].(string), nil)["identity"])

	// A role must be a service role of the service.
	var convRole string
	for _, r := range h.ok(200, "GET", "/v1/Roles", nil)["roles"].([]any) {
		if r.(obj)["type"] == "conversation" {
			convRole = r.(obj)["sid"].(string)
		}
	}
	h.fails(400, 20001, "POST", "/v1/Users/alice", form("RoleSid", convRole))
	up := h.ok(200, "POST", "/v1/Users/alice", form("FriendlyName", "Alice"))
	require.Equal(t, "Alice", up["friendly_name"])

	// Same identity in another service is fine.
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "other"))["sid"].(string)
	h.ok(201, "POST", "/v1/Services/"+is+"/Users", form("Identity", "alice"))

	// Chat participants create their user implicitly.
	ch := h.conversation()
	h.participant(ch, "Identity", "zoe")
	require.Equal(t, "zoe", h.ok(200, "GET", "/v1/Users/zoe", nil)["identity"])
	require.Len(t, h.ok(200, "GET", "/v1/Users", nil)["users"], 2)

	// Reachability: null until enabled, then offline and notifiable with a push binding.
	h.ok(200, "POST", "/v1/Services/"+h.srv.DefaultServiceSID()+"/Configuration", form("ReachabilityEnabled", "true"))
	z := h.ok(200, "GET", "/v1/Users/zoe", nil)
	require.Equal(t, false, z["is_online"])
	require.Equal(t, false, z["is_notifiable"])
	_, err := h.srv.RegisterBinding("", "zoe", conversations.BindingAPN, "tok")
	require.NoError(t, err)
	require.Equal(t, true, h.ok(200, "GET", "/v1/Users/zoe", nil)["is_notifiable"])

	h.ok(204, "DELETE", "/v1/Users/alice", nil)
	h.fails(404, 20404, "GET", "/v1/Users/alice", nil)
}

func TestUserConversationsUnread(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation("UniqueName", "room")
	mb := h.participant(ch, "Identity", "alice")
	for _, b := range []string{"one", "two", "three"} {
		h.message(ch, "Body", b)
	}
	uc := h.ok(200, "GET", "/v1/Users/alice/Conversations/room", nil)
	require.Nil(t, uc["unread_messages_count"])
	require.Nil(t, uc["last_read_message_index"])
	require.Equal(t, "default", uc["notification_level"])
	require.Equal(t, mb, uc["participant_sid"])

	uc = h.ok(200, "POST", "/v1/Users/alice/Conversations/"+ch, form("LastReadMessageIndex", "0", "NotificationLevel", "muted"))
	require.EqualValues(t, 2, uc["unread_messages_count"])
	require.EqualValues(t, 0, uc["last_read_message_index"])
	require.Equal(t, "muted", uc["notification_level"])
	// The participant shares the read horizon, both ways.
	require.EqualValues(t, 0, h.ok(200, "GET", "/v1/Conversations/"+ch+"/Participants/"+mb, nil)["last_read_message_index"])
	h.ok(200, "POST", "/v1/Conversations/"+ch+"/Participants/"+mb, form("LastReadMessageIndex", "2"))
	uc = h.ok(200, "GET", "/v1/Users/alice/Conversations", nil)["conversations"].([]any)[0].(obj)
	require.EqualValues(t, 0, uc["unread_messages_count"])
	h.message(ch, "Body", "four")
	require.EqualValues(t, 1, h.ok(200, "GET", "/v1/Users/alice/Conversations/"+ch, nil)["unread_messages_count"])

	h.fails(400, 20001, "POST", "/v1/Users/alice/Conversations/"+ch, form("NotificationLevel", "loud"))
	h.ok(201, "POST", "/v1/Users", form("Identity", "bob"))
	h.fails(404, 20404, "GET", "/v1/Users/bob/Conversations/"+ch, nil)

	// Leaving removes the participant.
	h.ok(204, "DELETE", "/v1/Users/alice/Conversations/"+ch, nil)
	h.fails(404, 20404, "GET", "/v1/Conversations/"+ch+"/Participants/"+mb, nil)
	require.Empty(t, h.ok(200, "GET", "/v1/Users/alice/Conversations", nil)["conversations"])
}

func TestParticipantConversationsFilter(t *testing.T) {
	h := newHarness(t)
	a, b := h.conversation(), h.conversation()
	h.participant(a, "Identity", "alice")
	h.participant(b, "Identity", "alice")
	h.participant(b, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	h.fails(400, 20001, "GET", "/v1/ParticipantConversations", nil)
	h.fails(400, 20001, "GET", "/v1/ParticipantConversations", form("Identity", "alice", "Address", "+15550000001"))
	list := h.ok(200, "GET", "/v1/ParticipantConversations", form("Identity", "alice", "PageSize", "100"))
	require.Len(t, list["conversations"], 2)
	require.EqualValues(t, 50, list["meta"].(obj)["page_size"])
	item := list["conversations"].([]any)[0].(obj)
	require.Equal(t, a, item["conversation_sid"])
	require.Regexp(t, "^US", item["participant_user_sid"])
	byAddr := h.ok(200, "GET", "/v1/ParticipantConversations", form("Address", "+15550000001"))["conversations"].([]any)
	require.Len(t, byAddr, 1)
	require.Equal(t, "sms", byAddr[0].(obj)["participant_messaging_binding"].(obj)["type"])
}

func TestBindings(t *testing.T) {
	h := newHarness(t)
	is := h.srv.DefaultServiceSID()
	base := "/v1/Services/" + is + "/Bindings"
	cr := h.ok(201, "POST", "/v1/Credentials", form("Type", "fcm", "Secret", "s"))["sid"].(string)
	b1, err := h.srv.RegisterBinding(is, "alice", conversations.BindingFCM, "dev-a")
	require.NoError(t, err)
	_, err = h.srv.RegisterBinding(is, "bob", conversations.BindingAPN, "dev-b")
	require.NoError(t, err)
	_, err = h.srv.RegisterBinding(is, "bob", conversations.BindingTwilsock, "dev-c")
	require.NoError(t, err)
	_, err = h.srv.RegisterBinding(is, "bob", "sms", "x")
	require.Error(t, err)
	_, err = h.srv.RegisterBinding("IS00000000000000000000000000000000", "bob", conversations.BindingAPN, "x")
	require.Error(t, err)

	got := h.ok(200, "GET", base+"/"+b1, nil)
	require.Equal(t, cr, got["credential_sid"])
	require.Equal(t, "dev-a", got["endpoint"])
	require.Equal(t, "alice", got["identity"])
	require.Equal(t, "alice", h.ok(200, "GET", "/v1/Users/alice", nil)["identity"], "the binding's user exists")

	count := func(kv ...string) int {
		return len(h.ok(200, "GET", base, form(kv...))["bindings"].([]any))
	}
	require.Equal(t, 3, count())
	require.Equal(t, 2, count("Identity", "bob"))
	require.Equal(t, 2, count("BindingType", "apn", "BindingType", "fcm"))
	require.Equal(t, 1, count("BindingType", "apn", "Identity", "bob"))
	h.fails(400, 20001, "GET", base, form("BindingType", "sms"))
	require.EqualValues(t, 100, h.ok(200, "GET", base, form("PageSize", "500"))["meta"].(obj)["page_size"])

	h.ok(204, "DELETE", base+"/"+b1, nil)
	h.fails(404, 20404, "GET", base+"/"+b1, nil)
	h.fails(404, 20404, "GET", "/v1/Bindings", nil)
}

func TestAccountConfiguration(t *testing.T) {
	h := newHarness(t)
	cfg := h.ok(200, "GET", "/v1/Configuration", nil)
	require.Equal(t, h.srv.DefaultServiceSID(), cfg["default_chat_service_sid"])
	require.Nil(t, cfg["default_inactive_timer"])
	h.fails(400, 50375, "POST", "/v1/Configuration", form("DefaultInactiveTimer", "PT10S"))
	h.fails(400, 50376, "POST", "/v1/Configuration", form("DefaultClosedTimer", "PT1M"))
	h.fails(400, 50379, "POST", "/v1/Configuration", form("DefaultClosedTimer", "soon"))
	h.fails(400, 20001, "POST", "/v1/Configuration", form("DefaultChatServiceSid", "IS00000000000000000000000000000000"))

	// Default timers apply to new conversations that set none.
	h.ok(200, "POST", "/v1/Configuration", form("DefaultInactiveTimer", "PT5M", "DefaultClosedTimer", "PT1H"))
	conv := h.ok(201, "POST", "/v1/Conversations", nil)
	require.NotNil(t, conv["timers"].(obj)["date_inactive"])
	require.NotNil(t, conv["timers"].(obj)["date_closed"])

	// A new default service receives the account-level requests.
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "new default"))["sid"].(string)
	cfg = h.ok(200, "POST", "/v1/Configuration", form("DefaultChatServiceSid", is, "DefaultMessagingServiceSid", "MG0123456789abcdef0123456789abcdef"))
	require.Equal(t, is, cfg["default_chat_service_sid"])
	require.True(t, strings.HasSuffix(cfg["links"].(obj)["service"].(string), "/v1/Services/"+is+"/Configuration"))
	conv = h.ok(201, "POST", "/v1/Conversations", nil)
	require.Equal(t, is, conv["chat_service_sid"])
	require.Equal(t, "MG0123456789abcdef0123456789abcdef", conv["messaging_service_sid"])
}

func TestServiceConfiguration(t *testing.T) {
	h := newHarness(t)
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "s"))["sid"].(string)
	base := "/v1/Services/" + is
	cfg := h.ok(200, "GET", base+"/Configuration", nil)
	require.Equal(t, false, cfg["reachability_enabled"])
	newRole := h.ok(201, "POST", base+"/Roles", form("FriendlyName", "guest", "Type", "conversation", "Permission", "sendMessage"))["sid"].(string)
	h.fails(400, 20001, "POST", base+"/Configuration", form("DefaultChatServiceRoleSid", newRole))
	h.fails(400, 20001, "POST", base+"/Configuration", form("ReachabilityEnabled", "maybe"))
	cfg = h.ok(200, "POST", base+"/Configuration", form("DefaultConversationRoleSid", newRole))
	require.Equal(t, newRole, cfg["default_conversation_role_sid"])
	ch := h.ok(201, "POST", base+"/Conversations", nil)["sid"].(string)
	p := h.ok(201, "POST", base+"/Conversations/"+ch+"/Participants", form("Identity", "alice"))
	require.Equal(t, newRole, p["role_sid"])

	n := h.ok(200, "POST", base+"/Configuration/Notifications", form("NewMessage.Enabled", "false", "NewMessage.Template", "New: ${MESSAGE}",
		"NewMessage.WithMedia.Enabled", "true", "RemovedFromConversation.Sound", "ding", "LogEnabled", "true"))
	require.Equal(t, false, n["new_message"].(obj)["enabled"])
	require.Equal(t, "New: ${MESSAGE}", n["new_message"].(obj)["template"])
	require.Equal(t, true, n["new_message"].(obj)["with_media"].(obj)["enabled"])
	require.Equal(t, "ding", n["removed_from_conversation"].(obj)["sound"])
	require.Equal(t, true, h.ok(200, "GET", base+"/Configuration/Notifications", nil)["log_enabled"])
	h.fails(400, 20001, "POST", base+"/Configuration/Notifications", form("LogEnabled", "x"))
	h.fails(404, 20404, "GET", "/v1/Services/IS00000000000000000000000000000000/Configuration", nil)
}

func TestAddressAutoCreation(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "inbound"))["sid"].(string)
	h.fails(400, 20001, "POST", "/v1/Configuration/Addresses", form("Address", "+15559990000"))
	h.fails(400, 20001, "POST", "/v1/Configuration/Addresses", form("Type", "fax", "Address", "+15559990000"))
	h.fails(400, 20001, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000",
		"AutoCreation.Enabled", "true", "AutoCreation.Type", "webhook"))
	h.fails(400, 20001, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000",
		"AutoCreation.WebhookFilters", "onConversationAdded"))

	// Without a configuration an inbound SMS has nowhere to go.
	_, err := h.srv.SendSMS("+15550000001", "+15559990000", "hello?")
	require.ErrorIs(t, err, conversationstest.ErrNoConversation)

	ig := h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000",
		"AutoCreation.Enabled", "true", "AutoCreation.Type", "webhook", "AutoCreation.ConversationServiceSid", is,
		"AutoCreation.WebhookUrl", hook.url+"/auto", "AutoCreation.WebhookFilters", "onParticipantAdded",
		"AutoCreation.WebhookFilters", "onMessageAdded"))["sid"].(string)
	h.fails(409, 20001, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000"))
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "whatsapp", "Address", "whatsapp:+15559990000"))
	require.Len(t, h.ok(200, "GET", "/v1/Configuration/Addresses", form("Type", "sms"))["address_configurations"], 1)
	require.Len(t, h.ok(200, "GET", "/v1/Configuration/Addresses", nil)["address_configurations"], 2)

	in, err := h.srv.SendSMS("+15550000001", "+15559990000", "hello?")
	require.NoError(t, err)
	require.Equal(t, 0, in.Index)
	base := "/v1/Services/" + is + "/Conversations/" + in.ConversationSid
	conv := h.ok(200, "GET", base, nil)
	require.Equal(t, "active", conv["state"])
	parts := h.ok(200, "GET", base+"/Participants", nil)["participants"].([]any)
	require.Len(t, parts, 1)
	require.Equal(t, in.ParticipantSid, parts[0].(obj)["sid"])
	require.Equal(t, obj{"type": "sms", "address": "+15550000001", "proxy_address": "+15559990000"}, parts[0].(obj)["messaging_binding"])
	msgs := h.ok(200, "GET", base+"/Messages", nil)["messages"].([]any)
	require.Equal(t, "hello?", msgs[0].(obj)["body"])
	require.Equal(t, "+15550000001", msgs[0].(obj)["author"])
	whs := h.ok(200, "GET", base+"/Webhooks", nil)["webhooks"].([]any)
	require.Len(t, whs, 1)
	require.Equal(t, obj{"url": hook.url + "/auto", "method": "post", "filters": []any{"onParticipantAdded", "onMessageAdded"}},
		whs[0].(obj)["configuration"])
	h.srv.Flush()
	require.Equal(t, []string{"onParticipantAdded", "onMessageAdded"}, hook.events())

	// The next SMS lands in the same conversation; a WhatsApp message to an
	// address without auto-creation still has nowhere to go.
	again, err := h.srv.SendSMS("+15550000001", "+15559990000", "still there?")
	require.NoError(t, err)
	require.Equal(t, in.ConversationSid, again.ConversationSid)
	require.Equal(t, 1, again.Index)
	_, err = h.srv.SendWhatsApp("+15550000001", "+15559990000", "hi")
	require.ErrorIs(t, err, conversationstest.ErrNoConversation)

	// Disabled: no more auto-creation for a new sender.
	up := h.ok(200, "POST", "/v1/Configuration/Addresses/"+ig, form("AutoCreation.Enabled", "false"))
	require.Equal(t, false, up["auto_creation"].(obj)["enabled"])
	_, err = h.srv.SendSMS("+15550000002", "+15559990000", "hi")
	require.ErrorIs(t, err, conversationstest.ErrNoConversation)
	h.ok(204, "DELETE", "/v1/Configuration/Addresses/"+ig, nil)
	h.fails(404, 20404, "GET", "/v1/Configuration/Addresses/"+ig, nil)
}

func TestCredentials(t *testing.T) {
	h := newHarness(t)
	h.fails(400, 20001, "POST", "/v1/Credentials", nil)
	h.fails(400, 20001, "POST", "/v1/Credentials", form("Type", "apn", "Certificate", "C"))
	h.fails(400, 20001, "POST", "/v1/Credentials", form("Type", "gcm"))
	h.fails(400, 20001, "POST", "/v1/Credentials", form("Type", "webpush", "Secret", "s"))
	cr := h.ok(201, "POST", "/v1/Credentials", form("Type", "gcm", "ApiKey", "secret-key", "FriendlyName", "android"))
	b, _ := json.Marshal(cr)
	require.NotContains(t, string(b), "secret-key")
	require.Equal(t, "False", cr["sandbox"])
	sid := cr["sid"].(string)
	up := h.ok(200, "POST", "/v1/Credentials/"+sid, form("FriendlyName", "droid", "ApiKey", "k2"))
	require.Equal(t, "droid", up["friendly_name"])
	h.fails(400, 20001, "POST", "/v1/Credentials/"+sid, form("Type", "apn"))
	require.Len(t, h.ok(200, "GET", "/v1/Credentials", nil)["credentials"], 1)
	h.ok(204, "DELETE", "/v1/Credentials/"+sid, nil)
	h.fails(404, 20404, "GET", "/v1/Credentials/"+sid, nil)
	h.fails(404, 20404, "GET", "/v1/Services/"+h.srv.DefaultServiceSID()+"/Credentials", nil)
}

func TestConversationWithParticipants(t *testing.T) {
	h := newHarness(t)
	many := form("FriendlyName", "big")
	for range 11 {
		many.Add("Participant", `{"identity":"x"}`)
	}
	h.fails(400, 50426, "POST", "/v1/ConversationWithParticipants", many)
	h.fails(400, 50424, "POST", "/v1/ConversationWithParticipants", form("Participant", `{"identity":`))
	h.fails(400, 20001, "POST", "/v1/ConversationWithParticipants", form("Participant", `{}`))
	h.fails(409, 50433, "POST", "/v1/ConversationWithParticipants", form("Participant", `{"identity":"a"}`, "Participant", `{"identity":"a"}`))
	require.Empty(t, h.ok(200, "GET", "/v1/Conversations", nil)["conversations"], "failed requests create nothing")

	conv := h.ok(202, "POST", "/v1/ConversationWithParticipants", form("FriendlyName", "team", "UniqueName", "team",
		"Participant", `{"identity":"alice","attributes":{"vip":true}}`,
		"Participant", `{"messaging_binding":{"address":"+15550000001","proxy_address":"+15559990000"}}`))
	require.Equal(t, "team", conv["friendly_name"])
	parts := h.ok(200, "GET", "/v1/Conversations/team/Participants", nil)["participants"].([]any)
	require.Len(t, parts, 2)
	require.Equal(t, "alice", parts[0].(obj)["identity"])
	require.Equal(t, `{"vip":true}`, parts[0].(obj)["attributes"])
	require.Equal(t, "+15550000001", parts[1].(obj)["messaging_binding"].(obj)["address"])
	require.Equal(t, "alice", h.ok(200, "GET", "/v1/Users/alice", nil)["identity"])

	// The address pair is now in use: one → 50416, several → 50425.
	h.fails(409, 50416, "POST", "/v1/ConversationWithParticipants",
		form("Participant", `{"messaging_binding":{"address":"+15550000001","proxy_address":"+15559990000"}}`))
	h.ok(201, "POST", "/v1/Conversations/team/Participants", form("MessagingBinding.Address", "+15550000002", "MessagingBinding.ProxyAddress", "+15559990000"))
	h.fails(409, 50425, "POST", "/v1/ConversationWithParticipants",
		form("Participant", `{"messaging_binding":{"address":"+15550000001","proxy_address":"+15559990000"}}`,
			"Participant", `{"messaging_binding":{"address":"+15550000002","proxy_address":"+15559990000"}}`))
	is := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "s"))["sid"].(string)
	sc := h.ok(202, "POST", "/v1/Services/"+is+"/ConversationWithParticipants", form("Participant", `{"identity":"bob"}`))
	require.Equal(t, is, sc["chat_service_sid"])
}
