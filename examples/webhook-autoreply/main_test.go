package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "test-auth-token"
	hookURL   = "http://127.0.0.1:3000/webhook"
)

// fakeAPI records the messages the bot posts.
type fakeAPI struct {
	mu    sync.Mutex
	posts []url.Values
	paths []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	if user != testSID || pass != testToken {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_ = r.ParseForm()
	f.mu.Lock()
	f.posts = append(f.posts, r.PostForm)
	f.paths = append(f.paths, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{
		"sid": "IM00000000000000000000000000000001", "author": r.PostForm.Get("Author"), "body": r.PostForm.Get("Body"),
	})
}

func setup(t *testing.T, agent string) (http.Handler, *fakeAPI) {
	t.Helper()
	api := &fakeAPI{}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	env := map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": testToken}
	h, err := newHandler(options{baseURL: srv.URL, agent: agent}, func(k string) string { return env[k] },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	return h, api
}

func post(t *testing.T, h http.Handler, token string, ev conversations.Event) int {
	t.Helper()
	form, err := conversations.EncodeEvent(ev)
	require.NoError(t, err)
	r, err := conversations.NewSignedWebhookRequest(token, hookURL, form)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestRepliesToCustomers(t *testing.T) {
	h, api := setup(t, "agent-alice")
	code := post(t, h, testToken, &conversations.MessageAddedEvent{MessageFields: conversations.MessageFields{
		ConversationSID: "CH00000000000000000000000000000001", Author: "+15551234567", Body: "Where is my order?",
	}})
	assert.Equal(t, http.StatusOK, code)
	require.Len(t, api.posts, 1)
	assert.Equal(t, "POST /v1/Conversations/CH00000000000000000000000000000001/Messages", api.paths[0])
	assert.Equal(t, "support-bot", api.posts[0].Get("Author"))
	assert.Equal(t, "Thanks — an agent will be with you shortly.", api.posts[0].Get("Body"))
}

func TestRepliesInTheEventsService(t *testing.T) {
	h, api := setup(t, "")
	code := post(t, h, testToken, &conversations.MessageAddedEvent{
		ChatServiceSID: "IS00000000000000000000000000000009",
		MessageFields:  conversations.MessageFields{ConversationSID: "CH00000000000000000000000000000002", Author: "+15551234567", Body: "hi"},
	})
	assert.Equal(t, http.StatusOK, code)
	require.Len(t, api.paths, 1)
	assert.Equal(t, "POST /v1/Services/IS00000000000000000000000000000009/Conversations/CH00000000000000000000000000000002/Messages", api.paths[0])
}

func TestIgnoresBotAgentAndOtherEvents(t *testing.T) {
	h, api := setup(t, "agent-alice")
	for _, author := range []string{"support-bot", "agent-alice"} {
		assert.Equal(t, http.StatusOK, post(t, h, testToken, &conversations.MessageAddedEvent{MessageFields: conversations.MessageFields{ConversationSID: "CH1", Author: author, Body: "hi"}}))
	}
	assert.Equal(t, http.StatusOK, post(t, h, testToken, &conversations.ParticipantAddedEvent{ParticipantFields: conversations.ParticipantFields{ConversationSID: "CH1"}}))
	assert.Empty(t, api.posts)
}

func TestRejectsUnsignedWebhooks(t *testing.T) {
	h, api := setup(t, "")
	code := post(t, h, "not-the-token", &conversations.MessageAddedEvent{MessageFields: conversations.MessageFields{ConversationSID: "CH1", Author: "+1555", Body: "hi"}})
	assert.Equal(t, http.StatusForbidden, code)
	assert.Empty(t, api.posts)
}

func TestReplyFailureIs500(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":50350,"message":"Conversation not found","status":400}`)
	}))
	defer api.Close()
	env := map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": testToken}
	h, err := newHandler(options{baseURL: api.URL}, func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, post(t, h, testToken, &conversations.MessageAddedEvent{MessageFields: conversations.MessageFields{ConversationSID: "CH1", Author: "+1555"}}))
}

func TestNeedsCredentials(t *testing.T) {
	_, err := newHandler(options{}, func(string) string { return "" }, slog.Default())
	assert.Error(t, err)
}
