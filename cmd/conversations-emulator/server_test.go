package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHTTPServerTimeouts: the command's server has read, write and idle
// timeouts, so a client that stalls a request or stops reading a response
// (a large media download) loses its connection instead of holding it, and
// shutdown is not held up forever.
func TestHTTPServerTimeouts(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler())
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.Positive(t, srv.ReadTimeout)
	assert.Positive(t, srv.WriteTimeout)
	assert.Positive(t, srv.IdleTimeout)
	// Long enough for the largest media file (150 MB) at about 2 MB/s.
	assert.GreaterOrEqual(t, srv.WriteTimeout.Seconds(), 75.0)
	assert.GreaterOrEqual(t, srv.ReadTimeout.Seconds(), 75.0)
}
