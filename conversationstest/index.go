package conversationstest

import (
	"cmp"
	"container/heap"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The emulator's indexes: what requests look up among all conversations,
// kept up to date on every change so that no request scans them. A load
// test or an imported snapshot holds tens of thousands of conversations,
// and a scan per inbound message or per participant grows with each one.
//
//   - pairs: the open conversations holding an SMS/WhatsApp participant at
//     an address through a proxy address (the 50416 rule; where an inbound
//     message lands), in every service;
//   - per service, the participants by address (ParticipantConversations)
//     and by identity (User Conversations, ParticipantConversations, the
//     limit of conversations per identity, with how many of the
//     conversations holding each identity are open);
//   - per service, the users by identity;
//   - groups: the open Group MMS conversations by member list;
//   - timers: the conversations with a timer set, earliest due first.
//
// The unique names of a service have their own map (service.uniqueNames).
// Every record gets a sequence number when stored, so that answers built
// from an index come in the order the tables hold (creation order).
// checkIndexes (index_test.go) rebuilds the indexes from the tables and
// compares, and the tests run it after randomized operations. The lock
// must be held for everything here.

// index is the emulator-wide part; the per-service part is svcIx.
type index struct {
	seq    uint64
	pairs  map[pairKey][]*conversation // once per matching participant
	groups map[string]map[*conversation]bool
	timers timerHeap
}

// pairKey is an address and the proxy address it is reached through.
type pairKey struct{ address, proxy string }

// svcIx is the index part kept on each service.
type svcIx struct {
	seq    uint64
	addrs  map[string]holders // non-chat participants by address
	idents map[string]holders // participants by identity
	users  map[string][]*user // by identity (one, unless an import held duplicates)
}

// convIx is the index state kept on each conversation.
type convIx struct {
	seq      uint64
	grouped  bool   // in index.groups under groupSig
	groupSig string // its member list, when grouped
	due      time.Time
	heapPos  int // position in index.timers plus one; 0 when not queued
}

// partIx is the index state kept on each participant.
type partIx struct {
	seq               uint64 // the order it joined in
	addrPos, identPos int    // its position in its holders lists
}

// holders is the participants that match a key, in no particular order,
// and how many conversations holding one are open (kept for identities).
type holders struct {
	list []membership
	open int
}

func isOpen(conv *conversation) bool { return conv.state != "closed" }

// indexed reports whether conv is stored in a stored service: requests in
// flight may still hold records that a delete, a reset or an import retired.
func indexed(conv *conversation) bool { return !conv.deleted && !conv.svc.deleted }

func (x *index) next() uint64 { x.seq++; return x.seq }

// addService numbers a new service.
func (x *index) addService(svc *service) { svc.ix = svcIx{seq: x.next()} }

// addConversation indexes a conversation just stored, with any participants
// it already holds.
func (x *index) addConversation(conv *conversation) {
	conv.ix.seq = x.next()
	for p := range conv.participants.values() {
		p.ix.seq = x.next()
		x.link(conv, p, false)
	}
	if indexed(conv) && isOpen(conv) {
		x.countOpen(conv, 1)
	}
	x.regroup(conv)
	x.retime(conv)
}

// dropConversation removes a conversation being deleted from every index.
func (x *index) dropConversation(conv *conversation) {
	if indexed(conv) && isOpen(conv) {
		x.countOpen(conv, -1)
	}
	for _, p := range conv.participants.all() {
		x.unlink(conv, p, false)
	}
	x.ungroup(conv)
	if conv.ix.heapPos > 0 {
		heap.Remove(&x.timers, conv.ix.heapPos-1)
	}
}

// dropService removes the conversations of a service being deleted.
func (x *index) dropService(svc *service) {
	for _, conv := range svc.conversations.all() {
		x.dropConversation(conv)
	}
}

// addParticipant indexes a participant just stored in conv.
func (x *index) addParticipant(conv *conversation, p *participant) {
	p.ix.seq = x.next()
	x.link(conv, p, true)
}

// removeParticipant unindexes p: after it left conv, or before its fields
// change (then [index.updateParticipant] indexes it again).
func (x *index) removeParticipant(conv *conversation, p *participant) { x.unlink(conv, p, true) }

// updateParticipant indexes p again after its fields changed.
func (x *index) updateParticipant(conv *conversation, p *participant) { x.link(conv, p, true) }

// link indexes p of conv by its current fields; unlink undoes it (before
// the fields change). With count, they also count conv as open for p's
// identity unless another participant of conv has it. Both tolerate
// records that are not indexed.
func (x *index) link(conv *conversation, p *participant, count bool) {
	if !indexed(conv) {
		return
	}
	ix := &conv.svc.ix
	if p.address != "" {
		ix.addrs = holdersAdd(ix.addrs, p.address, membership{conv, p}, &p.ix.addrPos)
		if isOpen(conv) {
			if x.pairs == nil {
				x.pairs = make(map[pairKey][]*conversation)
			}
			k := pairKey{p.address, p.proxyAddress}
			x.pairs[k] = append(x.pairs[k], conv)
		}
	}
	if p.identity != "" {
		ix.idents = holdersAdd(ix.idents, p.identity, membership{conv, p}, &p.ix.identPos)
		if count && isOpen(conv) && !identityElsewhere(conv, p) {
			h := ix.idents[p.identity]
			h.open++
			ix.idents[p.identity] = h
		}
	}
	if conv.ix.grouped || p.groupMember() || p.projectedAddress != "" {
		x.regroup(conv)
	}
}

func (x *index) unlink(conv *conversation, p *participant, count bool) {
	ix := &conv.svc.ix
	if p.address != "" {
		holdersRemove(ix.addrs, p.address, membership{conv, p}, func(p *participant) *int { return &p.ix.addrPos })
		k := pairKey{p.address, p.proxyAddress}
		if i := slices.Index(x.pairs[k], conv); i >= 0 {
			if len(x.pairs[k]) == 1 {
				delete(x.pairs, k)
			} else {
				x.pairs[k] = slices.Delete(x.pairs[k], i, i+1)
			}
		}
	}
	if p.identity != "" {
		h, ok := ix.idents[p.identity]
		held := ok && p.ix.identPos < len(h.list) && h.list[p.ix.identPos] == membership{conv, p}
		if held && count && isOpen(conv) && indexed(conv) && !identityElsewhere(conv, p) {
			h.open--
			ix.idents[p.identity] = h
		}
		holdersRemove(ix.idents, p.identity, membership{conv, p}, func(p *participant) *int { return &p.ix.identPos })
	}
	if conv.ix.grouped {
		x.regroup(conv)
	}
}

// identityElsewhere reports whether a participant of conv other than p
// has p's identity (only an imported state can hold two).
func identityElsewhere(conv *conversation, p *participant) bool {
	_, ok := conv.participants.find(func(o *participant) bool { return o != p && o.identity == p.identity })
	return ok
}

// countOpen adds d to the open count of each identity conv holds.
func (x *index) countOpen(conv *conversation, d int) {
	ix := &conv.svc.ix
	var seen map[string]bool
	for p := range conv.participants.values() {
		if p.identity == "" || seen[p.identity] {
			continue
		}
		if seen == nil {
			seen = make(map[string]bool)
		}
		seen[p.identity] = true
		if h, ok := ix.idents[p.identity]; ok {
			h.open += d
			ix.idents[p.identity] = h
		}
	}
}

// holdersAdd appends m to the holders of key, recording its position.
func holdersAdd(hs map[string]holders, key string, m membership, pos *int) map[string]holders {
	if hs == nil {
		hs = make(map[string]holders)
	}
	h := hs[key]
	*pos = len(h.list)
	h.list = append(h.list, m)
	hs[key] = h
	return hs
}

// holdersRemove removes m from the holders of key, if there, moving the
// last one into its place.
func holdersRemove(hs map[string]holders, key string, m membership, pos func(*participant) *int) {
	h, ok := hs[key]
	i := *pos(m.p)
	if !ok || i >= len(h.list) || h.list[i] != m {
		return
	}
	last := len(h.list) - 1
	if i != last {
		h.list[i] = h.list[last]
		*pos(h.list[i].p) = i
	}
	h.list[last] = membership{}
	h.list = h.list[:last]
	if len(h.list) == 0 {
		delete(hs, key)
		return
	}
	hs[key] = h
}

// stateChanged updates the indexes after conv's state moved from from.
func (x *index) stateChanged(conv *conversation, from string) {
	was := from != "closed"
	if !indexed(conv) || was == isOpen(conv) {
		return
	}
	if was {
		x.countOpen(conv, -1) // closed
	} else {
		x.countOpen(conv, 1) // reopened
	}
	for p := range conv.participants.values() {
		if p.address == "" {
			continue
		}
		k := pairKey{p.address, p.proxyAddress}
		if isOpen(conv) {
			if x.pairs == nil {
				x.pairs = make(map[pairKey][]*conversation)
			}
			x.pairs[k] = append(x.pairs[k], conv)
		} else if i := slices.Index(x.pairs[k], conv); i >= 0 {
			if len(x.pairs[k]) == 1 {
				delete(x.pairs, k)
			} else {
				x.pairs[k] = slices.Delete(x.pairs[k], i, i+1)
			}
		}
	}
	x.regroup(conv)
}

// regroup files conv under its member list if it is an open Group MMS
// conversation, and nowhere otherwise.
func (x *index) regroup(conv *conversation) {
	grouped, sig := false, ""
	if indexed(conv) && isOpen(conv) && conv.isGroup() {
		grouped, sig = true, groupSig(conv.groupAddresses())
	}
	if grouped == conv.ix.grouped && sig == conv.ix.groupSig {
		return
	}
	x.ungroup(conv)
	if grouped {
		if x.groups == nil {
			x.groups = make(map[string]map[*conversation]bool)
		}
		if x.groups[sig] == nil {
			x.groups[sig] = make(map[*conversation]bool, 1)
		}
		x.groups[sig][conv] = true
		conv.ix.grouped, conv.ix.groupSig = true, sig
	}
}

func (x *index) ungroup(conv *conversation) {
	if !conv.ix.grouped {
		return
	}
	if delete(x.groups[conv.ix.groupSig], conv); len(x.groups[conv.ix.groupSig]) == 0 {
		delete(x.groups, conv.ix.groupSig)
	}
	conv.ix.grouped, conv.ix.groupSig = false, ""
}

// groupSig is a key for a sorted member list: each address with its length
// first, so that no two lists share one.
func groupSig(sorted []string) string {
	var b strings.Builder
	for _, a := range sorted {
		b.WriteString(strconv.Itoa(len(a)))
		b.WriteByte(':')
		b.WriteString(a)
	}
	return b.String()
}

// first returns the conversation that comes first in the order of the
// tables: by service, then by conversation.
func firstConversation(convs func(yield func(*conversation) bool)) *conversation {
	var best *conversation
	for conv := range convs {
		if best == nil || storedBefore(conv, best) {
			best = conv
		}
	}
	return best
}

func storedBefore(a, b *conversation) bool {
	if a.svc.ix.seq != b.svc.ix.seq {
		return a.svc.ix.seq < b.svc.ix.seq
	}
	return a.ix.seq < b.ix.seq
}

// pairConversation is the first open conversation, in any service, holding
// a participant at address through proxy; nil when none does.
func (x *index) pairConversation(address, proxy string) *conversation {
	return firstConversation(slices.Values(x.pairs[pairKey{address, proxy}]))
}

// groupWith is the first open Group MMS conversation other than except
// whose members are exactly sorted and whose group number, when it has one
// and number is set, is number.
func (x *index) groupWith(except *conversation, number string, sorted []string) *conversation {
	return firstConversation(func(yield func(*conversation) bool) {
		for conv := range x.groups[groupSig(sorted)] {
			if conv == except {
				continue
			}
			if n := conv.groupNumberOf(); number != "" && n != "" && n != number {
				continue
			}
			if !yield(conv) {
				return
			}
		}
	})
}

// matches lists what h holds, conversations in creation order and each
// one's participants in the order they joined; with firstOnly, only the
// first participant of each conversation.
func (h holders) matches(firstOnly bool) []membership {
	out := slices.SortedFunc(slices.Values(h.list), func(a, b membership) int {
		return cmp.Or(cmp.Compare(a.conv.ix.seq, b.conv.ix.seq), cmp.Compare(a.p.ix.seq, b.p.ix.seq))
	})
	if firstOnly {
		out = slices.CompactFunc(out, func(a, b membership) bool { return a.conv == b.conv })
	}
	return out
}

// openConversations is how many open conversations of svc hold a
// participant with identity.
func (ix *svcIx) openConversations(identity string) int {
	return ix.idents[identity].open
}

// user returns the first user of the service with identity.
func (ix *svcIx) user(identity string) (*user, bool) {
	if us := ix.users[identity]; len(us) > 0 {
		return us[0], true
	}
	return nil, false
}

func (ix *svcIx) addUser(u *user) {
	if ix.users == nil {
		ix.users = make(map[string][]*user)
	}
	ix.users[u.identity] = append(ix.users[u.identity], u)
}

func (ix *svcIx) removeUser(u *user) {
	us := slices.DeleteFunc(ix.users[u.identity], func(o *user) bool { return o == u })
	if len(us) == 0 {
		delete(ix.users, u.identity)
	} else {
		ix.users[u.identity] = us
	}
}

// retime queues conv under its earliest timer, or unqueues it when it has
// none (closed, deleted, or no timer set).
func (x *index) retime(conv *conversation) {
	var due time.Time
	if indexed(conv) {
		for _, t := range []*time.Time{conv.dateInactive, conv.dateClosed} {
			if t != nil && (due.IsZero() || t.Before(due)) {
				due = *t
			}
		}
	}
	switch {
	case due.IsZero() && conv.ix.heapPos > 0:
		heap.Remove(&x.timers, conv.ix.heapPos-1)
	case due.IsZero():
	case conv.ix.heapPos > 0:
		conv.ix.due = due
		heap.Fix(&x.timers, conv.ix.heapPos-1)
	default:
		conv.ix.due = due
		heap.Push(&x.timers, conv)
	}
}

// nextDue is the earliest timer queued; zero when none is.
func (x *index) nextDue() time.Time {
	if len(x.timers) == 0 {
		return time.Time{}
	}
	return x.timers[0].ix.due
}

// due unqueues and returns the conversations with a timer due at now, in
// creation order (the order the timers used to fire in).
func (x *index) due(now time.Time) []*conversation {
	var out []*conversation
	for len(x.timers) > 0 && !now.Before(x.timers[0].ix.due) {
		out = append(out, heap.Pop(&x.timers).(*conversation))
	}
	slices.SortFunc(out, func(a, b *conversation) int {
		if storedBefore(a, b) {
			return -1
		}
		return 1
	})
	return out
}

// timerHeap is a min-heap of conversations by due time (container/heap).
type timerHeap []*conversation

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].ix.due.Equal(h[j].ix.due) {
		return h[i].ix.due.Before(h[j].ix.due)
	}
	return storedBefore(h[i], h[j])
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].ix.heapPos, h[j].ix.heapPos = i+1, j+1
}
func (h *timerHeap) Push(v any) {
	conv := v.(*conversation)
	conv.ix.heapPos = len(*h) + 1
	*h = append(*h, conv)
}
func (h *timerHeap) Pop() any {
	old := *h
	conv := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	conv.ix.heapPos = 0
	return conv
}

// reindex rebuilds every index from the tables, numbering the records in
// table order: after a reset or an import. The lock must be held.
func (e *Emulator) reindex() {
	x := &e.idx
	for _, conv := range x.timers {
		conv.ix.heapPos = 0
	}
	*x = index{}
	n := 0
	for _, svc := range e.services.all() {
		n += svc.conversations.len()
	}
	x.pairs = make(map[pairKey][]*conversation, n) // about one SMS participant each, as a guess
	for _, svc := range e.services.all() {
		x.addService(svc)
		svc.ix.addrs = make(map[string]holders, svc.conversations.len())
		for _, u := range svc.users.all() {
			svc.ix.addUser(u)
		}
		for _, conv := range svc.conversations.all() {
			conv.ix = convIx{}
			x.addConversation(conv)
		}
	}
}
