// Command delivery-status logs the delivery of messages to SMS and WhatsApp
// participants: one line per onDeliveryUpdated webhook (sent, delivered,
// read, failed or undelivered, with Twilio's error code).
//
// It validates the X-Twilio-Signature of every webhook with the auth token
// from the environment (TWILIO_AUTH_TOKEN; during a rotation, also
// TWILIO_AUTH_TOKEN_SECONDARY):
//
//	TWILIO_AUTH_TOKEN=... go run ./examples/delivery-status -addr 127.0.0.1:3001 \
//	    -public-url https://abc123.ngrok.app
//
// and point the Conversations post-event webhook, with the onDeliveryUpdated
// filter, at the public URL.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/conversations-go/conversations"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3001", "address to listen on")
	publicURL := flag.String("public-url", "", "public base URL Twilio calls (when behind a proxy or tunnel)")
	flag.Parse()
	h, err := newHandler(os.Getenv, *publicURL, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("delivery-status listening on %s", *addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newHandler returns the webhook handler; it logs delivery updates to out.
func newHandler(getenv func(string) string, publicURL string, out io.Writer) (http.Handler, error) {
	token := getenv("TWILIO_AUTH_TOKEN")
	if token == "" {
		return nil, errors.New("set TWILIO_AUTH_TOKEN")
	}
	logger := slog.New(slog.NewTextHandler(out, nil))
	opts := []conversations.WebhookOption{
		conversations.WithWebhookLogger(logger),
		conversations.WithSecondaryAuthTokens(getenv("TWILIO_AUTH_TOKEN_SECONDARY")),
		conversations.WithDuplicateFilter(conversations.NewMemoryDuplicateFilter(time.Hour, 10000)),
	}
	if publicURL != "" {
		opts = append(opts, conversations.WithPublicURL(publicURL))
	}
	h, err := conversations.NewWebhookHandler(token, opts...)
	if err != nil {
		return nil, err
	}
	h.OnDeliveryUpdated(func(ctx context.Context, ev *conversations.DeliveryUpdatedEvent) error {
		attrs := []slog.Attr{
			slog.String("conversation", ev.ConversationSID),
			slog.String("message", ev.MessageSID),
			slog.String("participant", ev.ParticipantSID),
			slog.String("channel_message", ev.ChannelMessageSID),
			slog.String("status", string(ev.Status)),
			slog.Time("updated", ev.DateUpdated),
		}
		level := slog.LevelInfo
		if ev.Status == conversations.DeliveryFailed || ev.Status == conversations.DeliveryUndelivered {
			level = slog.LevelWarn
			attrs = append(attrs, slog.Int("error_code", ev.ErrorCode))
		}
		logger.LogAttrs(ctx, level, "delivery updated", attrs...)
		return nil
	})
	return h, nil
}
