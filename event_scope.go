package conversations

import "reflect"

// ScopeOf returns the scope a webhook event belongs to, for acting on it in
// the same Conversation Service: the event's ChatServiceSid when it has one,
// the account's default Conversation Service ([Client.Scope]) when it has
// none.
//
//	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
//		_, err := client.ScopeOf(ev).Messages.Create(ctx, ev.ConversationSID, &conversations.MessageCreateParams{Body: "Thanks!"})
//		return err
//	})
//
// The SID is the event's ChatServiceSID field, or else its form's
// ChatServiceSid value (for [UnknownEvent]). Twilio documents no
// ChatServiceSid on participant and user events: for a conversation in
// another Conversation Service than the default one, use
// client.Service(sid) there. A nil event gives the account's scope.
func (c *Client) ScopeOf(ev Event) *Scope {
	if sid := eventServiceSID(ev); sid != "" {
		return c.Service(sid).Scope
	}
	return c.Scope
}

// eventServiceSID returns the ChatServiceSID of an event, from its typed
// field or its raw form.
func eventServiceSID(ev Event) string {
	if ev == nil {
		return ""
	}
	v := reflect.ValueOf(ev)
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return ""
	}
	if f := reflect.Indirect(v).FieldByName("ChatServiceSID"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
		return f.String()
	}
	if b := ev.Base(); b != nil {
		return b.Form.Get("ChatServiceSid")
	}
	return ""
}
