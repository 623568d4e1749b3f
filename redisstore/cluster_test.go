package redisstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClusterRunsOnceAcrossReplicas: on a three-master Redis Cluster, each
// event delivered at the same moment to four in-process replicas and two
// child processes (each on a cluster client of its own) runs once.
func TestClusterRunsOnceAcrossReplicas(t *testing.T) {
	c := newClusterClient(t)
	prefix := testPrefix(t)
	rs := make([]*replica, 4)
	for i := range rs {
		r := &replica{client: newClusterClient(t)}
		f, err := NewDuplicateFilter(r.client, WithKeyPrefix(prefix), WithLease(time.Second))
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		rr, err := newReplicaOn(r.client, f, prefix, 300*time.Millisecond)
		require.NoError(t, err)
		rs[i] = rr
	}
	runOnceAcrossReplicas(t, c, rs, clusterAddrs(t)...)

	// The tokens' keys are spread over the masters: the test used the
	// cluster, not one node.
	ctx := context.Background()
	nodes := map[string]bool{}
	for _, tok := range []string{"idem-a", "idem-b", "idem-c", "idem-d", "idem-e", "idem-f"} {
		n, err := c.MasterForKey(ctx, prefix+"dedup:{"+tok+"}")
		require.NoError(t, err)
		nodes[n.Options().Addr] = true
	}
	assert.Greater(t, len(nodes), 1, "keys on more than one master")
}

// TestClusterLimiterShared: four limiters on cluster clients of their own,
// calling Wait on three scopes as fast as they let them, stay under the
// one rate each scope has.
func TestClusterLimiterShared(t *testing.T) {
	const rate, perReplica = 40, 20
	prefix := testPrefix(t)
	ls := make([]*RateLimiter, 4)
	for i := range ls {
		l, err := NewRateLimiter(newClusterClient(t), conversations.RateLimits{PerSecond: rate}, WithKeyPrefix(prefix))
		require.NoError(t, err)
		ls[i] = l
	}
	scopes := []string{"conversation:CH1", "conversation:CH2", "service:IS1"}
	var (
		mu sync.Mutex
		ts = map[string][]time.Time{}
		wg sync.WaitGroup
	)
	for _, scope := range scopes {
		for _, l := range ls {
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range perReplica / 4 {
						if !assert.NoError(t, l.Wait(context.Background(), scope)) {
							return
						}
						now := time.Now()
						mu.Lock()
						ts[scope] = append(ts[scope], now)
						mu.Unlock()
					}
				}()
			}
		}
	}
	wg.Wait()
	for _, scope := range scopes {
		require.Len(t, ts[scope], 4*perReplica, scope)
		got := maxInWindow(ts[scope], time.Second)
		t.Logf("%s: %d calls in the busiest second (rate %d)", scope, got, rate)
		assert.LessOrEqual(t, got, rate+1+rate/4, "calls in the busiest second of %s", scope)
		assert.Greater(t, got, rate/2, "the limiter lets the rate out")
	}
	assert.Zero(t, ls[0].Stats().Fallbacks, "Redis answered every call")
}

// TestClusterKeysShareTheTokensSlot: the keys a filter script touches hash
// to one slot on the cluster, whatever the prefix and the token hold, and
// the scripts run there (no CROSSSLOT).
func TestClusterKeysShareTheTokensSlot(t *testing.T) {
	c := newClusterClient(t)
	ctx := context.Background()
	for _, prefix := range []string{"conversations:", "{shop}:", "a{b:", "x}y:", "x}{y:"} {
		f, err := NewDuplicateFilter(c, WithKeyPrefix(prefix+testPrefix(t)))
		require.NoError(t, err)
		for _, tok := range []string{"3f0c9a52-6c1a-4f4e-9d43-1b1c2a9f0e11", "we{ir}d", "}{", "{}", "}"} {
			want, err := c.ClusterKeySlot(ctx, f.tokenKey(tok)).Result()
			require.NoError(t, err)
			got, err := c.ClusterKeySlot(ctx, f.cancelKey(tok, "o:0123")).Result()
			require.NoError(t, err)
			assert.Equal(t, want, got, "prefix %q token %q", prefix, tok)
			n, err := cancelScript.Run(ctx, c, []string{f.tokenKey(tok), f.cancelKey(tok, "o:1")}, "o:1", 1000).Int64()
			require.NoError(t, err, "prefix %q token %q", prefix, tok)
			assert.Equal(t, int64(0), n)
			state, r, err := f.Reserve(ctx, tok)
			require.NoError(t, err)
			assert.Equal(t, conversations.TokenNew, state)
			require.NoError(t, f.Commit(ctx, r))
		}
		require.NoError(t, f.Close())
	}
	_, err := NewDuplicateFilter(c, WithKeyPrefix("app{}:"))
	assert.Error(t, err, "an empty hash tag in the prefix is refused")
}
