package conversations

import (
	"context"
	"net/http"
	"strconv"
)

// Telemetry receives the traces and measurements of a [Client] (see
// [WithTelemetry]) and of a [WebhookHandler] (see [WithWebhookTelemetry]):
// a span per operation, per HTTP attempt, per rate-limiter wait, per bulk
// operation and item, and per webhook delivery, and the measurements listed
// by [Metrics]. It is provider-neutral, so this module depends on no
// tracing library; the conversationsotel module implements it on
// OpenTelemetry. docs/telemetry.md lists every span, attribute and metric.
//
// Nothing private is handed to a Telemetry: span names are operation names
// (the OpenAPI operationId, such as CreateConversationMessage), paths are
// templates (/v1/Conversations/{ConversationSid}/Messages), and no
// attribute holds a message body, an address, an identity, attributes JSON,
// a query value, a token or a credential. Metric attributes are of low
// cardinality (no SID).
//
// Without a Telemetry nothing is measured, and the calls cost nothing extra.
// Implementations must be safe for concurrent use.
type Telemetry interface {
	// StartSpan starts a span named name, a child of the span that ctx
	// carries (if any), and returns a context carrying the new span.
	StartSpan(ctx context.Context, name string, kind SpanKind, attrs ...TelemetryAttr) (context.Context, TelemetrySpan)
	// Record records value on the instrument m: a duration in seconds for
	// a histogram, an increment for a counter.
	Record(ctx context.Context, m Metric, value float64, attrs ...TelemetryAttr)
	// Extract returns ctx with the trace context that header carries (an
	// incoming webhook's traceparent, for instance), as the implementation's
	// propagator reads it; ctx unchanged when there is none.
	Extract(ctx context.Context, header http.Header) context.Context
}

// TelemetrySpan is a span started by [Telemetry.StartSpan].
type TelemetrySpan interface {
	// SetName renames the span (a webhook delivery's span gets its event
	// type once the event is decoded).
	SetName(name string)
	// SetAttributes adds or replaces attributes.
	SetAttributes(attrs ...TelemetryAttr)
	// AddEvent adds a timestamped event.
	AddEvent(name string, attrs ...TelemetryAttr)
	// SetError marks the span failed. errorType is a short, low-cardinality
	// description, the value of the error.type attribute (such as "429" or
	// "timeout"); never an error's text, which may hold private data.
	SetError(errorType string)
	// End ends the span.
	End()
}

// SpanKind is the kind of a span, as OpenTelemetry defines it.
type SpanKind int

// Span kinds.
const (
	// SpanKindInternal is an operation inside the application: a bulk
	// operation, a bulk item, a rate-limiter wait.
	SpanKindInternal SpanKind = iota
	// SpanKindClient is an outgoing call: an API operation, an HTTP attempt.
	SpanKindClient
	// SpanKindServer is an incoming request: a webhook delivery.
	SpanKindServer
)

// String returns "internal", "client" or "server".
func (k SpanKind) String() string {
	switch k {
	case SpanKindInternal:
		return "internal"
	case SpanKindClient:
		return "client"
	case SpanKindServer:
		return "server"
	}
	return "SpanKind(" + strconv.Itoa(int(k)) + ")"
}

// AttrType is the type of a [TelemetryAttr]'s value.
type AttrType int

// Attribute value types.
const (
	AttrString AttrType = iota + 1
	AttrInt
	AttrFloat
	AttrBool
)

// TelemetryAttr is an attribute of a span, an event or a measurement: a key
// and a typed value. Make one with [StringAttr], [IntAttr], [FloatAttr] or
// [BoolAttr].
type TelemetryAttr struct {
	// Key is the attribute's name, such as "http.request.method".
	Key string
	typ AttrType
	s   string
	n   int64
	f   float64
}

// StringAttr returns a string attribute.
func StringAttr(key, value string) TelemetryAttr {
	return TelemetryAttr{Key: key, typ: AttrString, s: value}
}

// IntAttr returns an integer attribute.
func IntAttr(key string, value int64) TelemetryAttr {
	return TelemetryAttr{Key: key, typ: AttrInt, n: value}
}

// FloatAttr returns a floating-point attribute.
func FloatAttr(key string, value float64) TelemetryAttr {
	return TelemetryAttr{Key: key, typ: AttrFloat, f: value}
}

// BoolAttr returns a boolean attribute.
func BoolAttr(key string, value bool) TelemetryAttr {
	a := TelemetryAttr{Key: key, typ: AttrBool}
	if value {
		a.n = 1
	}
	return a
}

// Type returns the type of the attribute's value.
func (a TelemetryAttr) Type() AttrType { return a.typ }

// String returns the value of a string attribute ("" for other types).
func (a TelemetryAttr) String() string { return a.s }

// Int returns the value of an integer attribute (0 for other types).
func (a TelemetryAttr) Int() int64 {
	if a.typ == AttrInt {
		return a.n
	}
	return 0
}

// Float returns the value of a floating-point attribute (0 for other types).
func (a TelemetryAttr) Float() float64 { return a.f }

// Bool returns the value of a boolean attribute (false for other types).
func (a TelemetryAttr) Bool() bool { return a.typ == AttrBool && a.n == 1 }

// Value returns the attribute's value as a string, int64, float64 or bool.
func (a TelemetryAttr) Value() any {
	switch a.typ {
	case AttrString:
		return a.s
	case AttrInt:
		return a.n
	case AttrFloat:
		return a.f
	case AttrBool:
		return a.n == 1
	}
	return nil
}

// WithTelemetry makes the client report a span per operation (named after
// the operation's OpenAPI operationId), a child span per HTTP attempt and
// per rate-limiter wait, a span per bulk operation, and the measurements of
// [Metrics], to t. The conversationsotel module provides a Telemetry on
// OpenTelemetry. A nil t turns telemetry off.
func WithTelemetry(t Telemetry) Option {
	return func(c *config) error {
		c.telemetry = t
		return nil
	}
}

// WithWebhookTelemetry makes [WebhookHandler] report a server span per
// delivery, carried by the callback's context so that the API calls the
// callback makes are its children, and the webhook measurements of
// [Metrics]. An incoming trace context (a W3C traceparent header from the
// application's own gateway) is taken as the parent through t's
// propagator. A nil t turns telemetry off.
func WithWebhookTelemetry(t Telemetry) WebhookOption {
	return func(c *webhookConfig) { c.tel = t }
}
