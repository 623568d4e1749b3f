package redisstore

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryFootprint reports the keys and bytes a server holds for the
// limiter's scopes and the filter's done tokens, written by the scripts
// Wait and Commit run (pipelined, to keep the run short), on a server of
// its own: 10,000 scopes and 100,000 tokens, or 100,000 scopes and
// 1,000,000 tokens with REDISSTORE_LONG=1. Every key has an expiry; a
// scope's key is gone about a second after the scope went idle.
func TestMemoryFootprint(t *testing.T) {
	scopes, tokens := 10_000, 100_000
	if longTests() {
		scopes, tokens = 100_000, 1_000_000
	}
	srv := newServer(t)
	c := redis.NewClient(&redis.Options{Addr: srv.addr})
	defer c.Close()
	ctx := context.Background()
	base := usedMemory(t, c)

	l, err := NewRateLimiter(c, conversations.RateLimits{})
	require.NoError(t, err)
	scopeKey := func(i int) string { return l.prefix + fmt.Sprintf("conversation:CH%032x", i) }
	// One scope as Wait leaves it, then the scopes as a 429 leaves them
	// (all four fields: the most a scope holds), which also keeps them for
	// the backoff (5 s), long enough to count them all.
	require.NoError(t, l.Wait(ctx, "conversation:CHplain"))
	plain := c.MemoryUsage(ctx, l.prefix+"conversation:CHplain").Val()
	start := time.Now()
	pipelined(t, c, scopes, func(p redis.Pipeliner, i int) {
		throttleScript.EvalSha(ctx, p, []string{scopeKey(i)},
			l.interval, l.limits.Burst-1, l.limits.Backoff.Microseconds(), 0)
	}, throttleScript)
	keys, expires := keyspace(t, c)
	scopeBytes := usedMemory(t, c) - base
	t.Logf("%d limiter scopes slowed down after a 429 (written in %v): %d keys, %d with an expiry; used_memory +%.1f MiB (%d bytes a scope); MEMORY USAGE of one: %d bytes (%d for a scope that only had Wait calls)",
		scopes, time.Since(start).Round(time.Millisecond), keys, expires, mib(scopeBytes), scopeBytes/int64(scopes),
		c.MemoryUsage(ctx, scopeKey(0)).Val(), plain)
	assert.Equal(t, int64(scopes)+1, keys)
	assert.Equal(t, keys, expires, "every scope key expires")
	// Idle scopes go away by themselves (Redis expires keys actively).
	require.Eventually(t, func() bool { n, _ := keyspace(t, c); return n == 0 }, 60*time.Second, 100*time.Millisecond,
		"idle scopes expired")
	t.Logf("all %d scope keys expired %v after they were written (backoff 5 s, then 1 s idle)", scopes, time.Since(start).Round(100*time.Millisecond))

	f, err := NewDuplicateFilter(c)
	require.NoError(t, err)
	defer f.Close()
	base = usedMemory(t, c)
	start = time.Now()
	pipelined(t, c, tokens, func(p redis.Pipeliner, i int) {
		tok := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) // a UUID, as Twilio's tokens are
		commitScript.EvalSha(ctx, p, []string{f.tokenKey(tok)}, "o:0", f.doneTTL.Milliseconds())
	}, commitScript)
	keys, expires = keyspace(t, c)
	tokenBytes := usedMemory(t, c) - base
	t.Logf("%d done webhook tokens (written in %v): %d keys, %d with an expiry (the done TTL, %v); used_memory +%.1f MiB (%d bytes a token)",
		tokens, time.Since(start).Round(time.Millisecond), keys, expires, DefaultDoneTTL, mib(tokenBytes), tokenBytes/int64(tokens))
	assert.Equal(t, int64(tokens), keys)
	assert.Equal(t, keys, expires, "every token key expires")
	state, _, err := f.Reserve(ctx, fmt.Sprintf("%08x-0000-4000-8000-%012x", 7, 7))
	require.NoError(t, err)
	assert.Equal(t, conversations.TokenDone, state, "the keys are the filter's")
}

// pipelined runs add for 0..n-1, 1,000 to a pipeline, after loading script.
func pipelined(t *testing.T, c *redis.Client, n int, add func(redis.Pipeliner, int), script *redis.Script) {
	ctx := context.Background()
	require.NoError(t, script.Load(ctx, c).Err())
	for from := 0; from < n; from += 1000 {
		p := c.Pipeline()
		for i := from; i < min(from+1000, n); i++ {
			add(p, i)
		}
		_, err := p.Exec(ctx)
		require.NoError(t, err)
	}
}

var (
	usedMemoryRE = regexp.MustCompile(`(?m)^used_memory:(\d+)`)
	keyspaceRE   = regexp.MustCompile(`(?m)^db0:keys=(\d+),expires=(\d+)`)
)

// usedMemory returns INFO memory's used_memory.
func usedMemory(t *testing.T, c *redis.Client) int64 {
	info, err := c.Info(context.Background(), "memory").Result()
	require.NoError(t, err)
	m := usedMemoryRE.FindStringSubmatch(info)
	require.NotNil(t, m, info)
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// keyspace returns INFO keyspace's keys and expires for db0.
func keyspace(t *testing.T, c *redis.Client) (keys, expires int64) {
	info, err := c.Info(context.Background(), "keyspace").Result()
	require.NoError(t, err)
	m := keyspaceRE.FindStringSubmatch(info)
	if m == nil {
		return 0, 0
	}
	keys, _ = strconv.ParseInt(m[1], 10, 64)
	expires, _ = strconv.ParseInt(m[2], 10, 64)
	return keys, expires
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
