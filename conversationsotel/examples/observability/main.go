// Command observability shows the traces and metrics of the conversations
// client and webhook handler, offline: it starts the conversationstest
// emulator on a loopback port with Twilio's rate limit, sends a throttled
// bulk run and a webhook round trip through it, and prints what the
// OpenTelemetry SDK recorded: each span as the stdout exporter writes it
// (JSON), a tree of the spans, and the metrics.
//
//	go run ./examples/observability          # from the conversationsotel folder
//	go run ./examples/observability -json=false  # the tree and metrics only
//
// In production, replace the stdout exporters with OTLP ones (see
// docs/telemetry.md); nothing else changes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationsotel"
	"github.com/conversations-go/conversations/conversationstest"
)

func main() {
	jsonOut := flag.Bool("json", true, "print each span as the stdout exporter writes it")
	flag.Parse()
	if err := run(os.Stdout, *jsonOut); err != nil {
		log.Fatal(err)
	}
}

// pace is the example's rate limit, lower than Twilio's 30 per second so
// that the bulk run visibly waits on the limiter.
const pace = 10

func run(out io.Writer, jsonOut bool) error {
	ctx := context.Background()

	// The OpenTelemetry SDK: spans to the stdout exporter (and to memory,
	// for the tree printed at the end), metrics to the stdout exporter.
	spanOut := io.Discard
	if jsonOut {
		spanOut = out
	}
	traceExp, err := stdouttrace.New(stdouttrace.WithWriter(spanOut), stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	mem := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(traceExp), sdktrace.WithSyncer(mem))
	metricExp, err := stdoutmetric.New(stdoutmetric.WithWriter(out), stdoutmetric.WithPrettyPrint())
	if err != nil {
		return err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricExp, sdkmetric.WithInterval(time.Hour))))
	tel, err := conversationsotel.New(conversationsotel.WithTracerProvider(tp), conversationsotel.WithMeterProvider(mp),
		conversationsotel.WithPropagator(propagation.TraceContext{}))
	if err != nil {
		return err
	}

	// The emulator, enforcing a rate limit, and a client paced under it.
	emu := conversationstest.NewServer(conversationstest.WithRateLimit(pace))
	defer emu.Close()
	limiter, err := conversations.NewRateLimiter(conversations.RateLimits{PerSecond: pace})
	if err != nil {
		return err
	}
	client, err := conversations.NewClient(emu.AccountSID(), emu.AuthToken(), conversations.WithBaseURL(emu.URL),
		conversations.WithMediaBaseURL(emu.URL), conversations.WithRateLimiter(limiter), conversations.WithTelemetry(tel))
	if err != nil {
		return err
	}
	setup, err := emu.Client() // no telemetry: preparing the scene is not traced
	if err != nil {
		return err
	}

	// The webhook handler: the callback answers a customer's message
	// through the API, so its API calls are children of the delivery span.
	h, err := conversations.NewWebhookHandler(emu.AuthToken(), conversations.WithWebhookTelemetry(tel),
		conversations.WithDuplicateFilter(conversations.NewMemoryDuplicateFilter(time.Hour, 1000)))
	if err != nil {
		return err
	}
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		if ev.Author == "support-bot" {
			return nil
		}
		_, err := client.ScopeOf(ev).Messages.Create(ctx, ev.ConversationSID,
			&conversations.MessageCreateParams{Author: "support-bot", Body: "Thanks, an agent will be with you shortly."})
		return err
	})
	hooks := httptest.NewServer(h)
	defer hooks.Close()
	if _, err := setup.Configuration.UpdateWebhooks(ctx, &conversations.WebhookConfigurationUpdateParams{
		Method: "POST", Filters: []conversations.EventType{conversations.EventMessageAdded},
		PostWebhookURL: hooks.URL + "/twilio", Target: conversations.TargetWebhook,
	}); err != nil {
		return err
	}

	// A bulk run: 15 participants added to one conversation, paced at 10
	// per second per conversation.
	conv, err := setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	if err != nil {
		return err
	}
	var people []*conversations.ParticipantCreateParams
	for i := range 15 {
		people = append(people, &conversations.ParticipantCreateParams{Identity: fmt.Sprintf("agent-%02d", i)})
	}
	start := time.Now()
	if _, err := client.Participants.AddMany(ctx, conv.SID, people, nil); err != nil {
		return err
	}
	bulkTook := time.Since(start)

	// A webhook round trip: a customer texts in, the emulator posts a
	// signed onMessageAdded, the callback replies.
	const customer, number = "+15551230001", "+15559870002"
	if _, err := setup.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: customer, MessagingBindingProxyAddress: number,
	}); err != nil {
		return err
	}
	if _, err := emu.SendSMS(customer, number, "Where is my order?"); err != nil {
		return err
	}
	emu.Flush()
	if got := emu.Received(customer); len(got) != 1 {
		return fmt.Errorf("the customer got %d replies, want 1", len(got))
	}

	if err := tp.ForceFlush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n== span tree (the bulk run took %v at %d calls per second)\n", bulkTook.Round(10*time.Millisecond), pace)
	printTree(out, mem.GetSpans())
	if err := tp.Shutdown(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out, "\n== metrics (stdout exporter)")
	return mp.Shutdown(ctx) // exports the metrics
}

// printTree prints spans as an indented tree, children in start order, a
// bulk run's items folded after the first three.
func printTree(out io.Writer, spans tracetest.SpanStubs) {
	children := map[string][]tracetest.SpanStub{}
	var roots []tracetest.SpanStub
	for _, s := range spans {
		if s.Parent.IsValid() {
			children[s.Parent.SpanID().String()] = append(children[s.Parent.SpanID().String()], s)
		} else {
			roots = append(roots, s)
		}
	}
	var walk func(depth int, list []tracetest.SpanStub)
	walk = func(depth int, list []tracetest.SpanStub) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].StartTime.Before(list[j].StartTime) })
		items := 0
		for _, s := range list {
			if strings.HasSuffix(s.Name, " item") {
				if items++; items > 3 {
					continue
				}
			}
			status := ""
			if s.Status.Description != "" {
				status = " [" + s.Status.Description + "]"
			}
			var attrs []string
			for _, kv := range s.Attributes {
				switch kv.Key {
				case "http.response.status_code", "twilio.conversations.bulk.items", "twilio.conversations.bulk.done",
					"twilio.conversations.bulk.skipped", "twilio.conversations.bulk.status", "twilio.conversations.webhook.duplicate",
					"twilio.conversations.webhook.signature", "twilio.conversations.rate_limit.waited", "twilio.conversations.attempts":
					attrs = append(attrs, string(kv.Key)+"="+kv.Value.Emit())
				}
			}
			sort.Strings(attrs)
			fmt.Fprintf(out, "%s%s (%s, %v)%s %s\n", strings.Repeat("  ", depth), s.Name, s.SpanKind,
				s.EndTime.Sub(s.StartTime).Round(time.Microsecond), status, strings.Join(attrs, " "))
			walk(depth+1, children[s.SpanContext.SpanID().String()])
		}
		if items > 3 {
			fmt.Fprintf(out, "%s… %d more items\n", strings.Repeat("  ", depth), items-3)
		}
	}
	walk(0, roots)
}
