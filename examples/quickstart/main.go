// Command quickstart walks through a whole Conversations flow and prints each
// step: a Conversation Service, a conversation, chat, SMS and WhatsApp
// participants, messages, the history, attributes, closing and deleting.
//
//	go run ./examples/quickstart
//
// With TWILIO_ACCOUNT_SID unset it runs against the local emulator
// (conversationstest), started in-process, so it works on a fresh machine
// with no credentials; there it also shows what the simulated SMS and
// WhatsApp users' phones received, and an SMS user's reply.
//
// With TWILIO_ACCOUNT_SID set it runs against Twilio, with the credentials of
// conversations.NewClientFromEnv (TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and
// TWILIO_API_SECRET). The SMS and WhatsApp steps then need real numbers:
//
//	QUICKSTART_SMS_ADDRESS       a phone that may receive the test SMS (+1…)
//	QUICKSTART_SMS_PROXY         your Twilio phone number
//	QUICKSTART_WHATSAPP_ADDRESS  a WhatsApp user (whatsapp:+1…)
//	QUICKSTART_WHATSAPP_PROXY    your WhatsApp sender (whatsapp:+1…)
//
// and are skipped when those are not set.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
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

// numbers are the addresses the SMS and WhatsApp steps use.
type numbers struct {
	sms, smsProxy, whatsApp, whatsAppProxy string
}

// run runs the flow, printing each step to w; getenv reads the environment.
func run(ctx context.Context, w io.Writer, getenv func(string) string) (err error) {
	var (
		client *conversations.Client
		emu    *conversationstest.Server
		nums   numbers
	)
	if getenv("TWILIO_ACCOUNT_SID") == "" {
		emu = conversationstest.NewServer()
		defer emu.Close()
		fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s\n", emu.URL)
		client, err = emu.Client()
		nums = numbers{"+15558675310", "+15017122661", "whatsapp:+15558675311", "whatsapp:+15017122662"}
	} else {
		client, err = conversations.NewClientFromEnv()
		nums = numbers{getenv("QUICKSTART_SMS_ADDRESS"), getenv("QUICKSTART_SMS_PROXY"),
			getenv("QUICKSTART_WHATSAPP_ADDRESS"), getenv("QUICKSTART_WHATSAPP_PROXY")}
	}
	if err != nil {
		return err
	}
	step := func(format string, args ...any) { fmt.Fprintf(w, "- "+format+"\n", args...) }

	// 1. A Conversation Service of our own, so the demo can clean up after itself.
	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "quickstart"})
	if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	step("created Conversation Service %s (%s)", svc.SID, svc.FriendlyName)
	// Deleting the service deletes everything in it, also when a step
	// below fails; ctx may have expired by then, so the cleanup has a short
	// deadline of its own.
	defer func() {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if derr := client.Services.Delete(cleanup, svc.SID); derr != nil {
			err = errors.Join(err, fmt.Errorf("delete service: %w", derr))
			return
		}
		step("deleted Conversation Service %s", svc.SID)
	}()
	scoped := client.Service(svc.SID)

	// 2. A conversation, with a unique name and attributes.
	attrs, err := conversations.NewAttributes(map[string]any{"topic": "delivery", "priority": "normal"})
	if err != nil {
		return err
	}
	unique := fmt.Sprintf("quickstart-%d", time.Now().UnixNano())
	conv, err := scoped.Conversations.Create(ctx, &conversations.ConversationCreateParams{
		FriendlyName: "Order #1042", UniqueName: unique, Attributes: attrs})
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	step("created conversation %s %q (unique name %s), state %s", conv.SID, conv.FriendlyName, conv.UniqueName, conv.State)

	// 3. Participants: a chat agent, an SMS customer, a WhatsApp customer.
	agent, err := scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "agent-ana"})
	if err != nil {
		return fmt.Errorf("add chat participant: %w", err)
	}
	step("added chat participant %s (identity %s)", agent.SID, agent.Identity)
	for _, p := range []struct{ kind, address, proxy string }{
		{"SMS", nums.sms, nums.smsProxy},
		{"WhatsApp", nums.whatsApp, nums.whatsAppProxy},
	} {
		if p.address == "" || p.proxy == "" {
			step("skipped the %s participant (set its QUICKSTART_ variables)", p.kind)
			continue
		}
		part, err := scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
			MessagingBindingAddress: p.address, MessagingBindingProxyAddress: p.proxy})
		if err != nil {
			return fmt.Errorf("add %s participant: %w", p.kind, err)
		}
		step("added %s participant %s (%s via %s)", p.kind, part.SID, part.MessagingBinding.Address, part.MessagingBinding.ProxyAddress)
	}

	// 4. Messages from the agent; SMS and WhatsApp participants get them on their phones.
	for _, body := range []string{"Hi! Your order #1042 has shipped.", "It should arrive tomorrow before noon."} {
		m, err := scoped.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "agent-ana", Body: body})
		if err != nil {
			return fmt.Errorf("send message: %w", err)
		}
		delivery := "chat only"
		if m.Delivery != nil {
			delivery = fmt.Sprintf("to %d non-chat participant(s), sent: %s", m.Delivery.Total, m.Delivery.Sent)
		}
		step("sent message #%d %s (%s)", m.Index, m.SID, delivery)
	}

	// 5. In the emulator: what the phones received, and an SMS reply.
	if emu != nil {
		emu.Flush()
		for _, addr := range []string{nums.sms, nums.whatsApp} {
			for _, got := range emu.Received(addr) {
				step("%s's phone received from %s: %q", addr, got.From, got.Body)
			}
		}
		in, err := emu.SendSMS(nums.sms, nums.smsProxy, "Great, thanks!")
		if err != nil {
			return fmt.Errorf("simulate SMS reply: %w", err)
		}
		step("the SMS user replied: message #%d %s", in.Index, in.MessageSid)
	}

	// 6. The history, oldest first.
	step("history:")
	for m, err := range scoped.Messages.List(ctx, conv.SID, nil) {
		if err != nil {
			return fmt.Errorf("list messages: %w", err)
		}
		fmt.Fprintf(w, "    #%d %-22s %s\n", m.Index, m.Author+":", m.Body)
	}

	// 7. Attributes: change one key, keep the others.
	merged, err := conv.Attributes.Merge(map[string]any{"priority": "high"})
	if err != nil {
		return err
	}
	conv, err = scoped.Conversations.Update(ctx, conv.SID, &conversations.ConversationUpdateParams{Attributes: merged})
	if err != nil {
		return fmt.Errorf("update attributes: %w", err)
	}
	step("updated attributes: %s", conv.Attributes)

	// 8. Close (final) and delete.
	conv, err = scoped.Conversations.Close(ctx, conv.SID, nil)
	if err != nil {
		return fmt.Errorf("close conversation: %w", err)
	}
	step("closed conversation %s, state %s", conv.SID, conv.State)
	if _, err := scoped.Conversations.Update(ctx, conv.SID, &conversations.ConversationUpdateParams{FriendlyName: "reopen?"}); conversations.HasCode(err, conversations.CodeConversationClosed) {
		step("a closed conversation cannot be updated (error %d)", conversations.CodeConversationClosed)
	}
	if err := scoped.Conversations.Delete(ctx, conv.SID, nil); err != nil {
		return fmt.Errorf("delete conversation: %w", err)
	}
	step("deleted conversation %s", conv.SID)
	return nil
}
