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
// cmd/conversations-emulator and point their Twilio SDK at it. Its control
// API under /_emulator/ (simulated users writing in, a Group MMS included,
// phones, failed deliveries, the clock, the webhook log, reset, state export and import)
// drives it from any language; [ControlClient] calls it from Go, for tests
// that run the binary out of process. docs/emulator.md documents each route.
//
// # With httptest or an HTTP mock
//
// [New] returns the emulator as an [http.Handler], to serve with
// httptest.NewServer or an httptest.ResponseRecorder, or to call from an
// HTTP mock's responder (for instance httpmock's NewMockTransport with a
// responder that calls ServeHTTP), so one test can mix canned responses with
// emulated ones. Call [Emulator.Close] when done if webhooks were configured.
//
// Served through a listener, every route checks the Host header against
// DNS rebinding (loopback names, the listen address, [WithAllowedHosts],
// and for the REST API Twilio's own hosts) and refuses a foreign Origin.
// Called in-process, with no listener behind the request, the REST API
// accepts any Host, so a client on Twilio's default base URLs works behind
// an HTTP mock; its links keep the client's https scheme. No answer carries
// WWW-Authenticate. docs/emulator-safety.md has the details.
//
// # What is emulated
//
// Both the account-level /v1/... endpoints, which use a default
// Conversation Service created at start-up as Twilio does, and the
// /v1/Services/{ChatServiceSid}/... forms, for: Services; Conversations
// (unique names in place of SIDs, states, Timers.Inactive and Timers.Closed,
// State/StartDate/EndDate filters); Participants (chat identities, SMS and
// WhatsApp addresses with proxy addresses, projected addresses, Group MMS
// members with an address and no proxy address: at most 10 per group,
// 50436, 50437, 50438); Messages (indexes, Order, delivery summaries,
// MediaSid; with ContentSid, Body and MediaSid are ignored and
// ContentVariables must be a JSON object of strings, 50527); message
// Receipts; the
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
// status and code. Length limits count characters, not bytes (256 for
// friendly names, identities and addresses), and one identity may be in at
// most 1000 active or inactive conversations. Every numeric query and form
// value is range-checked: a bad one is answered 400, never a panic.
// Requests must carry HTTP basic auth with the configured
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
// [Emulator.FailDeliveriesTo]; a WhatsApp recipient's then move on to read,
// unless [Emulator.SetReadReceipts] turns that off for its address.
// [Emulator.SendSMS] and [Emulator.SendWhatsApp]
// simulate a user writing from an address to a proxy address: the message
// lands in the open conversation holding that pair, or, when none does and
// an address configuration of the proxy address has auto-creation enabled,
// in a new conversation with the sender as participant (and, for
// auto-creation type webhook, a conversation-scoped webhook), after the
// onConversationAdd pre-event (with MessageBody and the MessagingBinding
// fields) has let it through. [Emulator.SendGroupMMS] does the same for a
// Group MMS (POST /_emulator/inbound with "others" and
// [ControlClient.SendGroupMMS] out of process), and [Emulator.SendChat] simulates a chat user writing from a
// client SDK.
//
// # Webhooks
//
// The emulator posts events as Twilio does: a form body (or query string for
// GET), X-Twilio-Signature computed with the auth token over the target URL
// (check it with conversations.ComputeSignature or the library's
// validator), I-Twilio-Idempotency-Token and User-Agent TwilioProxy/1.1
// (the last two as captured Twilio webhooks show; Twilio does not document
// them). Each is sent once (see the assumptions below). Only events listed
// in a configuration's Filters fire; a service's own pre- or post-event URL
// takes precedence over the global one.
//
// Pre-events (onMessageAdd, onUserUpdate, …) are sent synchronously before
// the action: a 4xx or 5xx answer rejects it (the REST caller then gets
// HTTP 403, code 20403: the emulator's assumption, Twilio documents no code),
// a JSON object changes the fields Twilio lets hooks change (body, author,
// attributes; friendly_name), and no answer within the timeout
// ([WithWebhookTimeout], 5 s by default) lets it through unchanged.
// Post-events are queued after the action and delivered asynchronously, in
// order per conversation; [Emulator.Flush] waits for them. REST actions fire
// webhooks only when the request has X-Twilio-Webhook-Enabled: true; actions
// of simulated users, timers and delivery receipts always do.
//
// # The emulator's assumptions
//
// Where Twilio's documentation is silent, the emulator makes a choice; these
// are its assumptions, not Twilio's documented behaviour:
//
//   - Redelivery: each webhook is delivered once (RetryCount 0), whatever its
//     answer. Twilio publishes no retry policy for Conversations webhooks, so
//     an app must not rely on one either way.
//   - Source: API and SDK are documented; an inbound message and what it
//     causes carry its channel (SMS, WHATSAPP, as captured payloads show), a
//     delivery receipt its recipient's channel, a timer SYSTEM.
//   - Group MMS: an auto-created group's onConversationAdd and
//     onConversationAdded carry MessagingBinding.Address once per member
//     (repeated form keys, sender first) and the group's number as
//     MessagingBinding.ProjectedAddress, with no ProxyAddress.
//   - Error codes Twilio does not document: a rejected pre-event (403,
//     20403); an identity already in 1000 conversations, a Page or PageToken
//     beyond offset 2^31-1 and an unknown MediaSid (400, 20001); a timer
//     over 100 years (400, 50379).
//   - A WhatsApp recipient reads every delivered message unless
//     [Emulator.SetReadReceipts] says otherwise.
//   - Rate limits ([WithRateLimit], off by default): each scope is a token
//     bucket holding one second's worth of actions; only the operations
//     whose scope Twilio documents are limited; a 429 has no Retry-After.
//   - Webhook URLs: Twilio documents 512 characters for a conversation
//     webhook's URL (50372); the emulator holds every webhook URL to it
//     ([MaxWebhookURLLength]), answering 20001 for the account's and a
//     service's PreWebhookUrl and PostWebhookUrl and 50372 for an address
//     configuration's AutoCreation.WebhookUrl.
//   - Guards: a foreign Host or Origin is answered 403, code 20403; a 401
//     carries no WWW-Authenticate (Twilio's does); GET / redirects to the
//     inspector.
//
// # Production volume
//
// [WithRateLimit] enforces Twilio's rate limits (30 mutating actions per
// second per scope by default, [TwilioRateLimit]), answering 429 with code
// 20429 beyond them, and [WithLatency] holds each request as a network would.
// [Emulator.Traffic] counts the requests answered and the 429s, and
// [Emulator.Conversations] summarizes what the emulator holds, so load tests
// can check that nothing was lost or done twice.
//
// # Time
//
// The emulator's clock is the real time unless [WithClock] freezes it;
// [Emulator.Advance] moves it forward and fires the conversation timers that
// fall due, so tests need not wait for them.
package conversationstest
