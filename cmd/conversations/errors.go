package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/conversations-go/conversations"
	"github.com/spf13/cobra"
)

// Exit codes a script can rely on.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitBulkFailed  = 3
	exitInterrupted = 130
)

// usageError is a command line that cannot run: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// failure is a command that ran and failed: exit 1 (130 when interrupted).
type failure struct{ err error }

func (e *failure) Error() string { return e.err.Error() }
func (e *failure) Unwrap() error { return e.err }

// quietFailure ends the run with code after the command has reported
// everything itself (a bulk run's summary).
type quietFailure struct{ code int }

func (e *quietFailure) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitCode maps an error to the process's exit code. Errors the commands
// return are wrapped by runE; anything else comes from cobra's own checks
// (an unknown command, a bad flag, a wrong number of arguments): usage.
func exitCode(err error) int {
	var q *quietFailure
	if errors.As(err, &q) {
		return q.code
	}
	var u *usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	var f *failure
	if errors.As(err, &f) {
		if errors.Is(err, context.Canceled) {
			return exitInterrupted
		}
		return exitFailure
	}
	return exitUsage
}

// runE wraps a command's function so that its errors are failures (exit 1)
// unless they say otherwise.
func runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := fn(cmd, args)
		if err == nil {
			return nil
		}
		var u *usageError
		var f *failure
		var q *quietFailure
		if errors.As(err, &u) || errors.As(err, &f) || errors.As(err, &q) {
			return err
		}
		return &failure{err: err}
	}
}

// describe is the text of an error for a person: the Twilio error code and
// what to do about it, with phone numbers the user did not pass masked.
func (a *app) describe(err error) string {
	return a.redact(explain(err))
}

// explain names the Twilio error code (or the kind of failure) and adds
// what to do.
func explain(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	var apiErr *conversations.Error
	if errors.As(err, &apiErr) {
		var b strings.Builder
		if apiErr.Code != 0 {
			fmt.Fprintf(&b, "Twilio error %d", apiErr.Code)
		} else {
			b.WriteString("Twilio error")
		}
		fmt.Fprintf(&b, " (HTTP %d %s)", apiErr.Status, http.StatusText(apiErr.Status))
		if apiErr.Method != "" {
			fmt.Fprintf(&b, " on %s %s", apiErr.Method, apiErr.Path)
		}
		if apiErr.Message != "" {
			fmt.Fprintf(&b, ": %s", strings.TrimSuffix(apiErr.Message, "."))
		}
		b.WriteString(". ")
		b.WriteString(hint(apiErr))
		if apiErr.MoreInfo != "" {
			fmt.Fprintf(&b, " See %s", apiErr.MoreInfo)
		}
		if apiErr.RequestID != "" {
			fmt.Fprintf(&b, " (request %s)", apiErr.RequestID)
		}
		return b.String()
	}
	var reqErr *conversations.RequestError
	if errors.As(err, &reqErr) {
		return fmt.Sprintf("no usable answer from Twilio: %v. Check the network (or that the emulator named by %s is running) and run again; a bulk command skips what is already done.", err, conversations.EmulatorHostEnv)
	}
	if errors.Is(err, conversations.ErrUncertain) {
		return fmt.Sprintf("%v. Check whether it happened (conversations show / list) before running again.", err)
	}
	return err.Error()
}

// hint says what to do about a Twilio error.
func hint(e *conversations.Error) string {
	switch e.Code {
	case conversations.CodeAuthenticationFailed:
		return "Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)."
	case conversations.CodeNotFound, conversations.CodeConversationNotFound:
		return "Check the SID or unique name, and --service when it lives in another Conversation Service."
	case conversations.CodeTooManyRequests:
		return "Twilio's rate limit: wait a little and run again (bulk commands pace themselves and skip what is done)."
	case conversations.CodeUniqueNameExists:
		return "Another conversation has this unique name: pick another or use the existing one."
	case conversations.CodeConversationClosed:
		return "The conversation is closed: nothing can be added to it; create a new one."
	case conversations.CodeAddressPairInUse, conversations.CodeAddressPairsInUse:
		return "The address is already in another active conversation with the same proxy address: close that one first (find it with 'conversations find ADDRESS')."
	case conversations.CodeParticipantLimit, conversations.CodeNonChatParticipantLimit:
		return "The conversation holds as many participants as Twilio allows: remove some or use another conversation."
	case conversations.CodeIdentityExists, conversations.CodeGroupParticipantExists:
		return "The participant is already in the conversation: nothing to do."
	case conversations.CodeInvalidAttributes:
		return "Attributes must be a JSON object or value: fix the attributes text."
	case conversations.CodeAddressIsProxyAddress:
		return "The address is one of your Twilio numbers: use it as the proxy address instead."
	}
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return "Check the credentials and that they may use Conversations."
	case e.Status == http.StatusTooManyRequests:
		return "Wait a little and run again."
	case e.Status >= 500:
		return "Twilio had a problem: run again later; bulk commands skip what is already done."
	}
	return "Fix the request as the message says and run again."
}

// phoneNumber matches what looks like a phone number in an error text
// (E.164 with or without +, at least 7 digits, not inside a SID).
var phoneNumber = regexp.MustCompile(`\+?\b\d{7,15}\b`)

// redact masks phone numbers in s, except those the user passed.
func (a *app) redact(s string) string {
	return phoneNumber.ReplaceAllStringFunc(s, func(m string) string {
		if a.passed[m] {
			return m
		}
		return "[phone number]"
	})
}
