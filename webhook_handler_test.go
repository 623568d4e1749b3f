package conversations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	hookToken = "test-auth-token-0123456789abcdef"
	hookURL   = "https://bot.example.com/twilio/conversations"
)

func newHandler(t *testing.T, opts ...WebhookOption) *WebhookHandler {
	t.Helper()
	h, err := NewWebhookHandler(hookToken, opts...)
	require.NoError(t, err)
	return h
}

func serve(t *testing.T, h http.Handler, form url.Values, idem string) *httptest.ResponseRecorder {
	t.Helper()
	r, err := NewSignedWebhookRequest(hookToken, hookURL, form)
	require.NoError(t, err)
	if idem != "" {
		r.Header.Set(IdempotencyHeader, idem)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestNewWebhookHandlerErrors(t *testing.T) {
	_, err := NewWebhookHandler("")
	assert.ErrorIs(t, err, ErrNoAuthToken)
	_, err = NewWebhookHandler(hookToken, WithPublicURL("ftp://x"))
	assert.Error(t, err)
	_, err = NewWebhookHandler(hookToken, WithPublicURL("https://x/?q=1"))
	assert.Error(t, err)
}

func TestHandlerPreEventResponses(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		register   func(h *WebhookHandler)
		wantStatus int
		wantBody   string // JSON, or "" for no body check
	}{
		{"allow", baseForm(EventMessageAdd, "Body", "hello"), func(h *WebhookHandler) {
			h.OnMessageAdd(func(ctx context.Context, ev *MessageAddEvent) (Decision, error) { return Allow(), nil })
		}, 200, `{}`},
		{"zero decision allows", baseForm(EventConversationUpdate), func(h *WebhookHandler) {
			h.OnConversationUpdate(func(ctx context.Context, ev *ConversationUpdateEvent) (Decision, error) { return Decision{}, nil })
		}, 200, `{}`},
		{"reject", baseForm(EventMessageAdd, "Body", "spam"), func(h *WebhookHandler) {
			h.OnMessageAdd(func(ctx context.Context, ev *MessageAddEvent) (Decision, error) {
				if strings.Contains(ev.Body, "spam") {
					return Reject(), nil
				}
				return Allow(), nil
			})
		}, RejectStatus, ""},
		{"modify message body only", baseForm(EventMessageAdd, "Body", "darn"), func(h *WebhookHandler) {
			h.OnMessageAdd(func(ctx context.Context, ev *MessageAddEvent) (Decision, error) {
				return ModifyMessage(MessageChanges{Body: Ptr(strings.ReplaceAll(ev.Body, "darn", "****"))}), nil
			})
		}, 200, `{"body":"****"}`},
		{"modify message all fields", baseForm(EventMessageUpdate, "Body", "x"), func(h *WebhookHandler) {
			h.OnMessageUpdate(func(ctx context.Context, ev *MessageUpdateEvent) (Decision, error) {
				a, err := NewAttributes(map[string]bool{"moderated": true})
				require.NoError(t, err)
				return ModifyMessage(MessageChanges{Body: Ptr(""), Author: Ptr("moderator"), Attributes: a}), nil
			})
		}, 200, `{"body":"","author":"moderator","attributes":"{\"moderated\":true}"}`},
		{"modify conversation", baseForm(EventConversationAdd, "FriendlyName", "x"), func(h *WebhookHandler) {
			h.OnConversationAdd(func(ctx context.Context, ev *ConversationAddEvent) (Decision, error) {
				return ModifyConversation(ConversationChanges{FriendlyName: Ptr("Support: " + ev.FriendlyName)}), nil
			})
		}, 200, `{"friendly_name":"Support: x"}`},
		{"modify with no changes", baseForm(EventConversationUpdate), func(h *WebhookHandler) {
			h.OnConversationUpdate(func(ctx context.Context, ev *ConversationUpdateEvent) (Decision, error) {
				return ModifyConversation(ConversationChanges{}), nil
			})
		}, 200, `{}`},
		{"modify that does not fit the event", baseForm(EventParticipantAdd), func(h *WebhookHandler) {
			h.OnParticipantAdd(func(ctx context.Context, ev *ParticipantAddEvent) (Decision, error) {
				return ModifyMessage(MessageChanges{Body: Ptr("x")}), nil
			})
		}, 500, ""},
		{"modify conversation on message", baseForm(EventMessageAdd), func(h *WebhookHandler) {
			h.OnMessageAdd(func(ctx context.Context, ev *MessageAddEvent) (Decision, error) {
				return ModifyConversation(ConversationChanges{FriendlyName: Ptr("x")}), nil
			})
		}, 500, ""},
		{"modify with invalid attributes", baseForm(EventMessageAdd), func(h *WebhookHandler) {
			h.OnMessageAdd(func(ctx context.Context, ev *MessageAddEvent) (Decision, error) {
				return ModifyMessage(MessageChanges{Attributes: Attributes{raw: "{"}}), nil
			})
		}, 500, ""},
		{"callback error", baseForm(EventUserUpdate), func(h *WebhookHandler) {
			h.OnUserUpdate(func(ctx context.Context, ev *UserUpdateEvent) (Decision, error) {
				return Allow(), errors.New("db down")
			})
		}, 500, ""},
		{"callback panic", baseForm(EventConversationRemove), func(h *WebhookHandler) {
			h.OnConversationRemove(func(ctx context.Context, ev *ConversationRemoveEvent) (Decision, error) { panic("bug") })
		}, 500, ""},
		{"unregistered pre-event", baseForm(EventMessageRemove), func(h *WebhookHandler) {}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t)
			tc.register(h)
			w := serve(t, h, tc.form, "")
			assert.Equal(t, tc.wantStatus, w.Code, w.Body.String())
			if tc.wantBody != "" {
				assert.JSONEq(t, tc.wantBody, w.Body.String())
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			}
			if tc.wantStatus >= 500 {
				assert.NotContains(t, w.Body.String(), hookToken)
			}
		})
	}
}

func TestHandlerUnregisteredEventEmpty(t *testing.T) {
	h := newHandler(t)
	w := serve(t, h, baseForm(EventMessageAdded), "")
	assert.Equal(t, 200, w.Code)
	assert.Empty(t, w.Body.String())
}

func TestHandlerPostEvents(t *testing.T) {
	h := newHandler(t)
	type ctxKey struct{}
	var got *MessageAddedEvent
	var gotCtx context.Context
	h.OnMessageAdded(func(ctx context.Context, ev *MessageAddedEvent) error {
		got, gotCtx = ev, ctx
		if ev.Body == "fail" {
			return errors.New("send failed")
		}
		return nil
	})
	form := baseForm(EventMessageAdded, "Body", "hi", "Author", "+1555", "Index", "4")
	r, err := NewSignedWebhookRequest(hookToken, hookURL, form)
	require.NoError(t, err)
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "v"))
	r.Header.Set(IdempotencyHeader, "tok-1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, 200, w.Code)
	assert.Empty(t, w.Body.String())
	require.NotNil(t, got)
	assert.Equal(t, "hi", got.Body)
	assert.Equal(t, 4, got.Index)
	assert.Equal(t, "tok-1", got.IdempotencyToken)
	assert.Equal(t, "v", gotCtx.Value(ctxKey{}), "callbacks get the request's context")

	w = serve(t, h, baseForm(EventMessageAdded, "Body", "fail"), "")
	assert.Equal(t, 500, w.Code)

	var n atomic.Int32
	h.OnDeliveryUpdated(func(ctx context.Context, ev *DeliveryUpdatedEvent) error { panic("boom") })
	h.OnUnknownEvent(func(ctx context.Context, ev *UnknownEvent) error {
		n.Add(1)
		assert.Equal(t, EventType("onFuture"), ev.Type)
		return nil
	})
	assert.Equal(t, 500, serve(t, h, baseForm(EventDeliveryUpdated, "Status", "read"), "").Code)
	assert.Equal(t, 200, serve(t, h, baseForm("onFuture"), "").Code)
	assert.Equal(t, int32(1), n.Load())
}

func TestHandlerEveryRegistration(t *testing.T) {
	h := newHandler(t)
	called := map[EventType]int{}
	pre := func(t EventType) { called[t]++ }
	h.OnConversationAdd(func(context.Context, *ConversationAddEvent) (Decision, error) {
		pre(EventConversationAdd)
		return Allow(), nil
	})
	h.OnConversationUpdate(func(context.Context, *ConversationUpdateEvent) (Decision, error) {
		pre(EventConversationUpdate)
		return Allow(), nil
	})
	h.OnConversationRemove(func(context.Context, *ConversationRemoveEvent) (Decision, error) {
		pre(EventConversationRemove)
		return Allow(), nil
	})
	h.OnMessageAdd(func(context.Context, *MessageAddEvent) (Decision, error) { pre(EventMessageAdd); return Allow(), nil })
	h.OnMessageUpdate(func(context.Context, *MessageUpdateEvent) (Decision, error) {
		pre(EventMessageUpdate)
		return Allow(), nil
	})
	h.OnMessageRemove(func(context.Context, *MessageRemoveEvent) (Decision, error) {
		pre(EventMessageRemove)
		return Allow(), nil
	})
	h.OnParticipantAdd(func(context.Context, *ParticipantAddEvent) (Decision, error) {
		pre(EventParticipantAdd)
		return Allow(), nil
	})
	h.OnParticipantUpdate(func(context.Context, *ParticipantUpdateEvent) (Decision, error) {
		pre(EventParticipantUpdate)
		return Allow(), nil
	})
	h.OnParticipantRemove(func(context.Context, *ParticipantRemoveEvent) (Decision, error) {
		pre(EventParticipantRemove)
		return Allow(), nil
	})
	h.OnUserUpdate(func(context.Context, *UserUpdateEvent) (Decision, error) { pre(EventUserUpdate); return Allow(), nil })
	h.OnConversationAdded(func(context.Context, *ConversationAddedEvent) error { pre(EventConversationAdded); return nil })
	h.OnConversationUpdated(func(context.Context, *ConversationUpdatedEvent) error { pre(EventConversationUpdated); return nil })
	h.OnConversationRemoved(func(context.Context, *ConversationRemovedEvent) error { pre(EventConversationRemoved); return nil })
	h.OnConversationStateUpdated(func(context.Context, *ConversationStateUpdatedEvent) error {
		pre(EventConversationStateUpdated)
		return nil
	})
	h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { pre(EventMessageAdded); return nil })
	h.OnMessageUpdated(func(context.Context, *MessageUpdatedEvent) error { pre(EventMessageUpdated); return nil })
	h.OnMessageRemoved(func(context.Context, *MessageRemovedEvent) error { pre(EventMessageRemoved); return nil })
	h.OnParticipantAdded(func(context.Context, *ParticipantAddedEvent) error { pre(EventParticipantAdded); return nil })
	h.OnParticipantUpdated(func(context.Context, *ParticipantUpdatedEvent) error { pre(EventParticipantUpdated); return nil })
	h.OnParticipantRemoved(func(context.Context, *ParticipantRemovedEvent) error { pre(EventParticipantRemoved); return nil })
	h.OnDeliveryUpdated(func(context.Context, *DeliveryUpdatedEvent) error { pre(EventDeliveryUpdated); return nil })
	h.OnUserAdded(func(context.Context, *UserAddedEvent) error { pre(EventUserAdded); return nil })
	h.OnUserUpdated(func(context.Context, *UserUpdatedEvent) error { pre(EventUserUpdated); return nil })
	for _, tc := range eventCases() {
		w := serve(t, h, tc.form, "")
		assert.Equal(t, 200, w.Code, tc.form.Get("EventType"))
		et := EventType(tc.form.Get("EventType"))
		if et.IsPreEvent() {
			assert.JSONEq(t, `{}`, w.Body.String())
		} else {
			assert.Empty(t, w.Body.String())
		}
	}
	assert.Len(t, called, 23)
	for et, n := range called {
		assert.Equal(t, 1, n, et)
	}
}

func TestHandlerRequestErrors(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHandler(t, WithWebhookLogger(logger), WithMaxBodyBytes(4096))
	called := false
	h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { called = true; return nil })
	form := baseForm(EventMessageAdded, "Body", "hi")

	do := func(mut func(r *http.Request) *http.Request) *httptest.ResponseRecorder {
		r, err := NewSignedWebhookRequest(hookToken, hookURL, form)
		require.NoError(t, err)
		r = mut(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	tests := []struct {
		name   string
		mut    func(r *http.Request) *http.Request
		status int
	}{
		{"missing signature", func(r *http.Request) *http.Request { r.Header.Del(SignatureHeader); return r }, 400},
		{"bad signature", func(r *http.Request) *http.Request {
			r.Header.Set(SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
			return r
		}, 403},
		{"other token", func(r *http.Request) *http.Request {
			r.Header.Set(SignatureHeader, ComputeSignature("other", hookURL, form))
			return r
		}, 403},
		{"tampered body", func(r *http.Request) *http.Request {
			f := baseForm(EventMessageAdded, "Body", "evil")
			r2, _ := http.NewRequest(http.MethodPost, hookURL, strings.NewReader(f.Encode()))
			r2.Header = r.Header
			r2.TLS = r.TLS
			return r2
		}, 403},
		{"wrong method", func(r *http.Request) *http.Request { r.Method = http.MethodPut; return r }, 405},
		{"body too large", func(r *http.Request) *http.Request {
			big := baseForm(EventMessageAdded, "Body", strings.Repeat("x", 5000))
			r2, _ := NewSignedWebhookRequest(hookToken, hookURL, big)
			return r2
		}, 413},
		{"malformed field", func(r *http.Request) *http.Request {
			f := baseForm(EventMessageAdded, "Index", "x")
			r2, _ := NewSignedWebhookRequest(hookToken, hookURL, f)
			return r2
		}, 400},
		{"malformed form", func(r *http.Request) *http.Request {
			r2, _ := http.NewRequest(http.MethodPost, hookURL, strings.NewReader("EventType=%zz"))
			r2.Header.Set(SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
			return r2
		}, 400},
		{"JSON body", func(r *http.Request) *http.Request {
			u := hookURL + "?bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
			r2, _ := http.NewRequest(http.MethodPost, u, strings.NewReader("{}"))
			r2.TLS = r.TLS
			r2.Header.Set(SignatureHeader, ComputeSignature(hookToken, u, nil))
			return r2
		}, 415},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(tc.mut)
			assert.Equal(t, tc.status, w.Code)
		})
	}
	assert.False(t, called, "no callback runs for a rejected request")
	assert.Equal(t, "POST, GET", do(func(r *http.Request) *http.Request { r.Method = http.MethodDelete; return r }).Header().Get("Allow"))

	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	assert.Contains(t, logs, "webhook rejected")
	assert.NotContains(t, logs, hookToken, "the token is never logged")
	assert.NotContains(t, logs, ComputeSignature(hookToken, hookURL, form), "signatures are not logged")
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestHandlerGETWebhook(t *testing.T) {
	h := newHandler(t)
	var body string
	h.OnMessageAdded(func(_ context.Context, ev *MessageAddedEvent) error { body = ev.Body; return nil })
	u := hookURL + "?" + baseForm(EventMessageAdded, "Body", "via GET").Encode()
	r := httptest.NewRequest(http.MethodGet, u, nil)
	r.Header.Set(SignatureHeader, ComputeSignature(hookToken, u, nil))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "via GET", body)
}

func TestHandlerProxyAndRotation(t *testing.T) {
	form := baseForm(EventMessageAdded, "Body", "hi")
	newReq := func(token string) *http.Request {
		// Twilio called the public URL; the app sees the proxy's request.
		r := httptest.NewRequest(http.MethodPost, "http://10.1.2.3:8080/twilio/conversations", strings.NewReader(form.Encode()))
		r.Header.Set(SignatureHeader, ComputeSignature(token, hookURL, form))
		r.Header.Set("X-Forwarded-Proto", "https")
		r.Header.Set("X-Forwarded-Host", "bot.example.com")
		return r
	}
	for _, tc := range []struct {
		name   string
		opts   []WebhookOption
		token  string
		status int
	}{
		{"untrusted proxy", nil, hookToken, 403},
		{"trusted proxy", []WebhookOption{WithTrustedProxy()}, hookToken, 200},
		{"public URL", []WebhookOption{WithPublicURL("https://bot.example.com")}, hookToken, 200},
		{"old token without rotation", []WebhookOption{WithTrustedProxy()}, "old-token", 403},
		{"old token with rotation", []WebhookOption{WithTrustedProxy(), WithSecondaryAuthTokens("old-token")}, "old-token", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.opts...)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, newReq(tc.token))
			assert.Equal(t, tc.status, w.Code)
		})
	}
}

func TestHandlerDuplicates(t *testing.T) {
	filter := NewMemoryDuplicateFilter(time.Hour, 100)
	h := newHandler(t, WithDuplicateFilter(filter))
	var runs atomic.Int32
	fail := atomic.Bool{}
	h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error {
		runs.Add(1)
		if fail.Load() {
			return errors.New("transient")
		}
		return nil
	})
	var preRuns atomic.Int32
	h.OnMessageAdd(func(context.Context, *MessageAddEvent) (Decision, error) {
		preRuns.Add(1)
		return ModifyMessage(MessageChanges{Body: Ptr("clean")}), nil
	})
	form := baseForm(EventMessageAdded, "Body", "hi")

	assert.Equal(t, 200, serve(t, h, form, "idem-1").Code)
	assert.Equal(t, 200, serve(t, h, form, "idem-1").Code, "redelivery is acknowledged")
	assert.Equal(t, int32(1), runs.Load(), "redelivery runs once")
	assert.Equal(t, 200, serve(t, h, form, "idem-2").Code)
	assert.Equal(t, int32(2), runs.Load())
	// Without a token there is nothing to deduplicate on.
	serve(t, h, form, "")
	serve(t, h, form, "")
	assert.Equal(t, int32(4), runs.Load())

	// A failed delivery is released, so Twilio's retry runs again.
	fail.Store(true)
	assert.Equal(t, 500, serve(t, h, form, "idem-3").Code)
	fail.Store(false)
	assert.Equal(t, 200, serve(t, h, form, "idem-3").Code)
	assert.Equal(t, int32(6), runs.Load())
	assert.Equal(t, 200, serve(t, h, form, "idem-3").Code)
	assert.Equal(t, int32(6), runs.Load())

	// Pre-events are not filtered: every answer carries the decision.
	pre := baseForm(EventMessageAdd, "Body", "x")
	for range 2 {
		w := serve(t, h, pre, "idem-pre")
		assert.JSONEq(t, `{"body":"clean"}`, w.Body.String())
	}
	assert.Equal(t, int32(2), preRuns.Load())

	// A failing filter answers 500 without running the callback.
	h2 := newHandler(t, WithDuplicateFilter(failingFilter{}))
	h2.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { runs.Add(1); return nil })
	assert.Equal(t, 500, serve(t, h2, form, "idem-x").Code)
	assert.Equal(t, int32(6), runs.Load())
}

type failingFilter struct{}

func (failingFilter) Reserve(context.Context, string) (TokenState, Reservation, error) {
	return TokenNew, Reservation{}, errors.New("redis down")
}
func (failingFilter) Commit(context.Context, Reservation) error  { return nil }
func (failingFilter) Release(context.Context, Reservation) error { return nil }

// TestHandlerRedeliveryDuringSlowCallback: a redelivery that arrives while
// the first delivery's callback runs is not acknowledged, so that the event
// is not lost when the first attempt then fails; the next redelivery runs
// the callback again. After a success, a redelivery is skipped.
func TestHandlerRedeliveryDuringSlowCallback(t *testing.T) {
	for _, firstFails := range []bool{true, false} {
		t.Run(fmt.Sprintf("first fails %v", firstFails), func(t *testing.T) {
			h := newHandler(t, WithDuplicateFilter(NewMemoryDuplicateFilter(time.Hour, 100)))
			started, finish := make(chan struct{}), make(chan struct{})
			var runs atomic.Int32
			h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error {
				if runs.Add(1) == 1 {
					close(started)
					<-finish
					if firstFails {
						return errors.New("transient")
					}
				}
				return nil
			})
			form := baseForm(EventMessageAdded, "Body", "hi")
			first := make(chan int)
			go func() {
				r, _ := NewSignedWebhookRequest(hookToken, hookURL, form)
				r.Header.Set(IdempotencyHeader, "idem-slow")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				first <- w.Code
			}()
			<-started
			w := serve(t, h, form, "idem-slow")
			assert.Equal(t, InProgressStatus, w.Code, "a redelivery during the first attempt is not acknowledged")
			assert.Equal(t, "5", w.Header().Get("Retry-After"))
			assert.Equal(t, int32(1), runs.Load(), "the redelivery does not run the callback concurrently")
			close(finish)
			if firstFails {
				assert.Equal(t, 500, <-first)
				assert.Equal(t, 200, serve(t, h, form, "idem-slow").Code)
				assert.Equal(t, int32(2), runs.Load(), "after the failure, the next redelivery runs the callback")
			} else {
				assert.Equal(t, 200, <-first)
				assert.Equal(t, 200, serve(t, h, form, "idem-slow").Code)
				assert.Equal(t, int32(1), runs.Load(), "after the success, a redelivery is skipped")
			}
			assert.Equal(t, 200, serve(t, h, form, "idem-slow").Code)
			assert.Equal(t, int32(map[bool]int{true: 2, false: 1}[firstFails]), runs.Load())
		})
	}
}

// TestHandlerReleasesOnPanicAndCancel: a panicking callback releases the
// token, and the filter calls do not use the request's cancelled context.
func TestHandlerReleasesOnPanicAndCancel(t *testing.T) {
	f := &recordingFilter{MemoryDuplicateFilter: NewMemoryDuplicateFilter(time.Hour, 10)}
	h := newHandler(t, WithDuplicateFilter(f))
	var panics atomic.Bool
	panics.Store(true)
	h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error {
		if panics.Load() {
			panic("bug")
		}
		return nil
	})
	form := baseForm(EventMessageAdded, "Body", "hi")
	assert.Equal(t, 500, serve(t, h, form, "idem-p").Code)
	assert.Equal(t, 0, f.Len(), "a panic releases the token")
	panics.Store(false)

	ctx, cancel := context.WithCancel(context.Background())
	r, err := NewSignedWebhookRequest(hookToken, hookURL, form)
	require.NoError(t, err)
	r = r.WithContext(ctx)
	r.Header.Set(IdempotencyHeader, "idem-p")
	h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { cancel(); return nil })
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, 200, w.Code)
	assert.NoError(t, f.commitCtxErr, "Commit runs with a context that is not cancelled")
	assert.Equal(t, 200, serve(t, h, form, "idem-p").Code)
}

type recordingFilter struct {
	*MemoryDuplicateFilter
	commitCtxErr error
}

func (f *recordingFilter) Commit(ctx context.Context, r Reservation) error {
	f.commitCtxErr = ctx.Err()
	return f.MemoryDuplicateFilter.Commit(ctx, r)
}

func TestHandlerConcurrentDuplicates(t *testing.T) {
	h := newHandler(t, WithDuplicateFilter(NewMemoryDuplicateFilter(0, 0)))
	var runs atomic.Int32
	h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { runs.Add(1); return nil })
	form := baseForm(EventMessageAdded, "Body", "hi")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _ := NewSignedWebhookRequest(hookToken, hookURL, form)
			r.Header.Set(IdempotencyHeader, fmt.Sprintf("tok-%d", i%4))
			h.ServeHTTP(httptest.NewRecorder(), r)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(4), runs.Load())
}
