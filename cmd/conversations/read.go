package main

import (
	"fmt"
	"strings"

	"github.com/conversations-go/conversations"
	"github.com/spf13/cobra"
)

func newListCmd(a *app) *cobra.Command {
	var f convFilter
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List conversations, filtered by state and dates",
		Long: `List the conversations of the account (or of --service), the filters
applied by Twilio (state, creation date), then here (update date, unique-name prefix).

A table by default; with --json one conversation per line, printed as it
arrives, so any number of them can be piped into jq in constant memory.`,
		Example: `  conversations list --state active --limit 20
  conversations list --created-after 2026-01-01 --created-before 2026-01-31 --json | jq -r .sid
  conversations list --updated-before 2025-12-31 --limit 0`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			m, err := f.compile()
			if err != nil {
				return err
			}
			scope, err := a.connect()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if a.json {
				j := newJSONLines(out)
				return m.each(cmd.Context(), scope, func(c *conversations.Conversation) (bool, error) {
					return true, j.write(c)
				})
			}
			t := newTable(out, "SID", "STATE", "UNIQUE NAME", "FRIENDLY NAME", "CREATED", "UPDATED")
			n := 0
			err = m.each(cmd.Context(), scope, func(c *conversations.Conversation) (bool, error) {
				n++
				t.row(c.SID, string(c.State), c.UniqueName, c.FriendlyName, stamp(c.DateCreated), stamp(c.DateUpdated))
				return true, nil
			})
			if err != nil && n == 0 {
				return err // no header alone above the error
			}
			if ferr := t.flush(); err == nil {
				err = ferr
			}
			if err == nil && n == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no conversations match")
			}
			return err
		}),
	}
	f.addFlags(cmd.Flags(), 50)
	return cmd
}

// shown is a conversation with its participants, for show --json.
type shown struct {
	*conversations.Conversation
	Participants []*conversations.Participant `json:"participants"`
}

func newShowCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show CONVERSATION",
		Short: "Show one conversation (SID or unique name) with its participants and attributes",
		Example: `  conversations show CH0123456789abcdef0123456789abcdef
  conversations show support-4711 --json | jq .participants`,
		Args: exactArgs(1, "CONVERSATION (a CH... SID or unique name)"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			scope, err := a.connect()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := scope.Conversations.Fetch(ctx, args[0])
			if err != nil {
				return err
			}
			var ps []*conversations.Participant
			for p, err := range scope.Participants.List(ctx, c.SID, &conversations.ListParams{PageSize: 100}) {
				if err != nil {
					return err
				}
				ps = append(ps, p)
			}
			out := cmd.OutOrStdout()
			if a.json {
				return newJSONLines(out).write(shown{Conversation: c, Participants: ps})
			}
			kv := newTable(out, "SID", c.SID)
			kv.row("Unique name", c.UniqueName)
			kv.row("Friendly name", c.FriendlyName)
			kv.row("State", string(c.State))
			kv.row("Service", c.ChatServiceSID)
			kv.row("Created", stamp(c.DateCreated))
			kv.row("Updated", stamp(c.DateUpdated))
			if !c.Timers.DateInactive.IsZero() {
				kv.row("Inactive at", stamp(c.Timers.DateInactive))
			}
			if !c.Timers.DateClosed.IsZero() {
				kv.row("Closes at", stamp(c.Timers.DateClosed))
			}
			kv.flush()
			fmt.Fprintf(out, "Attributes: %s\n", attributesText(c.Attributes))
			fmt.Fprintf(out, "\nParticipants (%d):\n", len(ps))
			if len(ps) == 0 {
				return nil
			}
			t := newTable(out, "SID", "IDENTITY", "CHANNEL", "ADDRESS", "PROXY ADDRESS", "JOINED")
			for _, p := range ps {
				ch, addr, proxy := "chat", "", ""
				if b := p.MessagingBinding; b != nil {
					ch, addr, proxy = string(b.Type), b.Address, b.ProxyAddress
					if addr == "" {
						addr = b.ProjectedAddress
					}
				}
				t.row(p.SID, p.Identity, ch, addr, proxy, stamp(p.DateCreated))
			}
			return t.flush()
		}),
	}
	return cmd
}

func attributesText(a conversations.Attributes) string {
	s := strings.TrimSpace(a.String())
	if s == "" {
		return "{}"
	}
	return s
}

func newFindCmd(a *app) *cobra.Command {
	var identity string
	var limit int
	cmd := &cobra.Command{
		Use:   "find [ADDRESS] [--identity IDENTITY]",
		Short: "List the conversations an address (phone number, whatsapp:...) or identity is in",
		Long: `List the conversations a participant is in (Twilio's Participant Conversations):
by messaging address, such as +15551234567 or whatsapp:+15551234567, or by
chat identity with --identity.`,
		Example: `  conversations find +15551234567
  conversations find whatsapp:+15551234567 --json
  conversations find --identity alice@example.com --limit 10`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			params := &conversations.ParticipantConversationListParams{Identity: identity, PageSize: 50}
			if len(args) == 1 {
				params.Address = args[0]
			}
			if (params.Address == "") == (params.Identity == "") {
				return usagef("give an ADDRESS or --identity IDENTITY, not both")
			}
			if limit < 0 {
				return usagef("--limit must not be negative")
			}
			params.Limit = limit
			a.allow(params.Address)
			scope, err := a.connect()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var j *jsonLines
			var t *table
			if a.json {
				j = newJSONLines(out)
			} else {
				t = newTable(out, "CONVERSATION", "STATE", "UNIQUE NAME", "FRIENDLY NAME", "PARTICIPANT", "UPDATED")
			}
			n := 0
			for pc, err := range scope.ParticipantConversations.List(cmd.Context(), params) {
				if err != nil {
					if t != nil && n > 0 {
						t.flush()
					}
					return err
				}
				n++
				if j != nil {
					if err := j.write(pc); err != nil {
						return err
					}
					continue
				}
				t.row(pc.ConversationSID, string(pc.ConversationState), pc.ConversationUniqueName, pc.ConversationFriendlyName, pc.ParticipantSID, stamp(pc.ConversationDateUpdated))
			}
			if t != nil {
				if err := t.flush(); err != nil {
					return err
				}
			}
			if n == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no conversations found")
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&identity, "identity", "", "a chat participant's identity instead of an address")
	cmd.Flags().IntVar(&limit, "limit", 0, "the most conversations to list (0: all)")
	return cmd
}

// exactArgs is cobra.ExactArgs with a message naming the arguments.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %s, got %d arguments", what, len(args))
		}
		return nil
	}
}
