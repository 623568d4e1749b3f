package reliability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// emulated starts the emulator and a client of it (API and Media Content
// Service) with its own transport.
func emulated(t testing.TB, p conversations.RetryPolicy) (*conversationstest.Server, *conversations.Client, *netStats) {
	t.Helper()
	srv := conversationstest.NewServer()
	c, st := newClientAs(t, srv.AccountSID(), srv.AuthToken(), srv.URL, p, conversations.WithMediaBaseURL(srv.URL))
	return srv, c, st
}

// mixEnv is what the workers of TestConcurrentMixedOperations share.
type mixEnv struct {
	c   *conversations.Client
	srv *conversationstest.Server
	ops *atomic.Int64
	// defaultSvc is the account's default Conversation Service, which no
	// worker changes.
	defaultSvc string
	// initialMG is the account's default messaging service before the run;
	// worker 0 changes it to newMG while the others read it and create
	// conversations, so every value read must be one of the two.
	initialMG, newMG string
	// listed is done when every worker has listed the users and roles of
	// the default service and the services; no worker deletes one before.
	// The emulator pages by offset (its PageToken is an offset), so a
	// deletion between two pages of a list shifts the later items and one
	// would be skipped; creations only append. Twilio's tokens are cursors.
	listed sync.WaitGroup
}

// knownMG reports whether sid is one of the two default messaging services
// the account can have during the run.
func (env *mixEnv) knownMG(sid string) bool { return sid == env.initialMG || sid == env.newMG }

// TestConcurrentMixedOperations shares one client among 100 goroutines, each
// running a whole workflow over every operation the emulator serves
// (services and their configuration, notifications and webhooks,
// conversations, conversations created with participants, participants
// chat and SMS, messages, media, receipts, scoped webhooks, users, roles,
// user and participant conversations, bindings, address configurations,
// credentials, account configuration and global webhooks, pagers) and
// checking every result. Run it under -race.
func TestConcurrentMixedOperations(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv, c, st := emulated(t, conversations.DefaultRetryPolicy)
	ctx := context.Background()
	cfg, err := c.Configuration.Fetch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := &mixEnv{c: c, srv: srv, ops: new(atomic.Int64), defaultSvc: srv.DefaultServiceSID(),
		initialMG: cfg.DefaultMessagingServiceSID, newMG: "MG" + strings.Repeat("c0ffee00", 4)}
	if !strings.HasPrefix(env.initialMG, "MG") || env.initialMG == env.newMG {
		t.Fatalf("default messaging service %q", env.initialMG)
	}
	const workers = 100
	env.listed.Add(workers)
	errs := make(chan error, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := workflow(ctx, env, i); err != nil {
				errs <- fmt.Errorf("worker %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	elapsed := time.Since(start)
	ops := env.ops.Load()

	// Every conversation left is listed exactly once: per worker, its closed
	// conversation and the active one it created with participants.
	want := map[string]conversations.ConversationState{}
	for i := range workers {
		want[fmt.Sprintf("worker-%03d", i)] = conversations.StateClosed
		want[fmt.Sprintf("cwp-worker-%03d", i)] = conversations.StateActive
	}
	seen := map[string]bool{}
	for cv, err := range c.Conversations.List(ctx, &conversations.ConversationListParams{PageSize: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[cv.UniqueName] {
			t.Errorf("conversation %s listed twice", cv.UniqueName)
		}
		seen[cv.UniqueName] = true
		if state, ok := want[cv.UniqueName]; !ok || cv.State != state {
			t.Errorf("conversation %q is %s, want %q", cv.UniqueName, cv.State, state)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d conversations left, want %d", len(seen), len(want))
	}
	// Nothing else a worker created is left behind; the users left are the
	// ones chat participants created implicitly, two per worker.
	for _, left := range []struct {
		what  string
		n     int
		wantN int
	}{
		{"roles", count(c.Roles.List(ctx, nil)), 4}, // the default roles
		{"credentials", count(c.Credentials.List(ctx, nil)), 0},
		{"address configurations", count(c.Addresses.List(ctx, nil)), 0},
		{"bindings", count(c.Service(env.defaultSvc).Bindings.List(ctx, nil)), 0},
		{"users", count(c.Users.List(ctx, &conversations.ListParams{PageSize: 50})), 2 * workers},
	} {
		if left.n != left.wantN {
			t.Errorf("%d %s left, want %d", left.n, left.what, left.wantN)
		}
	}
	// The one configuration change of the run holds.
	if cfg, err := c.Configuration.Fetch(ctx); err != nil || cfg.DefaultMessagingServiceSID != env.newMG || cfg.DefaultChatServiceSID != env.defaultSvc {
		t.Errorf("configuration after the run: %+v %v", cfg, err)
	}
	t.Logf("%d workers, %d calls in %v (%.0f calls/s), %d connections", workers, ops, elapsed.Round(time.Millisecond),
		float64(ops)/elapsed.Seconds(), st.dials.Load())
	st.tr.CloseIdleConnections()
	srv.Close()
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutines leaked: %v", err)
	}
}

// count counts a list's items; -1 on error.
func count[T any](seq iter.Seq2[*T, error]) int {
	n := 0
	for _, err := range seq {
		if err != nil {
			return -1
		}
		n++
	}
	return n
}

// collect gathers a list's items, counting it as one call.
func collect[T any](env *mixEnv, seq iter.Seq2[*T, error]) ([]*T, error) {
	env.ops.Add(1)
	var out []*T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// only returns the one item of items that match, failing unless there is
// exactly one.
func only[T any](what string, items []*T, match func(*T) bool) (*T, error) {
	var found []*T
	for _, v := range items {
		if match(v) {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("%s listed %d times among %d", what, len(found), len(items))
	}
	return found[0], nil
}

// workflow is one worker's mix of operations; every result is checked.
func workflow(ctx context.Context, env *mixEnv, i int) error {
	c := env.c
	n := func() { env.ops.Add(1) }
	var once sync.Once
	arrive := func() { once.Do(env.listed.Done) }
	defer arrive() // on any early return
	attrs, _ := conversations.NewAttributes(map[string]int{"worker": i})
	unique := fmt.Sprintf("worker-%03d", i)

	// Account configuration: worker 0 changes the default messaging service
	// (a field no other worker depends on) while the others read it.
	if err := accountConfiguration(ctx, env, i); err != nil {
		return err
	}

	// Conversations.
	cv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "w" + unique, UniqueName: unique, Attributes: attrs})
	n()
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	if cv.ChatServiceSID != env.defaultSvc || !env.knownMG(cv.MessagingServiceSID) || cv.State != conversations.StateActive {
		return fmt.Errorf("created conversation: %+v", cv)
	}
	got, err := c.Conversations.Fetch(ctx, unique)
	n()
	if err != nil || got.SID != cv.SID {
		return fmt.Errorf("fetch by unique name: %v %v", got, err)
	}
	if v, err := conversations.DecodeAttributes[map[string]int](got.Attributes); err != nil || v["worker"] != i {
		return fmt.Errorf("attributes %v %v", v, err)
	}
	if got, err = c.Conversations.Update(ctx, cv.SID, &conversations.ConversationUpdateParams{FriendlyName: "updated " + unique}); err != nil || got.FriendlyName != "updated "+unique {
		return fmt.Errorf("update conversation: %v %v", got, err)
	}
	n()

	// Participants: a chat identity and an SMS address.
	identity := "user-" + unique
	phone := fmt.Sprintf("+1555%07d", i)
	chat, err := c.Participants.Create(ctx, cv.SID, &conversations.ParticipantCreateParams{Identity: identity})
	n()
	if err != nil || chat.Identity != identity {
		return fmt.Errorf("create chat participant: %v %v", chat, err)
	}
	sms, err := c.Participants.Create(ctx, cv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: phone, MessagingBindingProxyAddress: "+15559990000"})
	n()
	if err != nil {
		return fmt.Errorf("create SMS participant: %w", err)
	}
	if p, err := c.Participants.Fetch(ctx, cv.SID, identity); err != nil || p.SID != chat.SID {
		return fmt.Errorf("fetch participant by identity: %v %v", p, err)
	}
	n()
	if p, err := c.Participants.FindByAddress(ctx, cv.SID, phone); err != nil || p.SID != sms.SID {
		return fmt.Errorf("find participant by address: %v %v", p, err)
	}
	n()
	if p, err := c.Participants.Update(ctx, cv.SID, chat.SID, &conversations.ParticipantUpdateParams{Attributes: attrs}); err != nil || p.Attributes.String() != attrs.String() {
		return fmt.Errorf("update participant: %v %v", p, err)
	}
	n()

	// Participant conversations of the chat identity and of the SMS address.
	if err := participantConversations(ctx, env, unique, cv.SID, chat, sms); err != nil {
		return err
	}

	// A user created explicitly joins the conversation as a reader.
	person, err := createUser(ctx, env, i)
	if err != nil {
		return err
	}
	reader, err := c.Participants.Create(ctx, cv.SID, &conversations.ParticipantCreateParams{Identity: person.Identity})
	n()
	if err != nil || reader.Identity != person.Identity || reader.LastReadMessageIndex != nil {
		return fmt.Errorf("create reader participant: %v %v", reader, err)
	}

	// Messages: three in order, then fetch, update, list, receipts, delete.
	var msgs []*conversations.Message
	for k := range 3 {
		m, err := c.Messages.Create(ctx, cv.SID, &conversations.MessageCreateParams{Author: identity, Body: fmt.Sprintf("%s says %d", unique, k)})
		n()
		if err != nil {
			return fmt.Errorf("create message %d: %w", k, err)
		}
		msgs = append(msgs, m)
	}
	if m, err := c.Messages.Fetch(ctx, cv.SID, msgs[1].SID); err != nil || m.Body != msgs[1].Body || m.Index != msgs[1].Index {
		return fmt.Errorf("fetch message: %v %v", m, err)
	}
	n()
	if m, err := c.Messages.Update(ctx, cv.SID, msgs[2].SID, &conversations.MessageUpdateParams{Body: "edited " + unique}); err != nil || m.Body != "edited "+unique {
		return fmt.Errorf("update message: %v %v", m, err)
	}
	n()
	var bodies []string
	pager := c.Messages.Pager(cv.SID, &conversations.MessageListParams{PageSize: 2})
	for pager.More() {
		page, err := pager.Next(ctx)
		n()
		if err != nil {
			return fmt.Errorf("messages page: %w", err)
		}
		for _, m := range page.Items {
			bodies = append(bodies, m.Body)
		}
	}
	want := []string{msgs[0].Body, msgs[1].Body, "edited " + unique}
	if fmt.Sprint(bodies) != fmt.Sprint(want) {
		return fmt.Errorf("messages listed %q, want %q", bodies, want)
	}
	desc, err := collect(env, c.Messages.List(ctx, cv.SID, &conversations.MessageListParams{Order: conversations.OrderDesc, PageSize: 2}))
	if err != nil || len(desc) != 3 || desc[0].Body != want[2] || desc[1].SID != msgs[1].SID || desc[2].SID != msgs[0].SID {
		return fmt.Errorf("messages listed newest first: %d %v", len(desc), err)
	}
	receipts := 0
	for r, err := range c.Receipts.List(ctx, cv.SID, msgs[0].SID, nil) {
		if err != nil {
			return fmt.Errorf("list receipts: %w", err)
		}
		if r.MessageSID != msgs[0].SID {
			return fmt.Errorf("receipt of message %s", r.MessageSID)
		}
		if _, err := c.Receipts.Fetch(ctx, cv.SID, msgs[0].SID, r.SID); err != nil {
			return fmt.Errorf("fetch receipt: %w", err)
		}
		n()
		receipts++
	}
	n()
	if receipts != 1 {
		return fmt.Errorf("%d receipts for one SMS recipient, want 1", receipts)
	}
	if err := c.Messages.Delete(ctx, cv.SID, msgs[0].SID, nil); err != nil {
		return fmt.Errorf("delete message: %w", err)
	}
	n()
	if _, err := c.Messages.Fetch(ctx, cv.SID, msgs[0].SID); !conversations.IsNotFound(err) {
		return fmt.Errorf("deleted message: %v", err)
	}
	n()

	// The reader's view of the conversation, then it leaves; then the user.
	if err := userConversations(ctx, env, unique, person, cv.SID, reader.SID, msgs); err != nil {
		return err
	}
	if err := users(ctx, env, i, person); err != nil {
		return err
	}

	// Push bindings of the chat identity.
	if err := bindings(ctx, env, i, identity); err != nil {
		return err
	}

	// Conversation-scoped webhooks.
	wh, err := c.Webhooks.Create(ctx, cv.SID, &conversations.ConversationWebhookCreateParams{
		Target: conversations.TargetWebhook, ConfigurationURL: "https://example.test/hook/" + unique,
		ConfigurationMethod: conversations.WebhookPOST, ConfigurationFilters: []conversations.EventType{"onMessageAdded"}})
	n()
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	if w, err := c.Webhooks.Update(ctx, cv.SID, wh.SID, &conversations.ConversationWebhookUpdateParams{ConfigurationURL: "https://example.test/v2/" + unique}); err != nil || w.SID != wh.SID {
		return fmt.Errorf("update webhook: %v %v", w, err)
	}
	n()
	if w, err := c.Webhooks.Fetch(ctx, cv.SID, wh.SID); err != nil || w.SID != wh.SID {
		return fmt.Errorf("fetch webhook: %v %v", w, err)
	}
	n()
	hooks := 0
	for _, err := range c.Webhooks.List(ctx, cv.SID, nil) {
		if err != nil {
			return err
		}
		hooks++
	}
	n()
	if hooks != 1 {
		return fmt.Errorf("%d webhooks, want 1", hooks)
	}
	if err := c.Webhooks.Delete(ctx, cv.SID, wh.SID); err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	n()

	// Global webhook configuration (read by all, written by a few).
	if _, err := c.Configuration.FetchWebhooks(ctx); err != nil {
		return fmt.Errorf("fetch global webhooks: %w", err)
	}
	n()
	if i%25 == 0 {
		if _, err := c.Configuration.UpdateWebhooks(ctx, &conversations.WebhookConfigurationUpdateParams{Method: conversations.WebhookPOST}); err != nil {
			return fmt.Errorf("update global webhooks: %w", err)
		}
		n()
	}

	// Participants leave; the conversation is closed, then fetched.
	if p, err := c.Participants.RemoveByIdentity(ctx, cv.SID, identity, nil); err != nil || p.SID != chat.SID {
		return fmt.Errorf("remove by identity: %v %v", p, err)
	}
	n()
	if err := c.Participants.Delete(ctx, cv.SID, sms.SID, nil); err != nil {
		return fmt.Errorf("delete participant: %w", err)
	}
	n()
	left := 0
	for _, err := range c.Participants.List(ctx, cv.SID, nil) {
		if err != nil {
			return err
		}
		left++
	}
	n()
	if left != 0 {
		return fmt.Errorf("%d participants left", left)
	}
	if got, err := c.Conversations.Close(ctx, cv.SID, nil); err != nil || got.State != conversations.StateClosed {
		return fmt.Errorf("close: %v %v", got, err)
	}
	n()

	// A conversation created with its participants in one call (left active).
	if err := createWithParticipants(ctx, env, i, unique, attrs); err != nil {
		return err
	}

	// Account-level resources: roles, credentials, address configurations.
	role, err := roles(ctx, env, i)
	if err != nil {
		return err
	}
	if err := credentials(ctx, env, i); err != nil {
		return err
	}
	if err := addresses(ctx, env, i); err != nil {
		return err
	}

	// Every worker also works in a Conversation Service of its own.
	listedAll := func() { arrive(); env.listed.Wait() }
	if err := ownService(ctx, env, i, unique, listedAll); err != nil {
		return err
	}
	if err := deleteRole(ctx, env, role); err != nil {
		return err
	}
	if err := deleteUser(ctx, env, person); err != nil {
		return err
	}
	if _, err := c.Conversations.Fetch(ctx, "CH"+fmt.Sprintf("%032x", i)); !errors.Is(err, conversations.ErrNotFound) {
		return fmt.Errorf("fetch of a missing conversation: %v", err)
	}
	n()
	if err := accountConfiguration(ctx, env, -1); err != nil {
		return err
	}
	return nil
}

// accountConfiguration reads the account configuration, which must be
// consistent whatever the other workers do; worker 0 also changes the
// default messaging service and reads its change back.
func accountConfiguration(ctx context.Context, env *mixEnv, i int) error {
	check := func(what string, cfg *conversations.Configuration) error {
		if cfg.AccountSID != env.srv.AccountSID() || cfg.DefaultChatServiceSID != env.defaultSvc ||
			!env.knownMG(cfg.DefaultMessagingServiceSID) || cfg.DefaultInactiveTimer != "" || cfg.DefaultClosedTimer != "" ||
			!strings.HasSuffix(cfg.Links.Webhooks, "/v1/Configuration/Webhooks") ||
			!strings.HasSuffix(cfg.Links.Service, "/v1/Services/"+env.defaultSvc+"/Configuration") {
			return fmt.Errorf("%s configuration: %+v", what, cfg)
		}
		return nil
	}
	cfg, err := env.c.Configuration.Fetch(ctx)
	env.ops.Add(1)
	if err != nil {
		return fmt.Errorf("fetch configuration: %w", err)
	}
	if err := check("fetched", cfg); err != nil {
		return err
	}
	if i != 0 {
		return nil
	}
	cfg, err = env.c.Configuration.Update(ctx, &conversations.ConfigurationUpdateParams{DefaultMessagingServiceSID: env.newMG})
	env.ops.Add(1)
	if err != nil {
		return fmt.Errorf("update configuration: %w", err)
	}
	if err := check("updated", cfg); err != nil || cfg.DefaultMessagingServiceSID != env.newMG {
		return fmt.Errorf("updated configuration %+v: %v", cfg, err)
	}
	cfg, err = env.c.Configuration.Fetch(ctx)
	env.ops.Add(1)
	if err != nil || cfg.DefaultMessagingServiceSID != env.newMG {
		return fmt.Errorf("configuration after update: %+v %v", cfg, err)
	}
	return nil
}

// participantConversations lists the conversations of the worker's chat
// identity and of its SMS address: one each, the worker's.
func participantConversations(ctx context.Context, env *mixEnv, unique, convSID string, chat, sms *conversations.Participant) error {
	byID, err := collect(env, env.c.ParticipantConversations.List(ctx, &conversations.ParticipantConversationListParams{Identity: chat.Identity}))
	if err != nil {
		return fmt.Errorf("participant conversations by identity: %w", err)
	}
	if len(byID) != 1 {
		return fmt.Errorf("%d participant conversations of %s, want 1", len(byID), chat.Identity)
	}
	pc := byID[0]
	if pc.ConversationSID != convSID || pc.ParticipantSID != chat.SID || pc.ParticipantIdentity != chat.Identity ||
		!strings.HasPrefix(pc.ParticipantUserSID, "US") || pc.ParticipantMessagingBinding != nil ||
		pc.ConversationUniqueName != unique || pc.ConversationFriendlyName != "updated "+unique ||
		pc.ChatServiceSID != env.defaultSvc || pc.ConversationState != conversations.StateActive ||
		!strings.HasSuffix(pc.Links.Participant, "/Participants/"+chat.SID) {
		return fmt.Errorf("participant conversation by identity: %+v", pc)
	}
	byAddr, err := collect(env, env.c.ParticipantConversations.List(ctx, &conversations.ParticipantConversationListParams{Address: sms.MessagingBinding.Address}))
	if err != nil {
		return fmt.Errorf("participant conversations by address: %w", err)
	}
	if len(byAddr) != 1 {
		return fmt.Errorf("%d participant conversations of %s, want 1", len(byAddr), sms.MessagingBinding.Address)
	}
	pc = byAddr[0]
	if pc.ConversationSID != convSID || pc.ParticipantSID != sms.SID || pc.ParticipantIdentity != "" || pc.ParticipantUserSID != "" ||
		pc.ParticipantMessagingBinding == nil || pc.ParticipantMessagingBinding.Address != sms.MessagingBinding.Address ||
		pc.ParticipantMessagingBinding.ProxyAddress != "+15559990000" || pc.ConversationUniqueName != unique {
		return fmt.Errorf("participant conversation by address: %+v (binding %+v)", pc, pc.ParticipantMessagingBinding)
	}
	return nil
}

// createUser creates the worker's user with an identity of its own.
func createUser(ctx context.Context, env *mixEnv, i int) (*conversations.User, error) {
	identity := fmt.Sprintf("person-%03d", i)
	attrs, _ := conversations.NewAttributes(map[string]any{"worker": i, "kind": "person"})
	u, err := env.c.Users.Create(ctx, &conversations.UserCreateParams{Identity: identity, FriendlyName: "Person " + identity, Attributes: attrs})
	env.ops.Add(1)
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	if !strings.HasPrefix(u.SID, "US") || u.Identity != identity || u.FriendlyName != "Person "+identity ||
		u.Attributes.String() != attrs.String() || u.ChatServiceSID != env.defaultSvc || !strings.HasPrefix(u.RoleSID, "RL") ||
		u.IsOnline != nil || u.IsNotifiable != nil || !strings.HasSuffix(u.Links.UserConversations, "/Users/"+u.SID+"/Conversations") {
		return nil, fmt.Errorf("created user: %+v", u)
	}
	// The identity is taken.
	_, err = env.c.Users.Create(ctx, &conversations.UserCreateParams{Identity: identity})
	env.ops.Add(1)
	if !conversations.HasCode(err, 50201) {
		return nil, fmt.Errorf("second user %s: %v", identity, err)
	}
	return u, nil
}

// userConversations checks the conversation as the user sees it, moves its
// read horizon and notification level, and leaves the conversation.
func userConversations(ctx context.Context, env *mixEnv, unique string, u *conversations.User, convSID, participantSID string, msgs []*conversations.Message) error {
	ucs := env.c.UserConversations
	list, err := collect(env, ucs.List(ctx, u.SID, nil))
	if err != nil {
		return fmt.Errorf("list user conversations: %w", err)
	}
	if len(list) != 1 {
		return fmt.Errorf("%d user conversations, want 1", len(list))
	}
	uc := list[0]
	if uc.ConversationSID != convSID || uc.ParticipantSID != participantSID || uc.UserSID != u.SID ||
		uc.UniqueName != unique || uc.FriendlyName != "updated "+unique || uc.ChatServiceSID != env.defaultSvc ||
		uc.UnreadMessagesCount != nil || uc.LastReadMessageIndex != nil || uc.NotificationLevel != conversations.NotificationDefault ||
		uc.ConversationState != conversations.StateActive || !strings.HasSuffix(uc.Links.Participant, "/Participants/"+participantSID) {
		return fmt.Errorf("listed user conversation: %+v", uc)
	}
	uc, err = ucs.Fetch(ctx, u.Identity, unique) // by identity and unique name
	env.ops.Add(1)
	if err != nil || uc.ConversationSID != convSID || uc.UserSID != u.SID || uc.ParticipantSID != participantSID {
		return fmt.Errorf("fetch user conversation: %+v %v", uc, err)
	}
	// Read up to the second message: the third (msgs[2]) is unread, the
	// first was deleted.
	read := msgs[1].Index
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	uc, err = ucs.Update(ctx, u.SID, convSID, &conversations.UserConversationUpdateParams{
		NotificationLevel: conversations.NotificationMuted, LastReadMessageIndex: conversations.Ptr(read), LastReadTimestamp: at})
	env.ops.Add(1)
	if err != nil {
		return fmt.Errorf("update user conversation: %w", err)
	}
	if uc.NotificationLevel != conversations.NotificationMuted || uc.LastReadMessageIndex == nil || *uc.LastReadMessageIndex != read ||
		uc.UnreadMessagesCount == nil || *uc.UnreadMessagesCount != 1 {
		return fmt.Errorf("updated user conversation: %+v", uc)
	}
	uc, err = ucs.Fetch(ctx, u.SID, convSID)
	env.ops.Add(1)
	if err != nil || uc.NotificationLevel != conversations.NotificationMuted || uc.UnreadMessagesCount == nil || *uc.UnreadMessagesCount != 1 {
		return fmt.Errorf("user conversation after update: %+v %v", uc, err)
	}
	p, err := env.c.Participants.Fetch(ctx, convSID, participantSID)
	env.ops.Add(1)
	if err != nil || p.LastReadMessageIndex == nil || *p.LastReadMessageIndex != read {
		return fmt.Errorf("the participant's read horizon: %+v %v", p, err)
	}
	// Leaving removes the participant.
	if err := ucs.Delete(ctx, u.SID, convSID); err != nil {
		return fmt.Errorf("leave: %w", err)
	}
	env.ops.Add(1)
	if _, err := env.c.Participants.Fetch(ctx, convSID, participantSID); !conversations.IsNotFound(err) {
		return fmt.Errorf("participant after leaving: %v", err)
	}
	env.ops.Add(1)
	if _, err := ucs.Fetch(ctx, u.SID, convSID); !conversations.IsNotFound(err) {
		return fmt.Errorf("user conversation after leaving: %v", err)
	}
	env.ops.Add(1)
	return nil
}

// users fetches the worker's user by SID and identity, updates it and finds
// it in the list.
func users(ctx context.Context, env *mixEnv, i int, u *conversations.User) error {
	us := env.c.Users
	bySID, err := us.Fetch(ctx, u.SID)
	env.ops.Add(1)
	if err != nil || bySID.SID != u.SID || bySID.Identity != u.Identity || bySID.Attributes.String() != u.Attributes.String() {
		return fmt.Errorf("fetch user by SID: %+v %v", bySID, err)
	}
	byIdentity, err := us.Fetch(ctx, u.Identity)
	env.ops.Add(1)
	if err != nil || byIdentity.SID != u.SID || byIdentity.FriendlyName != u.FriendlyName {
		return fmt.Errorf("fetch user by identity: %+v %v", byIdentity, err)
	}
	attrs, _ := conversations.NewAttributes(map[string]any{"worker": i, "kind": "person", "updated": true})
	up, err := us.Update(ctx, u.Identity, &conversations.UserUpdateParams{Attributes: attrs})
	env.ops.Add(1)
	if err != nil || up.SID != u.SID || up.Attributes.String() != attrs.String() || up.FriendlyName != u.FriendlyName || up.RoleSID != u.RoleSID {
		return fmt.Errorf("update user: %+v %v", up, err)
	}
	all, err := collect(env, us.List(ctx, &conversations.ListParams{PageSize: 50}))
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	listed, err := only("user "+u.Identity, all, func(o *conversations.User) bool { return o.SID == u.SID })
	if err != nil {
		return err
	}
	if listed.Identity != u.Identity || listed.Attributes.String() != attrs.String() {
		return fmt.Errorf("listed user: %+v", listed)
	}
	return nil
}

// deleteUser deletes the worker's user.
func deleteUser(ctx context.Context, env *mixEnv, u *conversations.User) error {
	us := env.c.Users
	if err := us.Delete(ctx, u.SID, nil); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	env.ops.Add(1)
	if _, err := us.Fetch(ctx, u.Identity); !conversations.IsNotFound(err) {
		return fmt.Errorf("deleted user: %v", err)
	}
	env.ops.Add(1)
	return nil
}

// bindings registers a device of identity (as an SDK would), finds it
// through the filters, fetches and deletes it. Workers create no apn
// credentials and twilsock bindings never have one, so CredentialSID is
// always empty.
func bindings(ctx context.Context, env *mixEnv, i int, identity string) error {
	typ, other := conversations.BindingAPN, conversations.BindingTwilsock
	if i%2 == 1 {
		typ, other = other, typ
	}
	endpoint := fmt.Sprintf("device-%03d", i)
	sid, err := env.srv.RegisterBinding("", identity, typ, endpoint)
	if err != nil {
		return fmt.Errorf("register binding: %w", err)
	}
	bs := env.c.Service(env.defaultSvc).Bindings
	b, err := bs.Fetch(ctx, sid)
	env.ops.Add(1)
	if err != nil || b.SID != sid || b.Identity != identity || b.Endpoint != endpoint || b.BindingType != typ ||
		b.CredentialSID != "" || b.ChatServiceSID != env.defaultSvc || b.AccountSID != env.srv.AccountSID() ||
		!slices.Contains(b.MessageTypes, "new_message") {
		return fmt.Errorf("fetch binding: %+v %v", b, err)
	}
	mine, err := collect(env, bs.List(ctx, &conversations.BindingListParams{Identities: []string{identity}}))
	if err != nil || len(mine) != 1 || mine[0].SID != sid {
		return fmt.Errorf("bindings of %s: %d %v", identity, len(mine), err)
	}
	typed, err := collect(env, bs.List(ctx, &conversations.BindingListParams{Identities: []string{identity}, BindingTypes: []conversations.BindingType{typ}}))
	if err != nil || len(typed) != 1 || typed[0].SID != sid {
		return fmt.Errorf("%s bindings of %s: %d %v", typ, identity, len(typed), err)
	}
	none, err := collect(env, bs.List(ctx, &conversations.BindingListParams{Identities: []string{identity}, BindingTypes: []conversations.BindingType{other}}))
	if err != nil || len(none) != 0 {
		return fmt.Errorf("%s bindings of %s: %d %v", other, identity, len(none), err)
	}
	if err := bs.Delete(ctx, sid); err != nil {
		return fmt.Errorf("delete binding: %w", err)
	}
	env.ops.Add(1)
	if _, err := bs.Fetch(ctx, sid); !conversations.IsNotFound(err) {
		return fmt.Errorf("deleted binding: %v", err)
	}
	env.ops.Add(1)
	return nil
}

// createWithParticipants creates a conversation with a chat and an SMS
// participant in one call and checks all of it.
func createWithParticipants(ctx context.Context, env *mixEnv, i int, unique string, attrs conversations.Attributes) error {
	name, identity, phone := "cwp-"+unique, "cwp-user-"+unique, fmt.Sprintf("+1556%07d", i)
	cv, err := env.c.Conversations.CreateWithParticipants(ctx, &conversations.ConversationWithParticipantsCreateParams{
		ConversationCreateParams: conversations.ConversationCreateParams{FriendlyName: "room " + unique, UniqueName: name, Attributes: attrs},
		Participants: conversations.NewParticipants{
			{Identity: identity, Attributes: attrs},
			{MessagingBindingAddress: phone, MessagingBindingProxyAddress: "+15559990000"},
		},
	})
	env.ops.Add(1)
	if err != nil {
		return fmt.Errorf("create with participants: %w", err)
	}
	if !strings.HasPrefix(cv.SID, "CH") || cv.UniqueName != name || cv.FriendlyName != "room "+unique || cv.Attributes.String() != attrs.String() ||
		cv.ChatServiceSID != env.defaultSvc || !env.knownMG(cv.MessagingServiceSID) || cv.State != conversations.StateActive {
		return fmt.Errorf("created with participants: %+v", cv)
	}
	parts, err := collect(env, env.c.Participants.List(ctx, name, nil))
	if err != nil {
		return fmt.Errorf("participants of %s: %w", name, err)
	}
	if len(parts) != 2 || parts[0].Identity != identity || parts[0].Attributes.String() != attrs.String() || parts[0].ConversationSID != cv.SID ||
		parts[1].Identity != "" || parts[1].MessagingBinding == nil || parts[1].MessagingBinding.Address != phone ||
		parts[1].MessagingBinding.ProxyAddress != "+15559990000" {
		return fmt.Errorf("participants of %s: %d %+v", name, len(parts), parts)
	}
	pcs, err := collect(env, env.c.ParticipantConversations.List(ctx, &conversations.ParticipantConversationListParams{Address: phone}))
	if err != nil || len(pcs) != 1 || pcs[0].ConversationSID != cv.SID || pcs[0].ParticipantSID != parts[1].SID || pcs[0].ConversationUniqueName != name {
		return fmt.Errorf("participant conversations of %s: %d %v", phone, len(pcs), err)
	}
	// The address pair is taken now: nothing is created.
	_, err = env.c.Conversations.CreateWithParticipants(ctx, &conversations.ConversationWithParticipantsCreateParams{
		ConversationCreateParams: conversations.ConversationCreateParams{UniqueName: "dup-" + name},
		Participants:             conversations.NewParticipants{{MessagingBindingAddress: phone, MessagingBindingProxyAddress: "+15559990000"}},
	})
	env.ops.Add(1)
	if !conversations.HasCode(err, 50416) {
		return fmt.Errorf("create with a taken address pair: %v", err)
	}
	if _, err := env.c.Conversations.Fetch(ctx, "dup-"+name); !conversations.IsNotFound(err) {
		return fmt.Errorf("conversation of a refused create: %v", err)
	}
	env.ops.Add(1)
	// The SMS participant is removed by its address.
	if p, err := env.c.Participants.RemoveByAddress(ctx, cv.SID, phone, nil); err != nil || p.SID != parts[1].SID {
		return fmt.Errorf("remove by address: %+v %v", p, err)
	}
	env.ops.Add(1)
	if parts, err := collect(env, env.c.Participants.List(ctx, cv.SID, nil)); err != nil || len(parts) != 1 || parts[0].Identity != identity {
		return fmt.Errorf("participants left in %s: %d %v", name, len(parts), err)
	}
	return nil
}

// roles creates a role of the default service, updates it and finds it in
// the list next to the default roles.
func roles(ctx context.Context, env *mixEnv, i int) (*conversations.Role, error) {
	rs := env.c.Roles
	name := fmt.Sprintf("role-%03d", i)
	typ, perms := conversations.RoleTypeConversation, []string{"sendMessage", "leaveConversation"}
	if i%2 == 1 {
		typ, perms = conversations.RoleTypeService, []string{"createConversation", "joinConversation"}
	}
	r, err := rs.Create(ctx, &conversations.RoleCreateParams{FriendlyName: name, Type: typ, Permissions: perms})
	env.ops.Add(1)
	if err != nil || !strings.HasPrefix(r.SID, "RL") || r.FriendlyName != name || r.Type != typ ||
		!slices.Equal(r.Permissions, perms) || r.ChatServiceSID != env.defaultSvc {
		return nil, fmt.Errorf("create role: %+v %v", r, err)
	}
	got, err := rs.Fetch(ctx, r.SID)
	env.ops.Add(1)
	if err != nil || got.SID != r.SID || got.FriendlyName != name || !slices.Equal(got.Permissions, perms) {
		return nil, fmt.Errorf("fetch role: %+v %v", got, err)
	}
	perms = perms[:1]
	up, err := rs.Update(ctx, r.SID, &conversations.RoleUpdateParams{Permissions: perms})
	env.ops.Add(1)
	if err != nil || up.SID != r.SID || !slices.Equal(up.Permissions, perms) || up.Type != typ {
		return nil, fmt.Errorf("update role: %+v %v", up, err)
	}
	all, err := collect(env, rs.List(ctx, &conversations.ListParams{PageSize: 50}))
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	listed, err := only("role "+name, all, func(o *conversations.Role) bool { return o.SID == r.SID })
	if err != nil {
		return nil, err
	}
	if !slices.Equal(listed.Permissions, perms) {
		return nil, fmt.Errorf("listed role: %+v", listed)
	}
	for _, d := range []string{"channel admin", "channel user", "service admin", "service user"} {
		if _, err := only("default role "+d, all, func(o *conversations.Role) bool { return o.FriendlyName == d }); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// deleteRole deletes the worker's role.
func deleteRole(ctx context.Context, env *mixEnv, r *conversations.Role) error {
	rs := env.c.Roles
	if err := rs.Delete(ctx, r.SID); err != nil {
		return fmt.Errorf("delete role: %w", err)
	}
	env.ops.Add(1)
	if _, err := rs.Fetch(ctx, r.SID); !conversations.IsNotFound(err) {
		return fmt.Errorf("deleted role: %v", err)
	}
	env.ops.Add(1)
	return nil
}

// credentials creates a push credential (fcm or gcm), updates it, finds it
// in the list, and deletes it.
func credentials(ctx context.Context, env *mixEnv, i int) error {
	cs := env.c.Credentials
	name := fmt.Sprintf("cred-%03d", i)
	params := &conversations.CredentialCreateParams{Type: conversations.PushFCM, FriendlyName: name, Secret: "secret-" + name, Sandbox: conversations.Ptr(i%3 == 0)}
	if i%2 == 1 {
		params = &conversations.CredentialCreateParams{Type: conversations.PushGCM, FriendlyName: name, APIKey: "key-" + name, Sandbox: conversations.Ptr(i%3 == 0)}
	}
	cr, err := cs.Create(ctx, params)
	env.ops.Add(1)
	if err != nil || !strings.HasPrefix(cr.SID, "CR") || cr.Type != params.Type || cr.FriendlyName != name ||
		cr.Sandbox != (i%3 == 0) || cr.AccountSID != env.srv.AccountSID() {
		return fmt.Errorf("create credential: %+v %v", cr, err)
	}
	got, err := cs.Fetch(ctx, cr.SID)
	env.ops.Add(1)
	if err != nil || got.SID != cr.SID || got.Type != params.Type || got.FriendlyName != name || got.Sandbox != cr.Sandbox {
		return fmt.Errorf("fetch credential: %+v %v", got, err)
	}
	up, err := cs.Update(ctx, cr.SID, &conversations.CredentialUpdateParams{FriendlyName: name + " v2", Sandbox: conversations.Ptr(i%3 != 0)})
	env.ops.Add(1)
	if err != nil || up.SID != cr.SID || up.FriendlyName != name+" v2" || up.Sandbox != (i%3 != 0) || up.Type != params.Type {
		return fmt.Errorf("update credential: %+v %v", up, err)
	}
	// At most 100 credentials exist at once: one page, which deletions by
	// other workers cannot shift (see mixEnv.listed).
	all, err := collect(env, cs.List(ctx, &conversations.ListParams{PageSize: 100}))
	if err != nil {
		return fmt.Errorf("list credentials: %w", err)
	}
	listed, err := only("credential "+name, all, func(o *conversations.Credential) bool { return o.SID == cr.SID })
	if err != nil {
		return err
	}
	if listed.FriendlyName != name+" v2" || listed.Sandbox != up.Sandbox {
		return fmt.Errorf("listed credential: %+v", listed)
	}
	if err := cs.Delete(ctx, cr.SID); err != nil {
		return fmt.Errorf("delete credential: %w", err)
	}
	env.ops.Add(1)
	if _, err := cs.Fetch(ctx, cr.SID); !conversations.IsNotFound(err) {
		return fmt.Errorf("deleted credential: %v", err)
	}
	env.ops.Add(1)
	return nil
}

// addresses configures an address of the worker's own (SMS or WhatsApp)
// with webhook auto-creation, updates it, lists the addresses of its type,
// and deletes it.
func addresses(ctx context.Context, env *mixEnv, i int) error {
	as := env.c.Addresses
	typ, addr := conversations.AddressSMS, fmt.Sprintf("+1557%07d", i)
	if i%2 == 1 {
		typ, addr = conversations.AddressWhatsApp, "whatsapp:"+addr
	}
	hook := fmt.Sprintf("https://example.test/inbound/%03d", i)
	filters := []conversations.EventType{"onParticipantAdded", "onMessageAdded"}
	a, err := as.Create(ctx, &conversations.AddressCreateParams{Type: typ, Address: addr, FriendlyName: "line " + addr,
		AutoCreation: conversations.AddressAutoCreationParams{Enabled: conversations.Ptr(true), Type: conversations.AutoCreationWebhook,
			WebhookURL: hook, WebhookMethod: conversations.WebhookPOST, WebhookFilters: filters}})
	env.ops.Add(1)
	if err != nil {
		return fmt.Errorf("create address: %w", err)
	}
	ac := a.AutoCreation
	if !strings.HasPrefix(a.SID, "IG") || a.Type != typ || a.Address != addr || a.FriendlyName != "line "+addr ||
		!ac.Enabled || ac.Type != conversations.AutoCreationWebhook || ac.WebhookURL != hook || ac.WebhookMethod != conversations.WebhookPOST ||
		!slices.Equal(ac.WebhookFilters, filters) {
		return fmt.Errorf("created address: %+v", a)
	}
	got, err := as.Fetch(ctx, a.SID)
	env.ops.Add(1)
	if err != nil || got.SID != a.SID || got.Address != addr || got.AutoCreation.WebhookURL != hook {
		return fmt.Errorf("fetch address: %+v %v", got, err)
	}
	up, err := as.Update(ctx, a.SID, &conversations.AddressUpdateParams{FriendlyName: "old line " + addr,
		AutoCreation: conversations.AddressAutoCreationParams{Enabled: conversations.Ptr(false)}})
	env.ops.Add(1)
	if err != nil || up.SID != a.SID || up.FriendlyName != "old line "+addr || up.AutoCreation.Enabled || up.AutoCreation.WebhookURL != hook {
		return fmt.Errorf("update address: %+v %v", up, err)
	}
	// At most 50 addresses of a type exist at once: one page, which
	// deletions by other workers cannot shift (see mixEnv.listed).
	all, err := collect(env, as.List(ctx, &conversations.AddressListParams{Type: typ, PageSize: 50}))
	if err != nil {
		return fmt.Errorf("list %s addresses: %w", typ, err)
	}
	for _, o := range all {
		if o.Type != typ {
			return fmt.Errorf("the %s list has %s address %s", typ, o.Type, o.Address)
		}
	}
	listed, err := only("address "+addr, all, func(o *conversations.AddressConfiguration) bool { return o.SID == a.SID })
	if err != nil {
		return err
	}
	if listed.FriendlyName != "old line "+addr || listed.AutoCreation.Enabled {
		return fmt.Errorf("listed address: %+v", listed)
	}
	// The same address of the same type is already configured.
	_, err = as.Create(ctx, &conversations.AddressCreateParams{Type: typ, Address: addr})
	env.ops.Add(1)
	var apiErr *conversations.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 409 {
		return fmt.Errorf("second configuration of %s: %v", addr, err)
	}
	if err := as.Delete(ctx, a.SID); err != nil {
		return fmt.Errorf("delete address: %w", err)
	}
	env.ops.Add(1)
	if _, err := as.Fetch(ctx, a.SID); !conversations.IsNotFound(err) {
		return fmt.Errorf("deleted address: %v", err)
	}
	env.ops.Add(1)
	return nil
}

// ownService works in a Conversation Service of the worker's own: its
// configuration, notifications and webhooks, a conversation with a chat
// participant, media, then the service is deleted once listedAll returns.
func ownService(ctx context.Context, env *mixEnv, i int, unique string, listedAll func()) error {
	c, n := env.c, func() { env.ops.Add(1) }
	svc, err := c.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "svc " + unique})
	n()
	if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	if !strings.HasPrefix(svc.SID, "IS") || svc.FriendlyName != "svc "+unique {
		return fmt.Errorf("created service: %+v", svc)
	}
	sc := c.Service(svc.SID)

	// Configuration: a conversation role of the service becomes the default.
	cfg, err := sc.Configuration.Fetch(ctx)
	n()
	if err != nil || cfg.ChatServiceSID != svc.SID || cfg.ReachabilityEnabled ||
		!strings.HasPrefix(cfg.DefaultConversationRoleSID, "RL") || !strings.HasPrefix(cfg.DefaultConversationCreatorRoleSID, "RL") ||
		!strings.HasPrefix(cfg.DefaultChatServiceRoleSID, "RL") || cfg.DefaultConversationRoleSID == cfg.DefaultConversationCreatorRoleSID {
		return fmt.Errorf("fetch service configuration: %+v %v", cfg, err)
	}
	guest, err := sc.Roles.Create(ctx, &conversations.RoleCreateParams{FriendlyName: "guest " + unique,
		Type: conversations.RoleTypeConversation, Permissions: []string{"sendMessage"}})
	n()
	if err != nil || guest.ChatServiceSID != svc.SID {
		return fmt.Errorf("create service role: %+v %v", guest, err)
	}
	up, err := sc.Configuration.Update(ctx, &conversations.ServiceConfigurationUpdateParams{
		DefaultConversationRoleSID: guest.SID, ReachabilityEnabled: conversations.Ptr(true)})
	n()
	if err != nil || up.ChatServiceSID != svc.SID || up.DefaultConversationRoleSID != guest.SID || !up.ReachabilityEnabled ||
		up.DefaultConversationCreatorRoleSID != cfg.DefaultConversationCreatorRoleSID || up.DefaultChatServiceRoleSID != cfg.DefaultChatServiceRoleSID {
		return fmt.Errorf("update service configuration: %+v %v", up, err)
	}
	if got, err := sc.Configuration.Fetch(ctx); err != nil || *got != *up {
		return fmt.Errorf("service configuration after update: %+v %v, want %+v", got, err, up)
	}
	n()

	// A conversation of the service, a message, a chat participant who gets
	// the new default role and whose user shows reachability.
	scv, err := sc.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: unique})
	n()
	if err != nil || scv.ChatServiceSID != svc.SID || scv.UniqueName != unique {
		return fmt.Errorf("service conversation: %v %v", scv, err)
	}
	if m, err := sc.Messages.Create(ctx, scv.SID, &conversations.MessageCreateParams{Body: "hi"}); err != nil || m.Body != "hi" || m.ConversationSID != scv.SID {
		return fmt.Errorf("service message: %v %v", m, err)
	}
	n()
	identity := "member-" + unique
	p, err := sc.Participants.Create(ctx, scv.SID, &conversations.ParticipantCreateParams{Identity: identity})
	n()
	if err != nil || p.RoleSID != guest.SID || p.ChatServiceSID != svc.SID {
		return fmt.Errorf("service participant: %+v %v", p, err)
	}
	u, err := sc.Users.Fetch(ctx, identity)
	n()
	if err != nil || u.ChatServiceSID != svc.SID || u.RoleSID != cfg.DefaultChatServiceRoleSID ||
		u.IsOnline == nil || *u.IsOnline || u.IsNotifiable == nil || *u.IsNotifiable {
		return fmt.Errorf("service user with reachability on: %+v %v", u, err)
	}

	// Notifications.
	nt, err := sc.Configuration.FetchNotifications(ctx)
	n()
	if err != nil || nt.ChatServiceSID != svc.SID || !nt.NewMessage.Enabled || !strings.Contains(nt.NewMessage.Template, "${MESSAGE}") || nt.LogEnabled {
		return fmt.Errorf("fetch notifications: %+v %v", nt, err)
	}
	welcome, sound := "Welcome to ${CONVERSATION}, "+unique, fmt.Sprintf("chime-%03d", i)
	nt, err = sc.Configuration.UpdateNotifications(ctx, &conversations.ServiceNotificationsUpdateParams{
		LogEnabled: conversations.Ptr(true), NewMessageEnabled: conversations.Ptr(false), NewMessageSound: sound,
		NewMessageWithMediaEnabled: conversations.Ptr(true), AddedToConversationTemplate: welcome})
	n()
	if err != nil || nt.ChatServiceSID != svc.SID || !nt.LogEnabled || nt.NewMessage.Enabled || nt.NewMessage.Sound != sound ||
		!nt.NewMessage.WithMedia.Enabled || nt.AddedToConversation.Template != welcome || !nt.RemovedFromConversation.Enabled {
		return fmt.Errorf("update notifications: %+v %v", nt, err)
	}
	if got, err := sc.Configuration.FetchNotifications(ctx); err != nil || *got != *nt {
		return fmt.Errorf("notifications after update: %+v %v, want %+v", got, err, nt)
	}
	n()

	// Webhooks: an event nothing in this service fires, so that nothing is
	// delivered.
	post, filters := "https://example.test/svc/"+unique, []conversations.EventType{"onUserUpdated"}
	hooks, err := sc.Configuration.UpdateWebhooks(ctx, &conversations.ServiceWebhookConfigurationUpdateParams{Method: conversations.WebhookPOST, PostWebhookURL: post, Filters: filters})
	n()
	if err != nil {
		return fmt.Errorf("service webhooks: %w", err)
	}
	if hooks.ChatServiceSID != svc.SID || hooks.Method != conversations.WebhookPOST || hooks.PostWebhookURL != post || hooks.PreWebhookURL != "" ||
		!slices.Equal(hooks.Filters, filters) {
		return fmt.Errorf("updated service webhooks: %+v", hooks)
	}
	got, err := sc.Configuration.FetchWebhooks(ctx)
	n()
	if err != nil {
		return fmt.Errorf("fetch service webhooks: %w", err)
	}
	if got.ChatServiceSID != svc.SID || got.Method != hooks.Method || got.PostWebhookURL != post || !slices.Equal(got.Filters, filters) || got.URL != hooks.URL {
		return fmt.Errorf("fetched service webhooks: %+v, want %+v", got, hooks)
	}

	// Media: upload, fetch, download, attach to a message; then upload and
	// send in one call.
	if err := media(ctx, env, i, sc, svc.SID, scv.SID); err != nil {
		return err
	}

	// A conversation created with a participant, then deleted.
	tmp, err := sc.Conversations.CreateWithParticipants(ctx, &conversations.ConversationWithParticipantsCreateParams{
		ConversationCreateParams: conversations.ConversationCreateParams{UniqueName: "tmp-" + unique},
		Participants:             conversations.NewParticipants{{Identity: identity}},
	})
	n()
	if err != nil || tmp.ChatServiceSID != svc.SID || tmp.UniqueName != "tmp-"+unique {
		return fmt.Errorf("service conversation with participants: %+v %v", tmp, err)
	}
	if err := sc.Conversations.Delete(ctx, tmp.SID, nil); err != nil {
		return fmt.Errorf("delete conversation: %w", err)
	}
	n()
	if _, err := sc.Conversations.Fetch(ctx, "tmp-"+unique); !conversations.IsNotFound(err) {
		return fmt.Errorf("deleted conversation: %v", err)
	}
	n()

	count := 0
	for _, err := range sc.Conversations.List(ctx, nil) {
		if err != nil {
			return err
		}
		count++
	}
	n()
	if count != 1 {
		return fmt.Errorf("service has %d conversations, want 1", count)
	}
	if s, err := c.Services.Fetch(ctx, svc.SID); err != nil || s.SID != svc.SID {
		return fmt.Errorf("fetch service: %v %v", s, err)
	}
	n()
	all, err := collect(env, c.Services.List(ctx, &conversations.ListParams{PageSize: 100}))
	if err != nil {
		return fmt.Errorf("list services: %w", err)
	}
	if listed, err := only("service "+svc.SID, all, func(o *conversations.ServiceInstance) bool { return o.SID == svc.SID }); err != nil || listed.FriendlyName != svc.FriendlyName {
		return fmt.Errorf("listed %v: %v", listed, err)
	}
	if _, err := only("the default service", all, func(o *conversations.ServiceInstance) bool { return o.SID == env.defaultSvc }); err != nil {
		return err
	}
	listedAll()
	if err := c.Services.Delete(ctx, svc.SID); err != nil {
		return fmt.Errorf("delete service: %w", err)
	}
	n()
	if _, err := sc.Conversations.Fetch(ctx, scv.SID); !conversations.IsNotFound(err) {
		return fmt.Errorf("conversation of a deleted service: %v", err)
	}
	n()
	return nil
}

// media uploads a file of the worker's own to the service, fetches and
// downloads it, attaches it to a message, and sends another with
// CreateWithMedia.
func media(ctx context.Context, env *mixEnv, i int, sc *conversations.ServiceScope, svcSID, convSID string) error {
	n := func() { env.ops.Add(1) }
	data := fmt.Appendf([]byte("\x89PNG\r\n\x1a\n"), "worker %03d", i)
	name := fmt.Sprintf("w%03d.png", i)
	m, err := sc.Media.Upload(ctx, bytes.NewReader(data), &conversations.MediaUploadParams{ContentType: "image/png", Filename: name, Channel: conversations.MessagingChat})
	n()
	if err != nil {
		return fmt.Errorf("upload media: %w", err)
	}
	if !strings.HasPrefix(m.SID, "ME") || m.ServiceSID != svcSID || m.Size != int64(len(data)) || m.ContentType != "image/png" ||
		m.FileName != name || m.MessageSID != "" || m.AccountSID != env.srv.AccountSID() {
		return fmt.Errorf("uploaded media: %+v", m)
	}
	got, err := sc.Media.Fetch(ctx, m.SID)
	n()
	if err != nil || got.SID != m.SID || got.Size != m.Size || got.FileName != name || got.Links.ContentDirectTemporary == "" {
		return fmt.Errorf("fetch media: %+v %v", got, err)
	}
	rc, info, err := sc.Media.Download(ctx, m.SID)
	n()
	if err != nil {
		return fmt.Errorf("download media: %w", err)
	}
	content, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(content, data) || info.SID != m.SID {
		return fmt.Errorf("downloaded media %q (%v), want %q", content, err, data)
	}
	msg, err := sc.Messages.Create(ctx, convSID, &conversations.MessageCreateParams{MediaSID: m.SID})
	n()
	if err != nil || len(msg.Media) != 1 || msg.Media[0] != (conversations.MessageMedia{SID: m.SID, Size: m.Size, ContentType: "image/png", Filename: name}) {
		return fmt.Errorf("message with media: %+v %v", msg, err)
	}
	if got, err := sc.Media.Fetch(ctx, m.SID); err != nil || got.MessageSID != msg.SID || got.ChannelSID != convSID {
		return fmt.Errorf("attached media: %+v %v", got, err)
	}
	n()
	pdf := fmt.Appendf([]byte("%PDF-1.4 "), "worker %03d", i)
	sent, err := sc.Messages.CreateWithMedia(ctx, convSID, bytes.NewReader(pdf),
		&conversations.MediaUploadParams{ContentType: "application/pdf", Filename: "w.pdf", Channel: conversations.MessagingSMS},
		&conversations.MessageCreateParams{Body: "see attached"})
	n()
	if err != nil || len(sent.Media) != 1 || sent.Media[0].Size != int64(len(pdf)) || sent.Media[0].ContentType != "application/pdf" ||
		sent.Media[0].Filename != "w.pdf" || sent.Body != "see attached" {
		return fmt.Errorf("create with media: %+v %v", sent, err)
	}
	if got, err := sc.Media.Fetch(ctx, sent.Media[0].SID); err != nil || got.MessageSID != sent.SID || got.Size != int64(len(pdf)) {
		return fmt.Errorf("media sent with CreateWithMedia: %+v %v", got, err)
	}
	n()
	return nil
}
