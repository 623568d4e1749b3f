package conversationstest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonLexer reads JSON from a buffered stream a byte at a time, for the
// state decoder (state_decode.go). It allocates nothing of its own beyond a
// scratch buffer it reuses: a string is read into the scratch buffer and the
// caller copies what it keeps. (encoding/json's Decoder allocates for every
// value decoded on its own, which for a document of short values is several
// times the document's size in garbage.)
type jsonLexer struct {
	r       *bufio.Reader
	scratch []byte
}

var errNotInteger = errors.New("not an integer in range")

func newJSONLexer(r io.Reader) *jsonLexer {
	return &jsonLexer{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next byte that is not white space, without consuming it.
func (l *jsonLexer) next() (byte, error) {
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c, l.r.UnreadByte()
	}
}

// expect consumes the next byte that is not white space, which must be c.
func (l *jsonLexer) expect(c byte) error {
	got, err := l.next()
	if err != nil {
		return eofIsUnexpected(err)
	}
	if got != c {
		return fmt.Errorf("expected %q, found %q", c, got)
	}
	_, err = l.r.ReadByte()
	return err
}

// skip consumes the byte next returned.
func (l *jsonLexer) skip() { l.r.ReadByte() }

// str reads a string into the scratch buffer, which stays valid until the
// next read.
func (l *jsonLexer) str() ([]byte, error) {
	if err := l.expect('"'); err != nil {
		return nil, fmt.Errorf("expected a string: %w", err)
	}
	b := l.scratch[:0]
	defer func() { l.scratch = b[:0] }()
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		switch {
		case c == '"':
			if !utf8.Valid(b) {
				b = l.validUTF8(b)
			}
			return b, nil
		case c < 0x20:
			return nil, errors.New("control character in a string")
		case c != '\\':
			b = append(b, c)
			continue
		}
		c, err = l.r.ReadByte()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		switch c {
		case '"', '\\', '/':
			b = append(b, c)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, err := l.hex4()
			if err != nil {
				return nil, err
			}
			if utf16.IsSurrogate(r) {
				first := r
				r = utf8.RuneError // a lone surrogate, as encoding/json reads it
				if p, _ := l.r.Peek(2); len(p) == 2 && p[0] == '\\' && p[1] == 'u' {
					l.r.Discard(2)
					second, err := l.hex4()
					if err != nil {
						return nil, err
					}
					if r = utf16.DecodeRune(first, second); r == utf8.RuneError {
						// Not a pair: the first is lone, the second stands alone.
						b = utf8.AppendRune(b, utf8.RuneError)
						if r = second; utf16.IsSurrogate(r) {
							r = utf8.RuneError
						}
					}
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return nil, fmt.Errorf("invalid escape \\%c in a string", c)
		}
	}
}

// validUTF8 replaces each byte of b that is not UTF-8 with U+FFFD, as
// encoding/json does.
func (l *jsonLexer) validUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func (l *jsonLexer) hex4() (rune, error) {
	var r rune
	for range 4 {
		c, err := l.r.ReadByte()
		if err != nil {
			return 0, eofIsUnexpected(err)
		}
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, errors.New("invalid \\u escape in a string")
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// integer reads a JSON number that must be an integer within int64.
func (l *jsonLexer) integer() (int64, error) {
	if _, err := l.next(); err != nil {
		return 0, eofIsUnexpected(err)
	}
	neg, digits := false, 0
	var u uint64
	for {
		c, err := l.r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		if c == '-' && digits == 0 && !neg {
			neg = true
			continue
		}
		if c < '0' || c > '9' {
			if c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
				return 0, errNotInteger
			}
			l.r.UnreadByte()
			break
		}
		if digits == 1 && u == 0 {
			return 0, errNotInteger // a leading zero, which JSON does not allow
		}
		if u > (1<<63)/10 {
			return 0, errNotInteger
		}
		u = u*10 + uint64(c-'0')
		if u > 1<<63 {
			return 0, errNotInteger
		}
		digits++
	}
	switch {
	case digits == 0:
		return 0, errors.New("expected a number")
	case neg:
		return -int64(u), nil // -(1<<63) wraps to itself: MinInt64
	case u > 1<<63-1:
		return 0, errNotInteger
	}
	return int64(u), nil
}

// literal consumes the literal word (true, false, null), which must come next.
func (l *jsonLexer) literal(word string) error {
	if _, err := l.next(); err != nil {
		return eofIsUnexpected(err)
	}
	for i := range len(word) {
		c, err := l.r.ReadByte()
		if err != nil {
			return eofIsUnexpected(err)
		}
		if c != word[i] {
			return fmt.Errorf("expected %s", word)
		}
	}
	return nil
}

// end reports an error unless only white space is left.
func (l *jsonLexer) end() error {
	_, err := l.next()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return err
	}
	return errors.New("data after the JSON value")
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
