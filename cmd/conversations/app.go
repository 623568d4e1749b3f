package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"

	"github.com/conversations-go/conversations"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// version is the command's version, the library's.
const version = conversations.Version

// stdio is where a run reads and writes, and whether each is a terminal.
type stdio struct {
	in          io.Reader
	out, err    io.Writer
	inTerminal  bool
	errTerminal bool
	outTerminal bool
}

func newStdio() stdio {
	return stdio{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		inTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		outTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		errTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// app holds the global flags and the client, made on first use.
type app struct {
	io      stdio
	service string
	json    bool
	verbose bool

	client *conversations.Client
	scope  *conversations.Scope
	// passed holds what the user typed that may appear in error texts
	// (addresses given as arguments); see redact.
	passed map[string]bool
}

// serviceSID matches a Conversation Service SID.
var serviceSID = regexp.MustCompile(`^IS[0-9a-fA-F]{32}$`)

// connect makes the client from the environment (NewClientFromEnv) and the
// scope (--service or the account's default service).
func (a *app) connect() (*conversations.Scope, error) {
	if a.scope != nil {
		return a.scope, nil
	}
	opts := []conversations.Option{conversations.WithUserAgent("conversations-cli/" + version)}
	if a.verbose {
		// The library's request log: method, path, the keys (not values)
		// of the query, status, attempt, duration and request ID; never
		// credentials, bodies or query values.
		h := slog.NewTextHandler(a.io.err, &slog.HandlerOptions{Level: slog.LevelDebug})
		opts = append(opts, conversations.WithLogger(slog.New(h)))
	}
	c, err := conversations.NewClientFromEnv(opts...)
	if err != nil {
		return nil, &failure{err: fmt.Errorf("%w\nSet TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET), or %s=host:port for the emulator", err, conversations.EmulatorHostEnv)}
	}
	a.client = c
	a.scope = c.Scope
	if a.service != "" {
		a.scope = c.Service(a.service).Scope
	}
	return a.scope, nil
}

// allow records values the user passed, which error texts may then show.
func (a *app) allow(values ...string) {
	if a.passed == nil {
		a.passed = map[string]bool{}
	}
	for _, v := range values {
		for _, m := range phoneNumber.FindAllString(v, -1) {
			a.passed[m] = true
		}
	}
}

func (a *app) debugf(format string, args ...any) {
	if a.verbose {
		fmt.Fprintf(a.io.err, "debug: "+format+"\n", args...)
	}
}

// newRoot returns the command tree.
func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "conversations",
		Short: "Chores on Twilio Conversations: transcripts, CSV participants, cleanup, lookups",
		Long: `conversations does the recurring chores of a Twilio Conversations account:
list and look up conversations, export a transcript with its media, add
participants from a CSV file, close or delete old conversations, send a test
message.

Credentials come from the environment: TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN
(or TWILIO_API_KEY and TWILIO_API_SECRET), TWILIO_REGION and TWILIO_EDGE.
CONVERSATIONS_EMULATOR_HOST=host:port sends everything to the emulator instead.

Exit codes: 0 success, 1 failure, 2 usage error, 3 a bulk run with failed
items, 130 interrupted.`,
		Example: `  conversations list --state active --limit 20
  conversations show CH0123456789abcdef0123456789abcdef --json
  CONVERSATIONS_EMULATOR_HOST=127.0.0.1:4010 conversations list`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if a.service != "" && !serviceSID.MatchString(a.service) {
				return usagef("--service %q is not a Conversation Service SID (IS followed by 32 hex digits)", a.service)
			}
			return nil
		},
	}
	root.SetIn(a.io.in)
	root.SetOut(a.io.out)
	root.SetErr(a.io.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.service, "service", "", "Conversation Service SID (IS...) to work in instead of the account's default service")
	pf.BoolVar(&a.json, "json", false, "print JSON: one object per line for lists")
	pf.BoolVar(&a.verbose, "verbose", false, "trace each request on stderr (method, path, status, timing; never credentials or query values)")

	root.AddCommand(
		newListCmd(a), newShowCmd(a), newFindCmd(a), newExportCmd(a),
		newParticipantsCmd(a), newCleanupCmd(a), newSendCmd(a), newCompletionCmd(root),
	)
	root.CompletionOptions.DisableDefaultCmd = true // replaced by newCompletionCmd
	return root
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, sio stdio) int {
	a := &app{io: sio}
	root := newRoot(a)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if code == exitUsage && cmd != nil {
		fmt.Fprintf(sio.err, "error: %s\nRun '%s --help' for usage.\n", a.redact(err.Error()), cmd.CommandPath())
		return code
	}
	var quiet *quietFailure
	if !errors.As(err, &quiet) {
		fmt.Fprintf(sio.err, "error: %s\n", a.describe(err))
	}
	return code
}
