package conversationstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// hookLogSize is how many webhook deliveries the log keeps (the newest).
const hookLogSize = 1000

// hookExcerptSize caps the excerpt of a webhook's answer kept in the log
// (the URL and the error text have their own caps, webhook_urls.go), so one
// entry stays a few KiB.
const hookExcerptSize = 1 << 10

// Decisions taken on a pre-event webhook's answer, as the log shows them.
const (
	DecisionAllowed  = "allowed"   // a 2xx or 3xx answer that changed nothing
	DecisionModified = "modified"  // a JSON answer that changed fields
	DecisionRejected = "rejected"  // a 4xx or 5xx answer: the action was refused
	DecisionFailOpen = "fail-open" // no answer in time (or none at all): let through
)

// WebhookDelivery is one webhook the emulator delivered, as
// GET /_emulator/webhooks lists it.
type WebhookDelivery struct {
	ID              int64     `json:"id"`
	Time            time.Time `json:"time"` // when it was sent, by the emulator's clock
	Event           string    `json:"event"`
	Pre             bool      `json:"pre"` // a pre-event (onMessageAdd, …), answered before the action
	URL             string    `json:"url"`
	Method          string    `json:"method"`
	ConversationSid string    `json:"conversation_sid,omitempty"`
	Status          int       `json:"status"` // 0 when there was no answer
	LatencyMS       float64   `json:"latency_ms"`
	ResponseExcerpt string    `json:"response_excerpt"`
	Error           string    `json:"error,omitempty"`
	Decision        string    `json:"decision,omitempty"` // pre-events only: Decision…
}

// hookLog is the bounded log of webhook deliveries. It has its own mutex:
// deliveries are recorded without the emulator's lock.
type hookLog struct {
	mu      sync.Mutex
	entries []WebhookDelivery // oldest first, at most hookLogSize
	nextID  int64
}

func (l *hookLog) add(d WebhookDelivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	d.ID = l.nextID
	if len(l.entries) >= hookLogSize {
		copy(l.entries, l.entries[1:])
		l.entries = l.entries[:len(l.entries)-1]
	}
	l.entries = append(l.entries, d)
}

// after returns the entries with an ID above id, oldest first.
func (l *hookLog) after(id int64) []WebhookDelivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []WebhookDelivery{}
	for _, d := range l.entries {
		if d.ID > id {
			out = append(out, d)
		}
	}
	return out
}

func (l *hookLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// isPreEvent reports whether typ is a pre-event: Twilio's pre-events are
// the names without the past tense (onMessageAdd, not onMessageAdded).
func isPreEvent(typ string) bool { return !strings.HasSuffix(typ, "ed") }

// preDecision decides what a pre-event webhook's answer does: reject the
// action, change fields (mods), or let it through unchanged. It is the one
// place that rule lives; preEvent acts on it and the log records it.
func preDecision(status int, body []byte, err error) (string, map[string]json.RawMessage) {
	if err != nil {
		return DecisionFailOpen, nil
	}
	if status >= 400 {
		return DecisionRejected, nil
	}
	body = bytes.TrimSpace(body)
	if status >= 300 || len(body) == 0 {
		return DecisionAllowed, nil
	}
	var mods map[string]json.RawMessage
	if json.Unmarshal(body, &mods) != nil || len(mods) == 0 {
		return DecisionAllowed, nil
	}
	return DecisionModified, mods
}

// recordDelivery adds one delivery to the log. The emulator's lock must not
// be held.
func (e *Emulator) recordDelivery(target, method string, p url.Values, start time.Time, status int, body []byte, err error) {
	typ := p.Get("EventType")
	d := WebhookDelivery{
		Event:           typ,
		Pre:             isPreEvent(typ),
		URL:             truncateLog(redactURL(target), hookURLLogSize),
		Method:          method,
		ConversationSid: p.Get("ConversationSid"),
		Status:          status,
		LatencyMS:       float64(time.Since(start).Microseconds()) / 1000,
	}
	e.mu.Lock()
	d.Time = e.nowLocked()
	e.mu.Unlock()
	if d.Pre {
		d.Decision, _ = preDecision(status, body, err)
	}
	if len(body) > hookExcerptSize {
		body = body[:hookExcerptSize]
	}
	d.ResponseExcerpt = strings.ToValidUTF8(string(body), "\uFFFD")
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
		}
		d.Error = truncateLog(strings.ToValidUTF8(err.Error(), "\uFFFD"), hookErrorLogSize)
		d.Status = 0
	}
	e.hooklog.add(d)
	e.changed() // the inspector shows the log
}

// redactURL removes user info (user:password@) from a webhook URL.
func redactURL(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.User == nil {
		return target
	}
	u.User = nil
	return u.String()
}

func (e *Emulator) controlWebhooks(r *http.Request) (int, any, error) {
	var after int64
	if s := formparse.Query(r.URL).Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, nil, controlErr(http.StatusBadRequest, "after must be a delivery id (a non-negative integer), got %q", s)
		}
		after = n
	}
	return http.StatusOK, map[string]any{"deliveries": e.hooklog.after(after)}, nil
}
