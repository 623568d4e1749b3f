package conversationstest

import (
	"fmt"
	"net/http"
)

// Error codes the emulator returns, as Twilio documents them
// (https://www.twilio.com/docs/api/errors/<code>).
const (
	codeInvalidParam        = 20001 // missing or invalid parameter
	codeAuth                = 20003 // authentication failed
	codeForbidden           = 20403 // forbidden: a foreign Host or Origin (the emulator's guards)
	codeNotFound            = 20404 // resource not found
	codeRejected            = 20403 // a pre-event webhook rejected the action (the emulator's choice)
	codeBadPageToken        = 21481
	codeBodyTooLong         = 21617
	codeAttributes          = 50304
	codeConversationMissing = 50350
	codeUniqueNameTaken     = 50353
	codeWebhookLimit        = 50361
	codeWebhookSid          = 50363
	codeInactiveTimer       = 50375
	codeClosedTimer         = 50376
	codeClosed              = 50377
	codeTimerFormat         = 50379
	codeUniqueNameIsSid     = 50390
	codeTimersNeedState     = 50382
	codeAddressIsProxy      = 50409
	codePairInUse           = 50416
	codeParticipantLimit    = 50417
	codeNonChatLimit        = 50422
	codeIdentityTaken       = 50433
)

// apiError is a Twilio REST error. It renders as Twilio's error body:
// {"code": N, "message": "...", "more_info": "https://www.twilio.com/docs/errors/N", "status": S}.
type apiError struct {
	Status  int    `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("conversationstest: HTTP %d: %d %s", e.Status, e.Code, e.Message)
}

func (e *apiError) body() any {
	return struct {
		Code     int    `json:"code"`
		Message  string `json:"message"`
		MoreInfo string `json:"more_info"`
		Status   int    `json:"status"`
	}{e.Code, e.Message, fmt.Sprintf("https://www.twilio.com/docs/errors/%d", e.Code), e.Status}
}

func errorf(status, code int, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func badRequest(code int, format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, code, format, args...)
}

func conflict(code int, format string, args ...any) *apiError {
	return errorf(http.StatusConflict, code, format, args...)
}

func notFound(path string) *apiError {
	return errorf(http.StatusNotFound, codeNotFound, "The requested resource %s was not found", path)
}

func missingParam(name string) *apiError {
	return badRequest(codeInvalidParam, "Missing required parameter %s in the post body", name)
}

func invalidParam(name, value string) *apiError {
	return badRequest(codeInvalidParam, "Invalid value %q for parameter %s", value, name)
}
