package redisstore

import (
	"context"
	"strconv"
	"testing"

	"github.com/conversations-go/conversations"
)

// The per-call costs of the store, each beside its baseline in the same
// run: one PING, a bare Redis round trip on the same connection pool.
//
//	cd redisstore && go test -run '^$' -bench 'PING|Wait|Reserve' -benchmem .

// BenchmarkPING is the baseline: one Redis round trip.
func BenchmarkPING(b *testing.B) {
	c := newClient(b)
	ctx := context.Background()
	for b.Loop() {
		if err := c.Ping(ctx).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRateLimiterWait is one Wait on a scope that never makes it
// sleep (a rate of a million per second): the script's round trip.
func BenchmarkRateLimiterWait(b *testing.B) {
	l, err := NewRateLimiter(newClient(b), conversations.RateLimits{PerSecond: 1e6, Burst: 1 << 20},
		WithKeyPrefix(testPrefix(b)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if err := l.Wait(ctx, "conversation:CHbench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReserveCommit is one delivery's filter work: Reserve a new token
// (starting its lease renewal) and Commit it, two round trips.
func BenchmarkReserveCommit(b *testing.B) {
	f, err := NewDuplicateFilter(newClient(b), WithKeyPrefix(testPrefix(b)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		state, r, err := f.Reserve(ctx, "idem-"+strconv.Itoa(i))
		if err != nil || state != conversations.TokenNew {
			b.Fatal(state, err)
		}
		if err := f.Commit(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReserveScriptDirect is the baseline of BenchmarkReserveCommit's
// first half: the reserve script run straight on the client, without the
// bound on its time (the goroutine that lets Reserve return at its
// deadline whatever the client does), the renewal or the outage policy.
func BenchmarkReserveScriptDirect(b *testing.B) {
	c := newClient(b)
	prefix := testPrefix(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		tok := prefix + "{idem-" + strconv.Itoa(i) + "}"
		if err := reserveTokenScript.Run(ctx, c, []string{tok, tok + ":x:o:1"}, "o:1", 30000).Err(); err != nil {
			b.Fatal(err)
		}
	}
}
