// Package conversationsotel reports the traces and metrics of the
// conversations client and webhook handler to OpenTelemetry.
//
// It implements [conversations.Telemetry] on the OpenTelemetry API, in a
// module of its own so that the conversations module itself depends on no
// tracing library:
//
//	tel, err := conversationsotel.New() // the global providers and propagator
//	client, err := conversations.NewClient(sid, token, conversations.WithTelemetry(tel))
//	handler, err := conversations.NewWebhookHandler(token, conversations.WithWebhookTelemetry(tel))
//
// Every operation is a client span named after its OpenAPI operationId
// (CreateConversationMessage), with a child span per HTTP attempt and per
// rate-limiter wait; bulk operations and webhook deliveries have spans of
// their own. The instruments are http.client.request.duration and those
// named under [conversations.MetricPrefix] (twilio.conversations.). Spans
// and metrics hold no message body, address, identity, attributes JSON,
// query value or credential. docs/telemetry.md in the repository lists
// every span, attribute and instrument.
package conversationsotel

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/conversations-go/conversations"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/conversations-go/conversations/conversationsotel"

// DurationBuckets are the histogram bucket boundaries, in seconds, of the
// duration instruments: those OpenTelemetry's HTTP semantic conventions
// advise for http.client.request.duration, extended to 60 s for bulk-run
// limiter waits.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}

// Option configures [New].
type Option func(*config)

type config struct {
	tp   trace.TracerProvider
	mp   metric.MeterProvider
	prop propagation.TextMapPropagator
}

// WithTracerProvider sets the tracer provider (default: otel.GetTracerProvider()).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets the meter provider (default: otel.GetMeterProvider()).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithPropagator sets the propagator that reads an incoming webhook's trace
// context (default: otel.GetTextMapPropagator(); configure a W3C
// TraceContext propagator there, or here with
// propagation.TraceContext{}).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.prop = p }
}

// Telemetry is a [conversations.Telemetry] on OpenTelemetry. It is safe for
// concurrent use.
type Telemetry struct {
	tracer     trace.Tracer
	prop       propagation.TextMapPropagator
	histograms map[conversations.Metric]metric.Float64Histogram
	counters   map[conversations.Metric]metric.Int64Counter
}

var _ conversations.Telemetry = (*Telemetry)(nil)

// New returns a Telemetry on the given providers and propagator, or the
// global ones. It creates every instrument of [conversations.Metrics].
func New(opts ...Option) (*Telemetry, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	if c.prop == nil {
		c.prop = otel.GetTextMapPropagator()
	}
	version := trace.WithInstrumentationVersion(conversations.Version)
	meter := c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(conversations.Version))
	t := &Telemetry{
		tracer:     c.tp.Tracer(ScopeName, version),
		prop:       c.prop,
		histograms: map[conversations.Metric]metric.Float64Histogram{},
		counters:   map[conversations.Metric]metric.Int64Counter{},
	}
	var errs []error
	for _, m := range conversations.Metrics() {
		if m.Histogram() {
			h, err := meter.Float64Histogram(m.Name(), metric.WithUnit(m.Unit()),
				metric.WithDescription(m.Description()), metric.WithExplicitBucketBoundaries(DurationBuckets...))
			errs = append(errs, err)
			if _, off := h.(noop.Float64Histogram); !off { // a no-op instrument is not worth the attributes
				t.histograms[m] = h
			}
			continue
		}
		ctr, err := meter.Int64Counter(m.Name(), metric.WithUnit(m.Unit()), metric.WithDescription(m.Description()))
		errs = append(errs, err)
		if _, off := ctr.(noop.Int64Counter); !off {
			t.counters[m] = ctr
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}

// StartSpan implements [conversations.Telemetry].
func (t *Telemetry) StartSpan(ctx context.Context, name string, kind conversations.SpanKind, attrs ...conversations.TelemetryAttr) (context.Context, conversations.TelemetrySpan) {
	buf := convert(attrs)
	ctx, s := t.tracer.Start(ctx, name, trace.WithSpanKind(spanKind(kind)), trace.WithAttributes(*buf...))
	release(buf) // the SDK copied the attributes
	return ctx, span{s}
}

// Record implements [conversations.Telemetry].
func (t *Telemetry) Record(ctx context.Context, m conversations.Metric, value float64, attrs ...conversations.TelemetryAttr) {
	h, isHist := t.histograms[m]
	c, isCounter := t.counters[m]
	if !isHist && !isCounter {
		return // a no-op meter
	}
	buf := convert(attrs)
	set := metric.WithAttributeSet(attribute.NewSet(*buf...)) // a copy, sorted
	release(buf)
	if isHist {
		h.Record(ctx, value, set)
		return
	}
	c.Add(ctx, int64(value), set)
}

// Extract implements [conversations.Telemetry] with the propagator.
func (t *Telemetry) Extract(ctx context.Context, header http.Header) context.Context {
	return t.prop.Extract(ctx, propagation.HeaderCarrier(header))
}

// span is a conversations.TelemetrySpan on an OpenTelemetry span.
type span struct{ s trace.Span }

func (s span) SetName(name string) { s.s.SetName(name) }

func (s span) SetAttributes(attrs ...conversations.TelemetryAttr) {
	if s.s.IsRecording() {
		buf := convert(attrs)
		s.s.SetAttributes(*buf...)
		release(buf)
	}
}

func (s span) AddEvent(name string, attrs ...conversations.TelemetryAttr) {
	if s.s.IsRecording() {
		buf := convert(attrs)
		s.s.AddEvent(name, trace.WithAttributes(*buf...))
		release(buf)
	}
}

// SetError sets the span's status to Error, described by the error type
// only: an error's text can hold private data.
func (s span) SetError(errorType string) { s.s.SetStatus(codes.Error, errorType) }

func (s span) End() { s.s.End() }

func spanKind(k conversations.SpanKind) trace.SpanKind {
	switch k {
	case conversations.SpanKindClient:
		return trace.SpanKindClient
	case conversations.SpanKindServer:
		return trace.SpanKindServer
	}
	return trace.SpanKindInternal
}

// buffers holds conversion buffers: OpenTelemetry copies the attributes it
// is given (into the span, the event, the attribute set), so a buffer is
// reused once the call returns.
var buffers = sync.Pool{New: func() any { b := make([]attribute.KeyValue, 0, 16); return &b }}

func release(b *[]attribute.KeyValue) {
	clear(*b) // drop the strings it points to
	*b = (*b)[:0]
	buffers.Put(b)
}

// convert turns the library's attributes into OpenTelemetry's, in a pooled
// buffer to release after use.
func convert(attrs []conversations.TelemetryAttr) *[]attribute.KeyValue {
	buf := buffers.Get().(*[]attribute.KeyValue)
	kvs := (*buf)[:0]
	for _, a := range attrs {
		switch a.Type() {
		case conversations.AttrString:
			kvs = append(kvs, attribute.String(a.Key, a.String()))
		case conversations.AttrInt:
			kvs = append(kvs, attribute.Int64(a.Key, a.Int()))
		case conversations.AttrFloat:
			kvs = append(kvs, attribute.Float64(a.Key, a.Float()))
		case conversations.AttrBool:
			kvs = append(kvs, attribute.Bool(a.Key, a.Bool()))
		}
	}
	*buf = kvs
	return buf
}
