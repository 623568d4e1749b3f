package conversations

// The telemetry of webhook deliveries: a server span per request, carried by
// the callback's context, and the webhook measurements. Without a Telemetry
// the handler passes a nil *webhookTrace, whose methods return at once.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// The webhook span's name, and its attribute keys.
const (
	spanWebhook           = "Webhook"
	attrEventType         = "twilio.conversations.event_type"
	attrWebhookOutcome    = "twilio.conversations.webhook.outcome"
	attrSignature         = "twilio.conversations.webhook.signature"
	attrDuplicate         = "twilio.conversations.webhook.duplicate"
	attrDecision          = "twilio.conversations.webhook.decision"
	attrDeadlineHit       = "twilio.conversations.webhook.deadline_exceeded"
	attrCallbackDuration  = "twilio.conversations.webhook.callback.duration"
	attrCallbackOutcome   = "twilio.conversations.webhook.callback.outcome"
	eventTypeUnknown      = "unknown"
	webhookOutcomeOK      = "ok"
	callbackOutcomeOK     = "ok"
	callbackOutcomeError  = "error"
	callbackOutcomeLate   = "deadline_exceeded"
	duplicateOutcomeError = "error"
)

// Webhook outcomes (twilio.conversations.webhook.outcome).
const (
	whMethodNotAllowed = "method_not_allowed"
	whUnsupportedBody  = "unsupported_body"
	whMalformed        = "malformed"
	whNoCallback       = "no_callback"
	whRejected         = "rejected"
	whCallbackError    = "callback_error"
	whInvalidDecision  = "invalid_decision"
	whDuplicate        = "duplicate"
	whInProgress       = "in_progress"
	whFilterError      = "filter_error"
	whFilterFull       = "filter_full"
	whTimeoutDecision  = "timeout_decision"
	whPanic            = "panic"
)

// webhookTrace is the telemetry of one webhook request.
type webhookTrace struct {
	tel       Telemetry
	ctx       context.Context
	span      TelemetrySpan
	eventType string
	outcome   string
	cbStart   time.Time
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serveTraced serves r inside a server span, a child of the trace context
// r's headers carry.
func (h *WebhookHandler) serveTraced(w http.ResponseWriter, r *http.Request) {
	tel := h.cfg.tel
	ctx := tel.Extract(r.Context(), r.Header)
	wt := &webhookTrace{tel: tel, eventType: eventTypeUnknown}
	wt.ctx, wt.span = tel.StartSpan(ctx, spanWebhook, SpanKindServer, StringAttr(attrMethod, r.Method))
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			wt.setOutcome(whPanic)
			wt.end(http.StatusInternalServerError)
			panic(p)
		}
		wt.end(sw.status)
	}()
	h.serve(sw, r.WithContext(wt.ctx), wt)
}

// end ends the span and records the delivery.
func (wt *webhookTrace) end(status int) {
	if status == 0 {
		status = http.StatusOK
	}
	outcome := wt.outcome
	if outcome == "" {
		outcome = webhookOutcomeOK
	}
	wt.span.SetAttributes(IntAttr(attrStatusCode, int64(status)), StringAttr(attrWebhookOutcome, outcome))
	if status >= 500 {
		t := statusText(status)
		wt.span.SetAttributes(StringAttr(attrErrorType, t))
		wt.span.SetError(t)
	}
	wt.span.End()
	wt.tel.Record(wt.ctx, MetricWebhookDeliveries, 1, StringAttr(attrEventType, wt.eventType),
		StringAttr(attrWebhookOutcome, outcome), IntAttr(attrStatusCode, int64(status)))
}

// statusText is a status code as error.type has it.
func statusText(status int) string {
	return string([]byte{byte('0' + status/100), byte('0' + status/10%10), byte('0' + status%10)})
}

// setOutcome sets the delivery's outcome; the first one set stays.
func (wt *webhookTrace) setOutcome(o string) {
	if wt != nil && wt.outcome == "" {
		wt.outcome = o
	}
}

// signature records the signature check's result: "valid", "missing",
// "invalid", "too_large" or "malformed".
func (wt *webhookTrace) signature(err error) {
	if wt == nil {
		return
	}
	s := "valid"
	switch {
	case err == nil:
	case errors.Is(err, ErrMissingSignature):
		s = "missing"
	case errors.Is(err, ErrInvalidSignature):
		s = "invalid"
	case errors.Is(err, ErrBodyTooLarge):
		s = "too_large"
	case errors.Is(err, ErrMalformedWebhook):
		s = "malformed"
	default:
		s = "error"
	}
	wt.span.SetAttributes(StringAttr(attrSignature, s))
	if err != nil {
		wt.setOutcome("signature_" + s)
	}
}

// event records the decoded event's type and names the span after it.
func (wt *webhookTrace) event(t EventType) {
	if wt == nil {
		return
	}
	wt.eventType = eventTypeName(t)
	wt.span.SetName(spanWebhook + " " + wt.eventType)
	wt.span.SetAttributes(StringAttr(attrEventType, wt.eventType))
}

// eventTypeName is t when it is one of Twilio's documented event types,
// else "unknown": the field comes from the request.
func eventTypeName(t EventType) string {
	switch t {
	case EventConversationAdd, EventConversationAdded, EventConversationUpdate, EventConversationUpdated,
		EventConversationRemove, EventConversationRemoved, EventConversationStateUpdated,
		EventMessageAdd, EventMessageAdded, EventMessageUpdate, EventMessageUpdated,
		EventMessageRemove, EventMessageRemoved, EventParticipantAdd, EventParticipantAdded,
		EventParticipantUpdate, EventParticipantUpdated, EventParticipantRemove, EventParticipantRemoved,
		EventDeliveryUpdated, EventUserAdded, EventUserUpdate, EventUserUpdated:
		return string(t)
	}
	return eventTypeUnknown
}

// duplicate records the duplicate filter's answer: "new", "in_progress",
// "done" or "error".
func (wt *webhookTrace) duplicate(outcome string) {
	if wt == nil {
		return
	}
	wt.span.SetAttributes(StringAttr(attrDuplicate, outcome))
	wt.tel.Record(wt.ctx, MetricWebhookDuplicates, 1, StringAttr(attrDuplicate, outcome))
}

// tokenOutcome names a duplicate filter's TokenState.
func tokenOutcome(s TokenState) string {
	switch s {
	case TokenDone:
		return "done"
	case TokenInProgress:
		return "in_progress"
	}
	return "new"
}

// callbackStarted marks the start of the callback.
func (wt *webhookTrace) callbackStarted() {
	if wt != nil {
		wt.cbStart = time.Now()
	}
}

// callbackEnded records the callback's run time: outcome is "ok", "error"
// or "deadline_exceeded" (a pre-event callback that did not answer in time;
// the duration is then the time the handler waited).
func (wt *webhookTrace) callbackEnded(outcome string) {
	if wt == nil {
		return
	}
	d := time.Since(wt.cbStart).Seconds()
	wt.span.SetAttributes(FloatAttr(attrCallbackDuration, d), StringAttr(attrCallbackOutcome, outcome))
	wt.tel.Record(wt.ctx, MetricWebhookCallbackDuration, d, StringAttr(attrEventType, wt.eventType),
		StringAttr(attrCallbackOutcome, outcome))
}

// decision records a pre-event's answer and whether its deadline was hit.
func (wt *webhookTrace) decision(d Decision, late bool) {
	if wt == nil {
		return
	}
	wt.span.SetAttributes(StringAttr(attrDecision, decisionName(d.action)), BoolAttr(attrDeadlineHit, late))
}

// decisionName is a decision's attribute value: its String with
// underscores for spaces (allow, reject, modify_conversation,
// modify_message).
func decisionName(a decisionAction) string {
	return strings.ReplaceAll(a.String(), " ", "_")
}

// callbackOutcome names a callback's result for telemetry.
func callbackOutcome(err error, late bool) string {
	switch {
	case late:
		return callbackOutcomeLate
	case err != nil:
		return callbackOutcomeError
	}
	return callbackOutcomeOK
}
