package conversations_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// These examples run against the conversationstest emulator, started
// in-process; against Twilio, the client comes from
// conversations.NewClientFromEnv() and nothing else changes.
func emulatorClient() (*conversationstest.Server, *conversations.Client) {
	srv := conversationstest.NewServer()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	return srv, client
}

func ExampleConversationsService_Create() {
	srv, client := emulatorClient()
	defer srv.Close()
	ctx := context.Background()

	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{
		FriendlyName: "Order #1042",
		Attributes:   conversations.AttributesOf(map[string]any{"order": 1042, "vip": true}),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conv.FriendlyName, conv.State, conv.Attributes)
	// Output: Order #1042 active {"order":1042,"vip":true}
}

func ExampleConversationsService_List() {
	srv, client := emulatorClient()
	defer srv.Close()
	ctx := context.Background()
	for i := range 25 {
		if _, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: fmt.Sprint("chat ", i)}); err != nil {
			log.Fatal(err)
		}
	}

	// At most 20 active conversations: one request of 20, none after it.
	n := 0
	for _, err := range client.Conversations.List(ctx, &conversations.ConversationListParams{State: conversations.StateActive, Limit: 20}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "conversations")
	// Output: 20 conversations
}

func ExampleParticipantsService_List() {
	srv, client := emulatorClient()
	defer srv.Close()
	ctx := context.Background()
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Delivery"})
	if err != nil {
		log.Fatal(err)
	}

	// An SMS participant, a WhatsApp one and a chat one, added in a loop.
	for _, p := range []conversations.ParticipantCreateParams{
		{MessagingBindingAddress: "+15558675310", MessagingBindingProxyAddress: "+15017122661"},
		{MessagingBindingAddress: "whatsapp:+15558675311", MessagingBindingProxyAddress: "whatsapp:+15017122662"},
		{Identity: "agent-ana"},
	} {
		if _, err := client.Participants.Create(ctx, conv.SID, &p); err != nil {
			log.Fatal(err)
		}
	}
	for p, err := range client.Participants.List(ctx, conv.SID, nil) {
		if err != nil {
			log.Fatal(err)
		}
		if p.Identity != "" {
			fmt.Println("chat", p.Identity)
		} else {
			fmt.Println(p.MessagingBinding.Type, p.MessagingBinding.Address)
		}
	}
	// Output:
	// sms +15558675310
	// whatsapp whatsapp:+15558675311
	// chat agent-ana
}

func ExampleMessagesService_Create() {
	srv, client := emulatorClient()
	defer srv.Close()
	ctx := context.Background()
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Order #1042"})
	if err != nil {
		log.Fatal(err)
	}

	for _, body := range []string{"Your order has shipped.", "It arrives tomorrow."} {
		if _, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "agent-ana", Body: body}); err != nil {
			log.Fatal(err)
		}
	}
	// The newest message only.
	for msg, err := range client.Messages.List(ctx, conv.SID, &conversations.MessageListParams{Order: conversations.OrderDesc, Limit: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("#%d %s: %s\n", msg.Index, msg.Author, msg.Body)
	}
	// Output: #1 agent-ana: It arrives tomorrow.
}

func ExampleMediaService_Upload() {
	srv, client := emulatorClient()
	defer srv.Close()
	ctx := context.Background()
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Receipts"})
	if err != nil {
		log.Fatal(err)
	}

	// client.Media works in the account's default Conversation Service.
	media, err := client.Media.Upload(ctx, bytes.NewReader([]byte("%PDF-1.7 receipt")),
		&conversations.MediaUploadParams{ContentType: "application/pdf", Filename: "receipt.pdf"})
	if err != nil {
		log.Fatal(err)
	}
	msg, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{MediaSID: media.SID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(media.ContentType, media.Size, "bytes,", len(msg.Media), "file in the message:", msg.Media[0].Filename)
	// Output: application/pdf 16 bytes, 1 file in the message: receipt.pdf
}

func ExampleClient_ScopeOf() {
	srv, client := emulatorClient()
	defer srv.Close()
	ctx := context.Background()
	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	if err != nil {
		log.Fatal(err)
	}

	const authToken = "your_auth_token"
	h, err := conversations.NewWebhookHandler(authToken)
	if err != nil {
		log.Fatal(err)
	}
	// Auto-reply in the event's own Conversation Service.
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		if ev.Author == "bot" {
			return nil
		}
		_, err := client.ScopeOf(ev).Messages.Create(ctx, ev.ConversationSID, &conversations.MessageCreateParams{
			Author: "bot", Body: "Thanks, an agent will be with you shortly.",
		})
		return err
	})

	// Twilio's call, signed as Twilio signs it.
	r, err := conversations.NewSignedWebhookRequest(authToken, "https://bot.example.com/twilio", url.Values{
		"EventType": {"onMessageAdded"}, "ConversationSid": {conv.SID}, "ChatServiceSid": {conv.ChatServiceSID},
		"MessageSid": {"IM00000000000000000000000000000000"}, "Author": {"+15558675310"}, "Body": {"Where is my order?"},
	})
	if err != nil {
		log.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println("webhook answered", w.Code)
	for msg, err := range client.Messages.List(ctx, conv.SID, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(msg.Author+":", strings.TrimSpace(msg.Body))
	}
	// Output:
	// webhook answered 200
	// bot: Thanks, an agent will be with you shortly.
}
