package conversationstest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxScopedWebhooks is how many webhooks a conversation may have (50361).
const maxScopedWebhooks = 5

// scopedWebhook is a Conversation-scoped Webhook (WH…). Targets webhook and
// trigger post to their URL; studio is stored but runs no flow.
type scopedWebhook struct {
	sid              string
	target           string // webhook, trigger or studio
	url              string
	method           string // get or post
	filters          []string
	triggers         []string
	flowSid          string
	replayAfter      *int
	created, updated time.Time
}

type scopedWebhookJSON struct {
	AccountSid      string         `json:"account_sid"`
	ChatServiceSid  *string        `json:"chat_service_sid,omitempty"`
	ConversationSid string         `json:"conversation_sid"`
	Sid             string         `json:"sid"`
	Target          string         `json:"target"`
	Configuration   map[string]any `json:"configuration"`
	DateCreated     string         `json:"date_created"`
	DateUpdated     string         `json:"date_updated"`
	URL             string         `json:"url"`
}

func (e *Emulator) renderScopedWebhook(c *call, conv *conversation, w *scopedWebhook) any {
	cfg := map[string]any{}
	switch w.target {
	case "studio":
		cfg["flow_sid"] = w.flowSid
	case "trigger":
		cfg["url"], cfg["method"], cfg["filters"] = w.url, w.method, nonNil(w.triggers)
	default:
		cfg["url"], cfg["method"], cfg["filters"] = w.url, w.method, nonNil(w.filters)
	}
	if w.replayAfter != nil {
		cfg["replay_after"] = *w.replayAfter
	}
	return scopedWebhookJSON{
		AccountSid:      e.cfg.accountSID,
		ChatServiceSid:  c.chatServiceSid(conv.svc),
		ConversationSid: conv.sid,
		Sid:             w.sid,
		Target:          w.target,
		Configuration:   cfg,
		DateCreated:     fmtDate(w.created),
		DateUpdated:     fmtDate(w.updated),
		URL:             c.conversationURL(conv) + "/Webhooks/" + w.sid,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (e *Emulator) scopedWebhookRoutes() {
	const base = "/Conversations/{ConversationSid}/Webhooks"
	e.handleBoth("POST", base, e.createScopedWebhook)
	e.handleBoth("GET", base, e.listScopedWebhooks)
	e.handleBoth("GET", base+"/{Sid}", e.fetchScopedWebhook)
	e.handleBoth("POST", base+"/{Sid}", e.updateScopedWebhook)
	e.handleBoth("DELETE", base+"/{Sid}", e.deleteScopedWebhook)
}

// scopedWebhook resolves a webhook of conv. The lock must be held.
func (c *call) scopedWebhook(conv *conversation) (*scopedWebhook, error) {
	sid := c.r.PathValue("Sid")
	if !isSID(sid, "WH") {
		return nil, badRequest(codeWebhookSid, "Invalid webhook SID %q", sid)
	}
	if w, ok := conv.webhooks.get(sid); ok {
		return w, nil
	}
	return nil, notFound(c.r.URL.Path)
}

// applyScopedConfig reads the Configuration.* parameters into w.
func (c *call) applyScopedConfig(w *scopedWebhook) error {
	if c.has("Configuration.Url") {
		u := c.param("Configuration.Url")
		if err := checkWebhookURL("Configuration.Url", u, codeWebhookURLTooLong); err != nil {
			return err
		}
		if pu, err := url.Parse(u); err != nil || pu.Scheme == "" || pu.Host == "" {
			return invalidParam("Configuration.Url", u)
		}
		w.url = u
	}
	if c.has("Configuration.Method") {
		m := strings.ToLower(c.param("Configuration.Method"))
		if m != "get" && m != "post" {
			return invalidParam("Configuration.Method", c.param("Configuration.Method"))
		}
		w.method = m
	}
	if c.has("Configuration.Filters") {
		w.filters = c.form["Configuration.Filters"]
	}
	if c.has("Configuration.Triggers") {
		w.triggers = c.form["Configuration.Triggers"]
	}
	if c.has("Configuration.FlowSid") {
		if fs := c.param("Configuration.FlowSid"); !isSID(fs, "FW") {
			return invalidParam("Configuration.FlowSid", fs)
		}
		w.flowSid = c.param("Configuration.FlowSid")
	}
	return nil
}

func (e *Emulator) createScopedWebhook(c *call) (int, any, error) {
	w := &scopedWebhook{target: c.param("Target"), method: "post"}
	switch w.target {
	case "":
		return 0, nil, missingParam("Target")
	case "webhook", "trigger", "studio":
	default:
		return 0, nil, invalidParam("Target", w.target)
	}
	if err := c.applyScopedConfig(w); err != nil {
		return 0, nil, err
	}
	if w.target == "studio" && w.flowSid == "" {
		return 0, nil, missingParam("Configuration.FlowSid")
	}
	if w.target != "studio" && w.url == "" {
		return 0, nil, missingParam("Configuration.Url")
	}
	if c.has("Configuration.ReplayAfter") {
		n, err := strconv.Atoi(c.param("Configuration.ReplayAfter"))
		if err != nil || n < 0 {
			return 0, nil, invalidParam("Configuration.ReplayAfter", c.param("Configuration.ReplayAfter"))
		}
		w.replayAfter = &n
	}
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	if conv.webhooks.len() >= maxScopedWebhooks {
		return 0, nil, badRequest(codeWebhookLimit, "Conversation %s already has the maximum of %d webhooks", conv.sid, maxScopedWebhooks)
	}
	now := e.nowLocked()
	w.sid = newSID("WH")
	w.created, w.updated = now, now
	conv.webhooks.put(w.sid, w)
	if w.replayAfter != nil && w.target != "studio" {
		// Replay the messages from that index on, as onMessageAdded.
		for _, m := range conv.messages.all() {
			if m.index >= *w.replayAfter {
				// A replay is caused by this REST call: Source API (the
				// emulator's assumption).
				p := e.commonParams("onMessageAdded", origin{source: "API"}, e.messageParams(conv, m))
				e.queueDelivery(conv.sid, w.url, strings.ToUpper(w.method), p)
			}
		}
	}
	return http.StatusCreated, e.renderScopedWebhook(c, conv, w), nil
}

func (e *Emulator) listScopedWebhooks(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	return okList(paginate(c, conv.webhooks.all(), listOpts{"webhooks", 5, 5},
		func(w *scopedWebhook) any { return e.renderScopedWebhook(c, conv, w) }))
}

func (e *Emulator) fetchScopedWebhook(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	w, err := c.scopedWebhook(conv)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderScopedWebhook(c, conv, w), nil
}

func (e *Emulator) updateScopedWebhook(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	w, err := c.scopedWebhook(conv)
	if err != nil {
		return 0, nil, err
	}
	draft := *w
	if err := c.applyScopedConfig(&draft); err != nil {
		return 0, nil, err
	}
	draft.updated = e.nowLocked()
	*w = draft
	return http.StatusOK, e.renderScopedWebhook(c, conv, w), nil
}

func (e *Emulator) deleteScopedWebhook(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	w, err := c.scopedWebhook(conv)
	if err != nil {
		return 0, nil, err
	}
	conv.webhooks.remove(w.sid)
	return http.StatusNoContent, nil, nil
}
