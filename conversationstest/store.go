package conversationstest

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
)

// table is the in-memory store every resource uses: records by SID, kept in
// insertion order (the order Twilio lists them in). It is not safe for
// concurrent use on its own; the Emulator's mutex guards all tables.
type table[T any] struct {
	bySid map[string]*T
	order []string
}

func (t *table[T]) put(sid string, v *T) {
	if t.bySid == nil {
		t.bySid = make(map[string]*T)
	}
	if _, ok := t.bySid[sid]; !ok {
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
	if i := slices.Index(t.order, sid); i >= 0 {
		t.order = slices.Delete(t.order, i, i+1)
	}
	return true
}

func (t *table[T]) len() int { return len(t.order) }

// all returns the records in insertion order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.order))
	for _, sid := range t.order {
		out = append(out, t.bySid[sid])
	}
	return out
}

// find returns the first record, in insertion order, that match accepts.
func (t *table[T]) find(match func(*T) bool) (*T, bool) {
	for _, sid := range t.order {
		if v := t.bySid[sid]; match(v) {
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
