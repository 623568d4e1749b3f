package conversationstest

import (
	"net/http"
	"strconv"
	"time"
)

// User Conversations are a view: the conversations of the user's service
// holding a participant with the user's identity, with that participant's
// read horizon. unread_messages_count is the number of messages after the
// participant's last_read_message_index (null until it has one), so
// updating the participant and updating the user conversation are two ways
// to move the same horizon.

type userConversationJSON struct {
	AccountSid           string            `json:"account_sid"`
	ChatServiceSid       string            `json:"chat_service_sid"`
	ConversationSid      string            `json:"conversation_sid"`
	UnreadMessagesCount  *int              `json:"unread_messages_count"`
	LastReadMessageIndex *int              `json:"last_read_message_index"`
	ParticipantSid       string            `json:"participant_sid"`
	UserSid              string            `json:"user_sid"`
	FriendlyName         *string           `json:"friendly_name"`
	ConversationState    string            `json:"conversation_state"`
	Timers               timersJSON        `json:"timers"`
	Attributes           string            `json:"attributes"`
	DateCreated          string            `json:"date_created"`
	DateUpdated          string            `json:"date_updated"`
	CreatedBy            string            `json:"created_by"`
	NotificationLevel    string            `json:"notification_level"`
	UniqueName           *string           `json:"unique_name"`
	URL                  string            `json:"url"`
	Links                map[string]string `json:"links"`
}

// unreadCount is how many messages of conv come after index last; nil when
// the participant has no read horizon yet.
func unreadCount(conv *conversation, last *int) *int {
	if last == nil {
		return nil
	}
	n := 0
	for _, m := range conv.messages.all() {
		if m.index > *last {
			n++
		}
	}
	return &n
}

// createdBy is the identity that created conv; conversations created over
// REST or by auto-creation are created by "system".
func createdBy(*conversation) string { return "system" }

func (e *Emulator) renderUserConversation(c *call, u *user, conv *conversation, p *participant) any {
	level := u.levels[conv.sid]
	if level == "" {
		level = "default"
	}
	convURL := c.conversationURL(conv)
	return userConversationJSON{
		AccountSid:           e.cfg.accountSID,
		ChatServiceSid:       conv.svc.sid,
		ConversationSid:      conv.sid,
		UnreadMessagesCount:  unreadCount(conv, p.lastReadIndex),
		LastReadMessageIndex: p.lastReadIndex,
		ParticipantSid:       p.sid,
		UserSid:              u.sid,
		FriendlyName:         strOrNil(conv.friendlyName),
		ConversationState:    conv.state,
		Timers:               timersJSON{fmtDatePtr(conv.dateInactive), fmtDatePtr(conv.dateClosed)},
		Attributes:           conv.attributes,
		DateCreated:          fmtDate(conv.created),
		DateUpdated:          fmtDate(conv.updated),
		CreatedBy:            createdBy(conv),
		NotificationLevel:    level,
		UniqueName:           strOrNil(conv.uniqueName),
		URL:                  c.prefix(conv.svc) + "/Users/" + u.sid + "/Conversations/" + conv.sid,
		Links: map[string]string{
			"participant":  convURL + "/Participants/" + p.sid,
			"conversation": convURL,
		},
	}
}

func (e *Emulator) userConversationRoutes() {
	const base = "/Users/{UserSid}/Conversations"
	e.handleBoth("GET", base, e.listUserConversations)
	e.handleBoth("GET", base+"/{ConversationSid}", e.fetchUserConversation)
	e.handleBoth("POST", base+"/{ConversationSid}", e.updateUserConversation)
	e.handleBoth("DELETE", base+"/{ConversationSid}", e.deleteUserConversation)
}

// membership is one conversation a user takes part in.
type membership struct {
	conv *conversation
	p    *participant
}

// memberships lists the conversations of svc with a participant of that
// identity, in creation order. The lock must be held.
func memberships(svc *service, identity string) []membership {
	return svc.ix.idents[identity].matches(true) // index.go
}

// userConversation resolves the path's user (SID or identity) and
// conversation (SID or unique name) and the user's participant in it. The
// lock must be held.
func (c *call) userConversation() (*user, *conversation, *participant, error) {
	_, u, err := c.user("UserSid")
	if err != nil {
		return nil, nil, nil, err
	}
	conv, err := c.conversation(c.r.PathValue("ConversationSid"))
	if err != nil {
		return nil, nil, nil, err
	}
	p, ok := conv.participants.find(func(p *participant) bool { return p.identity == u.identity })
	if !ok {
		return nil, nil, nil, notFound(c.r.URL.Path)
	}
	return u, conv, p, nil
}

func (e *Emulator) listUserConversations(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, u, err := c.user("UserSid")
	if err != nil {
		return 0, nil, err
	}
	return okList(paginate(c, memberships(svc, u.identity), listOpts{"conversations", 50, 50},
		func(m membership) any { return e.renderUserConversation(c, u, m.conv, m.p) }))
}

func (e *Emulator) fetchUserConversation(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	u, conv, p, err := c.userConversation()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderUserConversation(c, u, conv, p), nil
}

// updateUserConversation sets the user's notification level in the
// conversation and its participant's read horizon (LastReadMessageIndex,
// LastReadTimestamp), as updating the participant would.
func (e *Emulator) updateUserConversation(c *call) (int, any, error) {
	level := c.param("NotificationLevel")
	if c.has("NotificationLevel") && level != "default" && level != "muted" {
		return 0, nil, invalidParam("NotificationLevel", level)
	}
	var lastRead *int
	if c.has("LastReadMessageIndex") {
		n, err := strconv.Atoi(c.param("LastReadMessageIndex"))
		if err != nil || !validIndex(n) {
			return 0, nil, invalidParam("LastReadMessageIndex", c.param("LastReadMessageIndex"))
		}
		lastRead = &n
	}
	var lastReadAt time.Time
	if err := c.dateParam("LastReadTimestamp", &lastReadAt); err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	u, conv, p, err := c.userConversation()
	if err != nil {
		return 0, nil, err
	}
	if c.has("NotificationLevel") {
		if u.levels == nil {
			u.levels = make(map[string]string)
		}
		u.levels[conv.sid] = level
	}
	if lastRead != nil || !lastReadAt.IsZero() {
		if lastRead != nil {
			p.lastReadIndex = lastRead
		}
		if !lastReadAt.IsZero() {
			p.lastReadTimestamp = ptr(fmtDate(lastReadAt))
		}
		p.updated = e.nowLocked()
		post := e.participantParams(conv, p)
		if p.lastReadIndex != nil {
			post.Set("LastReadMessageIndex", strconv.Itoa(*p.lastReadIndex))
		}
		e.postEvent(conv.svc, conv, c.origin(), "onParticipantUpdated", post)
	}
	return http.StatusOK, e.renderUserConversation(c, u, conv, p), nil
}

// deleteUserConversation makes the user leave the conversation: its
// participant is removed, firing onParticipantRemoved.
func (e *Emulator) deleteUserConversation(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	u, conv, p, err := c.userConversation()
	if err != nil {
		return 0, nil, err
	}
	conv.participants.remove(p.sid)
	e.idx.removeParticipant(conv, p)
	delete(u.levels, conv.sid)
	post := e.participantParams(conv, p)
	post.Set("DateRemoved", fmtDate(e.nowLocked()))
	e.postEvent(conv.svc, conv, c.origin(), "onParticipantRemoved", post)
	return http.StatusNoContent, nil, nil
}
