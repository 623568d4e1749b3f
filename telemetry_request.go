package conversations

// The telemetry of API calls: a client span per operation, a child span per
// HTTP attempt and per rate-limiter wait, and their measurements. Without a
// Telemetry none of this runs: doRequest passes a nil *opTrace, whose
// methods return at once.

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/conversations-go/conversations/internal/ratescope"
)

// The attribute keys. docs/telemetry.md documents each one.
const (
	attrOperation     = "twilio.conversations.operation"
	attrMethod        = "http.request.method"
	attrURLTemplate   = "url.template"
	attrServerAddress = "server.address"
	attrServerPort    = "server.port"
	attrStatusCode    = "http.response.status_code"
	attrStatusClass   = "http.response.status_class"
	attrResendCount   = "http.request.resend_count"
	attrErrorType     = "error.type"
	attrErrorCode     = "twilio.error_code"
	attrRequestID     = "twilio.request_id"
	attrAttempts      = "twilio.conversations.attempts"
	attrPage          = "twilio.conversations.page"
	attrPageItems     = "twilio.conversations.page.items"
	attrOutcome       = "twilio.conversations.outcome"
	attrScopeKind     = "twilio.conversations.rate_limit.scope_kind"
	attrWaited        = "twilio.conversations.rate_limit.waited"
)

// Span names that are not operation names.
const (
	spanRateLimitWait = "RateLimiter.Wait"
)

// Outcomes of an operation.
const (
	outcomeOK    = "ok"
	outcomeError = "error"
)

// Error types that are not status codes, for error.type.
const (
	errTypeInvalid     = "invalid_argument"
	errTypeCanceled    = "canceled"
	errTypeTimeout     = "timeout"
	errTypeRedirect    = "redirect_refused"
	errTypeDecode      = "decode_error"
	errTypeConnect     = "connect_error"
	errTypeConnection  = "connection_error"
	errTypeRateLimiter = "rate_limiter"
	errTypeOther       = "_OTHER"
)

// itemCounter is implemented by responses that hold a list page's items.
type itemCounter interface{ itemCount() int }

// opTrace is the telemetry of one operation in flight.
type opTrace struct {
	tel      Telemetry
	ctx      context.Context // carries the operation's span
	span     TelemetrySpan
	op       *operation
	method   string
	start    time.Time
	host     string
	port     int
	attempts int
	status   int    // the last response's status, 0 when none arrived
	reqID    string // the last response's Twilio-Request-Id
	failType string // set when the limiter failed

	attempt      TelemetrySpan
	attemptStart time.Time
	wait         TelemetrySpan
	waitStart    time.Time
}

// operationOf names r's operation.
func (r *request) operation() *operation {
	switch {
	case r.op != nil:
		return r.op
	case r.tmpl != "":
		return lookupOperation(r.method, r.scoped, r.tmpl)
	}
	return opUnknown
}

// startOperation starts the span of r's operation.
func (c *core) startOperation(ctx context.Context, r *request) *opTrace {
	op := r.operation()
	host, port := hostPort(r.url)
	ot := &opTrace{tel: c.tel, op: op, method: r.method, host: host, port: port, start: time.Now()}
	attrs := make([]TelemetryAttr, 0, 6)
	attrs = append(attrs,
		StringAttr(attrOperation, op.name),
		StringAttr(attrMethod, r.method),
		StringAttr(attrServerAddress, host),
		IntAttr(attrServerPort, int64(port)))
	if op.template != "" {
		attrs = append(attrs, StringAttr(attrURLTemplate, op.template))
	}
	if r.page > 0 {
		attrs = append(attrs, IntAttr(attrPage, int64(r.page)))
	}
	ot.ctx, ot.span = c.tel.StartSpan(ctx, op.name, SpanKindClient, attrs...)
	return ot
}

// failed reports an operation that failed before any request was made
// (an empty SID, invalid params), when there is a Telemetry.
func (c *core) failed(ctx context.Context, method string, scoped bool, tmpl string) {
	if c.tel != nil && ctx != nil {
		c.failedOperation(ctx, method, lookupOperation(method, scoped, tmpl))
	}
}

// failedOp is failed for an operation named directly (the media
// operations, which are not in the spec's table).
func (c *core) failedOp(ctx context.Context, op *operation) {
	if c.tel != nil && ctx != nil {
		c.failedOperation(ctx, op.method, op)
	}
}

// failedOperation reports an operation that failed before any request was
// made (an empty SID, invalid params): a client span that ends at once
// with error.type invalid_argument, and its count in [MetricOperations].
func (c *core) failedOperation(ctx context.Context, method string, op *operation) {
	_, span := c.tel.StartSpan(ctx, op.name, SpanKindClient,
		StringAttr(attrOperation, op.name), StringAttr(attrMethod, method), StringAttr(attrErrorType, errTypeInvalid))
	span.SetError(errTypeInvalid)
	span.End()
	c.tel.Record(ctx, MetricOperations, 1, StringAttr(attrOperation, op.name),
		StringAttr(attrOutcome, outcomeError), StringAttr(attrErrorType, errTypeInvalid))
}

// startWait starts the span of an attempt's rate-limiter wait.
func (ot *opTrace) startWait(scope string) {
	if ot != nil {
		ot.startWaitSpan(scope)
	}
}

func (ot *opTrace) startWaitSpan(scope string) {
	_, ot.wait = ot.tel.StartSpan(ot.ctx, spanRateLimitWait, SpanKindInternal,
		StringAttr(attrOperation, ot.op.name), StringAttr(attrScopeKind, scopeKind(scope)))
	ot.waitStart = time.Now()
}

// endWait ends the span of a rate-limiter wait.
func (ot *opTrace) endWait(scope string, err error) {
	if ot != nil {
		ot.endWaitSpan(scope, err)
	}
}

func (ot *opTrace) endWaitSpan(scope string, err error) {
	waited := time.Since(ot.waitStart).Seconds()
	ot.wait.SetAttributes(FloatAttr(attrWaited, waited))
	if err != nil {
		ot.failType = errTypeRateLimiter
		if ot.ctx.Err() != nil {
			ot.failType = ctxErrorType(ot.ctx.Err())
		}
		ot.wait.SetError(ot.failType)
	}
	ot.wait.End()
	ot.tel.Record(ot.ctx, MetricRateLimitWait, waited,
		StringAttr(attrOperation, ot.op.name), StringAttr(attrScopeKind, scopeKind(scope)))
}

// startAttempt starts the span of HTTP attempt n (1-based) and returns the
// context to send it with.
func (ot *opTrace) startAttempt(ctx context.Context, method string, n int) context.Context {
	if ot == nil {
		return ctx
	}
	return ot.startAttemptSpan(method, n)
}

func (ot *opTrace) startAttemptSpan(method string, n int) context.Context {
	ot.attempts = n
	name := method
	if ot.op.template != "" {
		name += " " + ot.op.template
	}
	attrs := ot.httpAttrs(make([]TelemetryAttr, 0, 5), method)
	if n > 1 {
		attrs = append(attrs, IntAttr(attrResendCount, int64(n-1)))
	}
	actx, span := ot.tel.StartSpan(ot.ctx, name, SpanKindClient, attrs...)
	ot.attempt, ot.attemptStart = span, time.Now()
	return actx
}

// httpAttrs appends the attributes an attempt's span and its duration
// metric share: the method, the server, and the URL template when known.
func (ot *opTrace) httpAttrs(attrs []TelemetryAttr, method string) []TelemetryAttr {
	attrs = append(attrs,
		StringAttr(attrMethod, method),
		StringAttr(attrServerAddress, ot.host),
		IntAttr(attrServerPort, int64(ot.port)))
	if ot.op.template != "" {
		attrs = append(attrs, StringAttr(attrURLTemplate, ot.op.template))
	}
	return attrs
}

// endAttempt ends the span of an attempt: status is the response's (0 when
// none arrived), err why the attempt failed (nil when it succeeded), retry
// whether another attempt follows.
func (ot *opTrace) endAttempt(method string, status int, reqID string, err error, retry bool) {
	if ot != nil {
		ot.endAttemptSpan(method, status, reqID, err, retry)
	}
}

func (ot *opTrace) endAttemptSpan(method string, status int, reqID string, err error, retry bool) {
	ot.status, ot.reqID = status, reqID
	d := time.Since(ot.attemptStart).Seconds()
	span := ot.attempt
	metric := ot.httpAttrs(make([]TelemetryAttr, 0, 6), method)
	attrs := make([]TelemetryAttr, 0, 4)
	if status > 0 {
		metric = append(metric, IntAttr(attrStatusCode, int64(status)))
		attrs = append(attrs, IntAttr(attrStatusCode, int64(status)))
	}
	if reqID != "" {
		attrs = append(attrs, StringAttr(attrRequestID, reqID))
	}
	if code := errorCode(err); code != 0 {
		attrs = append(attrs, IntAttr(attrErrorCode, int64(code)))
	}
	t := ""
	if err != nil {
		t = errorType(err)
		metric = append(metric, StringAttr(attrErrorType, t))
		attrs = append(attrs, StringAttr(attrErrorType, t))
		if retry {
			ot.tel.Record(ot.ctx, MetricRetries, 1, StringAttr(attrOperation, ot.op.name), StringAttr(attrErrorType, t))
		}
	}
	if len(attrs) > 0 {
		span.SetAttributes(attrs...)
	}
	if t != "" {
		span.SetError(t)
	}
	span.End()
	ot.attempt = nil
	ot.tel.Record(ot.ctx, MetricRequestDuration, d, metric...)
	if status == 429 {
		ot.tel.Record(ot.ctx, MetricThrottled, 1, StringAttr(attrOperation, ot.op.name))
	}
}

// end ends the operation's span with its result.
func (ot *opTrace) end(err error, out any) {
	if ot.attempt != nil { // a panic or an early return inside an attempt
		ot.endAttemptSpan(ot.method, 0, "", err, false)
	}
	span := ot.span
	metric := make([]TelemetryAttr, 0, 5)
	metric = append(metric, StringAttr(attrOperation, ot.op.name))
	attrs := make([]TelemetryAttr, 0, 6)
	if ot.attempts > 0 {
		attrs = append(attrs, IntAttr(attrAttempts, int64(ot.attempts)))
	}
	if ot.status > 0 {
		attrs = append(attrs, IntAttr(attrStatusCode, int64(ot.status)))
	}
	metric = append(metric, StringAttr(attrStatusClass, statusClass(ot.status)))
	if ot.reqID != "" {
		attrs = append(attrs, StringAttr(attrRequestID, ot.reqID))
	}
	t := ""
	if err == nil {
		if ic, ok := out.(itemCounter); ok {
			attrs = append(attrs, IntAttr(attrPageItems, int64(ic.itemCount())))
		}
		metric = append(metric, StringAttr(attrOutcome, outcomeOK))
	} else {
		t = ot.failType
		if t == "" || ot.ctx.Err() != nil {
			t = errorType(err)
		}
		if code := errorCode(err); code != 0 {
			attrs = append(attrs, IntAttr(attrErrorCode, int64(code)))
			metric = append(metric, IntAttr(attrErrorCode, int64(code)))
		}
		attrs = append(attrs, StringAttr(attrErrorType, t))
		metric = append(metric, StringAttr(attrOutcome, outcomeError), StringAttr(attrErrorType, t))
	}
	if len(attrs) > 0 {
		span.SetAttributes(attrs...)
	}
	if t != "" {
		span.SetError(t)
	}
	span.End()
	ot.tel.Record(ot.ctx, MetricOperationDuration, time.Since(ot.start).Seconds(), metric...)
	ot.tel.Record(ot.ctx, MetricOperations, 1, metric...)
}

// statusClass is "2xx", "4xx", "5xx" (and so on), or "none" when no
// response arrived.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "none"
	}
	return string(rune('0'+status/100)) + "xx"
}

// errorCode is the Twilio error code of an API error, else 0.
func errorCode(err error) int {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return 0
}

// errorType is the error.type of err: the status code of an API error, or
// a short name for other failures. It never holds the error's text.
func errorType(err error) string {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return strconv.Itoa(apiErr.Status)
	}
	if t := ctxErrorType(err); t != "" {
		return t
	}
	if errors.As(err, new(redirectError)) || errors.Is(err, ErrForeignRedirect) {
		return errTypeRedirect
	}
	var reqErr *RequestError
	if errors.As(err, &reqErr) {
		if reqErr.Status != 0 {
			if cutShort(err) {
				return errTypeConnection // the body was cut off
			}
			return errTypeDecode
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errTypeTimeout
		}
		if notSent(err) {
			return errTypeConnect
		}
		return errTypeConnection
	}
	if errors.Is(err, ErrEmptyParameter) {
		return errTypeInvalid
	}
	return errTypeOther
}

// ctxErrorType names a context's error, or returns "".
func ctxErrorType(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return errTypeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return errTypeTimeout
	}
	return ""
}

// hostPort returns the host and port of an absolute URL, without parsing
// the rest of it (the path and query are never reported).
func hostPort(u string) (string, int) {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "", 0
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:] // never report user info
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil {
		host = strings.Trim(rest, "[]")
		if strings.HasPrefix(u, "https:") {
			return host, 443
		}
		return host, 80
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// scopeKind is the kind of a rate-limit scope ("service" or
// "conversation"), without its SID.
func scopeKind(scope string) string {
	switch {
	case strings.HasPrefix(scope, ratescope.ServicePrefix):
		return "service"
	case strings.HasPrefix(scope, ratescope.ConversationPrefix):
		return "conversation"
	}
	return "other"
}
