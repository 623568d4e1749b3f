package conversationstest

import "unicode/utf8"

// Length limits, from Twilio's Conversations limits page, counted in
// characters (Unicode code points), not bytes: a name of 256 non-ASCII
// characters is accepted. Unique names have no documented limit and get
// none.
const (
	maxNameChars    = 256 // friendly names, identities, MessagingBinding.Address and ProxyAddress
	maxShortName    = 64  // role and credential friendly names
	maxSMSBodyChars = 1600
	maxBodyChars    = 32 << 10
)

// maxIdentityConversations is how many active or inactive conversations
// of a service one chat identity may be in (Twilio's limits page).
const maxIdentityConversations = 1000

// checkIdentityConversations refuses a participant whose identity is
// already in maxIdentityConversations active or inactive conversations of
// svc. Twilio documents the limit but not its error code: the emulator
// answers 400 with code 20001 (its assumption). The lock must be held.
func checkIdentityConversations(svc *service, identity string) error {
	if svc.conversations.len() < maxIdentityConversations {
		return nil
	}
	if svc.ix.openConversations(identity) >= maxIdentityConversations { // index.go
		return badRequest(codeInvalidParam, "Identity %q is already in %d active or inactive conversations, the most allowed", identity, maxIdentityConversations)
	}
	return nil
}

// checkModName applies the friendly-name limit to a name a pre-event
// webhook set.
func checkModName(name string) error {
	if tooLong(name, maxNameChars) {
		return badRequest(codeInvalidParam, "The pre-event webhook set friendly_name beyond %d characters", maxNameChars)
	}
	return nil
}

// tooLong reports whether s has more than limit characters. An invalid
// UTF-8 byte counts as one character.
func tooLong(s string, limit int) bool {
	return len(s) > limit && utf8.RuneCountInString(s) > limit
}

// checkParticipantLengths applies the 256-character limits of a
// participant's identity and addresses.
func checkParticipantLengths(p *participant) error {
	for _, f := range []struct{ name, value string }{
		{"Identity", p.identity},
		{"MessagingBinding.Address", p.address},
		{"MessagingBinding.ProxyAddress", p.proxyAddress},
	} {
		if tooLong(f.value, maxNameChars) {
			return badRequest(codeInvalidParam, "%s exceeds %d characters", f.name, maxNameChars)
		}
	}
	return nil
}
