package conversations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxNestedItems is the most values an array inside a resource may hold,
// such as a message's media. Like the items of a page ([MaxItemsPerPage]),
// it bounds what a response decodes into, which its byte cap does not: a
// larger array fails the response with an error wrapping
// [ErrResponseTooLarge], and decoding stops at the limit.
const MaxNestedItems = 1000

// errNotArray is decodeBounded's error for a value that is not an array.
var errNotArray = errors.New("expected an array")

// decodeBounded decodes the JSON array (or null: nil) that comes next in dec,
// one value at a time, with at most limit values: one more fails with
// tooLarge (wrapped), and decoding stops there. The list pages and the
// arrays inside a resource share it.
func decodeBounded[T any](dec *json.Decoder, limit int, tooLarge error) ([]T, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("%w, got %v", errNotArray, tok)
	}
	out := []T{}
	for dec.More() {
		if len(out) == limit {
			return nil, fmt.Errorf("%w: an array of more than %d values", tooLarge, limit)
		}
		var zero T
		out = append(out, zero)
		if err := dec.Decode(&out[len(out)-1]); err != nil { // in place: no copy per value
			return nil, err
		}
	}
	_, err = dec.Token() // the closing bracket
	return out, err
}

// boundedSlice decodes a JSON array (or null) of at most MaxNestedItems
// values, one value at a time.
type boundedSlice[T any] []T

func (s *boundedSlice[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = nil
		return nil
	}
	out, err := decodeBounded[T](json.NewDecoder(bytes.NewReader(b)), MaxNestedItems, ErrResponseTooLarge)
	*s = out
	return err
}

// UnmarshalJSON decodes a message, with at most [MaxNestedItems] media.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	aux := struct {
		*plain
		Media boundedSlice[MessageMedia] `json:"media"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	m.Media = []MessageMedia(aux.Media)
	return nil
}
