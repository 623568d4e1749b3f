package conversations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MediaInfo is a media file stored on Twilio's Media Content Service (MCS),
// uploaded with [MediaService.Upload] and attached to a message by its SID.
type MediaInfo struct {
	// SID identifies the media (ME...); pass it as MessageCreateParams.MediaSID.
	SID         string    `json:"sid"`
	AccountSID  string    `json:"account_sid"`
	ServiceSID  string    `json:"service_sid"`
	DateCreated time.Time `json:"date_created"`
	// DateUpdated is zero when the media was never updated.
	DateUpdated time.Time `json:"date_updated"`
	// ChannelSID is the conversation (CH...) of the message the media is
	// attached to; empty until it is attached.
	ChannelSID string `json:"channel_sid"`
	// MessageSID is the message (IM...) the media is attached to; empty
	// until it is attached. Media not attached within 5 minutes is deleted.
	MessageSID string `json:"message_sid"`
	// Size is the file's size in bytes.
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	// FileName is the name given at upload (MCS's file_name; a filename key
	// is accepted too).
	FileName string `json:"file_name"`
	// Author is the identity of the uploader; Twilio documents "sender" for
	// REST uploads.
	Author string     `json:"author"`
	URL    string     `json:"url"`
	Links  MediaLinks `json:"links"`
}

// MediaLinks are the URLs of a media file's content.
type MediaLinks struct {
	// Content is the content's URL on the Media Content Service.
	Content string `json:"content"`
	// ContentDirectTemporary is a pre-signed URL of the content, on another
	// host, that works without credentials and expires after 300 seconds.
	// Each fetch of the media returns a fresh one.
	ContentDirectTemporary string `json:"content_direct_temporary"`
}

// UnmarshalJSON decodes a media resource, reading the file name from
// file_name (as Twilio documents it) or filename.
func (m *MediaInfo) UnmarshalJSON(b []byte) error {
	type plain MediaInfo
	var v struct {
		plain
		Filename string `json:"filename"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = MediaInfo(v.plain)
	if m.FileName == "" {
		m.FileName = v.Filename
	}
	return nil
}

// MediaUploadParams describe a file for [MediaService.Upload].
type MediaUploadParams struct {
	// ContentType is the file's MIME type, such as "image/png". Required.
	ContentType string
	// Filename is the file's name, shown to recipients. It is sent as the
	// Filename query parameter, as Twilio's own clients do (the MCS docs name
	// no parameter for it).
	Filename string
	// Size is the file's length in bytes, sent as Content-Length and
	// Content-Size. When zero it is found by seeking if the reader is an
	// io.Seeker, and otherwise the body is streamed.
	Size int64
	// Channel, when set, checks the file against what that channel delivers
	// (MessagingChat, MessagingSMS or MessagingWhatsApp) before anything is
	// sent; see ErrMediaTooLarge and ErrMediaTypeNotAllowed.
	Channel MessagingChannel
}

// ErrMediaTooLarge is returned (wrapped, naming the channel, the size and the
// limit) by uploads larger than MediaUploadParams.Channel accepts. When the
// size is not known beforehand the upload stops once the limit is passed.
var ErrMediaTooLarge = errors.New("conversations: media too large")

// ErrMediaTypeNotAllowed is returned (wrapped, naming the channel, the type
// and the allowed types) by uploads whose content type
// MediaUploadParams.Channel does not deliver.
var ErrMediaTypeNotAllowed = errors.New("conversations: media type not allowed")

// mediaRule is what one channel delivers.
type mediaRule struct {
	name  string   // for errors
	max   int64    // bytes
	types []string // allowed MIME types; nil allows any
}

const mib = 1 << 20

// deliverable are the types that SMS and WhatsApp recipients receive: JPG,
// PNG, MP3, AMR, MP4 and PDF.
var deliverable = []string{"image/jpeg", "image/png", "audio/mpeg", "audio/amr", "video/mp4", "application/pdf"}

// mediaRules are the documented media limits per channel, from
// https://www.twilio.com/docs/conversations-classic/conversations-limits
// (sizes in MiB):
//   - chat to chat: any file type, up to 150 MB;
//   - chat to SMS: only JPG, PNG, MP3, AMR, MP4 and PDF under 5 MB are fanned
//     out (the page also gives MMS limits of 10 media, 5 MB in total and 2 MB
//     per file; a REST message carries one file, and the fan-out rule is the
//     one that speaks of Conversations messages, so 5 MB is enforced);
//   - WhatsApp: one media item of at most 16 MB, of the same types.
var mediaRules = map[MessagingChannel]mediaRule{
	MessagingChat:     {name: "chat", max: 150 * mib},
	MessagingSMS:      {name: "SMS", max: 5 * mib, types: deliverable},
	MessagingWhatsApp: {name: "WhatsApp", max: 16 * mib, types: deliverable},
}

func (r mediaRule) tooLarge(size int64) error {
	return fmt.Errorf("%w for %s: %d bytes, limit %d MB", ErrMediaTooLarge, r.name, size, r.max/mib)
}

// validate checks the params, and the size when known (> 0 or empty).
func (p *MediaUploadParams) validate(size int64, sizeKnown bool) (*mediaRule, error) {
	if p == nil || p.ContentType == "" {
		return nil, fmt.Errorf("%w: ContentType", ErrEmptyParameter)
	}
	mt, _, err := mime.ParseMediaType(p.ContentType)
	if err != nil || !strings.Contains(mt, "/") {
		return nil, fmt.Errorf("conversations: ContentType %q is not a MIME type", p.ContentType)
	}
	if p.Size < 0 {
		return nil, fmt.Errorf("conversations: negative media Size %d", p.Size)
	}
	if sizeKnown && size == 0 {
		return nil, errors.New("conversations: media is empty")
	}
	if p.Channel == "" {
		return nil, nil
	}
	rule, ok := mediaRules[p.Channel]
	if !ok {
		return nil, fmt.Errorf("conversations: no media limits known for channel %q (want chat, sms or whatsapp)", p.Channel)
	}
	if rule.types != nil && !contains(rule.types, mt) {
		return nil, fmt.Errorf("%w for %s: %s (allowed: %s)", ErrMediaTypeNotAllowed, rule.name, mt, strings.Join(rule.types, ", "))
	}
	if sizeKnown && size > rule.max {
		return nil, rule.tooLarge(size)
	}
	return &rule, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// capped fails the upload once more than rule.max bytes were read, for a
// body whose size was not known beforehand.
type capped struct {
	r    io.Reader
	n    int64
	rule *mediaRule
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if over := c.n - c.rule.max; over > 0 {
		return n - int(min(over, int64(n))), c.rule.tooLarge(c.n) // the excess is not sent
	}
	return n, err
}

// mediaEndpoint returns the MCS URL of tmpl in the service's scope; at the
// account level, in the account's default Conversation Service.
func (s *service) mediaEndpoint(ctx context.Context, op *operation, tmpl string, args ...string) (string, error) {
	if s.err != nil {
		s.core.failedOp(ctx, op)
		return "", s.err
	}
	s, err := s.scoped(ctx) // resolving the default service is an operation of its own
	if err != nil {
		return "", err
	}
	path, err := s.endpoint(tmpl, args...)
	if err != nil {
		s.core.failedOp(ctx, op)
		return "", err
	}
	return s.core.mediaURL + path, nil
}

// Upload uploads a file to the Media Content Service, for attaching to a
// message of this Conversation Service within 5 minutes (unattached media is
// deleted). The body is r's bytes as they are, with params.ContentType.
//
// Like every POST it is retried on 429 and on connection failures, which
// needs r to be an io.Seeker (such as *os.File or *bytes.Reader): it is
// rewound to where it was. Other readers are sent once. r is not closed.
//
// POST https://mcs.us1.twilio.com/v1/Services/{ChatServiceSid}/Media
func (s *MediaService) Upload(ctx context.Context, r io.Reader, params *MediaUploadParams) (*MediaInfo, error) {
	u, err := (*service)(s).mediaEndpoint(ctx, opUploadMedia, "Media")
	if err != nil {
		return nil, err
	}
	if r == nil {
		s.core.failedOp(ctx, opUploadMedia)
		return nil, fmt.Errorf("%w: media reader", ErrEmptyParameter)
	}
	size, known := int64(0), false
	if params != nil && params.Size > 0 {
		size, known = params.Size, true
	} else if sk, ok := r.(io.Seeker); ok {
		size, known, err = remaining(sk)
		if err != nil {
			return nil, err
		}
	}
	rule, err := params.validate(size, known)
	if err != nil {
		s.core.failedOp(ctx, opUploadMedia)
		return nil, err
	}
	if rule != nil && !known {
		r = &capped{r: r, rule: rule}
	}
	if params.Filename != "" {
		u += "?" + url.Values{"Filename": {params.Filename}}.Encode()
	}
	out := new(MediaInfo)
	req := &request{method: http.MethodPost, url: u, body: r, contentType: params.ContentType, size: size, op: opUploadMedia}
	if err := s.core.doRequest(ctx, req, out); err != nil {
		return nil, err
	}
	return out, nil
}

// remaining returns how many bytes s holds from its current offset.
func remaining(s io.Seeker) (int64, bool, error) {
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false, nil // not really seekable (a pipe): stream it
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, false, nil
	}
	if _, err := s.Seek(cur, io.SeekStart); err != nil {
		return 0, false, fmt.Errorf("conversations: rewinding the media reader: %w", err)
	}
	return end - cur, true, nil
}

// Fetch fetches a media file's metadata, with a fresh temporary content URL.
//
// GET https://mcs.us1.twilio.com/v1/Services/{ChatServiceSid}/Media/{Sid}
func (s *MediaService) Fetch(ctx context.Context, sid string) (*MediaInfo, error) {
	u, err := (*service)(s).mediaEndpoint(ctx, opFetchMedia, "Media/{Sid}", sid)
	if err != nil {
		return nil, err
	}
	out := new(MediaInfo)
	if err := s.core.doRequest(ctx, &request{method: http.MethodGet, url: u, op: opFetchMedia}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Download fetches a media file's metadata, then its content through the
// fresh temporary URL (links.content_direct_temporary), which is requested
// without credentials since it is pre-signed and on another host. The caller
// must close the content.
//
// GET https://mcs.us1.twilio.com/v1/Services/{ChatServiceSid}/Media/{Sid},
// then GET links.content_direct_temporary
func (s *MediaService) Download(ctx context.Context, sid string) (io.ReadCloser, *MediaInfo, error) {
	info, err := s.Fetch(ctx, sid)
	if err != nil {
		return nil, nil, err
	}
	link := info.Links.ContentDirectTemporary
	if link == "" {
		return nil, info, fmt.Errorf("conversations: media %s has no temporary content URL", sid)
	}
	u, err := s.core.media.Parse(link) // resolves a relative link against the MCS host
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, info, fmt.Errorf("conversations: media %s has an invalid temporary content URL", sid)
	}
	var raw rawResponse
	if err := s.core.doRequest(ctx, &request{method: http.MethodGet, url: u.String(), anonymous: true, op: opMediaContent}, &raw); err != nil {
		return nil, info, err
	}
	return raw.body, info, nil
}

// MediaSendError is returned by [MessagesService.CreateWithMedia] when the
// media was uploaded but the message was not created. The media stays on
// the Media Content Service for 5 minutes: send it with
// MessageCreateParams.MediaSID, or let it expire.
type MediaSendError struct {
	// MediaSID is the uploaded media (ME...).
	MediaSID        string
	ConversationSID string
	// Err is the error of the message create.
	Err error
}

// Error implements error.
func (e *MediaSendError) Error() string {
	return fmt.Sprintf("conversations: media %s was uploaded but the message to %s was not created: %v", e.MediaSID, e.ConversationSID, e.Err)
}

// Unwrap returns the message create's error.
func (e *MediaSendError) Unwrap() error { return e.Err }

// CreateWithMedia uploads a file and sends it as a message in one call: the
// upload of [MediaService.Upload] to the conversation's Conversation Service,
// then [MessagesService.Create] with the new MediaSid (a REST message
// carries one file). params may be nil or add a Body, Author, Attributes and
// so on; it must not set MediaSID or ContentSID. SMS and WhatsApp recipients
// get the file without the body.
//
// At the account level the conversation is fetched first to learn its
// Conversation Service; through client.Service(sid) it is not. When the
// upload succeeds and the message fails, the error is a *MediaSendError
// naming the media SID.
//
// POST https://mcs.us1.twilio.com/v1/Services/{ChatServiceSid}/Media, then
// POST /v1/Conversations/{ConversationSid}/Messages
func (s *MessagesService) CreateWithMedia(ctx context.Context, conversationSID string, r io.Reader, media *MediaUploadParams, params *MessageCreateParams) (*Message, error) {
	svc := (*service)(s)
	if svc.err != nil {
		return nil, svc.err
	}
	if conversationSID == "" {
		return nil, fmt.Errorf("%w: ConversationSid", ErrEmptyParameter)
	}
	var p MessageCreateParams
	if params != nil {
		p = *params
	}
	if p.MediaSID != "" || p.ContentSID != "" {
		return nil, errors.New("conversations: CreateWithMedia sets MediaSid itself; params must not set MediaSID or ContentSID")
	}
	if r == nil {
		s.core.failedOp(ctx, opUploadMedia)
		return nil, fmt.Errorf("%w: media reader", ErrEmptyParameter)
	}
	if _, err := media.validate(0, false); err != nil {
		return nil, err
	}
	scoped := svc
	if svc.prefix == "" {
		conv, err := (*ConversationsService)(svc).Fetch(ctx, conversationSID)
		if err != nil {
			return nil, err
		}
		if conv.ChatServiceSID == "" {
			return nil, fmt.Errorf("conversations: conversation %s has no chat_service_sid", conversationSID)
		}
		scoped = &service{core: svc.core, prefix: "Services/" + url.PathEscape(conv.ChatServiceSID) + "/"}
	}
	info, err := (*MediaService)(scoped).Upload(ctx, r, media)
	if err != nil {
		return nil, err
	}
	p.MediaSID = info.SID
	msg, err := s.Create(ctx, conversationSID, &p)
	if err != nil {
		return nil, &MediaSendError{MediaSID: info.SID, ConversationSID: conversationSID, Err: err}
	}
	return msg, nil
}
