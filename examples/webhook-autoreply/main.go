// Command webhook-autoreply is the auto-reply bot of Twilio's Conversations
// webhooks guide: when a customer writes in a conversation, it answers
// "Thanks — an agent will be with you shortly." as support-bot.
//
// It validates the X-Twilio-Signature of every webhook, so only Twilio can
// make it post. It reads its credentials from the environment:
//
//	TWILIO_ACCOUNT_SID  Account SID (AC…)
//	TWILIO_AUTH_TOKEN   Auth Token: signs webhooks and authenticates replies
//
// Run it and point the Conversations post-event webhook (onMessageAdded) at
// its public URL, for example through a tunnel:
//
//	go run ./examples/webhook-autoreply -addr 127.0.0.1:3000 \
//	    -public-url https://abc123.ngrok.app -agent agent-alice
//
// The reply goes to the Conversation Service the event names
// (ChatServiceSid), so conversations outside the default service are
// answered too. Messages written by support-bot itself or by the agent
// identity are not answered. Messages the bot sends over REST do not
// trigger webhooks, so the bot does not talk to itself.
//
// -base-url points the REST client elsewhere, such as at the
// conversationstest emulator (cmd/conversations-emulator), for an offline
// round trip; roundtrip_test.go runs that round trip in-process: an SMS
// user writes, the emulator posts a signed onMessageAdded, the bot replies.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/conversations-go/conversations"
)

const (
	botIdentity = "support-bot"
	replyBody   = "Thanks — an agent will be with you shortly."
)

type options struct {
	addr       string
	publicURL  string
	baseURL    string
	agent      string
	trustProxy bool
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:3000", "address to listen on")
	flag.StringVar(&o.publicURL, "public-url", "", "public base URL Twilio calls (when behind a proxy or tunnel)")
	flag.StringVar(&o.baseURL, "base-url", "", "Conversations API base URL (default Twilio's; set for the emulator)")
	flag.StringVar(&o.agent, "agent", "", "identity of the human agent, whose messages are not answered")
	flag.BoolVar(&o.trustProxy, "trust-proxy", false, "take the URL from X-Forwarded-Proto/Host")
	flag.Parse()
	if err := run(o, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

func run(o options, getenv func(string) string) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	h, err := newHandler(o, getenv, logger)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: o.addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	logger.Info("webhook-autoreply listening", "addr", o.addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler builds the webhook handler and the REST client it replies with.
func newHandler(o options, getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	sid, token := getenv("TWILIO_ACCOUNT_SID"), getenv("TWILIO_AUTH_TOKEN")
	if sid == "" || token == "" {
		return nil, errors.New("set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
	}
	var copts []conversations.Option
	if o.baseURL != "" {
		copts = append(copts, conversations.WithBaseURL(o.baseURL))
	}
	client, err := conversations.NewClient(sid, token, copts...)
	if err != nil {
		return nil, err
	}
	wopts := []conversations.WebhookOption{
		conversations.WithWebhookLogger(logger),
		conversations.WithDuplicateFilter(conversations.NewMemoryDuplicateFilter(time.Hour, 10000)),
	}
	if o.publicURL != "" {
		wopts = append(wopts, conversations.WithPublicURL(o.publicURL))
	}
	if o.trustProxy {
		wopts = append(wopts, conversations.WithTrustedProxy())
	}
	h, err := conversations.NewWebhookHandler(token, wopts...)
	if err != nil {
		return nil, err
	}
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		if ev.Author == botIdentity || (o.agent != "" && ev.Author == o.agent) {
			return nil
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		// The reply goes to the event's own Conversation Service (the
		// account's default one when the event names none).
		msg, err := client.ScopeOf(ev).Messages.Create(ctx, ev.ConversationSID, &conversations.MessageCreateParams{
			Author: botIdentity,
			Body:   replyBody,
		})
		if err != nil {
			return fmt.Errorf("replying in %s: %w", ev.ConversationSID, err)
		}
		logger.Info("replied", "conversation", ev.ConversationSID, "to", ev.Author, "message", msg.SID)
		return nil
	})
	return h, nil
}
