package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// emulated starts the emulator and a client of it with its own transport.
func emulated(t testing.TB, p conversations.RetryPolicy) (*conversationstest.Server, *conversations.Client, *netStats) {
	t.Helper()
	srv := conversationstest.NewServer()
	c, st := newClientAs(t, srv.AccountSID(), srv.AuthToken(), srv.URL, p)
	return srv, c, st
}

// TestConcurrentMixedOperations shares one client among 100 goroutines, each
// running a whole workflow over every resource the emulator serves (services
// and their configuration, conversations, participants chat and SMS,
// messages, receipts, scoped webhooks, global webhook configuration, pagers)
// and checking every result. Run it under -race.
func TestConcurrentMixedOperations(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv, c, st := emulated(t, conversations.DefaultRetryPolicy)
	const workers = 100
	var ops atomic.Int64
	errs := make(chan error, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := workflow(context.Background(), c, i, &ops); err != nil {
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

	// Every conversation left (one per worker, closed) is listed exactly once.
	seen := map[string]bool{}
	for cv, err := range c.Conversations.List(context.Background(), &conversations.ConversationListParams{PageSize: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[cv.UniqueName] {
			t.Errorf("conversation %s listed twice", cv.UniqueName)
		}
		seen[cv.UniqueName] = true
	}
	if len(seen) != workers {
		t.Errorf("%d conversations left, want %d", len(seen), workers)
	}
	t.Logf("%d workers, %d calls in %v (%.0f calls/s), %d connections", workers, ops.Load(), elapsed.Round(time.Millisecond),
		float64(ops.Load())/elapsed.Seconds(), st.dials.Load())
	st.tr.CloseIdleConnections()
	srv.Close()
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutines leaked: %v", err)
	}
}

// workflow is one worker's mix of operations; every result is checked.
func workflow(ctx context.Context, c *conversations.Client, i int, ops *atomic.Int64) error {
	n := func() { ops.Add(1) }
	attrs, _ := conversations.NewAttributes(map[string]int{"worker": i})
	unique := fmt.Sprintf("worker-%03d", i)

	// Conversations.
	cv, err := c.Conversations.Create(ctx, &conversations.ConversationParams{FriendlyName: "w" + unique, UniqueName: unique, Attributes: attrs})
	n()
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	got, err := c.Conversations.Fetch(ctx, unique)
	n()
	if err != nil || got.SID != cv.SID {
		return fmt.Errorf("fetch by unique name: %v %v", got, err)
	}
	if v, err := conversations.DecodeAttributes[map[string]int](got.Attributes); err != nil || v["worker"] != i {
		return fmt.Errorf("attributes %v %v", v, err)
	}
	if got, err = c.Conversations.Update(ctx, cv.SID, &conversations.ConversationParams{FriendlyName: "updated " + unique}); err != nil || got.FriendlyName != "updated "+unique {
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

	// Conversation-scoped webhooks.
	wh, err := c.Webhooks.Create(ctx, cv.SID, &conversations.ConversationWebhookCreateParams{
		Target: conversations.TargetWebhook, ConfigurationURL: "https://example.test/hook/" + unique,
		ConfigurationMethod: conversations.WebhookPOST, ConfigurationFilters: []string{"onMessageAdded"}})
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
		if _, err := c.Configuration.UpdateWebhooks(ctx, &conversations.ConfigurationWebhookParams{Method: conversations.WebhookPOST}); err != nil {
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
	if got, err := c.Conversations.Close(ctx, cv.SID); err != nil || got.State != conversations.StateClosed {
		return fmt.Errorf("close: %v %v", got, err)
	}
	n()

	// Every tenth worker also works in a Conversation Service of its own.
	if i%10 == 0 {
		svc, err := c.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "svc " + unique})
		n()
		if err != nil {
			return fmt.Errorf("create service: %w", err)
		}
		sc := c.Service(svc.SID)
		scv, err := sc.Conversations.Create(ctx, &conversations.ConversationParams{UniqueName: unique})
		n()
		if err != nil || scv.ChatServiceSID != svc.SID {
			return fmt.Errorf("service conversation: %v %v", scv, err)
		}
		if _, err := sc.Messages.Create(ctx, scv.SID, &conversations.MessageCreateParams{Body: "hi"}); err != nil {
			return fmt.Errorf("service message: %w", err)
		}
		n()
		if _, err := sc.Configuration.UpdateWebhooks(ctx, &conversations.ServiceWebhookParams{Method: conversations.WebhookPOST}); err != nil {
			return fmt.Errorf("service webhooks: %w", err)
		}
		n()
		if _, err := sc.Configuration.FetchWebhooks(ctx); err != nil {
			return fmt.Errorf("fetch service webhooks: %w", err)
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
		if err := c.Services.Delete(ctx, svc.SID); err != nil {
			return fmt.Errorf("delete service: %w", err)
		}
		n()
		if _, err := sc.Conversations.Fetch(ctx, scv.SID); !conversations.IsNotFound(err) {
			return fmt.Errorf("conversation of a deleted service: %v", err)
		}
		n()
	}
	if _, err := c.Conversations.Fetch(ctx, "CH"+fmt.Sprintf("%032x", i)); !errors.Is(err, conversations.ErrNotFound) {
		return fmt.Errorf("fetch of a missing conversation: %v", err)
	}
	n()
	return nil
}
