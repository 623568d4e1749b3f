// Command attributes sets, reads (typed) and merge-updates the JSON
// attributes of a conversation and of a participant.
//
//	go run ./examples/attributes
//
// With TWILIO_ACCOUNT_SID unset it runs offline against the local emulator
// (conversationstest); with it set, against Twilio with the credentials of
// conversations.NewClientFromEnv. It deletes the conversation it creates.
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
func connect(w io.Writer, getenv func(string) string) (client *conversations.Client, close func(), err error) {
	if getenv("TWILIO_ACCOUNT_SID") != "" {
		client, err = conversations.NewClientFromEnv()
		return client, func() {}, err
	}
	emu := conversationstest.NewServer()
	fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s\n", emu.URL)
	client, err = emu.Client()
	return client, emu.Close, err
}

// Ticket is the application's own shape of a conversation's attributes.
type Ticket struct {
	Topic    string   `json:"topic"`
	Priority string   `json:"priority"`
	Customer Customer `json:"customer"`
	Tags     []string `json:"tags,omitempty"`
}

// Customer is nested in Ticket.
type Customer struct {
	ID   int    `json:"id"`
	Tier string `json:"tier"`
}

// Agent is the application's shape of a chat participant's attributes.
type Agent struct {
	Role     string `json:"role"`
	Team     string `json:"team"`
	OnShift  bool   `json:"on_shift"`
	Language string `json:"language,omitempty"`
}

func run(ctx context.Context, w io.Writer, getenv func(string) string) (err error) {
	client, closeEmu, err := connect(w, getenv)
	if err != nil {
		return err
	}
	defer closeEmu()

	// 1. Set: attributes from a Go value.
	attrs, err := conversations.NewAttributes(Ticket{
		Topic: "billing", Priority: "normal", Customer: Customer{ID: 7, Tier: "gold"}, Tags: []string{"invoice"},
	})
	if err != nil {
		return err
	}
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Billing question", Attributes: attrs})
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	fmt.Fprintf(w, "created conversation %s with attributes %s\n", conv.SID, conv.Attributes)
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

	// 2. Read typed, from a fresh fetch.
	conv, err = client.Conversations.Fetch(ctx, conv.SID)
	if err != nil {
		return fmt.Errorf("fetch conversation: %w", err)
	}
	ticket, err := conversations.DecodeAttributes[Ticket](conv.Attributes)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "topic=%s priority=%s customer=%d (%s)\n", ticket.Topic, ticket.Priority, ticket.Customer.ID, ticket.Customer.Tier)

	// 3. Merge-update: change a few keys (one nested), add one, remove one,
	// and keep the rest. Twilio replaces attributes whole, so merge the patch
	// into the attributes just fetched and send the result.
	merged, err := conv.Attributes.Merge(map[string]any{
		"priority":     "high",
		"customer":     map[string]any{"tier": "platinum"},
		"escalated_by": "alice",
		"tags":         nil, // removed
	})
	if err != nil {
		return err
	}
	conv, err = client.Conversations.Update(ctx, conv.SID, &conversations.ConversationUpdateParams{Attributes: merged})
	if err != nil {
		return fmt.Errorf("update conversation: %w", err)
	}
	fmt.Fprintf(w, "conversation attributes now %s\n", conv.Attributes)
	var loose map[string]any
	if err := conv.Attributes.Decode(&loose); err != nil {
		return err
	}
	fmt.Fprintf(w, "escalated_by=%v, tags present: %v\n", loose["escalated_by"], loose["tags"] != nil)

	// 4. The same for a participant.
	agentAttrs, err := conversations.NewAttributes(Agent{Role: "agent", Team: "billing", OnShift: true})
	if err != nil {
		return err
	}
	p, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "alice", Attributes: agentAttrs})
	if err != nil {
		return fmt.Errorf("add participant: %w", err)
	}
	agent, err := conversations.DecodeAttributes[Agent](p.Attributes)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "participant %s: role=%s team=%s on_shift=%v\n", p.Identity, agent.Role, agent.Team, agent.OnShift)

	merged, err = p.Attributes.Merge(Agent{Role: agent.Role, Team: agent.Team, OnShift: false, Language: "fr"})
	if err != nil {
		return err
	}
	p, err = client.Participants.Update(ctx, conv.SID, p.SID, &conversations.ParticipantUpdateParams{Attributes: merged})
	if err != nil {
		return fmt.Errorf("update participant: %w", err)
	}
	agent, err = conversations.DecodeAttributes[Agent](p.Attributes)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "participant %s: on_shift=%v language=%s\n", p.Identity, agent.OnShift, agent.Language)
	return nil
}
