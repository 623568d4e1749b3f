package conversationstest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"
)

// The state document: everything the emulator holds, as one JSON value, for
// GET and PUT /_emulator/state, [Emulator.ExportState] and
// [Emulator.ImportState], and the command's -state file. SIDs are random
// 128-bit values, so SIDs created after an import cannot collide with the
// imported ones; the counters that matter (each conversation's next message
// index) are part of the document.

// stateVersion is the version of the state document's shape.
const stateVersion = 1

type stateDoc struct {
	Version             int                     `json:"version"`
	ClockOffset         time.Duration           `json:"clock_offset_ns"`
	DefaultServiceSid   string                  `json:"default_service_sid"`
	MessagingServiceSid string                  `json:"messaging_service_sid"`
	GlobalWebhooks      stateHooks              `json:"global_webhooks"`
	Account             stateAccount            `json:"account_configuration"`
	Services            []stateService          `json:"services"`
	Addresses           []stateAddress          `json:"address_configurations"`
	Credentials         []stateCredential       `json:"credentials"`
	Media               []stateMedia            `json:"media"`
	Phones              map[string][]statePhone `json:"phones"`
	Failures            map[string]stateFailure `json:"delivery_failures"`
	NoReadReceipts      []string                `json:"no_read_receipts,omitempty"` // WhatsApp addresses that never read
}

type stateHooks struct {
	PreURL  string   `json:"pre_webhook_url,omitempty"`
	PostURL string   `json:"post_webhook_url,omitempty"`
	Method  string   `json:"method,omitempty"`
	Filters []string `json:"filters"`
	Target  string   `json:"target,omitempty"`
}

type stateAccount struct {
	InactiveTimer    time.Duration `json:"inactive_timer_ns"`
	ClosedTimer      time.Duration `json:"closed_timer_ns"`
	InactiveTimerStr string        `json:"inactive_timer,omitempty"`
	ClosedTimerStr   string        `json:"closed_timer,omitempty"`
}

type stateService struct {
	Sid           string               `json:"sid"`
	FriendlyName  string               `json:"friendly_name"`
	Created       time.Time            `json:"date_created"`
	Updated       time.Time            `json:"date_updated"`
	DefaultRole   string               `json:"default_conversation_role_sid"`
	Webhooks      stateHooks           `json:"webhooks"`
	CreatorRole   string               `json:"default_conversation_creator_role_sid"`
	ServiceRole   string               `json:"default_chat_service_role_sid"`
	Reachability  bool                 `json:"reachability_enabled"`
	Notifications serviceNotifications `json:"notifications"`
	Roles         []stateRole          `json:"roles"`
	Users         []stateUser          `json:"users"`
	Bindings      []stateBinding       `json:"bindings"`
	Conversations []stateConversation  `json:"conversations"`
}

type stateRole struct {
	Sid          string    `json:"sid"`
	FriendlyName string    `json:"friendly_name"`
	Type         string    `json:"type"`
	Permissions  []string  `json:"permissions"`
	Created      time.Time `json:"date_created"`
	Updated      time.Time `json:"date_updated"`
}

type stateUser struct {
	Sid          string            `json:"sid"`
	Identity     string            `json:"identity"`
	FriendlyName string            `json:"friendly_name,omitempty"`
	Attributes   string            `json:"attributes"`
	RoleSid      string            `json:"role_sid,omitempty"`
	Created      time.Time         `json:"date_created"`
	Updated      time.Time         `json:"date_updated"`
	Levels       map[string]string `json:"notification_levels,omitempty"`
}

type stateBinding struct {
	Sid           string    `json:"sid"`
	Identity      string    `json:"identity"`
	Type          string    `json:"binding_type"`
	Endpoint      string    `json:"endpoint"`
	CredentialSid string    `json:"credential_sid,omitempty"`
	Created       time.Time `json:"date_created"`
	Updated       time.Time `json:"date_updated"`
}

type stateConversation struct {
	Sid                 string               `json:"sid"`
	FriendlyName        string               `json:"friendly_name,omitempty"`
	UniqueName          string               `json:"unique_name,omitempty"`
	Attributes          string               `json:"attributes"`
	MessagingServiceSid string               `json:"messaging_service_sid"`
	State               string               `json:"state"`
	Created             time.Time            `json:"date_created"`
	Updated             time.Time            `json:"date_updated"`
	InactiveTimer       time.Duration        `json:"inactive_timer_ns"`
	ClosedTimer         time.Duration        `json:"closed_timer_ns"`
	DateInactive        *time.Time           `json:"date_inactive,omitempty"`
	DateClosed          *time.Time           `json:"date_closed,omitempty"`
	EmailAddress        string               `json:"email_address,omitempty"`
	EmailName           string               `json:"email_name,omitempty"`
	NextIndex           int                  `json:"next_index"`
	Participants        []stateParticipant   `json:"participants"`
	Messages            []stateMessage       `json:"messages"`
	Webhooks            []stateScopedWebhook `json:"webhooks"`
	GroupNumber         string               `json:"group_number,omitempty"` // Group MMS (inbound.go)
}

type stateParticipant struct {
	Sid               string    `json:"sid"`
	Identity          string    `json:"identity,omitempty"`
	Attributes        string    `json:"attributes"`
	Channel           string    `json:"channel"`
	Address           string    `json:"address,omitempty"`
	ProxyAddress      string    `json:"proxy_address,omitempty"`
	ProjectedAddress  string    `json:"projected_address,omitempty"`
	RoleSid           string    `json:"role_sid,omitempty"`
	Created           time.Time `json:"date_created"`
	Updated           time.Time `json:"date_updated"`
	LastReadIndex     *int      `json:"last_read_message_index,omitempty"`
	LastReadTimestamp *string   `json:"last_read_timestamp,omitempty"`
}

type stateMessage struct {
	Sid            string         `json:"sid"`
	Index          int            `json:"index"`
	Author         string         `json:"author"`
	Body           *string        `json:"body"`
	Media          []mediaRef     `json:"media,omitempty"`
	Attributes     string         `json:"attributes"`
	ParticipantSid string         `json:"participant_sid,omitempty"`
	ContentSid     string         `json:"content_sid,omitempty"`
	Created        time.Time      `json:"date_created"`
	Updated        time.Time      `json:"date_updated"`
	Receipts       []stateReceipt `json:"receipts,omitempty"`
}

type stateReceipt struct {
	Sid               string        `json:"sid"`
	ChannelMessageSid string        `json:"channel_message_sid"`
	ParticipantSid    string        `json:"participant_sid"`
	Status            string        `json:"status"`
	ErrorCode         int           `json:"error_code"`
	Created           time.Time     `json:"date_created"`
	Updated           time.Time     `json:"date_updated"`
	Outcome           *stateFailure `json:"outcome,omitempty"` // how a pending (sent) delivery ends; none: delivered
	Channel           string        `json:"channel,omitempty"`
	ReadsAfter        bool          `json:"reads_after,omitempty"` // a WhatsApp recipient that reads it once delivered
}

type stateFailure struct {
	Status string `json:"status"`
	Code   int    `json:"error_code"`
}

type stateScopedWebhook struct {
	Sid         string    `json:"sid"`
	Target      string    `json:"target"`
	URL         string    `json:"url,omitempty"`
	Method      string    `json:"method,omitempty"`
	Filters     []string  `json:"filters,omitempty"`
	Triggers    []string  `json:"triggers,omitempty"`
	FlowSid     string    `json:"flow_sid,omitempty"`
	ReplayAfter *int      `json:"replay_after,omitempty"`
	Created     time.Time `json:"date_created"`
	Updated     time.Time `json:"date_updated"`
}

type stateAddress struct {
	Sid              string    `json:"sid"`
	Type             string    `json:"type"`
	Address          string    `json:"address"`
	FriendlyName     string    `json:"friendly_name,omitempty"`
	Country          string    `json:"address_country,omitempty"`
	Created          time.Time `json:"date_created"`
	Updated          time.Time `json:"date_updated"`
	AutoEnabled      bool      `json:"auto_creation_enabled"`
	AutoType         string    `json:"auto_creation_type,omitempty"`
	AutoServiceSid   string    `json:"auto_creation_conversation_service_sid,omitempty"`
	WebhookURL       string    `json:"auto_creation_webhook_url,omitempty"`
	WebhookMethod    string    `json:"auto_creation_webhook_method,omitempty"`
	WebhookFilters   []string  `json:"auto_creation_webhook_filters,omitempty"`
	StudioFlowSid    string    `json:"auto_creation_studio_flow_sid,omitempty"`
	StudioRetryCount *int      `json:"auto_creation_studio_retry_count,omitempty"`
}

type stateCredential struct {
	Sid          string    `json:"sid"`
	FriendlyName string    `json:"friendly_name,omitempty"`
	Type         string    `json:"type"`
	Sandbox      bool      `json:"sandbox"`
	Created      time.Time `json:"date_created"`
	Updated      time.Time `json:"date_updated"`
}

type stateMedia struct {
	Sid         string    `json:"sid"`
	ServiceSid  string    `json:"service_sid"`
	Created     time.Time `json:"date_created"`
	ContentType string    `json:"content_type"`
	Filename    string    `json:"filename,omitempty"`
	Data        []byte    `json:"data"` // base64
	ChannelSid  string    `json:"channel_sid,omitempty"`
	MessageSid  string    `json:"message_sid,omitempty"`
}

type statePhone struct {
	From              string    `json:"from"`
	To                string    `json:"to"`
	Channel           string    `json:"channel"`
	Body              string    `json:"body"`
	MediaSids         []string  `json:"media_sids,omitempty"`
	Author            string    `json:"author"`
	ConversationSid   string    `json:"conversation_sid"`
	MessageSid        string    `json:"message_sid"`
	ChannelMessageSid string    `json:"channel_message_sid"`
	DateSent          time.Time `json:"date_sent"`
}

func exportHooks(h hookConfig) stateHooks {
	return stateHooks{PreURL: h.preURL, PostURL: h.postURL, Method: h.method, Filters: h.filters, Target: h.target}
}

// ExportState returns everything the emulator holds as one JSON document,
// which [Emulator.ImportState] (or PUT /_emulator/state) loads back. Its
// shape is the emulator's own and may change between versions of this
// package; the document carries a version number.
func (e *Emulator) ExportState() ([]byte, error) {
	e.lock()
	doc := e.exportLocked()
	// Encoding reads only the document's own copies, so the lock can go.
	e.unlock()
	return json.Marshal(doc)
}

// exportLocked copies the state into a document. The lock must be held.
func (e *Emulator) exportLocked() *stateDoc {
	d := &stateDoc{
		Version:             stateVersion,
		ClockOffset:         e.clockOffset,
		DefaultServiceSid:   e.defaultSvc.sid,
		MessagingServiceSid: e.messagingSid,
		GlobalWebhooks:      exportHooks(e.globalHooks),
		Account: stateAccount{e.acct.inactiveTimer, e.acct.closedTimer,
			e.acct.inactiveTimerStr, e.acct.closedTimerStr},
		Services:    []stateService{},
		Addresses:   []stateAddress{},
		Credentials: []stateCredential{},
		Media:       []stateMedia{},
		Phones:      make(map[string][]statePhone, len(e.phones)),
		Failures:    make(map[string]stateFailure, len(e.failures)),
	}
	d.GlobalWebhooks.Filters = slices.Clone(d.GlobalWebhooks.Filters)
	for _, svc := range e.services.all() {
		d.Services = append(d.Services, exportService(svc))
	}
	for _, a := range e.addresses.all() {
		d.Addresses = append(d.Addresses, stateAddress{
			Sid: a.sid, Type: a.typ, Address: a.address, FriendlyName: a.friendlyName, Country: a.country,
			Created: a.created, Updated: a.updated, AutoEnabled: a.autoEnabled, AutoType: a.autoType,
			AutoServiceSid: a.autoServiceSid, WebhookURL: a.webhookURL, WebhookMethod: a.webhookMethod,
			WebhookFilters: slices.Clone(a.webhookFilters), StudioFlowSid: a.studioFlowSid, StudioRetryCount: clonePtr(a.studioRetryCount),
		})
	}
	for _, c := range e.credentials.all() {
		d.Credentials = append(d.Credentials, stateCredential{c.sid, c.friendlyName, c.typ, c.sandbox, c.created, c.updated})
	}
	for _, m := range e.media.all() {
		// The bytes are never changed once stored, so they can be shared.
		d.Media = append(d.Media, stateMedia{m.sid, m.serviceSid, m.created, m.contentType, m.filename, m.data, m.channelSid, m.messageSid})
	}
	for addr, msgs := range e.phones {
		out := make([]statePhone, len(msgs))
		for i, sm := range msgs {
			out[i] = statePhone{sm.From, sm.To, sm.Channel, sm.Body, slices.Clone(sm.MediaSids), sm.Author,
				sm.ConversationSid, sm.MessageSid, sm.ChannelMessageSid, sm.DateSent}
		}
		d.Phones[addr] = out
	}
	for addr, f := range e.failures {
		d.Failures[addr] = stateFailure{f.status, f.code}
	}
	for addr := range e.noReadReceipts {
		d.NoReadReceipts = append(d.NoReadReceipts, addr)
	}
	slices.Sort(d.NoReadReceipts)
	return d
}

func exportService(svc *service) stateService {
	s := stateService{
		Sid: svc.sid, FriendlyName: svc.friendlyName, Created: svc.created, Updated: svc.updated,
		DefaultRole: svc.defaultRole, Webhooks: exportHooks(svc.hooks),
		CreatorRole: svc.config.creatorRole, ServiceRole: svc.config.serviceRole, Reachability: svc.config.reachability,
		Notifications: svc.notify,
		Roles:         []stateRole{}, Users: []stateUser{}, Bindings: []stateBinding{}, Conversations: []stateConversation{},
	}
	s.Webhooks.Filters = slices.Clone(s.Webhooks.Filters)
	for _, r := range svc.roles.all() {
		s.Roles = append(s.Roles, stateRole{r.sid, r.friendlyName, r.typ, slices.Clone(r.permissions), r.created, r.updated})
	}
	for _, u := range svc.users.all() {
		su := stateUser{u.sid, u.identity, u.friendlyName, u.attributes, u.roleSid, u.created, u.updated, nil}
		if len(u.levels) > 0 {
			su.Levels = maps.Clone(u.levels)
		}
		s.Users = append(s.Users, su)
	}
	for _, b := range svc.bindings.all() {
		s.Bindings = append(s.Bindings, stateBinding{b.sid, b.identity, b.typ, b.endpoint, b.credentialSid, b.created, b.updated})
	}
	for _, conv := range svc.conversations.all() {
		s.Conversations = append(s.Conversations, exportConversation(conv))
	}
	return s
}

func exportConversation(conv *conversation) stateConversation {
	c := stateConversation{
		Sid: conv.sid, FriendlyName: conv.friendlyName, UniqueName: conv.uniqueName, Attributes: conv.attributes,
		MessagingServiceSid: conv.messagingServiceSid, State: conv.state, Created: conv.created, Updated: conv.updated,
		InactiveTimer: conv.inactiveTimer, ClosedTimer: conv.closedTimer,
		DateInactive: clonePtr(conv.dateInactive), DateClosed: clonePtr(conv.dateClosed),
		EmailAddress: conv.emailAddress, EmailName: conv.emailName, NextIndex: conv.nextIndex,
		GroupNumber:  conv.groupNumber,
		Participants: make([]stateParticipant, 0, conv.participants.len()),
		Messages:     make([]stateMessage, 0, conv.messages.len()),
		Webhooks:     []stateScopedWebhook{},
	}
	for _, p := range conv.participants.all() {
		c.Participants = append(c.Participants, stateParticipant{
			Sid: p.sid, Identity: p.identity, Attributes: p.attributes, Channel: p.channel, Address: p.address,
			ProxyAddress: p.proxyAddress, ProjectedAddress: p.projectedAddress, RoleSid: p.roleSid,
			Created: p.created, Updated: p.updated, LastReadIndex: clonePtr(p.lastReadIndex), LastReadTimestamp: clonePtr(p.lastReadTimestamp),
		})
	}
	for _, m := range conv.messages.all() {
		sm := stateMessage{
			Sid: m.sid, Index: m.index, Author: m.author, Body: clonePtr(m.body), Media: slices.Clone(m.media),
			Attributes: m.attributes, ParticipantSid: m.participantSid, ContentSid: m.contentSid,
			Created: m.created, Updated: m.updated,
		}
		for _, r := range m.receipts.all() {
			sr := stateReceipt{Sid: r.sid, ChannelMessageSid: r.channelMessageSid, ParticipantSid: r.participantSid, Status: r.status,
				ErrorCode: r.errorCode, Created: r.created, Updated: r.updated, Channel: r.channel, ReadsAfter: r.readsAfter}
			if r.outcome != nil {
				sr.Outcome = &stateFailure{r.outcome.status, r.outcome.code}
			}
			sm.Receipts = append(sm.Receipts, sr)
		}
		c.Messages = append(c.Messages, sm)
	}
	for _, w := range conv.webhooks.all() {
		c.Webhooks = append(c.Webhooks, stateScopedWebhook{w.sid, w.target, w.url, w.method, slices.Clone(w.filters),
			slices.Clone(w.triggers), w.flowSid, clonePtr(w.replayAfter), w.created, w.updated})
	}
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// StateVersion returns a number that moves whenever the emulator's state
// may have changed: a REST write the emulator accepted (any method but GET
// and HEAD, answered below 400), a simulated user's message or push binding
// accepted, [Emulator.FailDeliveriesTo], a webhook delivery logged, a queued
// job done (a delivery receipt moved), the clock advanced, a timer firing,
// unattached media swept, [Emulator.Reset] or [Emulator.ImportState]. A
// refused request (401, 403, 404, 415, 429, a validation error) and a read
// leave it where it was. The command's -state uses it to export the state
// only after a change; the inspector's change feed follows it.
func (e *Emulator) StateVersion() uint64 {
	v, _ := e.live.watch() // the inspector's change feed (live.go)
	return v
}

func (e *Emulator) controlExport(*http.Request) (int, any, error) {
	e.lock()
	defer e.unlock()
	return http.StatusOK, e.exportLocked(), nil
}
