package conversationstest_test

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// uiSource is the inspector's source directory, which the package embeds.
var uiSource = os.DirFS("ui")

func TestInspectorServesEachFileWithItsContentType(t *testing.T) {
	h := newHarness(t)
	want := map[string]string{
		"":           "text/html; charset=utf-8",
		"index.html": "text/html; charset=utf-8",
		"app.css":    "text/css; charset=utf-8",
		"app.js":     "text/javascript; charset=utf-8",
		"api.js":     "text/javascript; charset=utf-8",
		"view.js":    "text/javascript; charset=utf-8",
		"panes.js":   "text/javascript; charset=utf-8",
	}
	for name, ct := range want {
		t.Run("/"+name, func(t *testing.T) {
			// No credentials: the files hold no secret.
			resp, err := http.Get(h.srv.URL + "/_emulator/ui/" + name)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, ct, resp.Header.Get("Content-Type"))
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
			assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
			file := name
			if file == "" {
				file = "index.html"
			}
			src, err := fs.ReadFile(uiSource, file)
			require.NoError(t, err)
			assert.Equal(t, string(src), string(body), "the embedded file is the source file")
		})
	}
}

func TestInspectorRevalidatesWithETag(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/_emulator/ui/app.js")
	require.NoError(t, err)
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))

	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/_emulator/ui/app.js", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
}

func TestInspectorRefusesUnknownFiles(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/_emulator/ui/nope.js")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"status":404,"message":"the inspector has no file /_emulator/ui/nope.js"}`, string(body))
	for _, p := range []string{"/_emulator/ui/nope.js", "/_emulator/ui/../ui.go", "/_emulator/ui/ui/app.js"} {
		resp, err := http.Get(h.srv.URL + p)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Contains(t, []int{http.StatusNotFound, http.StatusUnauthorized}, resp.StatusCode, p)
	}
}

// TestInspectorIsSelfContained checks that the page loads nothing from
// elsewhere (no CDN, no external URL) and that every file it refers to is
// embedded.
func TestInspectorIsSelfContained(t *testing.T) {
	names, err := fs.Glob(uiSource, "*")
	require.NoError(t, err)
	require.Subset(t, names, []string{"index.html", "app.css", "app.js"})
	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	cssExternal := regexp.MustCompile(`@import|url\(`)
	ref := regexp.MustCompile(`(?:src|href)="([^"]+)"|from '([^']+)'|import\('([^']+)'\)`)
	for _, name := range names {
		src, err := fs.ReadFile(uiSource, name)
		require.NoError(t, err)
		assert.Empty(t, external.FindAllString(string(src), -1), "%s refers to something outside the emulator", name)
		if path.Ext(name) == ".css" {
			assert.Empty(t, cssExternal.FindAllString(string(src), -1), "%s loads another file", name)
		}
		for _, m := range ref.FindAllStringSubmatch(string(src), -1) {
			target := m[1] + m[2] + m[3]
			if strings.HasPrefix(target, "data:") {
				continue
			}
			assert.Contains(t, names, path.Clean(strings.TrimPrefix(target, "./")), "%s refers to %s, which is not embedded", name, target)
		}
	}
}

func TestInspectorPrefillsTheDefaultCredentials(t *testing.T) {
	src, err := fs.ReadFile(uiSource, "api.js")
	require.NoError(t, err)
	assert.Contains(t, string(src), "'"+conversationstest.DefaultAccountSID+"'")
	assert.Contains(t, string(src), "'"+conversationstest.DefaultAuthToken+"'")
}

// sse reads server-sent events from GET /_emulator/events.
type sse struct {
	resp   *http.Response
	events chan string
}

func openEvents(t *testing.T, h *harness, after string) *sse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/_emulator/events?after="+after, nil)
	require.NoError(t, err)
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
	s := &sse{resp: resp, events: make(chan string, 100)}
	go func() {
		defer close(s.events)
		r := bufio.NewReader(resp.Body)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
				s.events <- data
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

// next waits for the next event's data.
func (s *sse) next(t *testing.T) string {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		require.True(t, ok, "the stream ended")
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
		return ""
	}
}

// quiet asserts that no event comes for a while.
func (s *sse) quiet(t *testing.T) {
	t.Helper()
	select {
	case ev := <-s.events:
		t.Fatalf("unexpected event %s", ev)
	case <-time.After(300 * time.Millisecond):
	}
}

func versionOf(t *testing.T, data string) int {
	t.Helper()
	m := regexp.MustCompile(`^\{"version":(\d+)\}$`).FindStringSubmatch(data)
	require.NotNil(t, m, data)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

func TestEventsFeedMovesOnEveryChange(t *testing.T) {
	h := newHarness(t)
	s := openEvents(t, h, "0")
	s.quiet(t) // nothing changed yet, and reads change nothing
	h.do(http.MethodGet, "/v1/Conversations", nil)
	s.quiet(t)

	last := 0
	step := func(what string, act func()) {
		t.Helper()
		act()
		v := versionOf(t, s.next(t))
		assert.Greater(t, v, last, what)
		last = v
		// drain the rest of the burst (receipts, webhooks) before the next step
		for {
			select {
			case ev := <-s.events:
				last = versionOf(t, ev)
				continue
			case <-time.After(300 * time.Millisecond):
			}
			break
		}
	}
	var conv string
	step("a REST write", func() {
		status, body := h.do(http.MethodPost, "/v1/Conversations", url.Values{"FriendlyName": {"Support"}})
		require.Equal(t, http.StatusCreated, status)
		conv = body["sid"].(string)
	})
	step("a participant", func() {
		status, _ := h.do(http.MethodPost, "/v1/Conversations/"+conv+"/Participants", url.Values{
			"MessagingBinding.Address": {"+15551230001"}, "MessagingBinding.ProxyAddress": {"+15559870002"}})
		require.Equal(t, http.StatusCreated, status)
	})
	step("a simulated user's message", func() {
		_, err := h.srv.SendSMS("+15551230001", "+15559870002", "hi")
		require.NoError(t, err)
	})
	step("the clock", func() { h.srv.Advance(time.Minute) })
	step("deliveries made to fail", func() { h.srv.FailDeliveriesTo("+15551230001", "failed") })
}

// TestEventsFeedCountsReceiptMoves checks that the asynchronous work (a
// receipt moving from sent to delivered) moves the feed after the request
// that queued it.
func TestEventsFeedCountsReceiptMoves(t *testing.T) {
	h := newHarness(t)
	status, body := h.do(http.MethodPost, "/v1/Conversations", url.Values{"FriendlyName": {"Support"}})
	require.Equal(t, http.StatusCreated, status)
	conv := body["sid"].(string)
	status, _ = h.do(http.MethodPost, "/v1/Conversations/"+conv+"/Participants", url.Values{
		"MessagingBinding.Address": {"+15551230001"}, "MessagingBinding.ProxyAddress": {"+15559870002"}})
	require.Equal(t, http.StatusCreated, status)
	h.srv.Flush()

	s := openEvents(t, h, "0")
	first := versionOf(t, s.next(t)) // the version so far, sent at once
	status, _ = h.do(http.MethodPost, "/v1/Conversations/"+conv+"/Messages", url.Values{"Body": {"hello"}})
	require.Equal(t, http.StatusCreated, status)
	h.srv.Flush() // the receipt is delivered: the request's change and the receipt's, at least
	deadline := time.After(5 * time.Second)
	for last := first; last < first+2; {
		select {
		case ev := <-s.events:
			last = versionOf(t, ev)
		case <-deadline:
			t.Fatalf("the feed moved from %d to %d only", first, last)
		}
	}
}

func TestEventsFeedResendsAfterARestart(t *testing.T) {
	h := newHarness(t)
	// A page that followed an earlier emulator up to version 500 gets the
	// current version (0 here) at once, so it reloads.
	s := openEvents(t, h, "500")
	assert.Equal(t, `{"version":0}`, s.next(t))
}

func TestEventsFeedNeedsCredentials(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/_emulator/events")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("WWW-Authenticate"), "the browser must not cache credentials for it")

	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/_emulator/events?after=x", nil)
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestEventsFeedEndsWhenTheServerCloses(t *testing.T) {
	srv := conversationstest.NewServer()
	h := &harness{t: t, srv: srv}
	s := openEvents(t, h, "0")
	done := make(chan struct{})
	go func() {
		srv.Close() // would block while a stream stays open
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited on the open stream")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	select {
	case _, ok := <-s.events:
		assert.False(t, ok, "the stream ends")
	case <-ctx.Done():
		t.Fatal("the stream stayed open")
	}
}

// TestInspectorGuards: the page is refused under another Host (DNS
// rebinding), and its change feed to another site's page (Origin).
func TestInspectorGuards(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/_emulator/ui/", nil)
	req.Host = "attacker.example:80"
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "another Host")

	req, _ = http.NewRequest(http.MethodGet, h.srv.URL+"/_emulator/events", nil)
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	req.Header.Set("Origin", "http://attacker.example")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "another site's Origin")
}

// TestInspectorReadsStayOutOfTheRequestLog: the page's reads (marked with
// X-Emulator-Client: inspector) are not logged; its writes and everyone
// else's requests are.
func TestInspectorReadsStayOutOfTheRequestLog(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logger := log.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, string(p))
		return len(p), nil
	}), "", 0)
	h := newHarness(t, conversationstest.WithLogger(logger))
	h.do(http.MethodGet, "/v1/Conversations", nil, "X-Emulator-Client", "inspector")
	h.do(http.MethodGet, "/v1/Services", nil)
	h.do(http.MethodPost, "/v1/Conversations", url.Values{"FriendlyName": {"x"}}, "X-Emulator-Client", "inspector")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, lines, 2, "%q", lines)
	assert.True(t, strings.HasPrefix(lines[0], "GET /v1/Services 200 "), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "POST /v1/Conversations 201 "), lines[1])
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
