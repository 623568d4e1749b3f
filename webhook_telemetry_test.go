package conversations

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWebhookTelemetry checks the delivery span's attributes and the
// webhook measurements for each way a delivery ends.
func TestWebhookTelemetry(t *testing.T) {
	type want struct {
		name   string
		status int
		attrs  map[string]any
		err    string
	}
	started, release := make(chan struct{}), make(chan struct{})
	tests := []struct {
		name     string
		opts     []WebhookOption
		register func(h *WebhookHandler)
		send     func(t *testing.T, h http.Handler) *httptest.ResponseRecorder
		want     want
	}{
		{"pre-event rejected", nil, func(h *WebhookHandler) {
			h.OnMessageAdd(func(context.Context, *MessageAddEvent) (Decision, error) { return Reject(), nil })
		}, func(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
			return serve(t, h, baseForm(EventMessageAdd, "Body", "spam"), "")
		}, want{"Webhook onMessageAdd", RejectStatus, map[string]any{
			attrSignature: "valid", attrDecision: "reject", attrDeadlineHit: false, attrWebhookOutcome: whRejected,
			attrCallbackOutcome: callbackOutcomeOK, attrEventType: "onMessageAdd"}, ""}},
		{"pre-event deadline hit", []WebhookOption{WithPreEventTimeout(20*time.Millisecond, Allow())}, func(h *WebhookHandler) {
			h.OnMessageAdd(func(ctx context.Context, _ *MessageAddEvent) (Decision, error) {
				<-ctx.Done()
				return Reject(), nil
			})
		}, func(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
			return serve(t, h, baseForm(EventMessageAdd, "Body", "slow"), "")
		}, want{"Webhook onMessageAdd", 200, map[string]any{
			attrDecision: "allow", attrDeadlineHit: true, attrWebhookOutcome: whTimeoutDecision, attrCallbackOutcome: callbackOutcomeLate}, ""}},
		{"post-event callback error", nil, func(h *WebhookHandler) {
			h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { return errors.New("db down") })
		}, func(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
			return serve(t, h, baseForm(EventMessageAdded, "Body", "hi"), "")
		}, want{"Webhook onMessageAdded", 500, map[string]any{
			attrWebhookOutcome: whCallbackError, attrCallbackOutcome: callbackOutcomeError, attrErrorType: "500"}, "500"}},
		{"duplicate in progress", []WebhookOption{WithDuplicateFilter(NewMemoryDuplicateFilter(time.Hour, 10))}, func(h *WebhookHandler) {
			h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { close(started); <-release; return nil })
		}, func(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
			done := make(chan struct{})
			go func() {
				defer close(done)
				r, _ := NewSignedWebhookRequest(hookToken, hookURL, baseForm(EventMessageAdded, "Body", "hi"))
				r.Header.Set(IdempotencyHeader, "tok-1")
				h.ServeHTTP(httptest.NewRecorder(), r)
			}()
			<-started
			w := serve(t, h, baseForm(EventMessageAdded, "Body", "hi"), "tok-1")
			close(release)
			<-done
			return w
		}, want{"Webhook onMessageAdded", InProgressStatus, map[string]any{
			attrDuplicate: "in_progress", attrWebhookOutcome: whInProgress}, "503"}},
		{"bad signature", nil, nil, func(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
			r, err := NewSignedWebhookRequest("another-token", hookURL, baseForm(EventMessageAdded, "Body", "hi"))
			require.NoError(t, err)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}, want{"Webhook", http.StatusForbidden, map[string]any{
			attrSignature: "invalid", attrWebhookOutcome: "signature_invalid"}, ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			h := newHandler(t, append(tc.opts, WithWebhookTelemetry(rec))...)
			if tc.register != nil {
				tc.register(h)
			}
			w := tc.send(t, h)
			require.Equal(t, tc.want.status, w.Code)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			var span *recSpan
			for _, s := range rec.spans {
				if s.kind == SpanKindServer && s.attrs[attrStatusCode] == int64(tc.want.status) {
					span = s
				}
			}
			require.NotNil(t, span, "no server span answered %d", tc.want.status)
			assert.Equal(t, tc.want.name, span.name)
			assert.True(t, span.ended)
			assert.Equal(t, tc.want.err, span.err)
			for k, v := range tc.want.attrs {
				assert.Equal(t, v, span.attrs[k], k)
			}
			found := false
			for _, m := range rec.metrics {
				if m.m == MetricWebhookDeliveries && m.attrs[attrWebhookOutcome] == tc.want.attrs[attrWebhookOutcome] {
					found = true
					assert.Equal(t, int64(tc.want.status), m.attrs[attrStatusCode])
				}
			}
			assert.True(t, found, "no delivery measurement with outcome %v", tc.want.attrs[attrWebhookOutcome])
		})
	}
}

// TestWebhookTelemetryCallbackContext: the callback's context carries the
// delivery span, so an API call made in the callback is its child.
func TestWebhookTelemetryCallbackContext(t *testing.T) {
	rec := &recorder{}
	c, mt := newTestClient(t, WithTelemetry(rec))
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 201, Body: http.NoBody, Header: http.Header{}}, nil
	})
	h := newHandler(t, WithWebhookTelemetry(rec))
	h.OnMessageAdded(func(ctx context.Context, ev *MessageAddedEvent) error {
		return c.Conversations.Delete(ctx, "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", nil)
	})
	w := serve(t, h, baseForm(EventMessageAdded, "Body", "hi"), "")
	require.Equal(t, 200, w.Code)
	var server, op *recSpan
	for _, s := range rec.spans {
		switch {
		case s.kind == SpanKindServer:
			server = s
		case s.name == "DeleteConversation":
			op = s
		}
	}
	require.NotNil(t, server)
	require.NotNil(t, op)
	assert.Same(t, server, op.parent)
	assert.False(t, strings.Contains(server.name, "hi"))
}

// The decision attribute names every action in one word, as metric and span
// values want it.
func TestDecisionNames(t *testing.T) {
	for a, want := range map[decisionAction]string{
		actionAllow: "allow", actionReject: "reject",
		actionModifyConversation: "modify_conversation", actionModifyMessage: "modify_message",
		decisionAction(99): "invalid",
	} {
		if got := decisionName(a); got != want {
			t.Errorf("decisionName(%d) = %q, want %q", a, got, want)
		}
	}
}
