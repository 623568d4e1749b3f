// Command bulk-participants adds 200 participants to one conversation with
// Participants.AddMany, paced under Twilio's rate limit of 30 mutating
// actions per second per conversation, drawing a progress bar, and prints
// the time taken against the floor the rate limit sets (200 / 30 ≈ 6.7 s).
//
//	go run ./examples/bulk-participants
//
// With TWILIO_ACCOUNT_SID unset it runs offline against the local emulator
// (conversationstest) with Twilio's limits enforced and 50 ms of simulated
// latency on every request. With TWILIO_ACCOUNT_SID set it uses Twilio with
// the credentials of conversations.NewClientFromEnv, adds chat users
// (identities bulk-user-000 …) and deletes the conversation at the end.
//
//	EXAMPLE_COUNT  how many participants (default 200)
//	EXAMPLE_RATE   the rate limit in actions per second (default 30, Twilio's
//	               default; set it when Twilio has raised your account's)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

// settings reads EXAMPLE_COUNT and EXAMPLE_RATE.
func settings(getenv func(string) string) (count int, rate float64, err error) {
	count, rate = 200, conversationstest.TwilioRateLimit
	if v := getenv("EXAMPLE_COUNT"); v != "" {
		if count, err = strconv.Atoi(v); err != nil || count < 1 || count > 1000 {
			return 0, 0, fmt.Errorf("EXAMPLE_COUNT must be 1 to 1000 (a conversation's limit), not %q", v)
		}
	}
	if v := getenv("EXAMPLE_RATE"); v != "" {
		if rate, err = strconv.ParseFloat(v, 64); err != nil || rate <= 0 {
			return 0, 0, fmt.Errorf("EXAMPLE_RATE must be a positive number, not %q", v)
		}
	}
	return count, rate, nil
}

// connect returns a client paced at rate: for Twilio when TWILIO_ACCOUNT_SID
// is set, otherwise for a local emulator it starts with the limits on;
// emu is nil for Twilio, and close stops the emulator.
func connect(w io.Writer, getenv func(string) string, rate float64) (client *conversations.Client, emu *conversationstest.Server, close func(), err error) {
	limiter, err := conversations.NewRateLimiter(conversations.RateLimits{PerSecond: rate})
	if err != nil {
		return nil, nil, nil, err
	}
	if getenv("TWILIO_ACCOUNT_SID") != "" {
		client, err = conversations.NewClientFromEnv(conversations.WithRateLimiter(limiter))
		return client, nil, func() {}, err
	}
	emu = conversationstest.NewServer(conversationstest.WithRateLimit(rate), conversationstest.WithLatency(50*time.Millisecond))
	fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s (%g actions/s per scope, 50ms latency)\n", emu.URL, rate)
	client, err = emu.Client(conversations.WithRateLimiter(limiter))
	return client, emu, emu.Close, err
}

// bar draws a progress bar on one line, redrawn in place.
func bar(w io.Writer, done, total int) {
	const width = 40
	filled := done * width / total
	fmt.Fprintf(w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
	if done == total {
		fmt.Fprintln(w)
	}
}

func run(ctx context.Context, w io.Writer, getenv func(string) string) (err error) {
	count, rate, err := settings(getenv)
	if err != nil {
		return err
	}
	client, emu, closeEmu, err := connect(w, getenv, rate)
	if err != nil {
		return err
	}
	defer closeEmu()

	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Bulk participants example"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "created conversation %s\n", conv.SID)
	defer func() {
		// Clean up even when ctx has ended.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if derr := client.Conversations.Delete(cleanup, conv.SID, nil); derr != nil {
			err = errors.Join(err, derr)
			return
		}
		fmt.Fprintf(w, "deleted conversation %s\n", conv.SID)
	}()

	participants := make([]*conversations.ParticipantCreateParams, count)
	for i := range participants {
		participants[i] = &conversations.ParticipantCreateParams{Identity: fmt.Sprintf("bulk-user-%03d", i)}
	}
	start := time.Now()
	results, err := client.Participants.AddMany(ctx, conv.SID, participants, &conversations.BulkOptions{
		Progress: func(done, total int) { bar(w, done, total) },
	})
	elapsed := time.Since(start)
	tally := map[conversations.BulkStatus]int{}
	for _, r := range results {
		tally[r.Status]++
	}
	fmt.Fprintf(w, "%d done, %d skipped, %d failed\n", tally[conversations.BulkDone], tally[conversations.BulkSkipped], tally[conversations.BulkFailed])
	if err != nil {
		return err
	}
	floor := time.Duration(float64(count) / rate * float64(time.Second))
	fmt.Fprintf(w, "added %d participants in %v; the rate limit's floor is %d/%g = %v (%.2f× the floor)\n",
		count, elapsed.Round(10*time.Millisecond), count, rate, floor.Round(10*time.Millisecond), elapsed.Seconds()/floor.Seconds())
	if emu != nil {
		sum, _ := emu.Conversation(conv.SID)
		fmt.Fprintf(w, "the emulator holds %d participants and answered %d requests with 429\n", len(sum.Participants), emu.Traffic().Throttled)
	}
	return nil
}
