package conversationstest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// inboundMessage is a message a simulated user sends from a phone: one to
// one (from to a proxy address) or, when others is set, a Group MMS (from
// to the group's Twilio number, with the other recipients' addresses).
type inboundMessage struct {
	from, to string
	others   []string // Group MMS: the other recipients, without to
	body     string
	media    []InboundMedia
}

// group reports whether the message is a Group MMS.
func (in inboundMessage) group() bool { return len(in.others) > 0 }

// addresses is the group's member list: the sender first, then the others.
func (in inboundMessage) addresses() []string { return append([]string{in.from}, in.others...) }

// receive delivers an inbound message: to the open conversation that holds
// the sender with that proxy address (for a Group MMS, the open group
// conversation of that Twilio number with exactly these members) or, when
// none does and an address configuration of to has auto-creation enabled,
// to a new conversation. Before creating one it runs the onConversationAdd
// pre-event hook with MessageBody and the MessagingBinding fields, so a hook
// can reject it (nothing is created; [ErrRejected]) or change its
// friendly_name. It must be called without the lock.
func (e *Emulator) receive(in inboundMessage) (InboundMessage, error) {
	o := channelOrigin(channelOf(in.from))
	e.lock()
	conv := e.inboundConversation(in)
	var (
		a   *addressConfig
		svc *service
		pre url.Values
	)
	var err error
	if conv == nil {
		a, svc = e.autoCreateConfig(in.from, in.to)
		if a != nil {
			pre = e.autoCreateParams(svc, in, "")
			err = checkAutoCreateDraft(svc, in) // inbound_checks.go: refused before anything is created
		}
	} else {
		err = checkInboundDraft(conv, inboundSender(conv, in), mediaBody(in.body, in.media))
	}
	e.unlock()
	if conv == nil && a == nil {
		return InboundMessage{}, ErrNoConversation
	}
	if err != nil {
		return InboundMessage{}, err
	}
	friendlyName := ""
	if conv == nil {
		mods, err := e.preEvent(svc, o, "onConversationAdd", pre)
		if err != nil {
			return InboundMessage{}, fmt.Errorf("%w: %s", ErrRejected, err.(*apiError).Message)
		}
		name, ok, err := modString(mods, "friendly_name")
		if err != nil {
			return InboundMessage{}, err
		}
		if ok {
			if err := checkModName(name); err != nil {
				return InboundMessage{}, err
			}
			friendlyName = name
		}
	}

	e.lock()
	created := false
	if conv == nil {
		// Another message may have created it meanwhile.
		if conv = e.inboundConversation(in); conv == nil {
			conv = e.autoCreate(a, svc, in, friendlyName)
			created = true
		}
	}
	var sender string
	if p, ok := conv.participants.find(func(p *participant) bool {
		return p.address == in.from && (p.proxyAddress == in.to || in.group() && p.proxyAddress == "")
	}); ok {
		sender = p.sid
	}
	if err := checkInboundDraft(conv, sender, mediaBody(in.body, in.media)); err != nil {
		e.unlock() // the conversation found meanwhile refuses it
		return InboundMessage{}, err
	}
	mediaSids := e.storeMedia(conv.svc, in.media)
	e.unlock()
	fixed := func() (*conversation, error) { return conv, nil }
	res, err := e.simulated(fixed, o, newMessage{author: in.from, body: mediaBody(in.body, in.media), participantSid: sender, mediaSids: mediaSids})
	if err != nil {
		e.discardMedia(mediaSids)
	}
	res.CreatedConversation = created && err == nil
	return res, err
}

// inboundConversation finds the open conversation an inbound message
// belongs to. The lock must be held.
func (e *Emulator) inboundConversation(in inboundMessage) *conversation {
	if !in.group() {
		return e.conversationWithPair(in.from, in.to)
	}
	return e.groupConversation(nil, in.to, in.addresses())
}

// autoCreateParams are the fields of the onConversationAdd pre-event and
// the onConversationAdded event of a conversation auto-created by in. Their
// Group MMS wire form is the emulator's assumption (Twilio documents only
// that MessagingBinding.Address is then a list): MessagingBinding.Address
// repeated once per member, sender first; MessagingBinding.ProjectedAddress
// the group's Twilio number; no ProxyAddress. One to one: Address and
// ProxyAddress. Both carry MessagingBinding.AuthorAddress (the sender) and
// MessageBody. The lock must be held.
func (e *Emulator) autoCreateParams(svc *service, in inboundMessage, friendlyName string) url.Values {
	p := url.Values{}
	p.Set("ChatServiceSid", svc.sid)
	p.Set("MessagingServiceSid", e.messagingSid)
	p.Set("FriendlyName", friendlyName)
	p.Set("UniqueName", "")
	p.Set("Attributes", "{}")
	p.Set("State", "active")
	if in.group() {
		p["MessagingBinding.Address"] = in.addresses()
		p.Set("MessagingBinding.ProjectedAddress", in.to)
	} else {
		p.Set("MessagingBinding.Address", in.from)
		p.Set("MessagingBinding.ProxyAddress", in.to)
	}
	p.Set("MessagingBinding.AuthorAddress", in.from)
	p.Set("MessageBody", in.body)
	if len(in.media) > 0 {
		p.Set("Media", inboundMediaParam(in.media))
	}
	return p
}

// inboundMediaParam is the Media field of an auto-creation pre-event: the
// files' content types, names and sizes as a JSON list (no SIDs yet).
func inboundMediaParam(media []InboundMedia) string {
	type item struct {
		Filename    string `json:"Filename,omitempty"`
		ContentType string `json:"ContentType"`
		Size        int    `json:"Size"`
	}
	items := make([]item, len(media))
	for i, m := range media {
		items[i] = item{m.Filename, m.ContentType, len(m.Data)}
	}
	b, _ := json.Marshal(items)
	return string(b)
}

// Group MMS. A group conversation's SMS participants have an address and no
// proxy address; its chat participants have the group's Twilio number as
// their projected address. It holds at most 10 participants (50436), an
// address once (50437), and no two open group conversations of a number
// have the same members (50438).
const (
	codeGroupLimit       = 50436
	codeGroupMember      = 50437
	codeGroupListExists  = 50438
	maxGroupParticipants = 10
)

// groupMember reports whether p is an SMS participant of a Group MMS
// conversation: an address without a proxy address.
func (p *participant) groupMember() bool { return p.address != "" && p.proxyAddress == "" }

// isGroup reports whether conv is a Group MMS conversation. The lock must be held.
func (conv *conversation) isGroup() bool {
	if conv.groupNumber != "" {
		return true
	}
	_, ok := conv.participants.find(func(p *participant) bool { return p.groupMember() || p.projectedAddress != "" })
	return ok
}

// groupNumberOf is the Twilio number a group conversation's members text:
// the number it was created for, else its chat participants' projected
// address. The lock must be held.
func (conv *conversation) groupNumberOf() string {
	if conv.groupNumber != "" {
		return conv.groupNumber
	}
	if p, ok := conv.participants.find(func(p *participant) bool { return p.projectedAddress != "" }); ok {
		return p.projectedAddress
	}
	return ""
}

// groupAddresses is the sorted member addresses of a group conversation.
func (conv *conversation) groupAddresses() []string {
	var out []string
	for _, p := range conv.participants.all() {
		if p.groupMember() {
			out = append(out, p.address)
		}
	}
	slices.Sort(out)
	return out
}

// groupConversation returns the open group conversation other than except
// whose members are exactly addresses and, when number is set, whose group
// number is number. The lock must be held.
func (e *Emulator) groupConversation(except *conversation, number string, addresses []string) *conversation {
	want := slices.Clone(addresses)
	slices.Sort(want)
	return e.idx.groupWith(except, number, want) // index.go
}

// checkGroupParticipant applies the Group MMS rules to p joining conv. The
// lock must be held.
func (e *Emulator) checkGroupParticipant(conv *conversation, p *participant) error {
	if !p.groupMember() && p.projectedAddress == "" && !conv.isGroup() {
		return nil
	}
	if conv.participants.len() >= maxGroupParticipants {
		return badRequest(codeGroupLimit, "Group MMS conversation %s has reached the maximum of %d participants", conv.sid, maxGroupParticipants)
	}
	if !p.groupMember() {
		return nil
	}
	if _, dup := conv.participants.find(func(o *participant) bool { return o.address == p.address }); dup {
		return conflict(codeGroupMember, "Group participant %s already exists in Conversation %s", redactAddress(p.address), conv.sid)
	}
	members := append(conv.groupAddresses(), p.address)
	if other := e.groupConversation(conv, conv.groupNumberOf(), members); other != nil {
		return conflict(codeGroupListExists, "A group conversation with the same participants already exists: %s", other.sid)
	}
	return nil
}

// redactAddress keeps the last two digits of a phone number: error
// messages may reach logs, and customers' numbers must not.
func redactAddress(a string) string {
	if len(a) <= 2 {
		return "**"
	}
	return strings.Repeat("*", len(a)-2) + a[len(a)-2:]
}
