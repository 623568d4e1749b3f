package conversationsotel_test

import (
	"context"
	"fmt"
	"log"
	"sort"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationsotel"
	"github.com/conversations-go/conversations/conversationstest"
)

// A client reporting to the OpenTelemetry SDK: a message create against the
// emulator gives an operation span with its HTTP attempt below it.
func ExampleNew() {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(context.Background())
	tel, err := conversationsotel.New(conversationsotel.WithTracerProvider(tp))
	if err != nil {
		log.Fatal(err)
	}

	emu := conversationstest.NewServer()
	defer emu.Close()
	client, err := conversations.NewClient(emu.AccountSID(), emu.AuthToken(),
		conversations.WithBaseURL(emu.URL), conversations.WithTelemetry(tel))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Body: "Hello"}); err != nil {
		log.Fatal(err)
	}

	got := spans.GetSpans()
	sort.SliceStable(got, func(i, j int) bool { return got[i].StartTime.Before(got[j].StartTime) })
	for _, s := range got {
		indent := ""
		if s.Parent.IsValid() {
			indent = "  "
		}
		fmt.Println(indent + s.Name + " " + strings.ToLower(s.SpanKind.String()))
	}
	// Output:
	// CreateConversation client
	//   POST /v1/Conversations client
	// CreateConversationMessage client
	//   POST /v1/Conversations/{ConversationSid}/Messages client
}
