package conversationsotel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/conversations-go/conversations"
)

// The span trees below are exact: every span, its kind, its status and all
// of its attributes, with only the port, request IDs and durations
// normalised (see normalize).

// rootSpan starts the caller's own span, as an application would.
func rootSpan(k *otelKit) (context.Context, func()) {
	ctx, s := k.tp.Tracer("app").Start(context.Background(), "app")
	return ctx, func() { s.End() }
}

func TestTreeCreate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	conv, err := e.setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)

	actx, end := rootSpan(e.kit)
	_, err = e.client.Messages.Create(actx, conv.SID, &conversations.MessageCreateParams{Author: "alice", Body: "Hello"})
	require.NoError(t, err)
	end()

	assert.Equal(t, `app internal unset {}
  CreateConversationMessage client unset {http.request.method=POST, http.response.status_code=201, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=1, twilio.conversations.operation=CreateConversationMessage, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Messages}
    RateLimiter.Wait internal unset {twilio.conversations.operation=CreateConversationMessage, twilio.conversations.rate_limit.scope_kind=conversation, twilio.conversations.rate_limit.waited=<seconds>}
    POST /v1/Conversations/{ConversationSid}/Messages client unset {http.request.method=POST, http.response.status_code=201, server.address=127.0.0.1, server.port=<port>, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Messages}
`, e.kit.tree())

	assert.Equal(t, []string{
		"{http.response.status_class=2xx, twilio.conversations.operation=CreateConversationMessage, twilio.conversations.outcome=ok} = 1",
	}, e.kit.points(t, "twilio.conversations.operations"))
	assert.Equal(t, []string{
		"{http.request.method=POST, http.response.status_code=201, server.address=127.0.0.1, server.port=<port>, url.template=/v1/Conversations/{ConversationSid}/Messages} count=1",
	}, e.kit.points(t, "http.client.request.duration"))
	assert.Equal(t, []string{
		"{twilio.conversations.operation=CreateConversationMessage, twilio.conversations.rate_limit.scope_kind=conversation} count=1",
	}, e.kit.points(t, "twilio.conversations.rate_limit.wait"))
}

func TestTreeListThreePages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	conv, err := e.setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)
	for i := range 5 {
		_, err := e.setup.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "alice", Body: fmt.Sprint("m", i)})
		require.NoError(t, err)
	}

	actx, end := rootSpan(e.kit)
	n := 0
	for _, err := range e.client.Messages.List(actx, conv.SID, &conversations.MessageListParams{PageSize: 2}) {
		require.NoError(t, err)
		n++
	}
	end()
	require.Equal(t, 5, n)

	page := func(p, items int) string {
		return fmt.Sprintf(`  ListConversationMessage client unset {http.request.method=GET, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=1, twilio.conversations.operation=ListConversationMessage, twilio.conversations.page=%d, twilio.conversations.page.items=%d, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Messages}
    GET /v1/Conversations/{ConversationSid}/Messages client unset {http.request.method=GET, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Messages}
`, p, items)
	}
	assert.Equal(t, "app internal unset {}\n"+page(1, 2)+page(2, 2)+page(3, 1), e.kit.tree())
	assert.Equal(t, []string{
		"{http.response.status_class=2xx, twilio.conversations.operation=ListConversationMessage, twilio.conversations.outcome=ok} = 3",
	}, e.kit.points(t, "twilio.conversations.operations"))
}

// TestTreeRetried: a fetch answered 429, then 503, then answered with half
// a body before the connection broke, then answered whole: four attempts
// under one operation span, each failure on its attempt.
func TestTreeRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	conv, err := e.setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)

	e.proxy.push(fault429, fault503, faultCutBody)
	actx, end := rootSpan(e.kit)
	_, err = e.client.Conversations.Fetch(actx, conv.SID)
	require.NoError(t, err)
	end()

	attempt := func(extra string) string {
		return "    GET /v1/Conversations/{Sid} client " + extra + "\n"
	}
	assert.Equal(t, `app internal unset {}
  FetchConversation client unset {http.request.method=GET, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=4, twilio.conversations.operation=FetchConversation, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{Sid}}
`+attempt(`error(429) {error.type=429, http.request.method=GET, http.response.status_code=429, server.address=127.0.0.1, server.port=<port>, twilio.error_code=20429, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{Sid}}`)+
		attempt(`error(503) {error.type=503, http.request.method=GET, http.request.resend_count=1, http.response.status_code=503, server.address=127.0.0.1, server.port=<port>, twilio.error_code=20503, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{Sid}}`)+
		attempt(`error(connection_error) {error.type=connection_error, http.request.method=GET, http.request.resend_count=2, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{Sid}}`)+
		attempt(`unset {http.request.method=GET, http.request.resend_count=3, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{Sid}}`),
		e.kit.tree())

	assert.Equal(t, []string{
		"{error.type=429, twilio.conversations.operation=FetchConversation} = 1",
		"{error.type=503, twilio.conversations.operation=FetchConversation} = 1",
		"{error.type=connection_error, twilio.conversations.operation=FetchConversation} = 1",
	}, e.kit.points(t, "twilio.conversations.retries"))
	assert.Equal(t, []string{"{twilio.conversations.operation=FetchConversation} = 1"}, e.kit.points(t, "twilio.conversations.throttled"))
	assert.Equal(t, []string{
		"{error.type=429, http.request.method=GET, http.response.status_code=429, server.address=127.0.0.1, server.port=<port>, url.template=/v1/Conversations/{Sid}} count=1",
		"{error.type=503, http.request.method=GET, http.response.status_code=503, server.address=127.0.0.1, server.port=<port>, url.template=/v1/Conversations/{Sid}} count=1",
		"{error.type=connection_error, http.request.method=GET, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, url.template=/v1/Conversations/{Sid}} count=1",
		"{http.request.method=GET, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, url.template=/v1/Conversations/{Sid}} count=1",
	}, e.kit.points(t, "http.client.request.duration"))
}

// TestTreeFailedCreate: a create refused (404), and a create whose
// connection broke after the emulator applied it: a POST is not sent again,
// so each operation span carries its one attempt's error.
func TestTreeFailedCreate(t *testing.T) {
	e := newEnv(t)
	conv, err := e.setup.Conversations.Create(context.Background(), &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)
	actx, end := rootSpan(e.kit)
	_, err = e.client.Participants.Create(actx, "CH00000000000000000000000000000000", &conversations.ParticipantCreateParams{Identity: "alice"})
	require.True(t, conversations.IsNotFound(err), "%v", err)
	e.proxy.push(faultResetApplied)
	_, err = e.client.Messages.Create(actx, conv.SID, &conversations.MessageCreateParams{Body: "Hello"})
	var reqErr *conversations.RequestError
	require.ErrorAs(t, err, &reqErr)
	end()
	assert.Equal(t, `app internal unset {}
  CreateConversationParticipant client error(404) {error.type=404, http.request.method=POST, http.response.status_code=404, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=1, twilio.conversations.operation=CreateConversationParticipant, twilio.error_code=20404, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Participants}
    RateLimiter.Wait internal unset {twilio.conversations.operation=CreateConversationParticipant, twilio.conversations.rate_limit.scope_kind=conversation, twilio.conversations.rate_limit.waited=<seconds>}
    POST /v1/Conversations/{ConversationSid}/Participants client error(404) {error.type=404, http.request.method=POST, http.response.status_code=404, server.address=127.0.0.1, server.port=<port>, twilio.error_code=20404, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Participants}
  CreateConversationMessage client error(connection_error) {error.type=connection_error, http.request.method=POST, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=1, twilio.conversations.operation=CreateConversationMessage, url.template=/v1/Conversations/{ConversationSid}/Messages}
    RateLimiter.Wait internal unset {twilio.conversations.operation=CreateConversationMessage, twilio.conversations.rate_limit.scope_kind=conversation, twilio.conversations.rate_limit.waited=<seconds>}
    POST /v1/Conversations/{ConversationSid}/Messages client error(connection_error) {error.type=connection_error, http.request.method=POST, server.address=127.0.0.1, server.port=<port>, url.template=/v1/Conversations/{ConversationSid}/Messages}
`, e.kit.tree())
	assert.Equal(t, []string{
		"{error.type=404, http.response.status_class=4xx, twilio.conversations.operation=CreateConversationParticipant, twilio.conversations.outcome=error, twilio.error_code=20404} = 1",
		"{error.type=connection_error, http.response.status_class=none, twilio.conversations.operation=CreateConversationMessage, twilio.conversations.outcome=error} = 1",
	}, e.kit.points(t, "twilio.conversations.operations"))
}

// TestTreeBulk: AddMany of three participants, one already there, with one
// create answered 429 and sent again: the bulk span holds the listing and
// one span per item, each item's calls below it.
func TestTreeBulk(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	conv, err := e.setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)
	_, err = e.setup.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "carol"})
	require.NoError(t, err)

	actx, end := rootSpan(e.kit)
	e.proxy.push(faultNone, fault429) // the listing passes; the first create is throttled
	res, err := e.client.Participants.AddMany(actx, conv.SID, []*conversations.ParticipantCreateParams{
		{Identity: "alice"}, {Identity: "bob"}, {Identity: "carol"},
	}, &conversations.BulkOptions{Concurrency: 1})
	require.NoError(t, err)
	end()
	require.Len(t, res, 3)

	tree := e.kit.tree()
	create := func(attempts int, first string) string {
		s := fmt.Sprintf(`      CreateConversationParticipant client unset {http.request.method=POST, http.response.status_code=201, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=%d, twilio.conversations.operation=CreateConversationParticipant, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Participants}
`, attempts)
		wait := `        RateLimiter.Wait internal unset {twilio.conversations.operation=CreateConversationParticipant, twilio.conversations.rate_limit.scope_kind=conversation, twilio.conversations.rate_limit.waited=<seconds>}
`
		if first != "" {
			s += wait + first
		}
		return s + wait + fmt.Sprintf(`        POST /v1/Conversations/{ConversationSid}/Participants client unset {http.request.method=POST, %shttp.response.status_code=201, server.address=127.0.0.1, server.port=<port>, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Participants}
`, map[bool]string{true: "http.request.resend_count=1, ", false: ""}[first != ""])
	}
	throttled := `        POST /v1/Conversations/{ConversationSid}/Participants client error(429) {error.type=429, http.request.method=POST, http.response.status_code=429, server.address=127.0.0.1, server.port=<port>, twilio.error_code=20429, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Participants}
`
	assert.Equal(t, `app internal unset {}
  Participants.AddMany internal unset {twilio.conversations.bulk.done=2, twilio.conversations.bulk.failed=0, twilio.conversations.bulk.items=3, twilio.conversations.bulk.operation=Participants.AddMany, twilio.conversations.bulk.skipped=1}
    ListConversationParticipant client unset {http.request.method=GET, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=1, twilio.conversations.operation=ListConversationParticipant, twilio.conversations.page=1, twilio.conversations.page.items=1, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Participants}
      GET /v1/Conversations/{ConversationSid}/Participants client unset {http.request.method=GET, http.response.status_code=200, server.address=127.0.0.1, server.port=<port>, twilio.request_id=RQ<32 hex>, url.template=/v1/Conversations/{ConversationSid}/Participants}
    Participants.AddMany item internal unset {twilio.conversations.bulk.item=0, twilio.conversations.bulk.operation=Participants.AddMany, twilio.conversations.bulk.status=done}
`+create(2, throttled)+`    Participants.AddMany item internal unset {twilio.conversations.bulk.item=1, twilio.conversations.bulk.operation=Participants.AddMany, twilio.conversations.bulk.status=done}
`+create(1, "")+`    Participants.AddMany item internal unset {twilio.conversations.bulk.item=2, twilio.conversations.bulk.operation=Participants.AddMany, twilio.conversations.bulk.status=skipped}
`, tree)
	assert.Equal(t, []string{
		"{twilio.conversations.bulk.operation=Participants.AddMany, twilio.conversations.bulk.status=done} = 2",
		"{twilio.conversations.bulk.operation=Participants.AddMany, twilio.conversations.bulk.status=skipped} = 1",
	}, e.kit.points(t, "twilio.conversations.bulk.items"))
}

// TestTreeWebhook: a customer texts in; the emulator posts a signed
// onMessageAdded; the callback replies through the API. The reply's spans
// are children of the delivery's server span. A second delivery carries a
// W3C traceparent from the application's gateway and joins that trace.
func TestTreeWebhook(t *testing.T) {
	const customer, number = "+15551230001", "+15559870002"
	e := newEnv(t)
	ctx := context.Background()
	h, err := conversations.NewWebhookHandler(e.emu.AuthToken(),
		conversations.WithWebhookTelemetry(e.kit.tel),
		conversations.WithDuplicateFilter(conversations.NewMemoryDuplicateFilter(time.Hour, 100)))
	require.NoError(t, err)
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		if ev.Author == "bot" {
			return nil
		}
		_, err := e.client.ScopeOf(ev).Messages.Create(ctx, ev.ConversationSID, &conversations.MessageCreateParams{Author: "bot", Body: "Thanks!"})
		return err
	})
	var last captured
	hooks := httptest.NewServer(capture(&last, h))
	defer hooks.Close()
	_, err = e.setup.Configuration.UpdateWebhooks(ctx, &conversations.WebhookConfigurationUpdateParams{
		Method: "POST", Filters: []conversations.EventType{conversations.EventMessageAdded}, PostWebhookURL: hooks.URL + "/twilio", Target: conversations.TargetWebhook,
	})
	require.NoError(t, err)
	conv, err := e.setup.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Support"})
	require.NoError(t, err)
	_, err = e.setup.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: customer, MessagingBindingProxyAddress: number,
	})
	require.NoError(t, err)

	_, err = e.emu.SendSMS(customer, number, "Where is my order?")
	require.NoError(t, err)
	e.emu.Flush()
	require.Len(t, e.emu.Received(customer), 1, "the callback replied")

	assert.Equal(t, `Webhook onMessageAdded server unset {http.request.method=POST, http.response.status_code=200, twilio.conversations.event_type=onMessageAdded, twilio.conversations.webhook.callback.duration=<seconds>, twilio.conversations.webhook.callback.outcome=ok, twilio.conversations.webhook.duplicate=new, twilio.conversations.webhook.outcome=ok, twilio.conversations.webhook.signature=valid}
  CreateServiceConversationMessage client unset {http.request.method=POST, http.response.status_code=201, server.address=127.0.0.1, server.port=<port>, twilio.conversations.attempts=1, twilio.conversations.operation=CreateServiceConversationMessage, twilio.request_id=RQ<32 hex>, url.template=/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages}
    RateLimiter.Wait internal unset {twilio.conversations.operation=CreateServiceConversationMessage, twilio.conversations.rate_limit.scope_kind=conversation, twilio.conversations.rate_limit.waited=<seconds>}
    POST /v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages client unset {http.request.method=POST, http.response.status_code=201, server.address=127.0.0.1, server.port=<port>, twilio.request_id=RQ<32 hex>, url.template=/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages}
`, e.kit.tree())
	assert.Equal(t, []string{
		"{http.response.status_code=200, twilio.conversations.event_type=onMessageAdded, twilio.conversations.webhook.outcome=ok} = 1",
	}, e.kit.points(t, "twilio.conversations.webhook.deliveries"))
	assert.Equal(t, []string{"{twilio.conversations.webhook.duplicate=new} = 1"}, e.kit.points(t, "twilio.conversations.webhook.duplicate_filter"))

	// The same delivery again (Twilio's redelivery, same idempotency
	// token), through the application's gateway with a traceparent: the
	// span joins the gateway's trace, and the duplicate is not run again.
	e.kit.spans.Reset()
	gwCtx, gw := e.kit.tp.Tracer("gateway").Start(ctx, "gateway")
	req := last.replay(t, hooks.URL+"/twilio")
	req.Header.Set("Traceparent", fmt.Sprintf("00-%s-%s-01", gw.SpanContext().TraceID(), gw.SpanContext().SpanID()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	gw.End()
	_ = gwCtx
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `gateway internal unset {}
  Webhook onMessageAdded server unset {http.request.method=POST, http.response.status_code=200, twilio.conversations.event_type=onMessageAdded, twilio.conversations.webhook.duplicate=done, twilio.conversations.webhook.outcome=duplicate, twilio.conversations.webhook.signature=valid}
`, e.kit.tree())
	spans := e.kit.spans.GetSpans()
	require.Len(t, spans, 2)
	assert.Equal(t, gw.SpanContext().TraceID(), spans[0].SpanContext.TraceID())
	assert.Equal(t, trace.SpanKindServer, spans[0].SpanKind)
}
