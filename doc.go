// Package conversations is a client for the Twilio Conversations v1 REST API:
// Conversation Services, conversations, participants on SMS, WhatsApp and
// chat, messages with text and media, users, roles, webhooks configuration,
// and the validation and decoding of the webhooks Twilio sends.
//
// Create a client with the account SID and auth token (or an API key with
// [WithAPIKey]), or from the environment with [NewClientFromEnv]:
//
//	client, err := conversations.NewClient(accountSID, authToken)
//	conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{
//		FriendlyName: "Support #42",
//	})
//	_, err = client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
//		MessagingBindingAddress:      "+15558675310",
//		MessagingBindingProxyAddress: "+15017122661",
//	})
//	_, err = client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{
//		Author: "agent", Body: "Hello!",
//	})
//
// The services of [Client] work on the account's default Conversation
// Service; client.Service(sid) gives the same services over
// /v1/Services/{sid}/... for another one. Every call takes a
// [context.Context] first. Bad input (an empty SID, attributes that are not
// JSON, a negative timer) fails before any request is sent.
//
// # Pagination
//
// List methods return an [iter.Seq2] that fetches one page at a time, lazily,
// and stops fetching when the loop breaks; an error is yielded once and ends
// the loop:
//
//	for msg, err := range client.Messages.List(ctx, convSID, &conversations.MessageListParams{Order: conversations.OrderDesc}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(msg.Index, msg.Author, msg.Body)
//	}
//
// Pager methods return a [Pager] that reads a page at a time, with its
// [Meta], for cursor-style UIs. Next-page URLs are followed only on the API
// host, and a repeated one stops the list with [ErrPageLoop]; so do
// [MaxEmptyPages] empty pages in a row ([ErrEmptyPages]) and a page of more
// than [MaxItemsPerPage] items ([ErrPageTooLarge]).
//
// # Errors
//
// API errors are *[Error] values with the HTTP status, Twilio's error code
// and message, and the Twilio-Request-Id header:
//
//	var apiErr *conversations.Error
//	if errors.As(err, &apiErr) && apiErr.Code == conversations.CodeConversationClosed {
//		...
//	}
//
// [IsNotFound], [IsRateLimited], [IsConflict] and [HasCode] answer the common
// questions. A request that got no usable response is a *[RequestError].
//
// # Retries
//
// Rate-limited requests (429) are retried, as are GET and DELETE requests that
// fail with status 500, 502, 503 or 504 or a connection error. A create or
// update is never retried once it may have reached Twilio, so a message is
// never sent twice. See [RetryPolicy].
//
// # Webhooks
//
// [ValidateSignature] and [ValidateRequest] check X-Twilio-Signature;
// [ParseEvent] and [DecodeEvent] turn a webhook into a typed event; the
// [WebhookHandler] ties them together for pre- and post-event hooks. A
// pre-event callback's context ends before Twilio stops waiting for the
// answer (see [WithPreEventTimeout]). Twilio publishes no retry policy for
// Conversations webhooks; [WithDuplicateFilter] assumes that a redelivery,
// if one comes, carries the first delivery's I-Twilio-Idempotency-Token.
//
// # Testing
//
// Package conversationstest is a local, stateful emulator of the API: point
// the client at it with [WithBaseURL]. For unit tests, pass an
// httpmock transport with [WithHTTPClient] and answer it with the
// Twilio-shaped bodies, pages, error bodies and signed webhooks of package
// conversationstest/fixture.
package conversations
