package conversations

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	mcsBase = "https://mcs.us1.twilio.com"
	tempURL = "https://media.us1.twilio.com/" + mediaSID + "?Expires=1715681772&Signature=c2lnbmF0dXJl&Key-Pair-Id=APKAEXAMPLE"
)

// pngBytes is a stand-in for a small PNG file.
var pngBytes = []byte("\x89PNG\r\n\x1a\nfake-png-body")

// mcsMediaFields are the fields of an MCS media resource, in the order of
// the field list of the project's reference notes (conversations.md §3,
// "Media"), taken from
// https://www.twilio.com/docs/conversations/api/media-resource. MCS is not in
// Twilio's OpenAPI spec and the docs give no full example payload, so this
// list is the only source of the fixtures' shape.
var mcsMediaFields = []string{
	"sid", "account_sid", "service_sid", "date_created", "date_updated", "channel_sid",
	"message_sid", "size", "content_type", "file_name", "author", "url", "links",
}

// mediaJSON is an MCS media resource built from mcsMediaFields, with
// fileKey in place of file_name (to test the "filename" spelling). The
// values are illustrative, not captured from Twilio: an ME SID, the IS
// service of the upload, dates as the REST API writes them, a media not yet
// attached (null channel_sid and message_sid, null date_updated), the
// "sender" author the docs give for REST uploads, and links.content plus a
// pre-signed links.content_direct_temporary.
func mediaJSON(fileKey string, size int) []byte {
	self := mcsBase + "/v1/Services/" + serviceSID + "/Media/" + mediaSID
	values := map[string]any{
		"sid":          mediaSID,
		"account_sid":  testAccountSID,
		"service_sid":  serviceSID,
		"date_created": "2024-05-14T10:11:12.345Z",
		"date_updated": nil,
		"channel_sid":  nil,
		"message_sid":  nil,
		"size":         size,
		"content_type": "image/png",
		"file_name":    "dot.png",
		"author":       "sender",
		"url":          self,
		"links":        map[string]string{"content": self + "/Content", "content_direct_temporary": tempURL},
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range mcsMediaFields {
		// Unescaped, so that tests can find and replace the URLs verbatim.
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(values[k]); err != nil {
			panic(err)
		}
		if k == "file_name" {
			k = fileKey
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", k, bytes.TrimSpace(v.Bytes()))
	}
	b.WriteByte('}')
	return b.Bytes()
}

// TestMediaFixtureMatchesTheDocumentedFields keeps the fixture and MediaInfo
// to the documented field list: every documented field is in the fixture
// and has a json field in MediaInfo, and the fixture has no other field.
func TestMediaFixtureMatchesTheDocumentedFields(t *testing.T) {
	assert.Contains(t, string(mediaJSON("file_name", 1)), tempURL, "URLs are written verbatim")
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(mediaJSON("file_name", 1), &got))
	assert.ElementsMatch(t, mcsMediaFields, slices.Collect(maps.Keys(got)))
	var links map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(got["links"], &links))
	assert.ElementsMatch(t, []string{"content", "content_direct_temporary"}, slices.Collect(maps.Keys(links)))
	tags := map[string]bool{}
	rt := reflect.TypeFor[MediaInfo]()
	for i := range rt.NumField() {
		tags[strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	for _, f := range mcsMediaFields {
		assert.True(t, tags[f], "MediaInfo has no json field %q", f)
	}
}

// mcsRequest is a request received by an MCS responder.
type mcsRequest struct {
	req  *http.Request
	body []byte
}

// onMCS registers a responder for method and url that records each request
// and answers with the statuses in turn (the last one repeating) and body.
func onMCS(t *testing.T, mt *httpmock.MockTransport, method, u string, body []byte, statuses ...int) *[]mcsRequest {
	t.Helper()
	var (
		mu   sync.Mutex
		reqs []mcsRequest
	)
	mt.RegisterResponder(method, u, func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			var err error
			if b, err = io.ReadAll(req.Body); err != nil {
				return nil, err
			}
		}
		mu.Lock()
		reqs = append(reqs, mcsRequest{req: req, body: b})
		status := statuses[min(len(reqs), len(statuses))-1]
		mu.Unlock()
		resp := httpmock.NewBytesResponse(status, body)
		if status == http.StatusTooManyRequests {
			resp = httpmock.NewStringResponse(status, `{"code": 20429, "message": "Too many requests", "status": 429}`)
		}
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return &reqs
}

func assertAuth(t *testing.T, req *http.Request) {
	t.Helper()
	user, pass, ok := req.BasicAuth()
	assert.True(t, ok && user == testAccountSID && pass == testAuthToken, "basic auth")
	assert.True(t, strings.HasPrefix(req.Header.Get("User-Agent"), "conversations-go/"), "user agent")
}

func assertMediaInfo(t *testing.T, m *MediaInfo) {
	t.Helper()
	assert.Equal(t, mediaSID, m.SID)
	assert.Equal(t, testAccountSID, m.AccountSID)
	assert.Equal(t, serviceSID, m.ServiceSID)
	assert.Equal(t, time.Date(2024, 5, 14, 10, 11, 12, 345e6, time.UTC), m.DateCreated)
	assert.True(t, m.DateUpdated.IsZero())
	assert.Empty(t, m.ChannelSID)
	assert.Empty(t, m.MessageSID)
	assert.Equal(t, int64(len(pngBytes)), m.Size)
	assert.Equal(t, "image/png", m.ContentType)
	assert.Equal(t, "dot.png", m.FileName)
	assert.Equal(t, "sender", m.Author)
	assert.Equal(t, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, m.URL)
	assert.Equal(t, m.URL+"/Content", m.Links.Content)
	assert.Equal(t, tempURL, m.Links.ContentDirectTemporary)
}

func TestMediaUpload(t *testing.T) {
	c, mt := newTestClient(t)
	reqs := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusCreated)

	m, err := c.Service(serviceSID).Media.Upload(context.Background(), bytes.NewReader(pngBytes), &MediaUploadParams{
		ContentType: "image/png", Filename: "dot.png", Channel: MessagingSMS,
	})
	require.NoError(t, err)
	require.Len(t, *reqs, 1)
	got := (*reqs)[0]
	assert.Equal(t, "mcs.us1.twilio.com", got.req.URL.Host)
	assert.Equal(t, "/v1/Services/"+serviceSID+"/Media", got.req.URL.EscapedPath())
	assert.Equal(t, url.Values{"Filename": {"dot.png"}}, got.req.URL.Query())
	assert.Equal(t, pngBytes, got.body, "the raw bytes, not multipart")
	assert.Equal(t, "image/png", got.req.Header.Get("Content-Type"))
	assert.Equal(t, fmt.Sprint(len(pngBytes)), got.req.Header.Get("Content-Size"))
	assert.EqualValues(t, len(pngBytes), got.req.ContentLength)
	assert.Empty(t, got.req.Header.Get("X-Twilio-Webhook-Enabled"))
	assertAuth(t, got.req)
	assertMediaInfo(t, m)
}

func TestMediaUploadStreamsUnknownSize(t *testing.T) {
	c, mt := newTestClient(t)
	reqs := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusCreated)
	_, err := c.Service(serviceSID).Media.Upload(context.Background(), io.MultiReader(bytes.NewReader(pngBytes)), &MediaUploadParams{ContentType: "image/png"})
	require.NoError(t, err)
	require.Len(t, *reqs, 1)
	got := (*reqs)[0]
	assert.Equal(t, pngBytes, got.body)
	assert.Empty(t, got.req.Header.Get("Content-Size"), "no size known")
	assert.Empty(t, got.req.URL.RawQuery, "no Filename")
}

func TestMediaBaseURL(t *testing.T) {
	for name, tc := range map[string]struct {
		opts []Option
		host string
	}{
		"default":          {nil, "mcs.us1.twilio.com"},
		"region keeps us1": {[]Option{WithRegion("dublin", "ie1")}, "mcs.us1.twilio.com"},
		"override":         {[]Option{WithMediaBaseURL("http://127.0.0.1:8089/")}, "127.0.0.1:8089"},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t, tc.opts...)
			var host string
			mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				host = req.URL.Host
				return httpmock.NewBytesResponse(http.StatusOK, mediaJSON("file_name", len(pngBytes))), nil
			})
			_, err := c.Service(serviceSID).Media.Fetch(context.Background(), mediaSID)
			require.NoError(t, err)
			assert.Equal(t, tc.host, host)
		})
	}
	_, err := NewClient(testAccountSID, testAuthToken, WithMediaBaseURL("mcs.example.com"))
	assert.ErrorContains(t, err, "invalid media base URL")
}

func TestMediaFetch(t *testing.T) {
	c, mt := newTestClient(t)
	reqs := onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, mediaJSON("filename", len(pngBytes)), http.StatusOK)
	m, err := c.Service(serviceSID).Media.Fetch(context.Background(), mediaSID)
	require.NoError(t, err)
	require.Len(t, *reqs, 1)
	assertAuth(t, (*reqs)[0].req)
	assert.Empty(t, (*reqs)[0].body)
	assertMediaInfo(t, m) // "filename" is read as FileName too
}

func TestMediaDownloadSendsNoCredentialsToTheTemporaryURL(t *testing.T) {
	c, mt := newTestClient(t)
	meta := onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, mediaJSON("file_name", len(pngBytes)), http.StatusOK)
	var content *http.Request
	mt.RegisterResponder(http.MethodGet, tempURL, func(req *http.Request) (*http.Response, error) {
		content = req
		resp := httpmock.NewBytesResponse(http.StatusOK, pngBytes)
		resp.Header.Set("Content-Type", "image/png")
		return resp, nil
	})

	rc, m, err := c.Service(serviceSID).Media.Download(context.Background(), mediaSID)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, pngBytes, b)
	assert.Equal(t, mediaSID, m.SID)

	require.Len(t, *meta, 1)
	assertAuth(t, (*meta)[0].req)
	require.NotNil(t, content)
	assert.Equal(t, "media.us1.twilio.com", content.URL.Host)
	assert.Equal(t, "c2lnbmF0dXJl", content.URL.Query().Get("Signature"), "the signed URL is used as given")
	assert.Empty(t, content.Header.Get("Authorization"), "no credentials to the pre-signed URL's host")
}

func TestMediaDownloadFreshURLEachTime(t *testing.T) {
	c, mt := newTestClient(t)
	meta := onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, mediaJSON("file_name", len(pngBytes)), http.StatusOK)
	mt.RegisterResponder(http.MethodGet, tempURL, httpmock.NewBytesResponder(http.StatusOK, pngBytes))
	for range 2 {
		rc, _, err := c.Service(serviceSID).Media.Download(context.Background(), mediaSID)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
	}
	assert.Len(t, *meta, 2, "the metadata (and so the temporary URL) is fetched for each download")
}

func TestMediaDownloadErrorHidesTheSignature(t *testing.T) {
	c, mt := newTestClient(t)
	onMCS(t, mt, http.MethodGet, mcsBase+"/v1/Services/"+serviceSID+"/Media/"+mediaSID, mediaJSON("file_name", len(pngBytes)), http.StatusOK)
	mt.RegisterResponder(http.MethodGet, tempURL, httpmock.NewStringResponder(http.StatusForbidden, "<Error>expired</Error>"))
	_, _, err := c.Service(serviceSID).Media.Download(context.Background(), mediaSID)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusForbidden, apiErr.Status)
	assert.Equal(t, "/"+mediaSID, apiErr.Path)
	assert.NotContains(t, err.Error(), "Signature")
}

func TestMediaUploadRetriesRewindingTheBody(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	reqs := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusTooManyRequests, http.StatusCreated)
	r := bytes.NewReader(append([]byte("skip"), pngBytes...))
	_, err := r.Seek(4, io.SeekStart) // the upload starts where the reader is
	require.NoError(t, err)

	m, err := c.Service(serviceSID).Media.Upload(context.Background(), r, &MediaUploadParams{ContentType: "image/png"})
	require.NoError(t, err)
	assert.Equal(t, mediaSID, m.SID)
	require.Len(t, *reqs, 2)
	for i, got := range *reqs {
		assert.Equal(t, pngBytes, got.body, "attempt %d", i+1)
		assert.EqualValues(t, len(pngBytes), got.req.ContentLength, "attempt %d", i+1)
	}
}

func TestMediaUploadNotRetriedWhenTheBodyCannotBeRewound(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))
	reqs := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusTooManyRequests, http.StatusCreated)
	_, err := c.Service(serviceSID).Media.Upload(context.Background(), io.MultiReader(bytes.NewReader(pngBytes)), &MediaUploadParams{ContentType: "image/png"})
	assert.True(t, IsRateLimited(err), "%v", err)
	assert.Len(t, *reqs, 1)
}

func TestMediaUploadNotRetriedOnServerError(t *testing.T) {
	c, mt := newTestClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))
	reqs := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", []byte(`{"code": 20500, "message": "oops", "status": 503}`), http.StatusServiceUnavailable)
	_, err := c.Service(serviceSID).Media.Upload(context.Background(), bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png"})
	require.Error(t, err)
	assert.Len(t, *reqs, 1, "a POST that reached the server is not retried")
}

func TestMediaValidation(t *testing.T) {
	big := bytes.NewReader(make([]byte, 5*mib+1))
	for name, tc := range map[string]struct {
		r      io.Reader
		params *MediaUploadParams
		is     error
		msg    string
	}{
		"nil params":       {bytes.NewReader(pngBytes), nil, ErrEmptyParameter, "ContentType"},
		"no content type":  {bytes.NewReader(pngBytes), &MediaUploadParams{Filename: "x.png"}, ErrEmptyParameter, "ContentType"},
		"bad content type": {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "png"}, nil, `ContentType "png" is not a MIME type`},
		"nil reader":       {nil, &MediaUploadParams{ContentType: "image/png"}, ErrEmptyParameter, "media reader"},
		"empty":            {bytes.NewReader(nil), &MediaUploadParams{ContentType: "image/png"}, nil, "media is empty"},
		"negative size":    {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png", Size: -1}, nil, "negative media Size"},
		"webhook channel":  {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png", Channel: MessagingChannel(ChannelSMS)}, nil, `no media limits known for channel "SMS"`},
		"unknown channel":  {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png", Channel: MessagingEmail}, nil, `no media limits known for channel "email"`},
		"gif to SMS": {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/gif", Channel: MessagingSMS}, ErrMediaTypeNotAllowed,
			"conversations: media type not allowed for SMS: image/gif (allowed: image/jpeg, image/png, audio/mpeg, audio/amr, video/mp4, application/pdf)"},
		"zip to WhatsApp": {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "application/zip", Channel: MessagingWhatsApp}, ErrMediaTypeNotAllowed, "not allowed for WhatsApp: application/zip"},
		"too large for WhatsApp (Size)": {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "video/mp4", Size: 17825792, Channel: MessagingWhatsApp}, ErrMediaTooLarge,
			"conversations: media too large for WhatsApp: 17825792 bytes, limit 16 MB"},
		"too large for SMS (seeked)": {big, &MediaUploadParams{ContentType: "image/jpeg; charset=binary", Channel: MessagingSMS}, ErrMediaTooLarge,
			"conversations: media too large for SMS: 5242881 bytes, limit 5 MB"},
		"too large for chat": {bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "application/zip", Size: 150*mib + 1, Channel: MessagingChat}, ErrMediaTooLarge,
			"media too large for chat: 157286401 bytes, limit 150 MB"},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t)
			_, err := c.Service(serviceSID).Media.Upload(context.Background(), tc.r, tc.params)
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.msg)
			assert.Equal(t, 0, mt.GetTotalCallCount(), "no request sent")
		})
	}
}

func TestMediaAllowedAtTheLimits(t *testing.T) {
	for _, tc := range []MediaUploadParams{
		{ContentType: "image/PNG", Size: 5 * mib, Channel: MessagingSMS},
		{ContentType: "application/pdf", Size: 16 * mib, Channel: MessagingWhatsApp},
		{ContentType: "application/zip", Size: 150 * mib, Channel: MessagingChat},
	} {
		_, err := tc.validate(tc.Size, true)
		assert.NoError(t, err, "%+v", tc)
	}
}

func TestMediaUploadStopsPastTheLimitWhenTheSizeIsUnknown(t *testing.T) {
	received := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received <- n
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(mediaJSON("file_name", int(n)))
	}))
	defer srv.Close()
	c, err := NewClient(testAccountSID, testAuthToken, WithMediaBaseURL(srv.URL), WithRetryPolicy(NoRetries))
	require.NoError(t, err)
	body := io.MultiReader(bytes.NewReader(make([]byte, 5*mib)), strings.NewReader("x")) // not seekable
	_, err = c.Service(serviceSID).Media.Upload(context.Background(), body, &MediaUploadParams{ContentType: "image/png", Channel: MessagingSMS})
	require.ErrorIs(t, err, ErrMediaTooLarge)
	assert.Contains(t, err.Error(), "limit 5 MB")
	select {
	case n := <-received:
		assert.LessOrEqual(t, n, int64(5*mib), "the server never got the whole file")
	case <-time.After(2 * time.Second):
		// the server may also never see the request end; nothing to check
	}
}

func TestMediaNeedsAService(t *testing.T) {
	c, mt := newTestClient(t)
	_, err := c.Service("").Media.Fetch(context.Background(), mediaSID)
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, err = c.Service(serviceSID).Media.Fetch(context.Background(), "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	_, _, err = c.Service(serviceSID).Media.Download(context.Background(), "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

// messageWithMedia is the spec's createWithMedia message example with its
// media entry pointing at the uploaded file.
func messageWithMedia(t *testing.T) []byte {
	t.Helper()
	m := decodeExample(t, "CreateServiceConversationMessage", "createWithMedia")
	m["media"] = []map[string]any{{"sid": mediaSID, "size": len(pngBytes), "content_type": "image/png", "filename": "dot.png"}}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestCreateWithMediaServiceScoped(t *testing.T) {
	c, mt := newTestClient(t)
	upload := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusCreated)
	create := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Services/" + serviceSID + "/Conversations/" + convSID + "/Messages",
		Form:   url.Values{"MediaSid": {mediaSID}, "Body": {"Look"}},
		Header: map[string]string{"X-Twilio-Webhook-Enabled": "true"},
		Status: http.StatusCreated, Body: messageWithMedia(t),
	})
	msg, err := c.Service(serviceSID).Messages.CreateWithMedia(context.Background(), convSID, bytes.NewReader(pngBytes),
		&MediaUploadParams{ContentType: "image/png", Filename: "dot.png", Channel: MessagingSMS},
		&MessageCreateParams{Body: "Look", WebhookEnabled: true})
	require.NoError(t, err)
	require.Len(t, *upload, 1)
	assert.Equal(t, pngBytes, (*upload)[0].body)
	assert.EqualValues(t, 1, create.Load())
	assert.Equal(t, msgSID, msg.SID)
	require.Len(t, msg.Media, 1)
	assert.Equal(t, MessageMedia{SID: mediaSID, Size: int64(len(pngBytes)), ContentType: "image/png", Filename: "dot.png"}, msg.Media[0])
	assert.Equal(t, 2, mt.GetTotalCallCount(), "upload, then create")
}

func TestCreateWithMediaAccountLevelFindsTheService(t *testing.T) {
	c, mt := newTestClient(t)
	fetch := expect(t, mt, call{Method: http.MethodGet, Path: "/v1/Conversations/" + convSID, Body: example(t, "FetchConversation", "fetch")})
	upload := onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusCreated)
	create := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Conversations/" + convSID + "/Messages",
		Form:   url.Values{"MediaSid": {mediaSID}},
		Status: http.StatusCreated, Body: messageWithMedia(t),
	})
	msg, err := c.Messages.CreateWithMedia(context.Background(), convSID, bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png"}, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 1, fetch.Load())
	assert.Len(t, *upload, 1)
	assert.EqualValues(t, 1, create.Load())
	assert.Equal(t, mediaSID, msg.Media[0].SID)
}

func TestCreateWithMediaMessageFailureNamesTheMedia(t *testing.T) {
	c, mt := newTestClient(t)
	onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", mediaJSON("file_name", len(pngBytes)), http.StatusCreated)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Services/" + serviceSID + "/Conversations/" + convSID + "/Messages",
		Form:   url.Values{"MediaSid": {mediaSID}},
		Status: http.StatusBadRequest, Body: []byte(`{"code": 50377, "message": "Conversation is closed", "status": 400}`),
	})
	msg, err := c.Service(serviceSID).Messages.CreateWithMedia(context.Background(), convSID, bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png"}, nil)
	assert.Nil(t, msg)
	var sendErr *MediaSendError
	require.ErrorAs(t, err, &sendErr)
	assert.Equal(t, mediaSID, sendErr.MediaSID)
	assert.Equal(t, convSID, sendErr.ConversationSID)
	assert.Contains(t, err.Error(), mediaSID)
	assert.True(t, HasCode(err, CodeConversationClosed), "the API error is reachable")
}

func TestCreateWithMediaUploadFailureIsPlain(t *testing.T) {
	c, mt := newTestClient(t)
	onMCS(t, mt, http.MethodPost, mcsBase+"/v1/Services/"+serviceSID+"/Media", []byte(`{"code": 20003, "message": "Authenticate", "status": 401}`), http.StatusUnauthorized)
	_, err := c.Service(serviceSID).Messages.CreateWithMedia(context.Background(), convSID, bytes.NewReader(pngBytes), &MediaUploadParams{ContentType: "image/png"}, nil)
	var sendErr *MediaSendError
	assert.False(t, errors.As(err, &sendErr), "nothing was uploaded")
	assert.True(t, HasCode(err, CodeAuthenticationFailed))
	assert.Equal(t, 1, mt.GetTotalCallCount(), "no message create")
}

func TestCreateWithMediaBadInput(t *testing.T) {
	png := func() io.Reader { return bytes.NewReader(pngBytes) }
	ok := &MediaUploadParams{ContentType: "image/png"}
	for name, tc := range map[string]struct {
		scoped bool
		conv   string
		r      io.Reader
		media  *MediaUploadParams
		params *MessageCreateParams
		msg    string
	}{
		"empty conversation": {true, "", png(), ok, nil, "ConversationSid"},
		"MediaSID set":       {true, convSID, png(), ok, &MessageCreateParams{MediaSID: mediaSID}, "must not set MediaSID"},
		"ContentSID set":     {false, convSID, png(), ok, &MessageCreateParams{ContentSID: "HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "must not set MediaSID or ContentSID"},
		"nil reader":         {true, convSID, nil, ok, nil, "media reader"},
		"nil media params":   {false, convSID, png(), nil, nil, "ContentType"},
		"type for SMS":       {false, convSID, png(), &MediaUploadParams{ContentType: "image/gif", Channel: MessagingSMS}, nil, "not allowed for SMS"},
		"too large for SMS":  {true, convSID, png(), &MediaUploadParams{ContentType: "image/png", Size: 6 * mib, Channel: MessagingSMS}, nil, "limit 5 MB"},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t)
			msgs := c.Messages
			if tc.scoped {
				msgs = c.Service(serviceSID).Messages
			}
			_, err := msgs.CreateWithMedia(context.Background(), tc.conv, tc.r, tc.media, tc.params)
			assert.ErrorContains(t, err, tc.msg)
			assert.Equal(t, 0, mt.GetTotalCallCount(), "no request sent")
		})
	}
}
