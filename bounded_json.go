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

// MessageMediaList is a message's media: the files attached to it. It is a
// plain slice of [MessageMedia] whose JSON decoding holds at most
// [MaxNestedItems] values: a larger array fails with an error wrapping
// [ErrResponseTooLarge], and decoding stops at the limit.
type MessageMediaList []MessageMedia

// UnmarshalJSON decodes a JSON array (or null) of at most [MaxNestedItems]
// media, one value at a time.
func (l *MessageMediaList) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = nil
		return nil
	}
	out, err := decodeBounded[MessageMedia](json.NewDecoder(bytes.NewReader(b)), MaxNestedItems, ErrResponseTooLarge)
	*l = out
	return err
}
