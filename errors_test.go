package conversations

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func respond(status int, contentType, body string, header ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		if contentType != "" {
			resp.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		return resp, nil
	}
}

func TestErrorFromTwilioBody(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, apiBase+"/v1/Conversations/"+convSID, respond(http.StatusBadRequest, "application/json",
		`{"code":50377,"message":"Conversation is closed","more_info":"https://www.twilio.com/docs/errors/50377","status":400,"details":{"field":"State"}}`,
		"Twilio-Request-Id", "RQ0123456789abcdef0123456789abcdef"))
	_, err := c.Conversations.Update(context.Background(), convSID, &ConversationUpdateParams{FriendlyName: "x"})
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.Equal(t, CodeConversationClosed, apiErr.Code)
	assert.Equal(t, "Conversation is closed", apiErr.Message)
	assert.Equal(t, "https://www.twilio.com/docs/errors/50377", apiErr.MoreInfo)
	assert.JSONEq(t, `{"field":"State"}`, string(apiErr.Details))
	assert.Equal(t, "RQ0123456789abcdef0123456789abcdef", apiErr.RequestID)
	assert.Equal(t, http.MethodPost, apiErr.Method)
	assert.Equal(t, "/v1/Conversations/"+convSID, apiErr.Path)
	assert.Zero(t, apiErr.RetryAfter)
	assert.Equal(t, "conversations: POST /v1/Conversations/"+convSID+": 400 Bad Request: code 50377: Conversation is closed"+
		" (see https://www.twilio.com/docs/errors/50377) [request RQ0123456789abcdef0123456789abcdef]", err.Error())
	assert.NotContains(t, err.Error(), testAuthToken)

	assert.True(t, HasCode(err, CodeConversationClosed))
	assert.False(t, HasCode(err, CodeNotFound))
	assert.False(t, IsNotFound(err))
	assert.False(t, IsRateLimited(err))
	assert.False(t, IsConflict(err))
	wrapped := fmt.Errorf("closing: %w", err)
	assert.True(t, HasCode(wrapped, CodeConversationClosed), "works through wrapping")
}

func TestErrorPredicates(t *testing.T) {
	for _, tc := range []struct {
		status                      int
		notFound, limited, conflict bool
	}{
		{404, true, false, false},
		{429, false, true, false},
		{409, false, false, true},
		{500, false, false, false},
	} {
		c, mt := newTestClient(t)
		mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, respond(tc.status, "application/json",
			fmt.Sprintf(`{"code":%d,"message":"m","status":%d}`, 20000+tc.status, tc.status)))
		err := fetchConv(c)
		assert.Equal(t, tc.notFound, IsNotFound(err), "%d", tc.status)
		assert.Equal(t, tc.notFound, errors.Is(err, ErrNotFound), "%d", tc.status)
		assert.Equal(t, tc.limited, IsRateLimited(err), "%d", tc.status)
		assert.Equal(t, tc.conflict, IsConflict(err), "%d", tc.status)
		assert.True(t, HasCode(err, 20000+tc.status))
	}
	for _, err := range []error{nil, errors.New("x"), &RequestError{Err: io.EOF}} {
		assert.False(t, IsNotFound(err) || IsRateLimited(err) || IsConflict(err) || HasCode(err, 20404))
	}
}

func TestErrorHTMLPage(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, respond(http.StatusBadGateway, "text/html; charset=utf-8",
		"<html><body><h1>502 Bad Gateway</h1></body></html>"))
	err := fetchConv(c)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.Status)
	assert.Zero(t, apiErr.Code)
	assert.Contains(t, apiErr.Message, "text/html")
	assert.Contains(t, apiErr.Message, "non-JSON")

	for name, tc := range map[string]struct{ ct, body, want string }{
		"empty":          {"application/json", "", "empty error response"},
		"malformed JSON": {"application/json", `{"code":`, "malformed JSON"},
		"no type":        {"", "oops", "unknown content type"},
		"JSON no code":   {"application/json", `{"foo":1}`, "malformed JSON"},
	} {
		c, mt := newTestClient(t)
		mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(http.StatusInternalServerError, tc.body)
			resp.Header = http.Header{}
			if tc.ct != "" {
				resp.Header.Set("Content-Type", tc.ct)
			}
			return resp, nil
		})
		err := fetchConv(c)
		require.ErrorAs(t, err, &apiErr, name)
		assert.Contains(t, apiErr.Message, tc.want, name)
	}
}

// countingReader yields n bytes of a JSON-looking error body and counts the
// bytes read from it.
type countingReader struct {
	left, read int64
	closed     atomic.Bool
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.left)
	for off := int64(0); off < n; {
		off += int64(copy(p[off:n], xBytes))
	}
	if r.read == 0 && n > 0 {
		copy(p, `{"message":"`)
	}
	r.left -= n
	r.read += n
	return int(n), nil
}

var xBytes = bytes.Repeat([]byte("x"), 32<<10)

func (r *countingReader) Close() error { r.closed.Store(true); return nil }

func TestErrorBodyReadOnlyUpToCap(t *testing.T) {
	c, mt := newTestClient(t)
	body := &countingReader{left: 8 << 20}
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, func(req *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Request: req,
			ContentLength: -1,
		}, nil
	})
	err := fetchConv(c)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.Status)
	assert.LessOrEqual(t, body.read, int64(maxErrorBody+64<<10), "read %d bytes of an 8 MiB body", body.read)
	assert.GreaterOrEqual(t, body.read, int64(maxErrorBody))
	assert.True(t, body.closed.Load(), "the body is closed")
	assert.Less(t, len(err.Error()), 1024, "the error message does not carry the body")
}

func TestTruncatedSuccessBody(t *testing.T) {
	c, mt := newTestClient(t)
	full := string(example(t, "FetchConversation", "fetch"))
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, respond(http.StatusOK, "application/json", full[:len(full)/2],
		"Twilio-Request-Id", "RQ1"))
	err := fetchConv(c)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusOK, re.Status)
	assert.Equal(t, "RQ1", re.RequestID)
	assert.Equal(t, "/v1/Conversations/"+convSID, re.Path)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "decoding response")
	var apiErr *Error
	assert.False(t, errors.As(err, &apiErr))

	// A body of the wrong shape is a decoding error too.
	c, mt = newTestClient(t)
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, respond(http.StatusOK, "application/json", `{"sid":42}`))
	var ute *json.UnmarshalTypeError
	assert.ErrorAs(t, fetchConv(c), &ute)
}

func TestContextErrorWins(t *testing.T) {
	// Cancelled while the server answers with an error: ctx.Err(), not the 503.
	c, mt := newTestClient(t, WithRetryPolicy(fastRetries))
	ctx, cancel := context.WithCancel(context.Background())
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, func(*http.Request) (*http.Response, error) {
		cancel()
		return httpmock.NewStringResponse(http.StatusServiceUnavailable, `{"code":1,"message":"down"}`), nil
	})
	_, err := c.Conversations.Fetch(ctx, convSID)
	assert.Equal(t, context.Canceled, err)
	assert.Equal(t, 1, mt.GetTotalCallCount())

	// Cancelled before sending: no request.
	c, mt = newTestClient(t)
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = c.Conversations.Fetch(ctx, convSID)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, mt.GetTotalCallCount())

	// Deadline passed while reading a success body.
	c, mt = newTestClient(t)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, func(*http.Request) (*http.Response, error) {
		cancel()
		return httpmock.NewStringResponse(http.StatusOK, `{"sid":`), nil
	})
	_, err = c.Conversations.Fetch(ctx, convSID)
	assert.Equal(t, context.Canceled, err)

	// A nil context is an error, not a panic.
	//lint:ignore SA1012 testing the nil check
	_, err = c.Conversations.Fetch(nil, convSID) //nolint:staticcheck
	assert.ErrorContains(t, err, "nil Context")
}

func TestRequestErrorMessages(t *testing.T) {
	e := &RequestError{Method: "GET", Path: "/v1/x", Err: io.EOF}
	assert.Equal(t, "conversations: GET /v1/x: EOF", e.Error())
	e.Status = 200
	assert.True(t, strings.Contains(e.Error(), "200 response"))
	assert.Equal(t, io.EOF, errors.Unwrap(e))
	apiErr := &Error{Method: "GET", Path: "/v1/x", Status: 404}
	assert.Equal(t, "conversations: GET /v1/x: 404 Not Found", apiErr.Error())
}

func TestSuccessBodyReadOnlyUpToCap(t *testing.T) {
	c, mt := newTestClient(t)
	body := &countingReader{left: 40 << 20} // a 200 whose JSON string never ends
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, func(req *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusOK, Status: "200 OK",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Request: req,
			ContentLength: -1,
		}, nil
	})
	err := fetchConv(c)
	assert.ErrorIs(t, err, ErrResponseTooLarge)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusOK, re.Status)
	assert.LessOrEqual(t, body.read, int64(maxSuccessBody+128<<10), "read %d bytes of a 40 MiB body", body.read)
	assert.True(t, body.closed.Load(), "the body is closed")
	assert.Equal(t, 1, mt.GetTotalCallCount(), "an oversized body is not retried")
}
