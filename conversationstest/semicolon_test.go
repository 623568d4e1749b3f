package conversationstest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// raw sends body exactly as given, as `curl -u ... -d 'Body=a; b'` does (a
// POST form body) or, for other methods, as the raw query; it returns the
// status and decoded JSON.
func (h *harness) raw(method, path, body string, header ...string) (int, obj) {
	h.t.Helper()
	u := h.srv.URL + path
	var req *http.Request
	var err error
	if method == http.MethodPost {
		req, err = http.NewRequest(method, u, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, err = http.NewRequest(method, u+"?"+body, nil)
	}
	require.NoError(h.t, err)
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	status, out, _ := h.send(req)
	return status, out
}

func (h *harness) rawOK(status int, method, path, body string, header ...string) obj {
	h.t.Helper()
	got, out := h.raw(method, path, body, header...)
	require.Equal(h.t, status, got, "body: %v", out)
	return out
}

// A raw ';' in a form body is an ordinary character (issue 21): the stored
// value is byte for byte what was typed.
func TestRawSemicolonInFormBodies(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()

	conv := h.rawOK(201, "POST", "/v1/Conversations", `FriendlyName=Dinner; 5pm&Attributes={"note":"a;b","n":1}&UniqueName=dinner;5`)
	require.Equal(t, "Dinner; 5pm", conv["friendly_name"])
	require.Equal(t, `{"note":"a;b","n":1}`, conv["attributes"])
	require.Equal(t, "dinner;5", conv["unique_name"])
	ch := conv["sid"].(string)
	require.Equal(t, "Dinner; 5pm", h.ok(200, "GET", "/v1/Conversations/dinner;5", nil)["friendly_name"])

	msg := h.rawOK(201, "POST", "/v1/Conversations/"+ch+"/Messages", `Body=See you at 5; bring the receipt&Author=al;ice&Attributes={"k":";"}`, webhookOn...)
	require.Equal(t, "See you at 5; bring the receipt", msg["body"])
	require.Equal(t, "al;ice", msg["author"])
	require.Equal(t, `{"k":";"}`, msg["attributes"])
	got := h.ok(200, "GET", "/v1/Conversations/"+ch+"/Messages/"+msg["sid"].(string), nil)
	require.Equal(t, "See you at 5; bring the receipt", got["body"])

	p := h.rawOK(201, "POST", "/v1/Conversations/"+ch+"/Participants", `Identity=bob;1&Attributes={"role":"x;y"}`)
	require.Equal(t, "bob;1", p["identity"])
	require.Equal(t, `{"role":"x;y"}`, p["attributes"])

	u := h.rawOK(201, "POST", "/v1/Users", `Identity=carol;2&FriendlyName=Carol; the second`)
	require.Equal(t, "Carol; the second", u["friendly_name"])
	u = h.rawOK(200, "POST", "/v1/Users/"+u["sid"].(string), `FriendlyName=C; 2&Attributes={";":";"}`)
	require.Equal(t, "C; 2", u["friendly_name"])
	require.Equal(t, `{";":";"}`, u["attributes"])

	// A raw ';' in a query (GET filters) too.
	list := h.rawOK(200, "GET", "/v1/ParticipantConversations", "Identity=bob;1")
	require.Len(t, list["conversations"], 1)
	require.Equal(t, ch, list["conversations"].([]any)[0].(obj)["conversation_sid"])
	require.Contains(t, list["meta"].(obj)["url"], "Identity=bob%3B1")

	// Webhook URLs: a scoped webhook and the account's, both delivered to
	// the URL as typed (the recorder checks the signature over it).
	scoped := h.rawOK(201, "POST", "/v1/Conversations/"+ch+"/Webhooks",
		"Target=webhook&Configuration.Url="+hook.url+"/scoped;v=1?t=a;b&Configuration.Filters=onMessageAdded")
	require.Equal(t, hook.url+"/scoped;v=1?t=a;b", scoped["configuration"].(obj)["url"])
	cfg := h.rawOK(200, "POST", "/v1/Configuration/Webhooks", "PostWebhookUrl="+hook.url+"/post;x&Filters=onMessageAdded&Method=POST")
	require.Equal(t, hook.url+"/post;x", cfg["post_webhook_url"])
	h.rawOK(201, "POST", "/v1/Conversations/"+ch+"/Messages", "Body=a;b", webhookOn...)
	h.srv.Flush()
	bodies := map[string]bool{}
	for _, r := range hook.received() {
		bodies[r.form.Get("Body")] = true
	}
	require.Equal(t, map[string]bool{"a;b": true}, bodies)
	require.Len(t, hook.received(), 2, "the scoped and the account webhook")
}

// The media upload keeps a raw ';' in its Filename query parameter.
func TestRawSemicolonInMediaFilename(t *testing.T) {
	h := newHarness(t)
	svc := h.ok(200, "GET", "/v1/Configuration", nil)["default_chat_service_sid"].(string)
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/v1/Services/"+svc+"/Media?Filename=a;b.txt", strings.NewReader("hello"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "text/plain")
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	status, m, _ := h.send(req)
	require.Equal(t, 201, status, "body: %v", m)
	require.Equal(t, "a;b.txt", m["file_name"])
}
