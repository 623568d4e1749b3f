package redisstore

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// A replica in these tests is a WebhookHandler with a DuplicateFilter on a
// Redis client of its own. Its callback counts its runs in Redis (so runs
// in other processes count too), then sleeps for the test's callback time.
// Deliveries start together: each replica says it is ready, then blocks on
// a list that the test fills once every replica is ready.

const (
	hookToken = "12345678901234567890123456789012"
	hookURL   = "https://bot.example.com/twilio/conversations"
)

// replica is one handler and the client it uses.
type replica struct {
	h      *conversations.WebhookHandler
	f      *DuplicateFilter
	client redis.UniversalClient
}

// newReplica builds a replica on a new client: of the Redis Cluster whose
// nodes are listed in $REDISSTORE_TEST_CLUSTER when it is set, of the
// server at addr otherwise. The callback counts its runs under
// prefix+"runs:"+token and sleeps for hold (forever when hold < 0).
func newReplica(addr, prefix string, lease, hold time.Duration) (*replica, error) {
	var client redis.UniversalClient
	if nodes := os.Getenv(clusterEnv); nodes != "" {
		client = redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(nodes, ",")})
	} else {
		client = redis.NewClient(&redis.Options{Addr: addr})
	}
	f, err := NewDuplicateFilter(client, WithKeyPrefix(prefix), WithLease(lease))
	if err != nil {
		client.Close()
		return nil, err
	}
	r, err := newReplicaOn(client, f, prefix, hold)
	if err != nil {
		client.Close()
	}
	return r, err
}

// newReplicaOn builds a replica with filter f on client.
func newReplicaOn(client redis.UniversalClient, f *DuplicateFilter, prefix string, hold time.Duration) (*replica, error) {
	h, err := conversations.NewWebhookHandler(hookToken, conversations.WithDuplicateFilter(f))
	if err != nil {
		return nil, err
	}
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		if err := client.Incr(context.WithoutCancel(ctx), prefix+"runs:"+ev.IdempotencyToken).Err(); err != nil {
			return err
		}
		if hold < 0 {
			select {}
		}
		time.Sleep(hold)
		return nil
	})
	return &replica{h: h, f: f, client: client}, nil
}

// deliver sends one signed onMessageAdded delivery with the given
// idempotency token and returns the handler's status code.
func (r *replica) deliver(token string) int {
	form := url.Values{
		"AccountSid":      {"AC00000000000000000000000000000000"},
		"EventType":       {"onMessageAdded"},
		"Source":          {"SMS"},
		"RetryCount":      {"0"},
		"ConversationSid": {"CH00000000000000000000000000000000"},
		"MessageSid":      {"IM00000000000000000000000000000000"},
		"Index":           {"0"},
		"Author":          {"+15558675310"},
		"Body":            {"hello"},
	}
	req, err := conversations.NewSignedWebhookRequest(hookToken, hookURL, form)
	if err != nil {
		return -1
	}
	req.Header.Set(conversations.IdempotencyHeader, token)
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w.Code
}

// deliverTogether waits at the start line of token, then delivers it.
func (r *replica) deliverTogether(prefix, token string) (int, error) {
	ctx := context.Background()
	if err := r.client.Incr(ctx, prefix+"ready:"+token).Err(); err != nil {
		return 0, err
	}
	if err := r.client.BLPop(ctx, 30*time.Second, prefix+"start:"+token).Err(); err != nil {
		return 0, fmt.Errorf("start line: %w", err)
	}
	return r.deliver(token), nil
}

// startLine releases n replicas waiting at the start line of token once
// all n are there.
func startLine(t *testing.T, c redis.UniversalClient, prefix, token string, n int) {
	t.Helper()
	ctx := context.Background()
	require.Eventually(t, func() bool {
		got, _ := c.Get(ctx, prefix+"ready:"+token).Int()
		return got == n
	}, 30*time.Second, 5*time.Millisecond, "all %d replicas at the start line", n)
	vals := make([]any, n)
	for i := range vals {
		vals[i] = "go"
	}
	require.NoError(t, c.RPush(ctx, prefix+"start:"+token, vals...).Err())
}

// clusterEnv lists the nodes of the Redis Cluster a child replica uses.
const clusterEnv = "REDISSTORE_TEST_CLUSTER"

// Child roles, chosen by $REDISSTORE_TEST_CHILD; the other settings come in
// REDISSTORE_TEST_{PREFIX,TOKENS,LEASE,HOLD}.
const (
	// roleDeliver delivers each token at its start line and prints
	// "token code" for each.
	roleDeliver = "deliver"
	// roleCrash delivers the first token with a callback that never
	// returns: the test kills the process while the callback runs.
	roleCrash = "crash"
)

// startChild runs the test binary as a child replica.
func startChild(t *testing.T, role, prefix string, tokens []string, lease, hold time.Duration, cluster ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		clusterEnv+"="+strings.Join(cluster, ","),
		childEnv+"="+role,
		addrEnv+"="+redisAddr,
		"REDISSTORE_TEST_PREFIX="+prefix,
		"REDISSTORE_TEST_TOKENS="+strings.Join(tokens, ","),
		"REDISSTORE_TEST_LEASE="+lease.String(),
		"REDISSTORE_TEST_HOLD="+hold.String(),
	)
	out := new(strings.Builder)
	cmd.Stdout = out
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out
}

// runChild is the child process's main; it returns the exit code.
func runChild(role string) int {
	lease, err1 := time.ParseDuration(os.Getenv("REDISSTORE_TEST_LEASE"))
	hold, err2 := time.ParseDuration(os.Getenv("REDISSTORE_TEST_HOLD"))
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "child: bad settings:", err1, err2)
		return 2
	}
	prefix := os.Getenv("REDISSTORE_TEST_PREFIX")
	tokens := strings.Split(os.Getenv("REDISSTORE_TEST_TOKENS"), ",")
	if role == roleCrash {
		hold = -1
	}
	r, err := newReplica(os.Getenv(addrEnv), prefix, lease, hold)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	defer r.client.Close()
	switch role {
	case roleDeliver:
		for _, tok := range tokens {
			code, err := r.deliverTogether(prefix, tok)
			if err != nil {
				fmt.Fprintln(os.Stderr, "child:", err)
				return 2
			}
			fmt.Printf("%s %d\n", tok, code)
		}
		return 0
	case roleCrash:
		r.deliver(tokens[0]) // never returns: the test kills the process
		return 0
	}
	fmt.Fprintln(os.Stderr, "child: unknown role", role)
	return 2
}
