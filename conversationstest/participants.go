package conversationstest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// participant is a Conversation Participant (MB…): a chat user (identity) or
// a non-chat user reached at an address through a proxy address.
type participant struct {
	sid               string
	identity          string
	attributes        string
	channel           string // "chat", "sms", "whatsapp", …
	address           string
	proxyAddress      string
	projectedAddress  string
	roleSid           string
	created, updated  time.Time
	lastReadIndex     *int
	lastReadTimestamp *string
	ix                partIx // index.go
}

// nonChat reports whether the participant is reached over SMS, WhatsApp or
// another messaging channel rather than by a chat identity.
func (p *participant) nonChat() bool { return p.address != "" }

// channelOf returns the channel of a messaging address: whatsapp:+1… is
// WhatsApp, messenger:… Messenger, rcs:… RCS, anything else SMS.
func channelOf(address string) string {
	if i := strings.IndexByte(address, ':'); i > 0 {
		switch ch := strings.ToLower(address[:i]); ch {
		case "whatsapp", "messenger", "rcs", "gbm", "apple":
			return ch
		}
	}
	return "sms"
}

type participantJSON struct {
	AccountSid           string         `json:"account_sid"`
	ChatServiceSid       *string        `json:"chat_service_sid,omitempty"`
	ConversationSid      string         `json:"conversation_sid"`
	Sid                  string         `json:"sid"`
	Identity             *string        `json:"identity"`
	Attributes           string         `json:"attributes"`
	MessagingBinding     map[string]any `json:"messaging_binding"`
	RoleSid              *string        `json:"role_sid"`
	DateCreated          string         `json:"date_created"`
	DateUpdated          string         `json:"date_updated"`
	URL                  string         `json:"url"`
	LastReadMessageIndex *int           `json:"last_read_message_index"`
	LastReadTimestamp    *string        `json:"last_read_timestamp"`
}

func (e *Emulator) renderParticipant(c *call, conv *conversation, p *participant) any {
	var binding map[string]any
	switch {
	case p.address != "":
		binding = map[string]any{"type": p.channel, "address": p.address, "proxy_address": strOrNil(p.proxyAddress)}
	case p.projectedAddress != "":
		binding = map[string]any{"type": "sms", "projected_address": p.projectedAddress}
	}
	return participantJSON{
		AccountSid:           e.cfg.accountSID,
		ChatServiceSid:       c.chatServiceSid(conv.svc),
		ConversationSid:      conv.sid,
		Sid:                  p.sid,
		Identity:             strOrNil(p.identity),
		Attributes:           p.attributes,
		MessagingBinding:     binding,
		RoleSid:              strOrNil(p.roleSid),
		DateCreated:          fmtDate(p.created),
		DateUpdated:          fmtDate(p.updated),
		URL:                  c.conversationURL(conv) + "/Participants/" + p.sid,
		LastReadMessageIndex: p.lastReadIndex,
		LastReadTimestamp:    p.lastReadTimestamp,
	}
}

func (e *Emulator) participantRoutes() {
	const base = "/Conversations/{ConversationSid}/Participants"
	e.handleBoth("POST", base, e.createParticipant)
	e.handleBoth("GET", base, e.listParticipants)
	e.handleBoth("GET", base+"/{Sid}", e.fetchParticipant)
	e.handleBoth("POST", base+"/{Sid}", e.updateParticipant)
	e.handleBoth("DELETE", base+"/{Sid}", e.deleteParticipant)
}

// participant resolves a participant of conv by SID or, when byIdentity,
// by identity. The lock must be held.
func (c *call) participant(conv *conversation, key string, byIdentity bool) (*participant, error) {
	if p, ok := conv.participants.get(key); ok {
		return p, nil
	}
	if byIdentity {
		if p, ok := conv.participants.find(func(p *participant) bool { return p.identity == key }); ok {
			return p, nil
		}
	}
	return nil, notFound(c.r.URL.Path)
}

func errClosed(conv *conversation) error {
	return badRequest(codeClosed, "Conversation %s is closed", conv.sid)
}

// checkNewParticipant applies the participant rules to a participant about
// to join conv: identity unique in the conversation (50433), address and
// proxy address pair in no other open conversation (50416), and the
// participant limits (50417, 50422). The lock must be held.
func (e *Emulator) checkNewParticipant(conv *conversation, p *participant) error {
	if conv.state == "closed" {
		return errClosed(conv)
	}
	if p.identity != "" {
		if _, dup := conv.participants.find(func(o *participant) bool { return o.identity == p.identity }); dup {
			return conflict(codeIdentityTaken, "Participant with identity %q already exists in Conversation %s", p.identity, conv.sid)
		}
		if err := checkIdentityConversations(conv.svc, p.identity); err != nil {
			return err
		}
	}
	if err := e.checkGroupParticipant(conv, p); err != nil {
		return err
	}
	if p.nonChat() && !p.groupMember() {
		if other := e.conversationWithPair(p.address, p.proxyAddress); other != nil {
			return conflict(codePairInUse, "A binding for this participant and proxy address already exists in Conversation %s", other.sid)
		}
	}
	if conv.participants.len() >= e.cfg.maxParticipants {
		return badRequest(codeParticipantLimit, "Conversation %s has reached the maximum of %d participants", conv.sid, e.cfg.maxParticipants)
	}
	if p.nonChat() {
		n := 0
		for _, o := range conv.participants.all() {
			if o.nonChat() {
				n++
			}
		}
		if n >= e.cfg.maxNonChat {
			return badRequest(codeNonChatLimit, "Conversation %s has reached the maximum of %d non-chat participants", conv.sid, e.cfg.maxNonChat)
		}
	}
	return nil
}

// conversationWithPair returns the open (not closed) conversation, in any
// service, holding a participant at address through proxy. The lock must be held.
func (e *Emulator) conversationWithPair(address, proxy string) *conversation {
	return e.idx.pairConversation(address, proxy) // index.go
}

func (e *Emulator) createParticipant(c *call) (int, any, error) {
	p := &participant{
		identity:         c.param("Identity"),
		address:          c.param("MessagingBinding.Address"),
		proxyAddress:     c.param("MessagingBinding.ProxyAddress"),
		projectedAddress: c.param("MessagingBinding.ProjectedAddress"),
		roleSid:          c.param("RoleSid"),
		attributes:       "{}",
		channel:          "chat",
	}
	switch {
	case p.identity == "" && p.address == "" && p.projectedAddress == "":
		return 0, nil, badRequest(codeInvalidParam, "Either Identity or MessagingBinding.Address is required")
	case p.identity != "" && p.address != "":
		return 0, nil, badRequest(codeInvalidParam, "Identity and MessagingBinding.Address cannot both be set")
	}
	if err := checkParticipantLengths(p); err != nil {
		return 0, nil, err
	}
	if p.address != "" {
		// Without a proxy address, an SMS participant is a Group MMS member
		// (inbound.go); other channels need one.
		if p.proxyAddress == "" && channelOf(p.address) != "sms" {
			return 0, nil, missingParam("MessagingBinding.ProxyAddress")
		}
		if p.address == p.proxyAddress {
			return 0, nil, badRequest(codeAddressIsProxy, "MessagingBinding.Address and MessagingBinding.ProxyAddress must differ")
		}
		p.channel = channelOf(p.address)
		if p.proxyAddress != "" && channelOf(p.proxyAddress) != p.channel {
			return 0, nil, badRequest(codeInvalidParam, "MessagingBinding.Address and MessagingBinding.ProxyAddress must be on the same channel")
		}
	}
	if p.roleSid != "" && !isSID(p.roleSid, "RL") {
		return 0, nil, invalidParam("RoleSid", p.roleSid)
	}
	if a, err := c.attributesParam(4 << 10); err != nil {
		return 0, nil, err
	} else if a != nil {
		p.attributes = *a
	}
	var dateCreated, dateUpdated time.Time
	if err := c.dateParam("DateCreated", &dateCreated); err != nil {
		return 0, nil, err
	}
	if err := c.dateParam("DateUpdated", &dateUpdated); err != nil {
		return 0, nil, err
	}

	e.lock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err == nil {
		if p.roleSid == "" && p.identity != "" {
			p.roleSid = conv.svc.defaultRole
		}
		err = e.checkNewParticipant(conv, p)
	}
	var pre url.Values
	if err == nil {
		pre = e.participantParams(conv, p)
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	if _, err := e.preEvent(conv.svc, c.origin(), "onParticipantAdd", pre); err != nil {
		return 0, nil, err
	}

	e.lock()
	defer e.unlock()
	if conv.deleted {
		return 0, nil, notFound(c.r.URL.Path)
	}
	if err := e.checkNewParticipant(conv, p); err != nil {
		return 0, nil, err
	}
	now := e.nowLocked()
	p.sid = newSID("MB")
	p.created, p.updated = now, now
	if !dateCreated.IsZero() {
		p.created = dateCreated
	}
	if !dateUpdated.IsZero() {
		p.updated = dateUpdated
	}
	conv.participants.put(p.sid, p)
	e.idx.addParticipant(conv, p)
	if p.identity != "" {
		e.ensureUser(conv.svc, p.identity, c.origin())
	}
	e.postEvent(conv.svc, conv, c.origin(), "onParticipantAdded", e.participantParams(conv, p))
	return http.StatusCreated, e.renderParticipant(c, conv, p), nil
}

func (e *Emulator) listParticipants(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	return okList(paginate(c, conv.participants.all(), listOpts{"participants", 50, 100},
		func(p *participant) any { return e.renderParticipant(c, conv, p) }))
}

func (e *Emulator) fetchParticipant(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	p, err := c.participant(conv, c.r.PathValue("Sid"), true)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderParticipant(c, conv, p), nil
}

func (e *Emulator) updateParticipant(c *call) (int, any, error) {
	attrs, err := c.attributesParam(4 << 10)
	if err != nil {
		return 0, nil, err
	}
	var lastRead *int
	if c.has("LastReadMessageIndex") {
		n, err := strconv.Atoi(c.param("LastReadMessageIndex"))
		if err != nil || !validIndex(n) {
			return 0, nil, invalidParam("LastReadMessageIndex", c.param("LastReadMessageIndex"))
		}
		lastRead = &n
	}
	if r := c.param("RoleSid"); r != "" && !isSID(r, "RL") {
		return 0, nil, invalidParam("RoleSid", r)
	}
	var dateCreated, dateUpdated time.Time
	if err := c.dateParam("DateCreated", &dateCreated); err != nil {
		return 0, nil, err
	}
	if err := c.dateParam("DateUpdated", &dateUpdated); err != nil {
		return 0, nil, err
	}
	apply := func(p *participant) {
		if attrs != nil {
			p.attributes = *attrs
		}
		if v := c.optParam("RoleSid"); v != nil {
			p.roleSid = *v
		}
		if v := c.optParam("Identity"); v != nil && !p.nonChat() {
			p.identity = *v
		}
		if v := c.optParam("MessagingBinding.ProxyAddress"); v != nil && p.nonChat() {
			p.proxyAddress = *v
		}
		if v := c.optParam("MessagingBinding.ProjectedAddress"); v != nil {
			p.projectedAddress = *v
		}
		if lastRead != nil {
			p.lastReadIndex = lastRead
		}
		if v := c.optParam("LastReadTimestamp"); v != nil {
			p.lastReadTimestamp = strOrNil(*v)
		}
	}

	e.lock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	var p *participant
	if err == nil {
		p, err = c.participant(conv, c.r.PathValue("Sid"), false)
	}
	if err == nil && conv.state == "closed" {
		err = errClosed(conv)
	}
	var pre url.Values
	if err == nil {
		draft := *p
		apply(&draft)
		err = checkParticipantLengths(&draft)
		if err == nil && draft.identity != p.identity {
			if _, dup := conv.participants.find(func(o *participant) bool { return o.identity == draft.identity }); dup {
				err = conflict(codeIdentityTaken, "Participant with identity %q already exists in Conversation %s", draft.identity, conv.sid)
			} else if draft.identity != "" {
				err = checkIdentityConversations(conv.svc, draft.identity)
			}
		}
		pre = e.participantParams(conv, &draft)
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	if _, err := e.preEvent(conv.svc, c.origin(), "onParticipantUpdate", pre); err != nil {
		return 0, nil, err
	}

	e.lock()
	defer e.unlock()
	if conv.deleted {
		return 0, nil, notFound(c.r.URL.Path)
	}
	if _, ok := conv.participants.get(p.sid); !ok {
		return 0, nil, notFound(c.r.URL.Path)
	}
	e.idx.removeParticipant(conv, p)
	apply(p)
	e.idx.updateParticipant(conv, p)
	if p.identity != "" {
		e.ensureUser(conv.svc, p.identity, c.origin())
	}
	p.updated = e.nowLocked()
	if !dateCreated.IsZero() {
		p.created = dateCreated
	}
	if !dateUpdated.IsZero() {
		p.updated = dateUpdated
	}
	post := e.participantParams(conv, p)
	if p.lastReadIndex != nil {
		post.Set("LastReadMessageIndex", strconv.Itoa(*p.lastReadIndex))
	}
	e.postEvent(conv.svc, conv, c.origin(), "onParticipantUpdated", post)
	return http.StatusOK, e.renderParticipant(c, conv, p), nil
}

func (e *Emulator) deleteParticipant(c *call) (int, any, error) {
	e.lock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	var p *participant
	if err == nil {
		p, err = c.participant(conv, c.r.PathValue("Sid"), false)
	}
	var pre url.Values
	if err == nil {
		pre = e.participantParams(conv, p)
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	if _, err := e.preEvent(conv.svc, c.origin(), "onParticipantRemove", pre); err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	if !conv.participants.remove(p.sid) {
		return 0, nil, notFound(c.r.URL.Path)
	}
	e.idx.removeParticipant(conv, p)
	post := e.participantParams(conv, p)
	post.Set("DateRemoved", fmtDate(e.nowLocked()))
	e.postEvent(conv.svc, conv, c.origin(), "onParticipantRemoved", post)
	return http.StatusNoContent, nil, nil
}
