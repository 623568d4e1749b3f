// Command support-bot runs the auto-reply bot of Twilio's Conversations
// webhooks guide and the conversationstest emulator together, offline, in
// one command:
//
//	go run ./examples/support-bot
//
// It starts the emulator in-process with its webhooks forwarded to the bot
// (conversationstest.WithWebhookURL), gives the support lines +15559870002
// (SMS) and whatsapp:+15559870002 auto-creation, and prints the web
// inspector's URL. Open it, press "+ Text in", write from any number to a
// support line, and watch the bot answer in the thread and on the
// customer's simulated phone. Ctrl-C stops it.
//
// The bot is the library's WebhookHandler: it checks each webhook's
// X-Twilio-Signature and, when a customer writes (an SMS or WhatsApp
// message, not one from a chat agent's SDK nor its own), replies
// "Thanks — an agent will be with you shortly." as support-bot. Pointed at
// Twilio instead of the emulator, the same handler serves real traffic (see
// examples/webhook-autoreply).
package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

const (
	botIdentity = "support-bot"
	replyBody   = "Thanks — an agent will be with you shortly."
	smsLine     = "+15559870002"
	whatsAppLn  = "whatsapp:+15559870002"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, slog.New(slog.NewTextHandler(os.Stderr, nil))); err != nil {
		log.Fatal(err)
	}
}

// run starts everything, prints where it is, and serves until ctx ends.
func run(ctx context.Context, w io.Writer, logger *slog.Logger) error {
	a, err := start(ctx, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(w, "emulator:  %s\n", a.emu.URL)
	fmt.Fprintf(w, "bot:       %s (webhooks from the emulator)\n", a.botURL)
	fmt.Fprintf(w, "inspector: %s\n", a.InspectorURL())
	fmt.Fprintf(w, "Open the inspector, press \"+ Text in\" and write to %s (SMS or WhatsApp). Ctrl-C stops.\n", smsLine)
	<-ctx.Done()
	return nil
}

// app is the emulator and the bot, running.
type app struct {
	emu    *conversationstest.Server
	bot    *http.Server
	botURL string
	client *conversations.Client // the bot's client of the emulator
}

// start runs the bot on a loopback port and the emulator with its webhooks
// forwarded to it, and configures the support lines.
func start(ctx context.Context, logger *slog.Logger) (*app, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &app{botURL: "http://" + ln.Addr().String() + "/webhook"}
	a.emu = conversationstest.NewServer(conversationstest.WithWebhookURL(a.botURL))
	if a.client, err = a.emu.Client(); err != nil {
		ln.Close()
		a.emu.Close()
		return nil, err
	}
	h, err := newBot(a.client, a.emu.AuthToken(), logger)
	if err != nil {
		ln.Close()
		a.emu.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", h)
	a.bot = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go a.bot.Serve(ln)

	for _, line := range []struct {
		typ     conversations.AddressType
		address string
	}{{conversations.AddressSMS, smsLine}, {conversations.AddressWhatsApp, whatsAppLn}} {
		_, err := a.client.Addresses.Create(ctx, &conversations.AddressCreateParams{
			Type: line.typ, Address: line.address, FriendlyName: "support line",
			AutoCreation: conversations.AddressAutoCreationParams{Enabled: conversations.Ptr(true), Type: conversations.AutoCreationDefault},
		})
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("configuring %s: %w", line.address, err)
		}
	}
	return a, nil
}

// InspectorURL is the web inspector's address, signed in with the
// emulator's credentials through the URL fragment (which never reaches the
// server).
func (a *app) InspectorURL() string {
	creds := base64.StdEncoding.EncodeToString([]byte(a.emu.AccountSID() + ":" + a.emu.AuthToken()))
	return a.emu.URL + "/_emulator/ui/#" + creds
}

// Close stops the emulator, then the bot.
func (a *app) Close() {
	a.emu.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.bot.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.bot.Close()
	}
}

// newBot is the guide's auto-reply bot: a WebhookHandler, checking
// signatures with authToken, that answers each customer message through
// client.
func newBot(client *conversations.Client, authToken string, logger *slog.Logger) (http.Handler, error) {
	h, err := conversations.NewWebhookHandler(authToken, conversations.WithWebhookLogger(logger),
		conversations.WithDuplicateFilter(conversations.NewMemoryDuplicateFilter(time.Hour, 10000)))
	if err != nil {
		return nil, err
	}
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		// Chat agents write through the SDK; the bot's own replies come
		// over REST without webhooks, but skip them anyway.
		if ev.Author == botIdentity || ev.Source == conversations.SourceSDK {
			return nil
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		// The reply goes to the event's Conversation Service; client.Messages
		// reaches only the account's default one.
		messages := client.Messages
		if ev.ChatServiceSID != "" {
			messages = client.Service(ev.ChatServiceSID).Messages
		}
		msg, err := messages.Create(ctx, ev.ConversationSID,
			&conversations.MessageCreateParams{Author: botIdentity, Body: replyBody})
		if err != nil {
			return fmt.Errorf("replying in %s: %w", ev.ConversationSID, err)
		}
		logger.Info("replied", "conversation", ev.ConversationSID, "message", msg.SID)
		return nil
	})
	return h, nil
}
