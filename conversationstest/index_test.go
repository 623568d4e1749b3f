package conversationstest

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// checkIndexes rebuilds every index from the emulator's tables, as a scan
// of every conversation would find it, and reports the first difference
// from the indexes the emulator keeps up to date; it also checks that each
// index lookup answers what the scan it replaced answered. The lock must
// not be held.
func checkIndexes(e *Emulator) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := checkSeqs(e); err != nil {
		return err
	}
	if err := checkPairs(e); err != nil {
		return err
	}
	for _, svc := range e.services.all() {
		if err := checkServiceIndex(svc); err != nil {
			return fmt.Errorf("service %s: %w", svc.sid, err)
		}
	}
	if err := checkGroups(e); err != nil {
		return err
	}
	return checkTimers(e)
}

// checkSeqs: the sequence numbers follow table order, which the answers
// built from indexes rely on; and every table's order and holes agree with
// its records.
func checkSeqs(e *Emulator) error {
	var prevSvc uint64
	for _, svc := range e.services.all() {
		if svc.ix.seq <= prevSvc || svc.ix.seq > e.idx.seq {
			return fmt.Errorf("service %s: seq %d after %d (last %d)", svc.sid, svc.ix.seq, prevSvc, e.idx.seq)
		}
		prevSvc = svc.ix.seq
		if err := checkTable(&svc.conversations); err != nil {
			return fmt.Errorf("service %s conversations: %w", svc.sid, err)
		}
		var prevConv uint64
		for _, conv := range svc.conversations.all() {
			if conv.ix.seq <= prevConv || conv.ix.seq > e.idx.seq {
				return fmt.Errorf("conversation %s: seq %d after %d", conv.sid, conv.ix.seq, prevConv)
			}
			prevConv = conv.ix.seq
			if err := checkTable(&conv.participants); err != nil {
				return fmt.Errorf("conversation %s participants: %w", conv.sid, err)
			}
			var prevP uint64
			for _, p := range conv.participants.all() {
				if p.ix.seq <= prevP || p.ix.seq > e.idx.seq {
					return fmt.Errorf("participant %s: seq %d after %d", p.sid, p.ix.seq, prevP)
				}
				prevP = p.ix.seq
			}
		}
	}
	return nil
}

func checkTable[T any](t *table[T]) error {
	live, holes := 0, 0
	if len(t.sids) != len(t.vals) {
		return fmt.Errorf("%d SIDs, %d records", len(t.sids), len(t.vals))
	}
	for i, v := range t.vals {
		if v == nil {
			if t.sids[i] != "" {
				return fmt.Errorf("hole %d keeps SID %s", i, t.sids[i])
			}
			holes++
			continue
		}
		if j, ok := t.pos[t.sids[i]]; !ok || j != i {
			return fmt.Errorf("%s at %d is recorded at %d (%v)", t.sids[i], i, j, ok)
		}
		live++
	}
	if live != len(t.pos) || t.len() != live || holes != t.holes {
		return fmt.Errorf("%d records and %d holes in order, %d by SID, %d holes counted", live, holes, len(t.pos), t.holes)
	}
	return nil
}

func checkPairs(e *Emulator) error {
	want := map[pairKey]map[*conversation]int{}
	for _, svc := range e.services.all() {
		for _, conv := range svc.conversations.all() {
			if conv.state == "closed" {
				continue
			}
			for _, p := range conv.participants.all() {
				if p.address == "" {
					continue
				}
				k := pairKey{p.address, p.proxyAddress}
				if want[k] == nil {
					want[k] = map[*conversation]int{}
				}
				want[k][conv]++
			}
		}
	}
	got := map[pairKey]map[*conversation]int{}
	for k, convs := range e.idx.pairs {
		got[k] = map[*conversation]int{}
		for _, conv := range convs {
			got[k][conv]++
		}
	}
	if !maps.EqualFunc(want, got, maps.Equal) {
		return fmt.Errorf("pairs: index %s, tables %s", dumpPairs(got), dumpPairs(want))
	}
	for k := range want {
		if got, old := e.conversationWithPair(k.address, k.proxy), scanConversationWithPair(e, k.address, k.proxy); got != old {
			return fmt.Errorf("conversationWithPair%v: %s, a scan finds %s", k, sidOf(got), sidOf(old))
		}
	}
	return nil
}

func dumpPairs(m map[pairKey]map[*conversation]int) string {
	out := map[string]int{}
	for k, convs := range m {
		for conv, n := range convs {
			out[k.address+"|"+k.proxy+"|"+conv.sid] = n
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func sidOf(conv *conversation) string {
	if conv == nil {
		return "none"
	}
	return conv.sid
}

// scanConversationWithPair is conversationWithPair as it was before the
// index: a scan of every conversation.
func scanConversationWithPair(e *Emulator, address, proxy string) *conversation {
	for _, svc := range e.services.all() {
		for _, conv := range svc.conversations.all() {
			if conv.state == "closed" {
				continue
			}
			if _, ok := conv.participants.find(func(o *participant) bool {
				return o.address == address && o.proxyAddress == proxy
			}); ok {
				return conv
			}
		}
	}
	return nil
}

func checkServiceIndex(svc *service) error {
	names := map[string]string{}
	addrs, idents := map[string]bool{}, map[string]bool{}
	for _, conv := range svc.conversations.all() {
		if conv.uniqueName != "" {
			names[conv.uniqueName] = conv.sid
		}
		for _, p := range conv.participants.all() {
			if p.address != "" {
				addrs[p.address] = true
			}
			if p.identity != "" {
				idents[p.identity] = true
			}
		}
	}
	if !maps.Equal(names, svc.uniqueNames) {
		return fmt.Errorf("unique names: index %v, tables %v", svc.uniqueNames, names)
	}
	if len(addrs) != len(svc.ix.addrs) || len(idents) != len(svc.ix.idents) {
		return fmt.Errorf("index holds %d addresses and %d identities, tables %d and %d",
			len(svc.ix.addrs), len(svc.ix.idents), len(addrs), len(idents))
	}
	for a := range addrs {
		want := scanByAddress(svc, a)
		if got := svc.ix.addrs[a].matches(false); !slices.Equal(got, want) {
			return fmt.Errorf("participants at %s: index %s, scan %s", a, dumpMemberships(got), dumpMemberships(want))
		}
		if err := checkHolders(svc.ix.addrs[a], want, false, func(p *participant) int { return p.ix.addrPos }); err != nil {
			return fmt.Errorf("address %s: %w", a, err)
		}
	}
	for id := range idents {
		want := scanMemberships(svc, id)
		if got := memberships(svc, id); !slices.Equal(got, want) {
			return fmt.Errorf("memberships of %s: index %s, scan %s", id, dumpMemberships(got), dumpMemberships(want))
		}
		if err := checkHolders(svc.ix.idents[id], scanByAddressOrIdentity(svc, "", id), true, func(p *participant) int { return p.ix.identPos }); err != nil {
			return fmt.Errorf("identity %s: %w", id, err)
		}
		if got, scan := svc.ix.openConversations(id), scanOpenConversations(svc, id); got != scan {
			return fmt.Errorf("identity %s: in %d open conversations, a scan counts %d", id, got, scan)
		}
	}
	users := map[string][]*user{}
	for _, u := range svc.users.all() {
		users[u.identity] = append(users[u.identity], u)
	}
	if !maps.EqualFunc(users, svc.ix.users, slices.Equal) {
		return fmt.Errorf("users by identity: index %d identities, table %d", len(svc.ix.users), len(users))
	}
	return nil
}

// checkHolders compares h's participants with all (every matching
// participant) and, withOpen, its open count with the open conversations
// among them; and checks the positions the participants record.
func checkHolders(h holders, all []membership, withOpen bool, pos func(*participant) int) error {
	convs := map[*conversation]bool{}
	n := 0
	for _, m := range all {
		if !convs[m.conv] {
			convs[m.conv] = true
			if m.conv.state != "closed" {
				n++
			}
		}
	}
	for i, m := range h.list {
		if pos(m.p) != i {
			return fmt.Errorf("participant %s at position %d records %d", m.p.sid, i, pos(m.p))
		}
	}
	if len(h.list) != len(all) || withOpen && h.open != n {
		return fmt.Errorf("holds %d participants, %d conversations open; tables %d of %d conversations, %d open",
			len(h.list), h.open, len(all), len(convs), n)
	}
	return nil
}

func dumpMemberships(ms []membership) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.conv.sid[:8]+"/"+m.p.sid[:8])
	}
	return fmt.Sprint(out)
}

// scanByAddress is ParticipantConversations by address before the index.
func scanByAddress(svc *service, address string) []membership {
	return scanByAddressOrIdentity(svc, address, "")
}

func scanByAddressOrIdentity(svc *service, address, identity string) []membership {
	var items []membership
	for _, conv := range svc.conversations.all() {
		for _, p := range conv.participants.all() {
			if address != "" && p.address == address || identity != "" && p.identity == identity {
				items = append(items, membership{conv, p})
			}
		}
	}
	return items
}

// scanMemberships is memberships before the index.
func scanMemberships(svc *service, identity string) []membership {
	var out []membership
	for _, conv := range svc.conversations.all() {
		if p, ok := conv.participants.find(func(p *participant) bool { return p.identity == identity }); ok {
			out = append(out, membership{conv, p})
		}
	}
	return out
}

func scanOpenConversations(svc *service, identity string) int {
	n := 0
	for _, m := range scanMemberships(svc, identity) {
		if m.conv.state != "closed" {
			n++
		}
	}
	return n
}

func checkGroups(e *Emulator) error {
	want := map[string]map[*conversation]bool{}
	for _, svc := range e.services.all() {
		for _, conv := range svc.conversations.all() {
			grouped := conv.state != "closed" && conv.isGroup()
			if grouped != conv.ix.grouped {
				return fmt.Errorf("conversation %s: grouped %v, should be %v", conv.sid, conv.ix.grouped, grouped)
			}
			if !grouped {
				continue
			}
			members := conv.groupAddresses()
			sig := groupSig(members)
			if want[sig] == nil {
				want[sig] = map[*conversation]bool{}
			}
			want[sig][conv] = true
			if got, scan := e.groupConversation(nil, "", members), scanGroupConversation(e, nil, "", members); got != scan {
				return fmt.Errorf("groupConversation(%v): %s, a scan finds %s", members, sidOf(got), sidOf(scan))
			}
			number := conv.groupNumberOf()
			for _, except := range []*conversation{nil, conv} {
				if got, scan := e.groupConversation(except, number, members), scanGroupConversation(e, except, number, members); got != scan {
					return fmt.Errorf("groupConversation(%s, %s, %v): %s, a scan finds %s", sidOf(except), number, members, sidOf(got), sidOf(scan))
				}
			}
		}
	}
	if !maps.EqualFunc(want, e.idx.groups, maps.Equal) {
		return fmt.Errorf("groups: index %d member lists, tables %d", len(e.idx.groups), len(want))
	}
	return nil
}

// scanGroupConversation is groupConversation before the index.
func scanGroupConversation(e *Emulator, except *conversation, number string, addresses []string) *conversation {
	want := slices.Sorted(slices.Values(addresses))
	for _, svc := range e.services.all() {
		for _, conv := range svc.conversations.all() {
			if conv == except || conv.state == "closed" || !conv.isGroup() {
				continue
			}
			if number != "" && conv.groupNumberOf() != "" && conv.groupNumberOf() != number {
				continue
			}
			if slices.Equal(conv.groupAddresses(), want) {
				return conv
			}
		}
	}
	return nil
}

func checkTimers(e *Emulator) error {
	queued := map[*conversation]bool{}
	for i, conv := range e.idx.timers {
		if conv.ix.heapPos != i+1 {
			return fmt.Errorf("conversation %s at heap position %d records %d", conv.sid, i+1, conv.ix.heapPos)
		}
		if i > 0 && e.idx.timers.Less(i, (i-1)/2) {
			return fmt.Errorf("timer heap out of order at %d", i)
		}
		queued[conv] = true
	}
	n := 0
	for _, svc := range e.services.all() {
		for _, conv := range svc.conversations.all() {
			var due time.Time
			for _, t := range []*time.Time{conv.dateInactive, conv.dateClosed} {
				if t != nil && (due.IsZero() || t.Before(due)) {
					due = *t
				}
			}
			if due.IsZero() != !queued[conv] {
				return fmt.Errorf("conversation %s: timer due %v, queued %v", conv.sid, due, queued[conv])
			}
			if !due.IsZero() {
				n++
				if !conv.ix.due.Equal(due) {
					return fmt.Errorf("conversation %s: queued for %v, due %v", conv.sid, conv.ix.due, due)
				}
				if e.nextTimerScan.IsZero() || e.nextTimerScan.After(due) {
					return fmt.Errorf("conversation %s: due %v before the next timer scan %v", conv.sid, due, e.nextTimerScan)
				}
			}
		}
	}
	if n != len(e.idx.timers) {
		return fmt.Errorf("%d conversations with a timer, %d queued", n, len(e.idx.timers))
	}
	return nil
}

// indexFuzzer drives an emulator with random requests over small pools of
// names and numbers, so that operations collide: the same address in
// several conversations, identities moving, conversations closing.
type indexFuzzer struct {
	t    *testing.T
	e    *Emulator
	r    *rand.Rand
	ops  map[string]int
	last string
}

var (
	fuzzAddrs   = []string{"+12025550101", "+12025550102", "+12025550103", "+12025550104", "+12025550105"}
	fuzzProxies = []string{"+18005550100", "+18005550200", "+18005550300"}
	fuzzIDs     = []string{"ana", "ben", "chloe", "dev"}
	fuzzNames   = []string{"order-1", "order-2", "order-3"}
)

func (f *indexFuzzer) pick(list []string) string { return list[f.r.IntN(len(list))] }

// prefix is the path prefix of a random service: the account-level one
// mostly, else a service of its own.
func (f *indexFuzzer) prefix() string {
	f.e.mu.Lock()
	svcs := f.e.services.all()
	f.e.mu.Unlock()
	if len(svcs) == 1 || f.r.IntN(3) > 0 {
		return "/v1"
	}
	return "/v1/Services/" + svcs[f.r.IntN(len(svcs))].sid
}

// conversation returns a random stored conversation's prefix and SID (or
// unique name); ok is false when there is none.
func (f *indexFuzzer) conversation() (string, string, *conversation, bool) {
	f.e.mu.Lock()
	defer f.e.mu.Unlock()
	var all []*conversation
	for _, svc := range f.e.services.all() {
		all = append(all, svc.conversations.all()...)
	}
	if len(all) == 0 {
		return "", "", nil, false
	}
	conv := all[f.r.IntN(len(all))]
	prefix := "/v1"
	if conv.svc != f.e.defaultSvc {
		prefix = "/v1/Services/" + conv.svc.sid
	}
	key := conv.sid
	if conv.uniqueName != "" && f.r.IntN(2) == 0 {
		key = conv.uniqueName
	}
	return prefix, key, conv, true
}

func (f *indexFuzzer) participant() (string, *conversation, *participant, bool) {
	prefix, _, conv, ok := f.conversation()
	if !ok {
		return "", nil, nil, false
	}
	f.e.mu.Lock()
	defer f.e.mu.Unlock()
	ps := conv.participants.all()
	if len(ps) == 0 {
		return "", nil, nil, false
	}
	return prefix, conv, ps[f.r.IntN(len(ps))], true
}

func (f *indexFuzzer) do(op, method, path string, kv ...string) {
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	rec := serve(f.e, method, path, form)
	f.last = fmt.Sprintf("%s: %s %s %v → %d", op, method, path, form, rec.Code)
	if rec.Code >= 500 {
		f.t.Fatalf("%s: %s", f.last, rec.Body)
	}
	if rec.Code < 300 {
		f.ops[op]++
	}
}

func (f *indexFuzzer) step() {
	switch n := f.r.IntN(100); {
	case n < 12: // create a conversation
		kv := []string{}
		if f.r.IntN(3) == 0 {
			kv = append(kv, "UniqueName", f.pick(fuzzNames))
		}
		if f.r.IntN(2) == 0 {
			kv = append(kv, "State", f.pick([]string{"active", "active", "inactive", "closed"}))
			if f.r.IntN(2) == 0 {
				kv = append(kv, "Timers.Inactive", "PT"+strconv.Itoa(1+f.r.IntN(5))+"M")
			}
			if f.r.IntN(2) == 0 {
				kv = append(kv, "Timers.Closed", "PT"+strconv.Itoa(10+f.r.IntN(20))+"M")
			}
		}
		f.do("create conversation", "POST", f.prefix()+"/Conversations", kv...)
	case n < 16: // create one with participants
		ps := []string{}
		for range 1 + f.r.IntN(3) {
			var p string
			switch f.r.IntN(3) {
			case 0:
				p = fmt.Sprintf(`{"identity":%q}`, f.pick(fuzzIDs))
			case 1:
				p = fmt.Sprintf(`{"messaging_binding":{"address":%q,"proxy_address":%q}}`, f.pick(fuzzAddrs), f.pick(fuzzProxies))
			default:
				p = fmt.Sprintf(`{"messaging_binding":{"address":%q}}`, f.pick(fuzzAddrs))
			}
			ps = append(ps, "Participant", p)
		}
		f.do("create with participants", "POST", f.prefix()+"/ConversationWithParticipants", ps...)
	case n < 24: // update a conversation
		prefix, key, _, ok := f.conversation()
		if !ok {
			return
		}
		kv := []string{}
		switch f.r.IntN(4) {
		case 0:
			kv = append(kv, "UniqueName", f.pick(append([]string{""}, fuzzNames...)))
		case 1:
			kv = append(kv, "State", f.pick([]string{"active", "inactive", "closed"}))
		case 2:
			kv = append(kv, "Timers.Inactive", "PT"+strconv.Itoa(1+f.r.IntN(5))+"M", "Timers.Closed", "PT"+strconv.Itoa(10+f.r.IntN(20))+"M")
		default:
			kv = append(kv, "FriendlyName", "renamed", "Timers.Closed", "PT0S")
		}
		f.do("update conversation", "POST", prefix+"/Conversations/"+key, kv...)
	case n < 28: // delete a conversation
		prefix, key, _, ok := f.conversation()
		if ok {
			f.do("delete conversation", "DELETE", prefix+"/Conversations/"+key)
		}
	case n < 44: // add a participant
		prefix, key, _, ok := f.conversation()
		if !ok {
			return
		}
		var kv []string
		switch f.r.IntN(4) {
		case 0:
			kv = []string{"Identity", f.pick(fuzzIDs)}
		case 1:
			kv = []string{"MessagingBinding.Address", f.pick(fuzzAddrs), "MessagingBinding.ProxyAddress", f.pick(fuzzProxies)}
		case 2:
			kv = []string{"MessagingBinding.Address", f.pick(fuzzAddrs)} // a Group MMS member
		default:
			kv = []string{"Identity", f.pick(fuzzIDs), "MessagingBinding.ProjectedAddress", f.pick(fuzzProxies)}
		}
		f.do("add participant", "POST", prefix+"/Conversations/"+key+"/Participants", kv...)
	case n < 52: // update a participant
		prefix, conv, p, ok := f.participant()
		if !ok {
			return
		}
		var kv []string
		switch f.r.IntN(3) {
		case 0:
			kv = []string{"Identity", f.pick(fuzzIDs)}
		case 1:
			kv = []string{"MessagingBinding.ProxyAddress", f.pick(append([]string{""}, fuzzProxies...))}
		default:
			kv = []string{"MessagingBinding.ProjectedAddress", f.pick(append([]string{""}, fuzzProxies...))}
		}
		f.do("update participant", "POST", prefix+"/Conversations/"+conv.sid+"/Participants/"+p.sid, kv...)
	case n < 58: // remove a participant
		prefix, conv, p, ok := f.participant()
		if !ok {
			return
		}
		if p.identity != "" && f.r.IntN(2) == 0 {
			f.do("leave user conversation", "DELETE", prefix+"/Users/"+p.identity+"/Conversations/"+conv.sid)
		} else {
			f.do("delete participant", "DELETE", prefix+"/Conversations/"+conv.sid+"/Participants/"+p.sid)
		}
	case n < 62: // users
		prefix := f.prefix()
		if f.r.IntN(2) == 0 {
			f.do("create user", "POST", prefix+"/Users", "Identity", f.pick(fuzzIDs))
		} else {
			f.do("delete user", "DELETE", prefix+"/Users/"+f.pick(fuzzIDs))
		}
	case n < 74: // an inbound SMS, auto-creating when configured
		if _, err := f.e.SendSMS(f.pick(fuzzAddrs), f.pick(fuzzProxies), "hi"); err == nil {
			f.ops["inbound sms"]++
		}
		f.last = "inbound sms"
	case n < 78: // an inbound Group MMS
		from := f.pick(fuzzAddrs)
		others := slices.DeleteFunc(slices.Clone(fuzzAddrs), func(a string) bool { return a == from || f.r.IntN(2) == 0 })
		if len(others) == 0 {
			return
		}
		if _, err := f.e.SendGroupMMS(from, fuzzProxies[0], others, "hi all"); err == nil {
			f.ops["inbound group mms"]++
		}
		f.last = "inbound group mms"
	case n < 80: // chat message (moves an inactive conversation back to active)
		_, key, conv, ok := f.conversation()
		if !ok {
			return
		}
		f.do("create message", "POST", "/v1/Services/"+conv.svc.sid+"/Conversations/"+key+"/Messages", "Body", "hello")
	case n < 86: // time passes: timers fire
		states := func() (out []string) {
			for _, c := range f.e.Conversations() {
				out = append(out, c.State)
			}
			return out
		}
		was := states()
		f.e.Advance(time.Duration(1+f.r.IntN(8)) * time.Minute)
		f.ops["advance"]++
		if !slices.Equal(was, states()) {
			f.ops["timer fired"]++
		}
		f.last = "advance"
	case n < 89: // address configurations with auto-creation
		kv := []string{"Type", "sms", "Address", f.pick(fuzzProxies), "AutoCreation.Enabled", "true"}
		if f.r.IntN(2) == 0 {
			kv = append(kv, "AutoCreation.ConversationServiceSid", f.prefix()[len("/v1"):])
		}
		f.do("address configuration", "POST", "/v1/Configuration/Addresses", kv...)
	case n < 93: // services
		f.e.mu.Lock()
		svcs := f.e.services.all()
		f.e.mu.Unlock()
		if f.r.IntN(2) == 0 || len(svcs) == 1 {
			f.do("create service", "POST", "/v1/Services", "FriendlyName", "extra")
		} else {
			f.do("delete service", "DELETE", "/v1/Services/"+svcs[1+f.r.IntN(len(svcs)-1)].sid)
		}
	case n < 97: // export and import the state
		doc, err := f.e.ExportState()
		if err != nil {
			f.t.Fatal(err)
		}
		if f.r.IntN(3) == 0 {
			doc = f.duplicateParticipant(doc)
		}
		if err := f.e.ImportState(doc); err != nil {
			f.t.Fatal(err)
		}
		f.ops["import"]++
		f.last = "import"
	default:
		if f.r.IntN(4) == 0 {
			f.e.Reset()
			f.ops["reset"]++
			f.last = "reset"
		}
	}
}

// duplicateParticipant copies a participant within its conversation under
// a new SID: the same identity or address twice in one conversation, which
// the REST API refuses but a state document can hold.
func (f *indexFuzzer) duplicateParticipant(data []byte) []byte {
	var doc stateDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		f.t.Fatal(err)
	}
	for _, svc := range doc.Services {
		for i := range svc.Conversations {
			c := &svc.Conversations[i]
			if len(c.Participants) > 0 && f.r.IntN(2) == 0 {
				p := c.Participants[f.r.IntN(len(c.Participants))]
				p.Sid = newSID("MB")
				c.Participants = append(c.Participants, p)
				f.ops["duplicate participant"]++
			}
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// TestIndexesStayConsistent runs random operations (every path that adds,
// changes or removes a conversation, a participant, a user or a service,
// timers, inbound messages, resets and imports) and checks the indexes
// against a rebuild from the tables after each one. INDEX_FUZZ_STEPS sets
// the number of steps (default 3,000) and INDEX_FUZZ_SEED the seed.
func TestIndexesStayConsistent(t *testing.T) {
	steps, seed := 3000, uint64(time.Now().UnixNano())
	if s, err := strconv.Atoi(os.Getenv("INDEX_FUZZ_STEPS")); err == nil {
		steps = s
	}
	if s, err := strconv.ParseUint(os.Getenv("INDEX_FUZZ_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("INDEX_FUZZ_SEED=%d", seed)
	e := New(WithClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), WithWebhookTimeout(time.Second))
	defer e.Close()
	f := &indexFuzzer{t: t, e: e, r: rand.New(rand.NewPCG(seed, 1)), ops: map[string]int{}}
	for i := range steps {
		f.step()
		if err := checkIndexes(e); err != nil {
			t.Fatalf("step %d (%s): %v", i, f.last, err)
		}
	}
	e.Flush()
	t.Logf("operations that succeeded: %v", f.ops)
	// The run must have exercised what it is meant to.
	for _, op := range []string{"create conversation", "update conversation", "delete conversation", "add participant",
		"update participant", "delete participant", "inbound sms", "timer fired", "import", "duplicate participant",
		"create with participants", "inbound group mms", "delete service"} {
		if f.ops[op] == 0 && steps >= 3000 {
			t.Errorf("no %q succeeded in %d steps", op, steps)
		}
	}
}

// TestIndexCheckCatchesDrift: the check is not vacuous; an index left
// behind by a change it missed is reported.
func TestIndexCheckCatchesDrift(t *testing.T) {
	e := New()
	defer e.Close()
	rec := serve(e, "POST", "/v1/Conversations", nil)
	var c struct{ Sid string }
	json.Unmarshal(rec.Body.Bytes(), &c)
	must(t, serve(e, "POST", "/v1/Conversations/"+c.Sid+"/Participants", url.Values{
		"MessagingBinding.Address": {fuzzAddrs[0]}, "MessagingBinding.ProxyAddress": {fuzzProxies[0]}}), 201)
	must(t, serve(e, "POST", "/v1/Conversations/"+c.Sid+"/Participants", url.Values{"Identity": {"ana"}}), 201)
	if err := checkIndexes(e); err != nil {
		t.Fatal(err)
	}
	breakers := map[string]func(conv *conversation){
		"state changed behind the index's back": func(conv *conversation) { conv.state = "closed" },
		"proxy changed behind the index's back": func(conv *conversation) {
			p, _ := conv.participants.find(func(p *participant) bool { return p.address != "" })
			p.proxyAddress = fuzzProxies[1]
		},
		"identity changed behind the index's back": func(conv *conversation) {
			p, _ := conv.participants.find(func(p *participant) bool { return p.identity != "" })
			p.identity = "ben"
		},
		"unique name set behind the index's back": func(conv *conversation) { conv.uniqueName = "x" },
		"timer set behind the index's back":       func(conv *conversation) { conv.dateClosed = ptr(time.Now()) },
	}
	for name, brk := range breakers {
		t.Run(name, func(t *testing.T) {
			doc, err := e.ExportState()
			if err != nil {
				t.Fatal(err)
			}
			e.mu.Lock()
			conv, _ := e.defaultSvc.conversations.get(c.Sid)
			brk(conv)
			e.mu.Unlock()
			if err := checkIndexes(e); err == nil {
				t.Fatal("the check found nothing wrong")
			} else {
				t.Log(err)
			}
			if err := e.ImportState(doc); err != nil { // a fresh, consistent state again
				t.Fatal(err)
			}
			if err := checkIndexes(e); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTableHoles: removing records leaves holes that readers skip and that
// are compacted away; a SID stored again goes last.
func TestTableHoles(t *testing.T) {
	var tb table[int]
	for i := range 10 {
		tb.put(strconv.Itoa(i), ptr(i))
	}
	for _, sid := range []string{"2", "5", "7"} {
		if !tb.remove(sid) {
			t.Fatalf("remove %s", sid)
		}
	}
	if tb.remove("5") {
		t.Fatal("removed 5 twice")
	}
	vals := func() []int {
		var out []int
		for _, v := range tb.all() {
			out = append(out, *v)
		}
		return out
	}
	if got := vals(); !slices.Equal(got, []int{0, 1, 3, 4, 6, 8, 9}) || tb.len() != 7 {
		t.Fatalf("after removals: %v (len %d)", got, tb.len())
	}
	tb.put("5", ptr(50))
	if got := vals(); !slices.Equal(got, []int{0, 1, 3, 4, 6, 8, 9, 50}) {
		t.Fatalf("stored again: %v", got)
	}
	if v, ok := tb.find(func(v *int) bool { return *v > 5 }); !ok || *v != 6 {
		t.Fatalf("find: %v", v)
	}
	for _, sid := range []string{"0", "1", "3", "4", "6"} {
		tb.remove(sid)
	}
	if len(tb.vals) > 2*tb.len() {
		t.Fatalf("not compacted: %d in order for %d records", len(tb.vals), tb.len())
	}
	if err := checkTable(&tb); err != nil {
		t.Fatal(err)
	}
	if v := tb.view(); len(v) != 3 || *v[0] != 8 || tb.holes != 0 {
		t.Fatalf("view: %d records, %d holes", len(v), tb.holes)
	}
	if err := checkTable(&tb); err != nil {
		t.Fatal(err)
	}
	if got := vals(); !slices.Equal(got, []int{8, 9, 50}) {
		t.Fatalf("after compaction: %v", got)
	}
}
