package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var realEnv = map[string]string{
	"TWILIO_ACCOUNT_SID":        "AC0123456789abcdef0123456789abcdef",
	"TWILIO_API_KEY":            "SKfedcba9876543210fedcba9876543210",
	"TWILIO_API_SECRET":         "not-so-secret-test-secret",
	"CONVERSATIONS_SERVICE_SID": "IS00112233445566778899aabbccddeeff",
}

func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func testConfig(t *testing.T) config {
	t.Helper()
	cfg, err := configFromEnv(getenv(realEnv))
	require.NoError(t, err)
	return cfg
}

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	var body map[string]any
	if res.Header.Get("Content-Type") == "application/json" {
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	}
	return res, body
}

func TestHandlerMintsToken(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := newHandler(testConfig(t), log.New(&logs, "", 0))

	res, body := get(t, h, http.MethodGet, "/token?identity="+url.QueryEscape("alice smith+1@example.com"))
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	assert.Equal(t, "alice smith+1@example.com", body["identity"])
	assert.Len(t, body, 2)

	parsed, err := jwt.Parse(body["token"].(string),
		func(*jwt.Token) (any, error) { return []byte(realEnv["TWILIO_API_SECRET"]), nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(realEnv["TWILIO_API_KEY"]),
		jwt.WithSubject(realEnv["TWILIO_ACCOUNT_SID"]),
	)
	require.NoError(t, err)
	claims := parsed.Claims.(jwt.MapClaims)
	assert.Equal(t, map[string]any{
		"identity": "alice smith+1@example.com",
		"chat":     map[string]any{"service_sid": realEnv["CONVERSATIONS_SERVICE_SID"]},
	}, claims["grants"])
	assert.Empty(t, logs.String())
}

func TestHandlerRejects(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := newHandler(testConfig(t), log.New(&logs, "", 0))

	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{http.MethodGet, "/token", http.StatusBadRequest},
		{http.MethodGet, "/token?identity=", http.StatusBadRequest},
		{http.MethodGet, "/token?identity=" + strings.Repeat("x", 257), http.StatusBadRequest},
		{http.MethodGet, "/token?identity=%FF", http.StatusBadRequest},
		{http.MethodPost, "/token?identity=alice", http.StatusMethodNotAllowed},
		{http.MethodGet, "/other", http.StatusNotFound},
	} {
		res, body := get(t, h, tc.method, tc.target)
		assert.Equal(t, tc.status, res.StatusCode, "%s %s", tc.method, tc.target)
		if tc.status == http.StatusBadRequest {
			assert.NotEmpty(t, body["error"])
			assert.NotContains(t, body, "token")
		}
	}
	assert.Empty(t, logs.String())
}

func TestHandlerHidesConfigErrors(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.TTL = 48 * time.Hour // invalid: a server-side problem, not the client's
	var logs bytes.Buffer
	res, body := get(t, newHandler(cfg, log.New(&logs, "", 0)), http.MethodGet, "/token?identity=alice")
	assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
	assert.Equal(t, "could not mint token", body["error"])
	assert.Contains(t, logs.String(), "invalid TTL")
	assert.NotContains(t, logs.String(), realEnv["TWILIO_API_SECRET"])
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	cfg, err := configFromEnv(getenv(nil))
	require.NoError(t, err)
	assert.True(t, cfg.Demo)
	assert.Equal(t, demoServiceSID, cfg.ServiceSID)

	cfg, err = configFromEnv(getenv(realEnv))
	require.NoError(t, err)
	assert.False(t, cfg.Demo)
	assert.Equal(t, realEnv["TWILIO_API_SECRET"], cfg.APIKeySecret)

	_, err = configFromEnv(getenv(map[string]string{"TWILIO_ACCOUNT_SID": realEnv["TWILIO_ACCOUNT_SID"]}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TWILIO_API_KEY, TWILIO_API_SECRET, CONVERSATIONS_SERVICE_SID")
}

func TestRunOnce(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-once", "alice", "-ttl", "5m"}, getenv(nil), &stdout, &stderr)
	require.NoError(t, err)
	assert.Contains(t, stderr.String(), "FAKE demo credentials")
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one log line")

	token := strings.TrimSpace(stdout.String())
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(token, claims,
		func(*jwt.Token) (any, error) { return []byte(demoAPISecret), nil },
		jwt.WithValidMethods([]string{"HS256"}))
	require.NoError(t, err)
	assert.Equal(t, float64(300), claims["exp"].(float64)-claims["nbf"].(float64))
	assert.Equal(t, "alice", claims["grants"].(map[string]any)["identity"])
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-once", ""},
		{"-ttl", "25h", "-once", "alice"},
		{"-bogus"},
		{"extra"},
		{"-addr", "256.0.0.1:bad"},
	} {
		err := run(context.Background(), args, getenv(nil), io.Discard, io.Discard)
		assert.Error(t, err, "%q", args)
	}
	err := run(context.Background(), []string{"-once", "alice"},
		getenv(map[string]string{"TWILIO_API_KEY": "x"}), io.Discard, io.Discard)
	assert.ErrorContains(t, err, "missing environment variables")
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := run(ctx, []string{"-addr", "127.0.0.1:0"}, getenv(realEnv), io.Discard, io.Discard)
	require.NoError(t, err)
}
