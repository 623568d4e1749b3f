package conversations

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveConfiguration answers GET /v1/Configuration with the spec's example
// (default_chat_service_sid ISaaa...), after the statuses given first
// (500s, say), and counts the requests.
func serveConfiguration(t *testing.T, mt *httpmock.MockTransport, delay time.Duration, failFirst int) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	body := example(t, "FetchConfiguration", "fetch")
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Configuration", func(*http.Request) (*http.Response, error) {
		i := n.Add(1)
		time.Sleep(delay)
		if int(i) <= failFirst {
			return httpmock.NewStringResponse(http.StatusInternalServerError, `{"code":20500,"message":"Internal","status":500}`), nil
		}
		resp := httpmock.NewBytesResponse(http.StatusOK, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return &n
}

// client.Media works in the default Conversation Service, read once from the
// account's configuration.
func TestAccountMediaUsesDefaultService(t *testing.T) {
	c, mt := newTestClient(t)
	cfg := serveConfiguration(t, mt, 0, 0)
	fetches := onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, mediaJSON("file_name", len(pngBytes)), http.StatusOK)
	uploads := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusCreated)
	ctx := context.Background()

	m, err := c.Media.Fetch(ctx, mediaSID)
	require.NoError(t, err)
	assert.Equal(t, mediaSID, m.SID)
	_, err = c.Media.Upload(ctx, bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png", Filename: "a.png"})
	require.NoError(t, err)
	_, err = c.Media.Fetch(ctx, mediaSID)
	require.NoError(t, err)

	assert.EqualValues(t, 1, cfg.Load(), "the default service is read once")
	assert.Len(t, *fetches, 2)
	assert.Len(t, *uploads, 1)
}

// Concurrent first calls share one configuration request.
func TestAccountMediaResolvesOnceUnderConcurrency(t *testing.T) {
	c, mt := newTestClient(t)
	cfg := serveConfiguration(t, mt, 20*time.Millisecond, 0)
	fetches := onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, mediaJSON("file_name", len(pngBytes)), http.StatusOK)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Media.Fetch(context.Background(), mediaSID)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.EqualValues(t, 1, cfg.Load())
	assert.Len(t, *fetches, 16)
}

// A failed resolution is not kept: the next call tries again, and once it
// succeeded no call asks again.
func TestAccountMediaRetriesAFailedResolution(t *testing.T) {
	c, mt := newTestClient(t)
	cfg := serveConfiguration(t, mt, 0, 1)
	fetches := onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, mediaJSON("file_name", len(pngBytes)), http.StatusOK)
	ctx := context.Background()

	_, err := c.Media.Fetch(ctx, mediaSID)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/v1/Configuration", apiErr.Path)
	assert.Empty(t, *fetches, "no media request without a service")

	for range 3 {
		_, err = c.Media.Fetch(ctx, mediaSID)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 2, cfg.Load())
	assert.Len(t, *fetches, 3)
}

// An account without a default service gets a clear error, and no request
// reaches the Media Content Service.
func TestAccountMediaWithoutDefaultService(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{Method: http.MethodGet, Path: "/v1/Configuration", Body: []byte(`{"account_sid":"` + testAccountSID + `","default_chat_service_sid":null}`)})
	_, err := c.Media.Fetch(context.Background(), mediaSID)
	assert.ErrorIs(t, err, errNoDefaultService)
	assert.ErrorContains(t, err, "client.Service(sid).Media")
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// A caller waiting for another goroutine's resolution stops with its
// context.
func TestDefaultServiceWaitStopsWithContext(t *testing.T) {
	var d defaultService
	release := make(chan struct{})
	started := make(chan struct{})
	go func() {
		_, _ = d.get(context.Background(), func(context.Context) (string, error) {
			close(started)
			<-release
			return serviceSID, nil
		})
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := d.get(ctx, func(context.Context) (string, error) {
		t.Error("a second fetch ran while the first was in flight")
		return "", nil
	})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	sid, err := d.get(context.Background(), func(context.Context) (string, error) {
		// The first fetch may not have stored its result yet; this one gives
		// the same answer.
		return serviceSID, nil
	})
	require.NoError(t, err)
	assert.Equal(t, serviceSID, sid)
}
