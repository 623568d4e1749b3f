package conversationstest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"
)

// A state document is decoded as a stream (state_lexer.go), not in one
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
// more. The emulator's own exports are charged about three times their size:
// their entries carry all their fields. The lexer allocates nothing besides
// what is kept, so the charges are close to what decoding allocates in all:
// a 1 MiB document allocates at most about 4 MB before it is refused or
// imported (state_limits_test.go measures every shape it knows).
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
	lx   *jsonLexer // state_lexer.go
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
	d := &stateDecoder{lx: newJSONLexer(in), in: in, sids: make(map[string]bool)}
	var doc stateDoc
	err := d.value(reflect.ValueOf(&doc).Elem())
	if err == nil {
		if err = d.lx.end(); err != nil && !errors.Is(err, errStateTooLarge) {
			err = d.errorf("%v", err)
		}
	}
	if errors.Is(err, errStateTooLarge) {
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

// fail wraps a lexer error with the path, passing errStateTooLarge through.
func (d *stateDecoder) fail(err error) error {
	if errors.Is(err, errStateTooLarge) {
		return err
	}
	return d.errorf("%v", eofIsUnexpected(err))
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
	checkerType  = reflect.TypeFor[stateEntry]()
	fieldIndexes sync.Map // reflect.Type -> *structFields
)

// stateEntry is an entry of a collection, checked as soon as it is read
// (state_entries.go).
type stateEntry interface {
	check(d *stateDecoder) error
}

// structFields are a struct's fields by JSON name.
type structFields struct {
	index map[string]int
	names []string // by field index
}

func jsonFields(t reflect.Type) *structFields {
	if f, ok := fieldIndexes.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{index: make(map[string]int, t.NumField()), names: make([]string, t.NumField())}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			f.index[name], f.names[i] = i, name
		}
	}
	fieldIndexes.Store(t, f)
	return f
}

// value decodes the next JSON value into v. A null leaves v as it is.
func (d *stateDecoder) value(v reflect.Value) error {
	c, err := d.lx.next()
	if err != nil {
		return d.fail(err)
	}
	if c == 'n' {
		if err := d.lx.literal("null"); err != nil {
			return d.fail(err)
		}
		return nil
	}
	t := v.Type()
	if t == timeType {
		b, err := d.lx.str()
		if err != nil {
			return d.fail(err)
		}
		tm := v.Addr().Interface().(*time.Time)
		if err := tm.UnmarshalText(b); err != nil { // RFC 3339, as encoding/json reads it
			return d.errorf("not an RFC 3339 date: %v", err)
		}
		return d.date(*tm)
	}
	switch t.Kind() {
	case reflect.Struct:
		if c != '{' {
			return d.errorf("expected an object")
		}
		d.lx.skip()
		return d.fields(v)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // []byte: base64
			b, err := d.lx.str()
			if err != nil {
				return d.fail(err)
			}
			if err := d.charge(base64.StdEncoding.DecodedLen(len(b))); err != nil {
				return err
			}
			data := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
			n, err := base64.StdEncoding.Decode(data, b)
			if err != nil {
				return d.errorf("not base64: %v", err)
			}
			v.SetBytes(data[:n])
			return nil
		}
		if c != '[' {
			return d.errorf("expected an array")
		}
		d.lx.skip()
		return d.array(v)
	case reflect.Map:
		if c != '{' {
			return d.errorf("expected an object")
		}
		d.lx.skip()
		return d.mapping(v)
	case reflect.Pointer:
		if err := d.charge(int(t.Elem().Size())); err != nil {
			return err
		}
		p := reflect.New(t.Elem())
		if err := d.value(p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.String:
		b, err := d.lx.str()
		if err != nil {
			return d.fail(err)
		}
		if err := d.charge(len(b)); err != nil {
			return err
		}
		v.SetString(string(b))
		return nil
	case reflect.Int, reflect.Int64:
		n, err := d.lx.integer()
		if err != nil || v.OverflowInt(n) {
			return d.errorf("expected an integer within %d bits", t.Bits())
		}
		v.SetInt(n)
		return nil
	case reflect.Bool:
		word := "false"
		if c == 't' {
			word = "true"
		}
		if err := d.lx.literal(word); err != nil {
			return d.fail(err)
		}
		v.SetBool(word == "true")
		return nil
	}
	return d.errorf("cannot decode into %s", t) // no such field in stateDoc
}

// fields decodes an object's members, after its '{', into the struct v, then
// checks v when it is an entry.
func (d *stateDecoder) fields(v reflect.Value) error {
	f := jsonFields(v.Type())
	var seen uint64
	c, err := d.lx.next()
	if err != nil {
		return d.fail(err)
	}
	for c != '}' {
		key, err := d.lx.str()
		if err != nil {
			return d.fail(err)
		}
		i, ok := f.index[string(key)]
		if !ok {
			return d.errorf("unknown field %q", key)
		}
		if seen&(1<<i) != 0 {
			return d.errorf("field %q appears twice", key)
		}
		seen |= 1 << i
		if err := d.lx.expect(':'); err != nil {
			return d.fail(err)
		}
		d.path = append(d.path, pathStep{f.names[i], -1})
		if err := d.value(v.Field(i)); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
		if c, err = d.separator('}'); err != nil {
			return err
		}
	}
	d.lx.skip() // '}'
	if reflect.PointerTo(v.Type()).Implements(checkerType) {
		return v.Addr().Interface().(stateEntry).check(d)
	}
	return nil
}

// separator reads what follows a member or element: a comma (it returns
// the byte after it) or the closing byte, which it leaves unread.
func (d *stateDecoder) separator(closing byte) (byte, error) {
	c, err := d.lx.next()
	if err != nil {
		return 0, d.fail(err)
	}
	switch c {
	case closing:
		return c, nil
	case ',':
		d.lx.skip()
		c, err = d.lx.next()
		if err != nil {
			return 0, d.fail(err)
		}
		if c == closing {
			return 0, d.errorf("a comma before %q", closing)
		}
		return c, nil
	}
	return 0, d.errorf("expected ',' or %q, found %q", closing, c)
}

// array decodes a JSON array, after its '[', into the slice v, checking
// each element as it comes.
func (d *stateDecoder) array(v reflect.Value) error {
	t := v.Type()
	size := int(t.Elem().Size())
	per := listItemCost
	if t.Elem().Kind() == reflect.Struct {
		per = 2*size + entryCost
	}
	if v.IsNil() {
		v.Set(reflect.MakeSlice(t, 0, 0)) // [] stays an empty list, not a missing one
	}
	c, err := d.lx.next()
	if err != nil {
		return d.fail(err)
	}
	for n := 0; c != ']'; n++ {
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
		if c, err = d.separator(']'); err != nil {
			return err
		}
	}
	d.lx.skip() // ']'
	return nil
}

// mapping decodes a JSON object, after its '{', into the map v: keys must
// be non-empty and unique.
func (d *stateDecoder) mapping(v reflect.Value) error {
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	per := 2*int(t.Key().Size()+t.Elem().Size()) + entryCost
	c, err := d.lx.next()
	if err != nil {
		return d.fail(err)
	}
	for c != '}' {
		b, err := d.lx.str()
		if err != nil {
			return d.fail(err)
		}
		if err := d.charge(per + 2*len(b)); err != nil {
			return err
		}
		if len(b) == 0 {
			return d.errorf("empty key")
		}
		key := string(b)
		k := reflect.ValueOf(key)
		if v.MapIndex(k).IsValid() {
			return d.errorf("key %q appears twice", key)
		}
		if err := d.lx.expect(':'); err != nil {
			return d.fail(err)
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
		if c, err = d.separator('}'); err != nil {
			return err
		}
	}
	d.lx.skip() // '}'
	return nil
}
