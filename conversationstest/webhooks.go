package conversationstest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conversations-go/conversations"
)

// hookConfig is a global or service webhook configuration.
type hookConfig struct {
	preURL, postURL string
	method          string // "GET" or "POST"; "" when never set (service level)
	filters         []string
	target          string // global only: "webhook" or "flex"
}

// origin says who caused an action, which decides whether webhooks fire and
// what Source they carry. Every event carries a Source. Twilio documents
// API (REST) and SDK (client SDKs); for the other causes the values are the
// emulator's assumptions:
//
//   - an inbound message and what it causes (auto-creation, a state change):
//     its channel in upper case, SMS or WHATSAPP, as payloads captured from
//     Twilio show;
//   - a delivery receipt (onDeliveryUpdated): the recipient's channel, SMS or
//     WHATSAPP, the channel that reported it;
//   - a conversation timer (onConversationStateUpdated with Reason TIMER):
//     SYSTEM.
type origin struct {
	source         string // API, SDK, SMS, WHATSAPP, SYSTEM, …
	clientIdentity string // for SDK actions
	fire           bool   // REST: X-Twilio-Webhook-Enabled: true; everything else: always
}

func (c *call) origin() origin { return origin{source: "API", fire: c.hooks} }

// timerOrigin is the origin of what a conversation timer does.
var timerOrigin = origin{source: "SYSTEM", fire: true}

// channelOrigin is the origin of an inbound message or a delivery receipt
// on channel ("sms", "whatsapp", …).
func channelOrigin(channel string) origin {
	return origin{source: strings.ToUpper(channel), fire: true}
}

// hookTarget resolves where the pre- or post-event hook of svc goes: the
// service's own URL when it has one, else the account-level (global) one.
// The emulator's lock must be held.
func (e *Emulator) hookTarget(svc *service, pre bool) (target, method string, filters []string) {
	pick := func(h *hookConfig) string {
		if pre {
			return h.preURL
		}
		return h.postURL
	}
	h := &svc.hooks
	if pick(h) == "" {
		h = &e.globalHooks
	}
	if pick(h) == "" {
		return "", "", nil
	}
	method = h.method
	if method == "" {
		method = "POST"
	}
	return pick(h), method, h.filters
}

// commonParams adds the fields every event carries.
func (e *Emulator) commonParams(typ string, o origin, p url.Values) url.Values {
	p.Set("AccountSid", e.cfg.accountSID)
	p.Set("EventType", typ)
	p.Set("Source", o.source)
	if o.clientIdentity != "" {
		p.Set("ClientIdentity", o.clientIdentity)
	}
	return p
}

// preEvent runs the pre-event hook typ, if one is configured for svc and
// listed in its filters, and returns the fields the hook asked to change.
// A 4xx or 5xx answer rejects the action; a timeout, a transport error or
// an unreadable answer lets it through unchanged (fail-open), as Twilio
// does. It must be called without the emulator's lock.
func (e *Emulator) preEvent(svc *service, o origin, typ string, p url.Values) (map[string]json.RawMessage, error) {
	if !o.fire {
		return nil, nil
	}
	e.mu.Lock()
	target, method, filters := e.hookTarget(svc, true)
	e.mu.Unlock()
	if target == "" || !slices.Contains(filters, typ) {
		return nil, nil
	}
	status, body, err := e.deliver(e.dispatch.ctx, target, method, e.commonParams(typ, o, p))
	decision, mods := preDecision(status, body, err) // hooklog.go
	if decision == DecisionRejected {
		return nil, errorf(http.StatusForbidden, codeRejected,
			"The action was rejected by the %s pre-event webhook (HTTP %d)", typ, status)
	}
	return mods, nil
}

// modString returns the string a pre-event hook set for key, if any.
func modString(mods map[string]json.RawMessage, key string) (string, bool, error) {
	raw, ok := mods[key]
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, badRequest(codeInvalidParam, "The pre-event webhook set %s to a non-string value", key)
	}
	return s, true, nil
}

// postEvent queues the post-event typ for delivery to the global or service
// hook and to the conversation's scoped webhooks that ask for it. Delivery
// is asynchronous and ordered per conversation. The lock must be held.
func (e *Emulator) postEvent(svc *service, conv *conversation, o origin, typ string, p url.Values) {
	if !o.fire {
		return
	}
	p = e.commonParams(typ, o, p)
	p.Set("RetryCount", "0")
	key := svc.sid
	if conv != nil {
		key = conv.sid
	}
	if target, method, filters := e.hookTarget(svc, false); target != "" && slices.Contains(filters, typ) {
		e.queueDelivery(key, target, method, p)
	}
	if conv == nil {
		return
	}
	for _, wh := range conv.webhooks.all() {
		switch wh.target {
		case "webhook":
			if wh.url != "" && slices.Contains(wh.filters, typ) {
				e.queueDelivery(key, wh.url, strings.ToUpper(wh.method), p)
			}
		case "trigger":
			if wh.url != "" && typ == "onMessageAdded" && matchesTrigger(p.Get("Body"), wh.triggers) {
				e.queueDelivery(key, wh.url, strings.ToUpper(wh.method), p)
			}
		}
	}
}

// matchesTrigger reports whether body contains one of the keywords as a word.
func matchesTrigger(body string, keywords []string) bool {
	words := strings.FieldsFunc(strings.ToLower(body), func(r rune) bool {
		return !(r == '_' || r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || r > 127)
	})
	for _, k := range keywords {
		if slices.Contains(words, strings.ToLower(k)) {
			return true
		}
	}
	return false
}

func (e *Emulator) queueDelivery(key, target, method string, p url.Values) {
	p = cloneValues(p)
	e.dispatch.enqueue(key, func(ctx context.Context) {
		e.deliver(ctx, target, method, p)
	})
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// deliver sends one webhook as Twilio does: a form body (or the query string
// for GET), X-Twilio-Signature over the target URL (and form parameters),
// I-Twilio-Idempotency-Token and User-Agent TwilioProxy/1.1 (headers seen on
// captured Twilio webhooks). It sends once and never retries, whatever the
// answer: Twilio publishes no retry policy for Conversations webhooks (the
// emulator's assumption). It returns the status and up to 64 KiB of the body.
func (e *Emulator) deliver(ctx context.Context, target, method string, p url.Values) (status int, body []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.webhookTimeout)
	defer cancel()
	start := time.Now()
	defer func() { e.recordDelivery(target, method, p, start, status, body, err) }() // hooklog.go
	// A URL with no path is requested, and so signed, as "/": that is the
	// URL a validator rebuilds from the request it receives.
	if u, err := url.Parse(target); err == nil && u.Path == "" && u.Opaque == "" {
		u.Path = "/"
		target = u.String()
	}
	var (
		req *http.Request
		sig string
	)
	if method == "GET" {
		u := target
		if strings.Contains(u, "?") {
			u += "&" + p.Encode()
		} else {
			u += "?" + p.Encode()
		}
		sig = conversations.ComputeSignature(e.cfg.authToken, u, nil)
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	} else {
		sig = conversations.ComputeSignature(e.cfg.authToken, target, p)
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(p.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		}
	}
	if err != nil {
		e.logf("webhook %s %s: %v", p.Get("EventType"), target, err)
		return 0, nil, err
	}
	req.Header.Set("X-Twilio-Signature", sig)
	req.Header.Set("I-Twilio-Idempotency-Token", newUUID())
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set("Accept", "*/*")
	resp, err := e.cfg.httpClient.Do(req)
	if err != nil {
		e.logf("webhook %s %s %s: %v", p.Get("EventType"), method, target, err)
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e.logf("webhook %s %s %s: %d", p.Get("EventType"), method, target, resp.StatusCode)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

func (e *Emulator) logf(format string, args ...any) {
	if e.cfg.logger != nil {
		e.cfg.logger.Printf(format, args...)
	}
}

// Event payload builders, with the fields Twilio documents for each event.

func (e *Emulator) conversationParams(conv *conversation) url.Values {
	p := url.Values{}
	p.Set("ConversationSid", conv.sid)
	p.Set("ChatServiceSid", conv.svc.sid)
	p.Set("MessagingServiceSid", conv.messagingServiceSid)
	p.Set("DateCreated", fmtDate(conv.created))
	p.Set("DateUpdated", fmtDate(conv.updated))
	p.Set("FriendlyName", conv.friendlyName)
	p.Set("UniqueName", conv.uniqueName)
	p.Set("Attributes", conv.attributes)
	p.Set("State", conv.state)
	return p
}

func (e *Emulator) participantParams(conv *conversation, pt *participant) url.Values {
	p := url.Values{}
	p.Set("ConversationSid", conv.sid)
	p.Set("ChatServiceSid", conv.svc.sid)
	if pt.sid != "" {
		p.Set("ParticipantSid", pt.sid)
		p.Set("DateCreated", fmtDate(pt.created))
		p.Set("DateUpdated", fmtDate(pt.updated))
	}
	if pt.identity != "" {
		p.Set("Identity", pt.identity)
	}
	if pt.roleSid != "" {
		p.Set("RoleSid", pt.roleSid)
	}
	p.Set("Attributes", pt.attributes)
	p.Set("MessagingBinding.Type", strings.ToUpper(pt.channel))
	if pt.address != "" {
		p.Set("MessagingBinding.Address", pt.address)
	}
	if pt.proxyAddress != "" {
		p.Set("MessagingBinding.ProxyAddress", pt.proxyAddress)
	}
	if pt.projectedAddress != "" {
		p.Set("MessagingBinding.ProjectedAddress", pt.projectedAddress)
	}
	return p
}

func (e *Emulator) messageParams(conv *conversation, m *message) url.Values {
	p := url.Values{}
	p.Set("ConversationSid", conv.sid)
	p.Set("ChatServiceSid", conv.svc.sid)
	p.Set("MessagingServiceSid", conv.messagingServiceSid)
	if m.sid != "" {
		p.Set("MessageSid", m.sid)
		p.Set("Index", strconv.Itoa(m.index))
		p.Set("DateCreated", fmtDate(m.created))
	}
	if m.body != nil {
		p.Set("Body", *m.body)
	}
	p.Set("Author", m.author)
	if m.participantSid != "" {
		p.Set("ParticipantSid", m.participantSid)
	}
	p.Set("Attributes", m.attributes)
	if len(m.media) > 0 {
		type media struct {
			Sid         string  `json:"Sid"`
			Filename    *string `json:"Filename"`
			ContentType string  `json:"ContentType"`
			Size        int     `json:"Size"`
		}
		ms := make([]media, len(m.media))
		for i, md := range m.media {
			ms[i] = media{md.Sid, md.Filename, md.ContentType, md.Size}
		}
		b, _ := json.Marshal(ms)
		p.Set("Media", string(b))
	}
	return p
}
