package redisstore

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/conversations-go/conversations/internal/bulkbench"
	"github.com/redis/go-redis/v9"
)

// The four-replica benchmarks of issue 11: the production-volume jobs of
// internal/bulkbench (1,000 participants added to one conversation; 300
// conversations created, each with an SMS participant and a message) split
// across four app replicas, each with its own Client and Redis connection
// pool, against the emulator with Twilio's limits on (30 mutating calls
// per second per scope) and 50 ms of latency. Run them (about four
// minutes) with
//
//	cd redisstore && go test -run '^$' -bench Replicas -benchtime 1x .
//
// "redis/<variant>" runs the replicas on one RateLimiter budget shared
// through Redis, for each of bulkbench's variants (plain sequential loop,
// plain loop on 64 goroutines, bulk operation); "local/bulk" is the
// baseline in the same run: each replica paces itself with an in-process
// limiter, so the four together offer four times the rate. Each reports
// bulkbench's figures (wall-s against floor-s, 429s, failed, dups, missing,
// counted by the emulator) and, for "redis", the Redis round trips (script
// calls) per Wait.

const benchReplicas = 4

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

// fleet is the replicas' clients of one run, and the Waits and script
// calls of their shared limiter.
type fleet struct {
	clients      []*conversations.Client
	waits, calls atomic.Int64
}

// newFleet builds the replicas' clients for srv: on one Redis limiter
// (shared), or each on an in-process limiter of its own.
func newFleet(b *testing.B, srv *conversationstest.Server, shared bool) *fleet {
	b.Helper()
	f := &fleet{}
	prefix := testPrefix(b)
	limits := conversations.RateLimits{PerSecond: bulkbench.Rate}
	for range benchReplicas {
		var lim conversations.RateLimiter
		if shared {
			rdb := newClient(b)
			rdb.AddHook(scriptCounter{&f.calls})
			l, err := NewRateLimiter(rdb, limits, WithKeyPrefix(prefix))
			if err != nil {
				b.Fatal(err)
			}
			lim = countingLimiter{l, &f.waits}
		} else {
			l, err := conversations.NewRateLimiter(limits)
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

type benchJob func(ctx context.Context, srv *conversationstest.Server, clients []*conversations.Client, v bulkbench.Variant) (bulkbench.Report, error)

func runReplicas(b *testing.B, job benchJob) {
	newClient(b) // skips without Redis
	type run struct {
		shared bool
		v      bulkbench.Variant
	}
	var runs []run
	for _, v := range bulkbench.Variants {
		runs = append(runs, run{true, v})
	}
	runs = append(runs, run{false, bulkbench.Bulk})
	for _, r := range runs {
		name := map[bool]string{true: "redis", false: "local"}[r.shared] + "/" + string(r.v)
		b.Run(name, func(b *testing.B) {
			for range b.N {
				srv := bulkbench.NewEmulator(bulkbench.Rate, bulkbench.Latency)
				f := newFleet(b, srv, r.shared)
				rep, err := job(context.Background(), srv, f.clients, r.v)
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				rep.ReportMetrics(b)
				if w := f.waits.Load(); w > 0 {
					b.ReportMetric(float64(f.calls.Load())/float64(w), "redis-rtt/wait")
				}
				b.Log(rep)
			}
		})
	}
}

// BenchmarkReplicasAddParticipants adds 1,000 participants (950 chat
// identities and 50 SMS addresses, the most non-chat ones a conversation
// may hold) to one conversation, a quarter by each replica. Every add counts
// against the conversation: the floor is 1,000 / 30 s.
func BenchmarkReplicasAddParticipants(b *testing.B) {
	runReplicas(b, func(ctx context.Context, srv *conversationstest.Server, clients []*conversations.Client, v bulkbench.Variant) (bulkbench.Report, error) {
		return bulkbench.AddParticipants(ctx, srv, clients, v, 1000, 50, bulkbench.Rate)
	})
}

// BenchmarkReplicasCreateConversations creates 300 conversations, each with
// one SMS participant and one message, a quarter by each replica. The
// creates count against the Conversation Service: the floor is 300 / 30 s.
func BenchmarkReplicasCreateConversations(b *testing.B) {
	runReplicas(b, func(ctx context.Context, srv *conversationstest.Server, clients []*conversations.Client, v bulkbench.Variant) (bulkbench.Report, error) {
		return bulkbench.CreateConversations(ctx, srv, clients, v, 300, bulkbench.Rate)
	})
}
