package conversations_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/conversations-go/conversations"
)

func ExampleValidateSignature() {
	// The parameters of Twilio's documentation example.
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675310"},
		"Digits":  {"1234"},
		"From":    {"+14158675310"},
		"To":      {"+18005551212"},
	}
	u := "https://example.com/myapp.php?foo=1&bar=2"

	err := conversations.ValidateSignature("12345", u, params, "L/OH5YylLD5NRKLltdqwSvS0BnU=")
	fmt.Println(err)

	err = conversations.ValidateSignature("12345", u, params, "bm90IHRoZSBzaWduYXR1cmU=")
	fmt.Println(errors.Is(err, conversations.ErrInvalidSignature))

	// During a rotation, accept the previous token as well.
	err = conversations.ValidateSignature("new-token", u, params, "L/OH5YylLD5NRKLltdqwSvS0BnU=",
		conversations.WithSecondaryAuthTokens("12345"))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// <nil>
}

func ExampleNewWebhookHandler() {
	h, err := conversations.NewWebhookHandler("your_auth_token",
		// Twilio calls https://bot.example.com/twilio; this app runs behind a proxy.
		conversations.WithPublicURL("https://bot.example.com"),
		conversations.WithDuplicateFilter(conversations.NewMemoryDuplicateFilter(0, 0)),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Pre-event: moderate messages before they are published.
	h.OnMessageAdd(func(ctx context.Context, ev *conversations.MessageAddEvent) (conversations.Decision, error) {
		if strings.Contains(ev.Body, "password") {
			return conversations.Reject(), nil
		}
		if clean := strings.ReplaceAll(ev.Body, "darn", "****"); clean != ev.Body {
			return conversations.ModifyMessage(conversations.MessageChanges{Body: &clean}), nil
		}
		return conversations.Allow(), nil
	})
	// Post-event: act on published messages.
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		fmt.Printf("%s said %q in %s\n", ev.Author, ev.Body, ev.ConversationSID)
		return nil
	})

	// Simulate Twilio's calls, signed as Twilio signs them.
	for _, form := range []url.Values{
		{"EventType": {"onMessageAdd"}, "Author": {"alice"}, "Body": {"darn it"}},
		{"EventType": {"onMessageAdd"}, "Author": {"alice"}, "Body": {"my password is hunter2"}},
		{"EventType": {"onMessageAdded"}, "Author": {"alice"}, "Body": {"**** it"}, "ConversationSid": {"CH123"}},
	} {
		r, _ := conversations.NewSignedWebhookRequest("your_auth_token", "https://bot.example.com/twilio", form)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(strings.TrimSpace(fmt.Sprint(w.Code, " ", w.Body.String())))
	}
	// A request that Twilio did not sign.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/twilio", strings.NewReader("EventType=onMessageAdd")))
	fmt.Println(w.Code)
	// Output:
	// 200 {"body":"**** it"}
	// 422
	// alice said "**** it" in CH123
	// 200
	// 400
}

func ExampleDecodeEvent() {
	form := url.Values{
		"EventType":                {"onConversationAdd"},
		"MessagingBinding.Address": {"+13255550100", "+14155550101"}, // group MMS
		"Media":                    {`[{"Sid":"ME1","Filename":"x.png","ContentType":"image/png","Size":123}]`},
	}
	ev, err := conversations.DecodeEvent(form)
	if err != nil {
		log.Fatal(err)
	}
	switch ev := ev.(type) {
	case *conversations.ConversationAddEvent:
		fmt.Println(ev.MessagingBinding.Address, ev.Media[0].Filename, ev.Media[0].Size)
	case *conversations.UnknownEvent:
		fmt.Println("unknown", ev.Type)
	}
	_, err = conversations.DecodeEvent(url.Values{"EventType": {"onMessageAdded"}, "Index": {"x"}})
	fmt.Println(err)
	// Output:
	// [+13255550100 +14155550101] x.png 123
	// conversations: webhook field "Index": invalid integer "x"
}

func ExampleEncodeEvent() {
	// Build a signed onMessageAdded webhook for a handler test.
	form, _ := conversations.EncodeEvent(&conversations.MessageAddedEvent{
		MessageFields: conversations.MessageFields{
			ConversationSID: "CH123",
			Author:          "+15551234567",
			Body:            "Where is my order?",
		},
	})
	r, _ := conversations.NewSignedWebhookRequest("test_token", "https://example.com/hook", form)
	fmt.Println(r.Method, r.Header.Get("Content-Type"))
	fmt.Println(conversations.ValidateRequest(r, "test_token"))
	// Output:
	// POST application/x-www-form-urlencoded; charset=utf-8
	// <nil>
}
