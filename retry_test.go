package conversations

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastRetries keeps retry tests fast: 4 attempts, millisecond backoff.
var fastRetries = RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// step is one canned outcome of an attempt: a status with headers, or a
// transport error.
type step struct {
	status int
	header http.Header
	err    error
}

// sequence registers a responder for method+path that plays steps in order
// (repeating the last one) and returns the attempt counter. Every attempt's
// form body must equal form.
func sequence(t *testing.T, mt *httpmock.MockTransport, method, path string, form url.Values, steps ...step) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	mt.RegisterResponder(method, apiBase+path, func(req *http.Request) (*http.Response, error) {
		i := int(n.Add(1)) - 1
		if req.Body != nil {
			b, _ := io.ReadAll(req.Body)
			assert.Equal(t, form.Encode(), string(b), "attempt %d form body", i+1)
		}
		assert.NotEmpty(t, req.Header.Get("Authorization"))
		s := steps[min(i, len(steps)-1)]
		if s.err != nil {
			return nil, s.err
		}
		body := `{"sid":"` + convSID + `"}`
		if s.status >= 400 {
			body = `{"code":20001,"message":"failed"}`
		}
		resp := httpmock.NewStringResponse(s.status, body)
		for k, v := range s.header {
			resp.Header[k] = v
		}
		return resp, nil
	})
	return &n
}

var (
	ok200       = step{status: http.StatusOK}
	tooMany     = step{status: http.StatusTooManyRequests}
	unavailable = step{status: http.StatusServiceUnavailable}
	dialErr     = step{err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	resetErr    = step{err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}}
)

func convPath() string { return "/v1/Conversations/" + convSID }

func fetchConv(c *Client) error {
	_, err := c.Conversations.Fetch(context.Background(), convSID)
	return err
}

func updateConv(c *Client) error {
	_, err := c.Conversations.Update(context.Background(), convSID, &ConversationUpdateParams{FriendlyName: "x"})
	return err
}

var updateForm = url.Values{"FriendlyName": {"x"}}

func TestRetry429ThenSuccess(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
	n := sequence(t, mt, http.MethodGet, convPath(), nil, tooMany, ok200)
	require.NoError(t, fetchConv(c))
	assert.EqualValues(t, 2, n.Load())

	n = sequence(t, mt, http.MethodPost, convPath(), updateForm, tooMany, ok200)
	require.NoError(t, updateConv(c), "a 429 POST was not processed, so it is retried")
	assert.EqualValues(t, 2, n.Load())

	n = sequence(t, mt, http.MethodDelete, convPath(), nil, tooMany, step{status: http.StatusNoContent})
	require.NoError(t, c.Conversations.Delete(context.Background(), convSID, nil))
	assert.EqualValues(t, 2, n.Load())
}

func TestRetryPostNotRetriedAfterServerError(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
			n := sequence(t, mt, http.MethodPost, convPath(), updateForm, step{status: status}, ok200)
			err := updateConv(c)
			var apiErr *Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, status, apiErr.Status)
			assert.EqualValues(t, 1, n.Load(), "a POST may have been applied: never retried")
		})
	}
}

func TestRetryPostNotRetriedAfterTransportError(t *testing.T) {
	for name, s := range map[string]step{
		"unexpected EOF": {err: io.ErrUnexpectedEOF},
		"reset":          resetErr,
		"timeout":        {err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout")}},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
			msgs := sequence(t, mt, http.MethodPost, "/v1/Conversations/"+convSID+"/Messages", url.Values{"Body": {"hi"}}, s, ok200)
			_, err := c.Messages.Create(context.Background(), convSID, &MessageCreateParams{Body: "hi"})
			var re *RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.MethodPost, re.Method)
			assert.Zero(t, re.Status)
			assert.EqualValues(t, 1, msgs.Load(), "a message must never be sent twice")
		})
	}
}

func TestRetryPostRetriedOnDialError(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
	n := sequence(t, mt, http.MethodPost, convPath(), updateForm, dialErr, dialErr, ok200)
	require.NoError(t, updateConv(c))
	assert.EqualValues(t, 3, n.Load())

	n = sequence(t, mt, http.MethodPost, convPath(), updateForm, step{err: &net.DNSError{Err: "no such host", Name: "x"}}, ok200)
	require.NoError(t, updateConv(c))
	assert.EqualValues(t, 2, n.Load())
}

func TestRetryGetOn5xxAndConnectionErrors(t *testing.T) {
	for name, s := range map[string]step{
		"503":   unavailable,
		"500":   {status: 500},
		"504":   {status: 504},
		"reset": resetErr,
		"EOF":   {err: io.ErrUnexpectedEOF},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
			n := sequence(t, mt, http.MethodGet, convPath(), nil, s, ok200)
			require.NoError(t, fetchConv(c))
			assert.EqualValues(t, 2, n.Load())
		})
	}
	// Client errors are not retried.
	c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
	n := sequence(t, mt, http.MethodGet, convPath(), nil, step{status: 400}, ok200)
	assert.Error(t, fetchConv(c))
	assert.EqualValues(t, 1, n.Load())
}

func TestRetryMaxAttemptsBoundsCount(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
	n := sequence(t, mt, http.MethodGet, convPath(), nil, unavailable)
	err := fetchConv(c)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.Status)
	assert.EqualValues(t, 4, n.Load())

	c, mt = newTestClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
	n = sequence(t, mt, http.MethodGet, convPath(), nil, resetErr)
	var re *RequestError
	require.ErrorAs(t, fetchConv(c), &re)
	assert.EqualValues(t, 2, n.Load())
}

func TestNoRetries(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(NoRetries))
	n := sequence(t, mt, http.MethodGet, convPath(), nil, tooMany, ok200)
	assert.True(t, IsRateLimited(fetchConv(c)))
	assert.EqualValues(t, 1, n.Load())

	c, mt = newTestClient(t, WithRetryPolicy(RetryPolicy{})) // zero: no retries
	n = sequence(t, mt, http.MethodGet, convPath(), nil, unavailable, ok200)
	assert.Error(t, fetchConv(c))
	assert.EqualValues(t, 1, n.Load())
}

func TestRetryAfterHonoured(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Second}))
	n := sequence(t, mt, http.MethodPost, convPath(), updateForm,
		step{status: 429, header: http.Header{"Retry-After": {"1"}}}, ok200)
	start := time.Now()
	require.NoError(t, updateConv(c))
	elapsed := time.Since(start)
	assert.EqualValues(t, 2, n.Load())
	assert.GreaterOrEqual(t, elapsed, time.Second, "Retry-After: 1 must be waited for")
	assert.Less(t, elapsed, 1900*time.Millisecond)
}

func TestRetryAfterHTTPDate(t *testing.T) {
	assert.Zero(t, parseRetryAfter(""))
	assert.Zero(t, parseRetryAfter("-3"))
	assert.Zero(t, parseRetryAfter("soon"))
	assert.Equal(t, 7*time.Second, parseRetryAfter(" 7 "))
	d := parseRetryAfter(time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat))
	assert.InDelta(t, 30*time.Second, d, float64(2*time.Second))
	assert.Zero(t, parseRetryAfter(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)))
}

func TestRetryAfterLongerThanMaxDelayNotWaited(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
	n := sequence(t, mt, http.MethodGet, convPath(), nil,
		step{status: 429, header: http.Header{"Retry-After": {"30"}}}, ok200)
	start := time.Now()
	err := fetchConv(c)
	assert.Less(t, time.Since(start), 500*time.Millisecond)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTooManyRequests, apiErr.Status)
	assert.Equal(t, 30*time.Second, apiErr.RetryAfter)
	assert.True(t, IsRateLimited(err))
	assert.EqualValues(t, 1, n.Load())
}

func TestRetryCancelDuringBackoff(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 10 * time.Second}))
	n := sequence(t, mt, http.MethodGet, convPath(), nil,
		step{status: 429, header: http.Header{"Retry-After": {"5"}}}, ok200)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Conversations.Fetch(ctx, convSID)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, context.Canceled, err, "ctx.Err() itself is returned")
	assert.Less(t, time.Since(start), time.Second, "cancel interrupts the backoff")
	assert.EqualValues(t, 1, n.Load())
}

func TestRetryDeadlineShorterThanBackoff(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 10 * time.Second}))
	n := sequence(t, mt, http.MethodGet, convPath(), nil,
		step{status: 429, header: http.Header{"Retry-After": {"5"}}}, ok200)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Conversations.Fetch(ctx, convSID)
	assert.Less(t, time.Since(start), 200*time.Millisecond, "no wait that would outlive the deadline")
	assert.True(t, IsRateLimited(err), "the last error is returned: %v", err)
	assert.EqualValues(t, 1, n.Load())
}

func TestRetryPolicyBackoffBounds(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt := 1; attempt < 10; attempt++ {
		ceiling := min(100*time.Millisecond<<(attempt-1), time.Second)
		for range 50 {
			d, ok := p.next(attempt, http.MethodGet, 503, nil, 0)
			require.True(t, ok)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
		}
	}
	_, ok := p.next(10, http.MethodGet, 503, nil, 0)
	assert.False(t, ok, "MaxAttempts reached")
	d, ok := p.next(1, http.MethodPost, 429, nil, 800*time.Millisecond)
	assert.True(t, ok)
	assert.Equal(t, 800*time.Millisecond, d)
	// Defaults for zero BaseDelay and MaxDelay; huge attempts do not overflow.
	d, ok = RetryPolicy{MaxAttempts: 100}.next(70, http.MethodGet, 502, nil, 0)
	assert.True(t, ok)
	assert.LessOrEqual(t, d, 10*time.Second)
}

func TestWithRetryPolicyRejectsNegative(t *testing.T) {
	_, err := NewClient(testAccountSID, testAuthToken, WithRetryPolicy(RetryPolicy{MaxAttempts: -1}))
	assert.Error(t, err)
	_, err = NewClient(testAccountSID, testAuthToken, WithRetryPolicy(RetryPolicy{MaxDelay: -time.Second}))
	assert.Error(t, err)
}

func deleteConv(c *Client) error {
	return c.Conversations.Delete(context.Background(), convSID, nil)
}

// A DELETE whose earlier attempt may have been applied (a 5xx or a broken
// connection) and whose retry finds the resource gone succeeded.
func TestRetriedDeleteNotFoundIsSuccess(t *testing.T) {
	notFound := step{status: http.StatusNotFound}
	for name, first := range map[string]step{
		"500":   {status: http.StatusInternalServerError},
		"502":   {status: http.StatusBadGateway},
		"503":   unavailable,
		"504":   {status: http.StatusGatewayTimeout},
		"reset": resetErr,
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
			n := sequence(t, mt, http.MethodDelete, convPath(), nil, first, notFound)
			assert.NoError(t, deleteConv(c))
			assert.EqualValues(t, 2, n.Load())
		})
	}
	t.Run("503, 429, 404", func(t *testing.T) {
		c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
		n := sequence(t, mt, http.MethodDelete, convPath(), nil, unavailable, tooMany, notFound)
		assert.NoError(t, deleteConv(c))
		assert.EqualValues(t, 3, n.Load())
	})
}

// A 404 means "not found" when no earlier attempt can have deleted it.
func TestDeleteNotFoundIsAnError(t *testing.T) {
	notFound := step{status: http.StatusNotFound}
	for name, steps := range map[string][]step{
		"first attempt":      {notFound},
		"after 429":          {tooMany, notFound},
		"after a dial error": {dialErr, notFound},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
			n := sequence(t, mt, http.MethodDelete, convPath(), nil, steps...)
			assert.True(t, IsNotFound(deleteConv(c)))
			assert.EqualValues(t, len(steps), n.Load())
		})
	}
	// Only a DELETE: a GET that finds nothing after a 503 is not found.
	c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
	n := sequence(t, mt, http.MethodGet, convPath(), nil, unavailable, notFound)
	assert.True(t, IsNotFound(fetchConv(c)))
	assert.EqualValues(t, 2, n.Load())
}
