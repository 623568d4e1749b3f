package redisstore

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"
)

// DefaultKeyPrefix starts every key the store writes (see [WithKeyPrefix]).
const DefaultKeyPrefix = "conversations:"

// DefaultCallTimeout bounds one Redis round trip made for a context without
// an earlier deadline (see [WithCallTimeout]).
const DefaultCallTimeout = time.Second

// Option configures [NewDuplicateFilter] or [NewRateLimiter]. Each option
// says which of the two it applies to; the other ignores it.
type Option func(*config)

type config struct {
	prefix        string
	lease         time.Duration
	doneTTL       time.Duration
	callTimeout   time.Duration
	answerWindow  time.Duration
	policy        OutagePolicy
	fallbackShare float64
	logger        *slog.Logger
}

func newConfig(opts []Option) (*config, error) {
	c := &config{
		prefix:        DefaultKeyPrefix,
		lease:         DefaultLease,
		doneTTL:       DefaultDoneTTL,
		callTimeout:   DefaultCallTimeout,
		answerWindow:  DefaultAnswerWindow,
		policy:        RunLocally,
		fallbackShare: DefaultFallbackShare,
	}
	for _, o := range opts {
		o(c)
	}
	switch {
	case c.lease < minLease:
		return nil, fmt.Errorf("redisstore: lease %v is shorter than %v", c.lease, minLease)
	case c.doneTTL <= 0:
		return nil, fmt.Errorf("redisstore: done TTL %v is not positive", c.doneTTL)
	case c.callTimeout < minCallTimeout:
		return nil, fmt.Errorf("redisstore: call timeout %v is shorter than %v", c.callTimeout, minCallTimeout)
	case c.answerWindow <= 0:
		return nil, fmt.Errorf("redisstore: answer window %v is not positive", c.answerWindow)
	case c.policy != RunLocally && c.policy != Refuse:
		return nil, fmt.Errorf("redisstore: unknown outage policy %d", int(c.policy))
	case math.IsNaN(c.fallbackShare) || c.fallbackShare < 0 || c.fallbackShare > 1:
		return nil, fmt.Errorf("redisstore: fallback share %v is not between 0 and 1", c.fallbackShare)
	case emptyHashTag(c.prefix):
		return nil, fmt.Errorf("redisstore: key prefix %q holds an empty hash tag {}: Redis Cluster would hash each key whole", c.prefix)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// emptyHashTag reports whether prefix starts a key's hash tag with "{}",
// which makes Redis Cluster hash the whole key, so that the keys of one
// token would not share a slot.
func emptyHashTag(prefix string) bool {
	i := strings.IndexByte(prefix, '{')
	return i >= 0 && strings.HasPrefix(prefix[i+1:], "}")
}

// minCallTimeout keeps a call's bound above a Redis round trip.
const minCallTimeout = 10 * time.Millisecond

// errNilClient is returned by the constructors when the client is nil.
var errNilClient = errors.New("redisstore: nil Redis client")

// WithKeyPrefix starts every key with prefix instead of
// [DefaultKeyPrefix], so several apps can share one Redis database. Both
// the filter and the limiter use it; replicas that share tokens or a rate
// budget must use the same prefix. Every script of this package touches a
// single key, so it runs on a Redis Cluster whatever the prefix; a prefix
// with a hash tag, such as "{shop}:", puts all of the app's keys in one
// slot (one shard), which is allowed but spreads nothing.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithLogger makes the [DuplicateFilter] log lease renewals that failed or
// found the reservation gone, commits retried or deferred, and every
// fallback to the outage policy; and the [RateLimiter] log the pauses it
// applies and every fallback to its in-process limiter. Nothing is logged
// by default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithCallTimeout bounds each Redis round trip of the filter and the
// limiter ([DefaultCallTimeout], 1 s; at least 10 ms) when the caller's
// context has no earlier deadline. The bound holds whatever the go-redis
// client's options: the call returns at the bound (or at the context's
// deadline) even when Redis does not answer at all, and the outage policy
// takes over ([WithOutagePolicy], [WithLocalFallback]).
func WithCallTimeout(d time.Duration) Option {
	return func(c *config) { c.callTimeout = d }
}
