package conversationstest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"
)

// ImportState replaces everything the emulator holds with a document made
// by [Emulator.ExportState] (or GET /_emulator/state). A malformed document
// is refused with an error and changes nothing. Deliveries that were still
// pending when the document was exported (receipts in status sent) complete
// after the import, firing their webhooks. The webhook log is cleared.
//
// The document is checked while it is decoded (state_decode.go): a
// document whose entries are empty or malformed is refused at the first
// one, and one that would take more than a few times its size in memory is
// refused before it does.
func (e *Emulator) ImportState(data []byte) error {
	doc, err := decodeState(bytes.NewReader(data), 0)
	if err != nil {
		return fmt.Errorf("conversationstest: invalid state document: %w", err)
	}
	return e.importDoc(doc)
}

func (e *Emulator) importDoc(doc *stateDoc) error {
	if err := checkState(doc); err != nil {
		return fmt.Errorf("conversationstest: invalid state document: %w", err)
	}
	e.mu.Lock()
	e.retireLocked()
	e.clockOffset = doc.ClockOffset
	e.nextTimerScan = time.Time{}
	e.messagingSid = doc.MessagingServiceSid
	e.globalHooks = importHooks(doc.GlobalWebhooks)
	if e.globalHooks.filters == nil {
		e.globalHooks.filters = []string{} // rendered as [], never null
	}
	e.acct = accountConfig{doc.Account.InactiveTimer, doc.Account.ClosedTimer, doc.Account.InactiveTimerStr, doc.Account.ClosedTimerStr}
	e.services = table[service]{}
	var pending []func()
	for i := range doc.Services {
		svc := e.importService(&doc.Services[i], &pending)
		e.services.put(svc.sid, svc)
	}
	e.defaultSvc, _ = e.services.get(doc.DefaultServiceSid)
	e.addresses = table[addressConfig]{}
	for _, a := range doc.Addresses {
		e.addresses.put(a.Sid, &addressConfig{
			sid: a.Sid, typ: a.Type, address: a.Address, friendlyName: a.FriendlyName, country: a.Country,
			created: a.Created, updated: a.Updated, autoEnabled: a.AutoEnabled, autoType: a.AutoType,
			autoServiceSid: a.AutoServiceSid, webhookURL: a.WebhookURL, webhookMethod: a.WebhookMethod,
			webhookFilters: slices.Clone(a.WebhookFilters), studioFlowSid: a.StudioFlowSid, studioRetryCount: clonePtr(a.StudioRetryCount),
		})
	}
	e.credentials = table[credential]{}
	for _, c := range doc.Credentials {
		e.credentials.put(c.Sid, &credential{c.Sid, c.FriendlyName, c.Type, c.Sandbox, c.Created, c.Updated})
	}
	e.media = table[mediaFile]{}
	for _, m := range doc.Media {
		e.media.put(m.Sid, &mediaFile{m.Sid, m.ServiceSid, m.Created, m.ContentType, m.Filename, m.Data, m.ChannelSid, m.MessageSid})
	}
	e.phones = make(map[string][]SimulatedMessage, len(doc.Phones))
	for addr, msgs := range doc.Phones {
		out := make([]SimulatedMessage, len(msgs))
		for i, sm := range msgs {
			out[i] = SimulatedMessage{sm.From, sm.To, sm.Channel, sm.Body, slices.Clone(sm.MediaSids), sm.Author,
				sm.ConversationSid, sm.MessageSid, sm.ChannelMessageSid, sm.DateSent}
		}
		e.phones[addr] = out
	}
	e.failures = make(map[string]failure, len(doc.Failures))
	for addr, f := range doc.Failures {
		e.failures[addr] = failure{f.Status, f.Code}
	}
	e.noReadReceipts = nil
	for _, addr := range doc.NoReadReceipts {
		if e.noReadReceipts == nil {
			e.noReadReceipts = make(map[string]bool)
		}
		e.noReadReceipts[addr] = true
	}
	for _, svc := range e.services.all() {
		for _, conv := range svc.conversations.all() {
			if conv.dateInactive != nil {
				e.scheduleTimer(*conv.dateInactive)
			}
			if conv.dateClosed != nil {
				e.scheduleTimer(*conv.dateClosed)
			}
		}
	}
	e.reindex() // index.go
	for _, p := range pending {
		p()
	}
	e.mu.Unlock()
	e.hooklog.clear()
	e.changed()
	return nil
}

func importHooks(h stateHooks) hookConfig {
	return hookConfig{preURL: h.PreURL, postURL: h.PostURL, method: h.Method, filters: slices.Clone(h.Filters), target: h.Target}
}

// importService builds a service from its document. Receipts still pending
// get a completion job appended to pending, to queue once all is stored.
func (e *Emulator) importService(s *stateService, pending *[]func()) *service {
	svc := &service{
		sid: s.Sid, friendlyName: s.FriendlyName, created: s.Created, updated: s.Updated,
		uniqueNames: make(map[string]string), defaultRole: s.DefaultRole, hooks: importHooks(s.Webhooks),
		config: serviceConfig{creatorRole: s.CreatorRole, serviceRole: s.ServiceRole, reachability: s.Reachability},
		notify: s.Notifications,
	}
	for _, r := range s.Roles {
		svc.roles.put(r.Sid, &role{r.Sid, r.FriendlyName, r.Type, slices.Clone(r.Permissions), r.Created, r.Updated})
	}
	for _, u := range s.Users {
		nu := &user{sid: u.Sid, identity: u.Identity, friendlyName: u.FriendlyName, attributes: u.Attributes,
			roleSid: u.RoleSid, created: u.Created, updated: u.Updated}
		if len(u.Levels) > 0 {
			nu.levels = maps.Clone(u.Levels)
		}
		svc.users.put(u.Sid, nu)
	}
	for _, b := range s.Bindings {
		svc.bindings.put(b.Sid, &binding{b.Sid, b.Identity, b.Type, b.Endpoint, b.CredentialSid, b.Created, b.Updated})
	}
	for i := range s.Conversations {
		conv := e.importConversation(svc, &s.Conversations[i], pending)
		svc.conversations.put(conv.sid, conv)
		if conv.uniqueName != "" {
			svc.uniqueNames[conv.uniqueName] = conv.sid
		}
	}
	return svc
}

func (e *Emulator) importConversation(svc *service, c *stateConversation, pending *[]func()) *conversation {
	conv := &conversation{
		sid: c.Sid, svc: svc, friendlyName: c.FriendlyName, uniqueName: c.UniqueName, attributes: c.Attributes,
		messagingServiceSid: c.MessagingServiceSid, state: c.State, created: c.Created, updated: c.Updated,
		inactiveTimer: c.InactiveTimer, closedTimer: c.ClosedTimer,
		dateInactive: clonePtr(c.DateInactive), dateClosed: clonePtr(c.DateClosed),
		emailAddress: c.EmailAddress, emailName: c.EmailName, nextIndex: c.NextIndex,
		groupNumber: c.GroupNumber,
	}
	for _, p := range c.Participants {
		conv.participants.put(p.Sid, &participant{
			sid: p.Sid, identity: p.Identity, attributes: p.Attributes, channel: p.Channel, address: p.Address,
			proxyAddress: p.ProxyAddress, projectedAddress: p.ProjectedAddress, roleSid: p.RoleSid,
			created: p.Created, updated: p.Updated, lastReadIndex: clonePtr(p.LastReadIndex), lastReadTimestamp: clonePtr(p.LastReadTimestamp),
		})
	}
	for _, sm := range c.Messages {
		m := &message{
			sid: sm.Sid, index: sm.Index, author: sm.Author, body: clonePtr(sm.Body), media: slices.Clone(sm.Media),
			attributes: sm.Attributes, participantSid: sm.ParticipantSid, contentSid: sm.ContentSid,
			created: sm.Created, updated: sm.Updated,
		}
		var sent []*receipt
		for _, sr := range sm.Receipts {
			r := &receipt{sid: sr.Sid, channelMessageSid: sr.ChannelMessageSid, participantSid: sr.ParticipantSid,
				status: sr.Status, errorCode: sr.ErrorCode, created: sr.Created, updated: sr.Updated,
				channel: sr.Channel, readsAfter: sr.ReadsAfter}
			if sr.Outcome != nil {
				r.outcome = &failure{sr.Outcome.Status, sr.Outcome.Code}
			}
			m.receipts.put(r.sid, r)
			if r.status == "sent" || r.status == "delivered" && r.readsAfter {
				sent = append(sent, r)
			}
		}
		conv.messages.put(m.sid, m)
		if len(sent) > 0 {
			*pending = append(*pending, func() { e.completeDeliveries(conv, m, sent) })
		}
	}
	for _, w := range c.Webhooks {
		conv.webhooks.put(w.Sid, &scopedWebhook{w.Sid, w.Target, w.URL, w.Method, slices.Clone(w.Filters), slices.Clone(w.Triggers),
			w.FlowSid, clonePtr(w.ReplayAfter), w.Created, w.Updated})
	}
	return conv
}

// checkState validates a state document before anything is replaced: SIDs
// present, well-formed and unique, the default service present, states and
// references that the emulator's code relies on.
func checkState(d *stateDoc) error {
	if d.Version != stateVersion {
		return fmt.Errorf("version must be %d, got %d", stateVersion, d.Version)
	}
	if err := checkStateWebhookURLs(d); err != nil { // webhook_urls.go
		return err
	}
	if d.ClockOffset < 0 {
		return fmt.Errorf("clock_offset_ns must not be negative")
	}
	if a := d.Account; a.InactiveTimer < 0 || a.ClosedTimer < 0 || a.InactiveTimer > maxTimer || a.ClosedTimer > maxTimer {
		return fmt.Errorf("account_configuration: timers must be between 0 and 100 years")
	}
	seen := make(map[string]bool)
	sid := func(what, s, prefix string) error {
		if !isSID(s, prefix) {
			return fmt.Errorf("%s: %q is not a %s… SID", what, s, prefix)
		}
		if seen[s] {
			return fmt.Errorf("%s: SID %s appears twice", what, s)
		}
		seen[s] = true
		return nil
	}
	if !isSID(d.MessagingServiceSid, "MG") {
		return fmt.Errorf("messaging_service_sid: %q is not an MG… SID", d.MessagingServiceSid)
	}
	services := make(map[string]bool)
	for _, s := range d.Services {
		if err := sid("service", s.Sid, "IS"); err != nil {
			return err
		}
		services[s.Sid] = true
		for _, r := range s.Roles {
			if err := sid("role", r.Sid, "RL"); err != nil {
				return err
			}
		}
		for _, u := range s.Users {
			if err := sid("user", u.Sid, "US"); err != nil {
				return err
			}
			if u.Identity == "" {
				return fmt.Errorf("user %s: identity is empty", u.Sid)
			}
		}
		for _, b := range s.Bindings {
			if err := sid("binding", b.Sid, "BS"); err != nil {
				return err
			}
		}
		names := make(map[string]bool)
		for _, c := range s.Conversations {
			if err := checkConversation(&c, sid); err != nil {
				return err
			}
			if c.UniqueName != "" {
				if names[c.UniqueName] {
					return fmt.Errorf("conversation %s: unique_name %q is used twice in service %s", c.Sid, c.UniqueName, s.Sid)
				}
				names[c.UniqueName] = true
			}
		}
	}
	if !services[d.DefaultServiceSid] {
		return fmt.Errorf("default_service_sid %q is not one of the services", d.DefaultServiceSid)
	}
	for _, a := range d.Addresses {
		if err := sid("address configuration", a.Sid, "IG"); err != nil {
			return err
		}
	}
	for _, c := range d.Credentials {
		if err := sid("credential", c.Sid, "CR"); err != nil {
			return err
		}
	}
	for _, m := range d.Media {
		if err := sid("media", m.Sid, "ME"); err != nil {
			return err
		}
		if !services[m.ServiceSid] {
			return fmt.Errorf("media %s: service_sid %q is not one of the services", m.Sid, m.ServiceSid)
		}
	}
	for addr, f := range d.Failures {
		if f.Status != "failed" && f.Status != "undelivered" {
			return fmt.Errorf("delivery_failures[%q]: status must be failed or undelivered, got %q", addr, f.Status)
		}
	}
	return nil
}

func checkConversation(c *stateConversation, sid func(what, s, prefix string) error) error {
	if err := sid("conversation", c.Sid, "CH"); err != nil {
		return err
	}
	switch c.State {
	case "active", "inactive", "closed":
	default:
		return fmt.Errorf("conversation %s: state must be active, inactive or closed, got %q", c.Sid, c.State)
	}
	if c.InactiveTimer < 0 || c.ClosedTimer < 0 || c.NextIndex < 0 {
		return fmt.Errorf("conversation %s: timers and next_index must not be negative", c.Sid)
	}
	if c.InactiveTimer > maxTimer || c.ClosedTimer > maxTimer {
		return fmt.Errorf("conversation %s: timers must not exceed 100 years, as the REST API refuses", c.Sid)
	}
	for _, p := range c.Participants {
		if err := sid("participant", p.Sid, "MB"); err != nil {
			return err
		}
	}
	for _, m := range c.Messages {
		if err := sid("message", m.Sid, "IM"); err != nil {
			return err
		}
		if m.Index < 0 || m.Index >= c.NextIndex {
			return fmt.Errorf("message %s: index %d is outside 0..next_index-1 (%d)", m.Sid, m.Index, c.NextIndex-1)
		}
		for _, r := range m.Receipts {
			if err := sid("receipt", r.Sid, "DY"); err != nil {
				return err
			}
			switch r.Status {
			case "sent", "delivered", "read", "failed", "undelivered":
			default:
				return fmt.Errorf("receipt %s: unknown status %q", r.Sid, r.Status)
			}
		}
	}
	for _, w := range c.Webhooks {
		if err := sid("webhook", w.Sid, "WH"); err != nil {
			return err
		}
	}
	return nil
}

func (e *Emulator) controlImport(r *http.Request) (int, any, error) {
	doc, err := decodeState(r.Body, maxControlBody+1)
	switch {
	case errors.Is(err, errStateTooLarge):
		return 0, nil, controlErr(http.StatusRequestEntityTooLarge, "the body exceeds %d bytes", maxControlBody)
	case err != nil:
		return 0, nil, controlErr(http.StatusBadRequest, "invalid JSON body: not a state document: %v", err)
	}
	if err := e.importDoc(doc); err != nil {
		return 0, nil, controlErr(http.StatusBadRequest, "%v", err)
	}
	convs, msgs := 0, 0
	for _, s := range doc.Services {
		convs += len(s.Conversations)
		for _, c := range s.Conversations {
			msgs += len(c.Messages)
		}
	}
	return http.StatusOK, map[string]any{"status": "imported", "services": len(doc.Services), "conversations": convs, "messages": msgs}, nil
}
