package redisstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/redis/go-redis/v9"
)

// The four-replica benchmarks of issue 11: the work of one bulk job split
// across four app replicas, each with its own Client and Redis connection
// pool, against the emulator with Twilio's limits on (30 mutating calls per
// second per scope) and 50 ms of latency. Run them (about two minutes) with
//
//	cd redisstore && go test -run '^$' -bench Replicas -benchtime 1x .
//
// Each runs twice: "redis", the four replicas sharing one RateLimiter
// budget through Redis, and, as the baseline, "local", each replica pacing
// itself with its own in-process limiter (four times the rate). Reported per
// run: wall-s and floor-s (the rate limit's lower bound on the wall time),
// x-floor, 429s (answered by the emulator), calls (mutating calls the
// emulator counted), failed items, dups and missing (from the emulator's
// own summary), and for "redis" the Redis round trips (script calls) per
// Wait.

const (
	benchReplicas = 4
	benchRate     = conversationstest.TwilioRateLimit
	benchLatency  = 50 * time.Millisecond
	benchProxy    = "+15017122661"
)

// benchFleet is the replicas of one run: their clients, and the count of
// Waits and Redis commands when they share the Redis limiter.
type benchFleet struct {
	clients []*conversations.Client
	waits   atomic.Int64
	cmds    atomic.Int64
}

// countingLimiter counts the Waits of the limiter it wraps.
type countingLimiter struct {
	conversations.RateLimiter
	waits *atomic.Int64
}

func (c countingLimiter) Wait(ctx context.Context, scope string) error {
	c.waits.Add(1)
	return c.RateLimiter.Wait(ctx, scope)
}

// scriptCounter is a go-redis hook that counts the script calls sent
// (EVALSHA, and EVAL when Redis does not have the script yet): the round
// trips of the limiter. The handshake of each new pooled connection (HELLO,
// CLIENT SETINFO) is not counted.
type scriptCounter struct{ n *atomic.Int64 }

func (scriptCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h scriptCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if strings.HasPrefix(cmd.Name(), "eval") {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (scriptCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next // the limiter does not pipeline
}

// newFleet builds the replicas' clients for srv: on a shared Redis limiter
// (shared), or each on an in-process limiter of its own.
func newFleet(b *testing.B, srv *conversationstest.Server, shared bool) *benchFleet {
	b.Helper()
	f := &benchFleet{}
	prefix := testPrefix(b)
	for range benchReplicas {
		var lim conversations.RateLimiter
		if shared {
			rdb := newClient(b)
			rdb.AddHook(scriptCounter{&f.cmds})
			l, err := NewRateLimiter(rdb, conversations.RateLimits{PerSecond: benchRate}, WithKeyPrefix(prefix))
			if err != nil {
				b.Fatal(err)
			}
			lim = countingLimiter{l, &f.waits}
		} else {
			l, err := conversations.NewRateLimiter(conversations.RateLimits{PerSecond: benchRate})
			if err != nil {
				b.Fatal(err)
			}
			lim = l
		}
		c, err := srv.Client(conversations.WithRateLimiter(lim))
		if err != nil {
			b.Fatal(err)
		}
		f.clients = append(f.clients, c)
	}
	return f
}

// run calls job for each replica at once and returns the wall time and the
// failed items.
func (f *benchFleet) run(job func(replica int, c *conversations.Client) (failed int)) (time.Duration, int) {
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	for i, c := range f.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			failed.Add(int64(job(i, c)))
		}()
	}
	wg.Wait()
	return time.Since(start), int(failed.Load())
}

// report records one run's figures.
func (f *benchFleet) report(b *testing.B, srv *conversationstest.Server, wall, floor time.Duration, failed, dups, missing int, shared bool) {
	t := srv.Traffic()
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(wall.Seconds()/floor.Seconds(), "x-floor")
	b.ReportMetric(float64(t.Throttled), "429s")
	b.ReportMetric(float64(t.Limited), "calls")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(float64(dups), "dups")
	b.ReportMetric(float64(missing), "missing")
	if shared && f.waits.Load() > 0 {
		b.ReportMetric(float64(f.cmds.Load())/float64(f.waits.Load()), "redis-rtt/wait")
	}
}

// benchServer starts the emulator with Twilio's limits and latency.
func benchServer(b *testing.B) *conversationstest.Server {
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(benchRate),
		conversationstest.WithLatency(benchLatency))
	b.Cleanup(srv.Close)
	return srv
}

func bothLimiters(b *testing.B, run func(b *testing.B, shared bool)) {
	newClient(b) // skips without Redis
	for _, shared := range []bool{true, false} {
		name := map[bool]string{true: "redis", false: "local"}[shared]
		b.Run(name, func(b *testing.B) {
			for range b.N {
				run(b, shared)
			}
		})
	}
}

// BenchmarkReplicasAddParticipants adds 1,000 participants (950 chat
// identities and 50 SMS addresses, the most non-chat ones a conversation
// may hold) to one conversation, 250 by each replica with AddMany. All the
// adds count against the conversation: the floor is 1,000 / 30 s.
func BenchmarkReplicasAddParticipants(b *testing.B) {
	bothLimiters(b, func(b *testing.B, shared bool) {
		srv := benchServer(b)
		f := newFleet(b, srv, shared)
		ctx := context.Background()
		conv, err := f.clients[0].Conversations.Create(ctx, &conversations.ConversationParams{UniqueName: "bench-1000"})
		if err != nil {
			b.Fatal(err)
		}
		var all []*conversations.ParticipantCreateParams
		want := map[string]int{}
		for i := range 1000 {
			p := &conversations.ParticipantCreateParams{Identity: fmt.Sprintf("user-%04d", i)}
			key := p.Identity
			if i%20 == 0 { // 50 of them
				p = &conversations.ParticipantCreateParams{
					MessagingBindingAddress:      fmt.Sprintf("+1555010%04d", i),
					MessagingBindingProxyAddress: benchProxy,
				}
				key = p.MessagingBindingAddress
			}
			all = append(all, p)
			want[key] = 0
		}
		wall, failed := f.run(func(r int, c *conversations.Client) int {
			part := all[r*len(all)/benchReplicas : (r+1)*len(all)/benchReplicas]
			res, _ := c.Participants.AddMany(ctx, conv.SID, part, &conversations.BulkOptions{Concurrency: 16})
			n := len(part) - len(res)
			for _, x := range res {
				if x.Status == conversations.BulkFailed {
					n++
				}
			}
			return n
		})
		sum, _ := srv.Conversation(conv.SID)
		dups, missing := tally(want, sum.Participants)
		floor := time.Duration(float64(len(all)) / benchRate * float64(time.Second))
		f.report(b, srv, wall, floor, failed, dups, missing, shared)
	})
}

// BenchmarkReplicasCreateConversations creates 300 conversations, each with
// one SMS participant and one message, 75 by each replica with CreateMany.
// The creates count against the Conversation Service: the floor is
// 300 / 30 s (the participant and the message count against each new
// conversation).
func BenchmarkReplicasCreateConversations(b *testing.B) {
	bothLimiters(b, func(b *testing.B, shared bool) {
		srv := benchServer(b)
		f := newFleet(b, srv, shared)
		ctx := context.Background()
		var all []*conversations.ConversationSetup
		want := map[string]int{}
		for i := range 300 {
			name := fmt.Sprintf("campaign-%03d", i)
			all = append(all, &conversations.ConversationSetup{
				Conversation: &conversations.ConversationParams{UniqueName: name},
				Participants: []*conversations.ParticipantCreateParams{{
					MessagingBindingAddress:      fmt.Sprintf("+1555020%04d", i),
					MessagingBindingProxyAddress: benchProxy,
				}},
				Message: &conversations.MessageCreateParams{Author: "campaign", Body: "Your order has shipped."},
			})
			want[name] = 0
		}
		wall, failed := f.run(func(r int, c *conversations.Client) int {
			part := all[r*len(all)/benchReplicas : (r+1)*len(all)/benchReplicas]
			res, _ := c.Conversations.CreateMany(ctx, part, &conversations.BulkOptions{Concurrency: 16})
			n := len(part) - len(res)
			for _, x := range res {
				if x.Status == conversations.BulkFailed {
					n++
				}
			}
			return n
		})
		var names []string
		dups := 0
		missingParts := 0
		for _, s := range srv.Conversations() {
			names = append(names, s.UniqueName)
			if len(s.Participants) > 1 || s.Messages > 1 {
				dups++
			}
			if len(s.Participants) == 0 || s.Messages == 0 {
				missingParts++
			}
		}
		d, missing := tally(want, names)
		floor := time.Duration(float64(len(all)) / benchRate * float64(time.Second))
		f.report(b, srv, wall, floor, failed, dups+d, missing+missingParts, shared)
	})
}

// tally counts, among got, the wanted keys present more than once (dups:
// the extra copies) and those absent (missing); keys not wanted count as
// dups.
func tally(want map[string]int, got []string) (dups, missing int) {
	for _, g := range got {
		if _, ok := want[g]; !ok {
			dups++
			continue
		}
		want[g]++
	}
	for _, n := range want {
		if n == 0 {
			missing++
		} else {
			dups += n - 1
		}
	}
	return dups, missing
}
