package conversationstest

import (
	"crypto/rand"
	"encoding/hex"
	"iter"
)

// table is the in-memory store every resource uses: records by SID, kept in
// insertion order (the order Twilio lists them in). It is not safe for
// concurrent use on its own; the Emulator's mutex guards all tables.
//
// Removing a record leaves a hole in its place, skipped by readers and
// compacted away once holes are half of the table, so that removing one of
// 100,000 records does not shift all the others.
type table[T any] struct {
	pos   map[string]int // SID → index in sids and vals
	sids  []string
	vals  []*T // nil: a hole
	holes int
}

func (t *table[T]) put(sid string, v *T) {
	if i, ok := t.pos[sid]; ok {
		t.vals[i] = v
		return
	}
	if t.pos == nil {
		t.pos = make(map[string]int)
	}
	t.pos[sid] = len(t.vals)
	t.sids = append(t.sids, sid)
	t.vals = append(t.vals, v)
}

func (t *table[T]) get(sid string) (*T, bool) {
	i, ok := t.pos[sid]
	if !ok {
		return nil, false
	}
	return t.vals[i], true
}

func (t *table[T]) remove(sid string) bool {
	i, ok := t.pos[sid]
	if !ok {
		return false
	}
	delete(t.pos, sid)
	t.vals[i], t.sids[i] = nil, ""
	if t.holes++; t.holes > len(t.vals)/2 {
		t.compact()
	}
	return true
}

// compact drops the holes.
func (t *table[T]) compact() {
	j := 0
	for i, v := range t.vals {
		if v != nil {
			t.vals[j], t.sids[j] = v, t.sids[i]
			t.pos[t.sids[j]] = j
			j++
		}
	}
	clear(t.vals[j:])
	clear(t.sids[j:])
	t.vals, t.sids, t.holes = t.vals[:j], t.sids[:j], 0
}

func (t *table[T]) len() int { return len(t.pos) }

// all returns the records in insertion order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.pos))
	for _, v := range t.vals {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// view returns the records in insertion order without copying them: the
// caller must not change the slice, and must not keep it past a change of
// the table.
func (t *table[T]) view() []*T {
	if t.holes > 0 {
		t.compact()
	}
	return t.vals
}

// values yields the records in insertion order, without copying them out
// as all does; the table must not change meanwhile.
func (t *table[T]) values() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, v := range t.vals {
			if v != nil && !yield(v) {
				return
			}
		}
	}
}

// find returns the first record, in insertion order, that match accepts.
func (t *table[T]) find(match func(*T) bool) (*T, bool) {
	for _, v := range t.vals {
		if v != nil && match(v) {
			return v, true
		}
	}
	return nil, false
}

// newSID returns a Twilio SID: a two-letter prefix and 32 lowercase hex digits.
func newSID(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// isSID reports whether s is a SID with the given prefix.
func isSID(s, prefix string) bool {
	if len(s) != 34 || s[:2] != prefix {
		return false
	}
	for _, c := range s[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func ptr[T any](v T) *T { return &v }

// strOrNil returns nil for "" and a pointer to s otherwise: how the API
// renders optional strings that were never set.
func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
