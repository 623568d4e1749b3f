package conversations

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// unquoteJSON decodes the JSON string literal b (quotes included), as
// json.Unmarshal into a string would, with one allocation: Twilio sends
// attributes as a string holding JSON text, and decoding it through
// json.Unmarshal would scan and decode every resource's attributes a second
// time. Anything unusual (invalid UTF-8, control characters, surrogate
// pairs, malformed escapes) goes to json.Unmarshal, so the result and the
// errors are exactly encoding/json's.
func unquoteJSON(b []byte) (string, error) {
	if s, ok := unquoteSimple(b); ok {
		return s, nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// unquoteSimple handles the common literals: valid UTF-8 with the escapes
// \" \\ \/ \b \f \n \r \t and \uXXXX outside the surrogate range.
func unquoteSimple(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	b = b[1 : len(b)-1]
	if !utf8.Valid(b) {
		return "", false
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < ' ' || c == '"':
			return "", false // not allowed unescaped
		case c != '\\':
			sb.WriteByte(c)
			continue
		}
		i++
		if i >= len(b) {
			return "", false
		}
		switch b[i] {
		case '"', '\\', '/':
			sb.WriteByte(b[i])
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			if i+5 > len(b) {
				return "", false
			}
			r := rune(0)
			for _, h := range b[i+1 : i+5] {
				switch {
				case h >= '0' && h <= '9':
					r = r<<4 | rune(h-'0')
				case h >= 'a' && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case h >= 'A' && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return "", false
				}
			}
			if utf8.RuneLen(r) < 0 { // a surrogate half
				return "", false
			}
			sb.WriteRune(r)
			i += 4
		default:
			return "", false
		}
	}
	return sb.String(), true
}
