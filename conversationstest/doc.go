// Package conversationstest is a local, in-memory emulator of the Twilio
// Conversations v1 REST API, in the spirit of net/http/httptest: run real
// code against a faithful Conversations API offline, with SMS and WhatsApp
// users simulated and webhooks delivered.
//
// # With the client
//
// [NewServer] starts the emulator on a loopback port; point the client at
// its URL with the base-URL option and use the credentials it accepts:
//
//	srv := conversationstest.NewServer()
//	defer srv.Close()
//	client, err := srv.Client() // or, by hand:
//	client, err = conversations.NewClient(srv.AccountSID(), srv.AuthToken(),
//		conversations.WithBaseURL(srv.URL), conversations.WithMediaBaseURL(srv.URL))
//
// Apps in other languages can run the same emulator as a process with
// cmd/conversations-emulator and point their Twilio SDK at it.
//
// # With httptest or an HTTP mock
//
// [New] returns the emulator as an [http.Handler], to serve with
// httptest.NewServer or an httptest.ResponseRecorder, or to call from an
// HTTP mock's responder (for instance httpmock's NewMockTransport with a
// responder that calls ServeHTTP), so one test can mix canned responses with
// emulated ones. Call [Emulator.Close] when done if webhooks were configured.
//
// # What is emulated
//
// Both the account-level /v1/... endpoints, which use a default
// Conversation Service created at start-up as Twilio does, and the
// /v1/Services/{ChatServiceSid}/... forms, for: Services; Conversations
// (unique names in place of SIDs, states, Timers.Inactive and Timers.Closed,
// State/StartDate/EndDate filters); Participants (chat identities, SMS and
// WhatsApp addresses with proxy addresses, projected addresses); Messages
// (indexes, Order, delivery summaries, MediaSid); message Receipts; the
// global and service webhook configurations; conversation-scoped webhooks;
// Roles (each service starts with channel admin, channel user, service
// admin and service user); Users (created implicitly for chat participants;
// a duplicate identity is 50201); User Conversations (unread counts from the
// participant's read horizon; Delete leaves the conversation); Participant
// Conversations; push Bindings (created with [Emulator.RegisterBinding], as
// SDKs register them); the account Configuration (default service,
// messaging service and timers) and service Configuration and
// Notifications; Address Configurations with auto-creation; push
// Credentials (metadata only); Conversation with Participants.
// Bodies are shaped as the OpenAPI spec's responses, with url and links
// built from the host the request came in on; lists are paginated with meta
// and the spec's page-size limits; errors are Twilio's error body with its
// status and code. Requests must carry HTTP basic auth with the configured
// account SID and auth token, or an API key given with [WithAPIKey].
// Unknown paths answer Twilio's 404.
//
// # Media
//
// The Media Content Service is served on the same URL: give it to the
// client's media base-URL option too. Uploads (the raw bytes with their
// Content-Type), metadata with a temporary content URL that works without
// credentials for 300 seconds, MediaSid on message create (the message's
// media field and the Media of webhook events are filled in), and removal of
// media not attached within 5 minutes, on the emulator's clock.
//
// # Simulated users
//
// Messages to SMS and WhatsApp participants reach their simulated phones,
// read back with [Emulator.Received]; their receipts move from sent to
// delivered, or to failed or undelivered for addresses given to
// [Emulator.FailDeliveriesTo]. [Emulator.SendSMS] and [Emulator.SendWhatsApp]
// simulate a user writing from an address to a proxy address: the message
// lands in the open conversation holding that pair, or, when none does and
// an address configuration of the proxy address has auto-creation enabled,
// in a new conversation with the sender as participant (and, for
// auto-creation type webhook, a conversation-scoped webhook). [Emulator.SendChat]
// simulates a chat user writing from a client SDK.
//
// # Webhooks
//
// The emulator posts events as Twilio does: a form body (or query string for
// GET), X-Twilio-Signature computed with the auth token over the target URL
// (check it with conversations.ComputeSignature or the library's
// validator), I-Twilio-Idempotency-Token and User-Agent TwilioProxy/1.1.
// Only events listed in a configuration's Filters fire; a service's own
// pre- or post-event URL takes precedence over the global one.
//
// Pre-events (onMessageAdd, …) are sent synchronously before the action: a
// 4xx or 5xx answer rejects it (the REST caller gets HTTP 403, code 20403),
// a JSON object changes the fields Twilio lets hooks change (body, author,
// attributes; friendly_name), and no answer within the timeout
// ([WithWebhookTimeout], 5 s by default) lets it through unchanged.
// Post-events are queued after the action and delivered asynchronously, in
// order per conversation; [Emulator.Flush] waits for them. REST actions fire
// webhooks only when the request has X-Twilio-Webhook-Enabled: true; actions
// of simulated users, timers and delivery receipts always do.
//
// # Time
//
// The emulator's clock is the real time unless [WithClock] freezes it;
// [Emulator.Advance] moves it forward and fires the conversation timers that
// fall due, so tests need not wait for them.
package conversationstest
