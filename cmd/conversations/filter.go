package main

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/spf13/pflag"
)

// convFilter is the filter flags shared by list, export and cleanup.
type convFilter struct {
	state                       string
	createdAfter, createdBefore string
	updatedAfter, updatedBefore string
	prefix                      string
	limit                       int
}

func (f *convFilter) addFlags(fs *pflag.FlagSet, limit int) {
	fs.StringVar(&f.state, "state", "", "only conversations in this state: active, inactive or closed")
	fs.StringVar(&f.createdAfter, "created-after", "", "only conversations created on or after this date or time (2026-01-02, 2026-01-02T15:04:05Z)")
	fs.StringVar(&f.createdBefore, "created-before", "", "only conversations created on or before this date (the whole day) or time")
	fs.StringVar(&f.updatedAfter, "updated-after", "", "only conversations updated on or after this date or time")
	fs.StringVar(&f.updatedBefore, "updated-before", "", "only conversations updated on or before this date (the whole day) or time")
	fs.StringVar(&f.prefix, "unique-name-prefix", "", "only conversations whose unique name starts with this")
	fs.IntVar(&f.limit, "limit", limit, "the most conversations to take (0: no limit)")
}

// set reports whether any filter is given (the limit aside).
func (f *convFilter) set() bool {
	return f.state != "" || f.createdAfter != "" || f.createdBefore != "" ||
		f.updatedAfter != "" || f.updatedBefore != "" || f.prefix != ""
}

// match is a compiled filter: the list parameters Twilio filters on, and
// the checks made here on each conversation.
type match struct {
	params                      conversations.ConversationListParams
	createdAfter, createdBefore time.Time
	updatedAfter, updatedBefore time.Time
	prefix                      string
	limit                       int
}

func (f *convFilter) compile() (*match, error) {
	m := &match{prefix: f.prefix, limit: f.limit}
	if f.limit < 0 {
		return nil, usagef("--limit must not be negative")
	}
	switch conversations.ConversationState(f.state) {
	case "", conversations.StateActive, conversations.StateInactive, conversations.StateClosed:
		m.params.State = conversations.ConversationState(f.state)
	default:
		return nil, usagef("--state %q: want active, inactive or closed", f.state)
	}
	var err error
	if m.createdAfter, err = parseDate("created-after", f.createdAfter); err != nil {
		return nil, err
	}
	if m.createdBefore, err = parseUntil("created-before", f.createdBefore); err != nil {
		return nil, err
	}
	if m.updatedAfter, err = parseDate("updated-after", f.updatedAfter); err != nil {
		return nil, err
	}
	if m.updatedBefore, err = parseUntil("updated-before", f.updatedBefore); err != nil {
		return nil, err
	}
	// Twilio filters on whole days (StartDate: the start of a day, EndDate:
	// its end); the exact times are checked here.
	if !m.createdAfter.IsZero() {
		m.params.StartDate = m.createdAfter.UTC().Truncate(24 * time.Hour)
	}
	if !m.createdBefore.IsZero() {
		m.params.EndDate = m.createdBefore.UTC().Truncate(24 * time.Hour).Add(24*time.Hour - time.Second)
	}
	m.params.PageSize = conversations.MaxItemsPerPage / 10 // 100, the list's maximum
	return m, nil
}

// parseUntil reads an inclusive upper bound: a day means its last second.
func parseUntil(flag, s string) (time.Time, error) {
	t, err := parseDate(flag, s)
	if err == nil && len(s) == len("2006-01-02") {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t, err
}

func (m *match) keep(c *conversations.Conversation) bool {
	switch {
	case !m.createdAfter.IsZero() && c.DateCreated.Before(m.createdAfter),
		!m.createdBefore.IsZero() && c.DateCreated.After(m.createdBefore),
		!m.updatedAfter.IsZero() && c.DateUpdated.Before(m.updatedAfter),
		!m.updatedBefore.IsZero() && c.DateUpdated.After(m.updatedBefore),
		m.prefix != "" && !strings.HasPrefix(c.UniqueName, m.prefix):
		return false
	}
	return true
}

// each calls fn for every conversation matched, page by page, up to the
// limit; fn returning false stops.
func (m *match) each(ctx context.Context, scope *conversations.Scope, fn func(*conversations.Conversation) (bool, error)) error {
	return m.visit(scope.Conversations.List(ctx, &m.params), fn)
}

// eachOfParticipant is each over the conversations one participant is in
// (Twilio's Participant Conversations), with the same filters checked here
// (the state too, which that list does not take).
func (m *match) eachOfParticipant(ctx context.Context, scope *conversations.Scope, params *conversations.ParticipantConversationListParams, fn func(*conversations.Conversation) (bool, error)) error {
	convs := func(yield func(*conversations.Conversation, error) bool) {
		for pc, err := range scope.ParticipantConversations.List(ctx, params) {
			if err != nil {
				yield(nil, err)
				return
			}
			c := &conversations.Conversation{
				SID: pc.ConversationSID, ChatServiceSID: pc.ChatServiceSID,
				UniqueName: pc.ConversationUniqueName, FriendlyName: pc.ConversationFriendlyName,
				State: pc.ConversationState, DateCreated: pc.ConversationDateCreated, DateUpdated: pc.ConversationDateUpdated,
			}
			if m.params.State != "" && c.State != m.params.State {
				continue
			}
			if !yield(c, nil) {
				return
			}
		}
	}
	return m.visit(convs, fn)
}

// visit calls fn for each conversation of convs the filters keep, up to the
// limit; fn returning false stops.
func (m *match) visit(convs iter.Seq2[*conversations.Conversation, error], fn func(*conversations.Conversation) (bool, error)) error {
	n := 0
	for c, err := range convs {
		if err != nil {
			return err
		}
		if !m.keep(c) {
			continue
		}
		more, err := fn(c)
		if err != nil {
			return err
		}
		n++
		if !more || m.limit > 0 && n >= m.limit {
			return nil
		}
	}
	return nil
}
