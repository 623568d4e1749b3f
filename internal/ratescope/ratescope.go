// Package ratescope classifies Conversations API requests by the rate-limit
// scope Twilio counts them against. The client's pacing and the emulator's
// enforcement share it, so both agree on what counts where.
//
// Twilio documents 30 mutating actions per second by default, reads not
// counted: per Conversation Service for conversation create and delete and
// all User and Role operations; per conversation for conversation update and
// all Participant and Message operations.
package ratescope

import "strings"

// Scope prefixes. A scope is "service:<IS sid>" ("service:default" for the
// account-level /v1 paths, which work on the default Conversation Service) or
// "conversation:<CH sid or unique name, as it appears in the path>".
const (
	ServicePrefix      = "service:"
	ConversationPrefix = "conversation:"
	// DefaultService names the account's default Conversation Service.
	DefaultService = "default"
)

// Mutating reports whether method changes state: only those calls count
// against a rate limit.
func Mutating(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "":
		return false
	}
	return true
}

// Classify returns the scope a request with method and path (such as
// "/v1/Services/IS123/Conversations/CH123/Messages") counts against. ok is
// false for reads and for paths outside /v1/. documented is true when
// Twilio's documentation names the operation's scope; other mutating calls
// (services, configuration, credentials, address configurations, bindings,
// conversation-scoped webhooks) get a scope too, chosen here: their
// conversation for a conversation's webhooks, their service otherwise.
func Classify(method, path string) (scope string, documented, ok bool) {
	if !Mutating(method) {
		return "", false, false
	}
	rest, found := strings.CutPrefix(path, "/v1/")
	if !found {
		return "", false, false
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	service := DefaultService
	if segs[0] == "Services" {
		if len(segs) < 2 || segs[1] == "" {
			// Creating a Conversation Service is an account-level call.
			return ServicePrefix + DefaultService, false, true
		}
		service, segs = segs[1], segs[2:]
		if len(segs) == 0 {
			return ServicePrefix + service, false, true // the service itself
		}
	}
	svc := ServicePrefix + service
	switch segs[0] {
	case "Conversations":
		switch {
		case len(segs) == 1: // create
			return svc, true, true
		case segs[1] == "":
			return svc, false, true
		case len(segs) == 2: // update, or delete
			if method == "DELETE" {
				return svc, true, true
			}
			return ConversationPrefix + segs[1], true, true
		case segs[2] == "Participants" || segs[2] == "Messages":
			return ConversationPrefix + segs[1], true, true
		default: // its webhooks
			return ConversationPrefix + segs[1], false, true
		}
	case "ConversationWithParticipants": // a conversation create
		return svc, true, true
	case "Users", "Roles":
		return svc, true, true
	}
	return svc, false, true
}
