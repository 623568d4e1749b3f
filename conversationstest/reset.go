package conversationstest

import (
	"time"

	"github.com/conversations-go/conversations"
)

// WithWebhookURL sets the global (account-level) webhook configuration at
// start: url as both the pre-event and the post-event URL, method POST, and
// every event the emulator fires as filters, like a Stripe CLI forward. The
// configuration can still be changed through the API; [Emulator.Reset]
// restores this one. A URL over [MaxWebhookURLLength] characters, which the
// API would refuse, is not used (and the logger, if any, says so).
func WithWebhookURL(url string) Option {
	return func(c *config) { c.control.webhookURL = url }
}

// applyWebhookURL sets the global webhook configuration given by
// WithWebhookURL, if any. The lock must be held (or the emulator not yet
// shared).
func (e *Emulator) applyWebhookURL() {
	e.globalHooks = hookConfig{method: "POST", target: "webhook", filters: []string{}}
	if u := e.cfg.control.webhookURL; u != "" {
		e.globalHooks.preURL, e.globalHooks.postURL = u, u
		for _, t := range conversations.EventTypes() { // all 23, the emulator fires each
			e.globalHooks.filters = append(e.globalHooks.filters, string(t))
		}
	}
}

// Reset brings the emulator back to a fresh start: a new default service, no
// conversations, users, address configurations, credentials, media, phones,
// delivery failures or webhook log, and the clock's offset back to zero. The
// options it was built with (credentials, WithWebhookURL, limits) still
// apply. Webhooks and receipts already queued are still delivered, for the
// records they were about.
func (e *Emulator) Reset() {
	e.mu.Lock()
	e.retireLocked()
	e.clockOffset = 0
	e.nextTimerScan = time.Time{}
	e.services = table[service]{}
	e.messagingSid = newSID("MG")
	e.phones = make(map[string][]SimulatedMessage)
	e.failures = make(map[string]failure)
	e.acct = accountConfig{}
	e.addresses = table[addressConfig]{}
	e.credentials = table[credential]{}
	e.media = table[mediaFile]{}
	e.noReadReceipts = nil
	e.applyWebhookURL()
	e.defaultSvc = e.newService("Default Conversations Service")
	e.reindex() // index.go
	e.mu.Unlock()
	e.hooklog.clear()
	e.changed()
}

// retireLocked marks every service and conversation deleted, so requests in
// flight across a reset or an import (a pre-event webhook is being waited
// on) find them gone instead of changing records no longer stored. The lock
// must be held.
func (e *Emulator) retireLocked() {
	for _, svc := range e.services.all() {
		svc.deleted = true
		for _, conv := range svc.conversations.all() {
			conv.deleted = true
		}
	}
}
