package conversationstest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// conversation is a Conversation (CH…) and everything nested in it.
type conversation struct {
	sid                 string
	svc                 *service
	friendlyName        string // "" renders as null
	uniqueName          string // "" renders as null
	attributes          string
	messagingServiceSid string
	state               string
	created, updated    time.Time
	inactiveTimer       time.Duration // 0: no timer
	closedTimer         time.Duration
	dateInactive        *time.Time
	dateClosed          *time.Time
	emailAddress        string
	emailName           string
	participants        table[participant]
	messages            table[message]
	webhooks            table[scopedWebhook]
	nextIndex           int
	deleted             bool
	groupNumber         string // a Group MMS conversation auto-created for this Twilio number (inbound.go)
	ix                  convIx // index.go
}

type timersJSON struct {
	DateInactive *string `json:"date_inactive,omitempty"`
	DateClosed   *string `json:"date_closed,omitempty"`
}

type conversationJSON struct {
	Sid                 string            `json:"sid"`
	AccountSid          string            `json:"account_sid"`
	ChatServiceSid      string            `json:"chat_service_sid"`
	MessagingServiceSid *string           `json:"messaging_service_sid"`
	FriendlyName        *string           `json:"friendly_name"`
	UniqueName          *string           `json:"unique_name"`
	Attributes          string            `json:"attributes"`
	DateCreated         string            `json:"date_created"`
	DateUpdated         string            `json:"date_updated"`
	State               string            `json:"state"`
	Timers              timersJSON        `json:"timers"`
	Bindings            map[string]any    `json:"bindings"`
	URL                 string            `json:"url"`
	Links               map[string]string `json:"links"`
}

func (c *call) conversationURL(conv *conversation) string {
	return c.prefix(conv.svc) + "/Conversations/" + conv.sid
}

func (e *Emulator) renderConversation(c *call, conv *conversation) any {
	u := c.conversationURL(conv)
	bindings := map[string]any{}
	if conv.emailAddress != "" || conv.emailName != "" {
		bindings["email"] = map[string]string{"projected_address": conv.emailAddress, "name": conv.emailName}
	}
	return conversationJSON{
		Sid:                 conv.sid,
		AccountSid:          e.cfg.accountSID,
		ChatServiceSid:      conv.svc.sid,
		MessagingServiceSid: strOrNil(conv.messagingServiceSid),
		FriendlyName:        strOrNil(conv.friendlyName),
		UniqueName:          strOrNil(conv.uniqueName),
		Attributes:          conv.attributes,
		DateCreated:         fmtDate(conv.created),
		DateUpdated:         fmtDate(conv.updated),
		State:               conv.state,
		Timers:              timersJSON{fmtDatePtr(conv.dateInactive), fmtDatePtr(conv.dateClosed)},
		Bindings:            bindings,
		URL:                 u,
		Links: map[string]string{
			"participants": u + "/Participants",
			"messages":     u + "/Messages",
			"webhooks":     u + "/Webhooks",
			"export":       u + "/Export",
		},
	}
}

func (e *Emulator) conversationRoutes() {
	e.handleBoth("POST", "/Conversations", e.createConversation)
	e.handleBoth("GET", "/Conversations", e.listConversations)
	e.handleBoth("GET", "/Conversations/{Sid}", e.fetchConversation)
	e.handleBoth("POST", "/Conversations/{Sid}", e.updateConversation)
	e.handleBoth("DELETE", "/Conversations/{Sid}", e.deleteConversation)
}

// conversation resolves a conversation of the request's service by SID or
// unique name. The lock must be held.
func (c *call) conversation(key string) (*conversation, error) {
	svc, err := c.service()
	if err != nil {
		return nil, err
	}
	if conv, ok := svc.conversationByKey(key); ok {
		return conv, nil
	}
	return nil, notFound(c.r.URL.Path)
}

// conversationByKey returns the conversation of svc whose SID or unique name
// is key. The lock must be held.
func (svc *service) conversationByKey(key string) (*conversation, bool) {
	if conv, ok := svc.conversations.get(key); ok {
		return conv, true
	}
	if sid, ok := svc.uniqueNames[key]; ok {
		return svc.conversations.get(sid)
	}
	return nil, false
}

// attributesParam reads an Attributes parameter: a string of valid JSON of
// at most limit bytes.
func (c *call) attributesParam(limit int) (*string, error) {
	if !c.has("Attributes") {
		return nil, nil
	}
	a := c.param("Attributes")
	if err := checkAttributes(a, limit); err != nil {
		return nil, err
	}
	return &a, nil
}

func checkAttributes(a string, limit int) error {
	if !json.Valid([]byte(a)) {
		return badRequest(codeAttributes, "Attributes must be a valid JSON string")
	}
	if len(a) > limit {
		return badRequest(codeInvalidParam, "Attributes exceed the maximum size of %d bytes", limit)
	}
	return nil
}

// optParam returns a pointer to a parameter's value, or nil when it was not sent.
func (c *call) optParam(name string) *string {
	if !c.has(name) {
		return nil
	}
	return ptr(c.param(name))
}

// conversationInput is the parameters of Create and Update Conversation.
type conversationInput struct {
	friendlyName, uniqueName, attributes, messagingServiceSid, state *string
	emailAddress, emailName                                          *string
	inactive, closed                                                 *time.Duration
	dateCreated, dateUpdated                                         time.Time
}

func (c *call) conversationInput() (in conversationInput, err error) {
	in.friendlyName = c.optParam("FriendlyName")
	if in.friendlyName != nil && tooLong(*in.friendlyName, maxNameChars) {
		return in, badRequest(codeInvalidParam, "FriendlyName exceeds 256 characters")
	}
	in.uniqueName = c.optParam("UniqueName")
	if in.uniqueName != nil && isSID(*in.uniqueName, "CH") {
		return in, badRequest(codeUniqueNameIsSid, "UniqueName must not look like a Conversation SID")
	}
	if in.attributes, err = c.attributesParam(16 << 10); err != nil {
		return in, err
	}
	in.messagingServiceSid = c.optParam("MessagingServiceSid")
	if in.messagingServiceSid != nil && !isSID(*in.messagingServiceSid, "MG") {
		return in, invalidParam("MessagingServiceSid", *in.messagingServiceSid)
	}
	in.state = c.optParam("State")
	if in.state != nil && !slices.Contains([]string{"active", "inactive", "closed"}, *in.state) {
		return in, invalidParam("State", *in.state)
	}
	in.emailAddress = c.optParam("Bindings.Email.Address")
	in.emailName = c.optParam("Bindings.Email.Name")
	if in.inactive, in.closed, err = c.timerParams(); err != nil {
		return in, err
	}
	if err = c.dateParam("DateCreated", &in.dateCreated); err != nil {
		return in, err
	}
	err = c.dateParam("DateUpdated", &in.dateUpdated)
	return in, err
}

// checkUniqueName fails with 50353 when name is taken by another
// conversation of svc. The lock must be held.
func checkUniqueName(svc *service, name, self string) error {
	if sid, ok := svc.uniqueNames[name]; ok && sid != self {
		return conflict(codeUniqueNameTaken, "A Conversation with the unique name %q already exists", name)
	}
	return nil
}

func (e *Emulator) createConversation(c *call) (int, any, error) {
	in, err := c.conversationInput()
	if err != nil {
		return 0, nil, err
	}
	if (in.inactive != nil || in.closed != nil) && in.state == nil {
		return 0, nil, badRequest(codeTimersNeedState, "Timers can be set on create only together with State")
	}
	e.lock()
	svc, err := c.service()
	if err == nil && in.uniqueName != nil {
		err = checkUniqueName(svc, *in.uniqueName, "")
	}
	messagingSid := e.messagingSid // updated by POST /v1/Configuration under the lock
	e.unlock()
	if err != nil {
		return 0, nil, err
	}

	draft := &conversation{svc: svc, messagingServiceSid: messagingSid, attributes: "{}", state: "active"}
	applyConversationInput(draft, in)
	e.applyDefaultTimers(draft, in)
	pre := url.Values{}
	pre.Set("ChatServiceSid", svc.sid)
	pre.Set("MessagingServiceSid", draft.messagingServiceSid)
	pre.Set("FriendlyName", draft.friendlyName)
	pre.Set("UniqueName", draft.uniqueName)
	pre.Set("Attributes", draft.attributes)
	pre.Set("State", draft.state)
	mods, err := e.preEvent(svc, c.origin(), "onConversationAdd", pre)
	if err != nil {
		return 0, nil, err
	}
	if name, ok, err := modString(mods, "friendly_name"); err != nil {
		return 0, nil, err
	} else if ok {
		if err := checkModName(name); err != nil {
			return 0, nil, err
		}
		draft.friendlyName = name
	}

	e.lock()
	defer e.unlock()
	if svc.deleted {
		return 0, nil, notFound(c.r.URL.Path)
	}
	if draft.uniqueName != "" {
		if err := checkUniqueName(svc, draft.uniqueName, ""); err != nil {
			return 0, nil, err
		}
	}
	now := e.nowLocked()
	conv := draft
	conv.sid = newSID("CH")
	conv.created, conv.updated = now, now
	if !in.dateCreated.IsZero() {
		conv.created = in.dateCreated
	}
	if !in.dateUpdated.IsZero() {
		conv.updated = in.dateUpdated
	}
	if conv.uniqueName != "" {
		svc.uniqueNames[conv.uniqueName] = conv.sid
	}
	svc.conversations.put(conv.sid, conv)
	e.idx.addConversation(conv)
	e.resetTimers(conv)
	e.postEvent(svc, conv, c.origin(), "onConversationAdded", e.conversationParams(conv))
	return http.StatusCreated, e.renderConversation(c, conv), nil
}

// applyConversationInput copies the given fields (other than State and dates) into conv.
func applyConversationInput(conv *conversation, in conversationInput) {
	if in.friendlyName != nil {
		conv.friendlyName = *in.friendlyName
	}
	if in.uniqueName != nil {
		conv.uniqueName = *in.uniqueName
	}
	if in.attributes != nil {
		conv.attributes = *in.attributes
	}
	if in.messagingServiceSid != nil {
		conv.messagingServiceSid = *in.messagingServiceSid
	}
	if in.state != nil && conv.sid == "" {
		conv.state = *in.state
	}
	if in.emailAddress != nil {
		conv.emailAddress = *in.emailAddress
	}
	if in.emailName != nil {
		conv.emailName = *in.emailName
	}
	if in.inactive != nil {
		conv.inactiveTimer = *in.inactive
	}
	if in.closed != nil {
		conv.closedTimer = *in.closed
	}
}

func (e *Emulator) fetchConversation(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("Sid"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderConversation(c, conv), nil
}

func (e *Emulator) listConversations(c *call) (int, any, error) {
	var start, end time.Time
	if err := c.dateParam("StartDate", &start); err != nil {
		return 0, nil, err
	}
	if err := c.dateParam("EndDate", &end); err != nil {
		return 0, nil, err
	}
	if !end.IsZero() && len(c.param("EndDate")) == len("2006-01-02") {
		end = end.Add(24*time.Hour - time.Second) // the whole end day
	}
	state := c.param("State")
	if state != "" && !slices.Contains([]string{"initializing", "active", "inactive", "closed"}, state) {
		return 0, nil, invalidParam("State", state)
	}
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	convs := svc.conversations.view() // read-only: no copy of a long list for one page (store.go)
	if state != "" || !start.IsZero() || !end.IsZero() {
		convs = slices.DeleteFunc(slices.Clone(convs), func(conv *conversation) bool {
			return state != "" && conv.state != state ||
				!start.IsZero() && conv.created.Before(start) ||
				!end.IsZero() && conv.created.After(end)
		})
	}
	if !start.IsZero() || !end.IsZero() {
		// A date filter lists the newest first.
		slices.Reverse(convs)
		slices.SortStableFunc(convs, func(a, b *conversation) int { return b.created.Compare(a.created) })
	}
	return okList(paginate(c, convs, listOpts{"conversations", 50, 100},
		func(conv *conversation) any { return e.renderConversation(c, conv) }))
}

func (e *Emulator) updateConversation(c *call) (int, any, error) {
	in, err := c.conversationInput()
	if err != nil {
		return 0, nil, err
	}
	key := c.r.PathValue("Sid")
	e.lock()
	conv, err := c.conversation(key)
	if err == nil && conv.state == "closed" {
		err = badRequest(codeClosed, "Conversation %s is closed and cannot be updated", conv.sid)
	}
	if err == nil && in.uniqueName != nil && *in.uniqueName != "" {
		err = checkUniqueName(conv.svc, *in.uniqueName, conv.sid)
	}
	var draft conversation
	if err == nil {
		draft = *conv
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}

	applyConversationInput(&draft, in)
	if in.state != nil {
		draft.state = *in.state
	}
	pre := e.conversationParams(&draft)
	mods, err := e.preEvent(draft.svc, c.origin(), "onConversationUpdate", pre)
	if err != nil {
		return 0, nil, err
	}
	name, nameSet, err := modString(mods, "friendly_name")
	if err == nil && nameSet {
		err = checkModName(name)
	}
	if err != nil {
		return 0, nil, err
	}

	e.lock()
	defer e.unlock()
	if conv.deleted {
		return 0, nil, notFound(c.r.URL.Path)
	}
	if conv.state == "closed" {
		return 0, nil, badRequest(codeClosed, "Conversation %s is closed and cannot be updated", conv.sid)
	}
	if in.uniqueName != nil && *in.uniqueName != conv.uniqueName {
		if *in.uniqueName != "" {
			if err := checkUniqueName(conv.svc, *in.uniqueName, conv.sid); err != nil {
				return 0, nil, err
			}
		}
		delete(conv.svc.uniqueNames, conv.uniqueName)
		if *in.uniqueName != "" {
			conv.svc.uniqueNames[*in.uniqueName] = conv.sid
		}
	}
	applyConversationInput(conv, in)
	if nameSet {
		conv.friendlyName = name
	}
	conv.updated = e.nowLocked()
	if !in.dateCreated.IsZero() {
		conv.created = in.dateCreated
	}
	if in.inactive != nil || in.closed != nil {
		e.resetTimers(conv)
	}
	if in.state != nil {
		e.setState(conv, *in.state, "API", c.origin())
	}
	if !in.dateUpdated.IsZero() {
		conv.updated = in.dateUpdated
	}
	e.postEvent(conv.svc, conv, c.origin(), "onConversationUpdated", e.conversationParams(conv))
	return http.StatusOK, e.renderConversation(c, conv), nil
}

func (e *Emulator) deleteConversation(c *call) (int, any, error) {
	e.lock()
	conv, err := c.conversation(c.r.PathValue("Sid"))
	var pre url.Values
	if err == nil {
		pre = e.conversationParams(conv)
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	if _, err := e.preEvent(conv.svc, c.origin(), "onConversationRemove", pre); err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	if conv.deleted {
		return 0, nil, notFound(c.r.URL.Path)
	}
	e.removeConversation(conv)
	p := e.conversationParams(conv)
	p.Set("DateRemoved", fmtDate(e.nowLocked()))
	e.postEvent(conv.svc, conv, c.origin(), "onConversationRemoved", p)
	return http.StatusNoContent, nil, nil
}

// removeConversation deletes conv from its service. The lock must be held.
func (e *Emulator) removeConversation(conv *conversation) {
	e.idx.dropConversation(conv)
	for _, m := range conv.messages.all() {
		e.removeMedia(m)
	}
	conv.deleted = true
	conv.svc.conversations.remove(conv.sid)
	if conv.uniqueName != "" && conv.svc.uniqueNames[conv.uniqueName] == conv.sid {
		delete(conv.svc.uniqueNames, conv.uniqueName)
	}
}
