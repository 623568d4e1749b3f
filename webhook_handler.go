package conversations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// RejectStatus is the status [WebhookHandler] answers a rejected pre-event
// with. Twilio drops the action on any 4xx or 5xx; 422 tells it apart from
// a bad signature (403) in logs.
const RejectStatus = http.StatusUnprocessableEntity

// InProgressStatus is the status [WebhookHandler] answers a redelivered
// post-event with while the callback for an earlier delivery of it (same
// I-Twilio-Idempotency-Token) is still running, and a new post-event when
// its [DuplicateFilter] is full of deliveries in progress
// ([ErrDuplicateFilterFull]); both with Retry-After: 5. It is a 5xx so that
// the delivery is not acknowledged: answering 200 would lose the event if
// the first attempt then failed. Whether Twilio delivers a Conversations
// webhook again after a 5xx, and when, is not published; this package
// assumes it may, and that a later delivery finds the first attempt either
// succeeded (answered 200) or failed and released (the callback runs).
const InProgressStatus = http.StatusServiceUnavailable

// Decision is a pre-event callback's answer: [Allow], [Reject],
// [ModifyConversation] or [ModifyMessage]. The zero Decision allows.
type Decision struct {
	action  decisionAction
	conv    ConversationChanges
	message MessageChanges
}

type decisionAction int

func (a decisionAction) String() string {
	switch a {
	case actionAllow:
		return "allow"
	case actionReject:
		return "reject"
	case actionModifyConversation:
		return "modify conversation"
	case actionModifyMessage:
		return "modify message"
	}
	return "invalid"
}

const (
	actionAllow decisionAction = iota
	actionReject
	actionModifyConversation
	actionModifyMessage
)

// ConversationChanges lists the fields of a conversation that an
// onConversationAdd or onConversationUpdate callback changes. Nil fields
// stay as they were.
type ConversationChanges struct {
	FriendlyName *string
}

// MessageChanges lists the fields of a message that an onMessageAdd or
// onMessageUpdate callback changes. Nil fields and zero Attributes stay as
// they were.
type MessageChanges struct {
	Body       *string
	Author     *string
	Attributes Attributes
}

// Allow lets the action happen unchanged (200 with {}).
func Allow() Decision { return Decision{} }

// Reject stops the action: the handler answers [RejectStatus] and Twilio
// publishes nothing. An SDK or REST caller gets an error.
func Reject() Decision { return Decision{action: actionReject} }

// ModifyConversation lets onConversationAdd or onConversationUpdate happen
// with changed fields: the handler answers 200 with JSON of the changed
// fields only, such as {"friendly_name":"…"}.
func ModifyConversation(c ConversationChanges) Decision {
	return Decision{action: actionModifyConversation, conv: c}
}

// ModifyMessage lets onMessageAdd or onMessageUpdate happen with changed
// fields: the handler answers 200 with JSON of the changed fields only,
// among body, author and attributes (sent as a JSON string, as Twilio
// requires). Attributes must be valid JSON.
func ModifyMessage(m MessageChanges) Decision {
	return Decision{action: actionModifyMessage, message: m}
}

// responseBody returns the JSON answer of an allowing or modifying decision
// for a pre-event of type t.
func (d Decision) responseBody(t EventType) ([]byte, error) {
	switch d.action {
	case actionAllow:
		return []byte("{}"), nil
	case actionModifyConversation:
		if t != EventConversationAdd && t != EventConversationUpdate {
			return nil, fmt.Errorf("conversations: ModifyConversation is not valid for %s", t)
		}
		return json.Marshal(struct {
			FriendlyName *string `json:"friendly_name,omitempty"`
		}{d.conv.FriendlyName})
	case actionModifyMessage:
		if t != EventMessageAdd && t != EventMessageUpdate {
			return nil, fmt.Errorf("conversations: ModifyMessage is not valid for %s", t)
		}
		var attrs *string
		if !d.message.Attributes.IsZero() {
			if !d.message.Attributes.Valid() {
				return nil, ErrInvalidAttributes
			}
			s := d.message.Attributes.String()
			attrs = &s
		}
		return json.Marshal(struct {
			Body       *string `json:"body,omitempty"`
			Author     *string `json:"author,omitempty"`
			Attributes *string `json:"attributes,omitempty"`
		}{d.message.Body, d.message.Author, attrs})
	}
	return nil, fmt.Errorf("conversations: invalid decision")
}

type (
	preFunc  func(ctx context.Context, ev Event) (Decision, error)
	postFunc func(ctx context.Context, ev Event) error
)

// WebhookHandler is an http.Handler for Conversations webhooks. It validates
// each request's X-Twilio-Signature, decodes the event and calls the
// callback registered for its type with the request's context:
//
//   - a method other than POST or GET: 405;
//   - no signature: 400; a signature that does not match: 403;
//     a body over the cap: 413; a malformed form or field: 400;
//   - an event with no callback: 200 with an empty body;
//   - a pre-event: the callback's [Decision]: 200 with {} (allow),
//     200 with the changed fields (modify), [RejectStatus] (reject); a
//     callback error or a decision that does not fit the event: 500, which
//     Twilio also treats as a rejection; a callback that has not answered
//     within the pre-event timeout ([DefaultPreEventTimeout], 4.5 s, or
//     [WithPreEventTimeout]): the timeout decision, 200 with {} by default,
//     since Twilio publishes the action unchanged after 5 s anyway and
//     ignores a later answer (a late rejection is not honoured);
//   - a post-event: 200, or 500 when the callback returns an error;
//   - with a [DuplicateFilter], a post-event whose I-Twilio-Idempotency-Token
//     was handled successfully: 200 without calling the callback; one whose
//     callback is still running for an earlier delivery: [InProgressStatus];
//     a filter error: 500.
//
// A panicking callback is answered 500 (so a pre-event is rejected rather
// than published after Twilio's 5 s timeout). A pre-event callback runs in
// its own goroutine, with a context that ends at the pre-event timeout, so
// that the handler can answer in time; one that ignores its context keeps
// running after the answer. Register callbacks before
// serving; the On methods are not safe to call concurrently with ServeHTTP.
type WebhookHandler struct {
	token   string
	cfg     *webhookConfig
	log     *slog.Logger
	pre     map[EventType]preFunc
	post    map[EventType]postFunc
	unknown func(ctx context.Context, ev *UnknownEvent) error
}

// NewWebhookHandler returns a handler that validates webhooks with authToken
// (and any [WithSecondaryAuthTokens]). Options: [WithPublicURL],
// [WithTrustedProxy], [WithMaxBodyBytes], [WithDuplicateFilter],
// [WithPreEventTimeout], [WithWebhookLogger]. It fails when authToken is
// empty or an option is invalid.
func NewWebhookHandler(authToken string, opts ...WebhookOption) (*WebhookHandler, error) {
	cfg := newWebhookConfig(opts)
	if authToken == "" {
		return nil, ErrNoAuthToken
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &WebhookHandler{
		token: authToken,
		cfg:   cfg,
		log:   log,
		pre:   map[EventType]preFunc{},
		post:  map[EventType]postFunc{},
	}, nil
}

// WithDuplicateFilter makes [WebhookHandler] run each post-event callback
// once per I-Twilio-Idempotency-Token: a redelivery of an event that was
// handled successfully is answered 200 without calling the callback again;
// a redelivery that arrives while the callback still runs is answered
// [InProgressStatus]; after a failed callback the token is released, so a
// redelivery runs it again. Twilio publishes no retry policy for
// Conversations webhooks: that redeliveries happen, and carry the first
// delivery's token, is this package's assumption (see [IdempotencyHeader]);
// the filter is harmless when they do not. Pre-events are not filtered,
// since every answer to them must carry the decision.
// [NewMemoryDuplicateFilter] is an in-memory filter for one process.
func WithDuplicateFilter(f DuplicateFilter) WebhookOption {
	return func(c *webhookConfig) { c.dupes = f }
}

// WithWebhookLogger makes [WebhookHandler] log rejected requests and
// callback errors to l. Tokens and signatures are never logged.
func WithWebhookLogger(l *slog.Logger) WebhookOption {
	return func(c *webhookConfig) { c.logger = l }
}

func onPre[E Event](h *WebhookHandler, t EventType, fn func(context.Context, E) (Decision, error)) {
	h.pre[t] = func(ctx context.Context, ev Event) (Decision, error) {
		e, ok := ev.(E)
		if !ok {
			return Decision{}, fmt.Errorf("conversations: event %s has type %T", t, ev)
		}
		return fn(ctx, e)
	}
}

func onPost[E Event](h *WebhookHandler, t EventType, fn func(context.Context, E) error) {
	h.post[t] = func(ctx context.Context, ev Event) error {
		e, ok := ev.(E)
		if !ok {
			return fmt.Errorf("conversations: event %s has type %T", t, ev)
		}
		return fn(ctx, e)
	}
}

// OnConversationAdd registers the callback for onConversationAdd.
func (h *WebhookHandler) OnConversationAdd(fn func(context.Context, *ConversationAddEvent) (Decision, error)) {
	onPre(h, EventConversationAdd, fn)
}

// OnConversationUpdate registers the callback for onConversationUpdate.
func (h *WebhookHandler) OnConversationUpdate(fn func(context.Context, *ConversationUpdateEvent) (Decision, error)) {
	onPre(h, EventConversationUpdate, fn)
}

// OnConversationRemove registers the callback for onConversationRemove.
func (h *WebhookHandler) OnConversationRemove(fn func(context.Context, *ConversationRemoveEvent) (Decision, error)) {
	onPre(h, EventConversationRemove, fn)
}

// OnMessageAdd registers the callback for onMessageAdd.
func (h *WebhookHandler) OnMessageAdd(fn func(context.Context, *MessageAddEvent) (Decision, error)) {
	onPre(h, EventMessageAdd, fn)
}

// OnMessageUpdate registers the callback for onMessageUpdate.
func (h *WebhookHandler) OnMessageUpdate(fn func(context.Context, *MessageUpdateEvent) (Decision, error)) {
	onPre(h, EventMessageUpdate, fn)
}

// OnMessageRemove registers the callback for onMessageRemove.
func (h *WebhookHandler) OnMessageRemove(fn func(context.Context, *MessageRemoveEvent) (Decision, error)) {
	onPre(h, EventMessageRemove, fn)
}

// OnParticipantAdd registers the callback for onParticipantAdd.
func (h *WebhookHandler) OnParticipantAdd(fn func(context.Context, *ParticipantAddEvent) (Decision, error)) {
	onPre(h, EventParticipantAdd, fn)
}

// OnParticipantUpdate registers the callback for onParticipantUpdate.
func (h *WebhookHandler) OnParticipantUpdate(fn func(context.Context, *ParticipantUpdateEvent) (Decision, error)) {
	onPre(h, EventParticipantUpdate, fn)
}

// OnParticipantRemove registers the callback for onParticipantRemove.
func (h *WebhookHandler) OnParticipantRemove(fn func(context.Context, *ParticipantRemoveEvent) (Decision, error)) {
	onPre(h, EventParticipantRemove, fn)
}

// OnUserUpdate registers the callback for onUserUpdate.
func (h *WebhookHandler) OnUserUpdate(fn func(context.Context, *UserUpdateEvent) (Decision, error)) {
	onPre(h, EventUserUpdate, fn)
}

// OnConversationAdded registers the callback for onConversationAdded.
func (h *WebhookHandler) OnConversationAdded(fn func(context.Context, *ConversationAddedEvent) error) {
	onPost(h, EventConversationAdded, fn)
}

// OnConversationUpdated registers the callback for onConversationUpdated.
func (h *WebhookHandler) OnConversationUpdated(fn func(context.Context, *ConversationUpdatedEvent) error) {
	onPost(h, EventConversationUpdated, fn)
}

// OnConversationRemoved registers the callback for onConversationRemoved.
func (h *WebhookHandler) OnConversationRemoved(fn func(context.Context, *ConversationRemovedEvent) error) {
	onPost(h, EventConversationRemoved, fn)
}

// OnConversationStateUpdated registers the callback for
// onConversationStateUpdated.
func (h *WebhookHandler) OnConversationStateUpdated(fn func(context.Context, *ConversationStateUpdatedEvent) error) {
	onPost(h, EventConversationStateUpdated, fn)
}

// OnMessageAdded registers the callback for onMessageAdded.
func (h *WebhookHandler) OnMessageAdded(fn func(context.Context, *MessageAddedEvent) error) {
	onPost(h, EventMessageAdded, fn)
}

// OnMessageUpdated registers the callback for onMessageUpdated.
func (h *WebhookHandler) OnMessageUpdated(fn func(context.Context, *MessageUpdatedEvent) error) {
	onPost(h, EventMessageUpdated, fn)
}

// OnMessageRemoved registers the callback for onMessageRemoved.
func (h *WebhookHandler) OnMessageRemoved(fn func(context.Context, *MessageRemovedEvent) error) {
	onPost(h, EventMessageRemoved, fn)
}

// OnParticipantAdded registers the callback for onParticipantAdded.
func (h *WebhookHandler) OnParticipantAdded(fn func(context.Context, *ParticipantAddedEvent) error) {
	onPost(h, EventParticipantAdded, fn)
}

// OnParticipantUpdated registers the callback for onParticipantUpdated.
func (h *WebhookHandler) OnParticipantUpdated(fn func(context.Context, *ParticipantUpdatedEvent) error) {
	onPost(h, EventParticipantUpdated, fn)
}

// OnParticipantRemoved registers the callback for onParticipantRemoved.
func (h *WebhookHandler) OnParticipantRemoved(fn func(context.Context, *ParticipantRemovedEvent) error) {
	onPost(h, EventParticipantRemoved, fn)
}

// OnDeliveryUpdated registers the callback for onDeliveryUpdated.
func (h *WebhookHandler) OnDeliveryUpdated(fn func(context.Context, *DeliveryUpdatedEvent) error) {
	onPost(h, EventDeliveryUpdated, fn)
}

// OnUserAdded registers the callback for onUserAdded.
func (h *WebhookHandler) OnUserAdded(fn func(context.Context, *UserAddedEvent) error) {
	onPost(h, EventUserAdded, fn)
}

// OnUserUpdated registers the callback for onUserUpdated.
func (h *WebhookHandler) OnUserUpdated(fn func(context.Context, *UserUpdatedEvent) error) {
	onPost(h, EventUserUpdated, fn)
}

// OnUnknownEvent registers the callback for event types this package does
// not know. It is handled like a post-event.
func (h *WebhookHandler) OnUnknownEvent(fn func(context.Context, *UnknownEvent) error) {
	h.unknown = fn
}

// ServeHTTP validates, decodes and dispatches one webhook.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.cfg.tel != nil {
		h.serveTraced(w, r) // webhook_telemetry.go
		return
	}
	h.serve(w, r, nil)
}

// serve is ServeHTTP; wt is the delivery's telemetry, nil without a
// Telemetry.
func (h *WebhookHandler) serve(w http.ResponseWriter, r *http.Request, wt *webhookTrace) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		wt.setOutcome(whMethodNotAllowed)
		w.Header().Set("Allow", "POST, GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	form, err := h.cfg.validateRequest(r, h.token)
	wt.signature(err)
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrMissingSignature), errors.Is(err, ErrMalformedWebhook):
			status = http.StatusBadRequest
		case errors.Is(err, ErrInvalidSignature):
			status = http.StatusForbidden
		case errors.Is(err, ErrBodyTooLarge):
			status = http.StatusRequestEntityTooLarge
		}
		h.log.LogAttrs(ctx, slog.LevelWarn, "conversations: webhook rejected",
			slog.Int("status", status), slog.String("error", err.Error()),
			slog.String("remote_addr", r.RemoteAddr), slog.String("path", r.URL.Path))
		http.Error(w, http.StatusText(status), status)
		return
	}
	if form == nil {
		wt.setOutcome(whUnsupportedBody)
		h.log.LogAttrs(ctx, slog.LevelWarn, "conversations: webhook has a JSON body; Conversations events are forms")
		http.Error(w, "unsupported webhook body", http.StatusUnsupportedMediaType)
		return
	}
	ev, err := decodeRequestEvent(r, form)
	if err != nil {
		wt.setOutcome(whMalformed)
		h.log.LogAttrs(ctx, slog.LevelWarn, "conversations: webhook not decoded", slog.String("error", err.Error()))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	wt.event(ev.EventType())
	h.dispatch(ctx, w, ev, wt)
}

func (h *WebhookHandler) dispatch(ctx context.Context, w http.ResponseWriter, ev Event, wt *webhookTrace) {
	t := ev.EventType()
	attrs := []slog.Attr{slog.String("event_type", string(t))}
	defer func() {
		if p := recover(); p != nil {
			wt.setOutcome(whPanic)
			h.log.LogAttrs(ctx, slog.LevelError, "conversations: webhook callback panicked",
				append(attrs, slog.Any("panic", p))...)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		}
	}()
	if fn, ok := h.pre[t]; ok {
		wt.callbackStarted()
		d, late, err := h.runPre(ctx, fn, ev, attrs)
		wt.callbackEnded(callbackOutcome(err, late))
		if late {
			wt.setOutcome(whTimeoutDecision)
			d = h.cfg.preOnTimeout
			h.log.LogAttrs(ctx, slog.LevelWarn, "conversations: pre-event callback did not answer in time; answering the timeout decision",
				append(attrs, slog.String("decision", d.action.String()))...)
		} else if err != nil {
			wt.setOutcome(whCallbackError)
			h.log.LogAttrs(ctx, slog.LevelError, "conversations: webhook callback failed",
				append(attrs, slog.String("error", err.Error()))...)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		wt.decision(d, late)
		if d.action == actionReject {
			wt.setOutcome(whRejected)
			w.WriteHeader(RejectStatus)
			return
		}
		body, err := d.responseBody(t)
		if err != nil {
			wt.setOutcome(whInvalidDecision)
			h.log.LogAttrs(ctx, slog.LevelError, "conversations: webhook decision invalid",
				append(attrs, slog.String("error", err.Error()))...)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		return
	}
	var run func() error
	if fn, ok := h.post[t]; ok {
		run = func() error { return fn(ctx, ev) }
	} else if u, ok := ev.(*UnknownEvent); ok && h.unknown != nil {
		run = func() error { return h.unknown(ctx, u) }
	}
	if run == nil {
		wt.setOutcome(whNoCallback)
		w.WriteHeader(http.StatusOK)
		return
	}
	token := ev.Base().IdempotencyToken
	dupes := h.cfg.dupes
	if dupes == nil || token == "" {
		if err := h.runPost(run, wt); err != nil {
			h.postFailed(ctx, w, attrs, err)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	state, res, err := dupes.Reserve(ctx, token)
	if err != nil {
		wt.duplicate(duplicateOutcomeError)
		h.log.LogAttrs(ctx, slog.LevelError, "conversations: duplicate filter failed",
			append(attrs, slog.String("error", err.Error()))...)
		if errors.Is(err, ErrDuplicateFilterFull) {
			wt.setOutcome(whFilterFull)
			w.Header().Set("Retry-After", "5")
			http.Error(w, "too many events in progress", InProgressStatus)
			return
		}
		wt.setOutcome(whFilterError)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	wt.duplicate(tokenOutcome(state))
	switch state {
	case TokenDone:
		wt.setOutcome(whDuplicate)
		h.log.LogAttrs(ctx, slog.LevelDebug, "conversations: duplicate webhook skipped", attrs...)
		w.WriteHeader(http.StatusOK)
		return
	case TokenInProgress:
		wt.setOutcome(whInProgress)
		h.log.LogAttrs(ctx, slog.LevelInfo, "conversations: duplicate webhook while the first is running", attrs...)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "event in progress", InProgressStatus)
		return
	}
	// The filter calls outlive a cancelled request: the reservation must be
	// committed or released whatever happens to the connection.
	fctx := context.WithoutCancel(ctx)
	if err := h.runPost(run, wt); err != nil {
		if rerr := dupes.Release(fctx, res); rerr != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "conversations: duplicate filter failed",
				append(attrs, slog.String("error", rerr.Error()))...)
		}
		h.postFailed(ctx, w, attrs, err)
		return
	}
	if cerr := dupes.Commit(fctx, res); cerr != nil {
		// The callback ran: acknowledge it; a redelivery may run it again.
		h.log.LogAttrs(ctx, slog.LevelError, "conversations: duplicate filter failed",
			append(attrs, slog.String("error", cerr.Error()))...)
	}
	w.WriteHeader(http.StatusOK)
}

func (h *WebhookHandler) postFailed(ctx context.Context, w http.ResponseWriter, attrs []slog.Attr, err error) {
	h.log.LogAttrs(ctx, slog.LevelError, "conversations: webhook callback failed",
		append(attrs, slog.String("error", err.Error()))...)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// runPost runs a post-event callback, turning a panic into an error so that
// the duplicate filter releases the event.
func (h *WebhookHandler) runPost(run func() error, wt *webhookTrace) (err error) {
	wt.callbackStarted()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
			wt.setOutcome(whPanic)
		}
		if err != nil {
			wt.setOutcome(whCallbackError)
		}
		wt.callbackEnded(callbackOutcome(err, false))
	}()
	return run()
}
