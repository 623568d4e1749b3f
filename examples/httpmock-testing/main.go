// Command httpmock-testing is a small order-support app built on the
// conversations client, and main_test.go shows how to unit-test such code
// with httpmock and the conversationstest/fixture package: every call the app
// makes is answered with a Twilio-shaped body, a history of three pages, a
// 429 answered by a retry, and a signed onMessageAdded webhook delivered to
// the app's handler. Copy the two files into a project of your own to start.
//
// The app opens a conversation for an order with the customer on SMS, posts
// a greeting, prints the conversation's transcript, and (with -serve)
// acknowledges every customer message through a webhook handler.
//
// With TWILIO_ACCOUNT_SID unset it runs against the local emulator
// (conversationstest), started in-process; with TWILIO_ACCOUNT_SID and
// TWILIO_AUTH_TOKEN set it runs against Twilio, sending the greeting from
// -from (a Twilio number of the account) to -to:
//
//	go run ./examples/httpmock-testing -order 1042 -to +15558675310 -from +15017122661
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// Identities the app writes as.
const (
	AgentIdentity = "support-agent"
	BotIdentity   = "support-bot"
	// Ack is the bot's answer to every customer message.
	Ack = "Thanks! An agent will answer shortly."
)

// Support is the app: it talks to customers about their orders.
type Support struct {
	client *conversations.Client
	// from is the Twilio number customers are texted from.
	from string
}

// NewSupport returns the app, texting customers from the Twilio number from.
func NewSupport(client *conversations.Client, from string) *Support {
	return &Support{client: client, from: from}
}

// OpenOrderThread creates the conversation of an order, adds the customer
// by SMS and greets them.
func (s *Support) OpenOrderThread(ctx context.Context, orderID, phone string) (*conversations.Conversation, error) {
	attrs, err := conversations.NewAttributes(map[string]string{"order": orderID})
	if err != nil {
		return nil, err
	}
	conv, err := s.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{
		FriendlyName: "Order #" + orderID,
		UniqueName:   "order-" + orderID,
		Attributes:   attrs,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the conversation of order %s: %w", orderID, err)
	}
	if _, err := s.client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress:      phone,
		MessagingBindingProxyAddress: s.from,
	}); err != nil {
		return nil, fmt.Errorf("adding the customer to %s: %w", conv.SID, err)
	}
	if err := s.Notify(ctx, conv.SID, "Hi! This is the thread about your order #"+orderID+"."); err != nil {
		return nil, err
	}
	return conv, nil
}

// Notify posts a message from the agent.
func (s *Support) Notify(ctx context.Context, conversationSID, text string) error {
	_, err := s.client.Messages.Create(ctx, conversationSID, &conversations.MessageCreateParams{
		Author: AgentIdentity,
		Body:   text,
	})
	if err != nil {
		return fmt.Errorf("posting in %s: %w", conversationSID, err)
	}
	return nil
}

// Transcript returns the conversation's messages, oldest first, as
// "author: body" lines, reading every page of the history.
func (s *Support) Transcript(ctx context.Context, conversationSID string) ([]string, error) {
	var lines []string
	params := &conversations.MessageListParams{Order: conversations.OrderAsc, PageSize: 50}
	for msg, err := range s.client.Messages.List(ctx, conversationSID, params) {
		if err != nil {
			return nil, fmt.Errorf("reading the history of %s: %w", conversationSID, err)
		}
		lines = append(lines, msg.Author+": "+msg.Body)
	}
	return lines, nil
}

// WebhookHandler returns the handler of the Conversations post-event
// webhook: it answers every customer message with [Ack].
func (s *Support) WebhookHandler(authToken string, opts ...conversations.WebhookOption) (http.Handler, error) {
	h, err := conversations.NewWebhookHandler(authToken, opts...)
	if err != nil {
		return nil, err
	}
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		if ev.Author == BotIdentity || ev.Author == AgentIdentity {
			return nil
		}
		_, err := s.client.Messages.Create(ctx, ev.ConversationSID, &conversations.MessageCreateParams{
			Author: BotIdentity,
			Body:   Ack,
		})
		return err
	})
	return h, nil
}

func main() {
	order := flag.String("order", "1042", "order ID")
	to := flag.String("to", "+15558675310", "the customer's phone number")
	from := flag.String("from", "+15017122661", "the Twilio number to text from")
	serve := flag.String("serve", "", "serve the webhook handler on this address, such as 127.0.0.1:3000")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, os.Getenv, *order, *to, *from, *serve); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, getenv func(string) string, order, to, from, serve string) error {
	var client *conversations.Client
	var err error
	token := getenv("TWILIO_AUTH_TOKEN")
	if getenv("TWILIO_ACCOUNT_SID") == "" {
		emu := conversationstest.NewServer()
		defer emu.Close()
		fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s\n", emu.URL)
		client, err = emu.Client()
		token = emu.AuthToken()
	} else {
		client, err = conversations.NewClientFromEnv()
	}
	if err != nil {
		return err
	}
	app := NewSupport(client, from)
	conv, err := app.OpenOrderThread(ctx, order, to)
	if err != nil {
		return err
	}
	lines, err := app.Transcript(ctx, conv.SID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s (%s):\n", conv.FriendlyName, conv.SID)
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
	if serve == "" {
		return nil
	}
	h, err := app.WebhookHandler(token)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/twilio/conversations", h)
	srv := &http.Server{Addr: serve, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(w, "webhook handler on http://%s/twilio/conversations\n", serve)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
