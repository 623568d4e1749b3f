// Command auto-creation configures a phone number so that an inbound SMS
// that belongs to no conversation creates one: the sender becomes its
// participant, the SMS its first message, and a conversation-scoped webhook
// is attached to it.
//
//	go run ./examples/auto-creation
//
// With TWILIO_ACCOUNT_SID unset it runs against the local emulator
// (conversationstest), started in-process, and simulates the inbound SMS.
//
// With TWILIO_ACCOUNT_SID set it runs against Twilio, with the credentials of
// conversations.NewClientFromEnv, and needs:
//
//	AUTOCREATION_ADDRESS  your Twilio phone number (+1…) to configure
//	AUTOCREATION_WEBHOOK  the URL the auto-created conversations' webhook posts to
//	AUTOCREATION_SENDER   optional: a phone that has texted the number; its
//	                      conversations are listed
//
// It then leaves the address configuration in place (delete it in the
// Console or with client.Addresses.Delete when done); a later run finds it
// and updates it.
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

// events records the webhook events the local endpoint received.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(s string) { e.mu.Lock(); e.list = append(e.list, s); e.mu.Unlock() }

func (e *events) get() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.list...)
}

// run runs the walk-through, printing each step to w; getenv reads the
// environment.
func run(ctx context.Context, w io.Writer, getenv func(string) string) error {
	var (
		received                 events
		client                   *conversations.Client
		emu                      *conversationstest.Server
		number, webhook, texting string
		err                      error
	)
	if getenv("TWILIO_ACCOUNT_SID") == "" {
		emu = conversationstest.NewServer()
		defer emu.Close()
		fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s\n", emu.URL)
		client, err = emu.Client()
		number, texting = "+15017122661", "+15558675310"
		// A local endpoint stands in for your app's webhook.
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ev, err := conversations.ParseEvent(r); err == nil {
				received.add(string(ev.EventType()))
			}
		}))
		defer hook.Close()
		webhook = hook.URL + "/conversation-events"
	} else {
		client, err = conversations.NewClientFromEnv()
		number, webhook, texting = getenv("AUTOCREATION_ADDRESS"), getenv("AUTOCREATION_WEBHOOK"), getenv("AUTOCREATION_SENDER")
		if number == "" || webhook == "" {
			return errors.New("set AUTOCREATION_ADDRESS (your Twilio number) and AUTOCREATION_WEBHOOK")
		}
	}
	if err != nil {
		return err
	}
	step := func(format string, args ...any) { fmt.Fprintf(w, "- "+format+"\n", args...) }

	// 1. Auto-creation for the number: new conversations get a scoped
	// webhook that reports their messages and participants.
	addr, created, err := configureAddress(ctx, client, &conversations.AddressCreateParams{
		Type: conversations.AddressSMS, Address: number, FriendlyName: "support line",
		AutoCreation: conversations.AddressAutoCreationParams{
			Enabled:        conversations.Ptr(true),
			Type:           conversations.AutoCreationWebhook,
			WebhookURL:     webhook,
			WebhookMethod:  conversations.WebhookPOST,
			WebhookFilters: []conversations.EventType{"onParticipantAdded", "onMessageAdded"},
		},
	})
	if err != nil {
		return fmt.Errorf("configure address: %w", err)
	}
	if !created {
		step("%s was already configured (%s): updated its configuration", addr.Address, addr.SID)
	}
	step("configured %s (%s): auto-creation %t, type %s, webhook %s %v", addr.Address, addr.SID,
		addr.AutoCreation.Enabled, addr.AutoCreation.Type, addr.AutoCreation.WebhookURL, addr.AutoCreation.WebhookFilters)

	// 2. An SMS from a customer that no conversation holds.
	if emu != nil {
		in, err := emu.SendSMS(texting, number, "Hi, where is my order #1042?")
		if err != nil {
			return fmt.Errorf("simulated SMS: %w", err)
		}
		step("%s texted %s: the emulator created conversation %s", texting, number, in.ConversationSid)
		emu.Flush()
		step("the scoped webhook received %s", strings.Join(received.get(), ", "))
	} else if texting == "" {
		step("text %s from any phone, then run again with AUTOCREATION_SENDER set to that phone", number)
		return nil
	}

	// 3. The conversation created, its participant, message and webhook.
	for pc, err := range client.ParticipantConversations.List(ctx, &conversations.ParticipantConversationListParams{Address: texting}) {
		if err != nil {
			return fmt.Errorf("list conversations of %s: %w", texting, err)
		}
		scoped := client.Service(pc.ChatServiceSID)
		step("conversation %s (%s) in service %s", pc.ConversationSID, pc.ConversationState, pc.ChatServiceSID)
		for p, err := range scoped.Participants.List(ctx, pc.ConversationSID, nil) {
			if err != nil {
				return err
			}
			if b := p.MessagingBinding; b != nil {
				step("  participant %s: %s via %s", p.SID, b.Address, b.ProxyAddress)
			}
		}
		for m, err := range scoped.Messages.List(ctx, pc.ConversationSID, nil) {
			if err != nil {
				return err
			}
			step("  message #%d from %s: %q", m.Index, m.Author, m.Body)
		}
		for wh, err := range scoped.Webhooks.List(ctx, pc.ConversationSID, nil) {
			if err != nil {
				return err
			}
			step("  scoped webhook %s: %s %s %v", wh.SID, wh.Configuration.Method, wh.Configuration.URL, wh.Configuration.Filters)
		}
	}

	// 4. A second SMS lands in the same conversation.
	if emu != nil {
		in, err := emu.SendSMS(texting, number, "It's been a week.")
		if err != nil {
			return err
		}
		step("the next SMS landed in the same conversation %s as message #%d", in.ConversationSid, in.Index)
		if err := client.Addresses.Delete(ctx, addr.SID); err != nil {
			return err
		}
		step("deleted address configuration %s", addr.SID)
	}
	return nil
}

// configureAddress creates the address configuration of p. An address can
// have one configuration per channel, so a second run fails to create it:
// then it finds the existing configuration by address (listing those of
// p.Type) and updates it. created reports which happened.
func configureAddress(ctx context.Context, client *conversations.Client, p *conversations.AddressCreateParams) (
	addr *conversations.AddressConfiguration, created bool, err error) {
	addr, err = client.Addresses.Create(ctx, p)
	var apiErr *conversations.Error
	if err == nil || !errors.As(err, &apiErr) || (apiErr.Status != http.StatusConflict && apiErr.Status != http.StatusBadRequest) {
		return addr, err == nil, err
	}
	for a, lerr := range client.Addresses.List(ctx, &conversations.AddressListParams{Type: p.Type}) {
		if lerr != nil {
			return nil, false, errors.Join(err, lerr)
		}
		if a.Address != p.Address {
			continue
		}
		addr, err = client.Addresses.Update(ctx, a.SID, &conversations.AddressUpdateParams{
			FriendlyName: p.FriendlyName, AutoCreation: p.AutoCreation})
		return addr, false, err
	}
	return nil, false, err // not a duplicate: the create error stands
}
