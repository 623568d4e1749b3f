package conversations_test

// Integration tests: every client method driven against the local emulator
// (conversationstest), beside the httpmock unit tests.

import (
	"context"
	"errors"
	"fmt"
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

func newEmulated(t testing.TB, opts ...conversationstest.Option) (*conversations.Client, *conversationstest.Server) {
	t.Helper()
	srv := conversationstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client, err := srv.Client()
	require.NoError(t, err)
	return client, srv
}

func collect[T any](t *testing.T, seq func(func(*T, error) bool)) []*T {
	t.Helper()
	var out []*T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func apiCode(err error) int {
	var apiErr *conversations.Error
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return 0
}

func TestIntegrationServices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "support"})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(svc.SID, "IS"))
	require.Equal(t, "support", svc.FriendlyName)

	got, err := client.Services.Fetch(ctx, svc.SID)
	require.NoError(t, err)
	require.Equal(t, svc.SID, got.SID)

	all := collect(t, client.Services.List(ctx, &conversations.ListParams{PageSize: 1}))
	require.Len(t, all, 2)
	require.Equal(t, srv.DefaultServiceSID(), all[0].SID)

	pager := client.Services.Pager(&conversations.ListParams{PageSize: 1})
	page, err := pager.Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.True(t, pager.More())

	require.NoError(t, client.Services.Delete(ctx, svc.SID))
	_, err = client.Services.Fetch(ctx, svc.SID)
	require.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestIntegrationConversations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t, conversationstest.WithClock(time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)))
	attrs, _ := conversations.NewAttributes(map[string]string{"topic": "billing"})
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{
		FriendlyName: "Billing", UniqueName: "billing-1", Attributes: attrs,
		State: conversations.StateActive, Timers: conversations.Timers{Inactive: time.Minute, Closed: 10 * time.Minute},
	})
	require.NoError(t, err)
	require.Equal(t, "billing-1", conv.UniqueName)
	require.Equal(t, conversations.StateActive, conv.State)
	require.Equal(t, time.Date(2025, 5, 1, 9, 1, 0, 0, time.UTC), conv.Timers.DateInactive)
	require.Equal(t, srv.URL+"/v1/Conversations/"+conv.SID+"/Messages", conv.Links.Messages)
	topic, err := conversations.DecodeAttributes[map[string]string](conv.Attributes)
	require.NoError(t, err)
	require.Equal(t, "billing", topic["topic"])

	byName, err := client.Conversations.Fetch(ctx, "billing-1")
	require.NoError(t, err)
	require.Equal(t, conv.SID, byName.SID)

	_, err = client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "billing-1"})
	require.Equal(t, conversations.CodeUniqueNameExists, apiCode(err))
	require.True(t, conversations.IsConflict(err))

	up, err := client.Conversations.Update(ctx, "billing-1", &conversations.ConversationUpdateParams{FriendlyName: "Billing (VIP)"})
	require.NoError(t, err)
	require.Equal(t, "Billing (VIP)", up.FriendlyName)

	srv.Advance(2 * time.Minute)
	inactive := collect(t, client.Conversations.List(ctx, &conversations.ConversationListParams{State: conversations.StateInactive}))
	require.Len(t, inactive, 1)

	for i := range 5 {
		_, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: fmt.Sprint(i)})
		require.NoError(t, err)
	}
	require.Len(t, collect(t, client.Conversations.List(ctx, &conversations.ConversationListParams{PageSize: 2})), 6)
	pager := client.Conversations.Pager(&conversations.ConversationListParams{PageSize: 4})
	var sizes []int
	for pager.More() {
		page, err := pager.Next(ctx)
		require.NoError(t, err)
		sizes = append(sizes, len(page.Items))
	}
	require.Equal(t, []int{4, 2}, sizes)

	closed, err := client.Conversations.Close(ctx, conv.SID, nil)
	require.NoError(t, err)
	require.Equal(t, conversations.StateClosed, closed.State)
	_, err = client.Conversations.Update(ctx, conv.SID, &conversations.ConversationUpdateParams{FriendlyName: "again"})
	require.Equal(t, conversations.CodeConversationClosed, apiCode(err))

	require.NoError(t, client.Conversations.Delete(ctx, conv.SID, &conversations.DeleteParams{WebhookEnabled: true}))
	_, err = client.Conversations.Fetch(ctx, conv.SID)
	require.True(t, conversations.IsNotFound(err))
}

func TestIntegrationParticipants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	conv, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)

	alice, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
	require.NoError(t, err)
	require.Nil(t, alice.MessagingBinding)
	sms, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15550001111", MessagingBindingProxyAddress: "+15559990000"})
	require.NoError(t, err)
	require.Equal(t, conversations.MessagingSMS, sms.MessagingBinding.Type)
	wa, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "whatsapp:+15550002222", MessagingBindingProxyAddress: "whatsapp:+15559990000"})
	require.NoError(t, err)
	require.Equal(t, conversations.MessagingWhatsApp, wa.MessagingBinding.Type)

	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
	require.Equal(t, conversations.CodeIdentityExists, apiCode(err))
	other, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	_, err = client.Participants.Create(ctx, other.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15550001111", MessagingBindingProxyAddress: "+15559990000"})
	require.Equal(t, conversations.CodeAddressPairInUse, apiCode(err))

	got, err := client.Participants.Fetch(ctx, conv.SID, "alice")
	require.NoError(t, err)
	require.Equal(t, alice.SID, got.SID)
	found, err := client.Participants.FindByAddress(ctx, conv.SID, "whatsapp:+15550002222")
	require.NoError(t, err)
	require.Equal(t, wa.SID, found.SID)
	_, err = client.Participants.FindByAddress(ctx, conv.SID, "+19999999999")
	require.ErrorIs(t, err, conversations.ErrNotFound)

	attrs, _ := conversations.ParseAttributes(`{"vip":true}`)
	up, err := client.Participants.Update(ctx, conv.SID, alice.SID, &conversations.ParticipantUpdateParams{
		Attributes: attrs, LastReadMessageIndex: conversations.Ptr(0)})
	require.NoError(t, err)
	require.Equal(t, `{"vip":true}`, up.Attributes.String())
	require.Equal(t, 0, *up.LastReadMessageIndex)

	require.Len(t, collect(t, client.Participants.List(ctx, conv.SID, &conversations.ListParams{PageSize: 2})), 3)
	page, err := client.Participants.Pager(conv.SID, nil).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 3)

	removed, err := client.Participants.RemoveByIdentity(ctx, conv.SID, "alice", nil)
	require.NoError(t, err)
	require.Equal(t, alice.SID, removed.SID)
	removed, err = client.Participants.RemoveByAddress(ctx, conv.SID, "+15550001111", nil)
	require.NoError(t, err)
	require.Equal(t, sms.SID, removed.SID)
	require.NoError(t, client.Participants.Delete(ctx, conv.SID, wa.SID, nil))
	require.Empty(t, collect(t, client.Participants.List(ctx, conv.SID, nil)))
}

func TestIntegrationMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "support-7"})
	require.NoError(t, err)
	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "agent"})
	require.NoError(t, err)
	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15550001111", MessagingBindingProxyAddress: "+15559990000"})
	require.NoError(t, err)

	var sent []*conversations.Message
	for i := range 3 {
		m, err := client.Messages.Create(ctx, "support-7", &conversations.MessageCreateParams{Author: "agent", Body: fmt.Sprint("hello ", i)})
		require.NoError(t, err)
		require.Equal(t, i, m.Index)
		require.NotNil(t, m.Delivery)
		require.Equal(t, 1, m.Delivery.Total)
		sent = append(sent, m)
	}
	srv.Flush()
	m, err := client.Messages.Fetch(ctx, conv.SID, sent[0].SID)
	require.NoError(t, err)
	require.Equal(t, conversations.DeliveryAll, m.Delivery.Delivered)
	require.NotEmpty(t, m.ParticipantSID)
	require.Len(t, srv.Received("+15550001111"), 3)

	media, err := client.Service(conv.ChatServiceSID).Media.Upload(ctx, strings.NewReader("%PDF-1.4"), &conversations.MediaUploadParams{ContentType: "application/pdf"})
	require.NoError(t, err)
	withMedia, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{MediaSID: media.SID})
	require.NoError(t, err)
	require.Equal(t, media.SID, withMedia.Media[0].SID)
	require.Equal(t, "system", withMedia.Author)

	up, err := client.Messages.Update(ctx, conv.SID, sent[1].SID, &conversations.MessageUpdateParams{Body: "edited"})
	require.NoError(t, err)
	require.Equal(t, "edited", up.Body)

	desc := collect(t, client.Messages.List(ctx, conv.SID, &conversations.MessageListParams{Order: conversations.OrderDesc, PageSize: 3}))
	require.Len(t, desc, 4)
	require.Equal(t, withMedia.SID, desc[0].SID)
	page, err := client.Messages.Pager(conv.SID, &conversations.MessageListParams{PageSize: 2}).Next(ctx)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	require.NotEmpty(t, page.Meta.NextPageURL)

	require.NoError(t, client.Messages.Delete(ctx, conv.SID, sent[2].SID, nil))
	_, err = client.Messages.Fetch(ctx, conv.SID, sent[2].SID)
	require.True(t, conversations.IsNotFound(err))
	next, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: "after delete"})
	require.NoError(t, err)
	require.Equal(t, 4, next.Index)
}

func TestIntegrationServiceScoped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, _ := newEmulated(t)
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "scoped"})
	require.NoError(t, err)
	scoped := client.Service(svc.SID)
	conv, err := scoped.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "scoped-1"})
	require.NoError(t, err)
	require.Equal(t, svc.SID, conv.ChatServiceSID)
	require.Contains(t, conv.URL, "/v1/Services/"+svc.SID+"/Conversations/")
	p, err := scoped.Participants.Create(ctx, "scoped-1", &conversations.ParticipantCreateParams{Identity: "bob"})
	require.NoError(t, err)
	require.Equal(t, svc.SID, p.ChatServiceSID)
	m, err := scoped.Messages.Create(ctx, "scoped-1", &conversations.MessageCreateParams{Author: "bob", Body: "hi"})
	require.NoError(t, err)
	require.Equal(t, p.SID, m.ParticipantSID)
	require.Len(t, collect(t, scoped.Messages.List(ctx, conv.SID, nil)), 1)
	require.Len(t, collect(t, scoped.Conversations.List(ctx, nil)), 1)
	_, err = client.Conversations.Fetch(ctx, "scoped-1")
	require.True(t, conversations.IsNotFound(err), "not in the default service")
	require.NoError(t, scoped.Conversations.Delete(ctx, conv.SID, nil))
}

func TestIntegrationWebhookRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	var mu sync.Mutex
	var events []string
	bot := newBot(t, srv.AuthToken(), func(form url.Values) {
		mu.Lock()
		events = append(events, form.Get("EventType"))
		mu.Unlock()
		if form.Get("Author") == "bot" {
			return
		}
		_, err := client.Messages.Create(ctx, form.Get("ConversationSid"), &conversations.MessageCreateParams{
			Author: "bot", Body: "echo: " + form.Get("Body")})
		if err != nil {
			t.Errorf("bot reply: %v", err)
		}
	})
	configureHooks(t, srv, bot, "onMessageAdded")

	conv, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15550001111", MessagingBindingProxyAddress: "+15559990000"})
	require.NoError(t, err)
	_, err = srv.SendSMS("+15550001111", "+15559990000", "ping")
	require.NoError(t, err)
	srv.Flush()
	got := srv.Received("+15550001111")
	require.Len(t, got, 1)
	require.Equal(t, "echo: ping", got[0].Body)
	mu.Lock()
	defer mu.Unlock()
	require.True(t, slices.Equal(events, []string{"onMessageAdded"}), "the bot's own REST reply fires no webhook: %v", events)
}

func TestIntegrationServiceWebhooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, srv := newEmulated(t)
	scoped := client.Service(srv.DefaultServiceSID())
	empty, err := scoped.Configuration.FetchWebhooks(ctx)
	require.NoError(t, err)
	require.Empty(t, empty.PreWebhookURL)
	require.Empty(t, empty.Filters)

	var mu sync.Mutex
	var seen []string
	hook := newBot(t, srv.AuthToken(), func(f url.Values) {
		mu.Lock()
		seen = append(seen, f.Get("EventType")+":"+f.Get("Body"))
		mu.Unlock()
	})
	cfg, err := scoped.Configuration.UpdateWebhooks(ctx, &conversations.ServiceWebhookConfigurationUpdateParams{
		PreWebhookURL: hook, PostWebhookURL: hook,
		Filters: []conversations.EventType{"onMessageAdd", "onMessageAdded"}, Method: conversations.WebhookPOST})
	require.NoError(t, err)
	require.Equal(t, []conversations.EventType{"onMessageAdd", "onMessageAdded"}, cfg.Filters)
	require.Equal(t, hook, cfg.PostWebhookURL)

	conv, err := client.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	_, err = client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: "quiet"})
	require.NoError(t, err)
	_, err = client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: "loud", WebhookEnabled: true})
	require.NoError(t, err)
	srv.Flush()
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"onMessageAdd:loud", "onMessageAdded:loud"}, seen)
}
