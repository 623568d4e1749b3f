package conversationstest

// ConversationSummary is one conversation as the emulator holds it, for load
// tests and benchmarks that check that nothing was lost or done twice by
// counting what the emulator itself holds.
type ConversationSummary struct {
	SID          string
	ServiceSID   string
	UniqueName   string
	FriendlyName string
	State        string
	// Participants lists each participant's identity, or its address for a
	// participant reached over SMS, WhatsApp or another channel, in the order
	// they joined.
	Participants []string
	// Messages is the number of messages in the conversation.
	Messages int
}

// Conversations returns a summary of every conversation the emulator holds,
// in every Conversation Service, in the order they were created.
func (e *Emulator) Conversations() []ConversationSummary {
	e.lock()
	defer e.unlock()
	var out []ConversationSummary
	for _, svc := range e.services.all() {
		for _, conv := range svc.conversations.all() {
			if conv.deleted {
				continue
			}
			out = append(out, summarize(svc, conv))
		}
	}
	return out
}

// Conversation returns the summary of the conversation with the given SID or
// unique name (in the default service, else in any service).
func (e *Emulator) Conversation(key string) (ConversationSummary, bool) {
	e.lock()
	defer e.unlock()
	for _, svc := range append([]*service{e.defaultSvc}, e.services.all()...) {
		if conv, ok := svc.conversationByKey(key); ok && !conv.deleted {
			return summarize(svc, conv), true
		}
	}
	return ConversationSummary{}, false
}

// summarize describes conv. The lock must be held.
func summarize(svc *service, conv *conversation) ConversationSummary {
	s := ConversationSummary{
		SID: conv.sid, ServiceSID: svc.sid, UniqueName: conv.uniqueName, FriendlyName: conv.friendlyName,
		State: conv.state, Messages: conv.messages.len(),
	}
	for _, p := range conv.participants.all() {
		if p.identity != "" {
			s.Participants = append(s.Participants, p.identity)
		} else {
			s.Participants = append(s.Participants, p.address)
		}
	}
	return s
}
