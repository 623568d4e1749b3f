package conversations_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/internal/spec"
)

// exampleServer stands in for the Twilio API in the examples: it answers
// with the OpenAPI spec's example payloads, so the output is deterministic.
func exampleServer() *httptest.Server {
	const conv = "/v1/Conversations/CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	mux := http.NewServeMux()
	canned := func(status int, op, name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(spec.MustExample(op, name))
		}
	}
	mux.HandleFunc("POST /v1/Conversations", canned(http.StatusCreated, "CreateConversation", "create"))
	mux.HandleFunc("POST "+conv+"/Participants", func(w http.ResponseWriter, r *http.Request) {
		name := "createChat"
		if r.FormValue("MessagingBinding.Address") != "" {
			name = "createSms"
		}
		canned(http.StatusCreated, "CreateConversationParticipant", name)(w, r)
	})
	mux.HandleFunc("GET "+conv+"/Participants/{sid}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Twilio-Request-Id", "RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":20404,"message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`)
	})
	// History and conversation lists: pages generated on the fly, each
	// pointing at the next on this server.
	page := func(key string, total, size int, item func(i int) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			start := 0
			fmt.Sscan(r.URL.Query().Get("PageToken"), &start)
			var items []string
			for i := start; i < min(start+size, total); i++ {
				items = append(items, item(i))
			}
			next := "null"
			if start+size < total {
				next = fmt.Sprintf(`"http://%s%s?PageSize=%d&PageToken=%d"`, r.Host, r.URL.Path, size, start+size)
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"%s":[%s],"meta":{"page":%d,"page_size":%d,"key":"%s","next_page_url":%s}}`,
				key, strings.Join(items, ","), start/size, size, key, next)
		}
	}
	mux.HandleFunc("GET "+conv+"/Messages", page("messages", 7, 3, func(i int) string {
		return fmt.Sprintf(`{"index":%d,"author":"user%d","body":"message %d","attributes":"{}"}`, i, i%2, i)
	}))
	mux.HandleFunc("GET /v1/Conversations", page("conversations", 5, 2, func(i int) string {
		return fmt.Sprintf(`{"sid":"CH%032d","friendly_name":"Support #%d","state":"active"}`, i, 100+i)
	}))
	return httptest.NewServer(mux)
}

// The client's base URL would normally be left alone; the examples point it
// at the stand-in server.
func exampleClient(srv *httptest.Server) *conversations.Client {
	client, err := conversations.NewClient("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "auth-token",
		conversations.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	return client
}

func ExampleClient_create_conversation() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv) // or conversations.NewClientFromEnv()

	attrs, err := conversations.NewAttributes(map[string]string{"topic": "feedback"})
	if err != nil {
		log.Fatal(err)
	}
	conv, err := client.Conversations.Create(context.Background(), &conversations.ConversationCreateParams{
		FriendlyName: "friendly_name",
		UniqueName:   "unique_name",
		Attributes:   attrs,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conv.SID, conv.State, conv.FriendlyName)
	fmt.Println(conv.DateCreated.Format("2006-01-02 15:04:05"))
	// Output:
	// CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa inactive friendly_name
	// 2015-12-16 22:18:37
}

func ExampleMessagesService_List() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv)

	// Read the history oldest first, page by page as needed, and stop early.
	ctx := context.Background()
	for msg, err := range client.Messages.List(ctx, "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &conversations.MessageListParams{PageSize: 3}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("#%d %s: %s\n", msg.Index, msg.Author, msg.Body)
		if msg.Index == 4 {
			break // no further page is fetched
		}
	}
	// Output:
	// #0 user0: message 0
	// #1 user1: message 1
	// #2 user0: message 2
	// #3 user1: message 3
	// #4 user0: message 4
}

func ExampleParticipantsService_Create() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv)
	ctx := context.Background()
	const conv = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

	role, _ := conversations.NewAttributes(map[string]string{"role": "driver"})

	// An SMS participant: the person's number and the Twilio number they text.
	sms, err := client.Participants.Create(ctx, conv, &conversations.ParticipantCreateParams{
		MessagingBindingAddress:      "+15558675310",
		MessagingBindingProxyAddress: "+15017122661",
		Attributes:                   role,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sms.MessagingBinding.Type, sms.MessagingBinding.Address, "via", sms.MessagingBinding.ProxyAddress)

	// A chat participant: an identity of the app's users.
	chat, err := client.Participants.Create(ctx, conv, &conversations.ParticipantCreateParams{
		Identity:   "IDENTITY",
		Attributes: role,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("chat", chat.Identity, chat.MessagingBinding == nil)
	// Output:
	// sms +15558675310 via +15017122661
	// chat IDENTITY true
}

func ExampleError() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv)

	_, err := client.Participants.Fetch(context.Background(), "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "nobody")
	var apiErr *conversations.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.Message)
		fmt.Println(apiErr.RequestID)
	}
	fmt.Println(errors.Is(err, conversations.ErrNotFound), conversations.IsNotFound(err))
	// Output:
	// 404 20404 The requested resource was not found
	// RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	// true true
}

func ExamplePager() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv)
	ctx := context.Background()

	// One page at a time, e.g. for a "more" button; the next-page URL can
	// be saved and given to Resume later.
	p := client.Conversations.Pager(&conversations.ConversationListParams{PageSize: 2})
	for p.More() {
		page, err := p.Next(ctx)
		if err != nil {
			log.Fatal(err)
		}
		var names []string
		for _, c := range page.Items {
			names = append(names, c.FriendlyName)
		}
		fmt.Printf("page %d: %s\n", page.Meta.Page, strings.Join(names, ", "))
	}
	// Output:
	// page 0: Support #100, Support #101
	// page 1: Support #102, Support #103
	// page 2: Support #104
}

func ExampleNewAttributes() {
	type ticket struct {
		Topic    string `json:"topic"`
		Priority int    `json:"priority"`
	}
	attrs, err := conversations.NewAttributes(ticket{Topic: "billing", Priority: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(attrs)

	// Attributes come back from Twilio as JSON text; decode them typed.
	back, err := conversations.DecodeAttributes[ticket](attrs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Topic, back.Priority)
	// Output:
	// {"topic":"billing","priority":2}
	// billing 2
}

func ExampleAttributes_Merge() {
	// Attributes as fetched from a conversation.
	current, _ := conversations.ParseAttributes(`{"topic":"billing","customer":{"id":7,"tier":"gold"},"escalated":true}`)

	// Change one nested key, add one, and remove one; keep the rest.
	updated, err := current.Merge(map[string]any{
		"customer":  map[string]any{"tier": "platinum"},
		"agent":     "alice",
		"escalated": nil,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(updated)
	// Output:
	// {"agent":"alice","customer":{"id":7,"tier":"platinum"},"topic":"billing"}
}
