package conversations

import (
	"context"
	"errors"
	"fmt"
)

// ConversationSetup is one conversation for [ConversationsService.CreateMany]:
// the conversation, its participants and an optional first message.
type ConversationSetup struct {
	// Conversation is the conversation to create. Give it a UniqueName: then
	// a create that may have reached Twilio is checked, not lost, and a
	// re-run finds the conversation instead of creating another.
	Conversation *ConversationCreateParams
	// Participants are added once the conversation exists.
	Participants []*ParticipantCreateParams
	// Message, when set, is sent once the participants are in; a re-run
	// does not send it again when a message with the same author and body is
	// already in the conversation.
	Message *MessageCreateParams
}

// CreateMany creates conversations, each with its participants and first
// message, at most opts.Concurrency at a time, paced under Twilio's rate
// limits (conversation creates count against the Conversation Service; see
// [BulkOptions] on pacing and retries).
//
// A conversation whose UniqueName is already taken (error 50353) is used as
// it is: its missing participants are added, and its message sent unless a
// message with the same author and body is there, so a re-run after a
// partial run completes what is missing. An item is BulkSkipped when
// everything was already there, BulkDone when this run created anything.
// A create without a UniqueName that may have reached Twilio fails with
// [ErrUncertain] rather than risk a second conversation.
//
// It returns one result per item, in order (Value is the conversation), and
// a *[BulkError] when any failed.
func (s *ConversationsService) CreateMany(ctx context.Context, items []*ConversationSetup, opts *BulkOptions) ([]BulkResult[Conversation], error) {
	if err := checkSetups(ctx, items, opts); err != nil {
		s.core.failedBulk(ctx, bulkCreateConversations, len(items))
		return nil, err
	}
	svc := (*service)(s).paced()
	return traceBulk(ctx, s.core, bulkCreateConversations, len(items), func(ctx context.Context, bt *bulkTrace) ([]BulkResult[Conversation], error) {
		return runBulk(ctx, bt, len(items), opts, func(ctx context.Context, i int) BulkResult[Conversation] {
			conv, changed, err := setUp(ctx, svc, items[i])
			if err != nil {
				return BulkResult[Conversation]{Status: BulkFailed, Value: conv, Err: err}
			}
			return BulkResult[Conversation]{Status: statusOf(changed), Value: conv}
		})
	})
}

// checkSetups checks CreateMany's input before anything is sent.
func checkSetups(ctx context.Context, items []*ConversationSetup, opts *BulkOptions) error {
	if ctx == nil {
		return errors.New("conversations: nil Context")
	}
	names := make(map[string]bool, len(items))
	for i, it := range items {
		if it == nil || it.Conversation == nil {
			return fmt.Errorf("conversations: item %d has no Conversation", i)
		}
		if n := it.Conversation.UniqueName; n != "" {
			if names[n] {
				return fmt.Errorf("conversations: item %d: UniqueName %q is given twice", i, n)
			}
			names[n] = true
		}
		for j, p := range it.Participants {
			if p == nil {
				return fmt.Errorf("conversations: item %d: participant %d is nil", i, j)
			}
			if err := p.validate(); err != nil {
				return fmt.Errorf("conversations: item %d: participant %d: %w", i, j, err)
			}
		}
	}
	return checkBulkOptions(opts)
}

// setUp creates one conversation with its participants and message, or
// completes what is missing. changed reports whether anything was created.
func setUp(ctx context.Context, svc *service, it *ConversationSetup) (conv *Conversation, changed bool, err error) {
	convs := (*ConversationsService)(svc)
	ps := (*ParticipantsService)(svc)
	ms := (*MessagesService)(svc)
	create := bulkStep[Conversation]{
		send: func(ctx context.Context) (*Conversation, error) { return convs.Create(ctx, it.Conversation) },
	}
	if name := it.Conversation.UniqueName; name != "" {
		create.find = func(ctx context.Context) (*Conversation, error) { return convs.Fetch(ctx, name) }
		create.present = func(err error) bool { return HasCode(err, CodeUniqueNameExists) }
	}
	conv, created, err := create.run(ctx)
	if err != nil {
		return nil, false, err
	}
	changed = created
	existing := map[string]*Participant{}
	if !created && len(it.Participants) > 0 {
		if existing, err = ps.existing(ctx, conv.SID); err != nil {
			return conv, changed, err
		}
	}
	for j, p := range it.Participants {
		if _, ok := existing[participantKey(p)]; ok {
			continue
		}
		_, added, err := ps.addStep(conv.SID, p).run(ctx)
		if err != nil {
			return conv, changed, fmt.Errorf("participant %d: %w", j, err)
		}
		changed = changed || added
	}
	if it.Message == nil {
		return conv, changed, nil
	}
	find := func(ctx context.Context) (*Message, error) { return findMessage(ctx, ms, conv.SID, it.Message) }
	if !created {
		if _, err := find(ctx); err == nil {
			return conv, changed, nil
		} else if !IsNotFound(err) {
			return conv, changed, err
		}
	}
	_, sent, err := bulkStep[Message]{
		send: func(ctx context.Context) (*Message, error) { return ms.Create(ctx, conv.SID, it.Message) },
		find: find,
	}.run(ctx)
	if err != nil {
		return conv, changed, fmt.Errorf("message: %w", err)
	}
	return conv, changed || sent, nil
}

// findMessage looks for a message with m's body and author (any author when
// m has none) in the conversation.
func findMessage(ctx context.Context, ms *MessagesService, conversationSID string, m *MessageCreateParams) (*Message, error) {
	for msg, err := range ms.List(ctx, conversationSID, &MessageListParams{PageSize: 100}) {
		if err != nil {
			return nil, err
		}
		if msg.Body == m.Body && (m.Author == "" || msg.Author == m.Author) {
			return msg, nil
		}
	}
	return nil, fmt.Errorf("%w: no message with that author and body in conversation %s", ErrNotFound, conversationSID)
}

// CloseMany closes conversations (by SID or unique name), at most
// opts.Concurrency at a time, paced under Twilio's rate limits (a
// conversation update counts against the conversation). A conversation
// already closed (error 50377) is BulkSkipped. Closing is safe to repeat, so
// every failure that may be passing is retried. It returns one result per
// conversation, in order, and a *[BulkError] when any failed.
func (s *ConversationsService) CloseMany(ctx context.Context, sids []string, opts *BulkOptions) ([]BulkResult[Conversation], error) {
	if err := checkSIDs(ctx, sids, opts); err != nil {
		s.core.failedBulk(ctx, bulkCloseConversations, len(sids))
		return nil, err
	}
	convs := (*ConversationsService)((*service)(s).paced())
	return traceBulk(ctx, s.core, bulkCloseConversations, len(sids), func(ctx context.Context, bt *bulkTrace) ([]BulkResult[Conversation], error) {
		return runBulk(ctx, bt, len(sids), opts, func(ctx context.Context, i int) BulkResult[Conversation] {
			v, changed, err := bulkStep[Conversation]{
				send:       func(ctx context.Context) (*Conversation, error) { return convs.Close(ctx, sids[i], nil) },
				idempotent: true,
				present:    func(err error) bool { return HasCode(err, CodeConversationClosed) },
			}.run(ctx)
			if err != nil {
				return BulkResult[Conversation]{Status: BulkFailed, Err: err}
			}
			return BulkResult[Conversation]{Status: statusOf(changed), Value: v}
		})
	})
}

// DeleteMany deletes conversations (by SID or unique name) with their
// participants and messages, at most opts.Concurrency at a time, paced
// under Twilio's rate limits (a conversation delete counts against the
// Conversation Service). A conversation already gone (404) is BulkSkipped.
// It returns one result per conversation, in order (Value is always nil), and
// a *[BulkError] when any failed.
func (s *ConversationsService) DeleteMany(ctx context.Context, sids []string, opts *BulkOptions) ([]BulkResult[Conversation], error) {
	if err := checkSIDs(ctx, sids, opts); err != nil {
		s.core.failedBulk(ctx, bulkDeleteConversations, len(sids))
		return nil, err
	}
	convs := (*ConversationsService)((*service)(s).paced())
	return traceBulk(ctx, s.core, bulkDeleteConversations, len(sids), func(ctx context.Context, bt *bulkTrace) ([]BulkResult[Conversation], error) {
		return runBulk(ctx, bt, len(sids), opts, func(ctx context.Context, i int) BulkResult[Conversation] {
			_, changed, err := bulkStep[Conversation]{
				send:       func(ctx context.Context) (*Conversation, error) { return nil, convs.Delete(ctx, sids[i], nil) },
				idempotent: true,
				present:    IsNotFound,
			}.run(ctx)
			if err != nil {
				return BulkResult[Conversation]{Status: BulkFailed, Err: err}
			}
			return BulkResult[Conversation]{Status: statusOf(changed)}
		})
	})
}

// checkSIDs rejects a nil context, empty SIDs and invalid options before
// anything is sent.
func checkSIDs(ctx context.Context, sids []string, opts *BulkOptions) error {
	if ctx == nil {
		return errors.New("conversations: nil Context")
	}
	for i, sid := range sids {
		if sid == "" {
			return fmt.Errorf("%w: Sid of item %d", ErrEmptyParameter, i)
		}
	}
	return checkBulkOptions(opts)
}
