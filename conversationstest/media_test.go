package conversationstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var pngBytes = []byte("\x89PNG\r\n\x1a\nemulated")

// mediaClient returns a library client pointed at the emulator for both the
// API and the Media Content Service.
func mediaClient(t *testing.T, h *harness) *conversations.Client {
	t.Helper()
	c, err := conversations.NewClient(h.srv.AccountSID(), h.srv.AuthToken(),
		conversations.WithBaseURL(h.srv.URL), conversations.WithMediaBaseURL(h.srv.URL), conversations.WithRetryPolicy(conversations.NoRetries))
	require.NoError(t, err)
	return c
}

func upload(t *testing.T, c *conversations.Client, svc string) *conversations.MediaInfo {
	t.Helper()
	m, err := c.Service(svc).Media.Upload(context.Background(), bytes.NewReader(pngBytes), &conversations.MediaUploadParams{ContentType: "image/png", Filename: "dot.png"})
	require.NoError(t, err)
	return m
}

func TestMediaUploadFetchDownload(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, conversationstest.WithClock(start))
	c := mediaClient(t, h)
	svc := h.srv.DefaultServiceSID()

	m := upload(t, c, svc)
	require.Regexp(t, `^ME[0-9a-f]{32}$`, m.SID)
	assert.Equal(t, h.srv.AccountSID(), m.AccountSID)
	assert.Equal(t, svc, m.ServiceSID)
	assert.Equal(t, start, m.DateCreated)
	assert.EqualValues(t, len(pngBytes), m.Size)
	assert.Equal(t, "image/png", m.ContentType)
	assert.Equal(t, "dot.png", m.FileName)
	assert.Equal(t, "sender", m.Author)
	assert.Empty(t, m.MessageSID)
	assert.Equal(t, h.srv.URL+"/v1/Services/"+svc+"/Media/"+m.SID, m.URL)

	got, err := c.Service(svc).Media.Fetch(context.Background(), m.SID)
	require.NoError(t, err)
	assert.Equal(t, m.SID, got.SID)

	rc, info, err := c.Service(svc).Media.Download(context.Background(), m.SID)
	require.NoError(t, err)
	b, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	assert.Equal(t, pngBytes, b)
	assert.Equal(t, m.SID, info.SID)

	// The content link needs credentials; the temporary one does not.
	resp, err := http.Get(info.Links.Content)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, err = http.Get(info.Links.ContentDirectTemporary)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	assert.Equal(t, pngBytes, b)

	// Other services do not see it; unknown media is a 404.
	other := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "other"))["sid"].(string)
	_, err = c.Service(other).Media.Fetch(context.Background(), m.SID)
	assert.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestMediaTemporaryURLExpires(t *testing.T) {
	h := newHarness(t, conversationstest.WithClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)))
	c := mediaClient(t, h)
	m := upload(t, c, h.srv.DefaultServiceSID())
	link := m.Links.ContentDirectTemporary
	// Attached, so that it outlives the 5 minutes of unattached media.
	_, err := c.Messages.Create(context.Background(), h.conversation(), &conversations.MessageCreateParams{MediaSID: m.SID})
	require.NoError(t, err)

	status := func(u string) int {
		resp, err := http.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, status(link))
	assert.Equal(t, http.StatusForbidden, status(link+"0"), "a tampered signature")
	h.srv.Advance(300 * time.Second)
	assert.Equal(t, http.StatusForbidden, status(link), "expired after 300 s")

	fresh, err := c.Service(h.srv.DefaultServiceSID()).Media.Fetch(context.Background(), m.SID)
	require.NoError(t, err)
	assert.NotEqual(t, link, fresh.Links.ContentDirectTemporary)
	assert.Equal(t, http.StatusOK, status(fresh.Links.ContentDirectTemporary))
}

func TestMediaUnattachedIsDeletedAfterFiveMinutes(t *testing.T) {
	h := newHarness(t, conversationstest.WithClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)))
	c := mediaClient(t, h)
	svc := h.srv.DefaultServiceSID()
	ch := h.conversation()
	kept, lost := upload(t, c, svc), upload(t, c, svc)

	h.srv.Advance(4*time.Minute + 59*time.Second)
	_, err := c.Messages.Create(context.Background(), ch, &conversations.MessageCreateParams{MediaSID: kept.SID})
	require.NoError(t, err)
	h.srv.Advance(time.Second)

	_, err = c.Service(svc).Media.Fetch(context.Background(), lost.SID)
	assert.True(t, conversations.IsNotFound(err), "unattached media is gone: %v", err)
	_, err = c.Messages.Create(context.Background(), ch, &conversations.MessageCreateParams{MediaSID: lost.SID})
	assert.True(t, conversations.HasCode(err, 20001), "%v", err)
	assert.ErrorContains(t, err, "not found")

	got, err := c.Service(svc).Media.Fetch(context.Background(), kept.SID)
	require.NoError(t, err, "attached media stays")
	assert.Equal(t, ch, got.ChannelSID)
}

func TestMediaSendToSMSParticipant(t *testing.T) {
	h := newHarness(t)
	hook := h.newHook()
	h.ok(200, "POST", "/v1/Configuration/Webhooks", form("PostWebhookUrl", hook.url, "Filters", "onMessageAdded"))
	c := mediaClient(t, h)
	ctx := context.Background()
	ch := h.conversation()
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")

	msg, err := c.Messages.CreateWithMedia(ctx, ch, bytes.NewReader(pngBytes),
		&conversations.MediaUploadParams{ContentType: "image/png", Filename: "dot.png", Channel: conversations.MessagingSMS},
		&conversations.MessageCreateParams{Body: "A dot", WebhookEnabled: true})
	require.NoError(t, err)
	require.Len(t, msg.Media, 1)
	md := msg.Media[0]
	assert.Equal(t, conversations.MessageMedia{SID: md.SID, Size: int64(len(pngBytes)), ContentType: "image/png", Filename: "dot.png"}, md)
	assert.Equal(t, "A dot", msg.Body)

	again, err := c.Messages.Fetch(ctx, ch, msg.SID)
	require.NoError(t, err)
	assert.Equal(t, msg.Media, again.Media)

	info, err := c.Service(h.srv.DefaultServiceSID()).Media.Fetch(ctx, md.SID)
	require.NoError(t, err)
	assert.Equal(t, ch, info.ChannelSID)
	assert.Equal(t, msg.SID, info.MessageSID)

	got := h.srv.Received("+15550000001")
	require.Len(t, got, 1)
	assert.Equal(t, []string{md.SID}, got[0].MediaSids)
	assert.Empty(t, got[0].Body, "SMS recipients get the file without the body")

	h.srv.Flush()
	reqs := hook.received()
	require.Len(t, reqs, 1)
	var media []map[string]any
	require.NoError(t, json.Unmarshal([]byte(reqs[0].form.Get("Media")), &media))
	assert.Equal(t, []map[string]any{{"Sid": md.SID, "Filename": "dot.png", "ContentType": "image/png", "Size": float64(len(pngBytes))}}, media)

	// Attached media cannot be attached again; it goes with its message.
	_, err = c.Messages.Create(ctx, ch, &conversations.MessageCreateParams{MediaSID: md.SID})
	assert.ErrorContains(t, err, "already attached")
	require.NoError(t, c.Messages.Delete(ctx, ch, msg.SID, nil))
	_, err = c.Service(h.srv.DefaultServiceSID()).Media.Fetch(ctx, md.SID)
	assert.True(t, conversations.IsNotFound(err), "%v", err)
}

func TestMediaUploadRules(t *testing.T) {
	h := newHarness(t)
	svc := h.srv.DefaultServiceSID()
	post := func(body []byte, contentType string, auth bool, header ...string) int {
		req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/v1/Services/"+svc+"/Media", bytes.NewReader(body))
		require.NoError(t, err)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if auth {
			req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusCreated, post(pngBytes, "image/png", true))
	assert.Equal(t, http.StatusUnauthorized, post(pngBytes, "image/png", false))
	assert.Equal(t, http.StatusBadRequest, post(pngBytes, "", true))
	assert.Equal(t, http.StatusBadRequest, post(nil, "image/png", true))
	assert.Equal(t, http.StatusBadRequest, post(pngBytes, "image/png", true, "Content-Size", "3"))
	assert.Equal(t, http.StatusCreated, post(pngBytes, "image/png", true, "Content-Size", strconv.Itoa(len(pngBytes))))
}

// Server.Client is configured for the API and the media service alike, and
// takes extra options.
func TestServerClient(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	c, err := srv.Client(conversations.WithRetryPolicy(conversations.NoRetries))
	require.NoError(t, err)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "via Server.Client"})
	require.NoError(t, err)
	require.Equal(t, srv.AccountSID(), conv.AccountSID)
	info, err := c.Service(srv.DefaultServiceSID()).Media.Upload(ctx, bytes.NewReader([]byte("hello")),
		&conversations.MediaUploadParams{ContentType: "text/plain", Filename: "hello.txt"})
	require.NoError(t, err, "uploads go to the emulator's media service")
	require.EqualValues(t, 5, info.Size)
}
