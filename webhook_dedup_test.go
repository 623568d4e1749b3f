package conversations

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClockFilter returns a MemoryDuplicateFilter with a settable clock.
func fakeClockFilter(ttl time.Duration, maxEntries int) (*MemoryDuplicateFilter, *time.Time) {
	f := NewMemoryDuplicateFilter(ttl, maxEntries)
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.now = func() time.Time { return now }
	return f, &now
}

func reserve(t *testing.T, f DuplicateFilter, tok string) (TokenState, Reservation) {
	t.Helper()
	s, r, err := f.Reserve(context.Background(), tok)
	require.NoError(t, err)
	return s, r
}

func TestMemoryDuplicateFilter(t *testing.T) {
	ctx := context.Background()
	f, now := fakeClockFilter(time.Minute, 3)
	state := func(tok string) TokenState { s, _ := reserve(t, f, tok); return s }

	s, ra := reserve(t, f, "a")
	assert.Equal(t, TokenNew, s)
	assert.Equal(t, "a", ra.Token)
	assert.NotEmpty(t, ra.Owner)
	s, r := reserve(t, f, "a")
	assert.Equal(t, TokenInProgress, s)
	assert.Equal(t, Reservation{}, r, "only TokenNew returns a reservation")
	require.NoError(t, f.Commit(ctx, ra))
	assert.Equal(t, TokenDone, state("a"))

	_, rb := reserve(t, f, "b")
	require.NoError(t, f.Release(ctx, rb))
	s, rb2 := reserve(t, f, "b")
	assert.Equal(t, TokenNew, s, "a released token is new again")
	assert.NotEqual(t, rb.Owner, rb2.Owner, "each reservation has its own owner")
	_, rc := reserve(t, f, "c")
	// Full (a done, b and c in progress): the done entry is evicted first.
	_, rd := reserve(t, f, "d")
	assert.NotEmpty(t, rd.Owner)
	assert.Equal(t, 3, f.Len())
	// Full of reservations in progress: a new token is refused, none of
	// them is forgotten.
	_, _, err := f.Reserve(ctx, "e")
	require.ErrorIs(t, err, ErrDuplicateFilterFull)
	for _, tok := range []string{"b", "c", "d"} {
		assert.Equal(t, TokenInProgress, state(tok), tok)
	}
	// Nor does age expire them.
	*now = now.Add(time.Hour)
	assert.Equal(t, 3, f.Len())
	assert.Equal(t, TokenInProgress, state("c"))

	// The TTL runs from the commit.
	require.NoError(t, f.Commit(ctx, rc))
	*now = now.Add(50 * time.Second)
	assert.Equal(t, TokenDone, state("c"))
	*now = now.Add(20 * time.Second)
	assert.Equal(t, TokenNew, state("c"), "a done token expires after the TTL")

	// A commit of a reservation that nobody holds records the token done.
	require.NoError(t, f.Release(ctx, rd))
	require.NoError(t, f.Commit(ctx, rd))
	assert.Equal(t, TokenDone, state("d"))
	require.NoError(t, f.Release(ctx, Reservation{Token: "zzz", Owner: "x"}))
	assert.Equal(t, "in progress", TokenInProgress.String())
}

// TestMemoryDuplicateFilterOwner: Commit and Release act only on their own
// reservation.
func TestMemoryDuplicateFilterOwner(t *testing.T) {
	ctx := context.Background()
	f, _ := fakeClockFilter(time.Minute, 10)
	_, old := reserve(t, f, "t")
	require.NoError(t, f.Release(ctx, old))
	_, newer := reserve(t, f, "t")

	// The old attempt's late Release and Commit leave the newer hold alone.
	require.NoError(t, f.Release(ctx, old))
	s, _ := reserve(t, f, "t")
	assert.Equal(t, TokenInProgress, s, "a stale Release does not drop the newer reservation")
	require.NoError(t, f.Commit(ctx, old))
	s, _ = reserve(t, f, "t")
	assert.Equal(t, TokenInProgress, s, "a stale Commit does not mark done over the newer attempt")
	forged := Reservation{Token: "t", Owner: ""}
	require.NoError(t, f.Release(ctx, forged))
	s, _ = reserve(t, f, "t")
	assert.Equal(t, TokenInProgress, s)

	// The newer attempt's own Release works; a Release after a Commit
	// leaves the token done.
	require.NoError(t, f.Commit(ctx, newer))
	require.NoError(t, f.Release(ctx, newer))
	s, _ = reserve(t, f, "t")
	assert.Equal(t, TokenDone, s)
}

// TestMemoryDuplicateFilterFullCommit: a commit that needs a new entry in
// a filter full of reservations in progress reports it.
func TestMemoryDuplicateFilterFullCommit(t *testing.T) {
	ctx := context.Background()
	f, _ := fakeClockFilter(time.Minute, 1)
	_, r := reserve(t, f, "a")
	err := f.Commit(ctx, Reservation{Token: "b", Owner: "gone"})
	require.ErrorIs(t, err, ErrDuplicateFilterFull)
	require.NoError(t, f.Commit(ctx, r))
	require.NoError(t, f.Commit(ctx, Reservation{Token: "b", Owner: "gone"}), "the done entry makes room")
	s, _ := reserve(t, f, "b")
	assert.Equal(t, TokenDone, s)
}

// TestHandlerFilterFull: a filter full of reservations in progress makes
// the handler answer InProgressStatus with Retry-After, without running the
// callback; other filter errors are 500.
func TestHandlerFilterFull(t *testing.T) {
	f := NewMemoryDuplicateFilter(time.Hour, 1)
	_, _, err := f.Reserve(context.Background(), "held")
	require.NoError(t, err)
	h := newHandler(t, WithDuplicateFilter(f))
	runs := 0
	h.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { runs++; return nil })
	w := serve(t, h, baseForm(EventMessageAdded, "Body", "hi"), "other")
	assert.Equal(t, InProgressStatus, w.Code)
	assert.Equal(t, "5", w.Header().Get("Retry-After"))
	assert.Equal(t, 0, runs)

	wrapped := errFilter{fmt.Errorf("store: %w", ErrDuplicateFilterFull)}
	h2 := newHandler(t, WithDuplicateFilter(wrapped))
	h2.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { runs++; return nil })
	assert.Equal(t, InProgressStatus, serve(t, h2, baseForm(EventMessageAdded, "Body", "hi"), "x").Code)
	h3 := newHandler(t, WithDuplicateFilter(errFilter{errors.New("down")}))
	h3.OnMessageAdded(func(context.Context, *MessageAddedEvent) error { runs++; return nil })
	assert.Equal(t, 500, serve(t, h3, baseForm(EventMessageAdded, "Body", "hi"), "x").Code)
	assert.Equal(t, 0, runs)
}

type errFilter struct{ err error }

func (e errFilter) Reserve(context.Context, string) (TokenState, Reservation, error) {
	return TokenNew, Reservation{}, e.err
}
func (errFilter) Commit(context.Context, Reservation) error  { return nil }
func (errFilter) Release(context.Context, Reservation) error { return nil }
