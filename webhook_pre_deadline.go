package conversations

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// DefaultPreEventTimeout is how long [WebhookHandler] waits for a pre-event
// callback by default: half a second less than the 5 seconds after which
// Twilio stops waiting for the answer and publishes the action unchanged.
const DefaultPreEventTimeout = 4500 * time.Millisecond

// WithPreEventTimeout sets how long [WebhookHandler] waits for a pre-event
// callback (default [DefaultPreEventTimeout], answering [Allow] on timeout),
// and the decision it answers when the callback has not answered by then.
//
// The callback's context ends after d. If the callback has not returned
// when d has passed, or returns after its context ended (with an error, such
// as the context's, or with a decision), the handler answers onTimeout at
// once, and the callback's late result is logged and discarded. Twilio
// waits 5 seconds for the answer to a pre-event and then publishes the
// action unchanged (fail-open), so a decision that arrives later is not
// honoured: keep d under 5 seconds less your network latency. With
// onTimeout [Allow] the handler says what Twilio does anyway, without
// waiting for it; with [Reject] a slow callback blocks the action (fail
// closed), if the answer reaches Twilio in time. An invalid d (<= 0) makes
// [NewWebhookHandler] fail.
func WithPreEventTimeout(d time.Duration, onTimeout Decision) WebhookOption {
	return func(c *webhookConfig) {
		if d <= 0 {
			c.fail(fmt.Errorf("conversations: WithPreEventTimeout: %v is not a positive duration", d))
			return
		}
		c.preTimeout, c.preOnTimeout = d, onTimeout
	}
}

// preResult is what a pre-event callback returned.
type preResult struct {
	d   Decision
	err error
}

// runPre runs a pre-event callback with a context that ends after the
// pre-event timeout, in its own goroutine so that the handler can answer
// when the time is up even if the callback ignores its context. It reports
// late when the callback did not answer in time; a panic becomes an error.
func (h *WebhookHandler) runPre(ctx context.Context, fn preFunc, ev Event, attrs []slog.Attr) (d Decision, late bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, h.cfg.preTimeout)
	defer cancel()
	done := make(chan preResult, 1)
	go func() {
		var r preResult
		defer func() {
			if p := recover(); p != nil {
				r = preResult{err: fmt.Errorf("panic: %v", p)}
			}
			if cctx.Err() != nil {
				outcome := r.d.action.String()
				if r.err != nil {
					outcome = "error: " + r.err.Error()
				}
				h.log.LogAttrs(ctx, slog.LevelWarn, "conversations: late pre-event callback result discarded",
					append(attrs, slog.String("result", outcome))...)
			}
			done <- r
		}()
		r.d, r.err = fn(cctx, ev)
	}()
	select {
	case r := <-done:
		if cctx.Err() != nil {
			// It answered, but only after its time was up.
			return Decision{}, true, nil
		}
		return r.d, false, r.err
	case <-cctx.Done():
		return Decision{}, true, nil
	}
}
