package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest/fixture"
)

const (
	customer = "+15558675310"
	twilio   = "+15017122661"
)

// newApp returns the app on a client whose requests go to a new httpmock
// transport of its own (never httpmock.Activate: tests stay independent and
// can run in parallel), and the fixtures of the same account.
func newApp(t *testing.T, policy conversations.RetryPolicy) (*Support, *httpmock.MockTransport, *fixture.Fixtures) {
	t.Helper()
	f := fixture.New(t)
	mt := httpmock.NewMockTransport()
	client, err := conversations.NewClient(f.AccountSID(), f.AuthToken(),
		conversations.WithHTTPClient(&http.Client{Transport: mt}),
		conversations.WithRetryPolicy(policy))
	require.NoError(t, err)
	return NewSupport(client, twilio), mt, f
}

// record answers with status and body, and appends the form each request
// sent to forms, so that a test can assert the exact form bodies.
func record(status int, body []byte, forms *[]url.Values) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		if err := req.ParseForm(); err != nil {
			return nil, err
		}
		*forms = append(*forms, req.PostForm)
		return httpmock.NewBytesResponse(status, body), nil
	}
}

func TestOpenOrderThread(t *testing.T) {
	t.Parallel()
	app, mt, f := newApp(t, conversations.NoRetries)
	ch := f.ConversationSID() // the SID of the first conversation f builds
	greeting := "Hi! This is the thread about your order #1042."
	var convForms, partForms, msgForms []url.Values
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations"), record(http.StatusCreated,
		f.Conversation(fixture.With(conversations.Conversation{FriendlyName: "Order #1042", UniqueName: "order-1042"})), &convForms))
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations/"+ch+"/Participants"), record(http.StatusCreated,
		f.Participant(fixture.With(conversations.Participant{MessagingBinding: &conversations.MessagingBinding{Address: customer}})), &partForms))
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations/"+ch+"/Messages"), record(http.StatusCreated,
		f.Message(fixture.With(conversations.Message{Author: AgentIdentity, Body: greeting})), &msgForms))

	conv, err := app.OpenOrderThread(context.Background(), "1042", customer)
	require.NoError(t, err)
	assert.Equal(t, ch, conv.SID)
	assert.Equal(t, "Order #1042", conv.FriendlyName)
	assert.Equal(t, []url.Values{{"FriendlyName": {"Order #1042"}, "UniqueName": {"order-1042"}, "Attributes": {`{"order":"1042"}`}}}, convForms)
	assert.Equal(t, []url.Values{{"MessagingBinding.Address": {customer}, "MessagingBinding.ProxyAddress": {twilio}}}, partForms)
	assert.Equal(t, []url.Values{{"Author": {AgentIdentity}, "Body": {greeting}}}, msgForms)
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestOpenOrderThreadStopsWhenTheCustomerIsTaken(t *testing.T) {
	t.Parallel()
	app, mt, f := newApp(t, conversations.NoRetries)
	ch := f.ConversationSID()
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations"), httpmock.NewBytesResponder(http.StatusCreated, f.Conversation()))
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations/"+ch+"/Participants"), httpmock.NewBytesResponder(
		http.StatusConflict, fixture.ErrorBody(http.StatusConflict, conversations.CodeAddressPairInUse, "")))

	_, err := app.OpenOrderThread(context.Background(), "1042", customer)
	assert.True(t, conversations.HasCode(err, conversations.CodeAddressPairInUse), "%v", err)
	assert.Equal(t, 2, mt.GetTotalCallCount(), "no greeting is posted")
}

func TestTranscriptReadsEveryPage(t *testing.T) {
	t.Parallel()
	app, mt, f := newApp(t, conversations.NoRetries)
	ch := f.ConversationSID()
	history := [][2]string{
		{AgentIdentity, "Hi! This is the thread about your order #1042."},
		{customer, "Where is my order?"},
		{BotIdentity, Ack},
		{AgentIdentity, "It left the warehouse this morning."},
		{customer, "Great, thanks!"},
		{AgentIdentity, "You're welcome."},
	}
	var items [][]byte
	for _, m := range history {
		items = append(items, f.Message(fixture.With(conversations.Message{Author: m[0], Body: m[1]})))
	}
	// Three pages of two messages; each page's meta.next_page_url points at
	// the next one, which the library follows as given.
	pages := f.Pages("/v1/Conversations/"+ch+"/Messages", 2, items...)
	require.Len(t, pages, 3)
	var queries []string
	for _, p := range pages {
		mt.RegisterResponder(http.MethodGet, p.URL, func(req *http.Request) (*http.Response, error) {
			queries = append(queries, req.URL.RawQuery)
			return httpmock.NewBytesResponse(http.StatusOK, p.Body), nil
		})
	}

	lines, err := app.Transcript(context.Background(), ch)
	require.NoError(t, err)
	var want []string
	for _, m := range history {
		want = append(want, m[0]+": "+m[1])
	}
	assert.Equal(t, want, lines)
	_, page2, _ := strings.Cut(pages[1].URL, "?")
	_, page3, _ := strings.Cut(pages[2].URL, "?")
	assert.Equal(t, []string{"Order=asc&PageSize=50", page2, page3}, queries)
}

func TestNotifyRetriesATooManyRequests(t *testing.T) {
	t.Parallel()
	// A policy that allows a retry, with a short backoff for the test.
	app, mt, f := newApp(t, conversations.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})
	ch := f.ConversationSID()
	created := f.Message(fixture.With(conversations.Message{Author: AgentIdentity, Body: "Your parcel is out for delivery."}))
	var forms []url.Values
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations/"+ch+"/Messages"), func(req *http.Request) (*http.Response, error) {
		if err := req.ParseForm(); err != nil {
			return nil, err
		}
		forms = append(forms, req.PostForm)
		if len(forms) == 1 {
			// 429 code 20429; fixture.TooManyRequests(time.Second) would add
			// a Retry-After header, which the client waits for.
			return fixture.TooManyRequests(0).Response(), nil
		}
		return httpmock.NewBytesResponse(http.StatusCreated, created), nil
	})

	require.NoError(t, app.Notify(context.Background(), ch, "Your parcel is out for delivery."))
	want := url.Values{"Author": {AgentIdentity}, "Body": {"Your parcel is out for delivery."}}
	assert.Equal(t, []url.Values{want, want}, forms, "the same message, sent twice: once refused, once created")
}

func TestNotifyReportsTooManyRequestsWithoutRetries(t *testing.T) {
	t.Parallel()
	app, mt, f := newApp(t, conversations.NoRetries)
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations/"+f.ConversationSID()+"/Messages"),
		func(*http.Request) (*http.Response, error) {
			return fixture.TooManyRequests(2 * time.Second).Response(), nil
		})

	err := app.Notify(context.Background(), f.ConversationSID(), "hello")
	var apiErr *conversations.Error
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, conversations.IsRateLimited(err))
	assert.Equal(t, 2*time.Second, apiErr.RetryAfter)
}

func TestWebhookAcknowledgesTheCustomer(t *testing.T) {
	t.Parallel()
	app, mt, f := newApp(t, conversations.NoRetries)
	h, err := app.WebhookHandler(f.AuthToken())
	require.NoError(t, err)
	var forms []url.Values
	mt.RegisterResponder(http.MethodPost, f.URL("/v1/Conversations/"+f.ConversationSID()+"/Messages"), record(http.StatusCreated,
		f.Message(fixture.With(conversations.Message{Author: BotIdentity, Body: Ack})), &forms))

	// The signed onMessageAdded Twilio posts when the customer writes.
	ev := f.MessageEvent(conversations.EventMessageAdded,
		fixture.With(conversations.Message{Author: customer, Body: "Where is my order?"}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, f.WebhookRequest(ev))

	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []url.Values{{"Author": {BotIdentity}, "Body": {Ack}}}, forms)
}

func TestWebhookIgnoresTheBotAndForgeries(t *testing.T) {
	t.Parallel()
	app, mt, f := newApp(t, conversations.NoRetries)
	h, err := app.WebhookHandler(f.AuthToken())
	require.NoError(t, err)

	// The bot's own message is not answered.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, f.WebhookRequest(f.MessageEvent(conversations.EventMessageAdded,
		fixture.With(conversations.Message{Author: BotIdentity, Body: Ack}))))
	assert.Equal(t, http.StatusOK, rec.Code)

	// A webhook signed with another auth token is refused.
	forger := fixture.New(t, fixture.WithAuthToken("not-the-auth-token"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, forger.WebhookRequest(forger.MessageEvent(conversations.EventMessageAdded,
		fixture.With(conversations.Message{Author: customer, Body: "Send me the refund"}))))
	assert.Equal(t, http.StatusForbidden, rec.Code)

	assert.Zero(t, mt.GetTotalCallCount(), "no message was posted")
}

func TestRunAgainstTheEmulator(t *testing.T) {
	var out bytes.Buffer
	env := func(string) string { return "" }
	require.NoError(t, run(context.Background(), &out, env, "7", customer, twilio, ""))
	assert.Contains(t, out.String(), "running against the local emulator")
	assert.Contains(t, out.String(), "Order #7 (CH")
	assert.Contains(t, out.String(), "  "+AgentIdentity+": Hi! This is the thread about your order #7.")
}
