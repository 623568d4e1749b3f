package reliability_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// TestEmulatorHostileValues sends hostile values in every numeric query and
// form parameter of every list, create and update endpoint, calling the
// emulator in-process as an http.Handler: no request may panic or answer
// 5xx, and every refusal is Twilio's error body.
func TestEmulatorHostileValues(t *testing.T) {
	f := newEmuFixture(t)
	// Under the race detector, every 5th request of the matrix (all of it
	// otherwise): about 12,000 requests instead of 61,000. The value lists'
	// lengths are not multiples of 5, so each key gets a different subset.
	every := 1
	if raceEnabled {
		every = 5
	}
	var n, sent, refused int
	var failures []string
	check := func(method, path, key, value string, form url.Values) {
		if n++; n%every != 0 {
			return
		}
		sent++
		res := f.serve(method, f.expand(path), form)
		label := endpointLabel(method, path, key, value)
		switch {
		case res.panicked != nil:
			failures = append(failures, fmt.Sprintf("%s: panic: %v", label, res.panicked))
		case res.status >= 500:
			failures = append(failures, fmt.Sprintf("%s: HTTP %d: %s", label, res.status, res.body))
		case res.status >= 400 && strings.HasPrefix(path, "/_emulator/"):
			refused++ // the control API's own error body, {"status", "message"}
		case res.status >= 400:
			refused++
			var body struct {
				Code     int    `json:"code"`
				Message  string `json:"message"`
				MoreInfo string `json:"more_info"`
				Status   int    `json:"status"`
			}
			if err := json.Unmarshal(res.body, &body); err != nil || body.Status != res.status || body.Code == 0 ||
				body.Message == "" || body.MoreInfo != fmt.Sprintf("https://www.twilio.com/docs/errors/%d", body.Code) {
				failures = append(failures, fmt.Sprintf("%s: HTTP %d without Twilio's error body: %s", label, res.status, res.body))
			}
		}
	}
	for _, path := range emuListPaths {
		for _, key := range emuNumericParams {
			for _, v := range hostileNumbers {
				check("GET", path, key, v, url.Values{key: {v}})
			}
		}
		// Page combined with the smallest and the largest page sizes.
		for _, size := range []string{"1", "50", "100", "1000"} {
			for _, v := range hostileNumbers {
				check("GET", path, "Page", v, url.Values{"Page": {v}, "PageSize": {size}})
				check("GET", path, "PageToken", v, url.Values{"PageToken": {v}, "PageSize": {size}, "Page": {"1"}})
			}
		}
	}
	// The control API's numeric query value.
	for _, path := range []string{"/_emulator/webhooks", "/_emulator/clock", "/_emulator/deliveries", "/_emulator/phones"} {
		for _, v := range hostileNumbers {
			check("GET", path, "after", v, url.Values{"after": {v}})
		}
	}
	for _, path := range emuWritePaths {
		for _, key := range emuNumericParams {
			for _, v := range hostileNumbers {
				check("POST", path, key, v, url.Values{key: {v}})
			}
		}
		for _, key := range emuStringParams {
			for _, v := range hostileStringValues {
				check("POST", path, key, v, url.Values{key: {v}})
			}
		}
	}
	record(figure{Fault: "emulator: hostile numeric/string query and form values (in-process)", Op: "every list, create, update",
		Outcome: fmt.Sprintf("%d sent, %d refused 4xx, %d panics or 5xx", sent, refused, len(failures)), Leaked: "-"})
	if len(failures) > 0 {
		t.Fatalf("%d of %d hostile requests panicked or answered 5xx; the first:\n%s",
			len(failures), sent, strings.Join(failures[:min(len(failures), 20)], "\n"))
	}
}

// TestEmulatorHugePageRefused: a Page whose offset overflows is refused with
// Twilio's 400 error body (it panicked on every list endpoint).
func TestEmulatorHugePageRefused(t *testing.T) {
	f := newEmuFixture(t)
	for _, path := range emuListPaths {
		res := f.serve("GET", f.expand(path), url.Values{"Page": {"9223372036854775807"}, "PageSize": {"50"}})
		require.Nil(t, res.panicked, path)
		require.Equal(t, http.StatusBadRequest, res.status, "%s: %s", path, res.body)
		require.Contains(t, string(res.body), `"code":20001`, path)
	}
}

// TestEmulatorStalledMediaDownload: a client that stops reading a large
// media download (through the pre-signed URL, which needs no credentials,
// or the authenticated content URL) blocks neither other API calls nor
// Server.Close.
func TestEmulatorStalledMediaDownload(t *testing.T) {
	for _, route := range []string{"temporary", "content"} {
		t.Run(route, func(t *testing.T) {
			srv := conversationstest.NewServer()
			closed := false
			defer func() {
				if !closed {
					srv.Close()
				}
			}()
			const size = 16 << 20 // well beyond the socket buffers (the client's is made small)
			up := apiRequest(t, srv, "POST", "/v1/Services/"+srv.DefaultServiceSID()+"/Media", strings.NewReader(strings.Repeat("m", size)), "application/octet-stream")
			var media struct {
				Sid   string            `json:"sid"`
				Links map[string]string `json:"links"`
			}
			require.NoError(t, json.Unmarshal(up, &media))

			target := media.Links["content_direct_temporary"]
			auth := false
			if route == "content" {
				target, auth = media.Links["content"], true
			}
			stalled := stallDownload(t, srv, target, auth)
			defer stalled.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() {
				for _, p := range []string{"/v1/Conversations", "/v1/Services/" + srv.DefaultServiceSID() + "/Media/" + media.Sid} {
					if _, err := apiRequestCtx(ctx, srv, "GET", p); err != nil {
						done <- err
						return
					}
				}
				_, err := apiRequestCtx(ctx, srv, "POST", "/v1/Conversations")
				done <- err
			}()
			select {
			case err := <-done:
				require.NoError(t, err, "API calls during a stalled download")
			case <-ctx.Done():
				t.Fatal("API calls blocked by a stalled media download")
			}

			closeDone := make(chan struct{})
			start := time.Now()
			go func() { srv.Close(); close(closeDone) }()
			select {
			case <-closeDone:
				closed = true
				record(figure{Fault: "emulator: stalled " + route + " media download (16 MiB)", Op: "other API calls, Server.Close",
					Outcome: "served; Close in " + time.Since(start).Round(time.Millisecond).String(), Leaked: "-"})
			case <-time.After(5 * time.Second):
				t.Fatal("Server.Close blocked by a stalled media download")
			}
		})
	}
}

// stallDownload requests target on a raw connection, reads the status line
// and then stops reading.
func stallDownload(t *testing.T, srv *conversationstest.Server, target string, auth bool) net.Conn {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	// A small receive buffer (no autotuning), so the server's writes block
	// soon after the client stops reading, whatever the host's limits.
	require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(32<<10))
	req, err := http.NewRequest("GET", target, nil)
	require.NoError(t, err)
	if auth {
		req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
	}
	require.NoError(t, req.Write(conn))
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "200")
	time.Sleep(200 * time.Millisecond) // let the server fill the socket buffers and block
	return conn
}

func apiRequest(t *testing.T, srv *conversationstest.Server, method, path string, body io.Reader, contentType string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	require.NoError(t, err)
	req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Less(t, resp.StatusCode, 300, string(b))
	return b
}

func apiRequestCtx(ctx context.Context, srv *conversationstest.Server, method, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode >= 300 {
		err = fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
	}
	return b, err
}

// TestEmulatorStalledWebhookBlocksNothing: a webhook endpoint that does not
// answer holds up only the request waiting on its pre-event, never other
// API calls, post-event delivery of other conversations, or Server.Close.
func TestEmulatorStalledWebhookBlocksNothing(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hook.Close()
	srv := conversationstest.NewServer(conversationstest.WithWebhookTimeout(time.Minute))
	defer srv.Close()
	form := url.Values{"PreWebhookUrl": {hook.URL}, "PostWebhookUrl": {hook.URL}, "Filters": {"onConversationAdd", "onMessageAdded"}}
	req, err := http.NewRequest("POST", srv.URL+"/v1/Configuration/Webhooks", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	// A create waits on its pre-event, which never answers.
	stuck := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/Conversations", nil)
		req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
		req.Header.Set("X-Twilio-Webhook-Enabled", "true")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		stuck <- err
	}()
	time.Sleep(100 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = apiRequestCtx(ctx, srv, "POST", "/v1/Conversations") // no webhooks for this one
	require.NoError(t, err, "a create while another waits on its pre-event")
	_, err = apiRequestCtx(ctx, srv, "GET", "/v1/Conversations")
	require.NoError(t, err)
	select {
	case <-stuck:
		t.Fatal("the create waiting on its pre-event returned early")
	default:
	}
	free()
	require.NoError(t, <-stuck)
}
