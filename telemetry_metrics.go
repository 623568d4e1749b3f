package conversations

import "strconv"

// MetricPrefix is the prefix of every instrument's name but
// http.client.request.duration, which follows OpenTelemetry's semantic
// conventions for HTTP clients.
const MetricPrefix = "twilio.conversations."

// Metric is an instrument a [Telemetry] records on. [Metrics] lists them
// all, so an implementation can create its instruments up front.
type Metric int

// The instruments. Attributes are of low cardinality only: an operation
// name, a status code or class, a Twilio error code, an event type, an
// outcome; never a SID, an address or an identity.
const (
	// MetricRequestDuration is http.client.request.duration: each HTTP
	// attempt's duration in seconds, until the response's headers (a
	// histogram; http.request.method, url.template, server.address,
	// server.port, http.response.status_code, error.type).
	MetricRequestDuration Metric = iota + 1
	// MetricOperationDuration is twilio.conversations.operation.duration:
	// each operation's duration in seconds, retries and limiter waits
	// included (a histogram; twilio.conversations.operation, outcome,
	// http.response.status_class, twilio.error_code).
	MetricOperationDuration
	// MetricOperations is twilio.conversations.operations: operations by
	// outcome (a counter; the attributes of MetricOperationDuration).
	MetricOperations
	// MetricThrottled is twilio.conversations.throttled: responses 429 Too
	// Many Requests (a counter; twilio.conversations.operation).
	MetricThrottled
	// MetricRetries is twilio.conversations.retries: attempts that are
	// followed by another (a counter; twilio.conversations.operation,
	// error.type of the attempt that failed).
	MetricRetries
	// MetricRateLimitWait is twilio.conversations.rate_limit.wait: the time
	// each attempt waited on the client's RateLimiter, in seconds (a
	// histogram; twilio.conversations.operation,
	// twilio.conversations.rate_limit.scope_kind).
	MetricRateLimitWait
	// MetricBulkItems is twilio.conversations.bulk.items: items of bulk
	// operations by outcome (a counter; twilio.conversations.bulk.operation,
	// twilio.conversations.bulk.status: done, skipped or failed).
	MetricBulkItems
	// MetricWebhookDeliveries is twilio.conversations.webhook.deliveries:
	// webhook requests by event type and outcome (a counter;
	// twilio.conversations.event_type, twilio.conversations.webhook.outcome,
	// http.response.status_code).
	MetricWebhookDeliveries
	// MetricWebhookDuplicates is twilio.conversations.webhook.duplicate_filter:
	// the duplicate filter's answers (a counter;
	// twilio.conversations.webhook.duplicate: new, in_progress, done or
	// error).
	MetricWebhookDuplicates
	// MetricWebhookCallbackDuration is
	// twilio.conversations.webhook.callback.duration: each callback's run
	// time in seconds (a histogram; twilio.conversations.event_type,
	// twilio.conversations.webhook.outcome).
	MetricWebhookCallbackDuration
)

// Metrics returns every instrument, in order.
func Metrics() []Metric {
	return []Metric{MetricRequestDuration, MetricOperationDuration, MetricOperations, MetricThrottled,
		MetricRetries, MetricRateLimitWait, MetricBulkItems, MetricWebhookDeliveries,
		MetricWebhookDuplicates, MetricWebhookCallbackDuration}
}

type metricInfo struct {
	name, unit, desc string
	histogram        bool
}

var metricInfos = [...]metricInfo{
	MetricRequestDuration:         {"http.client.request.duration", "s", "Duration of HTTP client requests.", true},
	MetricOperationDuration:       {MetricPrefix + "operation.duration", "s", "Duration of Conversations API operations, retries and rate-limiter waits included.", true},
	MetricOperations:              {MetricPrefix + "operations", "{operation}", "Conversations API operations by outcome.", false},
	MetricThrottled:               {MetricPrefix + "throttled", "{response}", "Responses 429 Too Many Requests.", false},
	MetricRetries:                 {MetricPrefix + "retries", "{retry}", "HTTP attempts followed by a retry.", false},
	MetricRateLimitWait:           {MetricPrefix + "rate_limit.wait", "s", "Time spent waiting on the client's rate limiter.", true},
	MetricBulkItems:               {MetricPrefix + "bulk.items", "{item}", "Items of bulk operations by status.", false},
	MetricWebhookDeliveries:       {MetricPrefix + "webhook.deliveries", "{delivery}", "Webhook requests by event type and outcome.", false},
	MetricWebhookDuplicates:       {MetricPrefix + "webhook.duplicate_filter", "{delivery}", "Answers of the webhook duplicate filter.", false},
	MetricWebhookCallbackDuration: {MetricPrefix + "webhook.callback.duration", "s", "Run time of webhook callbacks.", true},
}

func (m Metric) info() metricInfo {
	if m <= 0 || int(m) >= len(metricInfos) {
		return metricInfo{name: "Metric(" + strconv.Itoa(int(m)) + ")"}
	}
	return metricInfos[m]
}

// Name returns the instrument's name, such as
// "twilio.conversations.operation.duration".
func (m Metric) Name() string { return m.info().name }

// Unit returns the instrument's unit in UCUM form: "s", or a count such as
// "{operation}".
func (m Metric) Unit() string { return m.info().unit }

// Description returns a one-line description of the instrument.
func (m Metric) Description() string { return m.info().desc }

// Histogram reports whether the instrument is a histogram (of durations in
// seconds); otherwise it is a counter.
func (m Metric) Histogram() bool { return m.info().histogram }

// String returns the instrument's name.
func (m Metric) String() string { return m.Name() }
