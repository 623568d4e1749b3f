package conversations

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxNestedItems is the most values an array inside a resource may hold,
// such as a message's media. Like the items of a page ([MaxItemsPerPage]),
// it bounds what a response decodes into, which its byte cap does not: a
// larger array fails the response with an error wrapping
// [ErrResponseTooLarge], and decoding stops at the limit.
const MaxNestedItems = 1000

// boundedSlice decodes a JSON array (or null) of at most MaxNestedItems
// values, one value at a time.
type boundedSlice[T any] []T

func (s *boundedSlice[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*s = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected an array, got %v", tok)
	}
	out := boundedSlice[T]{}
	for dec.More() {
		if len(out) == MaxNestedItems {
			return fmt.Errorf("%w: an array of more than %d values", ErrResponseTooLarge, MaxNestedItems)
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return err
		}
		out = append(out, v)
	}
	*s = out
	return nil
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
