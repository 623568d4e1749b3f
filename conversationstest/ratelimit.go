package conversationstest

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conversations-go/conversations/internal/ratescope"
)

// TwilioRateLimit is Twilio's default rate limit: mutating actions per
// second, per scope.
const TwilioRateLimit = 30

// codeTooManyRequests is Twilio's error 20429: the request was not processed.
const codeTooManyRequests = 20429

// WithRateLimit makes the emulator enforce Twilio's rate limits at perSecond
// mutating actions per second per scope (Twilio's default is
// [TwilioRateLimit]). The scopes are Twilio's documented ones: per
// Conversation Service for conversation create and delete and all User and
// Role operations; per conversation for conversation update and all
// Participant and Message operations. Reads are never limited. A request over
// its scope's rate is answered 429 with Twilio's error body, code 20429, and
// is not processed.
//
// ITS ASSUMPTIONS, where Twilio's documentation is silent: each scope is a
// token bucket that holds one second's worth of actions (perSecond, at least
// 1) and refills continuously, so a quiet scope accepts a burst of that many;
// mutating calls whose scope Twilio does not document (services,
// configuration, credentials, address configurations, bindings, scoped
// webhooks) are not limited; a conversation named by its unique name counts
// against the same bucket as its SID; a 429 carries no Retry-After header
// (none is documented for Conversations). Without this option, or with
// perSecond <= 0, nothing is limited.
func WithRateLimit(perSecond float64) Option {
	return func(c *config) { c.ratePerSecond = perSecond }
}

// WithLatency holds every API request for d before serving it, so that
// timings against the emulator look like timings against Twilio (a round
// trip to Twilio takes 50 to 200 ms). The emulator's control routes under
// /_emulator/ are not delayed.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// Traffic counts the API requests the emulator has answered, for load tests
// and benchmarks.
type Traffic struct {
	// Requests is every API request that passed authentication.
	Requests int64
	// Limited is the mutating requests counted against a rate limit
	// (admitted or not); 0 without WithRateLimit.
	Limited int64
	// Throttled is the requests answered 429 (code 20429) and not processed.
	Throttled int64
}

// Traffic returns the request counts since the emulator started.
func (e *Emulator) Traffic() Traffic {
	t := &e.traffic
	return Traffic{Requests: t.requests.Load(), Limited: t.limited.Load(), Throttled: t.throttled.Load()}
}

// traffic is the emulator's request counters and rate-limit buckets.
type traffic struct {
	requests, limited, throttled atomic.Int64

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

// bucket is one scope's token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

// take reports whether a call fits in the bucket of scope at now, and takes
// its token if so. capacity is also the refill rate per second.
func (t *traffic) take(scope string, capacity float64, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	// A bucket idle for over a second is full again: forget it, so memory
	// stays bounded by the scopes used in the last seconds.
	if now.Sub(t.lastSweep) > time.Minute {
		for k, b := range t.buckets {
			if now.Sub(b.last) > time.Second {
				delete(t.buckets, k)
			}
		}
		t.lastSweep = now
	}
	if t.buckets == nil {
		t.buckets = make(map[string]*bucket)
	}
	b := t.buckets[scope]
	if b == nil {
		b = &bucket{tokens: capacity, last: now}
		t.buckets[scope] = b
	}
	if now.After(b.last) {
		b.tokens = min(capacity, b.tokens+now.Sub(b.last).Seconds()*capacity)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// admit applies the simulated latency and the rate limits to an
// authenticated request. It returns false when it has answered the request
// itself (429, or the client went away while it was held).
func (e *Emulator) admit(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		return true
	}
	e.traffic.requests.Add(1)
	if d := e.cfg.latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	if e.cfg.ratePerSecond <= 0 {
		return true
	}
	scope, documented, ok := ratescope.Classify(r.Method, r.URL.EscapedPath())
	if !ok || !documented {
		return true
	}
	e.traffic.limited.Add(1)
	if e.traffic.take(e.canonicalScope(scope, r.URL.Path), max(e.cfg.ratePerSecond, 1), time.Now()) {
		return true
	}
	e.traffic.throttled.Add(1)
	writeError(w, errorf(http.StatusTooManyRequests, codeTooManyRequests, "Too Many Requests"))
	return false
}

// canonicalScope names a conversation scope by the conversation's SID when
// the path names it by its unique name, so both count against one bucket.
func (e *Emulator) canonicalScope(scope, path string) string {
	key, ok := strings.CutPrefix(scope, ratescope.ConversationPrefix)
	if !ok || strings.HasPrefix(key, "CH") {
		return scope
	}
	segs := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	e.mu.Lock()
	defer e.mu.Unlock()
	svc := e.defaultSvc
	name := ""
	switch {
	case len(segs) >= 4 && segs[0] == "Services" && segs[2] == "Conversations":
		s, found := e.services.get(segs[1])
		if !found {
			return scope
		}
		svc, name = s, segs[3]
	case len(segs) >= 2 && segs[0] == "Conversations":
		name = segs[1]
	default:
		return scope
	}
	if sid, found := svc.uniqueNames[name]; found {
		return ratescope.ConversationPrefix + sid
	}
	return scope
}
