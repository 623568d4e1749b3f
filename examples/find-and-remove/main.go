// Command find-and-remove removes participants from a conversation the way an
// app knows them: an SMS or WhatsApp user by phone number, a chat user by
// identity, with no participant SID at hand.
//
//	go run ./examples/find-and-remove
//
// With TWILIO_ACCOUNT_SID unset it runs offline against the local emulator
// (conversationstest). With TWILIO_ACCOUNT_SID set it uses Twilio with the
// credentials of conversations.NewClientFromEnv, and needs a real number for
// the SMS participant (skipped when these are not set):
//
//	EXAMPLE_SMS_ADDRESS  a phone to add and remove (+1…)
//	EXAMPLE_SMS_PROXY    your Twilio phone number
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

func run(ctx context.Context, w io.Writer, getenv func(string) string) (err error) {
	client, offline, closeEmu, err := connect(w, getenv)
	if err != nil {
		return err
	}
	defer closeEmu()
	phone, proxy := getenv("EXAMPLE_SMS_ADDRESS"), getenv("EXAMPLE_SMS_PROXY")
	if offline {
		phone, proxy = "+15558675310", "+15017122661"
	}

	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Delivery #1042"})
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

	adds := []conversations.ParticipantCreateParams{{Identity: "driver-17"}, {Identity: "dispatcher"}}
	if phone != "" && proxy != "" {
		adds = append(adds, conversations.ParticipantCreateParams{MessagingBindingAddress: phone, MessagingBindingProxyAddress: proxy})
	}
	for i := range adds {
		if _, err := client.Participants.Create(ctx, conv.SID, &adds[i]); err != nil {
			return fmt.Errorf("add participant: %w", err)
		}
	}
	printParticipants(ctx, w, client, conv.SID)

	// By phone number: the library reads the participant list to find the
	// participant with that address, then deletes it by SID.
	if phone != "" && proxy != "" {
		p, err := client.Participants.RemoveByAddress(ctx, conv.SID, phone, nil)
		if err != nil {
			return fmt.Errorf("remove %s: %w", phone, err)
		}
		fmt.Fprintf(w, "removed %s (%s)\n", phone, p.SID)
	}

	// By identity: fetched by identity, then deleted by SID.
	p, err := client.Participants.RemoveByIdentity(ctx, conv.SID, "driver-17", nil)
	if err != nil {
		return fmt.Errorf("remove driver-17: %w", err)
	}
	fmt.Fprintf(w, "removed driver-17 (%s)\n", p.SID)

	// Removing someone who is not there is a not-found error.
	_, err = client.Participants.RemoveByAddress(ctx, conv.SID, "+15550000000", nil)
	switch {
	case errors.Is(err, conversations.ErrNotFound):
		fmt.Fprintln(w, "+15550000000 is not in the conversation: nothing to remove")
	case err != nil:
		return err
	}
	_, err = client.Participants.RemoveByIdentity(ctx, conv.SID, "driver-17", nil)
	if conversations.IsNotFound(err) {
		fmt.Fprintln(w, "driver-17 is no longer in the conversation")
	} else if err != nil {
		return err
	}
	printParticipants(ctx, w, client, conv.SID)
	return nil
}

func printParticipants(ctx context.Context, w io.Writer, client *conversations.Client, conv string) {
	fmt.Fprint(w, "participants:")
	for p, err := range client.Participants.List(ctx, conv, nil) {
		if err != nil {
			fmt.Fprintf(w, " (error: %v)", err)
			break
		}
		if p.MessagingBinding != nil {
			fmt.Fprintf(w, " %s", p.MessagingBinding.Address)
		} else {
			fmt.Fprintf(w, " %s", p.Identity)
		}
	}
	fmt.Fprintln(w)
}
