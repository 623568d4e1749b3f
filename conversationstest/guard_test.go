package conversationstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// rawReq is one request of the guard tests, sent as a browser or an
// attacker would shape it: an explicit Host, optional credentials and
// headers.
type rawReq struct {
	method, path, body string
	contentType        string
	host               string // "" for the server's own
	auth               string // "ok", "none" or "wrong"
	origin             string
}

// sendRaw sends q to the harness's server and returns the status, body and
// header of the answer.
func (h *harness) sendRaw(q rawReq) (int, []byte, http.Header) {
	h.t.Helper()
	req, err := http.NewRequest(q.method, h.srv.URL+q.path, strings.NewReader(q.body))
	require.NoError(h.t, err)
	if q.host != "" {
		req.Host = q.host
	}
	switch q.auth {
	case "", "ok":
		req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	case "wrong":
		req.SetBasicAuth(h.srv.AccountSID(), "wrong")
	}
	if q.contentType != "" {
		req.Header.Set("Content-Type", q.contentType)
	} else if q.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if q.origin != "" {
		req.Header.Set("Origin", q.origin)
	}
	resp, err := noRedirects.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return resp.StatusCode, b, resp.Header
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// exportState is GET /_emulator/state, as raw bytes.
func (h *harness) exportState() []byte {
	h.t.Helper()
	status, b, _ := h.sendRaw(rawReq{method: "GET", path: "/_emulator/state"})
	require.Equal(h.t, 200, status, "%s", b)
	return b
}

// requireForbidden checks a 403 with Twilio's error body and code 20403.
func requireForbidden(t *testing.T, q rawReq, status int, body []byte, want string) {
	t.Helper()
	require.Equal(t, 403, status, "%s %s Host %q Origin %q: %s", q.method, q.path, q.host, q.origin, body)
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  int    `json:"status"`
	}
	require.NoError(t, json.Unmarshal(body, &e), "%s", body)
	assert.Equal(t, 20403, e.Code)
	assert.Equal(t, 403, e.Status)
	assert.Contains(t, e.Message, want)
}

// guardedRequests are reads and writes of the REST API, the media routes
// and the base URL that a rebinding or cross-site page would send.
func guardedRequests(h *harness, conv, media string) []rawReq {
	is := h.srv.DefaultServiceSID()
	return []rawReq{
		{method: "GET", path: "/v1/Conversations/" + conv + "/Messages"},
		{method: "GET", path: "/v1/Conversations"},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "PostWebhookUrl=https%3A%2F%2Fevil.example%2Fhook&Filters=onMessageAdded"},
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=evil"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Messages", body: "Author=evil&Body=hi"},
		{method: "DELETE", path: "/v1/Conversations/" + conv},
		{method: "POST", path: "/v1/Services/" + is + "/Media", body: "\x89PNG fake", contentType: "image/png"},
		{method: "GET", path: "/v1/Services/" + is + "/Media/" + media + "/Content"},
		{method: "GET", path: "/"},
	}
}

// seed makes a conversation with a message carrying a media file and
// returns the conversation's and the media's SIDs.
func seed(h *harness) (conv, media string) {
	h.t.Helper()
	conv = h.conversation("FriendlyName", "guarded")
	status, b, _ := h.sendRaw(rawReq{method: "POST", path: "/v1/Services/" + h.srv.DefaultServiceSID() + "/Media", body: "\x89PNG secret", contentType: "image/png"})
	require.Equal(h.t, 201, status, "%s", b)
	var m struct{ Sid string }
	require.NoError(h.t, json.Unmarshal(b, &m))
	h.message(conv, "Author", "alice", "Body", "the secret", "MediaSid", m.Sid)
	return conv, m.Sid
}

// TestRESTHostCheck: DNS rebinding. A Host that is not the emulator's own
// (nor Twilio's API hosts) is refused on every REST, media and page route,
// reads and writes, and changes nothing; the emulator's names and Twilio's
// hosts pass.
func TestRESTHostCheck(t *testing.T) {
	h := newHarness(t, conversationstest.WithAllowedHosts("emulator.internal"))
	port := strings.TrimPrefix(h.srv.URL, "http://127.0.0.1:")
	conv, media := seed(h)
	before := h.exportState()
	for _, host := range []string{
		"rebind.evil.example:" + port, "evil.example", "localhost.:" + port, "127.0.0.1.nip.io:" + port,
		"127.0.0.1:1", "localhost", "emulator.internal:1", "conversations.twilio.com.:" + port,
		"conversations.twilio.com.evil.example:" + port, "twilio.com", "evil.twilio.com", "conversationstwilio.com",
	} {
		for _, q := range guardedRequests(h, conv, media) {
			q.host = host
			status, body, hdr := h.sendRaw(q)
			requireForbidden(t, q, status, body, "DNS rebinding")
			assert.NotContains(t, string(body), "the secret")
			assert.Empty(t, hdr.Values("WWW-Authenticate"))
		}
	}
	assert.Equal(t, string(before), string(h.exportState()), "refused requests changed the state")

	for _, host := range []string{
		"127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "[::1]:" + port, "emulator.internal:" + port,
		"conversations.twilio.com", "conversations.twilio.com:443", "CONVERSATIONS.twilio.com:" + port,
		"mcs.us1.twilio.com", "conversations.dublin.ie1.twilio.com", "mcs.ie1.twilio.com:443",
	} {
		status, body, _ := h.sendRaw(rawReq{method: "GET", path: "/v1/Conversations/" + conv + "/Messages", host: host})
		require.Equal(t, 200, status, "Host %q: %s", host, body)
		assert.Contains(t, string(body), "the secret")
	}
	// Twilio's hosts are for the API: the control API still wants the emulator's own.
	status, _, _ := h.sendRaw(rawReq{method: "GET", path: "/_emulator/state", host: "conversations.twilio.com"})
	assert.Equal(t, 403, status)
}

// TestRESTOriginCheck: a cross-site request (a fetch or a form post from
// another page, which always carries Origin) is refused on reads and
// writes and changes nothing; the emulator's own origin and no Origin at
// all (what SDKs send) pass.
func TestRESTOriginCheck(t *testing.T) {
	h := newHarness(t)
	port := strings.TrimPrefix(h.srv.URL, "http://127.0.0.1:")
	conv, media := seed(h)
	before := h.exportState()
	for _, origin := range []string{"https://evil.example", "http://evil.example", "null", "http://localhost:" + port, "https://127.0.0.1:" + port, "http://127.0.0.1:1"} {
		for _, q := range guardedRequests(h, conv, media) {
			q.origin = origin
			status, body, hdr := h.sendRaw(q)
			requireForbidden(t, q, status, body, "Cross-origin")
			assert.NotContains(t, string(body), "the secret")
			assert.Empty(t, hdr.Values("WWW-Authenticate"))
		}
	}
	assert.Equal(t, string(before), string(h.exportState()), "refused requests changed the state")

	status, body, _ := h.sendRaw(rawReq{method: "POST", path: "/v1/Conversations", body: "FriendlyName=own", origin: h.srv.URL})
	assert.Equal(t, 201, status, "%s", body)
	status, body, _ = h.sendRaw(rawReq{method: "GET", path: "/v1/Conversations/" + conv + "/Messages", origin: h.srv.URL})
	assert.Equal(t, 200, status, "%s", body)
}

// roundTripper serves requests in-process, as an HTTP mock's responder does.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestInProcessBehindTransport: an emulator called in-process from a
// client's transport, with the client's default Twilio base URLs (Host
// conversations.twilio.com and mcs.us1.twilio.com), keeps working: no
// network connection, so no page can have sent the request. A foreign
// Origin is refused there too, and the answers carry no challenge.
func TestInProcessBehindTransport(t *testing.T) {
	emu := conversationstest.New()
	t.Cleanup(emu.Close)
	var hosts []string
	rt := roundTripper(func(r *http.Request) (*http.Response, error) {
		hosts = append(hosts, r.Host)
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		return rec.Result(), nil
	})
	c, err := conversations.NewClient(emu.AccountSID(), emu.AuthToken(), conversations.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "mocked"})
	require.NoError(t, err)
	m, err := c.Media.Upload(ctx, bytes.NewReader([]byte("\x89PNG fake")), &conversations.MediaUploadParams{ContentType: "image/png", Filename: "cat.png"})
	require.NoError(t, err)
	_, err = c.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "alice", MediaSID: m.SID})
	require.NoError(t, err)
	assert.Contains(t, hosts, "conversations.twilio.com")
	assert.Contains(t, hosts, "mcs.us1.twilio.com")

	req := httptest.NewRequest("POST", "https://conversations.twilio.com/v1/Conversations", strings.NewReader("FriendlyName=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.SetBasicAuth(emu.AccountSID(), emu.AuthToken())
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, req)
	assert.Equal(t, 403, rec.Code)

	req = httptest.NewRequest("GET", "https://conversations.twilio.com/v1/Conversations", nil)
	rec = httptest.NewRecorder()
	emu.ServeHTTP(rec, req)
	assert.Equal(t, 401, rec.Code)
	assert.Empty(t, rec.Header().Values("WWW-Authenticate"))

	// Any Host in-process on the REST API (httptest.NewRequest's
	// example.com, none at all); the control API still wants its own names.
	for _, host := range []string{"example.com", "evil.example", ""} {
		req = httptest.NewRequest("GET", "/v1/Conversations", nil)
		req.Host = host
		req.SetBasicAuth(emu.AccountSID(), emu.AuthToken())
		rec = httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		assert.Equal(t, 200, rec.Code, "Host %q", host)
	}
	req = httptest.NewRequest("GET", "https://conversations.twilio.com/_emulator/state", nil)
	req.SetBasicAuth(emu.AccountSID(), emu.AuthToken())
	rec = httptest.NewRecorder()
	emu.ServeHTTP(rec, req)
	assert.Equal(t, 403, rec.Code)
}

// TestNoAuthChallengeAnywhere walks the routes with good, missing and wrong
// credentials and with refused Hosts and Origins: no answer ever carries
// WWW-Authenticate, so a browser never prompts for, nor caches, the
// credentials that a cross-site form post would then carry.
func TestNoAuthChallengeAnywhere(t *testing.T) {
	h := newHarness(t)
	conv, media := seed(h)
	is := h.srv.DefaultServiceSID()
	routes := []struct{ method, path string }{
		{"GET", "/"}, {"POST", "/"}, {"GET", "/favicon.ico"}, {"GET", "/v1"}, {"GET", "/v1/"}, {"GET", "/v2/Conversations"},
		{"GET", "/v1/Conversations"}, {"POST", "/v1/Conversations"}, {"GET", "/v1/Conversations/" + conv},
		{"DELETE", "/v1/Conversations/CH00000000000000000000000000000000"}, {"GET", "/v1/Conversations/" + conv + "/Messages"},
		{"GET", "/v1/Conversations/" + conv + "/Participants"}, {"GET", "/v1/Conversations/" + conv + "/Webhooks"},
		{"GET", "/v1/Configuration"}, {"GET", "/v1/Configuration/Webhooks"}, {"GET", "/v1/Configuration/Addresses"},
		{"GET", "/v1/Credentials"}, {"GET", "/v1/Roles"}, {"GET", "/v1/Users"}, {"GET", "/v1/Services"},
		{"GET", "/v1/Services/" + is + "/Conversations"}, {"GET", "/v1/Services/" + is + "/Configuration"},
		{"GET", "/v1/Services/" + is + "/Bindings"}, {"GET", "/v1/ParticipantConversations?Identity=alice"},
		{"POST", "/v1/Services/" + is + "/Media"}, {"GET", "/v1/Services/" + is + "/Media/" + media},
		{"GET", "/v1/Services/" + is + "/Media/" + media + "/Content"}, {"GET", "/v1/Services/" + is + "/MediaTemporary/x"},
		{"GET", "/_emulator"}, {"GET", "/_emulator/health"}, {"GET", "/_emulator/state"}, {"POST", "/_emulator/reset"},
		{"GET", "/_emulator/ui/"}, {"GET", "/_emulator/events?after=x"}, {"GET", "/_emulator/webhooks"}, {"GET", "/_emulator/nothing"},
	}
	port := strings.TrimPrefix(h.srv.URL, "http://127.0.0.1:")
	n := 0
	for _, r := range routes {
		for _, v := range []rawReq{{auth: "ok"}, {auth: "none"}, {auth: "wrong"}, {host: "evil.example:" + port}, {origin: "null"}} {
			q := v
			q.method, q.path = r.method, r.path
			if q.method == "POST" && q.path == "/_emulator/reset" && q.auth == "ok" {
				q.contentType = "text/plain" // refused with 415: the walk must not reset the state it uses
			}
			status, _, hdr := h.sendRaw(q)
			assert.Empty(t, hdr.Values("WWW-Authenticate"), "%s %s %+v: %d", q.method, q.path, v, status)
			n++
		}
	}
	assert.Equal(t, len(routes)*5, n)
}

// TestBaseURLPointsToInspector: a browser opening the printed base URL is
// sent to the web inspector (which asks for the credentials in its own
// form), not to a browser password prompt.
func TestBaseURLPointsToInspector(t *testing.T) {
	h := newHarness(t)
	for _, method := range []string{"GET", "HEAD"} {
		status, _, hdr := h.sendRaw(rawReq{method: method, path: "/", auth: "none"})
		assert.Equal(t, http.StatusFound, status)
		assert.Equal(t, "/_emulator/ui/", hdr.Get("Location"))
		assert.Empty(t, hdr.Values("WWW-Authenticate"))
	}
	resp, err := http.Get(h.srv.URL + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, h.srv.URL+"/_emulator/ui/", resp.Request.URL.String())
	assert.Contains(t, string(page), "<html")
	// Other methods on / are the API's: credentials, then 404.
	status, _, _ := h.sendRaw(rawReq{method: "POST", path: "/", auth: "none"})
	assert.Equal(t, 401, status)
	status, _, _ = h.sendRaw(rawReq{method: "POST", path: "/"})
	assert.Equal(t, 404, status)
}

// TestInProcessPagesFollowTheClientsScheme: behind a transport, the
// emulator's links (next_page_url, url) carry the scheme the client used
// (https for Twilio's default base URL), so the client follows the pages
// instead of refusing an http link as a downgrade.
func TestInProcessPagesFollowTheClientsScheme(t *testing.T) {
	emu := conversationstest.New()
	t.Cleanup(emu.Close)
	rt := roundTripper(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		return rec.Result(), nil
	})
	c, err := conversations.NewClient(emu.AccountSID(), emu.AuthToken(), conversations.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	ctx := context.Background()
	for i := range 3 {
		conv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "page " + string(rune('a'+i))})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(conv.URL, "https://conversations.twilio.com/v1/Conversations/CH"), conv.URL)
	}
	n := 0
	for _, err := range c.Conversations.List(ctx, &conversations.ConversationListParams{PageSize: 1}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 3, n)
}
