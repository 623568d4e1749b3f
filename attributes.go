package conversations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
)

// ErrInvalidAttributes is returned (wrapped) when attributes are not valid JSON.
var ErrInvalidAttributes = errors.New("conversations: attributes are not valid JSON")

// Attributes is the JSON metadata that conversations, participants, messages,
// users and webhooks events carry. Twilio stores it as a string that must
// hold valid JSON; Attributes keeps that raw JSON text.
//
// The zero value means "not set": it is left out of requests. Build
// Attributes inline with [AttributesOf] from any Go value, with
// [NewAttributes] to get the encoding error at once, or with
// [ParseAttributes] from JSON text. Invalid JSON never reaches Twilio: a
// request carrying it fails before it is sent.
// Read them with [Attributes.Decode] or [DecodeAttributes], and change some
// keys of fetched attributes with [Attributes.Merge].
type Attributes struct {
	raw string
	err error // why AttributesOf could not encode its value
}

// AttributesOf encodes v (a struct, map or any JSON-marshalable value) as
// attributes, for use inline in a params literal:
//
//	&conversations.ConversationCreateParams{
//		FriendlyName: "Order #1042",
//		Attributes:   conversations.AttributesOf(map[string]any{"order": 1042}),
//	}
//
// It cannot fail for a value that encoding/json can marshal. For one it
// cannot (a channel, a func, NaN), the attributes carry the error: a request
// sending them fails with [ErrInvalidAttributes] before anything is sent.
func AttributesOf(v any) Attributes {
	a, err := NewAttributes(v)
	if err != nil {
		return Attributes{err: err}
	}
	return a
}

// Err returns the error of attributes built by [AttributesOf] from a value
// that could not be encoded, or nil.
func (a Attributes) Err() error { return a.err }

// NewAttributes encodes v (a struct, map or any JSON-marshalable value) as
// attributes. A json.RawMessage is validated and compacted.
func NewAttributes(v any) (Attributes, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Attributes{}, fmt.Errorf("%w: %v", ErrInvalidAttributes, err)
	}
	return Attributes{raw: string(b)}, nil
}

// ParseAttributes takes attributes as JSON text, such as `{"topic":"billing"}`.
// The text must be valid JSON.
func ParseAttributes(s string) (Attributes, error) {
	if !json.Valid([]byte(s)) {
		return Attributes{}, fmt.Errorf("%w: %.64q", ErrInvalidAttributes, s)
	}
	return Attributes{raw: s}, nil
}

// DecodeAttributes decodes attributes into a value of type T, such as a struct
// of the application's own attribute fields or a map[string]any.
func DecodeAttributes[T any](a Attributes) (T, error) {
	var v T
	err := a.Decode(&v)
	return v, err
}

// String returns the attributes' JSON text, or "" when they are not set.
func (a Attributes) String() string { return a.raw }

// IsZero reports whether the attributes are not set.
func (a Attributes) IsZero() bool { return a.raw == "" && a.err == nil }

// Valid reports whether the attributes hold valid JSON. Attributes received
// from Twilio are kept as they came, even when they are not valid JSON.
func (a Attributes) Valid() bool { return a.raw != "" && json.Valid([]byte(a.raw)) }

// Decode unmarshals the attributes into v. Attributes that are not set decode
// as an empty JSON object.
func (a Attributes) Decode(v any) error {
	if a.err != nil {
		return a.err
	}
	raw := a.raw
	if raw == "" {
		raw = "{}"
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("conversations: decoding attributes: %w", err)
	}
	return nil
}

// Merge returns new attributes with patch applied as a JSON merge patch
// (RFC 7386) over these attributes: keys in patch replace or add keys,
// nested objects merge recursively, and a null value removes a key. Use it
// for read-modify-write of a few keys without losing the others. Patch may be
// any JSON-marshalable value, an Attributes, or a json.RawMessage.
func (a Attributes) Merge(patch any) (Attributes, error) {
	if a.err != nil {
		return Attributes{}, a.err
	}
	var p []byte
	switch v := patch.(type) {
	case Attributes:
		if v.err != nil {
			return Attributes{}, v.err
		}
		p = []byte(v.raw)
	case *Attributes:
		if v.err != nil {
			return Attributes{}, v.err
		}
		p = []byte(v.raw)
	default:
		b, err := json.Marshal(patch)
		if err != nil {
			return Attributes{}, fmt.Errorf("%w: merge patch: %v", ErrInvalidAttributes, err)
		}
		p = b
	}
	var target, patchVal any
	base := a.raw
	if base == "" {
		base = "{}"
	}
	if err := json.Unmarshal([]byte(base), &target); err != nil {
		return Attributes{}, fmt.Errorf("%w: %v", ErrInvalidAttributes, err)
	}
	if len(p) == 0 {
		p = []byte("{}")
	}
	if err := json.Unmarshal(p, &patchVal); err != nil {
		return Attributes{}, fmt.Errorf("%w: merge patch: %v", ErrInvalidAttributes, err)
	}
	return NewAttributes(mergePatch(target, patchVal))
}

// mergePatch applies an RFC 7386 merge patch to target.
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}

// MarshalJSON encodes the attributes the way Twilio does: as a JSON string
// holding the JSON text, or null when not set.
func (a Attributes) MarshalJSON() ([]byte, error) {
	if a.err != nil {
		return nil, a.err
	}
	if a.raw == "" {
		return []byte("null"), nil
	}
	return json.Marshal(a.raw)
}

// UnmarshalJSON accepts Twilio's form (a JSON string holding JSON text), null,
// or a JSON object or array given directly.
func (a *Attributes) UnmarshalJSON(b []byte) error {
	a.err = nil
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		a.raw = ""
		return nil
	case b[0] == '"':
		s, err := unquoteJSON(b)
		if err != nil {
			return err
		}
		a.raw = s
		return nil
	default:
		if !json.Valid(b) {
			return ErrInvalidAttributes
		}
		a.raw = string(b)
		return nil
	}
}

// EncodeValues implements the go-querystring Encoder interface: attributes are
// sent as their JSON text. Invalid JSON is an error, so it is never sent.
func (a Attributes) EncodeValues(key string, v *url.Values) error {
	if a.err != nil {
		return fmt.Errorf("%w (%s)", a.err, key)
	}
	if a.raw == "" {
		return nil
	}
	if !json.Valid([]byte(a.raw)) {
		return fmt.Errorf("%w: %s", ErrInvalidAttributes, key)
	}
	v.Set(key, a.raw)
	return nil
}
