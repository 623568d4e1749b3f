// Command conversations does the chores people otherwise script by hand
// against Twilio Conversations: list and look up conversations, export a
// transcript with its media, add participants from a CSV file, clean up old
// conversations, send a test message. It is built on the public API of
// github.com/conversations-go/conversations and reads its credentials and
// target the way conversations.NewClientFromEnv does (CONVERSATIONS_EMULATOR_HOST
// points it at the emulator).
//
// Exit codes: 0 success, 1 failure, 2 usage error, 3 a bulk run in which
// some items failed (or were not attempted because it was interrupted),
// 130 another command interrupted by Ctrl-C.
//
// See docs/cli.md for a guide by chore.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the command stops cleanly; a second one
		// ends the process at once (the default action, restored here).
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], newStdio())
	stop()
	os.Exit(code)
}
