package conversationstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// The Media Content Service (MCS). Twilio serves it on its own host
// (mcs.us1.twilio.com); the emulator serves it next to the API, so the
// client's media base-URL option takes the same URL:
//
//	POST /v1/Services/{ChatServiceSid}/Media             upload: the raw bytes, Content-Type, ?Filename=
//	GET  /v1/Services/{ChatServiceSid}/Media/{Sid}       metadata, with a fresh temporary URL
//	GET  /v1/Services/{ChatServiceSid}/Media/{Sid}/Content  the bytes (authenticated)
//	GET  /mcs-temporary/{Sid}?Expires=…&Signature=…      the bytes, without credentials, for 300 s
//
// Media not attached to a message within 5 minutes of its upload is deleted
// (on the emulator's clock); attached media is deleted with its message or
// conversation. A MediaSid that is unknown, expired, of another service or
// already attached is rejected with 400 and code 20001 (the emulator's
// choice: Twilio documents no code for it).
const (
	mediaUnattachedTTL = 5 * time.Minute
	mediaLinkTTL       = 300 * time.Second
	mediaMaxSize       = 150 << 20 // the chat limit, the largest Twilio documents
	mediaTemporaryPath = "/mcs-temporary/"
)

// mediaFile is an uploaded file (ME…).
type mediaFile struct {
	sid         string
	serviceSid  string
	created     time.Time
	contentType string
	filename    string
	data        []byte
	channelSid  string // set when attached
	messageSid  string
}

type mediaJSON struct {
	Sid         string            `json:"sid"`
	AccountSid  string            `json:"account_sid"`
	ServiceSid  string            `json:"service_sid"`
	DateCreated string            `json:"date_created"`
	DateUpdated *string           `json:"date_updated"`
	ChannelSid  *string           `json:"channel_sid"`
	MessageSid  *string           `json:"message_sid"`
	Size        int               `json:"size"`
	ContentType string            `json:"content_type"`
	FileName    *string           `json:"file_name"`
	Author      string            `json:"author"`
	URL         string            `json:"url"`
	Links       map[string]string `json:"links"`
}

func (e *Emulator) mediaRoutes() {
	const base = "/v1/Services/{ChatServiceSid}/Media"
	e.mux.HandleFunc("POST "+base, e.uploadMedia)
	e.mux.HandleFunc("GET "+base+"/{Sid}", e.fetchMedia)
	e.mux.HandleFunc("GET "+base+"/{Sid}/Content", e.mediaContent)
	e.mux.HandleFunc("GET "+mediaTemporaryPath+"{Sid}", e.temporaryMediaContent)
}

// publicPath reports whether r needs no credentials: the pre-signed
// temporary media URLs, which check their own signature.
func publicPath(r *http.Request) bool {
	return r.Method == http.MethodGet && len(r.URL.Path) > len(mediaTemporaryPath) && r.URL.Path[:len(mediaTemporaryPath)] == mediaTemporaryPath
}

// sweepMediaLocked deletes media left unattached for 5 minutes. The lock
// must be held.
func (e *Emulator) sweepMediaLocked() {
	now := e.nowLocked()
	for _, m := range e.media.all() {
		if m.messageSid == "" && !now.Before(m.created.Add(mediaUnattachedTTL)) {
			e.media.remove(m.sid)
			e.changed() // a read can sweep: the state changed all the same
		}
	}
}

// mediaOf returns the live media sid of the request's service. The lock must
// be held.
func (e *Emulator) mediaOf(r *http.Request, sid string) (*mediaFile, error) {
	if _, ok := e.services.get(r.PathValue("ChatServiceSid")); !ok {
		return nil, notFound(r.URL.Path)
	}
	e.sweepMediaLocked()
	m, ok := e.media.get(sid)
	if !ok || m.serviceSid != r.PathValue("ChatServiceSid") {
		return nil, notFound(r.URL.Path)
	}
	return m, nil
}

func (e *Emulator) uploadMedia(w http.ResponseWriter, r *http.Request) {
	ct := r.Header.Get("Content-Type")
	if _, _, err := mime.ParseMediaType(ct); ct == "" || err != nil {
		writeError(w, badRequest(codeInvalidParam, "Content-Type must be the file's MIME type"))
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, mediaMaxSize+1))
	switch {
	case err != nil:
		writeError(w, badRequest(codeInvalidParam, "Reading the media: %v", err))
		return
	case len(data) == 0:
		writeError(w, badRequest(codeInvalidParam, "The media is empty"))
		return
	case len(data) > mediaMaxSize:
		writeError(w, errorf(http.StatusRequestEntityTooLarge, codeInvalidParam, "The media exceeds %d bytes", mediaMaxSize))
		return
	}
	if cs := r.Header.Get("Content-Size"); cs != "" && cs != strconv.Itoa(len(data)) {
		writeError(w, badRequest(codeInvalidParam, "Content-Size %s does not match the %d bytes sent", cs, len(data)))
		return
	}
	// Render under the lock, write after it: no I/O under the lock.
	e.lock()
	svc, ok := e.services.get(r.PathValue("ChatServiceSid"))
	var body mediaJSON
	if ok {
		e.sweepMediaLocked()
		m := &mediaFile{
			sid:         newSID("ME"),
			serviceSid:  svc.sid,
			created:     e.nowLocked(),
			contentType: ct,
			filename:    formparse.Query(r.URL).Get("Filename"),
			data:        data,
		}
		e.media.put(m.sid, m)
		body = e.renderMedia(baseURL(r), m)
	}
	e.unlock()
	if !ok {
		writeError(w, notFound(r.URL.Path))
		return
	}
	writeJSON(w, http.StatusCreated, body)
}

func (e *Emulator) fetchMedia(w http.ResponseWriter, r *http.Request) {
	e.lock()
	m, err := e.mediaOf(r, r.PathValue("Sid"))
	var body mediaJSON
	if err == nil {
		body = e.renderMedia(baseURL(r), m)
	}
	e.unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (e *Emulator) mediaContent(w http.ResponseWriter, r *http.Request) {
	e.lock()
	m, err := e.mediaOf(r, r.PathValue("Sid"))
	var content mediaBytes
	if err == nil {
		content = m.content()
	}
	e.unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	content.write(w)
}

// temporaryMediaContent serves a pre-signed URL: no credentials, a
// signature over the SID and expiry, and a 300-second life.
func (e *Emulator) temporaryMediaContent(w http.ResponseWriter, r *http.Request) {
	sid, q := r.PathValue("Sid"), formparse.Query(r.URL)
	exp, perr := strconv.ParseInt(q.Get("Expires"), 10, 64)
	content, err := e.temporaryContent(r, sid, exp, perr == nil)
	if err != nil {
		writeError(w, err)
		return
	}
	content.write(w)
}

// temporaryContent checks a pre-signed URL and copies out what its response
// needs, under the lock; the caller writes it after the lock is released.
func (e *Emulator) temporaryContent(r *http.Request, sid string, exp int64, parsed bool) (mediaBytes, error) {
	e.lock()
	defer e.unlock()
	if !parsed || !hmac.Equal([]byte(formparse.Query(r.URL).Get("Signature")), []byte(e.mediaSignature(sid, exp))) {
		return mediaBytes{}, errorf(http.StatusForbidden, codeAuth, "Invalid signature")
	}
	if e.nowLocked().Unix() >= exp {
		return mediaBytes{}, errorf(http.StatusForbidden, codeAuth, "The temporary URL has expired")
	}
	e.sweepMediaLocked()
	m, ok := e.media.get(sid)
	if !ok {
		return mediaBytes{}, notFound(r.URL.Path)
	}
	return m.content(), nil
}

// mediaBytes is a file's content as a response needs it, copied out from
// under the lock. data is shared with the stored file, which is never
// modified after its upload.
type mediaBytes struct {
	contentType string
	data        []byte
}

// content returns what serving m needs. The lock must be held.
func (m *mediaFile) content() mediaBytes { return mediaBytes{m.contentType, m.data} }

// write sends the bytes; it must be called without the emulator's lock, as
// a client may read them slowly or not at all.
func (b mediaBytes) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", b.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b.data)))
	w.WriteHeader(http.StatusOK)
	w.Write(b.data)
}

// mediaSignature signs a temporary URL with the auth token.
func (e *Emulator) mediaSignature(sid string, expires int64) string {
	h := hmac.New(sha256.New, []byte(e.cfg.authToken))
	h.Write([]byte(sid + "\n" + strconv.FormatInt(expires, 10)))
	return hex.EncodeToString(h.Sum(nil))
}

// renderMedia renders m with a fresh temporary URL. The lock must be held.
func (e *Emulator) renderMedia(base string, m *mediaFile) mediaJSON {
	u := base + "/v1/Services/" + m.serviceSid + "/Media/" + m.sid
	exp := e.nowLocked().Add(mediaLinkTTL).Unix()
	temp := base + mediaTemporaryPath + m.sid + "?" + url.Values{
		"Expires":   {strconv.FormatInt(exp, 10)},
		"Signature": {e.mediaSignature(m.sid, exp)},
	}.Encode()
	return mediaJSON{
		Sid:         m.sid,
		AccountSid:  e.cfg.accountSID,
		ServiceSid:  m.serviceSid,
		DateCreated: fmtDate(m.created),
		ChannelSid:  strOrNil(m.channelSid),
		MessageSid:  strOrNil(m.messageSid),
		Size:        len(m.data),
		ContentType: m.contentType,
		FileName:    strOrNil(m.filename),
		Author:      "sender",
		URL:         u,
		Links:       map[string]string{"content": u + "/Content", "content_direct_temporary": temp},
	}
}

// fillMedia replaces the MediaSid of a message being added to conv with the
// uploaded file's details, or rejects it. The lock must be held.
func (e *Emulator) fillMedia(conv *conversation, msg *message) error {
	if len(msg.media) == 0 {
		return nil
	}
	e.sweepMediaLocked()
	refs := make([]mediaRef, 0, len(msg.media))
	for _, ref := range msg.media {
		sid := ref.Sid
		m, ok := e.media.get(sid)
		if !ok || m.serviceSid != conv.svc.sid {
			return badRequest(codeInvalidParam, "Media %s was not found in Conversation Service %s (unattached media is deleted after 5 minutes)", sid, conv.svc.sid)
		}
		if m.messageSid != "" {
			return badRequest(codeInvalidParam, "Media %s is already attached to message %s", sid, m.messageSid)
		}
		refs = append(refs, mediaRef{Sid: m.sid, Size: len(m.data), ContentType: m.contentType, Filename: strOrNil(m.filename)})
	}
	msg.media = refs
	return nil
}

// attachMedia marks the media of a stored message as attached to it. The
// lock must be held.
func (e *Emulator) attachMedia(conv *conversation, msg *message) {
	for _, ref := range msg.media {
		if m, ok := e.media.get(ref.Sid); ok {
			m.channelSid, m.messageSid = conv.sid, msg.sid
		}
	}
}

// removeMedia deletes the media of a removed message. The lock must be held.
func (e *Emulator) removeMedia(msg *message) {
	for _, ref := range msg.media {
		e.media.remove(ref.Sid)
	}
}
