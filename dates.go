package conversations

import (
	"reflect"
	"sync"
	"time"
)

// Dates go out in UTC (2024-03-01T09:30:00Z), as the spec's examples and
// filters have them: go-querystring formats a time.Time in its own zone, so
// encodeParams hands it a copy of the params with every time.Time field in
// UTC. The caller's params are never modified.

// timeStructs caches, per struct type, whether it holds a time.Time field
// (directly or in a nested struct).
var timeStructs sync.Map

func holdsTime(t reflect.Type) bool {
	if v, ok := timeStructs.Load(t); ok {
		return v.(bool)
	}
	found := false
	for i := 0; i < t.NumField() && !found; i++ {
		ft := t.Field(i).Type
		found = ft == timeType || ft.Kind() == reflect.Struct && holdsTime(ft)
	}
	timeStructs.Store(t, found)
	return found
}

// inUTC returns params, or for a pointer to a struct holding dates, a
// pointer to a copy with every date in UTC.
func inUTC(params any) any {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct || !holdsTime(v.Elem().Type()) {
		return params
	}
	cp := reflect.New(v.Elem().Type())
	cp.Elem().Set(v.Elem())
	toUTC(cp.Elem())
	return cp.Interface()
}

func toUTC(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch {
		case !f.CanSet():
		case f.Type() == timeType:
			if t := f.Interface().(time.Time); !t.IsZero() {
				f.Set(reflect.ValueOf(t.UTC()))
			}
		case f.Kind() == reflect.Struct && holdsTime(f.Type()):
			toUTC(f)
		}
	}
}
