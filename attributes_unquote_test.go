package conversations

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unquoteCases are JSON string literals, common and unusual.
var unquoteCases = []string{
	`""`,
	`"{}"`,
	`"{\"importance\":\"high\",\"n\":1}"`,
	`"{\"path\":\"a\/b\\\\c\",\"ws\":\"\b\f\n\r\t\"}"`,
	`"caf\u00e9 \u20AC \u0041"`,
	`"héllo wörld ✓"`,
	`"\ud83d\ude00 smile"`, // a surrogate pair: encoding/json's path
	`"\ud83d alone"`,       // a lone surrogate: U+FFFD, as encoding/json does
	"\"bad \xff utf-8\"",   // invalid UTF-8: U+FFFD, as encoding/json does
	"\"tab\there\"",        // a raw control character: an error
	`"bad \x escape"`,      // an error
	`"short \u12"`,         // an error
	`"\u12G4"`,             // an error
	`"unterminated \"`,     // an error
	`"quote " inside"`,     // an error
	`not a string`,         // an error
}

func TestUnquoteJSONMatchesEncodingJSON(t *testing.T) {
	for _, lit := range unquoteCases {
		var want string
		wantErr := json.Unmarshal([]byte(lit), &want)
		got, err := unquoteJSON([]byte(lit))
		if wantErr != nil {
			assert.Error(t, err, "%s", lit)
			continue
		}
		require.NoError(t, err, "%s", lit)
		assert.Equal(t, want, got, "%s", lit)
	}
	// The common forms take the fast path.
	for _, lit := range unquoteCases[:6] {
		_, ok := unquoteSimple([]byte(lit))
		assert.True(t, ok, "%s", lit)
	}
}

func TestAttributesUnmarshalAllocatesOnce(t *testing.T) {
	body := []byte(`"{\"importance\":\"high\",\"tags\":[\"a\",\"b\"]}"`)
	var a Attributes
	allocs := testing.AllocsPerRun(100, func() {
		if err := a.UnmarshalJSON(body); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, `{"importance":"high","tags":["a","b"]}`, a.String())
	assert.Equal(t, 1.0, allocs, "only the string itself")
}

func FuzzUnquoteJSON(f *testing.F) {
	for _, lit := range unquoteCases {
		f.Add([]byte(lit))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		var want string
		wantErr := json.Unmarshal(lit, &want)
		got, err := unquoteJSON(lit)
		if (wantErr == nil) != (err == nil) {
			t.Fatalf("%q: encoding/json error %v, unquoteJSON error %v", lit, wantErr, err)
		}
		if err == nil && got != want {
			t.Fatalf("%q: encoding/json %q, unquoteJSON %q", lit, want, got)
		}
	})
}
