package conversations

import "context"

// The names of the bulk operations' spans and of their items' spans ("…
// item").
const (
	bulkAddParticipants     = "Participants.AddMany"
	bulkCreateConversations = "Conversations.CreateMany"
	bulkCloseConversations  = "Conversations.CloseMany"
	bulkDeleteConversations = "Conversations.DeleteMany"
	attrBulkOperation       = "twilio.conversations.bulk.operation"
	attrBulkItems           = "twilio.conversations.bulk.items"
	attrBulkItem            = "twilio.conversations.bulk.item"
	attrBulkStatus          = "twilio.conversations.bulk.status"
	attrBulkDone            = "twilio.conversations.bulk.done"
	attrBulkSkipped         = "twilio.conversations.bulk.skipped"
	attrBulkFailed          = "twilio.conversations.bulk.failed"
	errTypeBulkItemsFailed  = "items_failed"
	spanBulkItemSuffix      = " item"
)

// bulkTrace is the telemetry of one bulk operation; nil without a
// Telemetry.
type bulkTrace struct {
	tel  Telemetry
	name string
	span TelemetrySpan
}

// traceBulk runs a bulk operation's body inside its span: an internal span
// named name, with the item count, and at the end the counts of items done,
// skipped and failed. Without a Telemetry it only calls body.
func traceBulk[T any](ctx context.Context, c *core, name string, total int, body func(ctx context.Context, bt *bulkTrace) ([]BulkResult[T], error)) ([]BulkResult[T], error) {
	if c.tel == nil {
		return body(ctx, nil)
	}
	bt := &bulkTrace{tel: c.tel, name: name}
	ctx, bt.span = c.tel.StartSpan(ctx, name, SpanKindInternal,
		StringAttr(attrBulkOperation, name), IntAttr(attrBulkItems, int64(total)))
	results, err := body(ctx, bt)
	var counts [BulkFailed + 1]int64
	for _, r := range results {
		if r.Status >= BulkDone && r.Status <= BulkFailed {
			counts[r.Status]++
		}
	}
	bt.span.SetAttributes(IntAttr(attrBulkDone, counts[BulkDone]), IntAttr(attrBulkSkipped, counts[BulkSkipped]),
		IntAttr(attrBulkFailed, counts[BulkFailed]))
	if err != nil {
		t := ctxErrorType(ctx.Err())
		if t == "" && results != nil {
			t = errTypeBulkItemsFailed
		} else if t == "" {
			t = errorType(err) // nothing could start: the listing failed
		}
		bt.span.SetAttributes(StringAttr(attrErrorType, t))
		bt.span.SetError(t)
	}
	bt.span.End()
	for s := BulkDone; s <= BulkFailed; s++ {
		if counts[s] > 0 {
			c.tel.Record(ctx, MetricBulkItems, float64(counts[s]),
				StringAttr(attrBulkOperation, name), StringAttr(attrBulkStatus, s.String()))
		}
	}
	return results, err
}

// failedBulk reports a bulk operation refused before it started (its
// input or options are invalid), when there is a Telemetry: its span, with
// the item count and no item done, skipped or failed, ends at once with
// error.type invalid_argument, like an operation refused before sending.
func (c *core) failedBulk(ctx context.Context, name string, total int) {
	if c.tel != nil && ctx != nil {
		c.failedBulkSpan(ctx, name, total)
	}
}

func (c *core) failedBulkSpan(ctx context.Context, name string, total int) {
	_, span := c.tel.StartSpan(ctx, name, SpanKindInternal,
		StringAttr(attrBulkOperation, name), IntAttr(attrBulkItems, int64(total)))
	span.SetAttributes(IntAttr(attrBulkDone, 0), IntAttr(attrBulkSkipped, 0), IntAttr(attrBulkFailed, 0),
		StringAttr(attrErrorType, errTypeInvalid))
	span.SetError(errTypeInvalid)
	span.End()
}

// startItem starts the span of item i; the item's API calls are its
// children.
func (bt *bulkTrace) startItem(ctx context.Context, i int) (context.Context, TelemetrySpan) {
	if bt == nil {
		return ctx, nil
	}
	return bt.tel.StartSpan(ctx, bt.name+spanBulkItemSuffix, SpanKindInternal,
		StringAttr(attrBulkOperation, bt.name), IntAttr(attrBulkItem, int64(i)))
}

// endItem ends an item's span with its status.
func (bt *bulkTrace) endItem(span TelemetrySpan, status BulkStatus, err error) {
	if bt != nil {
		bt.endItemSpan(span, status, err)
	}
}

func (bt *bulkTrace) endItemSpan(span TelemetrySpan, status BulkStatus, err error) {
	span.SetAttributes(StringAttr(attrBulkStatus, status.String()))
	if status == BulkFailed {
		t := errorType(err)
		span.SetAttributes(StringAttr(attrErrorType, t))
		span.SetError(t)
	}
	span.End()
}
