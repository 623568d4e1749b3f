package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// accepted sends n conversation creates at once to an emulator built with
// opts and returns how many were accepted before the first 429.
func accepted(t *testing.T, n int, opts []conversationstest.Option) int {
	t.Helper()
	emu := conversationstest.New(opts...)
	defer emu.Close()
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, "/v1/Conversations", strings.NewReader("FriendlyName=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		if rec.Code == http.StatusTooManyRequests {
			assert.Contains(t, rec.Body.String(), `"code":20429`)
			return i
		}
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	}
	return n
}

func TestVolumeFlags(t *testing.T) {
	opts, err := volumeOptions(false, 0, 0)
	require.NoError(t, err)
	assert.Empty(t, opts)
	assert.Equal(t, 100, accepted(t, 100, opts), "no limit without the flags")

	opts, err = volumeOptions(true, 0, 0)
	require.NoError(t, err)
	got := accepted(t, 100, opts)
	assert.GreaterOrEqual(t, got, 30, "-rate-limit: Twilio's 30 per second")
	assert.Less(t, got, 40)

	opts, err = volumeOptions(false, 5, 0)
	require.NoError(t, err)
	got = accepted(t, 100, opts)
	assert.GreaterOrEqual(t, got, 5, "-rate 5")
	assert.Less(t, got, 10)

	opts, err = volumeOptions(false, 0, 50*time.Millisecond)
	require.NoError(t, err)
	assert.Len(t, opts, 1)

	_, err = volumeOptions(true, -1, 0)
	assert.ErrorContains(t, err, "-rate")
	_, err = volumeOptions(false, 0, -time.Second)
	assert.ErrorContains(t, err, "-latency")
}
