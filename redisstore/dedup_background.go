package redisstore

import (
	"context"
	"log/slog"
	"time"

	"github.com/conversations-go/conversations"
)

// renewal is the goroutine that keeps one reservation's lease alive.
type renewal struct {
	cancel context.CancelFunc
	done   chan struct{}
	at     time.Time // when Reserve was called
}

// startRenewal starts the goroutine that renews r's lease every third of
// it. It runs detached from ctx's cancellation: a request whose client
// went away still has a callback running.
func (f *DuplicateFilter) startRenewal(ctx context.Context, r conversations.Reservation, at time.Time) {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rn := &renewal{cancel: cancel, done: make(chan struct{}), at: at}
	f.mu.Lock()
	f.renewals[r.Owner] = rn
	f.mu.Unlock()
	go f.renew(rctx, r, rn)
}

func (f *DuplicateFilter) renew(ctx context.Context, r conversations.Reservation, rn *renewal) {
	defer close(rn.done)
	period := f.lease / 3
	tick := time.NewTicker(period)
	defer tick.Stop()
	key := []string{f.tokenKey(r.Token)}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := bounded(ctx, min(period, f.callTimeout), func(ctx context.Context) (int64, error) {
			return renewScript.Run(ctx, f.client, key, r.Owner, f.lease.Milliseconds()).Int64()
		})
		switch {
		case ctx.Err() != nil:
			return // Commit or Release stopped the renewal
		case err != nil:
			// Try again next period: the lease outlives two failures.
			f.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: lease renewal failed",
				slog.String("token", r.Token), slog.String("error", err.Error()))
		case n == 0:
			f.log.LogAttrs(ctx, slog.LevelError, "redisstore: reservation lost while its callback runs",
				slog.String("token", r.Token))
			return
		}
	}
}

// stopRenewal stops the renewal of owner's reservation and waits for it to
// end, so that no renewal runs after Commit or Release. It returns when
// the reservation was made (now, when there is no renewal).
func (f *DuplicateFilter) stopRenewal(owner string) time.Time {
	f.mu.Lock()
	rn := f.renewals[owner]
	delete(f.renewals, owner)
	f.mu.Unlock()
	if rn == nil {
		return time.Now()
	}
	rn.cancel()
	<-rn.done
	return rn.at
}

// startFlusher starts the goroutine that records the deferred done tokens
// in Redis, unless it runs already.
func (f *DuplicateFilter) startFlusher() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.flushing || f.closed {
		return
	}
	f.flushing = true
	f.bg.Add(1)
	go f.flushLoop()
}

// flushLoop tries to record the deferred tokens every probeEvery until
// none is left.
func (f *DuplicateFilter) flushLoop() {
	defer f.bg.Done()
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-f.closing:
			return
		case <-t.C:
		}
		f.flush()
		f.mu.Lock()
		if _, pending, cancels := f.local.counts(); pending+cancels == 0 {
			f.flushing = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
	}
}

// flush cancels the queued reservations and records the deferred done
// tokens in Redis, each for what is left of its done TTL, until a call
// fails.
func (f *DuplicateFilter) flush() {
	if !f.flushCancels() {
		return
	}
	now := time.Now()
	list, expired := f.local.pending(now, f.doneTTL)
	if expired > 0 {
		f.stats.dropped.Add(int64(expired))
		f.log.LogAttrs(context.Background(), slog.LevelWarn, "redisstore: deferred done tokens dropped: their done TTL passed before Redis answered",
			slog.Int("tokens", expired))
	}
	ctx := context.Background()
	recorded := 0
	for _, p := range list {
		ttl := max(f.doneTTL-now.Sub(p.at), time.Millisecond)
		n, err := bounded(ctx, f.callTimeout, func(ctx context.Context) (int64, error) {
			return commitScript.Run(ctx, f.client, []string{f.tokenKey(p.token)}, p.owner, ttl.Milliseconds()).Int64()
		})
		f.health.report(err == nil, false)
		if err != nil {
			break
		}
		if n == 0 {
			f.stats.conflicts.Add(1)
			f.log.LogAttrs(ctx, slog.LevelError, "redisstore: a token run during the outage is held by another delivery; the callback may have run twice",
				slog.String("token", p.token))
		} else {
			f.stats.recordedLate.Add(1)
			recorded++
		}
		f.local.recorded(p.token, p.owner)
	}
	if recorded > 0 {
		f.log.LogAttrs(ctx, slog.LevelInfo, "redisstore: deferred done tokens recorded in Redis",
			slog.Int("tokens", recorded))
	}
}

// flushCancels runs the queued cancellations; it reports false when Redis
// did not answer.
func (f *DuplicateFilter) flushCancels() bool {
	ctx := context.Background()
	for owner, token := range f.local.pendingCancels() {
		n, err := bounded(ctx, f.callTimeout, func(ctx context.Context) (int64, error) {
			return cancelScript.Run(ctx, f.client, []string{f.tokenKey(token), f.cancelKey(token, owner)},
				owner, f.lease.Milliseconds()).Int64()
		})
		f.health.report(err == nil, false)
		if err != nil {
			return false
		}
		if n == 1 {
			f.stats.orphansReleased.Add(1)
			f.log.LogAttrs(ctx, slog.LevelInfo, "redisstore: cancelled a reservation whose Reserve got no answer, or whose Release was not taken",
				slog.String("token", token))
		}
		f.local.cancelled(owner)
	}
	return true
}

// Flush tries once, now, to record in Redis the done tokens kept in
// process (see [DuplicateFilter.Commit]), and returns how many are still
// waiting. The filter does this by itself every 100 ms while any wait.
func (f *DuplicateFilter) Flush() int {
	f.flush()
	_, pending, cancels := f.local.counts()
	return pending + cancels
}

// Close stops the filter's background work (the recording of deferred done
// tokens and of the queued cancellations) and waits for it to end.
// Deferred tokens still unrecorded are dropped, counted and logged: Flush
// first to record them. Reservations in progress keep their renewal until
// their Commit or Release. The filter must not be used after Close.
func (f *DuplicateFilter) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.closing)
	f.mu.Unlock()
	f.bg.Wait()
	if n := f.local.dropAll(); n > 0 {
		f.stats.dropped.Add(int64(n))
		f.log.LogAttrs(context.Background(), slog.LevelError, "redisstore: filter closed with done tokens not recorded in Redis; a redelivery may run them again",
			slog.Int("tokens", n))
	}
	return nil
}
