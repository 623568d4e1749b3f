package conversationstest

import (
	"bytes"
	"encoding/json"
)

// encodeBody encodes an answer's body as the emulator sends it (no HTML
// escaping, a trailing newline), in full before anything is written: a
// value that cannot be encoded (a date past year 9999, say) then becomes an
// error answer, never a 200 with an empty or truncated body.
func encodeBody(body any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
