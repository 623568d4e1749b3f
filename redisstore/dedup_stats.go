package redisstore

import (
	"sync/atomic"
)

// filterCounters are the [FilterStats] counters.
type filterCounters struct {
	localRuns, refused, commitRetries, deferred, recordedLate, dropped,
	conflicts, orphansReleased, releaseFailed atomic.Int64
}

// FilterStats counts what a [DuplicateFilter] did because Redis did not
// answer, since it was made. The counters only grow, except Pending.
type FilterStats struct {
	// LocalRuns is the deliveries reserved in process while Redis did not
	// answer ([RunLocally]): their callbacks ran without Redis.
	LocalRuns int64
	// Refused is the deliveries refused because Redis did not answer
	// ([Refuse], or the in-process store full under [RunLocally]).
	Refused int64
	// CommitRetries is the Commit calls to Redis made after a first one
	// failed.
	CommitRetries int64
	// Deferred is the done tokens that Redis did not take when committed
	// (including every local run), kept in process to be recorded later.
	Deferred int64
	// RecordedLate is the deferred tokens recorded in Redis once it
	// answered again.
	RecordedLate int64
	// Dropped is the deferred tokens never recorded: their done TTL passed
	// first, or the filter was closed.
	Dropped int64
	// Conflicts is the commits, immediate or deferred, that found the token
	// held by another delivery attempt: that callback may have run twice.
	Conflicts int64
	// OrphansReleased is the reservations found in Redis and cancelled
	// there although their Reserve got no answer (or their Release was not
	// taken): without the cancellation they would have held their token
	// for a lease with nobody to run its callback.
	OrphansReleased int64
	// ReleaseFailed is the Release calls Redis did not take in time; they
	// were queued as cancellations.
	ReleaseFailed int64
	// Pending is the done tokens waiting to be recorded in Redis now.
	Pending int
	// PendingCancels is the reservations waiting to be cancelled in Redis
	// now (see OrphansReleased).
	PendingCancels int
	// LocalInProgress is the in-process reservations whose callbacks run
	// now.
	LocalInProgress int
	// RedisDown reports whether the last call found Redis not answering.
	RedisDown bool
}

// Stats returns the filter's outage counters.
func (f *DuplicateFilter) Stats() FilterStats {
	inProgress, pending, cancels := f.local.counts()
	s := &f.stats
	return FilterStats{
		LocalRuns:       s.localRuns.Load(),
		Refused:         s.refused.Load(),
		CommitRetries:   s.commitRetries.Load(),
		Deferred:        s.deferred.Load(),
		RecordedLate:    s.recordedLate.Load(),
		Dropped:         s.dropped.Load(),
		Conflicts:       s.conflicts.Load(),
		OrphansReleased: s.orphansReleased.Load(),
		ReleaseFailed:   s.releaseFailed.Load(),
		Pending:         pending,
		PendingCancels:  cancels,
		LocalInProgress: inProgress,
		RedisDown:       f.health.isDown(),
	}
}
