package conversations_test

// Integration tests of roles, users, user and participant conversations,
// bindings, configurations, addresses, credentials, receipts,
// conversation-scoped webhooks and conversation creation with participants,
// driven against the emulator.

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/require"
)

func TestIntegrationRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	defaults := collect(t, client.Roles.List(ctx, nil))
	require.Len(t, defaults, 4)
	for _, r := range defaults {
		require.Equal(t, srv.DefaultServiceSID(), r.ChatServiceSID)
		require.NotEmpty(t, r.Permissions)
	}

	r, err := client.Roles.Create(ctx, &conversations.RoleCreateParams{FriendlyName: "moderator",
		Type: conversations.RoleTypeConversation, Permissions: []string{"sendMessage", "removeParticipant"}})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(r.SID, "RL"))
	require.Equal(t, conversations.RoleTypeConversation, r.Type)
	require.Equal(t, []string{"sendMessage", "removeParticipant"}, r.Permissions)
	got, err := client.Roles.Fetch(ctx, r.SID)
	require.NoError(t, err)
	require.Equal(t, "moderator", got.FriendlyName)
	up, err := client.Roles.Update(ctx, r.SID, &conversations.RoleUpdateParams{Permissions: []string{"sendMessage"}})
	require.NoError(t, err)
	require.Equal(t, []string{"sendMessage"}, up.Permissions)

	page, err := client.Roles.Pager(&conversations.ListParams{PageSize: 2}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	require.Len(t, collect(t, client.Roles.Pager(&conversations.ListParams{PageSize: 2}).All(ctx)), 5)

	require.NoError(t, client.Roles.Delete(ctx, r.SID))
	_, err = client.Roles.Fetch(ctx, r.SID)
	require.True(t, conversations.IsNotFound(err), "%v", err)

	// Service-scoped: a new service has its own default roles.
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "roles"})
	require.NoError(t, err)
	scoped := client.Service(svc.SID)
	sr, err := scoped.Roles.Create(ctx, &conversations.RoleCreateParams{FriendlyName: "auditor",
		Type: conversations.RoleTypeService, Permissions: []string{"editAnyUserInfo"}})
	require.NoError(t, err)
	require.Equal(t, svc.SID, sr.ChatServiceSID)
	require.Len(t, collect(t, scoped.Roles.List(ctx, nil)), 5)
	_, err = client.Roles.Fetch(ctx, sr.SID)
	require.True(t, conversations.IsNotFound(err), "a service's role is not the default service's")
}

func TestIntegrationUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	attrs, err := conversations.NewAttributes(map[string]string{"team": "support"})
	require.NoError(t, err)
	u, err := client.Users.Create(ctx, &conversations.UserCreateParams{Identity: "alice", FriendlyName: "Alice", Attributes: attrs})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(u.SID, "US"))
	require.True(t, strings.HasPrefix(u.RoleSID, "RL"))
	require.Nil(t, u.IsOnline)
	require.Nil(t, u.IsNotifiable)
	require.JSONEq(t, `{"team":"support"}`, u.Attributes.String())
	require.True(t, strings.HasSuffix(u.Links.UserConversations, "/v1/Users/"+u.SID+"/Conversations"))

	_, err = client.Users.Create(ctx, &conversations.UserCreateParams{Identity: "alice"})
	require.Equal(t, 50201, apiCode(err), "%v", err)

	byIdentity, err := client.Users.Fetch(ctx, "alice")
	require.NoError(t, err)
	require.Equal(t, u.SID, byIdentity.SID)
	up, err := client.Users.Update(ctx, u.SID, &conversations.UserUpdateParams{FriendlyName: "Alice A."})
	require.NoError(t, err)
	require.Equal(t, "Alice A.", up.FriendlyName)

	// A chat participant creates its user implicitly.
	conv, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "bob"})
	require.NoError(t, err)
	bob, err := client.Users.Fetch(ctx, "bob")
	require.NoError(t, err)
	require.Equal(t, "bob", bob.Identity)

	require.Len(t, collect(t, client.Users.List(ctx, nil)), 2)
	page, err := client.Users.Pager(&conversations.ListParams{PageSize: 1}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)

	require.NoError(t, client.Users.Delete(ctx, "alice", nil))
	_, err = client.Users.Fetch(ctx, u.SID)
	require.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestIntegrationUserConversations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "support-1", FriendlyName: "Support"})
	require.NoError(t, err)
	p, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
	require.NoError(t, err)
	for _, body := range []string{"one", "two", "three"} {
		_, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: body})
		require.NoError(t, err)
	}

	uc, err := client.UserConversations.Fetch(ctx, "alice", "support-1")
	require.NoError(t, err)
	require.Equal(t, conv.SID, uc.ConversationSID)
	require.Equal(t, p.SID, uc.ParticipantSID)
	require.Equal(t, "Support", uc.FriendlyName)
	require.Nil(t, uc.UnreadMessagesCount)
	require.Equal(t, conversations.NotificationDefault, uc.NotificationLevel)
	require.True(t, strings.HasSuffix(uc.Links.Participant, "/Participants/"+p.SID))

	uc, err = client.UserConversations.Update(ctx, "alice", conv.SID, &conversations.UserConversationUpdateParams{
		LastReadMessageIndex: conversations.Ptr(0), NotificationLevel: conversations.NotificationMuted,
		LastReadTimestamp: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)})
	require.NoError(t, err)
	require.Equal(t, 2, *uc.UnreadMessagesCount)
	require.Equal(t, 0, *uc.LastReadMessageIndex)
	require.Equal(t, conversations.NotificationMuted, uc.NotificationLevel)
	part, err := client.Participants.Fetch(ctx, conv.SID, p.SID)
	require.NoError(t, err)
	require.Equal(t, 0, *part.LastReadMessageIndex, "the participant shares the read horizon")

	// Marking everything read through the participant clears the count.
	_, err = client.Participants.Update(ctx, conv.SID, p.SID, &conversations.ParticipantUpdateParams{LastReadMessageIndex: conversations.Ptr(2)})
	require.NoError(t, err)
	all := collect(t, client.UserConversations.List(ctx, "alice", nil))
	require.Len(t, all, 1)
	require.Equal(t, 0, *all[0].UnreadMessagesCount)
	page, err := client.UserConversations.Pager("alice", &conversations.ListParams{PageSize: 1}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)

	// Leaving removes the participant.
	require.NoError(t, client.UserConversations.Delete(ctx, "alice", conv.SID))
	_, err = client.Participants.Fetch(ctx, conv.SID, p.SID)
	require.True(t, conversations.IsNotFound(err), "%v", err)
	require.Empty(t, collect(t, client.UserConversations.List(ctx, "alice", nil)))
}

func TestIntegrationParticipantConversations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "pc"})
	require.NoError(t, err)
	scoped := client.Service(svc.SID)
	for i := range 2 {
		conv, err := scoped.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "c" + string(rune('0'+i))})
		require.NoError(t, err)
		_, err = scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
		require.NoError(t, err)
		if i == 0 {
			_, err = scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
				MessagingBindingAddress: "+15550000001", MessagingBindingProxyAddress: "+15559990000"})
			require.NoError(t, err)
		}
	}
	byID := collect(t, scoped.ParticipantConversations.List(ctx, &conversations.ParticipantConversationListParams{Identity: "alice"}))
	require.Len(t, byID, 2)
	require.Equal(t, "c0", byID[0].ConversationFriendlyName)
	require.True(t, strings.HasPrefix(byID[0].ParticipantUserSID, "US"))
	require.Nil(t, byID[0].ParticipantMessagingBinding)
	byAddr := collect(t, scoped.ParticipantConversations.List(ctx, &conversations.ParticipantConversationListParams{Address: "+15550000001"}))
	require.Len(t, byAddr, 1)
	require.Equal(t, "+15559990000", byAddr[0].ParticipantMessagingBinding.ProxyAddress)
	require.Empty(t, byAddr[0].ParticipantIdentity)
	page, err := scoped.ParticipantConversations.Pager(&conversations.ParticipantConversationListParams{Identity: "alice", PageSize: 1}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Empty(t, collect(t, client.ParticipantConversations.List(ctx, &conversations.ParticipantConversationListParams{Identity: "alice"})),
		"the default service has none")
}

func TestIntegrationBindings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	cred, err := client.Credentials.Create(ctx, &conversations.CredentialCreateParams{Type: conversations.PushFCM, Secret: "server-key"})
	require.NoError(t, err)
	bindings := client.Service(srv.DefaultServiceSID()).Bindings
	a, err := srv.RegisterBinding("", "alice", conversations.BindingFCM, "device-a")
	require.NoError(t, err)
	_, err = srv.RegisterBinding("", "bob", conversations.BindingAPN, "device-b")
	require.NoError(t, err)

	b, err := bindings.Fetch(ctx, a)
	require.NoError(t, err)
	require.Equal(t, conversations.BindingFCM, b.BindingType)
	require.Equal(t, "device-a", b.Endpoint)
	require.Equal(t, cred.SID, b.CredentialSID)
	require.Contains(t, b.MessageTypes, "new_message")

	require.Len(t, collect(t, bindings.List(ctx, nil)), 2)
	only := collect(t, bindings.List(ctx, &conversations.BindingListParams{Identities: []string{"bob"}}))
	require.Len(t, only, 1)
	require.Equal(t, conversations.BindingAPN, only[0].BindingType)
	both := collect(t, bindings.List(ctx, &conversations.BindingListParams{BindingTypes: []conversations.BindingType{conversations.BindingAPN, conversations.BindingFCM}}))
	require.Len(t, both, 2)
	page, err := bindings.Pager(&conversations.BindingListParams{PageSize: 1}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)

	require.NoError(t, bindings.Delete(ctx, a))
	_, err = bindings.Fetch(ctx, a)
	require.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestIntegrationServiceConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "cfg"})
	require.NoError(t, err)
	scoped := client.Service(svc.SID)
	cfg, err := scoped.Configuration.Fetch(ctx)
	require.NoError(t, err)
	require.Equal(t, svc.SID, cfg.ChatServiceSID)
	require.False(t, cfg.ReachabilityEnabled)
	require.NotEmpty(t, cfg.DefaultConversationRoleSID)

	guest, err := scoped.Roles.Create(ctx, &conversations.RoleCreateParams{FriendlyName: "guest",
		Type: conversations.RoleTypeConversation, Permissions: []string{"sendMessage"}})
	require.NoError(t, err)
	cfg, err = scoped.Configuration.Update(ctx, &conversations.ServiceConfigurationUpdateParams{
		DefaultConversationRoleSID: guest.SID, ReachabilityEnabled: conversations.Ptr(true)})
	require.NoError(t, err)
	require.Equal(t, guest.SID, cfg.DefaultConversationRoleSID)
	require.True(t, cfg.ReachabilityEnabled)
	conv, err := scoped.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	p, err := scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
	require.NoError(t, err)
	require.Equal(t, guest.SID, p.RoleSID, "chat participants get the default conversation role")
	u, err := scoped.Users.Fetch(ctx, "alice")
	require.NoError(t, err)
	require.NotNil(t, u.IsOnline, "reachability on")
	require.False(t, *u.IsOnline)

	n, err := scoped.Configuration.FetchNotifications(ctx)
	require.NoError(t, err)
	require.True(t, n.NewMessage.Enabled)
	require.Contains(t, n.NewMessage.Template, "${MESSAGE}")
	n, err = scoped.Configuration.UpdateNotifications(ctx, &conversations.ServiceNotificationsUpdateParams{
		NewMessageEnabled: conversations.Ptr(false), AddedToConversationTemplate: "Welcome to ${CONVERSATION}",
		NewMessageWithMediaEnabled: conversations.Ptr(true), LogEnabled: conversations.Ptr(true)})
	require.NoError(t, err)
	require.False(t, n.NewMessage.Enabled)
	require.True(t, n.NewMessage.WithMedia.Enabled)
	require.True(t, n.LogEnabled)
	require.Equal(t, "Welcome to ${CONVERSATION}", n.AddedToConversation.Template)
}

func TestIntegrationConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	cfg, err := client.Configuration.Fetch(ctx)
	require.NoError(t, err)
	require.Equal(t, srv.DefaultServiceSID(), cfg.DefaultChatServiceSID)
	require.Empty(t, cfg.DefaultInactiveTimer)
	require.True(t, strings.HasSuffix(cfg.Links.Webhooks, "/v1/Configuration/Webhooks"))

	cfg, err = client.Configuration.Update(ctx, &conversations.ConfigurationUpdateParams{
		DefaultTimers: conversations.Timers{Inactive: 5 * time.Minute, Closed: time.Hour}})
	require.NoError(t, err)
	require.Equal(t, "PT5M", cfg.DefaultInactiveTimer)
	conv, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	require.False(t, conv.Timers.DateInactive.IsZero(), "the default timers apply")
	require.Equal(t, time.Hour, conv.Timers.DateClosed.Sub(conv.DateCreated).Round(time.Minute))

	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "new default"})
	require.NoError(t, err)
	cfg, err = client.Configuration.Update(ctx, &conversations.ConfigurationUpdateParams{DefaultChatServiceSID: svc.SID})
	require.NoError(t, err)
	require.Equal(t, svc.SID, cfg.DefaultChatServiceSID)
	conv, err = client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, svc.SID, conv.ChatServiceSID, "account-level calls use the new default service")

	hooks, err := client.Configuration.UpdateWebhooks(ctx, &conversations.WebhookConfigurationUpdateParams{
		PostWebhookURL: "https://example.com/post", Filters: []conversations.EventType{"onMessageAdded"}})
	require.NoError(t, err)
	require.Equal(t, "https://example.com/post", hooks.PostWebhookURL)
	hooks, err = client.Configuration.FetchWebhooks(ctx)
	require.NoError(t, err)
	require.Equal(t, []conversations.EventType{"onMessageAdded"}, hooks.Filters)
}

func TestIntegrationAddressesAutoCreation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	var (
		mu     sync.Mutex
		events []string
	)
	hook := newBot(t, srv.AuthToken(), func(f url.Values) {
		mu.Lock()
		events = append(events, f.Get("EventType"))
		mu.Unlock()
	})
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "inbound"})
	require.NoError(t, err)
	addr, err := client.Addresses.Create(ctx, &conversations.AddressCreateParams{
		Type: conversations.AddressSMS, Address: "+15559990000", FriendlyName: "support line",
		AutoCreation: conversations.AddressAutoCreationParams{
			Enabled: conversations.Ptr(true), Type: conversations.AutoCreationWebhook, ConversationServiceSID: svc.SID,
			WebhookURL: hook, WebhookMethod: conversations.WebhookPOST,
			WebhookFilters: []conversations.EventType{"onParticipantAdded", "onMessageAdded"},
		},
	})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(addr.SID, "IG"))
	require.True(t, addr.AutoCreation.Enabled)
	require.Equal(t, conversations.AutoCreationWebhook, addr.AutoCreation.Type)
	require.Equal(t, []conversations.EventType{"onParticipantAdded", "onMessageAdded"}, addr.AutoCreation.WebhookFilters)

	in, err := srv.SendSMS("+15550000001", "+15559990000", "Is my order shipped?")
	require.NoError(t, err)
	scoped := client.Service(svc.SID)
	conv, err := scoped.Conversations.Fetch(ctx, in.ConversationSid)
	require.NoError(t, err)
	require.Equal(t, conversations.StateActive, conv.State)
	msgs := collect(t, scoped.Messages.List(ctx, conv.SID, nil))
	require.Len(t, msgs, 1)
	require.Equal(t, "Is my order shipped?", msgs[0].Body)
	parts := collect(t, scoped.Participants.List(ctx, conv.SID, nil))
	require.Len(t, parts, 1)
	require.Equal(t, "+15550000001", parts[0].MessagingBinding.Address)

	whs := collect(t, scoped.Webhooks.List(ctx, conv.SID, nil))
	require.Len(t, whs, 1)
	require.Equal(t, hook, whs[0].Configuration.URL)
	srv.Flush()
	mu.Lock()
	require.Equal(t, []string{"onParticipantAdded", "onMessageAdded"}, events)
	mu.Unlock()

	got, err := client.Addresses.Fetch(ctx, addr.SID)
	require.NoError(t, err)
	require.Equal(t, "support line", got.FriendlyName)
	up, err := client.Addresses.Update(ctx, addr.SID, &conversations.AddressUpdateParams{
		AutoCreation: conversations.AddressAutoCreationParams{Enabled: conversations.Ptr(false)}})
	require.NoError(t, err)
	require.False(t, up.AutoCreation.Enabled)
	_, err = srv.SendSMS("+15550000002", "+15559990000", "hello?")
	require.ErrorIs(t, err, conversationstest.ErrNoConversation)

	_, err = client.Addresses.Create(ctx, &conversations.AddressCreateParams{Type: conversations.AddressWhatsApp, Address: "whatsapp:+15559990000"})
	require.NoError(t, err)
	require.Len(t, collect(t, client.Addresses.List(ctx, nil)), 2)
	require.Len(t, collect(t, client.Addresses.List(ctx, &conversations.AddressListParams{Type: conversations.AddressWhatsApp})), 1)
	page, err := client.Addresses.Pager(&conversations.AddressListParams{PageSize: 1}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.NoError(t, client.Addresses.Delete(ctx, addr.SID))
	_, err = client.Addresses.Fetch(ctx, addr.SID)
	require.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestIntegrationCredentials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	cr, err := client.Credentials.Create(ctx, &conversations.CredentialCreateParams{Type: conversations.PushAPN, FriendlyName: "ios",
		Certificate: "-----BEGIN CERTIFICATE-----", PrivateKey: "-----BEGIN RSA PRIVATE KEY-----", Sandbox: conversations.Ptr(true)})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cr.SID, "CR"))
	require.True(t, cr.Sandbox)
	require.Equal(t, conversations.PushAPN, cr.Type)
	up, err := client.Credentials.Update(ctx, cr.SID, &conversations.CredentialUpdateParams{Sandbox: conversations.Ptr(false), FriendlyName: "ios prod"})
	require.NoError(t, err)
	require.False(t, up.Sandbox)
	got, err := client.Credentials.Fetch(ctx, cr.SID)
	require.NoError(t, err)
	require.Equal(t, "ios prod", got.FriendlyName)
	_, err = client.Credentials.Create(ctx, &conversations.CredentialCreateParams{Type: conversations.PushGCM})
	require.Equal(t, 20001, apiCode(err), "gcm needs ApiKey: %v", err)
	_, err = client.Credentials.Create(ctx, &conversations.CredentialCreateParams{Type: conversations.PushGCM, APIKey: "k"})
	require.NoError(t, err)
	require.Len(t, collect(t, client.Credentials.List(ctx, nil)), 2)
	page, err := client.Credentials.Pager(&conversations.ListParams{PageSize: 1}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.NoError(t, client.Credentials.Delete(ctx, cr.SID))
	_, err = client.Credentials.Fetch(ctx, cr.SID)
	require.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestIntegrationReceipts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	conv, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	sms, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15550000001", MessagingBindingProxyAddress: "+15559990000"})
	require.NoError(t, err)
	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15550000002", MessagingBindingProxyAddress: "+15559990000"})
	require.NoError(t, err)
	srv.FailDeliveriesTo("+15550000002", conversations.DeliveryUndelivered)
	m, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: "Your code is 1234"})
	require.NoError(t, err)
	srv.Flush()

	receipts := collect(t, client.Receipts.List(ctx, conv.SID, m.SID, nil))
	require.Len(t, receipts, 2)
	statuses := []conversations.DeliveryStatus{receipts[0].Status, receipts[1].Status}
	slices.Sort(statuses)
	require.Equal(t, []conversations.DeliveryStatus{conversations.DeliveryDelivered, conversations.DeliveryUndelivered}, statuses)
	for _, r := range receipts {
		if r.ParticipantSID == sms.SID {
			require.Zero(t, r.ErrorCode)
			got, err := client.Receipts.Fetch(ctx, conv.SID, m.SID, r.SID)
			require.NoError(t, err)
			require.Equal(t, conversations.DeliveryDelivered, got.Status)
			require.True(t, strings.HasPrefix(got.ChannelMessageSID, "SM"))
		} else {
			require.Equal(t, 30003, r.ErrorCode)
		}
	}
	page, err := client.Receipts.Pager(conv.SID, m.SID, &conversations.ListParams{PageSize: 1}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
}

func TestIntegrationConversationWebhooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	got := make(chan string, 10)
	hook := newBot(t, srv.AuthToken(), func(f url.Values) { got <- f.Get("EventType") + " " + f.Get("Body") })
	conv, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	wh, err := client.Webhooks.Create(ctx, conv.SID, &conversations.ConversationWebhookCreateParams{
		Target: conversations.WebhookTarget("webhook"), ConfigurationURL: hook, ConfigurationFilters: []conversations.EventType{"onMessageAdded"}})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(wh.SID, "WH"))
	require.Equal(t, hook, wh.Configuration.URL)
	_, err = client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: "ping", WebhookEnabled: true})
	require.NoError(t, err)
	srv.Flush()
	require.Equal(t, "onMessageAdded ping", <-got)

	up, err := client.Webhooks.Update(ctx, conv.SID, wh.SID, &conversations.ConversationWebhookUpdateParams{
		ConfigurationFilters: []conversations.EventType{"onMessageAdded", "onMessageRemoved"}})
	require.NoError(t, err)
	require.Equal(t, []conversations.EventType{"onMessageAdded", "onMessageRemoved"}, up.Configuration.Filters)
	f, err := client.Webhooks.Fetch(ctx, conv.SID, wh.SID)
	require.NoError(t, err)
	require.Equal(t, up.Configuration.Filters, f.Configuration.Filters)
	require.Len(t, collect(t, client.Webhooks.List(ctx, conv.SID, nil)), 1)
	page, err := client.Webhooks.Pager(conv.SID, nil).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.NoError(t, client.Webhooks.Delete(ctx, conv.SID, wh.SID))
	_, err = client.Webhooks.Fetch(ctx, conv.SID, wh.SID)
	require.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestIntegrationCreateWithParticipants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	attrs, err := conversations.NewAttributes(map[string]bool{"vip": true})
	require.NoError(t, err)
	conv, err := client.Conversations.CreateWithParticipants(ctx, &conversations.ConversationWithParticipantsCreateParams{
		ConversationCreateParams: conversations.ConversationCreateParams{FriendlyName: "deal room", UniqueName: "deal"},
		Participants: conversations.NewParticipants{
			{Identity: "alice", Attributes: attrs},
			{MessagingBindingAddress: "+15550000001", MessagingBindingProxyAddress: "+15559990000"},
		},
	})
	require.NoError(t, err)
	require.Equal(t, "deal room", conv.FriendlyName)
	parts := collect(t, client.Participants.List(ctx, "deal", nil))
	require.Len(t, parts, 2)
	require.Equal(t, "alice", parts[0].Identity)
	require.JSONEq(t, `{"vip":true}`, parts[0].Attributes.String())
	require.Equal(t, "+15550000001", parts[1].MessagingBinding.Address)

	// The same address pair again is taken: nothing is created.
	_, err = client.Conversations.CreateWithParticipants(ctx, &conversations.ConversationWithParticipantsCreateParams{
		Participants: conversations.NewParticipants{{MessagingBindingAddress: "+15550000001", MessagingBindingProxyAddress: "+15559990000"}},
	})
	require.Equal(t, 50416, apiCode(err), "%v", err)
	require.Len(t, collect(t, client.Conversations.List(ctx, nil)), 1)

	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "cwp"})
	require.NoError(t, err)
	sc, err := client.Service(svc.SID).Conversations.CreateWithParticipants(ctx, &conversations.ConversationWithParticipantsCreateParams{
		Participants: conversations.NewParticipants{{Identity: "bob"}}})
	require.NoError(t, err)
	require.Equal(t, svc.SID, sc.ChatServiceSID)
}
