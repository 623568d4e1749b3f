package conversationstest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// receipt is a message's Delivery Receipt (DY…) for one non-chat participant.
type receipt struct {
	sid               string
	channelMessageSid string
	participantSid    string
	channel           string // the recipient's channel: sms, whatsapp, …
	status            string
	errorCode         int
	created, updated  time.Time
	outcome           *failure // how delivery ends; nil: delivered
	readsAfter        bool     // a WhatsApp recipient that reads it once delivered
}

type receiptJSON struct {
	Sid               string  `json:"sid"`
	AccountSid        string  `json:"account_sid"`
	ChatServiceSid    *string `json:"chat_service_sid,omitempty"`
	ConversationSid   string  `json:"conversation_sid"`
	MessageSid        string  `json:"message_sid"`
	ChannelMessageSid string  `json:"channel_message_sid"`
	Status            string  `json:"status"`
	ErrorCode         int     `json:"error_code"`
	ParticipantSid    string  `json:"participant_sid"`
	DateCreated       string  `json:"date_created"`
	DateUpdated       string  `json:"date_updated"`
	URL               string  `json:"url"`
}

func (e *Emulator) renderReceipt(c *call, conv *conversation, m *message, r *receipt) any {
	return receiptJSON{
		Sid:               r.sid,
		AccountSid:        e.cfg.accountSID,
		ChatServiceSid:    c.chatServiceSid(conv.svc),
		ConversationSid:   conv.sid,
		MessageSid:        m.sid,
		ChannelMessageSid: r.channelMessageSid,
		Status:            r.status,
		ErrorCode:         r.errorCode,
		ParticipantSid:    r.participantSid,
		DateCreated:       fmtDate(r.created),
		DateUpdated:       fmtDate(r.updated),
		URL:               c.conversationURL(conv) + "/Messages/" + m.sid + "/Receipts/" + r.sid,
	}
}

func (e *Emulator) receiptRoutes() {
	const base = "/Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts"
	e.handleBoth("GET", base, e.listReceipts)
	e.handleBoth("GET", base+"/{Sid}", e.fetchReceipt)
}

func (e *Emulator) listReceipts(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	m, err := c.message(conv, c.r.PathValue("MessageSid"))
	if err != nil {
		return 0, nil, err
	}
	return okList(paginate(c, m.receipts.all(), listOpts{"delivery_receipts", 50, 50},
		func(r *receipt) any { return e.renderReceipt(c, conv, m, r) }))
}

func (e *Emulator) fetchReceipt(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return 0, nil, err
	}
	m, err := c.message(conv, c.r.PathValue("MessageSid"))
	if err != nil {
		return 0, nil, err
	}
	r, ok := m.receipts.get(c.r.PathValue("Sid"))
	if !ok {
		return 0, nil, notFound(c.r.URL.Path)
	}
	return http.StatusOK, e.renderReceipt(c, conv, m, r), nil
}

// fanOut sends a new message to every non-chat participant but its author:
// each gets a receipt in status sent and, unless its address is set to fail,
// the message on its simulated phone. A queued job then moves the receipts
// to delivered (or failed/undelivered), firing onDeliveryUpdated at each
// step. The lock must be held.
func (e *Emulator) fanOut(conv *conversation, m *message) {
	now := e.nowLocked()
	var sent []*receipt
	for _, p := range conv.participants.all() {
		if !p.nonChat() || p.sid == m.participantSid {
			continue
		}
		prefix := "SM"
		if p.channel == "whatsapp" {
			prefix = "WA"
		}
		r := &receipt{
			sid:               newSID("DY"),
			channelMessageSid: newSID(prefix),
			participantSid:    p.sid,
			channel:           p.channel,
			status:            "sent",
			created:           now,
			updated:           now,
		}
		m.receipts.put(r.sid, r)
		sent = append(sent, r)
		if f, fails := e.failures[p.address]; fails {
			r.outcome = &f
		} else {
			from := p.proxyAddress
			if p.groupMember() {
				from = conv.groupNumberOf()
			}
			sm := SimulatedMessage{
				From:              from,
				To:                p.address,
				Channel:           p.channel,
				Author:            m.author,
				ConversationSid:   conv.sid,
				MessageSid:        m.sid,
				ChannelMessageSid: r.channelMessageSid,
				DateSent:          now,
			}
			if m.body != nil && len(m.media) == 0 {
				sm.Body = *m.body // with media, SMS and WhatsApp users get the file alone
			}
			for _, md := range m.media {
				sm.MediaSids = append(sm.MediaSids, md.Sid)
			}
			e.phones[p.address] = append(e.phones[p.address], sm)
		}
		if p.channel == "whatsapp" && !e.noReadReceipts[p.address] {
			r.readsAfter = true
		}
		e.postEvent(conv.svc, conv, channelOrigin(p.channel), "onDeliveryUpdated", e.receiptParams(conv, m, r))
	}
	if len(sent) > 0 {
		e.completeDeliveries(conv, m, sent)
	}
}

// completeDeliveries queues the job that moves receipts in status sent to
// their outcome (then WhatsApp receipts on to read), for a new message's
// fan-out and for the pending receipts of an imported state, whose
// delivered WhatsApp receipts may still have their read to come. The lock
// must be held.
func (e *Emulator) completeDeliveries(conv *conversation, m *message, pending []*receipt) {
	e.dispatch.enqueue(conv.sid, func(context.Context) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if conv.deleted {
			return
		}
		now := e.nowLocked()
		var read []*receipt
		for _, r := range pending {
			if r.status == "delivered" && r.readsAfter {
				read = append(read, r)
			}
			if r.status != "sent" {
				continue
			}
			r.status, r.errorCode = "delivered", 0
			if r.outcome != nil {
				r.status, r.errorCode = r.outcome.status, r.outcome.code
			} else if r.readsAfter {
				read = append(read, r)
			}
			r.updated = now
			e.postEvent(conv.svc, conv, channelOrigin(receiptChannel(conv, r)), "onDeliveryUpdated", e.receiptParams(conv, m, r))
		}
		if len(read) > 0 {
			e.dispatch.enqueue(conv.sid, func(context.Context) { e.markRead(conv, m, read) })
		}
	})
}

// receiptChannel is the channel of a receipt's recipient: recorded on the
// receipt, else (an imported state) its participant's, else sms. The lock
// must be held.
func receiptChannel(conv *conversation, r *receipt) string {
	if r.channel != "" {
		return r.channel
	}
	if p, ok := conv.participants.get(r.participantSid); ok && p.channel != "" {
		return p.channel
	}
	return "sms"
}

// markRead moves delivered WhatsApp receipts on to read, as the recipient's
// WhatsApp app reports it, firing onDeliveryUpdated with Status read.
func (e *Emulator) markRead(conv *conversation, m *message, rs []*receipt) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.nowLocked()
	for _, r := range rs {
		if r.status != "delivered" {
			continue
		}
		r.status, r.updated = "read", now
		e.postEvent(conv.svc, conv, channelOrigin(r.channel), "onDeliveryUpdated", e.receiptParams(conv, m, r))
	}
}

// SetReadReceipts sets whether messages delivered to the WhatsApp user at
// address (whatsapp:+1…) are then read: by default they are, and their
// receipts move from delivered to read (onDeliveryUpdated with Status
// read). With read false they stay delivered, as for a user who has read
// receipts turned off. SMS has no read receipts. It applies to later
// messages, next to [Emulator.FailDeliveriesTo].
func (e *Emulator) SetReadReceipts(address string, read bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if read {
		delete(e.noReadReceipts, address)
		return
	}
	if e.noReadReceipts == nil {
		e.noReadReceipts = make(map[string]bool)
	}
	e.noReadReceipts[address] = true
}

func (e *Emulator) receiptParams(conv *conversation, m *message, r *receipt) url.Values {
	p := url.Values{}
	p.Set("ConversationSid", conv.sid)
	p.Set("ChatServiceSid", conv.svc.sid)
	p.Set("MessageSid", m.sid)
	p.Set("DeliveryReceiptSid", r.sid)
	p.Set("ChannelMessageSid", r.channelMessageSid)
	p.Set("ParticipantSid", r.participantSid)
	p.Set("Status", r.status)
	p.Set("ErrorCode", strconv.Itoa(r.errorCode))
	p.Set("DateCreated", fmtDate(r.created))
	p.Set("DateUpdated", fmtDate(r.updated))
	return p
}
