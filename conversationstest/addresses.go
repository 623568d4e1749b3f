package conversationstest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// addressConfig is an Address Configuration (IG…): settings for one of the
// account's addresses, chiefly whether an inbound message to it that no
// conversation holds creates one (auto-creation).
type addressConfig struct {
	sid              string
	typ              string // sms, whatsapp, messenger, gbm, email, rcs, apple, chat
	address          string
	friendlyName     string
	country          string
	created, updated time.Time

	autoEnabled      bool
	autoType         string // webhook, studio or default
	autoServiceSid   string // "" : the default service
	webhookURL       string
	webhookMethod    string // get or post
	webhookFilters   []string
	studioFlowSid    string
	studioRetryCount *int
}

var addressTypes = []string{"sms", "whatsapp", "messenger", "gbm", "email", "rcs", "apple", "chat"}

// The events AutoCreation.WebhookFilters may name.
var autoCreationFilters = []string{
	"onMessageAdded", "onMessageUpdated", "onMessageRemoved",
	"onConversationUpdated", "onConversationStateUpdated", "onConversationRemoved",
	"onParticipantAdded", "onParticipantUpdated", "onParticipantRemoved", "onDeliveryUpdated",
}

type addressJSON struct {
	AccountSid     string         `json:"account_sid"`
	Sid            string         `json:"sid"`
	Address        string         `json:"address"`
	Type           string         `json:"type"`
	FriendlyName   *string        `json:"friendly_name"`
	AddressCountry *string        `json:"address_country"`
	AutoCreation   map[string]any `json:"auto_creation"`
	DateCreated    string         `json:"date_created"`
	DateUpdated    string         `json:"date_updated"`
	URL            string         `json:"url"`
}

// renderAddress renders an address configuration. auto_creation carries
// enabled and type, conversation_service_sid when set, and the webhook_* or
// studio_* fields of its type, as the spec's examples show.
func (e *Emulator) renderAddress(c *call, a *addressConfig) any {
	auto := map[string]any{"enabled": a.autoEnabled, "type": a.autoType}
	if a.autoServiceSid != "" {
		auto["conversation_service_sid"] = a.autoServiceSid
	}
	switch a.autoType {
	case "webhook":
		auto["webhook_url"] = strOrNil(a.webhookURL)
		auto["webhook_method"] = strings.ToUpper(a.webhookMethod)
		auto["webhook_filters"] = nonNil(a.webhookFilters)
	case "studio":
		auto["studio_flow_sid"] = strOrNil(a.studioFlowSid)
		if a.studioRetryCount != nil {
			auto["studio_retry_count"] = *a.studioRetryCount
		}
	}
	return addressJSON{
		AccountSid:     e.cfg.accountSID,
		Sid:            a.sid,
		Address:        a.address,
		Type:           a.typ,
		FriendlyName:   strOrNil(a.friendlyName),
		AddressCountry: strOrNil(a.country),
		AutoCreation:   auto,
		DateCreated:    fmtDate(a.created),
		DateUpdated:    fmtDate(a.updated),
		URL:            c.base + "/v1/Configuration/Addresses/" + a.sid,
	}
}

func (e *Emulator) addressRoutes() {
	const base = "/v1/Configuration/Addresses"
	e.handle("POST", base, e.createAddress)
	e.handle("GET", base, e.listAddresses)
	e.handle("GET", base+"/{Sid}", e.fetchAddress)
	e.handle("POST", base+"/{Sid}", e.updateAddress)
	e.handle("DELETE", base+"/{Sid}", e.deleteAddress)
}

// addressInput reads FriendlyName and the AutoCreation.* parameters into a.
func (c *call) addressInput(a *addressConfig) error {
	if v := c.optParam("FriendlyName"); v != nil {
		if tooLong(*v, maxNameChars) {
			return badRequest(codeInvalidParam, "FriendlyName exceeds 256 characters")
		}
		a.friendlyName = *v
	}
	if c.has("AutoCreation.Enabled") {
		b, err := strconv.ParseBool(c.param("AutoCreation.Enabled"))
		if err != nil {
			return invalidParam("AutoCreation.Enabled", c.param("AutoCreation.Enabled"))
		}
		a.autoEnabled = b
	}
	if v := c.optParam("AutoCreation.Type"); v != nil {
		t := strings.ToLower(*v)
		if t != "webhook" && t != "studio" && t != "default" {
			return invalidParam("AutoCreation.Type", *v)
		}
		a.autoType = t
	}
	if v := c.optParam("AutoCreation.ConversationServiceSid"); v != nil {
		if *v != "" && !isSID(*v, "IS") {
			return invalidParam("AutoCreation.ConversationServiceSid", *v)
		}
		a.autoServiceSid = *v
	}
	if v := c.optParam("AutoCreation.WebhookUrl"); v != nil {
		// It becomes the URL of the conversation webhook auto-creation
		// adds, so a conversation webhook's limit applies (the emulator's
		// assumption).
		if err := checkWebhookURL("AutoCreation.WebhookUrl", *v, codeWebhookURLTooLong); err != nil {
			return err
		}
		if u, err := url.Parse(*v); *v != "" && (err != nil || u.Scheme == "" || u.Host == "") {
			return invalidParam("AutoCreation.WebhookUrl", *v)
		}
		a.webhookURL = *v
	}
	if v := c.optParam("AutoCreation.WebhookMethod"); v != nil {
		m := strings.ToLower(*v)
		if m != "get" && m != "post" {
			return invalidParam("AutoCreation.WebhookMethod", *v)
		}
		a.webhookMethod = m
	}
	if c.has("AutoCreation.WebhookFilters") {
		a.webhookFilters = nil
		for _, f := range c.form["AutoCreation.WebhookFilters"] {
			if !slices.Contains(autoCreationFilters, f) {
				return invalidParam("AutoCreation.WebhookFilters", f)
			}
			a.webhookFilters = append(a.webhookFilters, f)
		}
	}
	if v := c.optParam("AutoCreation.StudioFlowSid"); v != nil {
		if *v != "" && !isSID(*v, "FW") {
			return invalidParam("AutoCreation.StudioFlowSid", *v)
		}
		a.studioFlowSid = *v
	}
	if c.has("AutoCreation.StudioRetryCount") {
		n, err := strconv.Atoi(c.param("AutoCreation.StudioRetryCount"))
		if err != nil || n < 0 || n > 3 {
			return invalidParam("AutoCreation.StudioRetryCount", c.param("AutoCreation.StudioRetryCount"))
		}
		a.studioRetryCount = &n
	}
	return nil
}

// checkAutoCreation checks that an enabled auto-creation has what its type
// needs and names an existing service. The lock must be held.
func (e *Emulator) checkAutoCreation(a *addressConfig) error {
	if a.autoServiceSid != "" {
		if _, ok := e.services.get(a.autoServiceSid); !ok {
			return invalidParam("AutoCreation.ConversationServiceSid", a.autoServiceSid)
		}
	}
	if !a.autoEnabled {
		return nil
	}
	switch {
	case a.autoType == "webhook" && a.webhookURL == "":
		return missingParam("AutoCreation.WebhookUrl")
	case a.autoType == "studio" && a.studioFlowSid == "":
		return missingParam("AutoCreation.StudioFlowSid")
	}
	return nil
}

// createAddress creates an address configuration. An address can be
// configured once per type (409; Twilio's code for this is not documented,
// the emulator answers 20001).
func (e *Emulator) createAddress(c *call) (int, any, error) {
	a := &addressConfig{
		typ:           strings.ToLower(c.param("Type")),
		address:       c.param("Address"),
		country:       c.param("AddressCountry"),
		autoType:      "default",
		webhookMethod: "post",
	}
	switch {
	case a.typ == "":
		return 0, nil, missingParam("Type")
	case !slices.Contains(addressTypes, a.typ):
		return 0, nil, invalidParam("Type", c.param("Type"))
	case a.address == "":
		return 0, nil, missingParam("Address")
	}
	if err := c.addressInput(a); err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	if err := e.checkAutoCreation(a); err != nil {
		return 0, nil, err
	}
	if _, dup := e.addresses.find(func(o *addressConfig) bool { return o.typ == a.typ && o.address == a.address }); dup {
		return 0, nil, conflict(codeInvalidParam, "Address %s of type %s is already configured", a.address, a.typ)
	}
	now := e.nowLocked()
	a.sid, a.created, a.updated = newSID("IG"), now, now
	e.addresses.put(a.sid, a)
	return http.StatusCreated, e.renderAddress(c, a), nil
}

func (e *Emulator) listAddresses(c *call) (int, any, error) {
	typ := strings.ToLower(c.param("Type"))
	if typ != "" && !slices.Contains(addressTypes, typ) {
		return 0, nil, invalidParam("Type", c.param("Type"))
	}
	e.lock()
	defer e.unlock()
	items := slices.DeleteFunc(e.addresses.all(), func(a *addressConfig) bool { return typ != "" && a.typ != typ })
	return okList(paginate(c, items, listOpts{"address_configurations", 50, 50},
		func(a *addressConfig) any { return e.renderAddress(c, a) }))
}

func (c *call) addressConfig() (*addressConfig, error) {
	a, ok := c.e.addresses.get(c.r.PathValue("Sid"))
	if !ok {
		return nil, notFound(c.r.URL.Path)
	}
	return a, nil
}

func (e *Emulator) fetchAddress(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	a, err := c.addressConfig()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderAddress(c, a), nil
}

func (e *Emulator) updateAddress(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	a, err := c.addressConfig()
	if err != nil {
		return 0, nil, err
	}
	draft := *a
	if err := c.addressInput(&draft); err != nil {
		return 0, nil, err
	}
	if err := e.checkAutoCreation(&draft); err != nil {
		return 0, nil, err
	}
	draft.updated = e.nowLocked()
	*a = draft
	return http.StatusOK, e.renderAddress(c, a), nil
}

func (e *Emulator) deleteAddress(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	a, err := c.addressConfig()
	if err != nil {
		return 0, nil, err
	}
	e.addresses.remove(a.sid)
	return http.StatusNoContent, nil, nil
}

// autoCreateConfig returns the address configuration with auto-creation
// enabled that an inbound message from an address to a proxy address (or
// group number) to falls under, and the service it creates conversations
// in; nil when there is none. The lock must be held.
func (e *Emulator) autoCreateConfig(from, to string) (*addressConfig, *service) {
	ch := channelOf(to)
	a, ok := e.addresses.find(func(a *addressConfig) bool {
		return a.autoEnabled && a.typ == ch && (a.address == to || ch+":"+a.address == to)
	})
	if !ok || channelOf(from) != ch || from == to {
		return nil, nil
	}
	svc := e.defaultSvc
	if s, ok := e.services.get(a.autoServiceSid); ok {
		svc = s
	}
	return a, svc
}

// autoCreate creates the conversation for an inbound message that no open
// conversation holds, under address configuration a: in svc, with the
// sender (for a Group MMS, every member, with no proxy address) as
// participants and, for auto-creation type webhook (studio), a
// conversation-scoped webhook (studio webhook) with the configured URL,
// method and filters. The caller adds the message. onConversationAdded and
// onParticipantAdded fire. The lock must be held.
func (e *Emulator) autoCreate(a *addressConfig, svc *service, in inboundMessage, friendlyName string) *conversation {
	ch := channelOf(in.to)
	now := e.nowLocked()
	conv := &conversation{
		sid:                 newSID("CH"),
		svc:                 svc,
		friendlyName:        friendlyName,
		messagingServiceSid: e.messagingSid,
		attributes:          "{}",
		state:               "active",
		created:             now,
		updated:             now,
		inactiveTimer:       e.acct.inactiveTimer,
		closedTimer:         e.acct.closedTimer,
	}
	if in.group() {
		conv.groupNumber = in.to
	}
	svc.conversations.put(conv.sid, conv)
	e.idx.addConversation(conv)
	e.resetTimers(conv)
	switch a.autoType {
	case "webhook":
		w := &scopedWebhook{sid: newSID("WH"), target: "webhook", url: a.webhookURL, method: a.webhookMethod,
			filters: slices.Clone(a.webhookFilters), created: now, updated: now}
		conv.webhooks.put(w.sid, w)
	case "studio":
		w := &scopedWebhook{sid: newSID("WH"), target: "studio", flowSid: a.studioFlowSid, method: "post", created: now, updated: now}
		conv.webhooks.put(w.sid, w)
	}
	o := channelOrigin(ch)
	added := e.conversationParams(conv)
	for k, v := range e.autoCreateParams(svc, in, friendlyName) {
		if strings.HasPrefix(k, "MessagingBinding.") {
			added[k] = v
		}
	}
	e.postEvent(svc, conv, o, "onConversationAdded", added)

	for _, addr := range in.addresses() {
		p := &participant{sid: newSID("MB"), address: addr, channel: ch, attributes: "{}", created: now, updated: now}
		if !in.group() {
			p.proxyAddress = in.to
		}
		conv.participants.put(p.sid, p)
		e.idx.addParticipant(conv, p)
		e.postEvent(svc, conv, o, "onParticipantAdded", e.participantParams(conv, p))
	}
	return conv
}
