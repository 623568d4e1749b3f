package conversationsotel_test

// Benchmarks of one message create, each beside its baseline in the same
// run: plain net/http (a hand-built form, basic auth, http.Client.Do,
// encoding/json into a plain struct), the client with no telemetry, the
// client with the adapter on non-recording (noop) providers, and the
// client with the OpenTelemetry SDK recording every span and measurement.
// Each runs over a loopback httptest server, and over an in-memory
// transport (no network, so the library's own cost is not lost in the
// noise of a round trip).
//
//	go test -run '^$' -bench . -benchmem .

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationsotel"
	"github.com/conversations-go/conversations/internal/spec"
)

const (
	benchSID   = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	benchToken = "bench-token"
	benchConv  = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

// memTransport answers every request with the spec's message-create
// example, after reading the request's body, without a network.
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusCreated, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Twilio-Request-Id": {"RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)), Request: r,
	}, nil
}

// rawMessage is the plain struct the net/http baseline decodes into.
type rawMessage struct {
	SID             string          `json:"sid"`
	AccountSID      string          `json:"account_sid"`
	ConversationSID string          `json:"conversation_sid"`
	Body            string          `json:"body"`
	Author          string          `json:"author"`
	Index           int             `json:"index"`
	Attributes      string          `json:"attributes"`
	DateCreated     string          `json:"date_created"`
	URL             string          `json:"url"`
	Links           json.RawMessage `json:"links"`
	Delivery        json.RawMessage `json:"delivery"`
	Media           json.RawMessage `json:"media"`
}

// cpuTime is the CPU time this process has used: less disturbed than the
// wall clock by other processes on a busy machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time used since start per operation.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func BenchmarkMessageCreate(b *testing.B) {
	created := spec.MustExample("CreateConversationMessage", "create")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(created)
	}))
	b.Cleanup(srv.Close)

	transports := []struct {
		name    string
		baseURL string
		rt      func() http.RoundTripper
	}{
		{"loopback", srv.URL, func() http.RoundTripper {
			return &http.Transport{MaxIdleConnsPerHost: 4}
		}},
		{"inmemory", "http://127.0.0.1:9", func() http.RoundTripper { return memTransport{created} }},
	}
	for _, tr := range transports {
		b.Run(tr.name+"/raw-net-http", func(b *testing.B) {
			hc := &http.Client{Transport: tr.rt()}
			ctx := context.Background()
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				form := url.Values{"Author": {"message author"}, "Body": {"Hello"}}.Encode()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tr.baseURL+"/v1/Conversations/"+url.PathEscape(benchConv)+"/Messages", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(benchSID, benchToken)
				resp, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var m rawMessage
				err = json.NewDecoder(resp.Body).Decode(&m)
				resp.Body.Close()
				if err != nil || m.SID == "" {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
		for _, mode := range []string{"no-telemetry", "otel-noop", "otel-sdk-recording"} {
			b.Run(tr.name+"/"+mode, func(b *testing.B) {
				opts := []conversations.Option{conversations.WithBaseURL(tr.baseURL),
					conversations.WithHTTPClient(&http.Client{Transport: tr.rt()})}
				switch mode {
				case "otel-noop":
					tel, err := conversationsotel.New(conversationsotel.WithTracerProvider(tracenoop.NewTracerProvider()),
						conversationsotel.WithMeterProvider(metricnoop.NewMeterProvider()))
					if err != nil {
						b.Fatal(err)
					}
					opts = append(opts, conversations.WithTelemetry(tel))
				case "otel-sdk-recording":
					tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()),
						sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(tracetest.NewNoopExporter())))
					mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
					b.Cleanup(func() { tp.Shutdown(context.Background()); mp.Shutdown(context.Background()) })
					tel, err := conversationsotel.New(conversationsotel.WithTracerProvider(tp), conversationsotel.WithMeterProvider(mp))
					if err != nil {
						b.Fatal(err)
					}
					opts = append(opts, conversations.WithTelemetry(tel))
				}
				c, err := conversations.NewClient(benchSID, benchToken, opts...)
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					m, err := c.Messages.Create(ctx, benchConv, &conversations.MessageCreateParams{Author: "message author", Body: "Hello"})
					if err != nil || m.SID == "" {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkOTelFloor is what the OpenTelemetry SDK itself costs for what
// one recorded message create reports, called directly with no library in
// between: two spans with their attributes and three measurements. The
// difference between otel-sdk-recording and no-telemetry above, less this,
// is the library's and the adapter's own share.
func BenchmarkOTelFloor(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(tracetest.NewNoopExporter())))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { tp.Shutdown(context.Background()); mp.Shutdown(context.Background()) })
	tracer := tp.Tracer("floor")
	meter := mp.Meter("floor")
	h1, _ := meter.Float64Histogram("a", metric.WithExplicitBucketBoundaries(conversationsotel.DurationBuckets...))
	h2, _ := meter.Float64Histogram("b", metric.WithExplicitBucketBoundaries(conversationsotel.DurationBuckets...))
	c1, _ := meter.Int64Counter("c")
	ctx := context.Background()
	tmpl := "/v1/Conversations/{ConversationSid}/Messages"
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		octx, op := tracer.Start(ctx, "CreateConversationMessage", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			attribute.String("twilio.conversations.operation", "CreateConversationMessage"), attribute.String("http.request.method", "POST"),
			attribute.String("server.address", "127.0.0.1"), attribute.Int64("server.port", 9), attribute.String("url.template", tmpl)))
		_, at := tracer.Start(octx, "POST "+tmpl, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			attribute.String("http.request.method", "POST"), attribute.String("server.address", "127.0.0.1"),
			attribute.Int64("server.port", 9), attribute.String("url.template", tmpl)))
		at.SetAttributes(attribute.Int64("http.response.status_code", 201), attribute.String("twilio.request_id", "RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
		at.End()
		h1.Record(octx, 0.001, metric.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("server.address", "127.0.0.1"),
			attribute.Int64("server.port", 9), attribute.String("url.template", tmpl), attribute.Int64("http.response.status_code", 201)))
		op.SetAttributes(attribute.Int64("twilio.conversations.attempts", 1), attribute.Int64("http.response.status_code", 201),
			attribute.String("twilio.request_id", "RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
		op.End()
		set := metric.WithAttributes(attribute.String("twilio.conversations.operation", "CreateConversationMessage"),
			attribute.String("http.response.status_class", "2xx"), attribute.String("twilio.conversations.outcome", "ok"))
		h2.Record(octx, 0.001, set)
		c1.Add(octx, 1, set)
	}
	reportCPU(b, cpu)
}
