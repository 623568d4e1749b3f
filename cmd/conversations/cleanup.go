package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/spf13/cobra"
)

func newCleanupCmd(a *app) *cobra.Command {
	var f convFilter
	var doClose, doDelete, dryRun, yes bool
	var inactiveFor, address, identity string
	var concurrency int
	cmd := &cobra.Command{
		Use:   "cleanup --close|--delete [filters]",
		Short: "Close or delete the conversations matched by a filter",
		Long: `Close or delete the conversations matched by the filters: state, creation and
update dates, unique-name prefix, --inactive-for (no activity for that long:
neither the conversation nor its last message changed since), and --identity
or --address (only the conversations that participant is in: for an identity
near its limit of 1,000 conversations, or a number that cannot be added to a
new one).

--dry-run lists what would be touched and changes nothing. Otherwise, on a
terminal it asks for confirmation unless --yes; when stdin is not a terminal
--yes is required. The work goes through the library's bulk operations, paced
under Twilio's rate limits (deletes: 30 per second per service; closes, which
are updates: 30 per second per conversation); a conversation already closed
(--close) or already gone (--delete) is skipped.

Each conversation's outcome is printed (a table, or one JSON object per line
with --json), then a summary. Exit status 3 when any failed.`,
		Example: `  conversations cleanup --close --state inactive --inactive-for 30d --dry-run
  conversations cleanup --close --state inactive --inactive-for 30d --yes
  conversations cleanup --delete --unique-name-prefix load-test- --state closed --yes --json
  conversations cleanup --close --identity alice@example.com --inactive-for 7d --yes`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if doClose == doDelete {
				return usagef("give one of --close and --delete")
			}
			if concurrency < 1 {
				return usagef("--concurrency must be at least 1")
			}
			age, err := parseAge("inactive-for", inactiveFor)
			if err != nil {
				return err
			}
			if address != "" && identity != "" {
				return usagef("give --address or --identity, not both")
			}
			if !f.set() && age == 0 && address == "" && identity == "" {
				return usagef("give at least one filter (--state, --inactive-for, --unique-name-prefix, --identity, --address, --created-*, --updated-*): cleanup never touches every conversation by default")
			}
			a.allow(address)
			m, err := f.compile()
			if err != nil {
				return err
			}
			if !dryRun && !yes && !a.io.inTerminal {
				return usagef("stdin is not a terminal, so there is no one to confirm: add --yes (or --dry-run first)")
			}
			scope, err := a.connect()
			if err != nil {
				return err
			}
			verb, past := "close", "closed"
			if doDelete {
				verb, past = "delete", "deleted"
			}
			var of *conversations.ParticipantConversationListParams
			if address != "" || identity != "" {
				of = &conversations.ParticipantConversationListParams{Address: address, Identity: identity, PageSize: 50}
			}
			targets, err := a.cleanupTargets(cmd, scope, m, of, age, doClose)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			stderr := cmd.ErrOrStderr()
			if dryRun {
				if err := printTargets(a, out, targets, "would "+verb); err != nil {
					return err
				}
				fmt.Fprintf(stderr, "dry run: %d conversations would be %s; nothing was changed\n", len(targets), past)
				return nil
			}
			if len(targets) == 0 {
				fmt.Fprintf(stderr, "no conversations match: nothing to %s\n", verb)
				return nil
			}
			if !yes {
				ok, err := confirm(a, fmt.Sprintf("%s %d conversations? [y/N] ", titleCase(verb), len(targets)))
				if err != nil {
					return err
				}
				if !ok {
					fmt.Fprintln(stderr, "nothing changed")
					return nil
				}
			}
			sids := make([]string, len(targets))
			for i, c := range targets {
				sids[i] = c.SID
			}
			prog := newProgress(cmd.Context(), stderr, a.io.errTerminal, verb, len(sids))
			opts := &conversations.BulkOptions{Concurrency: concurrency, Progress: prog.update}
			var results []conversations.BulkResult[conversations.Conversation]
			start := time.Now()
			if doDelete {
				results, err = scope.Conversations.DeleteMany(cmd.Context(), sids, opts)
			} else {
				results, err = scope.Conversations.CloseMany(cmd.Context(), sids, opts)
			}
			prog.stop()
			var bulkErr *conversations.BulkError
			if err != nil && !errors.As(err, &bulkErr) {
				return err
			}
			return a.reportCleanup(cmd, targets, results, past, time.Since(start))
		}),
	}
	f.addFlags(cmd.Flags(), 0)
	fl := cmd.Flags()
	fl.BoolVar(&doClose, "close", false, "close the matched conversations")
	fl.BoolVar(&doDelete, "delete", false, "delete the matched conversations, with their messages and participants")
	fl.StringVar(&inactiveFor, "inactive-for", "", "only conversations with no activity for this long (30d, 36h)")
	fl.StringVar(&identity, "identity", "", "only the conversations this chat identity is in")
	fl.StringVar(&address, "address", "", "only the conversations this address (+15551234567, whatsapp:+15551234567) is in")
	fl.BoolVar(&dryRun, "dry-run", false, "list what would be touched; change nothing")
	fl.BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	fl.IntVar(&concurrency, "concurrency", conversations.DefaultBulkConcurrency, "conversations in flight at once (pacing, not this, sets the rate)")
	return cmd
}

// cleanupTargets lists the conversations to touch. For --inactive-for, a
// conversation counts as active when it or its newest message changed
// since the cutoff (Twilio's date_updated of a conversation need not follow
// its messages), so the newest message of each candidate is read, a few at
// a time.
func (a *app) cleanupTargets(cmd *cobra.Command, scope *conversations.Scope, m *match, of *conversations.ParticipantConversationListParams, age time.Duration, closing bool) ([]*conversations.Conversation, error) {
	ctx := cmd.Context()
	var cutoff time.Time
	if age > 0 {
		cutoff = time.Now().Add(-age)
	}
	var candidates []*conversations.Conversation
	skippedClosed := 0
	each := m.each
	if of != nil {
		each = func(ctx context.Context, scope *conversations.Scope, fn func(*conversations.Conversation) (bool, error)) error {
			return m.eachOfParticipant(ctx, scope, of, fn)
		}
	}
	err := each(ctx, scope, func(c *conversations.Conversation) (bool, error) {
		if closing && c.State == conversations.StateClosed {
			skippedClosed++
			return true, nil
		}
		if !cutoff.IsZero() && c.DateUpdated.After(cutoff) {
			return true, nil
		}
		// Only what is needed is kept: a listing can be long.
		candidates = append(candidates, &conversations.Conversation{SID: c.SID, UniqueName: c.UniqueName, State: c.State, DateUpdated: c.DateUpdated})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if skippedClosed > 0 {
		a.debugf("%d matched conversations are already closed", skippedClosed)
	}
	if cutoff.IsZero() {
		return candidates, nil
	}
	recent := make([]bool, len(candidates))
	errs := make([]error, len(candidates))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(lastMessageReaders, len(candidates)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				last, err := lastMessageTime(cmd, scope, candidates[i].SID)
				recent[i], errs[i] = last.After(cutoff), err
			}
		}()
	}
	for i := range candidates {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var targets []*conversations.Conversation
	for i, c := range candidates {
		if !recent[i] {
			targets = append(targets, c)
		}
	}
	return targets, nil
}

// lastMessageReaders is how many newest-message reads --inactive-for makes
// at once (reads are not paced by Twilio's write limit).
const lastMessageReaders = 8

// lastMessageTime is when the conversation's newest message was created
// (zero when it has none).
func lastMessageTime(cmd *cobra.Command, scope *conversations.Scope, sid string) (time.Time, error) {
	for msg, err := range scope.Messages.List(cmd.Context(), sid, &conversations.MessageListParams{Order: conversations.OrderDesc, PageSize: 1, Limit: 1}) {
		if err != nil {
			return time.Time{}, err
		}
		return msg.DateCreated, nil
	}
	return time.Time{}, nil
}

// cleanupItem is one conversation's outcome, for --json.
type cleanupItem struct {
	SID        string `json:"sid"`
	UniqueName string `json:"unique_name,omitempty"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
}

func printTargets(a *app, w interface{ Write([]byte) (int, error) }, targets []*conversations.Conversation, status string) error {
	if a.json {
		j := newJSONLines(w)
		for _, c := range targets {
			if err := j.write(cleanupItem{SID: c.SID, UniqueName: c.UniqueName, Status: status}); err != nil {
				return err
			}
		}
		return nil
	}
	t := newTable(w, "SID", "UNIQUE NAME", "STATE", "UPDATED", "RESULT")
	for _, c := range targets {
		t.row(c.SID, c.UniqueName, string(c.State), stamp(c.DateUpdated), status)
	}
	return t.flush()
}

func (a *app) reportCleanup(cmd *cobra.Command, targets []*conversations.Conversation, results []conversations.BulkResult[conversations.Conversation], past string, took time.Duration) error {
	out := cmd.OutOrStdout()
	var j *jsonLines
	var t *table
	if a.json {
		j = newJSONLines(out)
	} else {
		t = newTable(out, "SID", "UNIQUE NAME", "RESULT", "ERROR")
	}
	var done, skipped, failed, notTried int
	for i, res := range results {
		c := targets[i]
		item := cleanupItem{SID: c.SID, UniqueName: c.UniqueName}
		switch res.Status {
		case conversations.BulkDone:
			done++
			item.Status = past
		case conversations.BulkSkipped:
			skipped++
			item.Status = "skipped"
		default:
			item.Status = "failed"
			if ctxErr := cmd.Context().Err(); ctxErr != nil && errors.Is(res.Err, ctxErr) {
				notTried++
				item.Status = "not attempted"
			} else {
				failed++
				item.Error = a.describe(res.Err)
			}
		}
		if j != nil {
			if err := j.write(item); err != nil {
				return err
			}
		} else {
			t.row(item.SID, item.UniqueName, item.Status, item.Error)
		}
	}
	if t != nil {
		if err := t.flush(); err != nil {
			return err
		}
	}
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "%s %d, skipped %d, failed %d, of %d conversations in %s\n", past, done, skipped, failed, len(results), took.Round(100*time.Millisecond))
	if notTried > 0 {
		fmt.Fprintf(stderr, "interrupted: %d conversations were not attempted; run the same command again for the rest\n", notTried)
	}
	if failed+notTried > 0 {
		return &quietFailure{code: exitBulkFailed}
	}
	return nil
}

// confirm asks a yes/no question on the terminal.
func confirm(a *app, question string) (bool, error) {
	fmt.Fprint(a.io.err, question)
	line, err := bufio.NewReader(a.io.in).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(a.io.err)
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
