package conversations

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Ptr returns a pointer to v, for params fields where a zero value must be
// sendable, such as conversations.Ptr(0) for a last-read message index.
func Ptr[T any](v T) *T { return &v }

// DeleteParams are the optional parameters of a delete.
type DeleteParams struct {
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true, so that this REST
	// action triggers the configured post-event webhooks.
	WebhookEnabled bool `url:"-"`
}

func (p *DeleteParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

// ListParams are the parameters of a list that takes no filters.
type ListParams struct {
	// PageSize is how many items one request asks for, clamped to the
	// list's maximum (in its List method's doc). Zero means Limit when that
	// is set, Twilio's default (50) otherwise. It does not limit the items
	// returned: Limit does.
	PageSize int `url:"PageSize,omitempty"`
	// Limit is the most items the list returns, over all pages: it stops
	// fetching once Limit items arrived. Zero means every item.
	Limit int `url:"-"`
}

// Minimum timer durations, per the spec: Twilio refuses a shorter inactive
// timer (error 50375) or closed timer (error 50376). They apply to
// [Timers] and to the account defaults of [ConfigurationUpdateParams].
const (
	MinInactiveTimer = time.Minute
	MinClosedTimer   = 10 * time.Minute
)

// Timers sets a conversation's state timers: after Inactive without activity
// an active conversation becomes inactive, and after Closed it is closed for
// good. Each is sent as an ISO 8601 duration (Timers.Inactive, Timers.Closed)
// and must be whole seconds, at least [MinInactiveTimer] for Inactive and
// [MinClosedTimer] for Closed. Zero leaves a timer as it is; DisableInactive
// and DisableClosed turn a timer off (PT0S). On create Twilio refuses timers
// without a State (error 50382), so [ConversationsService.Create] requires
// one.
type Timers struct {
	Inactive        time.Duration
	Closed          time.Duration
	DisableInactive bool
	DisableClosed   bool
}

// IsZero reports whether no timer is set.
func (t Timers) IsZero() bool { return t == Timers{} }

// EncodeValues implements the go-querystring Encoder interface.
func (t Timers) EncodeValues(key string, v *url.Values) error {
	for _, tm := range []stateTimer{
		{key + ".Inactive", t.Inactive, t.DisableInactive, MinInactiveTimer},
		{key + ".Closed", t.Closed, t.DisableClosed, MinClosedTimer},
	} {
		s, err := tm.encode()
		if err != nil {
			return err
		}
		if s != "" {
			v.Set(tm.name, s)
		}
	}
	return nil
}

// stateTimer is one conversation state timer parameter, the one validation
// of [Timers] and of the defaults in [ConfigurationUpdateParams].
type stateTimer struct {
	name    string // the wire name, for errors
	d       time.Duration
	disable bool
	min     time.Duration
}

// encode returns the timer as an ISO 8601 duration: PT0S when disabled, ""
// when not set. A duration that is negative, not whole seconds, under the
// minimum or set together with disable is an error naming the parameter.
func (t stateTimer) encode() (string, error) {
	switch {
	case t.disable && t.d != 0:
		return "", fmt.Errorf("conversations: %s: both a duration and Disable are set", t.name)
	case t.disable:
		return "PT0S", nil
	case t.d == 0:
		return "", nil
	}
	s, err := ISODuration(t.d)
	if err == nil && t.d < t.min {
		err = fmt.Errorf("%w: %v is less than the minimum of %v", ErrInvalidDuration, t.d, t.min)
	}
	if err != nil {
		return "", fmt.Errorf("conversations: %s: %w", t.name, err)
	}
	return s, nil
}

func (Timers) wireKeys(key string) []string { return []string{key + ".Inactive", key + ".Closed"} }

// ErrInvalidDuration is returned (wrapped) for a negative duration or one
// that is not a whole number of seconds.
var ErrInvalidDuration = errors.New("invalid duration")

// ISODuration formats d as an ISO 8601 duration such as PT1H30M or PT0S.
// d must not be negative and must be a whole number of seconds.
func ISODuration(d time.Duration) (string, error) {
	if d < 0 {
		return "", fmt.Errorf("%w: %v is negative", ErrInvalidDuration, d)
	}
	if d%time.Second != 0 {
		return "", fmt.Errorf("%w: %v is not whole seconds", ErrInvalidDuration, d)
	}
	if d == 0 {
		return "PT0S", nil
	}
	var b strings.Builder
	b.WriteString("PT")
	h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	for _, part := range []struct {
		n    int64
		unit byte
	}{{h, 'H'}, {m, 'M'}, {s, 'S'}} {
		if part.n != 0 {
			b.WriteString(strconv.FormatInt(part.n, 10))
			b.WriteByte(part.unit)
		}
	}
	return b.String(), nil
}

// requireField returns an error naming a required field when empty is true.
func requireField(empty bool, name string) error {
	if empty {
		return fmt.Errorf("%w: %s", ErrEmptyParameter, name)
	}
	return nil
}
