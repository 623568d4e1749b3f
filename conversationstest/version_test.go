package conversationstest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusedRequests are 35 requests the emulator refuses (401, 403, 404, 405,
// 415, 400): none may move the state version. Reads follow them in
// TestRefusedRequestsLeaveTheVersion.
func refusedRequests(h *harness, conv string) []rawReq {
	port := strings.TrimPrefix(h.srv.URL, "http://127.0.0.1:")
	is := h.srv.DefaultServiceSID()
	jsonCT := "application/json"
	return []rawReq{
		// 401: no or wrong credentials.
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=x", auth: "none"},
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=x", auth: "wrong"},
		{method: "DELETE", path: "/v1/Conversations/" + conv, auth: "none"},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "PostWebhookUrl=https%3A%2F%2Fevil.example", auth: "none"},
		{method: "POST", path: "/_emulator/reset", body: "{}", contentType: jsonCT, auth: "none"},
		{method: "PUT", path: "/_emulator/state", body: "{}", contentType: jsonCT, auth: "wrong"},
		{method: "POST", path: "/_emulator/clock", body: `{"advance":"PT1H"}`, contentType: jsonCT, auth: "none"},
		// 403: a foreign Host or Origin.
		{method: "POST", path: "/v1/Conversations", body: "FriendlyName=x", host: "evil.example:" + port},
		{method: "DELETE", path: "/v1/Conversations/" + conv, host: "127.0.0.1.nip.io:" + port},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "PostWebhookUrl=https%3A%2F%2Fevil.example", origin: "https://evil.example"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Messages", body: "Body=x", origin: "null"},
		{method: "POST", path: "/_emulator/reset", body: "{}", contentType: jsonCT, host: "localhost.:" + port},
		{method: "POST", path: "/_emulator/reset", body: "{}", contentType: jsonCT, origin: "https://evil.example"},
		{method: "POST", path: "/", body: "x=1", host: "evil.example:" + port},
		// 415: a control write that is not JSON.
		{method: "POST", path: "/_emulator/reset", body: "{}", contentType: "text/plain"},
		{method: "POST", path: "/_emulator/clock", body: "advance=PT1H", contentType: "application/x-www-form-urlencoded"},
		{method: "PUT", path: "/_emulator/state", body: "{}", contentType: "multipart/form-data; boundary=x"},
		// 404 and 405: nothing there.
		{method: "POST", path: "/v1/Conversations/CH00000000000000000000000000000000", body: "FriendlyName=x"},
		{method: "DELETE", path: "/v1/Conversations/CH00000000000000000000000000000000"},
		{method: "POST", path: "/v1/Services/IS00000000000000000000000000000000/Conversations", body: "FriendlyName=x"},
		{method: "POST", path: "/v1/Nothing", body: "x=1"},
		{method: "DELETE", path: "/_emulator/state"},
		{method: "PUT", path: "/v1/Conversations/" + conv, body: "FriendlyName=x"},
		// 400: validation errors.
		{method: "POST", path: "/v1/Conversations", body: "Timers.Inactive=soon"},
		{method: "POST", path: "/v1/Conversations", body: "State=asleep"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Participants", body: "RoleSid=nope"},
		{method: "POST", path: "/v1/Conversations/" + conv + "/Messages", body: "Author=alice"},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "Method=PUT"},
		{method: "POST", path: "/v1/Configuration/Webhooks", body: "PostWebhookUrl=" + hookURL(1<<20)},
		{method: "POST", path: "/v1/Services/" + is + "/Media", body: "", contentType: "image/png"},
		{method: "POST", path: "/_emulator/clock", body: `{"advance":"soon"}`, contentType: jsonCT},
		{method: "POST", path: "/_emulator/inbound", body: `{}`, contentType: jsonCT},
		{method: "POST", path: "/_emulator/deliveries", body: `{"address":""}`, contentType: jsonCT},
		{method: "POST", path: "/_emulator/bindings", body: `{"identity":"a"}`, contentType: jsonCT},
		{method: "PUT", path: "/_emulator/state", body: `{"version":7}`, contentType: jsonCT},
	}
}

// TestRefusedRequestsLeaveTheVersion: only a request that changed something
// moves the state version (which the inspector's change feed and the
// command's -state saver follow): 35 refused requests and the reads after
// them leave it where it was; one accepted write moves it by one.
func TestRefusedRequestsLeaveTheVersion(t *testing.T) {
	h := newHarness(t)
	conv := h.conversation("FriendlyName", "kept")
	h.srv.Flush()
	v0 := h.srv.StateVersion()
	reqs := refusedRequests(h, conv)
	require.Len(t, reqs, 35)
	for _, q := range reqs {
		status, body, _ := h.sendRaw(q)
		require.True(t, status >= 400 && status < 500, "%s %s: %d %s", q.method, q.path, status, body)
		require.Equal(t, v0, h.srv.StateVersion(), "%s %s (%d) moved the version", q.method, q.path, status)
	}
	for _, q := range []rawReq{
		{method: "GET", path: "/v1/Conversations"}, {method: "HEAD", path: "/v1/Conversations/" + conv},
		{method: "GET", path: "/_emulator/state"}, {method: "GET", path: "/_emulator/clock"}, {method: "GET", path: "/_emulator/webhooks"},
		{method: "GET", path: "/"},
	} {
		status, body, _ := h.sendRaw(q)
		require.Less(t, status, 400, "%s %s: %s", q.method, q.path, body)
	}
	assert.Equal(t, v0, h.srv.StateVersion(), "reads moved the version")

	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("Method", "GET"))
	assert.Equal(t, v0+1, h.srv.StateVersion(), "an accepted write moves it by one")
	h.ctlOK(201, "POST", "/_emulator/bindings", obj{"identity": "alice", "binding_type": "fcm", "address": "token-1"})
	assert.Equal(t, v0+2, h.srv.StateVersion(), "a binding registered through the control API moves it")
}

// TestRefusedInboundLeavesTheVersion: a simulated message the emulator
// refuses (no such conversation) does not move the version; one it takes
// does.
func TestRefusedInboundLeavesTheVersion(t *testing.T) {
	h := newHarness(t)
	conv := h.conversation("FriendlyName", "chat")
	h.participant(conv, "Identity", "alice")
	h.srv.Flush()
	v0 := h.srv.StateVersion()
	_, err := h.srv.SendChat("CH00000000000000000000000000000000", "alice", "hello")
	require.Error(t, err)
	_, err = h.srv.SendChat(conv, "bob", "not a participant")
	require.Error(t, err)
	assert.Equal(t, v0, h.srv.StateVersion())
	_, err = h.srv.SendChat(conv, "alice", "hello")
	require.NoError(t, err)
	assert.Greater(t, h.srv.StateVersion(), v0)
}
