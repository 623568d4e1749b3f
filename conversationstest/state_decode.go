package conversationstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"
)

// A state document is decoded as a stream of tokens, not in one
// json.Unmarshal: every entry of every collection is checked as soon as it
// is read (a SID well-formed and not seen before, required fields set, known
// values, indexes and dates in range), so a document of empty or bogus
// entries is refused at its first one. And what the import will hold is
// charged against a budget that grows with the bytes read: at most
// importCostFactor times the bytes read so far plus importCostSlack. The
// charges are upper estimates of what the decoded document and the
// emulator's own copy of it keep (each entry's struct twice, its strings,
// table and map entries), so a document whose entries are valid but cost far
// more in memory than in JSON (thousands of entries holding a SID and
// nothing else, lists of one-letter strings) is refused before it takes
// more. The emulator's own exports cost about three times their size: their
// entries carry all their fields. Besides what it keeps, decoding leaves
// garbage (encoding/json allocates per token), which the GC reclaims: all
// told, a 1 MiB document allocates at most about 14 MB before it is refused
// or imported (state_limits_test.go measures it).
const (
	importCostFactor = 6
	importCostSlack  = 2 << 20
	// entryCost is charged per entry of a collection on top of twice its
	// struct's size (the document's copy and the emulator's): the table's
	// map entry and order slot, and the SID in the checks' set.
	entryCost = 128
	// listItemCost is charged per string of a list (filters, permissions,
	// addresses) on top of its length: its slot in the document, in the
	// emulator's copy, and a map entry where the list becomes a set.
	listItemCost = 96
)

var errStateTooLarge = errors.New("state document too large")

// countingReader counts the bytes the decoder read, and refuses to read
// more than limit (0: no limit) with errStateTooLarge.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.limit > 0 {
		if c.n >= c.limit {
			return 0, errStateTooLarge
		}
		if int64(len(p)) > c.limit-c.n {
			p = p[:c.limit-c.n]
		}
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// stateDecoder decodes one state document from a stream, checking as it
// goes.
type stateDecoder struct {
	dec  *json.Decoder
	in   *countingReader
	cost int64
	sids map[string]bool // every SID of an entry seen so far
	path []pathStep      // where the decoder is, for error messages
}

type pathStep struct {
	key   string
	index int // -1: a key step
}

// decodeState reads one state document from r, which may hold at most
// limit bytes (0: no limit).
func decodeState(r io.Reader, limit int64) (*stateDoc, error) {
	in := &countingReader{r: r, limit: limit}
	d := &stateDecoder{dec: json.NewDecoder(in), in: in, sids: make(map[string]bool)}
	var doc stateDoc
	err := d.value(reflect.ValueOf(&doc).Elem())
	if err == nil {
		// Nothing may follow the document.
		if _, terr := d.dec.Token(); terr != io.EOF {
			err = errors.New("data after the JSON value")
			if terr != nil && !errors.Is(terr, errStateTooLarge) {
				err = terr
			}
		}
	}
	if errors.Is(err, errStateTooLarge) || (limit > 0 && in.n >= limit) {
		return nil, errStateTooLarge
	}
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

// where renders the current path, such as services[0].conversations[2].sid.
func (d *stateDecoder) where() string {
	var b strings.Builder
	for _, s := range d.path {
		if s.index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	if b.Len() == 0 {
		return "document"
	}
	return b.String()
}

func (d *stateDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", d.where(), fmt.Sprintf(format, args...))
}

// charge counts n bytes against the import's memory budget.
func (d *stateDecoder) charge(n int) error {
	d.cost += int64(n)
	if limit := importCostFactor*d.in.n + importCostSlack; d.cost > limit {
		return d.errorf("the document would take more than %d bytes of memory, over %d times the %d bytes read so far; the emulator's own exports stay far below (entries that hold little besides a SID cost far more in memory than in JSON)",
			limit, importCostFactor, d.in.n)
	}
	return nil
}

// sid checks that s is a SID with prefix not seen before in the document.
func (d *stateDecoder) sid(what, s, prefix string) error {
	if !isSID(s, prefix) {
		return d.errorf("%s: %q is not a %s… SID", what, s, prefix)
	}
	if d.sids[s] {
		return d.errorf("%s: SID %s appears twice", what, s)
	}
	d.sids[s] = true
	return nil
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	timePtrType  = reflect.TypeFor[*time.Time]()
	checkerType  = reflect.TypeFor[stateEntry]()
	fieldIndexes sync.Map // reflect.Type -> map[string]int, a struct's fields by JSON name
)

// stateEntry is an entry of a collection, checked as soon as it is read.
type stateEntry interface {
	check(d *stateDecoder) error
}

func jsonFields(t reflect.Type) map[string]int {
	if m, ok := fieldIndexes.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldIndexes.Store(t, m)
	return m
}

// value decodes the next JSON value into v.
func (d *stateDecoder) value(v reflect.Value) error {
	t := v.Type()
	switch {
	case t == timeType:
		if err := d.scalar(v); err != nil {
			return err
		}
		return d.date(v.Interface().(time.Time))
	case t == timePtrType:
		if err := d.scalar(v); err != nil {
			return err
		}
		if p := v.Interface().(*time.Time); p != nil {
			return d.date(*p)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		return d.object(v)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // []byte: base64
			if err := d.scalar(v); err != nil {
				return err
			}
			return d.charge(v.Len())
		}
		return d.array(v)
	case reflect.Map:
		return d.mapping(v)
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Struct {
			tok, err := d.dec.Token()
			if err != nil {
				return d.syntax(err)
			}
			if tok == nil {
				return nil
			}
			if tok != json.Delim('{') {
				return d.errorf("expected an object or null, got %v", tok)
			}
			if err := d.charge(int(t.Elem().Size())); err != nil {
				return err
			}
			p := reflect.New(t.Elem())
			if err := d.fields(p.Elem()); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}
		return d.scalar(v)
	case reflect.String:
		if err := d.scalar(v); err != nil {
			return err
		}
		return d.charge(v.Len())
	default:
		return d.scalar(v)
	}
}

// scalar decodes a value with encoding/json's own rules.
func (d *stateDecoder) scalar(v reflect.Value) error {
	if err := d.dec.Decode(v.Addr().Interface()); err != nil {
		return d.syntax(err)
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return d.charge(int(v.Type().Elem().Size()))
	}
	return nil
}

func (d *stateDecoder) syntax(err error) error {
	if errors.Is(err, errStateTooLarge) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return d.errorf("cannot hold a JSON %s", te.Value)
	}
	return d.errorf("%v", err)
}

// object decodes a JSON object (or null) into the struct v.
func (d *stateDecoder) object(v reflect.Value) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.syntax(err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return d.errorf("expected an object, got %v", tok)
	}
	return d.fields(v)
}

// fields decodes an object's members, after its '{', into the struct v, then
// checks v when it is an entry.
func (d *stateDecoder) fields(v reflect.Value) error {
	index := jsonFields(v.Type())
	var seen uint64
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.syntax(err)
		}
		key := tok.(string) // the decoder only returns a string in key position
		i, ok := index[key]
		if !ok {
			return d.errorf("unknown field %q", key)
		}
		if seen&(1<<i) != 0 {
			return d.errorf("field %q appears twice", key)
		}
		seen |= 1 << i
		d.path = append(d.path, pathStep{key, -1})
		if err := d.value(v.Field(i)); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
	}
	if _, err := d.dec.Token(); err != nil { // '}'
		return d.syntax(err)
	}
	if reflect.PointerTo(v.Type()).Implements(checkerType) {
		return v.Addr().Interface().(stateEntry).check(d)
	}
	return nil
}

// array decodes a JSON array (or null) into the slice v, checking each
// element as it comes.
func (d *stateDecoder) array(v reflect.Value) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.syntax(err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return d.errorf("expected an array, got %v", tok)
	}
	t := v.Type()
	size := int(t.Elem().Size())
	for n := 0; d.dec.More(); n++ {
		if n == v.Cap() {
			c := max(4, 2*n)
			if err := d.charge((c - n) * size); err != nil { // the backing array's spare room
				return err
			}
			grown := reflect.MakeSlice(t, n, c)
			reflect.Copy(grown, v)
			v.Set(grown)
		}
		v.SetLen(n + 1)
		d.path = append(d.path, pathStep{index: n})
		per := listItemCost
		if t.Elem().Kind() == reflect.Struct {
			per = 2*size + entryCost
		}
		if err := d.charge(per); err != nil {
			return err
		}
		el := v.Index(n)
		if err := d.value(el); err != nil {
			return err
		}
		if el.Kind() == reflect.String && el.Len() == 0 {
			return d.errorf("empty entry")
		}
		d.path = d.path[:len(d.path)-1]
	}
	if _, err := d.dec.Token(); err != nil { // ']'
		return d.syntax(err)
	}
	return nil
}

// mapping decodes a JSON object (or null) into the map v: keys must be
// non-empty and unique.
func (d *stateDecoder) mapping(v reflect.Value) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.syntax(err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return d.errorf("expected an object, got %v", tok)
	}
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	per := 2*int(t.Key().Size()+t.Elem().Size()) + entryCost
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.syntax(err)
		}
		key := tok.(string)
		if err := d.charge(per + 2*len(key)); err != nil {
			return err
		}
		if key == "" {
			return d.errorf("empty key")
		}
		k := reflect.ValueOf(key)
		if v.MapIndex(k).IsValid() {
			return d.errorf("key %q appears twice", key)
		}
		d.path = append(d.path, pathStep{key, -1})
		el := reflect.New(t.Elem()).Elem()
		if err := d.value(el); err != nil {
			return err
		}
		if el.Kind() == reflect.String && el.Len() == 0 {
			return d.errorf("empty value")
		}
		d.path = d.path[:len(d.path)-1]
		v.SetMapIndex(k, el)
	}
	if _, err := d.dec.Token(); err != nil { // '}'
		return d.syntax(err)
	}
	return nil
}

// date refuses a date that Twilio's format cannot render.
func (d *stateDecoder) date(t time.Time) error {
	if err := checkDate(t); err != nil {
		return d.errorf("%v", err)
	}
	return nil
}

// index checks a message index (or next index) from the document.
func (d *stateDecoder) index(what string, n int) error {
	if n < 0 || n > maxMessageIndex {
		return d.errorf("%s %d is outside 0..%d", what, n, maxMessageIndex)
	}
	return nil
}

func nonNegative(d *stateDecoder, what string, n *int) error {
	if n != nil && *n < 0 {
		return d.errorf("%s must not be negative, got %d", what, *n)
	}
	return nil
}

// The entries' checks, run as each entry is read. checkState (state_import.go)
// then checks what spans entries: references and unique names.

func (s *stateService) check(d *stateDecoder) error { return d.sid("service", s.Sid, "IS") }

func (r *stateRole) check(d *stateDecoder) error {
	if err := d.sid("role", r.Sid, "RL"); err != nil {
		return err
	}
	if r.Type != "conversation" && r.Type != "service" {
		return d.errorf("role %s: type must be conversation or service, got %q", r.Sid, r.Type)
	}
	return nil
}

func (u *stateUser) check(d *stateDecoder) error {
	if err := d.sid("user", u.Sid, "US"); err != nil {
		return err
	}
	if u.Identity == "" {
		return d.errorf("user %s: identity is empty", u.Sid)
	}
	for conv, level := range u.Levels {
		if !isSID(conv, "CH") || (level != "default" && level != "muted") {
			return d.errorf("user %s: notification_levels must map conversation SIDs to default or muted", u.Sid)
		}
	}
	return nil
}

func (b *stateBinding) check(d *stateDecoder) error { return d.sid("binding", b.Sid, "BS") }

func (c *stateConversation) check(d *stateDecoder) error {
	if err := d.sid("conversation", c.Sid, "CH"); err != nil {
		return err
	}
	if c.NextIndex < 0 || c.NextIndex > maxMessageIndex+1 {
		return d.errorf("next_index %d is outside 0..%d", c.NextIndex, maxMessageIndex+1)
	}
	for _, m := range c.Messages {
		if m.Index >= c.NextIndex {
			return d.errorf("message %s: index %d is outside 0..next_index-1 (%d)", m.Sid, m.Index, c.NextIndex-1)
		}
	}
	return nil
}

func (p *stateParticipant) check(d *stateDecoder) error {
	if err := d.sid("participant", p.Sid, "MB"); err != nil {
		return err
	}
	if p.LastReadIndex != nil {
		return d.index("last_read_message_index", *p.LastReadIndex)
	}
	return nil
}

func (m *stateMessage) check(d *stateDecoder) error {
	if err := d.sid("message", m.Sid, "IM"); err != nil {
		return err
	}
	return d.index("index", m.Index)
}

func (r *mediaRef) check(d *stateDecoder) error {
	if !isSID(r.Sid, "ME") {
		return d.errorf("media: %q is not a ME… SID", r.Sid)
	}
	if r.Size < 0 || r.Size > mediaMaxSize {
		return d.errorf("media %s: size %d is outside 0..%d", r.Sid, r.Size, mediaMaxSize)
	}
	return nil
}

func (r *stateReceipt) check(d *stateDecoder) error {
	if err := d.sid("receipt", r.Sid, "DY"); err != nil {
		return err
	}
	return nonNegative(d, "error_code", &r.ErrorCode)
}

func (w *stateScopedWebhook) check(d *stateDecoder) error {
	if err := d.sid("webhook", w.Sid, "WH"); err != nil {
		return err
	}
	return nonNegative(d, "replay_after", w.ReplayAfter)
}

func (a *stateAddress) check(d *stateDecoder) error {
	if err := d.sid("address configuration", a.Sid, "IG"); err != nil {
		return err
	}
	if n := a.StudioRetryCount; n != nil && (*n < 0 || *n > 3) {
		return d.errorf("auto_creation_studio_retry_count must be 0..3, got %d", *n)
	}
	return nil
}

func (c *stateCredential) check(d *stateDecoder) error { return d.sid("credential", c.Sid, "CR") }

func (m *stateMedia) check(d *stateDecoder) error {
	if err := d.sid("media", m.Sid, "ME"); err != nil {
		return err
	}
	if len(m.Data) == 0 || len(m.Data) > mediaMaxSize {
		return d.errorf("media %s: data must hold 1 to %d bytes, got %d", m.Sid, mediaMaxSize, len(m.Data))
	}
	return nil
}

func (p *statePhone) check(d *stateDecoder) error {
	if p.From == "" || p.To == "" || !isSID(p.ConversationSid, "CH") || !isSID(p.MessageSid, "IM") {
		return d.errorf("a phone's message needs from, to, a conversation_sid (CH…) and a message_sid (IM…)")
	}
	return nil
}

func (f *stateFailure) check(d *stateDecoder) error {
	if f.Status != "failed" && f.Status != "undelivered" {
		return d.errorf("status must be failed or undelivered, got %q", f.Status)
	}
	return nonNegative(d, "error_code", &f.Code)
}
