package redisstore

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultKeyPrefix starts every key the store writes (see [WithKeyPrefix]).
const DefaultKeyPrefix = "conversations:"

// Option configures [NewDuplicateFilter] or [NewRateLimiter]. Each option
// says which of the two it applies to; the other ignores it.
type Option func(*config)

type config struct {
	prefix  string
	lease   time.Duration
	doneTTL time.Duration
	logger  *slog.Logger
}

func newConfig(opts []Option) (*config, error) {
	c := &config{
		prefix:  DefaultKeyPrefix,
		lease:   DefaultLease,
		doneTTL: DefaultDoneTTL,
	}
	for _, o := range opts {
		o(c)
	}
	switch {
	case c.lease < minLease:
		return nil, fmt.Errorf("redisstore: lease %v is shorter than %v", c.lease, minLease)
	case c.doneTTL <= 0:
		return nil, fmt.Errorf("redisstore: done TTL %v is not positive", c.doneTTL)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// errNilClient is returned by the constructors when the client is nil.
var errNilClient = errors.New("redisstore: nil Redis client")

// WithKeyPrefix starts every key with prefix instead of
// [DefaultKeyPrefix], so several apps can share one Redis database. Both
// the filter and the limiter use it; replicas that share tokens or a rate
// budget must use the same prefix.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithLogger makes the [DuplicateFilter] log lease renewals that failed or
// found the reservation gone, and the [RateLimiter] log the pauses it
// applies. Nothing is logged by default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}
