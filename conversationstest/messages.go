package conversationstest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// message is a Conversation Message (IM…).
type message struct {
	sid              string
	index            int
	author           string
	body             *string
	media            []mediaRef
	attributes       string
	participantSid   string
	contentSid       string
	created, updated time.Time
	receipts         table[receipt]
}

// mediaRef is one item of a message's media field.
type mediaRef struct {
	Sid         string  `json:"sid"`
	Size        int     `json:"size"`
	ContentType string  `json:"content_type"`
	Filename    *string `json:"filename"`
}

type deliveryJSON struct {
	Total       int    `json:"total"`
	Sent        string `json:"sent"`
	Delivered   string `json:"delivered"`
	Read        string `json:"read"`
	Failed      string `json:"failed"`
	Undelivered string `json:"undelivered"`
}

type messageJSON struct {
	Sid             string            `json:"sid"`
	AccountSid      string            `json:"account_sid"`
	ChatServiceSid  *string           `json:"chat_service_sid,omitempty"`
	ConversationSid string            `json:"conversation_sid"`
	Body            *string           `json:"body"`
	Media           []mediaRef        `json:"media"`
	Author          string            `json:"author"`
	ParticipantSid  *string           `json:"participant_sid"`
	Attributes      string            `json:"attributes"`
	DateCreated     string            `json:"date_created"`
	DateUpdated     string            `json:"date_updated"`
	Index           int               `json:"index"`
	Delivery        *deliveryJSON     `json:"delivery"`
	ContentSid      *string           `json:"content_sid"`
	URL             string            `json:"url"`
	Links           map[string]string `json:"links"`
}

// delivery summarises a message's receipts: for each status, whether all,
// some or none of the non-chat recipients reached it. Nil when the message
// had no non-chat recipient.
func (m *message) delivery() *deliveryJSON {
	n := m.receipts.len()
	if n == 0 {
		return nil
	}
	count := func(statuses ...string) string {
		k := 0
		for _, r := range m.receipts.all() {
			if slices.Contains(statuses, r.status) {
				k++
			}
		}
		switch k {
		case 0:
			return "none"
		case n:
			return "all"
		}
		return "some"
	}
	return &deliveryJSON{
		Total:       n,
		Sent:        count("sent", "delivered", "read"),
		Delivered:   count("delivered", "read"),
		Read:        count("read"),
		Failed:      count("failed"),
		Undelivered: count("undelivered"),
	}
}

func (e *Emulator) renderMessage(c *call, conv *conversation, m *message) any {
	u := c.conversationURL(conv) + "/Messages/" + m.sid
	return messageJSON{
		Sid:             m.sid,
		AccountSid:      e.cfg.accountSID,
		ChatServiceSid:  c.chatServiceSid(conv.svc),
		ConversationSid: conv.sid,
		Body:            m.body,
		Media:           m.media,
		Author:          m.author,
		ParticipantSid:  strOrNil(m.participantSid),
		Attributes:      m.attributes,
		DateCreated:     fmtDate(m.created),
		DateUpdated:     fmtDate(m.updated),
		Index:           m.index,
		Delivery:        m.delivery(),
		ContentSid:      strOrNil(m.contentSid),
		URL:             u,
		Links: map[string]string{
			"delivery_receipts": u + "/Receipts",
			"channel_metadata":  u + "/ChannelMetadata",
		},
	}
}

func (e *Emulator) messageRoutes() {
	const base = "/Conversations/{ConversationSid}/Messages"
	e.handleBoth("POST", base, e.createMessage)
	e.handleBoth("GET", base, e.listMessages)
	e.handleBoth("GET", base+"/{Sid}", e.fetchMessage)
	e.handleBoth("POST", base+"/{Sid}", e.updateMessage)
	e.handleBoth("DELETE", base+"/{Sid}", e.deleteMessage)
}

// message resolves a message of conv by SID. The lock must be held.
func (c *call) message(conv *conversation, sid string) (*message, error) {
	if m, ok := conv.messages.get(sid); ok {
		return m, nil
	}
	return nil, notFound(c.r.URL.Path)
}

// newMessage is what adding a message needs, from REST or a simulated user.
type newMessage struct {
	author         string
	body           *string
	attributes     string
	mediaSid       string
	mediaSids      []string // more media, from simulated users (MMS)
	contentSid     string
	participantSid string // set by simulated senders; else derived from author
	dateCreated    time.Time
	dateUpdated    time.Time
	// snapshot, when set, is called under the lock right after the message
	// was added, before its delivery receipts can move on: the REST create
	// renders its response there.
	snapshot func(*conversation, *message)
}

// addMessage adds a message to the conversation that resolve returns (under
// the lock), running the onMessageAdd pre-event hook first, then fans it out
// to the non-chat participants and queues onMessageAdded and the delivery
// receipts. It must be called without the lock.
func (e *Emulator) addMessage(resolve func() (*conversation, error), o origin, in newMessage) (*conversation, *message, error) {
	e.lock()
	conv, err := resolve()
	if err == nil && conv.state == "closed" {
		err = errClosed(conv)
	}
	if err == nil {
		err = checkNextIndex(conv) // ranges.go: never wrap
	}
	var pre url.Values
	if err == nil {
		draft := in.toMessage(conv)
		err = e.fillMedia(conv, draft)
		pre = e.messageParams(conv, draft)
		if err == nil {
			err = checkBody(conv, draft)
		}
	}
	e.unlock()
	if err != nil {
		return nil, nil, err
	}
	mods, err := e.preEvent(conv.svc, o, "onMessageAdd", pre)
	if err != nil {
		return nil, nil, err
	}
	if err := applyMessageMods(&in.body, &in.author, &in.attributes, mods); err != nil {
		return nil, nil, err
	}

	e.lock()
	defer e.unlock()
	if conv.deleted {
		return nil, nil, errorf(http.StatusNotFound, codeNotFound, "Conversation %s was deleted", conv.sid)
	}
	if conv.state == "closed" {
		return nil, nil, errClosed(conv)
	}
	m := in.toMessage(conv)
	if err := e.fillMedia(conv, m); err != nil {
		return nil, nil, err
	}
	if err := checkBody(conv, m); err != nil {
		return nil, nil, err
	}
	if err := checkNextIndex(conv); err != nil {
		return nil, nil, err
	}
	now := e.nowLocked()
	m.sid = newSID("IM")
	m.index = conv.nextIndex
	conv.nextIndex++
	m.created, m.updated = now, now
	if !in.dateCreated.IsZero() {
		m.created = in.dateCreated
	}
	if !in.dateUpdated.IsZero() {
		m.updated = in.dateUpdated
	}
	conv.messages.put(m.sid, m)
	e.attachMedia(conv, m)
	conv.updated = now
	if conv.state == "inactive" {
		e.setState(conv, "active", "EVENT", o)
	}
	e.resetTimers(conv)
	e.postEvent(conv.svc, conv, o, "onMessageAdded", e.messageParams(conv, m))
	e.fanOut(conv, m)
	if in.snapshot != nil {
		in.snapshot(conv, m)
	}
	return conv, m, nil
}

// toMessage builds the message the input describes, before it has a SID.
func (in newMessage) toMessage(conv *conversation) *message {
	m := &message{
		author:         in.author,
		body:           in.body,
		attributes:     in.attributes,
		contentSid:     in.contentSid,
		participantSid: in.participantSid,
	}
	if m.author == "" {
		m.author = "system"
	}
	if m.attributes == "" {
		m.attributes = "{}"
	}
	if in.mediaSid != "" {
		m.media = []mediaRef{{Sid: in.mediaSid, ContentType: "application/octet-stream"}}
	}
	for _, sid := range in.mediaSids {
		m.media = append(m.media, mediaRef{Sid: sid, ContentType: "application/octet-stream"})
	}
	if m.participantSid == "" && m.author != "system" {
		if p, ok := conv.participants.find(func(p *participant) bool {
			return p.identity == m.author || p.address != "" && p.address == m.author
		}); ok {
			m.participantSid = p.sid
		}
	}
	return m
}

// checkBody enforces the body limits: 1600 characters when the message goes
// out over SMS or WhatsApp (21617), 32 KiB otherwise.
func checkBody(conv *conversation, m *message) error {
	if m.body == nil {
		return nil
	}
	n := utf8.RuneCountInString(*m.body)
	if n > maxBodyChars {
		return badRequest(codeBodyTooLong, "The message body exceeds the limit of %d characters", maxBodyChars)
	}
	if n > maxSMSBodyChars {
		if _, ok := conv.participants.find(func(p *participant) bool { return p.nonChat() && p.sid != m.participantSid }); ok {
			return badRequest(codeBodyTooLong, "The message body exceeds the 1600 character limit for SMS and WhatsApp")
		}
	}
	return nil
}

// applyMessageMods applies the fields an onMessageAdd or onMessageUpdate
// hook changed: body, author and attributes (a string of valid JSON).
func applyMessageMods(body **string, author, attributes *string, mods map[string]json.RawMessage) error {
	if s, ok, err := modString(mods, "body"); err != nil {
		return err
	} else if ok {
		*body = &s
	}
	if s, ok, err := modString(mods, "author"); err != nil {
		return err
	} else if ok {
		*author = s
	}
	if s, ok, err := modString(mods, "attributes"); err != nil {
		return err
	} else if ok {
		if err := checkAttributes(s, 4<<10); err != nil {
			return err
		}
		*attributes = s
	}
	return nil
}

func (c *call) messageInput() (in newMessage, err error) {
	in.author = c.param("Author")
	if c.has("Body") {
		in.body = ptr(c.param("Body"))
	}
	if a, err := c.attributesParam(4 << 10); err != nil {
		return in, err
	} else if a != nil {
		in.attributes = *a
	}
	if err := c.dateParam("DateCreated", &in.dateCreated); err != nil {
		return in, err
	}
	if err := c.dateParam("DateUpdated", &in.dateUpdated); err != nil {
		return in, err
	}
	return in, nil
}

func (e *Emulator) createMessage(c *call) (int, any, error) {
	in, err := c.messageInput()
	if err != nil {
		return 0, nil, err
	}
	in.mediaSid = c.param("MediaSid")
	in.contentSid = c.param("ContentSid")
	if in.contentSid != "" {
		if !isSID(in.contentSid, "HX") {
			return 0, nil, invalidParam("ContentSid", in.contentSid)
		}
		// The spec: with ContentSid, Body and MediaSid are ignored.
		in.body, in.mediaSid = nil, ""
	}
	if in.mediaSid != "" && !isSID(in.mediaSid, "ME") {
		return 0, nil, invalidParam("MediaSid", in.mediaSid)
	}
	if c.has("ContentVariables") {
		if err := checkContentVariables(c.param("ContentVariables")); err != nil {
			return 0, nil, err
		}
	}
	if in.body == nil && in.mediaSid == "" && in.contentSid == "" {
		return 0, nil, missingParam("Body")
	}
	key := c.r.PathValue("ConversationSid")
	var resp any
	in.snapshot = func(conv *conversation, m *message) { resp = e.renderMessage(c, conv, m) }
	if _, _, err := e.addMessage(func() (*conversation, error) { return c.conversation(key) }, c.origin(), in); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, resp, nil
}

// codeContentVariables is Twilio's error for ContentVariables that are not
// valid JSON.
const codeContentVariables = 50527

// checkContentVariables requires a JSON object whose values are strings,
// the form the template variables take ({"1": "Ana"}).
func checkContentVariables(s string) error {
	var vars map[string]string
	if err := json.Unmarshal([]byte(s), &vars); err != nil || vars == nil {
		return badRequest(codeContentVariables, "ContentVariables must be a JSON object of strings")
	}
	return nil
}

func (e *Emulator) listMessages(c *call) (int, any, error) {
	order := strings.ToLower(c.param("Order"))
	if order != "" && order != "asc" && order != "desc" {
		return 0, nil, invalidParam("Order", c.param("Order"))
	}
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	msgs := conv.messages.all()
	if order == "desc" {
		slices.Reverse(msgs)
	}
	return okList(paginate(c, msgs, listOpts{"messages", 50, 100},
		func(m *message) any { return e.renderMessage(c, conv, m) }))
}

func (e *Emulator) fetchMessage(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	m, err := c.message(conv, c.r.PathValue("Sid"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderMessage(c, conv, m), nil
}

func (e *Emulator) updateMessage(c *call) (int, any, error) {
	in, err := c.messageInput()
	if err != nil {
		return 0, nil, err
	}
	e.lock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	var m *message
	if err == nil {
		m, err = c.message(conv, c.r.PathValue("Sid"))
	}
	if err == nil && conv.state == "closed" {
		err = errClosed(conv)
	}
	var pre url.Values
	var body *string
	var author, attrs string
	if err == nil {
		body, author, attrs = m.body, m.author, m.attributes
		if in.body != nil {
			body = in.body
		}
		if c.has("Author") {
			author = in.author
		}
		if in.attributes != "" {
			attrs = in.attributes
		}
		draft := *m
		draft.body, draft.author, draft.attributes = body, author, attrs
		pre = e.messageParams(conv, &draft)
		pre.Set("DateUpdated", fmtDate(m.updated))
		err = checkBody(conv, &draft)
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	mods, err := e.preEvent(conv.svc, c.origin(), "onMessageUpdate", pre)
	if err != nil {
		return 0, nil, err
	}
	if err := applyMessageMods(&body, &author, &attrs, mods); err != nil {
		return 0, nil, err
	}

	e.lock()
	defer e.unlock()
	if _, ok := conv.messages.get(m.sid); !ok || conv.deleted {
		return 0, nil, notFound(c.r.URL.Path)
	}
	// The hook may have lengthened the body.
	draft := *m
	draft.body = body
	if err := checkBody(conv, &draft); err != nil {
		return 0, nil, err
	}
	m.body, m.author, m.attributes = body, author, attrs
	m.updated = e.nowLocked()
	if !in.dateCreated.IsZero() {
		m.created = in.dateCreated
	}
	if !in.dateUpdated.IsZero() {
		m.updated = in.dateUpdated
	}
	post := e.messageParams(conv, m)
	post.Set("DateUpdated", fmtDate(m.updated))
	e.postEvent(conv.svc, conv, c.origin(), "onMessageUpdated", post)
	return http.StatusOK, e.renderMessage(c, conv, m), nil
}

func (e *Emulator) deleteMessage(c *call) (int, any, error) {
	e.lock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	var m *message
	if err == nil {
		m, err = c.message(conv, c.r.PathValue("Sid"))
	}
	var pre url.Values
	if err == nil {
		pre = e.messageParams(conv, m)
		pre.Set("DateUpdated", fmtDate(m.updated))
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	if _, err := e.preEvent(conv.svc, c.origin(), "onMessageRemove", pre); err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	if !conv.messages.remove(m.sid) {
		return 0, nil, notFound(c.r.URL.Path)
	}
	e.removeMedia(m)
	post := e.messageParams(conv, m)
	post.Set("DateUpdated", fmtDate(m.updated))
	post.Set("DateRemoved", fmtDate(e.nowLocked()))
	e.postEvent(conv.svc, conv, c.origin(), "onMessageRemoved", post)
	return http.StatusNoContent, nil, nil
}
