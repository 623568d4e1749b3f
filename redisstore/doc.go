// Package redisstore shares the state that the replicas of an app must
// agree on through Redis: which webhook deliveries were handled
// ([DuplicateFilter], for conversations.WithDuplicateFilter) and how fast
// each Twilio rate-limit scope may be called ([RateLimiter], for
// conversations.WithRateLimiter).
//
// Behind a load balancer, a redelivery of a webhook (Twilio publishes no
// retry policy for Conversations webhooks; the conversations package assumes
// it may redeliver) reaches whichever replica the balancer picks, and Twilio's limit of 30 mutating calls per
// second per Conversation Service or conversation is one budget for all
// replicas. The in-process filter and limiter of the conversations package
// see one replica only; these see all of them:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379",
//		DialTimeout: 500 * time.Millisecond, ReadTimeout: 500 * time.Millisecond,
//		WriteTimeout: 500 * time.Millisecond, ContextTimeoutEnabled: true})
//	dupes, err := redisstore.NewDuplicateFilter(rdb)
//	...
//	h, err := conversations.NewWebhookHandler(token, conversations.WithDuplicateFilter(dupes))
//	...
//	limiter, err := redisstore.NewRateLimiter(rdb, conversations.RateLimits{}) // 30 calls per second per scope
//	...
//	client, err := conversations.NewClient(sid, token, conversations.WithRateLimiter(limiter))
//
// The client may be any redis.UniversalClient: a single server, a Redis
// Cluster (redis.NewClusterClient; every script keeps its keys in one hash
// slot) or a Sentinel failover pair (redis.NewFailoverClient). Every
// replica must use the same Redis (or cluster) and the same key prefix
// ([WithKeyPrefix]). The Redis must not evict keys (maxmemory-policy
// noeviction): see [DuplicateFilter].
//
// When Redis misbehaves: every call returns by its context's deadline, or
// after [WithCallTimeout] (1 s) when it has none, whatever the go-redis
// options; a call retried by the client, or one whose answer was lost, is
// recognised as the caller's own; and while Redis does not answer, an
// outage policy decides: the filter runs callbacks with in-process
// de-duplication ([RunLocally], the default, which loses no event) or
// refuses deliveries ([Refuse], which runs nothing twice), and the limiter
// paces each replica in process at a share of the rate ([WithLocalFallback],
// half by default) or fails the call. [DuplicateFilter.Stats] and
// [RateLimiter.Stats] count every fallback; [WithLogger] logs them.
// docs/replicas.md in the repository is the guide.
//
// The package is a module of its own, so the conversations module does not
// depend on a Redis client. It needs Redis 4 or later (scripts that read
// TIME and HSET with several fields).
package redisstore
