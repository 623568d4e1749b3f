package conversationstest_test

import (
	"bytes"
	"encoding/json"
	"log"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// hookURL returns an http URL of exactly n characters.
func hookURL(n int) string {
	const prefix = "https://hooks.example/"
	return prefix + strings.Repeat("a", n-len(prefix))
}

// TestWebhookURLCap: every place the REST API takes a webhook URL refuses
// one over 512 characters (Twilio's documented limit for a conversation
// webhook, error 50372; the emulator's assumption elsewhere) with a 400 and
// Twilio's error body that does not repeat the URL, changing nothing; 512
// characters, ASCII or not, are accepted.
func TestWebhookURLCap(t *testing.T) {
	require.Equal(t, 512, conversationstest.MaxWebhookURLLength)
	h := newHarness(t)
	is := h.srv.DefaultServiceSID()
	conv := h.conversation("FriendlyName", "hooks")
	wh := h.ok(201, "POST", "/v1/Conversations/"+conv+"/Webhooks", form("Target", "webhook",
		"Configuration.Url", "https://hooks.example/x", "Configuration.Filters", "onMessageAdded"))["sid"].(string)
	ig := h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990001",
		"AutoCreation.Enabled", "true", "AutoCreation.Type", "webhook", "AutoCreation.WebhookUrl", "https://hooks.example/x"))["sid"].(string)
	places := []struct {
		path, param string
		code        int
		extra       []string
	}{
		{"/v1/Configuration/Webhooks", "PreWebhookUrl", 20001, nil},
		{"/v1/Configuration/Webhooks", "PostWebhookUrl", 20001, nil},
		{"/v1/Services/" + is + "/Configuration/Webhooks", "PreWebhookUrl", 20001, nil},
		{"/v1/Services/" + is + "/Configuration/Webhooks", "PostWebhookUrl", 20001, nil},
		{"/v1/Conversations/" + conv + "/Webhooks", "Configuration.Url", 50372, []string{"Target", "webhook", "Configuration.Filters", "onMessageAdded"}},
		{"/v1/Services/" + is + "/Conversations/" + conv + "/Webhooks", "Configuration.Url", 50372, []string{"Target", "trigger", "Configuration.Triggers", "help"}},
		{"/v1/Conversations/" + conv + "/Webhooks/" + wh, "Configuration.Url", 50372, nil},
		{"/v1/Configuration/Addresses", "AutoCreation.WebhookUrl", 50372, []string{"Type", "sms", "Address", "+15559990002",
			"AutoCreation.Enabled", "true", "AutoCreation.Type", "webhook"}},
		{"/v1/Configuration/Addresses/" + ig, "AutoCreation.WebhookUrl", 50372, nil},
	}
	before := h.exportState()
	for _, p := range places {
		for _, u := range []string{hookURL(1 << 20), hookURL(513), "https://hooks.example/" + strings.Repeat("é", 491)} {
			f := form(append([]string{p.param, u}, p.extra...)...)
			status, body, _ := h.sendRaw(rawReq{method: "POST", path: p.path, body: f.Encode()})
			require.Equal(t, 400, status, "%s %s (%d characters): %s", p.path, p.param, len([]rune(u)), body)
			var e struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			require.NoError(t, json.Unmarshal(body, &e))
			assert.Equal(t, p.code, e.Code, "%s %s", p.path, p.param)
			assert.Contains(t, e.Message, "512 characters")
			assert.Less(t, len(body), 512, "the error does not repeat the URL")
		}
	}
	assert.Equal(t, string(before), string(h.exportState()), "refused URLs changed the state")

	for i, p := range places {
		u := hookURL(512)
		if i%2 == 1 {
			u = "https://hooks.example/" + strings.Repeat("é", 490) // 512 characters, 1002 bytes
		}
		extra := p.extra
		if p.path == "/v1/Configuration/Addresses" {
			extra = []string{"Type", "sms", "Address", "+15559990003", "AutoCreation.Enabled", "true", "AutoCreation.Type", "webhook"}
		}
		status, body, _ := h.sendRaw(rawReq{method: "POST", path: p.path, body: form(append([]string{p.param, u}, extra...)...).Encode()})
		require.Contains(t, []int{200, 201}, status, "%s %s: %s", p.path, p.param, body)
		assert.Contains(t, string(body), strings.ReplaceAll(u, "é", ""), "%s: the URL kept whole", p.path)
	}
}

// TestWebhookURLCapElsewhere: a state document and WithWebhookURL are held
// to the same cap.
func TestWebhookURLCapElsewhere(t *testing.T) {
	e := conversationstest.New()
	t.Cleanup(e.Close)
	doc, err := e.ExportState()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(doc, &m))
	m["global_webhooks"].(map[string]any)["post_webhook_url"] = hookURL(1 << 20)
	bad, err := json.Marshal(m)
	require.NoError(t, err)
	assert.ErrorContains(t, e.ImportState(bad), "longer than 512 characters")
	m["global_webhooks"].(map[string]any)["post_webhook_url"] = hookURL(512)
	good, err := json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, e.ImportState(good))

	var logged bytes.Buffer
	f := conversationstest.New(conversationstest.WithWebhookURL(hookURL(513)), conversationstest.WithLogger(log.New(&logged, "", 0)))
	t.Cleanup(f.Close)
	exported, err := f.ExportState()
	require.NoError(t, err)
	assert.NotContains(t, string(exported), "hooks.example", "the over-long URL is not configured")
	assert.Contains(t, logged.String(), "WithWebhookURL ignored")
}

// TestWebhookLogEntriesBounded: a delivery to a URL at the cap that fails
// makes a log entry of a few KiB, the URL and the error text included.
func TestWebhookLogEntriesBounded(t *testing.T) {
	h := newHarness(t)
	conv := h.conversation("FriendlyName", "log")
	target := "http://127.0.0.1:1/" + strings.Repeat("p", 512-len("http://127.0.0.1:1/"))
	h.ok(201, "POST", "/v1/Conversations/"+conv+"/Webhooks", form("Target", "webhook",
		"Configuration.Url", target, "Configuration.Filters", "onMessageAdded"))
	h.ok(201, "POST", "/v1/Conversations/"+conv+"/Messages", form("Author", "alice", "Body", "hello"), "X-Twilio-Webhook-Enabled", "true")
	h.srv.Flush()
	out := h.ctlOK(200, "GET", "/_emulator/webhooks", nil)
	entries := out["deliveries"].([]any)
	require.Len(t, entries, 1)
	d := entries[0].(obj)
	assert.Equal(t, target, d["url"], "an accepted URL is logged whole")
	assert.NotEmpty(t, d["error"])
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Less(t, len(b), 4<<10, "%s", b)
	_, err = url.Parse(d["url"].(string))
	assert.NoError(t, err)
}
