// Package accesstoken mints Twilio Access Tokens that let chat (web and
// mobile) participants connect to a Twilio Conversations Service.
//
// An Access Token is a JSON Web Token signed with HS256 using an API key
// secret. It names the account, the API key, the user's identity and a Chat
// grant for one Conversation Service (IS…). Mint one per user on your
// backend, after authenticating that user, and hand it to the Conversations
// client SDK; never ship the API key secret to a browser or app.
//
// See https://www.twilio.com/docs/iam/access-tokens.
//
//	tok, err := accesstoken.New(
//		accountSID, apiKeySID, apiKeySecret,
//		"alice",
//		accesstoken.ChatGrant{ServiceSID: serviceSID},
//		accesstoken.WithTTL(30*time.Minute),
//	)
//	if err != nil {
//		return err
//	}
//	jwt := tok.JWT()
//
// # Lifetime
//
// A token is valid for one hour unless [WithTTL] or [WithExpiresAt] says
// otherwise. The lifetime is used exactly as given: unlike the official Go
// SDK, a TTL shorter than an hour is not silently raised. Twilio rejects
// tokens that live longer than 24 hours (error 20157), so [New] refuses them,
// and it refuses an explicit expiry that has already passed (Twilio error
// 20104).
//
// # Errors
//
// [New] validates everything before signing and returns an error wrapping
// one of the sentinel errors of this package, such as [ErrInvalidSID] or
// [ErrInvalidTTL]; test for them with [errors.Is]. Error messages never
// contain the API key secret.
package accesstoken
