package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/conversations-go/conversations"
	"github.com/spf13/cobra"
)

func newParticipantsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "participants",
		Short:   "Work on the participants of a conversation",
		Example: `  conversations participants add --csv campaign.csv CH0123456789abcdef0123456789abcdef`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("want a subcommand: participants add")
		},
	}
	cmd.AddCommand(newParticipantsAddCmd(a))
	return cmd
}

// maxShownFailures is how many failed rows are named on stderr; all of them
// are in the failed-rows file.
const maxShownFailures = 20

func newParticipantsAddCmd(a *app) *cobra.Command {
	var csvPath, failedPath string
	var concurrency int
	cmd := &cobra.Command{
		Use:   "add --csv FILE CONVERSATION",
		Short: "Add participants from a CSV file, paced under Twilio's rate limit, resumable",
		Long: `Add the participants listed in a CSV file to a conversation (SID or unique name).

The header row names the columns, in any order: identity, address,
proxy_address, projected_address, attributes (a JSON text). Each row needs an
identity (a chat participant), an address (SMS: +15551234567, WhatsApp:
whatsapp:+15551234567; with the proxy_address, your Twilio number), or a
projected_address.

Every row is checked before anything is sent; each bad row is named with its
line number and nothing is sent for it. The others are added at Twilio's rate
limit (30 per second per conversation), with a progress bar on a terminal and a
line per 10% otherwise. Participants already in the conversation are skipped,
so after Ctrl-C (or any failure) running the same command again adds only the
missing ones.

At the end it prints how many were added, skipped (already there) and failed;
the bad and failed rows are written to a CSV file (FILE.failed.csv, or
--failed) with an error column, which can be fixed and fed back in as it is.
Exit status 3 when any row was bad or failed.`,
		Example: `  conversations participants add --csv campaign.csv CH0123456789abcdef0123456789abcdef
  conversations participants add --csv campaign.failed.csv spring-campaign
  conversations participants add --csv - support-4711 < rows.csv`,
		Args: exactArgs(1, "CONVERSATION (a CH... SID or unique name)"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if csvPath == "" {
				return usagef("--csv FILE is required (- for stdin)")
			}
			if concurrency < 1 {
				return usagef("--concurrency must be at least 1")
			}
			if failedPath == "" {
				if csvPath == "-" {
					failedPath = "participants.failed.csv"
				} else {
					failedPath = strings.TrimSuffix(csvPath, filepath.Ext(csvPath)) + ".failed.csv"
				}
			}
			var r io.Reader = a.io.in
			if csvPath != "-" {
				f, err := os.Open(csvPath)
				if err != nil {
					return &usageError{err: err}
				}
				defer f.Close()
				r = f
			}
			in, err := readParticipantsCSV(r)
			if err != nil {
				return &usageError{err: fmt.Errorf("%s: %w", csvPath, err)}
			}
			return a.addParticipants(cmd, args[0], csvPath, failedPath, in, concurrency)
		}),
	}
	cmd.Flags().StringVar(&csvPath, "csv", "", "the CSV file of participants (- for stdin)")
	cmd.Flags().StringVar(&failedPath, "failed", "", "where to write the bad and failed rows (default: FILE.failed.csv)")
	cmd.Flags().IntVar(&concurrency, "concurrency", conversations.DefaultBulkConcurrency, "participants in flight at once (pacing, not this, sets the rate)")
	return cmd
}

func (a *app) addParticipants(cmd *cobra.Command, conversation, csvPath, failedPath string, in *csvInput, concurrency int) error {
	stderr := cmd.ErrOrStderr()
	var valid []*csvRow
	why := map[*csvRow]string{}
	var failedRows []*csvRow
	for _, r := range in.rows {
		a.allow(r.fields...) // the user's own file: its values may be named
		if r.bad != "" {
			fmt.Fprintf(stderr, "%s: line %d: %s\n", csvPath, r.line, r.bad)
			why[r] = r.bad
			failedRows = append(failedRows, r)
			continue
		}
		valid = append(valid, r)
	}
	bad := len(failedRows)
	if bad > 0 {
		fmt.Fprintf(stderr, "%d bad rows: nothing is sent for them; adding the %d others\n", bad, len(valid))
	}
	scope, err := a.connect()
	if err != nil {
		return err
	}
	var results []conversations.BulkResult[conversations.Participant]
	if len(valid) > 0 {
		params := make([]*conversations.ParticipantCreateParams, len(valid))
		for i, r := range valid {
			params[i] = r.params
		}
		prog := newProgress(cmd.Context(), stderr, a.io.errTerminal, "participants", len(valid))
		results, err = scope.Participants.AddMany(cmd.Context(), conversation, params, &conversations.BulkOptions{Concurrency: concurrency, Progress: prog.update})
		prog.stop()
		var bulkErr *conversations.BulkError
		if err != nil && !errors.As(err, &bulkErr) {
			return err // nothing started: the conversation's listing failed
		}
	}
	var done, skipped, failed, notTried int
	jl := newJSONLines(cmd.OutOrStdout())
	for i, res := range results {
		r := valid[i]
		item := rowResult{Line: r.line, Status: res.Status.String()}
		switch res.Status {
		case conversations.BulkDone:
			done++
		case conversations.BulkSkipped:
			skipped++
		case conversations.BulkFailed:
			if cmd.Context().Err() != nil && errors.Is(res.Err, cmd.Context().Err()) {
				notTried++
				why[r] = "interrupted: not added or not confirmed"
			} else {
				failed++
				why[r] = a.describe(res.Err)
				if failed <= maxShownFailures {
					fmt.Fprintf(stderr, "%s: line %d: %s\n", csvPath, r.line, why[r])
				}
			}
			item.Error = why[r]
			failedRows = append(failedRows, r)
		}
		if res.Value != nil {
			item.ParticipantSID = res.Value.SID
		}
		if a.json {
			if err := jl.write(item); err != nil {
				return err
			}
		}
	}
	if failed > maxShownFailures {
		fmt.Fprintf(stderr, "... and %d more failed rows\n", failed-maxShownFailures)
	}
	fmt.Fprintf(stderr, "added %d, skipped %d (already there), failed %d, bad rows %d, of %d rows\n", done, skipped, failed, bad, len(in.rows))
	if notTried > 0 {
		fmt.Fprintf(stderr, "interrupted: %d rows not added or not confirmed; run the same command again: it adds only the missing ones\n", notTried)
	}
	if len(failedRows) == 0 {
		return nil
	}
	sortRows(failedRows)
	if err := writeFileAtomic(failedPath, func(w io.Writer) error { return writeFailedCSV(w, in.header, failedRows, why) }); err != nil {
		return fmt.Errorf("writing the failed rows: %w", err)
	}
	fmt.Fprintf(stderr, "%d rows written to %s; fix them and run: conversations participants add --csv %s %s\n", len(failedRows), failedPath, failedPath, conversation)
	return &quietFailure{code: exitBulkFailed}
}

// rowResult is one row's outcome, for --json.
type rowResult struct {
	Line           int    `json:"line"`
	Status         string `json:"status"`
	ParticipantSID string `json:"participant_sid,omitempty"`
	Error          string `json:"error,omitempty"`
}

func sortRows(rows []*csvRow) {
	slices.SortFunc(rows, func(x, y *csvRow) int { return x.line - y.line })
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, renamed into place when complete.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
