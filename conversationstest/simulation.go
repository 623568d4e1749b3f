package conversationstest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conversations-go/conversations"
)

// SimulatedMessage is a message an SMS or WhatsApp user's simulated phone
// received from a conversation.
type SimulatedMessage struct {
	From              string    // the proxy address it came from
	To                string    // the user's address (whatsapp:+1… for WhatsApp)
	Channel           string    // "sms" or "whatsapp"
	Body              string    // the message body ("" when media is attached: SMS and WhatsApp drop it)
	MediaSids         []string  // the media attached (ME…), if any
	Author            string    // the conversation message's author
	ConversationSid   string    // CH…
	MessageSid        string    // IM…
	ChannelMessageSid string    // the carrier message (SM… or WA…)
	DateSent          time.Time // by the emulator's clock
}

// InboundMessage is the conversation message that a simulated user's
// inbound message became.
type InboundMessage struct {
	ConversationSid string // CH…
	MessageSid      string // IM…
	ParticipantSid  string // MB…, the sender
	Index           int
	// CreatedConversation reports that the message auto-created its
	// conversation (an address configuration with auto-creation enabled).
	CreatedConversation bool
}

// ErrNoConversation is returned by [Emulator.SendSMS] and
// [Emulator.SendWhatsApp] when no open conversation holds the sender's
// address with that proxy address and no address configuration of the proxy
// address has auto-creation enabled (Twilio would hand such a message to the
// phone number's own messaging webhook instead).
var ErrNoConversation = errors.New("conversationstest: no open conversation holds this address and proxy address")

// ErrRejected is returned (wrapped) when a pre-event webhook rejected a
// simulated user's message.
var ErrRejected = errors.New("conversationstest: rejected by the pre-event webhook")

type failure struct {
	status string
	code   int
}

// FailDeliveriesTo makes every later message to address fail with status
// (failed, error 30008, or undelivered, error 30003): its receipts move from
// sent to that status and the address's phone receives nothing. Passing
// DeliveryDelivered (or "") makes deliveries to address succeed again.
func (e *Emulator) FailDeliveriesTo(address string, status conversations.DeliveryStatus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.changed()
	switch status {
	case conversations.DeliveryFailed:
		e.failures[address] = failure{string(status), 30008}
	case conversations.DeliveryUndelivered:
		e.failures[address] = failure{string(status), 30003}
	case conversations.DeliveryDelivered, "":
		delete(e.failures, address)
	default:
		panic(fmt.Sprintf("conversationstest: FailDeliveriesTo: status must be failed, undelivered or delivered, not %q", status))
	}
}

// Received returns, oldest first, the messages the SMS or WhatsApp user at
// address has received (for WhatsApp, address is "whatsapp:+1…").
// Messages reach the phone when they are created; their receipts move to
// delivered asynchronously ([Emulator.Flush] waits for that).
func (e *Emulator) Received(address string) []SimulatedMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.phones[address])
}

// SendSMS simulates an SMS from the user at from to the proxy number to:
// the message lands, authored by from, in the open conversation that holds
// that pair, and is relayed to its other non-chat participants. When no
// conversation holds the pair and an address configuration of to has
// auto-creation enabled, a conversation is created for it first (after the
// onConversationAdd pre-event hook, which may reject or rename it). Webhooks fire
// as for any inbound message (no X-Twilio-Webhook-Enabled needed; Source is
// SMS or WHATSAPP, the emulator's assumption),
// and an onMessageAdd pre-event hook may change or reject it ([ErrRejected]).
func (e *Emulator) SendSMS(from, to, body string) (InboundMessage, error) {
	return e.inbound(from, to, body, nil)
}

// SendWhatsApp is [Emulator.SendSMS] for WhatsApp; the "whatsapp:" prefix is
// added to from and to when they lack it.
func (e *Emulator) SendWhatsApp(from, to, body string) (InboundMessage, error) {
	return e.inbound(whatsapp(from), whatsapp(to), body, nil)
}

func whatsapp(addr string) string {
	if strings.HasPrefix(addr, "whatsapp:") {
		return addr
	}
	return "whatsapp:" + addr
}

// inbound is a message from the user at from to the proxy address to, with
// media files attached (see control_inbound.go).
func (e *Emulator) inbound(from, to, body string, media []InboundMedia) (InboundMessage, error) {
	return e.receive(inboundMessage{from: from, to: to, body: body, media: media}) // inbound.go
}

// SendGroupMMS simulates a Group MMS: the user at from texts the group's
// Twilio number to together with the users at others. The message lands in
// the open group conversation of that number whose members are exactly from
// and others or, when none is and an address configuration of to has
// auto-creation enabled, in a new one with all of them as participants
// (addresses without a proxy address). The onConversationAdd pre-event of
// an auto-created conversation carries MessagingBinding.Address once per
// member (the emulator's assumption of the list's wire form).
//
// The members are distinct addresses, none of them to, and at most 10 (a
// group conversation's limit); otherwise an error says what is wrong.
func (e *Emulator) SendGroupMMS(from, to string, others []string, body string) (InboundMessage, error) {
	if err := checkGroupMMS(from, to, others); err != nil {
		return InboundMessage{}, err
	}
	return e.receive(inboundMessage{from: from, to: to, others: slices.Clone(others), body: body})
}

// checkGroupMMS checks the addresses of an inbound Group MMS: a sender and
// a group number, at least one other recipient, every member once, the
// group number none of them, and at most maxGroupParticipants members.
func checkGroupMMS(from, to string, others []string) error {
	switch {
	case from == "" || to == "":
		return errors.New("conversationstest: a Group MMS needs from (the sender) and to (the group's Twilio number)")
	case from == to:
		return errors.New("conversationstest: a Group MMS's sender (from) cannot be the group's Twilio number (to)")
	case len(others) == 0:
		return errors.New("conversationstest: a Group MMS needs at least one other recipient")
	case len(others)+1 > maxGroupParticipants:
		return fmt.Errorf("conversationstest: a Group MMS has at most %d members (the sender and %d others), got %d", maxGroupParticipants, maxGroupParticipants-1, len(others)+1)
	}
	seen := map[string]bool{from: true}
	for i, o := range others {
		switch {
		case o == "":
			return fmt.Errorf("conversationstest: other recipient %d is empty", i)
		case o == to:
			return fmt.Errorf("conversationstest: other recipient %d is the group's Twilio number (to)", i)
		case seen[o]:
			return fmt.Errorf("conversationstest: other recipient %d repeats a member (%s)", i, redactAddress(o))
		}
		seen[o] = true
	}
	return nil
}

// SendChat simulates a chat user (a participant with that identity) sending
// body from a Conversations client SDK to the conversation with the given
// SID or unique name, in the default service or, when the key is not found
// there, in any service. Webhooks fire with Source SDK and ClientIdentity.
func (e *Emulator) SendChat(conversationKey, identity, body string) (InboundMessage, error) {
	return e.sendChat(conversationKey, identity, body, nil)
}

func (e *Emulator) sendChat(conversationKey, identity, body string, media []InboundMedia) (InboundMessage, error) {
	resolve := func() (*conversation, error) {
		for _, svc := range append([]*service{e.defaultSvc}, e.services.all()...) {
			if conv, ok := svc.conversationByKey(conversationKey); ok {
				return conv, nil
			}
		}
		return nil, fmt.Errorf("conversationstest: conversation %q not found", conversationKey)
	}
	e.lock()
	conv, err := resolve()
	var sender string
	var mediaSids []string
	if err == nil {
		if p, ok := conv.participants.find(func(p *participant) bool { return p.identity == identity }); ok {
			sender = p.sid
			// Checks first, storage after (inbound_checks.go).
			if err = checkInboundDraft(conv, sender, mediaBody(body, media)); err == nil {
				mediaSids = e.storeMedia(conv.svc, media)
			}
		} else {
			err = fmt.Errorf("conversationstest: %q is not a participant of %s", identity, conv.sid)
		}
	}
	e.unlock()
	if err != nil {
		return InboundMessage{}, err
	}
	o := origin{source: "SDK", clientIdentity: identity, fire: true}
	res, err := e.simulated(func() (*conversation, error) { return conv, nil }, o,
		newMessage{author: identity, body: mediaBody(body, media), participantSid: sender, mediaSids: mediaSids})
	if err != nil {
		e.discardMedia(mediaSids)
	}
	return res, err
}

func (e *Emulator) simulated(resolve func() (*conversation, error), o origin, in newMessage) (InboundMessage, error) {
	conv, m, err := e.addMessage(resolve, o, in)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Code == codeRejected {
			return InboundMessage{}, fmt.Errorf("%w: %s", ErrRejected, ae.Message)
		}
		return InboundMessage{}, err // refused: nothing changed (a pre-event's log entry moved the version)
	}
	e.changed()
	return InboundMessage{ConversationSid: conv.sid, MessageSid: m.sid, ParticipantSid: m.participantSid, Index: m.index}, nil
}
