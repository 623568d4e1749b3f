package conversationstest

import (
	"fmt"
	"unicode/utf8"
)

// MaxWebhookURLLength is the longest webhook URL, in characters, the
// emulator accepts wherever it takes one: a conversation-scoped webhook's
// Configuration.Url, an address configuration's AutoCreation.WebhookUrl,
// the account's and a service's PreWebhookUrl and PostWebhookUrl, a state
// document and [WithWebhookURL]. Twilio documents 512 characters for a
// conversation webhook's URL (error 50372); applying it to the other places
// is the emulator's assumption.
const MaxWebhookURLLength = 512

// codeWebhookURLTooLong is Twilio's error for a conversation webhook URL
// over 512 characters.
const codeWebhookURLTooLong = 50372

// checkWebhookURL refuses a webhook URL parameter over MaxWebhookURLLength
// with a 400 and code, without echoing the value. It runs before any other
// check of the URL, so an over-long one is never parsed or repeated in an
// error.
func checkWebhookURL(name, u string, code int) error {
	if tooLong(u, MaxWebhookURLLength) {
		return badRequest(code, "%s is longer than %d characters", name, MaxWebhookURLLength)
	}
	return nil
}

// checkStateWebhookURLs refuses a state document holding a webhook URL over
// MaxWebhookURLLength, which the REST API would not have accepted.
func checkStateWebhookURLs(d *stateDoc) error {
	check := func(what, u string) error {
		if tooLong(u, MaxWebhookURLLength) {
			return fmt.Errorf("%s: webhook URL longer than %d characters", what, MaxWebhookURLLength)
		}
		return nil
	}
	hooks := func(what string, h stateHooks) error {
		if err := check(what+" pre_webhook_url", h.PreURL); err != nil {
			return err
		}
		return check(what+" post_webhook_url", h.PostURL)
	}
	if err := hooks("global_webhooks", d.GlobalWebhooks); err != nil {
		return err
	}
	for _, s := range d.Services {
		if err := hooks("service "+s.Sid, s.Webhooks); err != nil {
			return err
		}
		for _, c := range s.Conversations {
			for _, w := range c.Webhooks {
				if err := check("webhook "+w.Sid, w.URL); err != nil {
					return err
				}
			}
		}
	}
	for _, a := range d.Addresses {
		if err := check("address configuration "+a.Sid, a.WebhookURL); err != nil {
			return err
		}
	}
	return nil
}

// The webhook log's bounds on the target URL and the error text of one
// entry, in bytes (the answer's excerpt has hookExcerptSize): every URL the
// emulator accepts fits whole (512 characters of at most 4 bytes), so the
// cut only matters to a URL that came in some other way.
const (
	hookURLLogSize   = 4 * MaxWebhookURLLength
	hookErrorLogSize = 1 << 10
)

// truncateLog cuts s to at most n bytes on a character boundary, marking
// the cut with "…".
func truncateLog(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
