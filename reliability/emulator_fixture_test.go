package reliability_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/conversations-go/conversations/conversationstest"
)

// emuFixture is an emulator called in-process as an http.Handler (the
// README's httpmock pattern), holding one of each resource so that every
// nested list and update path resolves.
type emuFixture struct {
	e    *conversationstest.Emulator
	sids map[string]string // placeholder ({CH}, {IM}, …) to SID
}

// emuResult is one in-process answer; panicked is set when ServeHTTP
// panicked instead of answering.
type emuResult struct {
	status   int
	body     []byte
	panicked any
}

// serve calls the emulator's ServeHTTP directly and recovers a panic so the
// caller can count it.
func (f *emuFixture) serve(method, path string, form url.Values) (res emuResult) {
	return f.serveRaw(method, path, form.Encode())
}

// serveRaw is serve with an already encoded query or form body, which may
// be malformed.
func (f *emuFixture) serveRaw(method, path, encoded string) (res emuResult) {
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(encoded))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, "http://127.0.0.1"+path, nil)
		req.URL.RawQuery = encoded
	}
	req.SetBasicAuth(f.e.AccountSID(), f.e.AuthToken())
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			res = emuResult{panicked: p}
		}
	}()
	f.e.ServeHTTP(rec, req)
	return emuResult{status: rec.Code, body: rec.Body.Bytes()}
}

// must sends a request that has to succeed and returns the decoded body.
func (f *emuFixture) must(t testing.TB, method, path string, kv ...string) map[string]any {
	t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	res := f.serve(method, f.expand(path), form)
	if res.panicked != nil || res.status >= 300 {
		t.Fatalf("%s %s: status %d, panic %v: %s", method, path, res.status, res.panicked, res.body)
	}
	var out map[string]any
	if err := json.Unmarshal(res.body, &out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return out
}

// expand replaces the placeholders of a path with the fixture's SIDs.
func (f *emuFixture) expand(path string) string {
	for k, v := range f.sids {
		path = strings.ReplaceAll(path, k, v)
	}
	return path
}

func newEmuFixture(t testing.TB) *emuFixture {
	t.Helper()
	e := conversationstest.New()
	t.Cleanup(e.Close)
	f := &emuFixture{e: e, sids: map[string]string{"{IS}": e.DefaultServiceSID()}}
	sid := func(m map[string]any) string { return m["sid"].(string) }
	f.sids["{CH}"] = sid(f.must(t, "POST", "/v1/Conversations", "UniqueName", "fixture", "FriendlyName", "Fixture"))
	f.must(t, "POST", "/v1/Conversations/{CH}/Participants", "Identity", "alice")
	f.sids["{MB}"] = sid(f.must(t, "POST", "/v1/Conversations/{CH}/Participants",
		"MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15550000002"))
	f.sids["{IM}"] = sid(f.must(t, "POST", "/v1/Conversations/{CH}/Messages", "Author", "alice", "Body", "hello"))
	receipts := f.must(t, "GET", "/v1/Conversations/{CH}/Messages/{IM}/Receipts")["delivery_receipts"].([]any)
	f.sids["{DY}"] = receipts[0].(map[string]any)["sid"].(string)
	f.sids["{WH}"] = sid(f.must(t, "POST", "/v1/Conversations/{CH}/Webhooks", "Target", "webhook",
		"Configuration.Url", "http://127.0.0.1:9/hook", "Configuration.Filters", "onMessageAdded"))
	f.sids["{US}"] = sid(f.must(t, "POST", "/v1/Users", "Identity", "bob"))
	f.sids["{RL}"] = sid(f.must(t, "POST", "/v1/Roles", "FriendlyName", "fixture-role", "Type", "conversation", "Permission", "sendMessage"))
	f.sids["{IG}"] = sid(f.must(t, "POST", "/v1/Configuration/Addresses", "Type", "sms", "Address", "+15550000003"))
	f.sids["{CR}"] = sid(f.must(t, "POST", "/v1/Credentials", "Type", "fcm", "Secret", "fixture-secret"))
	f.sids["{ALICE}"] = sid(f.must(t, "GET", "/v1/Users/alice"))
	return f
}

// emuListPaths are the list endpoints, account-level and service-scoped.
var emuListPaths = []string{
	"/v1/Services",
	"/v1/Conversations",
	"/v1/Conversations/{CH}/Participants",
	"/v1/Conversations/{CH}/Messages",
	"/v1/Conversations/{CH}/Messages/{IM}/Receipts",
	"/v1/Conversations/{CH}/Webhooks",
	"/v1/Roles",
	"/v1/Users",
	"/v1/Users/{ALICE}/Conversations",
	"/v1/ParticipantConversations",
	"/v1/Configuration/Addresses",
	"/v1/Credentials",
	"/v1/Services/{IS}/Conversations",
	"/v1/Services/{IS}/Conversations/{CH}/Participants",
	"/v1/Services/{IS}/Conversations/{CH}/Messages",
	"/v1/Services/{IS}/Conversations/{CH}/Messages/{IM}/Receipts",
	"/v1/Services/{IS}/Conversations/{CH}/Webhooks",
	"/v1/Services/{IS}/Roles",
	"/v1/Services/{IS}/Users",
	"/v1/Services/{IS}/Users/{ALICE}/Conversations",
	"/v1/Services/{IS}/ParticipantConversations",
	"/v1/Services/{IS}/Bindings",
}

// emuWritePaths are the create and update endpoints.
var emuWritePaths = []string{
	"/v1/Services",
	"/v1/Conversations",
	"/v1/Conversations/{CH}",
	"/v1/Conversations/{CH}/Participants",
	"/v1/Conversations/{CH}/Participants/{MB}",
	"/v1/Conversations/{CH}/Messages",
	"/v1/Conversations/{CH}/Messages/{IM}",
	"/v1/Conversations/{CH}/Webhooks",
	"/v1/Conversations/{CH}/Webhooks/{WH}",
	"/v1/ConversationWithParticipants",
	"/v1/Roles",
	"/v1/Roles/{RL}",
	"/v1/Users",
	"/v1/Users/{US}",
	"/v1/Users/{ALICE}/Conversations/{CH}",
	"/v1/Configuration",
	"/v1/Configuration/Webhooks",
	"/v1/Configuration/Addresses",
	"/v1/Configuration/Addresses/{IG}",
	"/v1/Credentials",
	"/v1/Credentials/{CR}",
	"/v1/Services/{IS}/Configuration",
	"/v1/Services/{IS}/Configuration/Webhooks",
	"/v1/Services/{IS}/Configuration/Notifications",
	"/v1/Services/{IS}/Conversations/{CH}/Messages",
	"/v1/Services/{IS}/Conversations/{CH}/Participants/{MB}",
}

// emuNumericParams are the query and form values the emulator reads as
// numbers, durations, indexes or page positions.
var emuNumericParams = []string{
	"PageSize", "Page", "PageToken", "LastReadMessageIndex", "Timers.Inactive", "Timers.Closed",
	"DefaultInactiveTimer", "DefaultClosedTimer", "Configuration.ReplayAfter", "AutoCreation.StudioRetryCount",
	"DateCreated", "DateUpdated", "LastReadTimestamp", "StartDate", "EndDate", "Index",
}

// emuStringParams are the other values, checked with fewer hostile values.
var emuStringParams = []string{
	"FriendlyName", "UniqueName", "Identity", "Attributes", "Body", "Author", "MediaSid", "ContentSid",
	"ContentVariables", "State", "MessagingBinding.Address", "MessagingBinding.ProxyAddress",
	"MessagingBinding.ProjectedAddress", "RoleSid", "Permission", "Type", "Address", "Filters", "Method",
	"Target", "Configuration.Url", "Configuration.Filters", "Configuration.Method", "Configuration.Triggers",
	"Configuration.FlowSid", "NotificationLevel", "Order", "Participant", "ReachabilityEnabled", "Sandbox",
	"Secret", "PreWebhookUrl", "PostWebhookUrl", "MessagingServiceSid", "Bindings.Email.Address",
	"AutoCreation.Enabled", "AutoCreation.Type", "AutoCreation.WebhookUrl", "BindingType", "LogEnabled",
	"NewMessage.Enabled", "DefaultChatServiceSid",
}

// pageToken builds a page token in the emulator's format with raw cursor
// values, to check that a forged one is refused rather than trusted.
func pageToken(raw string) string {
	return "PT" + base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var hostileNumbers = []string{
	"", "-1", "0", "1", "-0", "+1", " 1", "1 ", "1.5", "1e9", "0x10", "NaN", "Inf", "∞", "١",
	"2147483647", "2147483648", "4294967296", "-2147483649",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808", "184467440737095516160000",
	"99999999999999999999999999999999999999999999999999", "\x00", "\xff\xfe", "%", "1;DROP",
	"PT9223372036854775807S", "P9999999999999999999Y", "PT2562048H", "P106751DT23H47M16.854775808S",
	"PT1.99999999999999999999999999999S", "P1Y1M1W1DT1H1M1S", "PT0S", "PT59S", "-PT1M",
	"9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2024-02-30", "2024-01-01T00:00:00+99:99",
	pageToken("o=9223372036854775807"), pageToken("o=-1"), pageToken("o=4611686018427387904"),
	pageToken("o=99999999999999999999"), pageToken("f=x&k=y&o=1"), "PT", "PT!!",
	strings.Repeat("9", 5000),
}

var hostileStringValues = []string{
	"", strings.Repeat("é", 257), strings.Repeat("x", 70000), "\x00", "\xff", "{", `{"a":`,
	"null", "[]", `{"k":1}`, "CH00000000000000000000000000000000", "whatsapp:", ":", "http://[::1",
}

// endpointLabel names a request for messages.
func endpointLabel(method, path, key, value string) string {
	if len(value) > 40 {
		value = fmt.Sprintf("%.40q…(%d bytes)", value, len(value))
	} else {
		value = fmt.Sprintf("%q", value)
	}
	return fmt.Sprintf("%s %s %s=%s", method, path, key, value)
}
