// Package bulkbench is the harness of the production-volume benchmarks:
// adding many participants to one conversation, and creating many
// conversations each with a participant and a message, against the emulator
// with Twilio's rate limits on and a simulated latency, in three ways (a
// plain sequential loop, a plain loop on 64 goroutines with the default
// retry policy, and the bulk operations). It reports the wall time against
// the floor the rate limit sets, the 429s the emulator answered, and what
// the emulator holds in the end: items failed, duplicated or missing.
//
// The work is split across any number of clients (item i goes to client
// i mod N), so the same harness measures N replicas sharing one limiter.
package bulkbench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// Variant is how the work is done.
type Variant string

const (
	// Sequential is a plain loop: one call after the other, per client.
	Sequential Variant = "sequential"
	// Goroutines64 is a plain loop on 64 goroutines per client, relying on
	// the client's retry policy for 429s.
	Goroutines64 Variant = "goroutines64"
	// Bulk uses the bulk operations (Participants.AddMany,
	// Conversations.CreateMany), one call per client on its share.
	Bulk Variant = "bulk"
)

// Variants lists the variants in the order the benchmarks run them.
var Variants = []Variant{Sequential, Goroutines64, Bulk}

// Defaults of the benchmarks: Twilio's default rate and a typical latency.
const (
	Rate    = conversationstest.TwilioRateLimit
	Latency = 50 * time.Millisecond
)

// NewEmulator starts an emulator enforcing rate mutating actions per second
// per scope, holding each request for latency. The caller closes it.
func NewEmulator(rate float64, latency time.Duration) *conversationstest.Server {
	return conversationstest.NewServer(conversationstest.WithRateLimit(rate), conversationstest.WithLatency(latency))
}

// Report is the outcome of one run.
type Report struct {
	Items int
	Wall  time.Duration
	// Floor is the least time the rate limit allows: the mutating calls on
	// the busiest scope divided by the rate.
	Floor time.Duration
	// Calls is the mutating calls the emulator counted against its limits
	// (admitted or not); Throttled those it answered 429.
	Calls, Throttled int64
	// Failed is the items the run reported failed; Duplicates and Missing
	// are counted by the emulator: resources held twice, and expected ones
	// it does not hold.
	Failed, Duplicates, Missing int
}

// ThrottledShare is Throttled as a share of Calls.
func (r Report) ThrottledShare() float64 {
	if r.Calls == 0 {
		return 0
	}
	return float64(r.Throttled) / float64(r.Calls)
}

// String formats the report on one line.
func (r Report) String() string {
	return fmt.Sprintf("%d items in %v (floor %v, %.2f×): %d calls, %d answered 429 (%.2f%%), %d failed, %d duplicates, %d missing",
		r.Items, r.Wall.Round(10*time.Millisecond), r.Floor.Round(10*time.Millisecond), r.Wall.Seconds()/r.Floor.Seconds(),
		r.Calls, r.Throttled, 100*r.ThrottledShare(), r.Failed, r.Duplicates, r.Missing)
}

// ReportMetrics reports r on b: wall seconds, floor seconds, the ratio, the
// 429s and their share, failures, duplicates and missing items.
func (r Report) ReportMetrics(b *testing.B) {
	b.ReportMetric(0, "ns/op") // the wall time below is what counts
	b.ReportMetric(r.Wall.Seconds(), "wall-s")
	b.ReportMetric(r.Floor.Seconds(), "floor-s")
	b.ReportMetric(r.Wall.Seconds()/r.Floor.Seconds(), "x-floor")
	b.ReportMetric(float64(r.Calls), "calls")
	b.ReportMetric(float64(r.Throttled), "429s")
	b.ReportMetric(100*r.ThrottledShare(), "429-%")
	b.ReportMetric(float64(r.Failed), "failed")
	b.ReportMetric(float64(r.Duplicates), "dups")
	b.ReportMetric(float64(r.Missing), "missing")
}

// Participants returns n participants: chat identities, the last sms of
// them SMS addresses through one proxy number.
func Participants(n, sms int) []*conversations.ParticipantCreateParams {
	out := make([]*conversations.ParticipantCreateParams, n)
	for i := range n {
		if i >= n-sms {
			out[i] = &conversations.ParticipantCreateParams{
				MessagingBindingAddress: fmt.Sprintf("+1555010%04d", i), MessagingBindingProxyAddress: "+15550009999",
			}
		} else {
			out[i] = &conversations.ParticipantCreateParams{Identity: fmt.Sprintf("user-%04d", i)}
		}
	}
	return out
}

// campaignPrefix starts the unique names of Campaign's conversations.
const campaignPrefix = "campaign-"

// Campaign returns n conversation setups: a unique name, one SMS participant
// and one first message each.
func Campaign(n int) []*conversations.ConversationSetup {
	out := make([]*conversations.ConversationSetup, n)
	for i := range n {
		out[i] = &conversations.ConversationSetup{
			Conversation: &conversations.ConversationCreateParams{UniqueName: fmt.Sprintf("%s%04d", campaignPrefix, i), FriendlyName: "Campaign"},
			Participants: []*conversations.ParticipantCreateParams{{
				MessagingBindingAddress: fmt.Sprintf("+1555020%04d", i), MessagingBindingProxyAddress: "+15550009999",
			}},
			Message: &conversations.MessageCreateParams{Author: "shop", Body: "Your order has shipped"},
		}
	}
	return out
}

// share returns the indexes of the items of client k of n.
func share(items, k, n int) []int {
	var out []int
	for i := k; i < items; i += n {
		out = append(out, i)
	}
	return out
}

// loop runs do on the indexes: sequentially, or on 64 goroutines.
func loop(v Variant, idx []int, do func(i int) error) (failed int) {
	workers := 1
	if v == Goroutines64 {
		workers = 64
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(i); err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	for _, i := range idx {
		next <- i
	}
	close(next)
	wg.Wait()
	return failed
}

// run times work, split across the clients, and fills in the emulator's
// request counts.
func run(srv *conversationstest.Server, clients []*conversations.Client, work func(k int, c *conversations.Client) int) Report {
	before := srv.Traffic()
	start := time.Now()
	var mu sync.Mutex
	var wg sync.WaitGroup
	failed := 0
	for k, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := work(k, c)
			mu.Lock()
			failed += f
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := Report{Wall: time.Since(start), Failed: failed}
	after := srv.Traffic()
	r.Calls, r.Throttled = after.Limited-before.Limited, after.Throttled-before.Throttled
	return r
}

// AddParticipants creates a conversation on srv, then adds n participants
// to it (the last sms of them SMS addresses) the way v says, split across
// clients, and reports. rate is the emulator's rate, for the floor.
func AddParticipants(ctx context.Context, srv *conversationstest.Server, clients []*conversations.Client, v Variant, n, sms int, rate float64) (Report, error) {
	conv, err := clients[0].Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "bulkbench"})
	if err != nil {
		return Report{}, err
	}
	want := Participants(n, sms)
	r := run(srv, clients, func(k int, c *conversations.Client) int {
		idx := share(n, k, len(clients))
		if v == Bulk {
			mine := make([]*conversations.ParticipantCreateParams, len(idx))
			for j, i := range idx {
				mine[j] = want[i]
			}
			results, _ := c.Participants.AddMany(ctx, conv.SID, mine, nil)
			failed := 0
			for _, res := range results {
				if res.Status == conversations.BulkFailed {
					failed++
				}
			}
			return failed
		}
		return loop(v, idx, func(i int) error {
			_, err := c.Participants.Create(ctx, conv.SID, want[i])
			return err
		})
	})
	r.Items = n
	r.Floor = time.Duration(float64(n) / rate * float64(time.Second))
	sum, ok := srv.Conversation(conv.SID)
	if !ok {
		return r, fmt.Errorf("bulkbench: conversation %s is gone", conv.SID)
	}
	held := map[string]int{}
	for _, p := range sum.Participants {
		held[p]++
	}
	for _, p := range want {
		key := p.Identity
		if key == "" {
			key = p.MessagingBindingAddress
		}
		switch c := held[key]; {
		case c == 0:
			r.Missing++
		case c > 1:
			r.Duplicates += c - 1
		}
		delete(held, key)
	}
	for _, c := range held {
		r.Duplicates += c // held, and not asked for
	}
	return r, nil
}

// CreateConversations creates n conversations on srv, each with one SMS
// participant and one message, the way v says, split across clients, and
// reports. rate is the emulator's rate, for the floor (the creates count
// against the one Conversation Service).
func CreateConversations(ctx context.Context, srv *conversationstest.Server, clients []*conversations.Client, v Variant, n int, rate float64) (Report, error) {
	items := Campaign(n)
	r := run(srv, clients, func(k int, c *conversations.Client) int {
		idx := share(n, k, len(clients))
		if v == Bulk {
			mine := make([]*conversations.ConversationSetup, len(idx))
			for j, i := range idx {
				mine[j] = items[i]
			}
			results, _ := c.Conversations.CreateMany(ctx, mine, nil)
			failed := 0
			for _, res := range results {
				if res.Status == conversations.BulkFailed {
					failed++
				}
			}
			return failed
		}
		return loop(v, idx, func(i int) error {
			it := items[i]
			conv, err := c.Conversations.Create(ctx, it.Conversation)
			if err != nil {
				return err
			}
			if _, err := c.Participants.Create(ctx, conv.SID, it.Participants[0]); err != nil {
				return err
			}
			_, err = c.Messages.Create(ctx, conv.SID, it.Message)
			return err
		})
	})
	r.Items = n
	r.Floor = time.Duration(float64(n) / rate * float64(time.Second))
	byName := map[string][]conversationstest.ConversationSummary{}
	for _, s := range srv.Conversations() {
		if strings.HasPrefix(s.UniqueName, campaignPrefix) {
			byName[s.UniqueName] = append(byName[s.UniqueName], s)
		}
	}
	for _, it := range items {
		got := byName[it.Conversation.UniqueName]
		delete(byName, it.Conversation.UniqueName)
		if len(got) == 0 {
			r.Missing += 3 // the conversation, its participant and its message
			continue
		}
		r.Duplicates += len(got) - 1
		s := got[0]
		r.Missing += max(0, 1-len(s.Participants)) + max(0, 1-s.Messages)
		r.Duplicates += max(0, len(s.Participants)-1) + max(0, s.Messages-1)
	}
	for _, extra := range byName {
		r.Duplicates += len(extra)
	}
	return r, nil
}
