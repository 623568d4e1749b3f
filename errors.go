package conversations

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// maxErrorBody caps how much of an error response is read.
const maxErrorBody = 64 << 10

// Error is an error response from the Twilio API: the HTTP status and
// Twilio's error code, message and documentation link. Reach it with
// errors.As:
//
//	var apiErr *conversations.Error
//	if errors.As(err, &apiErr) && apiErr.Code == conversations.CodeConversationClosed { ... }
type Error struct {
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Code is Twilio's error code, such as 50350; 0 when the body had none.
	Code int `json:"code"`
	// Message is Twilio's description of the error.
	Message string `json:"message"`
	// MoreInfo links to the error code's documentation.
	MoreInfo string `json:"more_info"`
	// Details holds the optional "details" object of the error body, as JSON.
	Details json.RawMessage `json:"details,omitempty"`
	// RequestID is the Twilio-Request-Id response header, for Twilio support.
	RequestID string `json:"-"`
	// RetryAfter is the Retry-After response header, when present.
	RetryAfter time.Duration `json:"-"`
	// Method is the request's HTTP method.
	Method string `json:"-"`
	// Path is the request's path, without scheme and host, and the keys of
	// its query without their values (which can be a phone number), such as
	// /v1/ParticipantConversations?Address&PageSize; for a pre-signed media
	// URL, the path only.
	Path string `json:"-"`
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "conversations: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Code != 0 {
		fmt.Fprintf(&b, ": code %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.MoreInfo != "" {
		fmt.Fprintf(&b, " (see %s)", e.MoreInfo)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// RequestError is a request that got no usable response: a connection
// failure, or a success response whose body could not be decoded. For a
// POST it means the request may or may not have been applied.
type RequestError struct {
	// Method is the request's HTTP method.
	Method string
	// Path is the request's path, without scheme and host, and the keys of
	// its query without their values (which can be a phone number), such as
	// /v1/ParticipantConversations?Address&PageSize; for a pre-signed media
	// URL, the path only.
	Path string
	// Status is the HTTP status when a response arrived, else 0.
	Status int
	// RequestID is the Twilio-Request-Id header when a response arrived.
	RequestID string
	// Err is the cause: the transport's error, or why the response could not
	// be used (such as a decoding error).
	Err error
}

// Error implements error.
func (e *RequestError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("conversations: %s %s: %d response: %v", e.Method, e.Path, e.Status, e.Err)
	}
	return fmt.Sprintf("conversations: %s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *RequestError) Unwrap() error { return e.Err }

// Twilio error codes that Conversations apps commonly handle. See
// https://www.twilio.com/docs/api/errors/<code>.
const (
	CodeNotFound                 = 20404 // the resource was not found
	CodeTooManyRequests          = 20429 // rate limited; safe to retry later
	CodeAuthenticationFailed     = 20003 // bad credentials
	CodeInvalidPageToken         = 21481 // a page token is invalid
	CodeConversationNotFound     = 50350 // conversation not found
	CodeUniqueNameExists         = 50353 // unique name already used
	CodeUniqueNameLooksLikeSID   = 50390 // unique name looks like a CH SID
	CodeConversationClosed       = 50377 // the conversation is closed and cannot be updated
	CodeInactiveTimerTooShort    = 50375 // Timers.Inactive under 1 minute
	CodeClosedTimerTooShort      = 50376 // Timers.Closed under 10 minutes
	CodeInvalidTimer             = 50379 // a timer is not an ISO 8601 duration
	CodeTimersNeedState          = 50382 // timers sent on create without State
	CodeAddressIsProxyAddress    = 50409 // the participant's address equals the proxy address
	CodeAddressPairInUse         = 50416 // address + proxy already in another active conversation
	CodeParticipantLimit         = 50417 // too many participants
	CodeNonChatParticipantLimit  = 50422 // more than 50 non-chat participants
	CodeBulkParticipantInvalid   = 50424 // invalid Participant JSON on bulk create
	CodeAddressPairsInUse        = 50425 // several address + proxy pairs in use
	CodeTooManyBulkParticipants  = 50426 // too many participants in one request
	CodeBulkCreateFailed         = 50427 // bulk create failed; retrying is safe
	CodeIdentityExists           = 50433 // a participant with this identity exists
	CodeGroupMMSLimit            = 50436 // group MMS participant limit
	CodeGroupParticipantExists   = 50437 // group participant already present
	CodeGroupConversationExists  = 50438 // a group conversation with these participants exists
	CodeScopedWebhookLimit       = 50361 // more than 5 scoped webhooks
	CodeInvalidWebhookSID        = 50363 // invalid webhook SID
	CodeInvalidContentVariables  = 50527 // ContentVariables is not valid JSON
	CodeInvalidAttributes        = 50304 // attributes are not valid JSON
	CodeAccessTokenExpired       = 20104 // access token expired or invalid
	CodeAccessTokenExpiryTooLong = 20157 // access token expiry over 24 hours
)

// HasCode reports whether err is an API error with the Twilio code.
func HasCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// IsNotFound reports whether err is an API error for a resource that does
// not exist (HTTP 404).
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound)
}

// IsRateLimited reports whether err is an API error for a rate-limited
// request (HTTP 429), which Twilio did not process.
func IsRateLimited(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusTooManyRequests
}

// IsConflict reports whether err is an API error for a request that clashes
// with existing state (HTTP 409), such as a duplicate participant.
func IsConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

// readError reads an error response (at most maxErrorBody bytes) into an
// *Error for the request method and path, and closes it.
func readError(resp *http.Response, method, path string) *Error {
	defer closeBody(resp.Body)
	e := &Error{
		Status:     resp.StatusCode,
		RequestID:  resp.Header.Get("Twilio-Request-Id"),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After")),
		Method:     method,
		Path:       path,
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil && len(body) == 0 {
		e.Message = "reading error response: " + err.Error()
		return e
	}
	var parsed Error
	if jerr := json.Unmarshal(body, &parsed); jerr == nil && (parsed.Code != 0 || parsed.Message != "") {
		e.Code, e.Message, e.MoreInfo, e.Details = parsed.Code, parsed.Message, parsed.MoreInfo, parsed.Details
		return e
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case len(body) == 0:
		e.Message = "empty error response"
	case ct == "application/json":
		e.Message = "malformed JSON error response"
	default:
		if ct == "" {
			ct = "unknown content type"
		}
		e.Message = fmt.Sprintf("non-JSON error response (%s, %d bytes)", ct, len(body))
	}
	return e
}

// ErrNotFound matches, with errors.Is, every API error with HTTP status 404
// and the not-found results of finder helpers such as
// [ParticipantsService.FindByAddress].
var ErrNotFound = errors.New("conversations: not found")

// Is makes errors.Is(err, ErrNotFound) true for 404 responses.
func (e *Error) Is(target error) bool {
	return target == ErrNotFound && e.Status == http.StatusNotFound
}
