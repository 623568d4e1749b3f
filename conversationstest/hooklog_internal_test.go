package conversationstest

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHookLogEntryBounded: a delivery to a 1 MB URL (which the API refuses,
// but a URL may come some other way) that fails with an error naming it
// makes one log entry of a few KiB: the URL and the error text are cut.
func TestHookLogEntryBounded(t *testing.T) {
	e := New()
	t.Cleanup(e.Close)
	huge := "http://user:secret@127.0.0.1:1/" + strings.Repeat("é", 1<<19) // 1 MB
	v := e.StateVersion()
	e.recordDelivery(huge, "POST", url.Values{"EventType": {"onMessageAdded"}}, time.Now(), 0, []byte(strings.Repeat("x", 1<<20)),
		&url.Error{Op: "Post", URL: huge, Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")})
	assert.Greater(t, e.StateVersion(), v, "a logged delivery moves the version: the inspector shows the log")
	entries := e.hooklog.after(0)
	require.Len(t, entries, 1)
	d := entries[0]
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Less(t, len(b), 6<<10)
	assert.True(t, strings.HasPrefix(d.URL, "http://127.0.0.1:1/%C3%A9%C3%A9"), d.URL[:40])
	assert.True(t, strings.HasSuffix(d.URL, "…"))
	assert.True(t, utf8.ValidString(d.URL) && utf8.ValidString(d.Error))
	assert.LessOrEqual(t, len(d.URL), hookURLLogSize+len("…"))
	assert.LessOrEqual(t, len(d.Error), hookErrorLogSize+len("…"))
	assert.NotContains(t, d.URL+d.Error, "secret")
	assert.Contains(t, d.Error, "Post")
}

func TestTruncateLog(t *testing.T) {
	assert.Equal(t, "abc", truncateLog("abc", 3))
	assert.Equal(t, "ab…", truncateLog("abcd", 2))
	assert.Equal(t, "a…", truncateLog("aéb", 2), "never half a character")
	assert.Equal(t, "aé…", truncateLog("aéb", 3))
	assert.Equal(t, "…", truncateLog("éé", 1))
}
