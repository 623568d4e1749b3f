package redisstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/redisstore"
	"github.com/redis/go-redis/v9"
)

// Every replica of the app runs the same setup against the same Redis: the
// webhook handler's duplicate filter and the client's rate limiter are then
// shared by all of them. The client's timeouts are the ones recommended for
// webhook handlers: a dead connection is given up within half a second.
func Example() {
	rdb := redis.NewClient(&redis.Options{
		Addr:                  os.Getenv("REDIS_ADDR"),
		DialTimeout:           500 * time.Millisecond,
		ReadTimeout:           500 * time.Millisecond,
		WriteTimeout:          500 * time.Millisecond,
		ContextTimeoutEnabled: true,
	})
	defer rdb.Close()

	dupes, err := redisstore.NewDuplicateFilter(rdb, redisstore.WithKeyPrefix("shop:"))
	if err != nil {
		log.Fatal(err)
	}
	defer dupes.Close()
	h, err := conversations.NewWebhookHandler(os.Getenv("TWILIO_AUTH_TOKEN"),
		conversations.WithDuplicateFilter(dupes))
	if err != nil {
		log.Fatal(err)
	}
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		// Runs once per event, whichever replica Twilio's deliveries reach.
		return nil
	})
	http.Handle("/twilio/conversations", h)

	limiter, err := redisstore.NewRateLimiter(rdb, conversations.RateLimits{}, redisstore.WithKeyPrefix("shop:"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := conversations.NewClient(os.Getenv("TWILIO_ACCOUNT_SID"), os.Getenv("TWILIO_AUTH_TOKEN"),
		conversations.WithRateLimiter(limiter))
	if err != nil {
		log.Fatal(err)
	}
	_ = client // bulk operations on every replica together stay under 30 calls per second per scope
}

// A longer lease makes a redelivery wait longer after a replica died; the
// lease does not bound how long a callback may run, since it is renewed.
func ExampleWithLease() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()
	dupes, err := redisstore.NewDuplicateFilter(rdb,
		redisstore.WithLease(time.Minute), redisstore.WithDoneTTL(48*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	_ = dupes
}

// On a Redis Cluster (or with Sentinel, through redis.NewFailoverClient) the
// setup is the same: the store takes any redis.UniversalClient.
func ExampleNewDuplicateFilter_cluster() {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:       []string{"redis-0:6379", "redis-1:6379", "redis-2:6379"},
		ReadTimeout: 500 * time.Millisecond,
	})
	defer rdb.Close()
	dupes, err := redisstore.NewDuplicateFilter(rdb)
	if err != nil {
		log.Fatal(err)
	}
	defer dupes.Close()
}

// An app that would rather lose an event than risk running it twice on two
// replicas while Redis is down refuses deliveries during an outage; one that
// must not send over the rate limit fails its calls instead of pacing them
// in process. The counters show what each outage cost.
func ExampleWithOutagePolicy() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()
	dupes, err := redisstore.NewDuplicateFilter(rdb, redisstore.WithOutagePolicy(redisstore.Refuse))
	if err != nil {
		log.Fatal(err)
	}
	defer dupes.Close()
	limiter, err := redisstore.NewRateLimiter(rdb, conversations.RateLimits{}, redisstore.WithLocalFallback(0))
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("deliveries refused: %d, calls failed: %d", dupes.Stats().Refused, limiter.Stats().Failed)
}
