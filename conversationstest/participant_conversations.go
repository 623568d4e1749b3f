package conversationstest

type participantConversationJSON struct {
	AccountSid                  string            `json:"account_sid"`
	ChatServiceSid              string            `json:"chat_service_sid"`
	ConversationSid             string            `json:"conversation_sid"`
	ParticipantSid              string            `json:"participant_sid"`
	ConversationFriendlyName    *string           `json:"conversation_friendly_name"`
	ConversationState           string            `json:"conversation_state"`
	ConversationTimers          timersJSON        `json:"conversation_timers"`
	ConversationAttributes      string            `json:"conversation_attributes"`
	ConversationDateCreated     string            `json:"conversation_date_created"`
	ConversationDateUpdated     string            `json:"conversation_date_updated"`
	ConversationCreatedBy       string            `json:"conversation_created_by"`
	ConversationUniqueName      *string           `json:"conversation_unique_name"`
	ParticipantUserSid          *string           `json:"participant_user_sid"`
	ParticipantIdentity         *string           `json:"participant_identity"`
	ParticipantMessagingBinding *bindingOfAddress `json:"participant_messaging_binding"`
	Links                       map[string]string `json:"links"`
}

// bindingOfAddress is participant_messaging_binding as this list renders it.
type bindingOfAddress struct {
	Address          string  `json:"address"`
	ProxyAddress     string  `json:"proxy_address"`
	Type             string  `json:"type"`
	Level            *string `json:"level"`
	Name             *string `json:"name"`
	ProjectedAddress *string `json:"projected_address"`
}

func (e *Emulator) renderParticipantConversation(c *call, m membership) any {
	conv, p := m.conv, m.p
	out := participantConversationJSON{
		AccountSid:               e.cfg.accountSID,
		ChatServiceSid:           conv.svc.sid,
		ConversationSid:          conv.sid,
		ParticipantSid:           p.sid,
		ConversationFriendlyName: strOrNil(conv.friendlyName),
		ConversationState:        conv.state,
		ConversationTimers:       timersJSON{fmtDatePtr(conv.dateInactive), fmtDatePtr(conv.dateClosed)},
		ConversationAttributes:   conv.attributes,
		ConversationDateCreated:  fmtDate(conv.created),
		ConversationDateUpdated:  fmtDate(conv.updated),
		ConversationCreatedBy:    createdBy(conv),
		ConversationUniqueName:   strOrNil(conv.uniqueName),
		ParticipantIdentity:      strOrNil(p.identity),
		Links: map[string]string{
			"participant":  c.conversationURL(conv) + "/Participants/" + p.sid,
			"conversation": c.conversationURL(conv),
		},
	}
	if p.identity != "" {
		if u, ok := userByKey(conv.svc, p.identity); ok {
			out.ParticipantUserSid = &u.sid
		}
	}
	if p.nonChat() {
		out.ParticipantMessagingBinding = &bindingOfAddress{
			Address:          p.address,
			ProxyAddress:     p.proxyAddress,
			Type:             p.channel,
			ProjectedAddress: strOrNil(p.projectedAddress),
		}
	}
	return out
}

func (e *Emulator) participantConversationRoutes() {
	e.handleBoth("GET", "/ParticipantConversations", e.listParticipantConversations)
}

// listParticipantConversations lists the conversations of the service with a
// participant of the given Identity or (non-chat) Address: exactly one of
// the two must be sent.
func (e *Emulator) listParticipantConversations(c *call) (int, any, error) {
	identity, address := c.param("Identity"), c.param("Address")
	if (identity == "") == (address == "") {
		return 0, nil, badRequest(codeInvalidParam, "Exactly one of Identity and Address is required")
	}
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	var items []membership
	if identity != "" {
		items = memberships(svc, identity)
	} else {
		items = svc.ix.addrs[address].matches(false) // index.go
	}
	return okList(paginate(c, items, listOpts{"conversations", 50, 50},
		func(m membership) any { return e.renderParticipantConversation(c, m) }))
}
