package conversations

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientErrors(t *testing.T) {
	_, err := NewClient("", testAuthToken)
	assert.ErrorContains(t, err, "account SID")
	_, err = NewClient(testAccountSID, "")
	assert.ErrorContains(t, err, "auth token")
	_, err = NewClient(testAccountSID, "", WithAPIKey("SKxx", ""))
	assert.ErrorContains(t, err, "WithAPIKey")
	_, err = NewClient(testAccountSID, testAuthToken, WithHTTPClient(nil))
	assert.Error(t, err)
	for _, u := range []string{"", "conversations.twilio.com", "ftp://x", "http://", "://x"} {
		_, err = NewClient(testAccountSID, testAuthToken, WithBaseURL(u))
		assert.Error(t, err, "base URL %q", u)
		_, err = NewClient(testAccountSID, testAuthToken, WithMediaBaseURL(u))
		assert.Error(t, err, "media base URL %q", u)
	}
	c, err := NewClient(testAccountSID, "", WithAPIKey("SKxx", "secret"))
	require.NoError(t, err, "an API key needs no auth token")
	assert.NotNil(t, c.Conversations)
}

// authOf registers a responder on host for the conversation fetch and
// returns a pointer to the basic-auth user:pass it saw.
func authOf(t *testing.T, mt *httpmock.MockTransport, base string) *string {
	t.Helper()
	got := new(string)
	mt.RegisterResponder(http.MethodGet, base+"/v1/Conversations/"+convSID, func(req *http.Request) (*http.Response, error) {
		u, p, _ := req.BasicAuth()
		*got = u + ":" + p
		return httpmock.NewStringResponse(200, `{"sid":"`+convSID+`"}`), nil
	})
	return got
}

func TestWithAPIKey(t *testing.T) {
	mt := httpmock.NewMockTransport()
	got := authOf(t, mt, apiBase)
	c, err := NewClient(testAccountSID, testAuthToken, WithAPIKey("SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "key-secret"),
		WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c))
	assert.Equal(t, "SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:key-secret", *got, "the key wins over the auth token")
}

// clearEnv unsets every variable NewClientFromEnv reads, for this test.
func clearEnv(t *testing.T) {
	for _, k := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE", EmulatorHostEnv} {
		t.Setenv(k, "")
	}
}

func TestNewClientFromEnv(t *testing.T) {
	clearEnv(t)
	_, err := NewClientFromEnv()
	assert.ErrorContains(t, err, "TWILIO_ACCOUNT_SID")

	t.Setenv("TWILIO_ACCOUNT_SID", testAccountSID)
	_, err = NewClientFromEnv()
	assert.ErrorContains(t, err, "auth token")

	t.Setenv("TWILIO_AUTH_TOKEN", testAuthToken)
	mt := httpmock.NewMockTransport()
	got := authOf(t, mt, apiBase)
	c, err := NewClientFromEnv(WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c))
	assert.Equal(t, testAccountSID+":"+testAuthToken, *got)

	t.Setenv("TWILIO_API_KEY", "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	_, err = NewClientFromEnv()
	assert.Error(t, err, "an API key without its secret")
	t.Setenv("TWILIO_API_SECRET", "env-secret")
	c, err = NewClientFromEnv(WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c))
	assert.Equal(t, "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:env-secret", *got)

	t.Setenv("TWILIO_REGION", "ie1")
	t.Setenv("TWILIO_EDGE", "dublin")
	gotIE := authOf(t, mt, "https://conversations.dublin.ie1.twilio.com")
	c, err = NewClientFromEnv(WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c))
	assert.Equal(t, "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:env-secret", *gotIE)

	t.Setenv("TWILIO_EDGE", "")
	_, err = NewClientFromEnv()
	assert.ErrorContains(t, err, "needs an edge")

	// An edge without a region uses us1; options override the environment.
	t.Setenv("TWILIO_REGION", "")
	t.Setenv("TWILIO_EDGE", "sydney")
	gotAU := authOf(t, mt, "https://conversations.sydney.us1.twilio.com")
	c, err = NewClientFromEnv(WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c))
	assert.NotEmpty(t, *gotAU)
	gotSG := authOf(t, mt, "https://conversations.singapore.sg1.twilio.com")
	c, err = NewClientFromEnv(WithHTTPClient(&http.Client{Transport: mt}), WithRegion("singapore", "sg1"))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c))
	assert.NotEmpty(t, *gotSG)
}

func TestWithRegionErrors(t *testing.T) {
	_, err := NewClient(testAccountSID, testAuthToken, WithRegion("Dublin!", "ie1"))
	assert.ErrorContains(t, err, "invalid edge or region")
	_, err = NewClient(testAccountSID, testAuthToken, WithBaseURL("http://127.0.0.1:8080"), WithRegion("dublin", "ie1"))
	assert.ErrorContains(t, err, "twilio.com")
}

func TestWithBaseURLAndUserAgent(t *testing.T) {
	var ua, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua, path = r.Header.Get("User-Agent"), r.URL.Path
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(example(t, "FetchConversation", "fetch"))
	}))
	defer srv.Close()
	c, err := NewClient(testAccountSID, testAuthToken, WithBaseURL(srv.URL+"/"), WithUserAgent("my-app/1.2"))
	require.NoError(t, err)
	conv, err := c.Conversations.Fetch(context.Background(), convSID)
	require.NoError(t, err)
	assert.Equal(t, convSID, conv.SID)
	assert.Equal(t, "/v1/Conversations/"+convSID, path)
	assert.True(t, strings.HasPrefix(ua, "conversations-go/"+Version+" ("), ua)
	assert.True(t, strings.HasSuffix(ua, " my-app/1.2"), ua)
}

func TestCallersHTTPClientNotModified(t *testing.T) {
	mt := httpmock.NewMockTransport()
	authOf(t, mt, apiBase)
	check := func(*http.Request, []*http.Request) error { return nil }
	hc := &http.Client{Transport: mt, Timeout: 7 * time.Second, CheckRedirect: check}
	plain := &http.Client{Transport: mt}
	before := *hc
	c, err := NewClient(testAccountSID, testAuthToken, WithHTTPClient(hc))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c))
	c2, err := NewClient(testAccountSID, testAuthToken, WithHTTPClient(plain))
	require.NoError(t, err)
	require.NoError(t, fetchConv(c2))

	assert.Equal(t, before.Transport, hc.Transport)
	assert.Equal(t, before.Timeout, hc.Timeout)
	assert.Equal(t, before.Jar, hc.Jar)
	assert.Equal(t, reflect.ValueOf(check).Pointer(), reflect.ValueOf(hc.CheckRedirect).Pointer(), "CheckRedirect replaced")
	assert.Nil(t, plain.CheckRedirect, "CheckRedirect set on the caller's client")
	assert.Equal(t, 7*time.Second, c.core.hc.Timeout, "the copy keeps the caller's settings")
	assert.Equal(t, http.DefaultClient.CheckRedirect == nil, true, "http.DefaultClient untouched")
}

func TestRedirectToAnotherHostRefused(t *testing.T) {
	var otherHits atomic.Int32
	var otherAuth atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		otherAuth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"sid":"stolen"}`))
	}))
	defer other.Close()
	var sameHostAuth atomic.Value
	var redirects atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/Conversations/" + convSID:
			redirects.Add(1)
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		case "/v1/Conversations/moved":
			http.Redirect(w, r, "/v1/Conversations/"+convSID+"/here", http.StatusMovedPermanently)
		case "/v1/Conversations/" + convSID + "/here":
			sameHostAuth.Store(r.Header.Get("Authorization"))
			_, _ = w.Write([]byte(`{"sid":"` + convSID + `"}`))
		}
	}))
	defer api.Close()

	c, err := NewClient(testAccountSID, testAuthToken, WithBaseURL(api.URL), WithRetryPolicy(fastRetries))
	require.NoError(t, err)
	_, err = c.Conversations.Fetch(context.Background(), convSID)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrForeignRedirect)
	assert.EqualValues(t, 1, redirects.Load(), "a refused redirect is not retried")
	assert.Zero(t, otherHits.Load(), "no request may reach the other host")
	assert.Nil(t, otherAuth.Load())

	// A redirect on the API host is followed, with credentials.
	conv, err := c.Conversations.Fetch(context.Background(), "moved")
	require.NoError(t, err)
	assert.Equal(t, convSID, conv.SID)
	assert.True(t, strings.HasPrefix(sameHostAuth.Load().(string), "Basic "))
}

func TestWithLoggerNeverLogsCredentials(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, opts := range [][]Option{
		{WithLogger(logger), WithRetryPolicy(fastRetries)},
		{WithLogger(logger), WithRetryPolicy(fastRetries), WithAPIKey("SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "api-key-secret-xyz")},
	} {
		mt := httpmock.NewMockTransport()
		var n atomic.Int32
		mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+convSID, func(*http.Request) (*http.Response, error) {
			if n.Add(1) == 1 {
				return httpmock.NewStringResponse(http.StatusServiceUnavailable, `{"code":1,"message":"down"}`), nil
			}
			resp := httpmock.NewStringResponse(http.StatusOK, `{"sid":"`+convSID+`"}`)
			resp.Header.Set("Twilio-Request-Id", "RQlogged")
			return resp, nil
		})
		c, err := NewClient(testAccountSID, testAuthToken, append(opts, WithHTTPClient(&http.Client{Transport: mt}))...)
		require.NoError(t, err)
		require.NoError(t, fetchConv(c))
	}
	out := buf.String()
	assert.Contains(t, out, "method=GET")
	assert.Contains(t, out, "path=/v1/Conversations/"+convSID)
	assert.Contains(t, out, "status=503")
	assert.Contains(t, out, "status=200")
	assert.Contains(t, out, "attempt=2")
	assert.Contains(t, out, "request_id=RQlogged")
	assert.Contains(t, out, "level=INFO", "retries are logged at info")
	assert.Contains(t, out, "level=DEBUG")
	assert.NotContains(t, out, testAuthToken)
	assert.NotContains(t, out, "api-key-secret-xyz")
	assert.NotContains(t, out, "Basic ")

	// Above debug level, successful attempts are not logged.
	buf.Reset()
	quiet := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, mt := newTestClient(t, WithLogger(quiet))
	authOf(t, mt, apiBase)
	require.NoError(t, fetchConv(c))
	assert.Empty(t, buf.String())
}

func TestServiceScopeEscapesSID(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{Method: http.MethodGet, Path: "/v1/Services/IS%2F..%2Fx/Conversations/" + convSID, Body: []byte(`{}`)})
	s := c.Service("IS/../x")
	assert.Equal(t, "IS/../x", s.SID())
	_, err := s.Conversations.Fetch(context.Background(), convSID)
	require.NoError(t, err)
}

// captureHandler is a slog.Handler that keeps every record's attributes.
type captureHandler struct {
	mu      sync.Mutex
	records []map[string]string
}

func (h *captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *captureHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *captureHandler) WithGroup(string) slog.Handler            { return h }
func (h *captureHandler) Handle(_ context.Context, r slog.Record) error {
	m := map[string]string{"msg": r.Message}
	r.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.String()
		return true
	})
	h.mu.Lock()
	h.records = append(h.records, m)
	h.mu.Unlock()
	return nil
}

// Filters such as a phone number or an identity are personal data: logs
// carry the query's keys, never its values.
func TestLogsLeaveQueryValuesOut(t *testing.T) {
	const phone = "+15558675310"
	h := &captureHandler{}
	c, mt := newTestClient(t, WithLogger(slog.New(h)), WithRetryPolicy(fastRetries))
	var n atomic.Int32
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/ParticipantConversations", func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, phone, req.URL.Query().Get("Address"))
		switch n.Add(1) {
		case 1:
			return httpmock.NewStringResponse(http.StatusServiceUnavailable, `{"code":1,"message":"down"}`), nil
		case 2:
			next := apiBase + "/v1/ParticipantConversations?Address=%2B15558675310&PageSize=50&Page=1&PageToken=PT1"
			return httpmock.NewStringResponse(http.StatusOK, `{"conversations":[{"conversation_sid":"CH1"}],"meta":{"key":"conversations","next_page_url":"`+next+`"}}`), nil
		}
		return httpmock.NewStringResponse(http.StatusOK, `{"conversations":[],"meta":{"key":"conversations","next_page_url":null}}`), nil
	})
	require.NoError(t, drain(c.ParticipantConversations.List(context.Background(), &ParticipantConversationListParams{Address: phone, PageSize: 50})))
	require.EqualValues(t, 3, n.Load())

	require.Len(t, h.records, 3)
	for _, r := range h.records {
		for k, v := range r {
			assert.NotContains(t, v, "5558675310", "attribute %s", k)
		}
		assert.Equal(t, "/v1/ParticipantConversations", r["path"])
	}
	assert.Equal(t, "Address,PageSize", h.records[0]["query"])
	assert.Equal(t, "conversations request failed, retrying", h.records[0]["msg"])
	assert.Equal(t, "Address,PageSize,Page,PageToken", h.records[2]["query"])

	// A request without a query has no query attribute.
	h.records = nil
	expect(t, mt, call{Method: http.MethodGet, Path: convPath(), Status: http.StatusOK, Body: []byte(`{}`)})
	require.NoError(t, fetchConv(c))
	require.Len(t, h.records, 1)
	assert.NotContains(t, h.records[0], "query")
}
