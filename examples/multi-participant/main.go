// Command multi-participant adds many participants to one conversation in a
// loop (SMS users, WhatsApp users and chat users), then lists them, and
// deletes the conversation.
//
//	go run ./examples/multi-participant
//
// With TWILIO_ACCOUNT_SID unset it runs offline against the local emulator
// (conversationstest). With TWILIO_ACCOUNT_SID set it uses Twilio with the
// credentials of conversations.NewClientFromEnv; SMS and WhatsApp
// participants then need real numbers, comma-separated, and are skipped when
// these are not set:
//
//	EXAMPLE_SMS_ADDRESSES       phones to add (+1…,+1…)
//	EXAMPLE_SMS_PROXY           your Twilio phone number
//	EXAMPLE_WHATSAPP_ADDRESSES  WhatsApp users (whatsapp:+1…)
//	EXAMPLE_WHATSAPP_PROXY      your WhatsApp sender (whatsapp:+1…)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
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

// connect returns a client for Twilio when TWILIO_ACCOUNT_SID is set, and
// otherwise one for a local emulator it starts; close stops the emulator.
func connect(w io.Writer, getenv func(string) string) (client *conversations.Client, offline bool, close func(), err error) {
	if getenv("TWILIO_ACCOUNT_SID") != "" {
		client, err = conversations.NewClientFromEnv()
		return client, false, func() {}, err
	}
	emu := conversationstest.NewServer()
	fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s\n", emu.URL)
	client, err = emu.Client()
	return client, true, emu.Close, err
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(ctx context.Context, w io.Writer, getenv func(string) string) (err error) {
	client, offline, closeEmu, err := connect(w, getenv)
	if err != nil {
		return err
	}
	defer closeEmu()

	sms, smsProxy := split(getenv("EXAMPLE_SMS_ADDRESSES")), getenv("EXAMPLE_SMS_PROXY")
	wa, waProxy := split(getenv("EXAMPLE_WHATSAPP_ADDRESSES")), getenv("EXAMPLE_WHATSAPP_PROXY")
	if offline {
		sms, smsProxy = []string{"+15558675310", "+15558675311", "+15558675312"}, "+15017122661"
		wa, waProxy = []string{"whatsapp:+15558675320", "whatsapp:+15558675321"}, "whatsapp:+15017122662"
	}
	chat := []string{"alice", "bob", "carol", "dave"}

	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Team standup"})
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	fmt.Fprintf(w, "created conversation %s\n", conv.SID)
	convSID := conv.SID
	defer func() {
		// ctx may have expired (perhaps why run is returning): clean up with
		// a short deadline of its own.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if derr := client.Conversations.Delete(cleanup, convSID, nil); derr != nil {
			err = errors.Join(err, fmt.Errorf("delete conversation: %w", derr))
			return
		}
		fmt.Fprintf(w, "deleted conversation %s\n", convSID)
	}()

	// Every participant is one Create call; build the list, then add them.
	var adds []conversations.ParticipantCreateParams
	if smsProxy != "" {
		for _, a := range sms {
			adds = append(adds, conversations.ParticipantCreateParams{MessagingBindingAddress: a, MessagingBindingProxyAddress: smsProxy})
		}
	}
	if waProxy != "" {
		for _, a := range wa {
			adds = append(adds, conversations.ParticipantCreateParams{MessagingBindingAddress: a, MessagingBindingProxyAddress: waProxy})
		}
	}
	for _, id := range chat {
		attrs, err := conversations.NewAttributes(map[string]string{"team": "platform"})
		if err != nil {
			return err
		}
		adds = append(adds, conversations.ParticipantCreateParams{Identity: id, Attributes: attrs})
	}
	for i := range adds {
		p, err := client.Participants.Create(ctx, conv.SID, &adds[i])
		if conversations.IsConflict(err) {
			// Already a participant (50433), or the address + proxy pair is
			// in another active conversation (50416): report and go on.
			fmt.Fprintf(w, "skipped %s: %v\n", describe(&adds[i]), err)
			continue
		}
		if err != nil {
			return fmt.Errorf("add %s: %w", describe(&adds[i]), err)
		}
		fmt.Fprintf(w, "added %s as %s\n", describe(&adds[i]), p.SID)
	}

	// List them back, 50 a page, however many there are.
	counts := map[string]int{}
	fmt.Fprintln(w, "participants:")
	for p, err := range client.Participants.List(ctx, conv.SID, &conversations.ListParams{PageSize: 50}) {
		if err != nil {
			return fmt.Errorf("list participants: %w", err)
		}
		kind, who := "chat", p.Identity
		if p.MessagingBinding != nil {
			kind, who = string(p.MessagingBinding.Type), p.MessagingBinding.Address
		}
		counts[kind]++
		fmt.Fprintf(w, "  %-8s %s\n", kind, who)
	}
	fmt.Fprintf(w, "%d chat, %d sms, %d whatsapp\n", counts["chat"], counts["sms"], counts["whatsapp"])
	return nil
}

func describe(p *conversations.ParticipantCreateParams) string {
	if p.Identity != "" {
		return "chat user " + p.Identity
	}
	if strings.HasPrefix(p.MessagingBindingAddress, "whatsapp:") {
		return "WhatsApp user " + p.MessagingBindingAddress
	}
	return "SMS user " + p.MessagingBindingAddress
}
