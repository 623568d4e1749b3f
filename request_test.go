package conversations

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A network failure on a pre-signed URL must not put its signature in the
// error: Go's *url.Error carries the whole URL, query included.
func TestMediaDownloadNetworkErrorHidesTheSignature(t *testing.T) {
	const signed = "https://media.us1.twilio.com/" + mediaSID + "?X-Amz-Signature=SECRETSIG&X-Amz-Expires=300"
	for name, opts := range map[string][]Option{
		"no retries": nil,
		"retries":    {WithRetryPolicy(fastRetries)},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t, opts...)
			meta := bytes.ReplaceAll(mediaJSON("file_name", len(pngBytes)), []byte(tempURL), []byte(signed))
			onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, meta, http.StatusOK)
			var hits int
			mt.RegisterResponder(http.MethodGet, signed, func(*http.Request) (*http.Response, error) {
				hits++
				return nil, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
			})
			_, _, err := c.Service(serviceSID).Media.Download(context.Background(), mediaSID)
			require.Error(t, err)
			require.NotZero(t, hits, "the signed URL was requested")
			var re *RequestError
			require.ErrorAs(t, err, &re)
			assert.NotContains(t, err.Error(), "SECRETSIG")
			assert.NotContains(t, err.Error(), "X-Amz-Signature")
			assert.Contains(t, err.Error(), "connection reset by peer")
			assert.Contains(t, err.Error(), "media.us1.twilio.com/"+mediaSID, "the URL without its query still names the file")
		})
	}
}

// The URL a pre-signed URL redirects to is just as secret.
func TestMediaDownloadRedirectErrorHidesTheSignature(t *testing.T) {
	const signed = "https://media.us1.twilio.com/" + mediaSID + "?X-Amz-Signature=FIRSTSIG"
	const moved = "https://media-2.us1.twilio.com/" + mediaSID + "?X-Amz-Signature=SECRETSIG"
	c, mt := newTestClient(t)
	meta := bytes.ReplaceAll(mediaJSON("file_name", len(pngBytes)), []byte(tempURL), []byte(signed))
	onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, meta, http.StatusOK)
	mt.RegisterResponder(http.MethodGet, signed, func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(http.StatusFound, "")
		resp.Header.Set("Location", moved)
		return resp, nil
	})
	mt.RegisterResponder(http.MethodGet, moved, httpmock.NewErrorResponder(errors.New("connection refused")))
	_, _, err := c.Service(serviceSID).Media.Download(context.Background(), mediaSID)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRETSIG")
	assert.NotContains(t, err.Error(), "FIRSTSIG")
	assert.Contains(t, err.Error(), "media-2.us1.twilio.com", "the error names the host that failed")
}
