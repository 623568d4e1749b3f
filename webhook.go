package conversations

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// IdempotencyHeader is the header that carries a webhook's idempotency
// token, a UUID seen on real Conversations webhooks. Twilio publishes no
// retry policy for Conversations webhooks; this package assumes that a
// redelivery of an event, if Twilio makes one, carries the same token, as
// the header's name suggests, and deduplicates on it (see
// [WithDuplicateFilter]).
const IdempotencyHeader = "I-Twilio-Idempotency-Token"

// EventType is the EventType field of a Conversations webhook, such as
// "onMessageAdded". Pre-events (onXxxAdd, onXxxUpdate, onXxxRemove) are sent
// before Twilio applies an action and can reject or modify it; post-events
// (onXxxAdded, …) report what happened.
type EventType string

// The 23 Conversations webhook event types.
const (
	EventConversationAdd          EventType = "onConversationAdd"
	EventConversationAdded        EventType = "onConversationAdded"
	EventConversationUpdate       EventType = "onConversationUpdate"
	EventConversationUpdated      EventType = "onConversationUpdated"
	EventConversationRemove       EventType = "onConversationRemove"
	EventConversationRemoved      EventType = "onConversationRemoved"
	EventConversationStateUpdated EventType = "onConversationStateUpdated"
	EventMessageAdd               EventType = "onMessageAdd"
	EventMessageAdded             EventType = "onMessageAdded"
	EventMessageUpdate            EventType = "onMessageUpdate"
	EventMessageUpdated           EventType = "onMessageUpdated"
	EventMessageRemove            EventType = "onMessageRemove"
	EventMessageRemoved           EventType = "onMessageRemoved"
	EventParticipantAdd           EventType = "onParticipantAdd"
	EventParticipantAdded         EventType = "onParticipantAdded"
	EventParticipantUpdate        EventType = "onParticipantUpdate"
	EventParticipantUpdated       EventType = "onParticipantUpdated"
	EventParticipantRemove        EventType = "onParticipantRemove"
	EventParticipantRemoved       EventType = "onParticipantRemoved"
	EventDeliveryUpdated          EventType = "onDeliveryUpdated"
	EventUserAdded                EventType = "onUserAdded"
	EventUserUpdate               EventType = "onUserUpdate"
	EventUserUpdated              EventType = "onUserUpdated"
)

// IsPreEvent reports whether t is one of the 10 pre-action events, whose
// response decides whether and how the action happens.
func (t EventType) IsPreEvent() bool {
	switch t {
	case EventConversationAdd, EventConversationUpdate, EventConversationRemove,
		EventMessageAdd, EventMessageUpdate, EventMessageRemove,
		EventParticipantAdd, EventParticipantUpdate, EventParticipantRemove,
		EventUserUpdate:
		return true
	}
	return false
}

// EventSource is the Source field of a webhook: what caused the event.
type EventSource string

// Documented event sources. Other values (such as a channel name) are kept
// as they are.
const (
	SourceSDK EventSource = "SDK"
	SourceAPI EventSource = "API"
)

// StateUpdateReason says what moved a conversation to a new state.
type StateUpdateReason string

// Reasons of onConversationStateUpdated.
const (
	ReasonAPI   StateUpdateReason = "API"
	ReasonTimer StateUpdateReason = "TIMER"
	ReasonEvent StateUpdateReason = "EVENT"
)

// Event is a decoded Conversations webhook: one of the *XxxEvent types of
// this package, such as *MessageAddedEvent, or *UnknownEvent for an event
// type this package does not know. Use a type switch to reach the fields.
type Event interface {
	// EventType returns the event's type.
	EventType() EventType
	// Base returns the fields every event has, and the raw form.
	Base() *EventBase
	isEvent()
}

// EventBase holds the fields that every webhook event has. It is embedded in
// every event type.
type EventBase struct {
	// AccountSID is the account (AC…) the event belongs to.
	AccountSID string `form:"AccountSid"`
	// Source is what caused the event: SDK or API.
	Source EventSource `form:"Source"`
	// ClientIdentity is the identity of the SDK user who caused the event;
	// set only for SDK-originated events.
	ClientIdentity string `form:"ClientIdentity"`
	// RetryCount is the number of earlier delivery attempts (not documented
	// by Twilio, but seen on real webhooks).
	RetryCount int `form:"RetryCount"`
	// IdempotencyToken is the I-Twilio-Idempotency-Token header, when the
	// event was read from a request: the same for every delivery of an event.
	IdempotencyToken string
	// Form is the raw form the event was decoded from, including fields this
	// package does not know.
	Form url.Values
}

// Base returns b.
func (b *EventBase) Base() *EventBase { return b }

func (*EventBase) isEvent() {}

// UnknownEvent is an event whose EventType this package does not know. Its
// fields are in Form.
type UnknownEvent struct {
	EventBase
	// Type is the event's EventType field.
	Type EventType
}

// EventType returns e.Type.
func (e *UnknownEvent) EventType() EventType { return e.Type }

// WebhookFieldError is the error of a webhook field that cannot be decoded.
// It wraps [ErrMalformedWebhook].
type WebhookFieldError struct {
	Field string // form key, such as "Index"
	Value string // the value received
	Err   error  // what is wrong
}

// Error names the field and what is wrong with it.
func (e *WebhookFieldError) Error() string {
	return fmt.Sprintf("conversations: webhook field %q: %v", e.Field, e.Err)
}

// Unwrap returns the underlying error and ErrMalformedWebhook.
func (e *WebhookFieldError) Unwrap() []error { return []error{e.Err, ErrMalformedWebhook} }

var errMissingField = errors.New("missing")

// ParseEvent reads and decodes the webhook event of r: the form body of a
// POST (at most [DefaultMaxWebhookBody] bytes) or the query of a GET. It does
// not validate the signature; use [ValidateRequest] first, or
// [WebhookHandler], which does both. The body is put back for other readers.
// The event's IdempotencyToken is taken from the I-Twilio-Idempotency-Token
// header.
func ParseEvent(r *http.Request) (Event, error) {
	var form url.Values
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		form = formparse.Query(r.URL)
	} else {
		body, err := readBody(r, DefaultMaxWebhookBody)
		if err != nil {
			return nil, err
		}
		if form, err = formparse.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("%w: malformed form body: %v", ErrMalformedWebhook, err)
		}
	}
	return decodeRequestEvent(r, form)
}

func decodeRequestEvent(r *http.Request, form url.Values) (Event, error) {
	ev, err := DecodeEvent(form)
	if err != nil {
		return nil, err
	}
	ev.Base().IdempotencyToken = r.Header.Get(IdempotencyHeader)
	return ev, nil
}

// DecodeEvent decodes a webhook's form parameters into its typed event,
// chosen by the EventType field. An EventType this package does not know
// gives an *UnknownEvent. Every field is optional; a field that is present
// but malformed (a bad date, integer, boolean or Media list) gives a
// *[WebhookFieldError] naming it. Dates are RFC 3339, with or without
// fractional seconds, and are returned in UTC. The event keeps form as its
// raw Form.
func DecodeEvent(form url.Values) (Event, error) {
	typ := form.Get("EventType")
	if typ == "" {
		return nil, &WebhookFieldError{Field: "EventType", Err: errMissingField}
	}
	var ev Event
	if ctor, ok := eventConstructors[EventType(typ)]; ok {
		ev = ctor()
	} else {
		ev = &UnknownEvent{Type: EventType(typ)}
	}
	v := reflect.ValueOf(ev).Elem()
	for _, f := range planFor(v.Type()) {
		if err := f.decode(v.FieldByIndex(f.index), form); err != nil {
			return nil, err
		}
	}
	ev.Base().Form = form
	return ev, nil
}

// EncodeEvent encodes ev as the form Twilio would post for it: the raw Form
// (if any) overlaid with ev's typed fields that are set, and EventType. Use
// it with [NewSignedWebhookRequest] to build webhooks in tests.
func EncodeEvent(ev Event) (url.Values, error) {
	if ev == nil || reflect.ValueOf(ev).IsNil() {
		return nil, errors.New("conversations: EncodeEvent: nil event")
	}
	form := url.Values{}
	for k, vs := range ev.Base().Form {
		form[k] = append([]string(nil), vs...)
	}
	v := reflect.ValueOf(ev).Elem()
	for _, f := range planFor(v.Type()) {
		if err := f.encode(v.FieldByIndex(f.index), form); err != nil {
			return nil, err
		}
	}
	form.Set("EventType", string(ev.EventType()))
	return form, nil
}

// EventMedia is one media item of a message event's Media field.
type EventMedia struct {
	SID         string `json:"Sid"`
	Filename    string `json:"Filename"`
	ContentType string `json:"ContentType"`
	Size        int64  `json:"Size"`
}

// wireMedia accepts the key spellings seen for media items: Sid or MediaSid,
// Filename, FileName or file_name, ContentType or content_type (JSON keys
// match case-insensitively).
type wireMedia struct {
	Sid          string          `json:"Sid"`
	MediaSid     string          `json:"MediaSid"`
	Filename     string          `json:"Filename"`
	FileNameSnak string          `json:"file_name"`
	ContentType  string          `json:"ContentType"`
	ContentSnake string          `json:"content_type"`
	Size         json.RawMessage `json:"Size"`
}

// decodeMedia parses the stringified JSON array of a Media field. A single
// object is accepted as a list of one.
func decodeMedia(s string) ([]EventMedia, error) {
	s = strings.TrimSpace(s)
	var items []wireMedia
	var err error
	if strings.HasPrefix(s, "{") {
		var one wireMedia
		err = json.Unmarshal([]byte(s), &one)
		items = []wireMedia{one}
	} else {
		err = json.Unmarshal([]byte(s), &items)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid media JSON: %v", err)
	}
	if items == nil {
		return nil, nil
	}
	out := make([]EventMedia, len(items))
	for i, w := range items {
		m := EventMedia{SID: w.Sid, Filename: w.Filename, ContentType: w.ContentType}
		if m.SID == "" {
			m.SID = w.MediaSid
		}
		if m.Filename == "" {
			m.Filename = w.FileNameSnak
		}
		if m.ContentType == "" {
			m.ContentType = w.ContentSnake
		}
		if n, err := parseJSONSize(w.Size); err != nil {
			return nil, fmt.Errorf("media %d: invalid Size %.32q", i, string(w.Size))
		} else {
			m.Size = n
		}
		out[i] = m
	}
	return out, nil
}

// parseJSONSize reads a size given as a JSON number, a numeric string or null.
func parseJSONSize(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		if s == "" {
			return 0, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1<<53 || f != float64(int64(f)) {
		return 0, errors.New("invalid size")
	}
	return int64(f), nil
}

// EventBinding is the MessagingBinding.* fields of a webhook: the
// non-chat addresses of a conversation or participant. Chat participants
// have none.
type EventBinding struct {
	// Address is the participant's address, such as an E.164 phone number.
	// A group MMS conversation has several: Twilio repeats the form key, and
	// every value is kept in order.
	Address []string
	// ProxyAddress is the Twilio address the participant talks to.
	ProxyAddress string
	// ProjectedAddress is the address a chat participant of a group MMS is
	// shown as.
	ProjectedAddress string
	// AuthorAddress is the address of the author of the message that
	// created the conversation (onConversationAdd).
	AuthorAddress string
	// Type is the binding's channel: SMS, WHATSAPP or CHAT.
	Type ChannelType
}

// IsZero reports whether no MessagingBinding field was set.
func (b EventBinding) IsZero() bool {
	return len(b.Address) == 0 && b.ProxyAddress == "" && b.ProjectedAddress == "" &&
		b.AuthorAddress == "" && b.Type == ""
}

const bindingPrefix = "MessagingBinding."

func decodeBinding(b *EventBinding, form url.Values) error {
	if vs := form[bindingPrefix+"Address"]; len(vs) > 0 {
		for _, v := range vs {
			if v != "" {
				b.Address = append(b.Address, v)
			}
		}
	}
	b.ProxyAddress = form.Get(bindingPrefix + "ProxyAddress")
	b.ProjectedAddress = form.Get(bindingPrefix + "ProjectedAddress")
	b.AuthorAddress = form.Get(bindingPrefix + "AuthorAddress")
	b.Type = ChannelType(form.Get(bindingPrefix + "Type"))
	return nil
}

func (b *EventBinding) encode(form url.Values) {
	set := func(k, v string) {
		if v != "" {
			form.Set(bindingPrefix+k, v)
		}
	}
	if len(b.Address) > 0 {
		form[bindingPrefix+"Address"] = append([]string(nil), b.Address...)
	}
	set("ProxyAddress", b.ProxyAddress)
	set("ProjectedAddress", b.ProjectedAddress)
	set("AuthorAddress", b.AuthorAddress)
	set("Type", string(b.Type))
}
