package conversationsotel_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationsotel"
	"github.com/conversations-go/conversations/conversationstest"
)

// otelKit is an OpenTelemetry SDK that keeps what it records in memory: an
// in-memory span exporter and a manual metric reader.
type otelKit struct {
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
	tel    *conversationsotel.Telemetry
}

func newKit(t testing.TB) *otelKit {
	t.Helper()
	k := &otelKit{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	k.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(k.spans))
	k.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(k.reader))
	tel, err := conversationsotel.New(conversationsotel.WithTracerProvider(k.tp),
		conversationsotel.WithMeterProvider(k.mp), conversationsotel.WithPropagator(propagation.TraceContext{}))
	require.NoError(t, err)
	k.tel = tel
	t.Cleanup(func() {
		_ = k.tp.Shutdown(context.Background())
		_ = k.mp.Shutdown(context.Background())
	})
	return k
}

// metrics collects the recorded measurements.
func (k *otelKit) metrics(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, k.reader.Collect(context.Background(), &rm))
	return rm
}

// points renders the data points of the named instrument, one line each:
// "{attr=value, …} = value" for a counter, "{…} count=n" for a histogram,
// sorted.
func (k *otelKit) points(t testing.TB, name string) []string {
	t.Helper()
	var out []string
	for _, sm := range k.metrics(t).ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s = %d", renderSet(p.Attributes), p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s count=%d", renderSet(p.Attributes), p.Count))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func renderSet(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+normalize(kv))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

var (
	requestIDPattern = regexp.MustCompile(`^RQ[0-9a-f]{32}$`)
)

// normalize renders an attribute's value, replacing what changes from run
// to run: the port, request IDs, durations.
func normalize(kv attribute.KeyValue) string {
	switch {
	case kv.Key == "server.port":
		return "<port>"
	case kv.Value.Type() == attribute.FLOAT64:
		if kv.Value.AsFloat64() >= 0 {
			return "<seconds>"
		}
		return "<negative!>"
	case kv.Key == "twilio.request_id" && requestIDPattern.MatchString(kv.Value.AsString()):
		return "RQ<32 hex>"
	}
	return kv.Value.Emit()
}

// tree renders the recorded spans as an indented tree, children in the
// order they started: "name kind status {attributes}".
func (k *otelKit) tree() string {
	spans := k.spans.GetSpans()
	byParent := map[string][]tracetest.SpanStub{}
	ids := map[string]bool{}
	for _, s := range spans {
		ids[s.SpanContext.SpanID().String()] = true
	}
	var roots []tracetest.SpanStub
	for _, s := range spans {
		p := s.Parent.SpanID().String()
		if !s.Parent.IsValid() || !ids[p] {
			roots = append(roots, s)
			continue
		}
		byParent[p] = append(byParent[p], s)
	}
	var b strings.Builder
	var walk func(level int, list []tracetest.SpanStub)
	walk = func(level int, list []tracetest.SpanStub) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].StartTime.Before(list[j].StartTime) })
		for _, s := range list {
			status := "unset"
			switch s.Status.Code {
			case codes.Error:
				status = "error(" + s.Status.Description + ")"
			case codes.Ok:
				status = "ok"
			}
			kvs := append([]attribute.KeyValue(nil), s.Attributes...)
			sort.Slice(kvs, func(i, j int) bool { return kvs[i].Key < kvs[j].Key })
			var attrs []string
			for _, kv := range kvs {
				attrs = append(attrs, string(kv.Key)+"="+normalize(kv))
			}
			fmt.Fprintf(&b, "%s%s %s %s {%s}\n", strings.Repeat("  ", level), s.Name, s.SpanKind, status, strings.Join(attrs, ", "))
			walk(level+1, byParent[s.SpanContext.SpanID().String()])
		}
	}
	walk(0, roots)
	return b.String()
}

// fault is what the fault proxy does with one API request.
type fault int

const (
	faultNone         fault = iota
	fault429                // answers 429 with Twilio's error 20429; the request is not processed
	fault503                // answers 503 with Twilio's error 20503; not processed
	faultResetApplied       // serves the request, then breaks the connection before answering
	faultCutBody            // serves the request, answers with half of the body, then breaks the connection
)

// faultProxy serves the emulator, applying queued faults to the next API
// requests, one per request.
type faultProxy struct {
	emu   *conversationstest.Emulator
	mu    sync.Mutex
	queue []fault
}

func (p *faultProxy) push(fs ...fault) {
	p.mu.Lock()
	p.queue = append(p.queue, fs...)
	p.mu.Unlock()
}

func (p *faultProxy) next() fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queue) == 0 {
		return faultNone
	}
	f := p.queue[0]
	p.queue = p.queue[1:]
	return f
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/v1/") {
		p.emu.ServeHTTP(w, r)
		return
	}
	switch p.next() {
	case fault429:
		twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
	case fault503:
		twilioError(w, http.StatusServiceUnavailable, 20503, "Service Unavailable")
	case faultResetApplied:
		p.emu.ServeHTTP(httptest.NewRecorder(), r) // applied, but the answer is lost
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	case faultCutBody:
		rec := httptest.NewRecorder()
		p.emu.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body[:len(body)/2])
		http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		p.emu.ServeHTTP(w, r)
	}
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Twilio-Request-Id", "RQ"+strings.Repeat("0", 31)+fmt.Sprint(status%10))
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":%q,"more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`, code, msg, code, status)
}

// env is the emulator, with Twilio's rate limit on, behind the fault proxy,
// and a client on it that reports to an in-memory OpenTelemetry SDK.
type env struct {
	emu    *conversationstest.Emulator
	proxy  *faultProxy
	server *httptest.Server
	kit    *otelKit
	client *conversations.Client // with telemetry
	setup  *conversations.Client // without telemetry, for preparing state
}

// testRetries retries quickly.
var testRetries = conversations.RetryPolicy{MaxAttempts: 5, BaseDelay: 5 * time.Millisecond, MaxDelay: time.Second}

func newEnv(t *testing.T, opts ...conversationstest.Option) *env {
	t.Helper()
	emu := conversationstest.New(append([]conversationstest.Option{conversationstest.WithRateLimit(conversationstest.TwilioRateLimit)}, opts...)...)
	t.Cleanup(emu.Close)
	p := &faultProxy{emu: emu}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	kit := newKit(t)
	limiter, err := conversations.NewRateLimiter(conversations.RateLimits{})
	require.NoError(t, err)
	newClient := func(extra ...conversations.Option) *conversations.Client {
		c, err := conversations.NewClient(emu.AccountSID(), emu.AuthToken(), append([]conversations.Option{
			conversations.WithBaseURL(srv.URL), conversations.WithMediaBaseURL(srv.URL),
			conversations.WithRetryPolicy(testRetries), conversations.WithRateLimiter(limiter),
		}, extra...)...)
		require.NoError(t, err)
		return c
	}
	return &env{emu: emu, proxy: p, server: srv, kit: kit,
		client: newClient(conversations.WithTelemetry(kit.tel)), setup: newClient()}
}

// captured is a webhook request as it arrived, to deliver it again.
type captured struct {
	mu     sync.Mutex
	header http.Header
	body   []byte
}

// capture records each request's headers and body before h serves it.
func capture(c *captured, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.header, c.body = r.Header.Clone(), body
		c.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

// replay builds the last captured request again, for url.
func (c *captured) replay(t testing.TB, url string) *http.Request {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.NotNil(t, c.body, "no webhook arrived")
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(c.body))
	require.NoError(t, err)
	req.Header = c.header.Clone()
	return req
}
