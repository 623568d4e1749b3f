package conversationstest

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Error codes of Create Conversation with Participants.
const (
	codeParticipantJSON   = 50424 // a Participant value is not valid JSON
	codeTooManyNew        = 50426 // more than maxNewParticipants
	codeBulkCreateFailed  = 50427 // a participant could not be added; nothing was kept
	codePairsInUse        = 50425 // 50416 for several participants
	maxNewParticipants    = 10
	maxNewParticipantsMsg = "At most 10 participants can be added with a new conversation"
)

// newParticipantJSON is one Participant value: a JSON object naming a chat
// identity or a messaging binding, with an optional role and attributes.
type newParticipantJSON struct {
	Identity         string `json:"identity"`
	MessagingBinding *struct {
		Address          string `json:"address"`
		ProxyAddress     string `json:"proxy_address"`
		ProjectedAddress string `json:"projected_address"`
	} `json:"messaging_binding"`
	RoleSid    string          `json:"role_sid"`
	Attributes json.RawMessage `json:"attributes"`
}

func (e *Emulator) conversationWithParticipantsRoutes() {
	e.handleBoth("POST", "/ConversationWithParticipants", e.createConversationWithParticipants)
}

// participantsParam reads the Participant values into participants,
// applying the rules of Create Participant.
func (c *call) participantsParam() ([]*participant, error) {
	raw := c.form["Participant"]
	if len(raw) > maxNewParticipants {
		return nil, badRequest(codeTooManyNew, maxNewParticipantsMsg)
	}
	out := make([]*participant, 0, len(raw))
	for i, s := range raw {
		var in newParticipantJSON
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		if err := dec.Decode(&in); err != nil {
			return nil, badRequest(codeParticipantJSON, "Participant %d is not a valid JSON object: %v", i, err)
		}
		p := &participant{identity: in.Identity, roleSid: in.RoleSid, attributes: "{}", channel: "chat"}
		if b := in.MessagingBinding; b != nil {
			p.address, p.proxyAddress, p.projectedAddress = b.Address, b.ProxyAddress, b.ProjectedAddress
		}
		if a := bytes.TrimSpace(in.Attributes); len(a) > 0 && string(a) != "null" {
			var str string
			if json.Unmarshal(a, &str) == nil {
				a = []byte(str) // attributes given as a JSON string
			}
			if err := checkAttributes(string(a), 4<<10); err != nil {
				return nil, err
			}
			p.attributes = string(a)
		}
		switch {
		case p.identity == "" && p.address == "" && p.projectedAddress == "":
			return nil, badRequest(codeInvalidParam, "Participant %d needs an identity or a messaging_binding address", i)
		case p.identity != "" && p.address != "":
			return nil, badRequest(codeInvalidParam, "Participant %d has both an identity and a messaging_binding address", i)
		case p.address != "" && p.proxyAddress == "" && channelOf(p.address) != "sms":
			return nil, badRequest(codeInvalidParam, "Participant %d needs messaging_binding.proxy_address", i)
		case p.address != "" && p.address == p.proxyAddress:
			return nil, badRequest(codeAddressIsProxy, "Participant %d: address and proxy_address must differ", i)
		case p.roleSid != "" && !isSID(p.roleSid, "RL"):
			return nil, badRequest(codeInvalidParam, "Participant %d: invalid role_sid %q", i, p.roleSid)
		}
		if err := checkParticipantLengths(p); err != nil {
			return nil, err
		}
		if p.address != "" {
			p.channel = channelOf(p.address)
		}
		out = append(out, p)
	}
	return out, nil
}

// checkNewParticipants checks the participants against each other and the
// other conversations, as if added one by one to an empty conversation of
// svc; several address pairs in use give 50425. The lock must be held.
func (e *Emulator) checkNewParticipants(svc *service, ps []*participant) error {
	probe := &conversation{svc: svc, state: "active"}
	inUse := 0
	var first error
	for i, p := range ps {
		if err := e.checkNewParticipant(probe, p); err != nil {
			if ae, ok := err.(*apiError); ok && ae.Code == codePairInUse {
				inUse++
			}
			if first == nil {
				first = err
			}
			continue
		}
		cp := *p
		cp.sid = "probe" + string(rune('a'+i))
		probe.participants.put(cp.sid, &cp)
	}
	if inUse > 1 {
		return conflict(codePairsInUse, "%d of the participants' address and proxy address pairs are already in other conversations", inUse)
	}
	return first
}

// createConversationWithParticipants creates a conversation, as Create
// Conversation does, and adds up to 10 participants to it (answering 202, as
// Twilio does when participants were given). Every participant is checked
// first, so a bad one fails the request before the conversation exists.
func (e *Emulator) createConversationWithParticipants(c *call) (int, any, error) {
	ps, err := c.participantsParam()
	if err != nil {
		return 0, nil, err
	}
	e.lock()
	svc, err := c.service()
	if err == nil {
		err = e.checkNewParticipants(svc, ps)
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	status, body, err := e.createConversation(c)
	if err != nil || len(ps) == 0 {
		return status, body, err
	}
	sid := body.(conversationJSON).Sid

	e.lock()
	defer e.unlock()
	conv, ok := svc.conversations.get(sid)
	if !ok {
		return 0, nil, errorf(http.StatusInternalServerError, codeBulkCreateFailed, "Conversation %s was removed while its participants were added", sid)
	}
	for _, p := range ps {
		if err := e.checkNewParticipant(conv, p); err != nil {
			e.removeConversation(conv)
			return 0, nil, errorf(http.StatusBadRequest, codeBulkCreateFailed,
				"Creating the conversation's participants failed and the conversation was removed: %v", err.(*apiError).Message)
		}
		now := e.nowLocked()
		p.sid, p.created, p.updated = newSID("MB"), now, now
		if p.identity != "" {
			if p.roleSid == "" {
				p.roleSid = svc.defaultRole
			}
			e.ensureUser(svc, p.identity, c.origin())
		}
		conv.participants.put(p.sid, p)
		e.idx.addParticipant(conv, p)
		e.postEvent(svc, conv, c.origin(), "onParticipantAdded", e.participantParams(conv, p))
	}
	return http.StatusAccepted, e.renderConversation(c, conv), nil
}
