package conversations

import (
	"context"
	"errors"
	"fmt"
)

// AddMany adds participants to a conversation (SID or unique name), at most
// opts.Concurrency at a time, paced under Twilio's rate limit for the
// conversation (see [BulkOptions] on pacing and retries).
//
// It first lists the conversation's participants: those already there (by
// identity, or by messaging address) are skipped, so running AddMany again
// after a partial run (a cancelled context, a crash) adds only the missing
// ones. A participant given twice is added once; the second is skipped. A
// create answered 50433 (identity already in the conversation) or 50416
// (address already bound) counts as skipped when the participant is found in
// this conversation, and fails otherwise. A create that may have reached
// Twilio is sent again only after checking that the participant is not there.
//
// It returns one result per participant, in order, and a *[BulkError] when
// any failed. The error is returned alone (nil results) only when nothing
// could start: the listing failed, or the input is invalid.
func (s *ParticipantsService) AddMany(ctx context.Context, conversationSID string, participants []*ParticipantCreateParams, opts *BulkOptions) ([]BulkResult[Participant], error) {
	if err := checkAddMany(ctx, conversationSID, participants, opts); err != nil {
		s.core.failedBulk(ctx, bulkAddParticipants, len(participants))
		return nil, err
	}
	return traceBulk(ctx, s.core, bulkAddParticipants, len(participants), func(ctx context.Context, bt *bulkTrace) ([]BulkResult[Participant], error) {
		return s.addMany(ctx, bt, conversationSID, participants, opts)
	})
}

// checkAddMany checks AddMany's input before anything is sent.
func checkAddMany(ctx context.Context, conversationSID string, participants []*ParticipantCreateParams, opts *BulkOptions) error {
	if conversationSID == "" {
		return fmt.Errorf("%w: ConversationSid", ErrEmptyParameter)
	}
	if ctx == nil {
		return errors.New("conversations: nil Context")
	}
	for i, p := range participants {
		if p == nil {
			return fmt.Errorf("conversations: participant %d is nil", i)
		}
		if err := p.validate(); err != nil {
			return fmt.Errorf("conversations: participant %d: %w", i, err)
		}
	}
	return checkBulkOptions(opts)
}

// addMany is AddMany after its input was checked.
func (s *ParticipantsService) addMany(ctx context.Context, bt *bulkTrace, conversationSID string, participants []*ParticipantCreateParams, opts *BulkOptions) ([]BulkResult[Participant], error) {
	ps := (*ParticipantsService)((*service)(s).paced())
	existing, err := ps.existing(ctx, conversationSID)
	if err != nil {
		return nil, err
	}
	// first[k] is the index of the first item with key k.
	first := make(map[string]int, len(participants))
	for i, p := range participants {
		if _, dup := first[participantKey(p)]; !dup {
			first[participantKey(p)] = i
		}
	}
	return runBulk(ctx, bt, len(participants), opts, func(ctx context.Context, i int) BulkResult[Participant] {
		p := participants[i]
		if there, ok := existing[participantKey(p)]; ok {
			return BulkResult[Participant]{Status: BulkSkipped, Value: there}
		}
		if first[participantKey(p)] != i {
			return BulkResult[Participant]{Status: BulkSkipped}
		}
		v, changed, err := ps.addStep(conversationSID, p).run(ctx)
		if err != nil {
			return BulkResult[Participant]{Status: BulkFailed, Err: err}
		}
		return BulkResult[Participant]{Status: statusOf(changed), Value: v}
	})
}

// participantKey identifies a participant within a conversation: its
// identity, else its messaging address, else its projected address (a
// group MMS participant may have only that).
func participantKey(p *ParticipantCreateParams) string {
	switch {
	case p.Identity != "":
		return "identity:" + p.Identity
	case p.MessagingBindingAddress != "":
		return "address:" + p.MessagingBindingAddress
	}
	return "projected:" + p.MessagingBindingProjectedAddress
}

// existing lists a conversation's participants by participantKey.
func (s *ParticipantsService) existing(ctx context.Context, conversationSID string) (map[string]*Participant, error) {
	out := make(map[string]*Participant)
	for p, err := range s.List(ctx, conversationSID, &ListParams{PageSize: 100}) {
		if err != nil {
			return nil, err
		}
		if p.Identity != "" {
			out["identity:"+p.Identity] = p
		}
		if b := p.MessagingBinding; b != nil && b.Address != "" {
			out["address:"+b.Address] = p
		} else if b != nil && b.ProjectedAddress != "" && p.Identity == "" {
			out["projected:"+b.ProjectedAddress] = p
		}
	}
	return out, nil
}

// addStep is the create of participant p, checked by identity or address.
func (s *ParticipantsService) addStep(conversationSID string, p *ParticipantCreateParams) bulkStep[Participant] {
	return bulkStep[Participant]{
		send: func(ctx context.Context) (*Participant, error) { return s.Create(ctx, conversationSID, p) },
		find: func(ctx context.Context) (*Participant, error) {
			if p.Identity != "" {
				return s.Fetch(ctx, conversationSID, p.Identity)
			}
			there, err := s.existing(ctx, conversationSID)
			if err != nil {
				return nil, err
			}
			if v, ok := there[participantKey(p)]; ok {
				return v, nil
			}
			return nil, fmt.Errorf("%w: no participant with that address in conversation %s", ErrNotFound, conversationSID)
		},
		present: func(err error) bool {
			return HasCode(err, CodeIdentityExists) || HasCode(err, CodeAddressPairInUse) || HasCode(err, CodeGroupParticipantExists)
		},
	}
}
