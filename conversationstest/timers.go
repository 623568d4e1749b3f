package conversationstest

import (
	"math"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

var durationRE = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// maxTimer is the longest timer the emulator accepts: 100 years (the
// emulator's bound; Twilio documents none). Longer durations are refused
// with 50379 rather than overflowing.
const maxTimer = 100 * 365 * 24 * time.Hour

// parseISODuration parses an ISO 8601 duration such as PT5M or P1DT2H.
// Years count as 365 days and months as 30. A duration too long for a
// time.Duration (about 292 years) saturates at its maximum instead of
// overflowing; callers bound it.
func parseISODuration(s string) (time.Duration, bool) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || s[len(s)-1] == 'T' {
		return 0, false
	}
	const maxD = time.Duration(math.MaxInt64)
	units := []time.Duration{365 * 24 * time.Hour, 30 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute}
	var d time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil || n > int64((maxD-d)/u) {
			return maxD, true
		}
		d += time.Duration(n) * u
	}
	if m[7] != "" {
		f, err := strconv.ParseFloat(m[7], 64)
		if err != nil || f >= (maxD-d).Seconds() {
			return maxD, true
		}
		d += time.Duration(f * float64(time.Second))
	}
	return d, true
}

// timerParams reads Timers.Inactive and Timers.Closed. A zero duration
// (PT0S) disables a timer; otherwise inactive must be at least 1 minute
// (50375) and closed at least 10 minutes (50376).
func (c *call) timerParams() (inactive, closed *time.Duration, err error) {
	read := func(name string, minimum time.Duration, code int) (*time.Duration, error) {
		if !c.has(name) {
			return nil, nil
		}
		d, ok := parseISODuration(c.param(name))
		if !ok {
			return nil, badRequest(codeTimerFormat, "%s must be an ISO 8601 duration, got %q", name, c.param(name))
		}
		if d != 0 && d < minimum {
			return nil, badRequest(code, "%s must be at least %s", name, minimum)
		}
		if d > maxTimer {
			return nil, badRequest(codeTimerFormat, "%s must be at most 100 years, got %q", name, c.param(name))
		}
		return &d, nil
	}
	if inactive, err = read("Timers.Inactive", time.Minute, codeInactiveTimer); err != nil {
		return nil, nil, err
	}
	if closed, err = read("Timers.Closed", 10*time.Minute, codeClosedTimer); err != nil {
		return nil, nil, err
	}
	return inactive, closed, nil
}

// resetTimers restarts conv's timers from now, as on creation, on a timer
// update and on each new message. The lock must be held.
func (e *Emulator) resetTimers(conv *conversation) {
	defer e.idx.retime(conv) // index.go
	now := e.nowLocked()
	conv.dateInactive, conv.dateClosed = nil, nil
	if conv.state == "closed" {
		return
	}
	if conv.inactiveTimer > 0 && conv.state == "active" {
		conv.dateInactive = ptr(clampDate(now.Add(conv.inactiveTimer)))
		e.scheduleTimer(*conv.dateInactive)
	}
	if conv.closedTimer > 0 {
		conv.dateClosed = ptr(clampDate(now.Add(conv.closedTimer)))
		e.scheduleTimer(*conv.dateClosed)
	}
}

func (e *Emulator) scheduleTimer(t time.Time) {
	if e.nextTimerScan.IsZero() || t.Before(e.nextTimerScan) {
		e.nextTimerScan = t
	}
}

// fireTimers moves the conversations whose timers are due to inactive or
// closed (Reason TIMER), in creation order. The lock must be held.
func (e *Emulator) fireTimers() {
	now := e.nowLocked()
	if e.nextTimerScan.IsZero() || now.Before(e.nextTimerScan) {
		return // nothing is due
	}
	e.nextTimerScan = time.Time{}
	e.changed()
	for _, conv := range e.idx.due(now) { // index.go: only the conversations due
		if conv.dateClosed != nil && !now.Before(*conv.dateClosed) {
			e.setState(conv, "closed", "TIMER", timerOrigin)
			continue
		}
		if conv.dateInactive != nil && !now.Before(*conv.dateInactive) {
			conv.dateInactive = nil
			if conv.state == "active" {
				e.setState(conv, "inactive", "TIMER", timerOrigin)
			}
		}
		e.idx.retime(conv)
	}
	if next := e.idx.nextDue(); !next.IsZero() {
		e.scheduleTimer(next)
	}
}

// setState moves conv to state to and fires onConversationStateUpdated with
// the given Reason (API, TIMER or EVENT). The lock must be held.
func (e *Emulator) setState(conv *conversation, to, reason string, o origin) {
	from := conv.state
	if from == to {
		return
	}
	now := e.nowLocked()
	conv.state = to
	e.idx.stateChanged(conv, from) // index.go
	defer e.idx.retime(conv)
	conv.updated = now
	switch to {
	case "closed":
		conv.dateInactive, conv.dateClosed = nil, nil
	case "active":
		if conv.inactiveTimer > 0 {
			conv.dateInactive = ptr(clampDate(now.Add(conv.inactiveTimer)))
			e.scheduleTimer(*conv.dateInactive)
		}
	case "inactive":
		conv.dateInactive = nil
	}
	p := url.Values{}
	p.Set("ChatServiceSid", conv.svc.sid)
	p.Set("ConversationSid", conv.sid)
	p.Set("MessagingServiceSid", conv.messagingServiceSid)
	p.Set("StateUpdated", fmtDate(now))
	p.Set("StateFrom", from)
	p.Set("StateTo", to)
	p.Set("Reason", reason)
	e.postEvent(conv.svc, conv, o, "onConversationStateUpdated", p)
}
