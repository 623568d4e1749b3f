package conversationstest

import "time"

// The checks of a state document's entries, run as each entry is read
// (state_decode.go). checkState (state_import.go) then checks what spans
// entries: references, unique names, the default service.

// date refuses a date that Twilio's format cannot render.
func (d *stateDecoder) date(t time.Time) error {
	if err := checkDate(t); err != nil {
		return d.errorf("%v", err)
	}
	return nil
}

// index checks a message index (or next index) from the document.
func (d *stateDecoder) index(what string, n int) error {
	if n < 0 || n > maxMessageIndex {
		return d.errorf("%s %d is outside 0..%d", what, n, maxMessageIndex)
	}
	return nil
}

func nonNegative(d *stateDecoder, what string, n *int) error {
	if n != nil && *n < 0 {
		return d.errorf("%s must not be negative, got %d", what, *n)
	}
	return nil
}

func (s *stateService) check(d *stateDecoder) error { return d.sid("service", s.Sid, "IS") }

func (r *stateRole) check(d *stateDecoder) error {
	if err := d.sid("role", r.Sid, "RL"); err != nil {
		return err
	}
	if r.Type != "conversation" && r.Type != "service" {
		return d.errorf("role %s: type must be conversation or service, got %q", r.Sid, r.Type)
	}
	return nil
}

func (u *stateUser) check(d *stateDecoder) error {
	if err := d.sid("user", u.Sid, "US"); err != nil {
		return err
	}
	if u.Identity == "" {
		return d.errorf("user %s: identity is empty", u.Sid)
	}
	for conv, level := range u.Levels {
		if !isSID(conv, "CH") || (level != "default" && level != "muted") {
			return d.errorf("user %s: notification_levels must map conversation SIDs to default or muted", u.Sid)
		}
	}
	return nil
}

func (b *stateBinding) check(d *stateDecoder) error { return d.sid("binding", b.Sid, "BS") }

func (c *stateConversation) check(d *stateDecoder) error {
	if err := d.sid("conversation", c.Sid, "CH"); err != nil {
		return err
	}
	if c.NextIndex < 0 || c.NextIndex > maxMessageIndex+1 {
		return d.errorf("next_index %d is outside 0..%d", c.NextIndex, maxMessageIndex+1)
	}
	for _, m := range c.Messages {
		if m.Index >= c.NextIndex {
			return d.errorf("message %s: index %d is outside 0..next_index-1 (%d)", m.Sid, m.Index, c.NextIndex-1)
		}
	}
	return nil
}

func (p *stateParticipant) check(d *stateDecoder) error {
	if err := d.sid("participant", p.Sid, "MB"); err != nil {
		return err
	}
	if p.LastReadIndex != nil {
		return d.index("last_read_message_index", *p.LastReadIndex)
	}
	return nil
}

func (m *stateMessage) check(d *stateDecoder) error {
	if err := d.sid("message", m.Sid, "IM"); err != nil {
		return err
	}
	return d.index("index", m.Index)
}

func (r *mediaRef) check(d *stateDecoder) error {
	if !isSID(r.Sid, "ME") {
		return d.errorf("media: %q is not a ME… SID", r.Sid)
	}
	if r.Size < 0 || r.Size > mediaMaxSize {
		return d.errorf("media %s: size %d is outside 0..%d", r.Sid, r.Size, mediaMaxSize)
	}
	return nil
}

func (r *stateReceipt) check(d *stateDecoder) error {
	if err := d.sid("receipt", r.Sid, "DY"); err != nil {
		return err
	}
	return nonNegative(d, "error_code", &r.ErrorCode)
}

func (w *stateScopedWebhook) check(d *stateDecoder) error {
	if err := d.sid("webhook", w.Sid, "WH"); err != nil {
		return err
	}
	return nonNegative(d, "replay_after", w.ReplayAfter)
}

func (a *stateAddress) check(d *stateDecoder) error {
	if err := d.sid("address configuration", a.Sid, "IG"); err != nil {
		return err
	}
	if n := a.StudioRetryCount; n != nil && (*n < 0 || *n > 3) {
		return d.errorf("auto_creation_studio_retry_count must be 0..3, got %d", *n)
	}
	return nil
}

func (c *stateCredential) check(d *stateDecoder) error { return d.sid("credential", c.Sid, "CR") }

func (m *stateMedia) check(d *stateDecoder) error {
	if err := d.sid("media", m.Sid, "ME"); err != nil {
		return err
	}
	if len(m.Data) == 0 || len(m.Data) > mediaMaxSize {
		return d.errorf("media %s: data must hold 1 to %d bytes, got %d", m.Sid, mediaMaxSize, len(m.Data))
	}
	return nil
}

func (p *statePhone) check(d *stateDecoder) error {
	// from may be empty: a group member's copy has no number to come from
	// while its group conversation has none (no projected address yet).
	if p.To == "" || !isSID(p.ConversationSid, "CH") || !isSID(p.MessageSid, "IM") {
		return d.errorf("a phone's message needs to, a conversation_sid (CH…) and a message_sid (IM…)")
	}
	return nil
}

func (f *stateFailure) check(d *stateDecoder) error {
	if f.Status != "failed" && f.Status != "undelivered" {
		return d.errorf("status must be failed or undelivered, got %q", f.Status)
	}
	return nonNegative(d, "error_code", &f.Code)
}
