package conversationstest

import (
	"fmt"
	"math"
	"time"
)

// The ranges every value the emulator stores must stay in, so that it can
// always be rendered, exported and imported again.

// Dates: Twilio renders them as RFC 3339 in UTC with a four-digit year
// (2006-01-02T15:04:05Z), so the emulator accepts only instants from
// 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, after conversion
// to UTC: DateCreated=9999-12-31T23:59:59-23:59 is year 10000 in UTC, and
// refused. Its own clock and timers stop at the last instant (see clampDate).
var (
	minDate = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// checkDate refuses a date Twilio's format cannot carry.
func checkDate(t time.Time) error {
	if t.Before(minDate) || t.After(maxDate) {
		return fmt.Errorf("date %s is outside the years 0000 to 9999 (in UTC) that Twilio's date format can carry", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// clampDate keeps a date the emulator computes itself (its clock moved far
// ahead, a timer due in a hundred years) within the dates it can render.
func clampDate(t time.Time) time.Time {
	if t.After(maxDate) {
		return maxDate
	}
	return t
}

// maxMessageIndex is the largest message index (and read horizon) the
// emulator stores. Twilio's spec types an index as a plain integer, which
// OpenAPI generators (Twilio's Java and C# SDKs) read as 32 bits; the
// emulator refuses a message that would need a larger index (error 20001,
// 400: its assumption, Twilio documents none) instead of wrapping, and an
// imported document with a larger next_index or index.
const maxMessageIndex = math.MaxInt32

// A conversation's next_index may be one past the largest index: every
// index used.

// validIndex reports whether n is a message index the emulator can store.
func validIndex(n int) bool { return n >= 0 && n <= maxMessageIndex }

// checkNextIndex refuses a message to conv when its index would pass
// maxMessageIndex. The lock must be held.
func checkNextIndex(conv *conversation) error {
	if conv.nextIndex > maxMessageIndex {
		return badRequest(codeInvalidParam, "Conversation %s has used every message index up to %d", conv.sid, maxMessageIndex)
	}
	return nil
}
