package conversationstest

import "strconv"

// A simulated user's message that the emulator refuses changes nothing:
// the checks adding it would make run first, under the same lock as the
// storage they guard, before its media files are stored or a conversation
// is auto-created for it. What can refuse it only later (an onMessageAdd
// pre-event hook, or a REST request closing the conversation while the hook
// runs) removes its media again. A conversation auto-created for a message
// that the onMessageAdd hook then rejects stays: the emulator's assumption
// is that Twilio creates the conversation (and announces it with
// onConversationAdded) before it asks about the message, as the order of
// the events implies.

// checkInboundDraft applies to a message about to land in conv, from the
// participant sender, the checks addMessage applies: the conversation open,
// a message index left, the body limits. The lock must be held.
func checkInboundDraft(conv *conversation, sender string, body *string) error {
	if conv.state == "closed" {
		return errClosed(conv)
	}
	if err := checkNextIndex(conv); err != nil { // ranges.go
		return err
	}
	return checkBody(conv, &message{body: body, participantSid: sender})
}

// checkAutoCreateDraft applies the same checks to a message that would
// auto-create its conversation, against a stand-in holding the participants
// autoCreate would add (addresses.go), stored nowhere.
func checkAutoCreateDraft(svc *service, in inboundMessage) error {
	probe := &conversation{sid: "(new)", svc: svc, state: "active"}
	for i, addr := range in.addresses() {
		p := &participant{sid: "probe" + strconv.Itoa(i), address: addr, channel: channelOf(in.to)}
		if !in.group() {
			p.proxyAddress = in.to
		}
		probe.participants.put(p.sid, p)
	}
	return checkInboundDraft(probe, "probe0", mediaBody(in.body, in.media))
}

// inboundSender returns the SID of the participant of conv that sends in,
// or "". The lock must be held.
func inboundSender(conv *conversation, in inboundMessage) string {
	if p, ok := conv.participants.find(func(p *participant) bool {
		return p.address == in.from && (p.proxyAddress == in.to || in.group() && p.proxyAddress == "")
	}); ok {
		return p.sid
	}
	return ""
}

// discardMedia removes the files stored for a message that was then
// refused, unless a message holds them. It takes the lock.
func (e *Emulator) discardMedia(sids []string) {
	if len(sids) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, sid := range sids {
		if m, ok := e.media.get(sid); ok && m.messageSid == "" {
			e.media.remove(sid)
		}
	}
}
