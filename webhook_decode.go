package conversations

// The reflection field plan behind DecodeEvent and EncodeEvent: each event
// struct's form-tagged fields (including those of embedded structs) with
// their form keys and how their values are parsed and formatted.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fieldKind is how a struct field maps to form values.
type fieldKind int

const (
	kindString fieldKind = iota
	kindInt
	kindIntPtr
	kindBoolPtr
	kindTime
	kindAttributes
	kindMedia
	kindBinding
)

type fieldPlan struct {
	index []int
	keys  []string // form key, then accepted alternatives
	kind  fieldKind
}

var (
	planCache sync.Map // reflect.Type -> []fieldPlan
	timeType  = reflect.TypeFor[time.Time]()
	attrType  = reflect.TypeFor[Attributes]()
	mediaType = reflect.TypeFor[[]EventMedia]()
	bindType  = reflect.TypeFor[EventBinding]()
	intPtr    = reflect.TypeFor[*int]()
	boolPtr   = reflect.TypeFor[*bool]()
)

// planFor returns the field plan of an event struct type.
func planFor(t reflect.Type) []fieldPlan {
	if p, ok := planCache.Load(t); ok {
		return p.([]fieldPlan)
	}
	var plan []fieldPlan
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, idx)
				continue
			}
			tag := sf.Tag.Get("form")
			if tag == "" || !sf.IsExported() {
				continue
			}
			p := fieldPlan{index: idx, keys: strings.Split(tag, ",")}
			switch {
			case sf.Type == timeType:
				p.kind = kindTime
			case sf.Type == attrType:
				p.kind = kindAttributes
			case sf.Type == mediaType:
				p.kind = kindMedia
			case sf.Type == bindType:
				p.kind = kindBinding
			case sf.Type == intPtr:
				p.kind = kindIntPtr
			case sf.Type == boolPtr:
				p.kind = kindBoolPtr
			case sf.Type.Kind() == reflect.Int:
				p.kind = kindInt
			case sf.Type.Kind() == reflect.String:
				p.kind = kindString
			default:
				panic("conversations: unsupported webhook field type " + sf.Type.String())
			}
			plan = append(plan, p)
		}
	}
	walk(t, nil)
	planCache.Store(t, plan)
	return plan
}

// lookup returns the first value of the first key present.
func (f *fieldPlan) lookup(form url.Values) (key, val string, ok bool) {
	for _, k := range f.keys {
		if vs := form[k]; len(vs) > 0 {
			return k, vs[0], true
		}
	}
	return "", "", false
}

// isNull reports whether a non-string value means "not set".
func isNull(v string) bool { return v == "" || v == "null" }

func (f *fieldPlan) decode(dst reflect.Value, form url.Values) error {
	if f.kind == kindBinding {
		return decodeBinding(dst.Addr().Interface().(*EventBinding), form)
	}
	key, val, ok := f.lookup(form)
	if !ok {
		return nil
	}
	if f.kind == kindString {
		dst.SetString(val)
		return nil
	}
	if f.kind == kindAttributes {
		dst.Set(reflect.ValueOf(Attributes{raw: val}))
		return nil
	}
	if isNull(val) {
		return nil
	}
	fail := func(format string) error {
		return &WebhookFieldError{Field: key, Value: val, Err: fmt.Errorf(format, val)}
	}
	switch f.kind {
	case kindInt, kindIntPtr:
		n, err := strconv.Atoi(val)
		if err != nil {
			return fail("invalid integer %.64q")
		}
		if f.kind == kindInt {
			dst.SetInt(int64(n))
		} else {
			dst.Set(reflect.ValueOf(&n))
		}
	case kindBoolPtr:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fail("invalid boolean %.64q")
		}
		dst.Set(reflect.ValueOf(&b))
	case kindTime:
		t, err := time.Parse(time.RFC3339Nano, val)
		if err != nil {
			return fail("invalid RFC 3339 date %.64q")
		}
		dst.Set(reflect.ValueOf(t.UTC()))
	case kindMedia:
		m, err := decodeMedia(val)
		if err != nil {
			return &WebhookFieldError{Field: key, Value: val, Err: err}
		}
		dst.Set(reflect.ValueOf(m))
	}
	return nil
}

func (f *fieldPlan) encode(src reflect.Value, form url.Values) error {
	key := f.keys[0]
	switch f.kind {
	case kindString:
		if s := src.String(); s != "" {
			form.Set(key, s)
		}
	case kindInt:
		if n := src.Int(); n != 0 {
			form.Set(key, strconv.FormatInt(n, 10))
		}
	case kindIntPtr:
		if !src.IsNil() {
			form.Set(key, strconv.FormatInt(src.Elem().Int(), 10))
		}
	case kindBoolPtr:
		if !src.IsNil() {
			form.Set(key, strconv.FormatBool(src.Elem().Bool()))
		}
	case kindTime:
		if t := src.Interface().(time.Time); !t.IsZero() {
			form.Set(key, t.UTC().Format(time.RFC3339Nano))
		}
	case kindAttributes:
		if a := src.Interface().(Attributes); !a.IsZero() {
			form.Set(key, a.raw)
		}
	case kindMedia:
		if m := src.Interface().([]EventMedia); m != nil {
			b, err := json.Marshal(m)
			if err != nil {
				return fmt.Errorf("conversations: EncodeEvent: %s: %w", key, err)
			}
			form.Set(key, string(b))
		}
	case kindBinding:
		src.Addr().Interface().(*EventBinding).encode(form)
	}
	return nil
}
