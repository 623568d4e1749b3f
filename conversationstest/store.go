package conversationstest

import (
	"crypto/rand"
	"encoding/hex"
	"iter"
	"slices"
)

// table is the in-memory store every resource uses: records by SID, kept in
// insertion order (the order Twilio lists them in). It is not safe for
// concurrent use on its own; the Emulator's mutex guards all tables.
//
// Removing a record leaves its SID in order as a hole, skipped by readers
// and compacted away once holes are half of order, so that removing from a
// table of 100,000 records does not shift them all each time.
type table[T any] struct {
	bySid map[string]*T
	order []string
	holes map[string]bool // removed SIDs still in order
}

func (t *table[T]) put(sid string, v *T) {
	if t.bySid == nil {
		t.bySid = make(map[string]*T)
	}
	if _, ok := t.bySid[sid]; !ok {
		if t.holes[sid] {
			t.compact() // a SID stored again goes last, as a new one
		}
		t.order = append(t.order, sid)
	}
	t.bySid[sid] = v
}

func (t *table[T]) get(sid string) (*T, bool) {
	v, ok := t.bySid[sid]
	return v, ok
}

func (t *table[T]) remove(sid string) bool {
	if _, ok := t.bySid[sid]; !ok {
		return false
	}
	delete(t.bySid, sid)
	if t.holes == nil {
		t.holes = make(map[string]bool)
	}
	t.holes[sid] = true
	if len(t.holes) > len(t.order)/2 {
		t.compact()
	}
	return true
}

// compact drops the holes from order.
func (t *table[T]) compact() {
	t.order = slices.DeleteFunc(t.order, func(sid string) bool { return t.holes[sid] })
	clear(t.holes)
}

func (t *table[T]) len() int { return len(t.bySid) }

// all returns the records in insertion order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.bySid))
	for _, sid := range t.order {
		if v, ok := t.bySid[sid]; ok {
			out = append(out, v)
		}
	}
	return out
}

// values yields the records in insertion order, without copying them out
// as all does; the table must not change meanwhile.
func (t *table[T]) values() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, sid := range t.order {
			if v, ok := t.bySid[sid]; ok && !yield(v) {
				return
			}
		}
	}
}

// find returns the first record, in insertion order, that match accepts.
func (t *table[T]) find(match func(*T) bool) (*T, bool) {
	for _, sid := range t.order {
		if v, ok := t.bySid[sid]; ok && match(v) {
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
