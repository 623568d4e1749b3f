package conversations

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// RetryPolicy says how failed requests are retried. Retries never risk
// applying a request twice:
//
//   - 429 Too Many Requests is retried for every method: Twilio did not
//     process the request.
//   - GET and DELETE are also retried on 500, 502, 503 and 504 and on
//     connection failures.
//   - POST (create and update) is retried otherwise only when it failed before
//     any byte was sent (the connection could not be made), so a message is
//     never sent twice.
//
// A retried DELETE that gets 404 Not Found after an attempt that may have
// been applied (a 500, 502, 503 or 504, or a connection that broke after the
// request was sent) succeeds: the earlier attempt deleted the resource. A 404
// on the first attempt, or after only 429s or failed connections, is
// returned as an error.
//
// The delay before retry n is a random duration up to BaseDelay·2^(n-1),
// capped at MaxDelay ("full jitter"). A Retry-After header sets the delay
// instead; one longer than MaxDelay is not waited for: the 429 error is
// returned with its RetryAfter. A retry that would end after the context's
// deadline is not attempted.
type RetryPolicy struct {
	// MaxAttempts is the most attempts per call, the first included.
	// 0 or 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff base (default 250ms when zero).
	BaseDelay time.Duration
	// MaxDelay caps each delay (default 10s when zero).
	MaxDelay time.Duration
}

// DefaultRetryPolicy is used unless [WithRetryPolicy] says otherwise: up to 4
// attempts with jittered exponential backoff from 250ms, capped at 10s.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: 250 * time.Millisecond, MaxDelay: 10 * time.Second}

// NoRetries is a RetryPolicy that makes every call a single attempt.
var NoRetries = RetryPolicy{MaxAttempts: 1}

// next reports whether attempt (1-based) should be followed by another, and
// after how long. status is the response status (0 when err is a transport
// error).
func (p RetryPolicy) next(attempt int, method string, status int, err error, retryAfter time.Duration) (time.Duration, bool) {
	if attempt >= p.MaxAttempts || !retryable(method, status, err) {
		return 0, false
	}
	maxDelay := p.MaxDelay
	if maxDelay <= 0 {
		maxDelay = 10 * time.Second
	}
	if retryAfter > 0 {
		if retryAfter > maxDelay {
			return 0, false
		}
		return retryAfter, true
	}
	base := p.BaseDelay
	if base <= 0 {
		base = 250 * time.Millisecond
	}
	ceiling := base << min(attempt-1, 30)
	if ceiling <= 0 || ceiling > maxDelay {
		ceiling = maxDelay
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1)), true
}

// retryable applies the rules of RetryPolicy.
func retryable(method string, status int, err error) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	idempotent := method == http.MethodGet || method == http.MethodDelete || method == http.MethodHead
	if errors.As(err, new(redirectError)) {
		return false // a refused redirect would only be refused again
	}
	if err != nil {
		return idempotent || notSent(err)
	}
	if !idempotent {
		return false
	}
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// notSent reports whether a transport error certainly happened before any
// byte of the request was sent: the connection could not be made.
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
