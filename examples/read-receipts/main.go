// Command read-receipts follows a message to an SMS participant through its
// delivery receipts (sent, then delivered) and a chat user's unread count
// before and after the user marks the conversation read.
//
//	go run ./examples/read-receipts
//
// With TWILIO_ACCOUNT_SID unset it runs against the local emulator
// (conversationstest), started in-process, whose simulated phone receives
// the SMS.
//
// With TWILIO_ACCOUNT_SID set it runs against Twilio, with the credentials of
// conversations.NewClientFromEnv, and needs real numbers for the SMS step:
//
//	RECEIPTS_SMS_ADDRESS  a phone that may receive the test SMS (+1…)
//	RECEIPTS_SMS_PROXY    your Twilio phone number
//
// It creates its own Conversation Service and deletes it at the end.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

// run runs the walk-through, printing each step to w; getenv reads the
// environment.
func run(ctx context.Context, w io.Writer, getenv func(string) string) error {
	var (
		client       *conversations.Client
		emu          *conversationstest.Server
		phone, proxy string
		err          error
	)
	if getenv("TWILIO_ACCOUNT_SID") == "" {
		emu = conversationstest.NewServer()
		defer emu.Close()
		fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s\n", emu.URL)
		client, err = emu.Client()
		phone, proxy = "+15558675310", "+15017122661"
	} else {
		client, err = conversations.NewClientFromEnv()
		phone, proxy = getenv("RECEIPTS_SMS_ADDRESS"), getenv("RECEIPTS_SMS_PROXY")
		if phone == "" || proxy == "" {
			err = errors.New("set RECEIPTS_SMS_ADDRESS and RECEIPTS_SMS_PROXY")
		}
	}
	if err != nil {
		return err
	}
	step := func(format string, args ...any) { fmt.Fprintf(w, "- "+format+"\n", args...) }

	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "read-receipts"})
	if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	defer func() {
		// ctx may have expired: clean up with a short deadline of its own.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := client.Services.Delete(cleanup, svc.SID); err != nil {
			fmt.Fprintf(w, "- could not delete Conversation Service %s: %v\n", svc.SID, err)
			return
		}
		step("deleted Conversation Service %s", svc.SID)
	}()
	scoped := client.Service(svc.SID)
	conv, err := scoped.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Delivery updates"})
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	step("created conversation %s", conv.SID)
	if _, err := scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: phone, MessagingBindingProxyAddress: proxy}); err != nil {
		return fmt.Errorf("add SMS participant: %w", err)
	}
	if _, err := scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "alice"}); err != nil {
		return fmt.Errorf("add chat participant: %w", err)
	}
	step("added SMS participant %s and chat user alice", phone)

	// Offline, a local endpoint receives the service's onDeliveryUpdated
	// webhooks, which report each step of a receipt.
	var (
		mu       sync.Mutex
		statuses []string
	)
	if emu != nil {
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ev, err := conversations.ParseEvent(r)
			if d, ok := ev.(*conversations.DeliveryUpdatedEvent); err == nil && ok {
				mu.Lock()
				statuses = append(statuses, string(d.Status))
				mu.Unlock()
			}
		}))
		defer hook.Close()
		if _, err := scoped.Configuration.UpdateWebhooks(ctx, &conversations.ServiceWebhookConfigurationUpdateParams{
			PostWebhookURL: hook.URL + "/delivery", Filters: []conversations.EventType{"onDeliveryUpdated"}}); err != nil {
			return fmt.Errorf("configure webhooks: %w", err)
		}
	}

	// 1. A message to the SMS participant: its receipt starts as sent and
	// moves to delivered when the carrier reports it.
	msg, err := scoped.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "system", Body: "Your parcel is out for delivery."})
	if err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	if d := msg.Delivery; d != nil {
		step("message #%d created: delivery sent %s, delivered %s", msg.Index, d.Sent, d.Delivered)
	}
	// On Twilio the receipt appears some time after the message: poll.
	interval := 2 * time.Second
	if emu != nil {
		interval = 10 * time.Millisecond
	}
	r, err := firstReceipt(ctx, time.Now().Add(time.Minute), interval, func(ctx context.Context) (*conversations.Receipt, error) {
		for r, err := range scoped.Receipts.List(ctx, conv.SID, msg.SID, nil) {
			return r, err
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("list receipts: %w", err)
	}
	step("receipt %s for %s: %s", r.SID, r.ChannelMessageSID, r.Status)
	for deadline := time.Now().Add(time.Minute); r.Status == conversations.DeliverySent && time.Now().Before(deadline); {
		if emu != nil {
			emu.Flush() // the emulator's carrier reports the delivery
		} else {
			time.Sleep(2 * time.Second)
		}
		if r, err = scoped.Receipts.Fetch(ctx, conv.SID, msg.SID, r.SID); err != nil {
			return fmt.Errorf("fetch receipt: %w", err)
		}
	}
	step("receipt %s is now %s", r.SID, r.Status)
	if emu != nil {
		emu.Flush() // wait for the webhooks queued so far
		mu.Lock()
		step("onDeliveryUpdated webhooks reported: %s", strings.Join(statuses, " -> "))
		mu.Unlock()
	}
	if m, err := scoped.Messages.Fetch(ctx, conv.SID, msg.SID); err == nil && m.Delivery != nil {
		step("message delivery summary: sent %s, delivered %s, failed %s", m.Delivery.Sent, m.Delivery.Delivered, m.Delivery.Failed)
	}
	if emu != nil {
		for _, sms := range emu.Received(phone) {
			step("%s's phone received from %s: %q", phone, sms.From, sms.Body)
		}
	}

	// 2. Alice's unread count: two more messages arrive; she has read the
	// first one, then marks everything read.
	for _, body := range []string{"The driver is 10 minutes away.", "Delivered to your door."} {
		if _, err := scoped.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: body}); err != nil {
			return fmt.Errorf("send message: %w", err)
		}
	}
	uc, err := scoped.UserConversations.Update(ctx, "alice", conv.SID, &conversations.UserConversationUpdateParams{LastReadMessageIndex: conversations.Ptr(msg.Index)})
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	step("alice read message #%d: %d unread", *uc.LastReadMessageIndex, unread(uc))
	var last int
	for m, err := range scoped.Messages.List(ctx, conv.SID, &conversations.MessageListParams{Order: conversations.OrderDesc, PageSize: 1}) {
		if err != nil {
			return err
		}
		last = m.Index
		break
	}
	uc, err = scoped.UserConversations.Update(ctx, "alice", conv.SID, &conversations.UserConversationUpdateParams{
		LastReadMessageIndex: conversations.Ptr(last), LastReadTimestamp: time.Now()})
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	step("alice marked everything read (up to #%d): %d unread", *uc.LastReadMessageIndex, unread(uc))
	p, err := scoped.Participants.Fetch(ctx, conv.SID, "alice")
	if err != nil {
		return err
	}
	step("alice's participant has the same read horizon: #%d", *p.LastReadMessageIndex)
	return nil
}

// firstReceipt calls list until it returns a receipt (a message's receipt
// is created after the message, by the channel), every interval, until
// deadline or the end of ctx.
func firstReceipt(ctx context.Context, deadline time.Time, interval time.Duration,
	list func(context.Context) (*conversations.Receipt, error)) (*conversations.Receipt, error) {
	for {
		r, err := list(ctx)
		if err != nil || r != nil {
			return r, err
		}
		if !time.Now().Add(interval).Before(deadline) {
			return nil, errors.New("the message has no receipt yet; giving up")
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// unread returns a user conversation's unread count, -1 when unknown.
func unread(uc *conversations.UserConversation) int {
	if uc.UnreadMessagesCount == nil {
		return -1
	}
	return *uc.UnreadMessagesCount
}
