package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// attack is one request against the built binary, shaped as a rebinding or
// cross-site page (or a curious browser) would send it.
type attack struct {
	method, path, body string
	host               string // "" for the emulator's own
	origin             string
	auth               string // "ok" (default), "none" or "wrong"
	contentType        string
}

// noFollow shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (p *proc) send(a attack) (int, []byte, http.Header) {
	p.t.Helper()
	req, err := http.NewRequest(a.method, p.base+a.path, strings.NewReader(a.body))
	require.NoError(p.t, err)
	if a.host != "" {
		req.Host = a.host
	}
	switch a.auth {
	case "", "ok":
		req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
	case "wrong":
		req.SetBasicAuth(conversationstest.DefaultAccountSID, "wrong")
	}
	if a.contentType != "" {
		req.Header.Set("Content-Type", a.contentType)
	} else if a.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if a.origin != "" {
		req.Header.Set("Origin", a.origin)
	}
	resp, err := noFollow.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return resp.StatusCode, b, resp.Header
}

// export is GET /_emulator/state as the emulator answers it.
func (p *proc) export() string {
	p.t.Helper()
	status, b, _ := p.send(attack{method: "GET", path: "/_emulator/state"})
	require.Equal(p.t, 200, status, "%s", b)
	require.NotEmpty(p.t, b)
	return string(b)
}

func (p *proc) port() string { return p.base[strings.LastIndex(p.base, ":")+1:] }

// TestCommandRefusesRebindingAndCrossSite: against the built binary with
// its public default credentials, a page that rebinds its name to 127.0.0.1
// (a foreign Host) or posts across sites (a foreign Origin) can neither read
// messages nor point the webhooks elsewhere nor create anything: every such
// request is refused with 403 and the exported state is unchanged. The
// emulator's own names still work.
func TestCommandRefusesRebindingAndCrossSite(t *testing.T) {
	p := startEmulator(t)
	conv := p.post("/v1/Conversations", "FriendlyName", "private")["sid"].(string)
	p.post("/v1/Conversations/"+conv+"/Messages", "Author", "alice", "Body", "the secret")
	before := p.export()

	port := p.port()
	hook := url.Values{"PostWebhookUrl": {"https://evil.example/steal"}, "PreWebhookUrl": {"https://evil.example/steal"}, "Filters": {"onMessageAdded"}}.Encode()
	requests := []attack{
		{method: "GET", path: "/v1/Conversations/" + conv + "/Messages"},
		{method: "GET", path: "/v1/Conversations"},
		{method: "GET", path: "/v1/Configuration/Webhooks"},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: hook},
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=planted"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Messages", body: "Author=evil&Body=planted"},
		{method: "DELETE", path: "/v1/Conversations/" + conv},
		{method: "POST", path: "/v1/Services/IS00000000000000000000000000000000/Media", body: "x", contentType: "image/png"},
	}
	var variants []attack
	for _, host := range []string{"rebind.evil.example:" + port, "rebind.evil.example", "localhost.:" + port, "127.0.0.1.nip.io:" + port, "127.0.0.1:1"} {
		variants = append(variants, attack{host: host})
	}
	for _, origin := range []string{"https://evil.example", "null", "http://localhost:" + port} {
		variants = append(variants, attack{origin: origin}, attack{origin: origin, auth: "none"})
	}
	for _, v := range variants {
		for _, r := range requests {
			a := r
			a.host, a.origin, a.auth = v.host, v.origin, v.auth
			status, body, hdr := p.send(a)
			require.Equal(t, 403, status, "%s %s Host %q Origin %q: %s", a.method, a.path, a.host, a.origin, body)
			assert.NotContains(t, string(body), "the secret")
			assert.Empty(t, hdr.Values("WWW-Authenticate"))
			var e struct{ Code, Status int }
			require.NoError(t, json.Unmarshal(body, &e), "%s", body)
			assert.Equal(t, 20403, e.Code)
		}
	}
	assert.Equal(t, before, p.export(), "refused requests changed the state")
	assert.NotContains(t, p.get("/v1/Configuration/Webhooks"), "evil.example")

	// The emulator's own names, and Twilio's host kept by an SDK transport
	// that rewrites only the URL.
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "conversations.twilio.com"} {
		status, body, _ := p.send(attack{method: "GET", path: "/v1/Conversations/" + conv + "/Messages", host: host})
		assert.Equal(t, 200, status, "Host %q", host)
		assert.Contains(t, string(body), "the secret")
	}
	p.stop()
}

// TestCommandAllowHostCoversTheAPI: a name given with -allow-host is
// accepted on the REST API as on the control API.
func TestCommandAllowHostCoversTheAPI(t *testing.T) {
	p := startEmulator(t, "-allow-host", "emulator.internal")
	for _, path := range []string{"/v1/Conversations", "/_emulator/state"} {
		status, body, _ := p.send(attack{method: "GET", path: path, host: "emulator.internal:" + p.port()})
		assert.Equal(t, 200, status, "%s: %s", path, body)
		status, _, _ = p.send(attack{method: "GET", path: path, host: "other.internal:" + p.port()})
		assert.Equal(t, 403, status, path)
	}
	p.stop()
}

// TestCommandNeverChallenges walks the binary's routes with good, missing
// and wrong credentials, a foreign Host and a foreign Origin: no answer
// carries WWW-Authenticate, so no browser prompts for the credentials or
// caches them. Opening the base URL leads to the inspector.
func TestCommandNeverChallenges(t *testing.T) {
	p := startEmulator(t)
	conv := p.post("/v1/Conversations", "FriendlyName", "walk")["sid"].(string)
	is := p.post("/v1/Services", "FriendlyName", "walk")["sid"].(string)
	routes := []struct{ method, path string }{
		{"GET", "/"}, {"HEAD", "/"}, {"POST", "/"}, {"GET", "/favicon.ico"}, {"GET", "/robots.txt"}, {"GET", "/v1"},
		{"GET", "/v1/Conversations"}, {"POST", "/v1/Conversations"}, {"GET", "/v1/Conversations/" + conv},
		{"POST", "/v1/Conversations/" + conv}, {"DELETE", "/v1/Conversations/CH00000000000000000000000000000000"},
		{"GET", "/v1/Conversations/" + conv + "/Messages"}, {"GET", "/v1/Conversations/" + conv + "/Participants"},
		{"GET", "/v1/Conversations/" + conv + "/Webhooks"}, {"GET", "/v1/Configuration"}, {"GET", "/v1/Configuration/Webhooks"},
		{"POST", "/v1/Configuration/Webhooks"}, {"GET", "/v1/Configuration/Addresses"}, {"GET", "/v1/Credentials"},
		{"GET", "/v1/Roles"}, {"GET", "/v1/Users"}, {"GET", "/v1/Services"}, {"GET", "/v1/Services/" + is},
		{"GET", "/v1/Services/" + is + "/Conversations"}, {"GET", "/v1/Services/" + is + "/Users"},
		{"GET", "/v1/Services/" + is + "/Bindings"}, {"GET", "/v1/Services/" + is + "/Configuration"},
		{"GET", "/v1/Services/" + is + "/Configuration/Notifications"}, {"GET", "/v1/ParticipantConversations?Identity=a"},
		{"POST", "/v1/Services/" + is + "/Media"}, {"GET", "/v1/Services/" + is + "/Media/ME00000000000000000000000000000000"},
		{"GET", "/v1/Services/" + is + "/Media/ME00000000000000000000000000000000/Content"},
		{"GET", "/v1/Services/" + is + "/MediaTemporary/x"}, {"GET", "/_emulator"}, {"GET", "/_emulator/"},
		{"GET", "/_emulator/health"}, {"GET", "/_emulator/state"}, {"GET", "/_emulator/clock"}, {"GET", "/_emulator/phones"},
		{"GET", "/_emulator/webhooks"}, {"GET", "/_emulator/deliveries"}, {"GET", "/_emulator/ui/"}, {"GET", "/_emulator/ui/app.js"},
		{"GET", "/_emulator/events?after=x"}, {"PUT", "/_emulator/state"}, {"POST", "/_emulator/reset"},
	}
	variants := []attack{{auth: "ok"}, {auth: "none"}, {auth: "wrong"}, {host: "evil.example:" + p.port()}, {origin: "https://evil.example"}}
	seen := map[int]int{}
	for _, r := range routes {
		for _, v := range variants {
			a := v
			a.method, a.path = r.method, r.path
			if a.method != "GET" && a.method != "HEAD" {
				a.contentType = "text/plain" // control writes refused with 415: the walk changes nothing
			}
			status, _, hdr := p.send(a)
			seen[status]++
			assert.Empty(t, hdr.Values("WWW-Authenticate"), "%s %s %+v: %d", a.method, a.path, v, status)
		}
	}
	assert.Positive(t, seen[401], "the walk met refused credentials: %v", seen)
	assert.Positive(t, seen[200], "and accepted ones: %v", seen)

	status, _, hdr := p.send(attack{method: "GET", path: "/", auth: "none"})
	assert.Equal(t, http.StatusFound, status)
	assert.Equal(t, "/_emulator/ui/", hdr.Get("Location"))
	resp, err := http.Get(p.base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, p.base+"/_emulator/ui/", resp.Request.URL.String())
	assert.Contains(t, string(page), "<html")
	p.stop()
}

// TestCommandWebhookURLCap: a 1 MB webhook URL is refused with 400 and
// Twilio's error body, at the account's configuration and on a
// conversation, and -webhook-url beyond the cap stops the start.
func TestCommandWebhookURLCap(t *testing.T) {
	p := startEmulator(t)
	conv := p.post("/v1/Conversations", "FriendlyName", "hooks")["sid"].(string)
	before := p.export()
	huge := "https://hooks.example/" + strings.Repeat("a", 1<<20)
	for _, c := range []struct {
		path string
		form url.Values
		code int
	}{
		{"/v1/Configuration/Webhooks", url.Values{"PostWebhookUrl": {huge}}, 20001},
		{"/v1/Configuration/Webhooks", url.Values{"PreWebhookUrl": {huge}}, 20001},
		{"/v1/Conversations/" + conv + "/Webhooks", url.Values{"Target": {"webhook"}, "Configuration.Url": {huge}, "Configuration.Filters": {"onMessageAdded"}}, 50372},
		{"/v1/Configuration/Addresses", url.Values{"Type": {"sms"}, "Address": {"+15559990000"}, "AutoCreation.Enabled": {"true"},
			"AutoCreation.Type": {"webhook"}, "AutoCreation.WebhookUrl": {huge}}, 50372},
	} {
		status, body, _ := p.send(attack{method: "POST", path: c.path, body: c.form.Encode()})
		require.Equal(t, 400, status, "%s: %.300s", c.path, body)
		var e struct {
			Code     int    `json:"code"`
			Message  string `json:"message"`
			MoreInfo string `json:"more_info"`
			Status   int    `json:"status"`
		}
		require.NoError(t, json.Unmarshal(body, &e))
		assert.Equal(t, c.code, e.Code)
		assert.Equal(t, 400, e.Status)
		assert.Equal(t, fmt.Sprintf("https://www.twilio.com/docs/errors/%d", c.code), e.MoreInfo)
		assert.Less(t, len(body), 512, "the URL is not echoed")
	}
	assert.Equal(t, before, p.export())
	p.stop()

	bin, err := emulatorBinary()
	require.NoError(t, err)
	out, err := exec.Command(bin, "-addr", "127.0.0.1:0", "-webhook-url", "http://127.0.0.1:9/"+strings.Repeat("a", 600)).CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "-webhook-url must be at most 512 characters")
}

// TestCommandRefusedRequestsKeepVersion follows the change feed the
// inspector and -state follow (GET /_emulator/events): 35 refused requests
// send no event and leave the version where it was; one accepted write
// moves it by one.
func TestCommandRefusedRequestsKeepVersion(t *testing.T) {
	p := startEmulator(t)
	conv := p.post("/v1/Conversations", "FriendlyName", "feed")["sid"].(string)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", p.base+"/_emulator/events", nil)
	require.NoError(t, err)
	req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	events := make(chan uint64, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			var v struct{ Version uint64 }
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && json.Unmarshal([]byte(data), &v) == nil {
				events <- v.Version
			}
		}
		close(events)
	}()
	var v0 uint64
	select {
	case v0 = <-events:
	case <-time.After(10 * time.Second):
		t.Fatal("no first event")
	}

	port := p.port()
	jsonCT := "application/json"
	refused := []attack{
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=x", auth: "none"},
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=x", auth: "wrong"},
		{method: "DELETE", path: "/v1/Conversations/" + conv, auth: "none"},
		{method: "POST", path: "/_emulator/reset", body: "{}", contentType: jsonCT, auth: "none"},
		{method: "PUT", path: "/_emulator/state", body: "{}", contentType: jsonCT, auth: "wrong"},
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=x", host: "evil.example:" + port},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "PostWebhookUrl=https%3A%2F%2Fevil.example", host: "127.0.0.1.nip.io:" + port},
		{method: "DELETE", path: "/v1/Conversations/" + conv, origin: "https://evil.example"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Messages", body: "Body=x", origin: "null"},
		{method: "POST", path: "/_emulator/reset", body: "{}", contentType: jsonCT, host: "localhost.:" + port},
		{method: "POST", path: "/_emulator/clock", body: `{"advance":"PT1H"}`, contentType: jsonCT, origin: "https://evil.example"},
		{method: "POST", path: "/_emulator/reset", body: "{}", contentType: "text/plain"},
		{method: "POST", path: "/_emulator/clock", body: "advance=PT1H", contentType: "application/x-www-form-urlencoded"},
		{method: "PUT", path: "/_emulator/state", body: "{}", contentType: "text/plain"},
		{method: "POST", path: "/_emulator/inbound", body: "{}", contentType: "multipart/form-data; boundary=x"},
		{method: "POST", path: "/v1/Conversations/CH00000000000000000000000000000000", body: "FriendlyName=x"},
		{method: "DELETE", path: "/v1/Conversations/CH00000000000000000000000000000000"},
		{method: "POST", path: "/v1/Services/IS00000000000000000000000000000000/Conversations", body: "FriendlyName=x"},
		{method: "POST", path: "/v1/Nothing", body: "x=1"},
		{method: "PUT", path: "/v1/Conversations/" + conv, body: "FriendlyName=x"},
		{method: "DELETE", path: "/_emulator/state"},
		{method: "POST", path: "/v1/Conversations", body: "Timers.Inactive=soon"},
		{method: "POST", path: "/v1/Conversations", body: "State=asleep"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Messages", body: "Author=alice"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Participants", body: "RoleSid=nope"},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "Method=PUT"},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "PostWebhookUrl=https%3A%2F%2Fh.example%2F" + strings.Repeat("a", 1<<20)},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Webhooks", body: "Target=nothing"},
		{method: "POST", path: "/_emulator/clock", body: `{"advance":"soon"}`, contentType: jsonCT},
		{method: "POST", path: "/_emulator/inbound", body: `{}`, contentType: jsonCT},
		{method: "POST", path: "/_emulator/deliveries", body: `{"address":""}`, contentType: jsonCT},
		{method: "POST", path: "/_emulator/bindings", body: `{"identity":"a"}`, contentType: jsonCT},
		{method: "PUT", path: "/_emulator/state", body: `{"version":7}`, contentType: jsonCT},
		{method: "PUT", path: "/_emulator/state", body: `{"services":[{},{}]}`, contentType: jsonCT},
		{method: "POST", path: "/_emulator/inbound", body: `{"channel":"chat","conversation":"CH00000000000000000000000000000000","identity":"a","body":"x"}`, contentType: jsonCT},
	}
	require.Len(t, refused, 35)
	for _, a := range refused {
		status, body, _ := p.send(a)
		require.True(t, status >= 400 && status < 500, "%s %s: %d %.200s", a.method, a.path, status, body)
	}
	// Reads do not move it either.
	p.get("/v1/Conversations")
	p.get("/_emulator/state")
	select {
	case v := <-events:
		t.Fatalf("the version moved from %d to %d without a change", v0, v)
	case <-time.After(500 * time.Millisecond): // events come within 100 ms of a change
	}
	p.post("/v1/Configuration/Webhooks", "Method", "GET")
	select {
	case v := <-events:
		assert.Equal(t, v0+1, v, "one accepted write, one step")
	case <-time.After(10 * time.Second):
		t.Fatal("an accepted write sent no event")
	}
	cancel()
	p.stop()
}
