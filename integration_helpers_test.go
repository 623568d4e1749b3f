package conversations_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	formparse "github.com/conversations-go/conversations/internal/form"
)

// newBot starts a webhook endpoint that checks X-Twilio-Signature and hands
// each event's form to handle.
func newBot(t *testing.T, authToken string, handle func(url.Values)) string {
	t.Helper()
	var base string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := formparse.ParseRequest(r); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		want := conversations.ComputeSignature(authToken, base+r.URL.RequestURI(), r.PostForm)
		if r.Header.Get("X-Twilio-Signature") != want {
			t.Errorf("bad X-Twilio-Signature on %s", r.URL)
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		handle(r.PostForm)
	}))
	t.Cleanup(ts.Close)
	base = ts.URL
	return ts.URL + "/hooks"
}

// configureHooks points the emulator's global post-event webhook at hookURL
// for the given events, over the REST API (the client has no configuration
// methods yet).
func configureHooks(t testing.TB, srv *conversationstest.Server, hookURL string, events ...string) {
	t.Helper()
	form := url.Values{"PostWebhookUrl": {hookURL}, "Filters": events}
	req, _ := http.NewRequest("POST", srv.URL+"/v1/Configuration/Webhooks", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("configure webhooks: %s", resp.Status)
	}
}
