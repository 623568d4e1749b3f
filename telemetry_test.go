package conversations

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/internal/spec"
)

// recorder is a Telemetry that keeps every span and measurement in memory.
type recorder struct {
	mu      sync.Mutex
	spans   []*recSpan
	metrics []recMetric
}

type recSpan struct {
	r      *recorder
	name   string
	kind   SpanKind
	parent *recSpan
	attrs  map[string]any
	err    string
	ended  bool
}

type recMetric struct {
	m     Metric
	value float64
	attrs map[string]any
}

type spanKey struct{}

func attrMap(dst map[string]any, attrs []TelemetryAttr) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for _, a := range attrs {
		dst[a.Key] = a.Value()
	}
	return dst
}

func (r *recorder) StartSpan(ctx context.Context, name string, kind SpanKind, attrs ...TelemetryAttr) (context.Context, TelemetrySpan) {
	parent, _ := ctx.Value(spanKey{}).(*recSpan)
	s := &recSpan{r: r, name: name, kind: kind, parent: parent, attrs: attrMap(nil, attrs)}
	r.mu.Lock()
	r.spans = append(r.spans, s)
	r.mu.Unlock()
	return context.WithValue(ctx, spanKey{}, s), s
}

func (r *recorder) Record(_ context.Context, m Metric, v float64, attrs ...TelemetryAttr) {
	r.mu.Lock()
	r.metrics = append(r.metrics, recMetric{m, v, attrMap(nil, attrs)})
	r.mu.Unlock()
}

func (r *recorder) Extract(ctx context.Context, _ http.Header) context.Context { return ctx }

func (s *recSpan) SetName(n string) { s.r.mu.Lock(); s.name = n; s.r.mu.Unlock() }
func (s *recSpan) SetAttributes(attrs ...TelemetryAttr) {
	s.r.mu.Lock()
	attrMap(s.attrs, attrs)
	s.r.mu.Unlock()
}
func (s *recSpan) AddEvent(string, ...TelemetryAttr) {}
func (s *recSpan) SetError(t string)                 { s.r.mu.Lock(); s.err = t; s.r.mu.Unlock() }
func (s *recSpan) End()                              { s.r.mu.Lock(); s.ended = true; s.r.mu.Unlock() }

// roots returns the spans without a parent.
func (r *recorder) roots() []*recSpan {
	var out []*recSpan
	for _, s := range r.spans {
		if s.parent == nil {
			out = append(out, s)
		}
	}
	return out
}

// TestTelemetryOperationNames drives every operation of the spec through its
// public method (the coverage table) and checks that its span is named
// after the spec's operationId, with the spec's path as url.template, and
// an HTTP attempt span below it.
func TestTelemetryOperationNames(t *testing.T) {
	d := spec.MustLoad()
	require.Len(t, d.OperationIDs(), len(operationsTable), "the operation table and the spec differ in size")
	for _, id := range d.OperationIDs() {
		f := coverage[id]
		require.NotNil(t, f, id)
		op, _ := d.Operation(id)
		t.Run(id, func(t *testing.T) {
			rec := &recorder{}
			c, mt := newTestClient(t, WithTelemetry(rec))
			body := []byte("{}")
			if exs, err := spec.Examples(id); err == nil {
				for _, ex := range exs {
					body = ex
					break
				}
			}
			mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				if op.SuccessStatus == http.StatusNoContent {
					return httpmock.NewBytesResponse(http.StatusNoContent, nil), nil
				}
				return httpmock.NewBytesResponse(op.SuccessStatus, body), nil
			})
			require.NoError(t, f(context.Background(), c))
			var found *recSpan
			for _, s := range rec.spans {
				if s.name == id {
					found = s
				}
			}
			require.NotNil(t, found, "no span %s among %v", id, spanNames(rec.spans))
			assert.Equal(t, SpanKindClient, found.kind)
			assert.Equal(t, op.Path, found.attrs[attrURLTemplate])
			assert.Equal(t, op.Method, found.attrs[attrMethod])
			assert.Equal(t, int64(op.SuccessStatus), found.attrs[attrStatusCode])
			assert.True(t, found.ended)
			var attempt *recSpan
			for _, s := range rec.spans {
				if s.parent == found {
					attempt = s
				}
			}
			require.NotNil(t, attempt, "no attempt span below %s", id)
			assert.Equal(t, op.Method+" "+op.Path, attempt.name)
		})
	}
}

func spanNames(spans []*recSpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.name)
	}
	return out
}

// TestTelemetryOperationTable checks every row of the table against the
// spec: the same operationId, method and path.
func TestTelemetryOperationTable(t *testing.T) {
	d := spec.MustLoad()
	for _, row := range operationsTable {
		op, ok := d.Operation(row.name)
		if assert.True(t, ok, row.name) {
			assert.Equal(t, op.Method, row.method, row.name)
			assert.Equal(t, op.Path, row.template, row.name)
		}
	}
	assert.Same(t, opUnknown, lookupOperation("GET", false, "Nowhere"))
}

// TestTelemetryInvalidArgument: a call refused before sending still gets a
// failed span, and nothing is sent.
func TestTelemetryInvalidArgument(t *testing.T) {
	rec := &recorder{}
	c, _ := newTestClient(t, WithTelemetry(rec))
	_, err := c.Messages.Create(context.Background(), "", &MessageCreateParams{Body: "hi"})
	require.ErrorIs(t, err, ErrEmptyParameter)
	require.Len(t, rec.spans, 1)
	assert.Equal(t, "CreateConversationMessage", rec.spans[0].name)
	assert.Equal(t, errTypeInvalid, rec.spans[0].err)
	assert.True(t, rec.spans[0].ended)

	// A method's own check (Timers need a State) reports the same way.
	_, err = c.Service("IS00000000000000000000000000000000").Conversations.Create(context.Background(),
		&ConversationCreateParams{Timers: Timers{Inactive: time.Hour}})
	require.Error(t, err)
	require.Len(t, rec.spans, 2)
	assert.Equal(t, "CreateServiceConversation", rec.spans[1].name)
	assert.Equal(t, errTypeInvalid, rec.spans[1].err)
	// A nil context is refused without a span.
	_, err = c.Messages.Create(nil, "", &MessageCreateParams{Body: "hi"})
	require.Error(t, err)
	assert.Len(t, rec.spans, 2)
}

// TestTelemetryRetriedDelete: a GET/DELETE retried after a 503 shows two
// attempts, the first failed with error.type 503 and counted as a retry.
func TestTelemetryRetriedDelete(t *testing.T) {
	rec := &recorder{}
	c, mt := newTestClient(t, WithTelemetry(rec), WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: 1, MaxDelay: 1}))
	n := 0
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			r := httpmock.NewStringResponse(503, `{"code":20503,"message":"unavailable","status":503}`)
			r.Header.Set("Twilio-Request-Id", "RQ1")
			return r, nil
		}
		r := httpmock.NewBytesResponse(204, nil)
		r.Header.Set("Twilio-Request-Id", "RQ2")
		return r, nil
	})
	require.NoError(t, c.Conversations.Delete(context.Background(), "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", nil))
	roots := rec.roots()
	require.Len(t, roots, 1)
	op := roots[0]
	assert.Equal(t, "DeleteConversation", op.name)
	assert.Equal(t, int64(2), op.attrs[attrAttempts])
	assert.Equal(t, "RQ2", op.attrs[attrRequestID])
	assert.Empty(t, op.err)
	var attempts []*recSpan
	for _, s := range rec.spans {
		if s.parent == op {
			attempts = append(attempts, s)
		}
	}
	require.Len(t, attempts, 2)
	assert.Equal(t, "503", attempts[0].err)
	assert.Equal(t, int64(20503), attempts[0].attrs[attrErrorCode])
	assert.Equal(t, "RQ1", attempts[0].attrs[attrRequestID])
	assert.Nil(t, attempts[0].attrs[attrResendCount])
	assert.Equal(t, int64(1), attempts[1].attrs[attrResendCount])
	assert.Equal(t, int64(204), attempts[1].attrs[attrStatusCode])
	retries := 0
	for _, m := range rec.metrics {
		if m.m == MetricRetries {
			retries++
			assert.Equal(t, "503", m.attrs[attrErrorType])
		}
	}
	assert.Equal(t, 1, retries)
}

func TestErrorType(t *testing.T) {
	assert.Equal(t, "429", errorType(&Error{Status: 429}))
	assert.Equal(t, errTypeCanceled, errorType(context.Canceled))
	assert.Equal(t, errTypeTimeout, errorType(&RequestError{Err: context.DeadlineExceeded}))
	assert.Equal(t, errTypeDecode, errorType(&RequestError{Status: 200, Err: errors.New("x")}))
	assert.Equal(t, errTypeConnection, errorType(&RequestError{Err: errors.New("reset")}))
	assert.Equal(t, errTypeOther, errorType(errors.New("x")))
	assert.Equal(t, "none", statusClass(0))
	assert.Equal(t, "4xx", statusClass(404))
	h, p := hostPort("https://user:pw@conversations.twilio.com/v1/X?Address=%2B1555")
	assert.Equal(t, "conversations.twilio.com", h)
	assert.Equal(t, 443, p)
	h, p = hostPort("http://127.0.0.1:8080/v1")
	assert.Equal(t, "127.0.0.1", h)
	assert.Equal(t, 8080, p)
	assert.Equal(t, "service", scopeKind("service:default"))
	assert.False(t, strings.Contains(Metric(99).Name(), "twilio"))
	for _, m := range Metrics() {
		assert.True(t, m.Name() == "http.client.request.duration" || strings.HasPrefix(m.Name(), MetricPrefix), m.Name())
		assert.NotEmpty(t, m.Unit())
		assert.NotEmpty(t, m.Description())
	}
}

// BenchmarkTelemetryHooksOff measures what the hooks of one call cost
// without a Telemetry: the nil checks of an operation with a limiter wait
// and one attempt. Target: 0 allocations, well under 50 ns.
func BenchmarkTelemetryHooksOff(b *testing.B) {
	c := &core{}
	ctx := context.Background()
	var ot *opTrace
	b.ReportAllocs()
	for b.Loop() {
		c.failed(ctx, "POST", false, messagesPath)
		c.failedOp(ctx, opUploadMedia)
		c.failedBulk(ctx, bulkAddParticipants, 3)
		ot.startWait("conversation:CH1")
		ot.endWait("conversation:CH1", nil)
		_ = ot.startAttempt(ctx, "POST", 1)
		ot.endAttempt("POST", 201, "RQ", nil, false)
		var bt *bulkTrace
		bt.endItem(nil, BulkDone, nil)
	}
}
