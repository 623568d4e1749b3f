package conversations

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewAndParseAttributes(t *testing.T) {
	a, err := NewAttributes(struct {
		Topic    string `json:"topic"`
		Priority int    `json:"priority"`
	}{"billing", 2})
	require.NoError(t, err)
	assert.Equal(t, `{"topic":"billing","priority":2}`, a.String())
	assert.True(t, a.Valid())
	assert.False(t, a.IsZero())

	a, err = NewAttributes(json.RawMessage(` {"a": [1, 2]} `))
	require.NoError(t, err)
	assert.Equal(t, `{"a":[1,2]}`, a.String(), "raw JSON is compacted")
	_, err = NewAttributes(json.RawMessage(`{bad`))
	assert.ErrorIs(t, err, ErrInvalidAttributes)
	_, err = NewAttributes(func() {})
	assert.ErrorIs(t, err, ErrInvalidAttributes)

	a, err = ParseAttributes(`{ "role": "driver" }`)
	require.NoError(t, err)
	assert.Equal(t, `{ "role": "driver" }`, a.String(), "kept as given")
	for _, bad := range []string{"", "{", "role=driver", `{"a":}`, "{'a':1}"} {
		_, err = ParseAttributes(bad)
		assert.ErrorIs(t, err, ErrInvalidAttributes, "%q", bad)
	}
	var zero Attributes
	assert.True(t, zero.IsZero())
	assert.False(t, zero.Valid())
	assert.Equal(t, "", zero.String())
}

func TestAttributesDecode(t *testing.T) {
	type attrs struct {
		Role  string   `json:"role"`
		Tags  []string `json:"tags"`
		Level int      `json:"level"`
	}
	a, _ := ParseAttributes(`{"role":"driver","tags":["a","b"],"level":3}`)
	v, err := DecodeAttributes[attrs](a)
	require.NoError(t, err)
	assert.Equal(t, attrs{"driver", []string{"a", "b"}, 3}, v)

	var m map[string]any
	require.NoError(t, a.Decode(&m))
	assert.Equal(t, "driver", m["role"])

	// Unset attributes decode as {}.
	v, err = DecodeAttributes[attrs](Attributes{})
	require.NoError(t, err)
	assert.Zero(t, v)

	// Wrong shape, or invalid JSON received from Twilio.
	_, err = DecodeAttributes[[]int](a)
	assert.ErrorContains(t, err, "decoding attributes")
	_, err = DecodeAttributes[map[string]any](Attributes{raw: "not json"})
	assert.Error(t, err)
}

func TestAttributesMerge(t *testing.T) {
	base, _ := ParseAttributes(`{"topic":"billing","customer":{"id":7,"tier":"gold","tags":["a"]},"stale":true}`)
	for name, tc := range map[string]struct {
		patch any
		want  string
	}{
		"add":         {map[string]any{"priority": 1}, `{"topic":"billing","customer":{"id":7,"tier":"gold","tags":["a"]},"stale":true,"priority":1}`},
		"replace":     {map[string]any{"topic": "sales"}, `{"topic":"sales","customer":{"id":7,"tier":"gold","tags":["a"]},"stale":true}`},
		"nested":      {map[string]any{"customer": map[string]any{"tier": "platinum", "since": 2020}}, `{"topic":"billing","customer":{"id":7,"tier":"platinum","tags":["a"],"since":2020},"stale":true}`},
		"null delete": {json.RawMessage(`{"stale":null,"customer":{"tags":null}}`), `{"topic":"billing","customer":{"id":7,"tier":"gold"}}`},
		"array whole": {map[string]any{"customer": map[string]any{"tags": []string{"b"}}}, `{"topic":"billing","customer":{"id":7,"tier":"gold","tags":["b"]},"stale":true}`},
		"attributes":  {mustAttrs(t, `{"topic":null}`), `{"customer":{"id":7,"tier":"gold","tags":["a"]},"stale":true}`},
		"non-object":  {[]int{1}, `[1]`},
		"empty patch": {Attributes{}, `{"topic":"billing","customer":{"id":7,"tier":"gold","tags":["a"]},"stale":true}`},
	} {
		got, err := base.Merge(tc.patch)
		require.NoError(t, err, name)
		assert.JSONEq(t, tc.want, got.String(), name)
	}
	assert.Contains(t, base.String(), `"stale":true`, "the receiver is not modified")

	// Unset base: the patch without its nulls.
	got, err := Attributes{}.Merge(map[string]any{"a": 1, "b": nil})
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1}`, got.String())
	// A non-object base is replaced by an object patch.
	arr, _ := ParseAttributes(`[1,2]`)
	got, err = arr.Merge(map[string]any{"a": 1})
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1}`, got.String())

	_, err = Attributes{raw: "{bad"}.Merge(map[string]any{"a": 1})
	assert.ErrorIs(t, err, ErrInvalidAttributes)
	_, err = base.Merge(json.RawMessage(`{bad`))
	assert.ErrorIs(t, err, ErrInvalidAttributes)
	_, err = base.Merge(&Attributes{raw: "{bad"})
	assert.ErrorIs(t, err, ErrInvalidAttributes)
}

func mustAttrs(t *testing.T, s string) Attributes {
	t.Helper()
	a, err := ParseAttributes(s)
	require.NoError(t, err)
	return a
}

func TestAttributesJSON(t *testing.T) {
	type holder struct {
		Attributes Attributes `json:"attributes"`
	}
	var h holder
	require.NoError(t, json.Unmarshal([]byte(`{"attributes":"{ \"role\": \"driver\" }"}`), &h))
	assert.Equal(t, `{ "role": "driver" }`, h.Attributes.String(), "Twilio's string form")
	require.NoError(t, json.Unmarshal([]byte(`{"attributes":null}`), &h))
	assert.True(t, h.Attributes.IsZero())
	require.NoError(t, json.Unmarshal([]byte(`{"attributes":{"a":[1]}}`), &h))
	assert.Equal(t, `{"a":[1]}`, h.Attributes.String(), "a raw object")
	require.NoError(t, json.Unmarshal([]byte(`{"attributes":"not json"}`), &h))
	assert.Equal(t, "not json", h.Attributes.String(), "kept as received")
	assert.False(t, h.Attributes.Valid())
	assert.Error(t, json.Unmarshal([]byte(`{"attributes":"\x"}`), &h))
	assert.ErrorIs(t, h.Attributes.UnmarshalJSON([]byte(`{bad`)), ErrInvalidAttributes)

	b, err := json.Marshal(holder{mustAttrs(t, `{"a":1}`)})
	require.NoError(t, err)
	assert.Equal(t, `{"attributes":"{\"a\":1}"}`, string(b))
	b, err = json.Marshal(holder{})
	require.NoError(t, err)
	assert.Equal(t, `{"attributes":null}`, string(b))

	// Round trip.
	var back holder
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Attributes.IsZero())
}

func TestAttributesEncodeValues(t *testing.T) {
	v := url.Values{}
	require.NoError(t, mustAttrs(t, `{"a":1}`).EncodeValues("Attributes", &v))
	assert.Equal(t, `{"a":1}`, v.Get("Attributes"))
	v = url.Values{}
	require.NoError(t, Attributes{}.EncodeValues("Attributes", &v))
	assert.Empty(t, v, "unset attributes are not sent")
	err := Attributes{raw: "{bad"}.EncodeValues("Attributes", &v)
	assert.ErrorIs(t, err, ErrInvalidAttributes)
	assert.ErrorContains(t, err, "Attributes")
	assert.Empty(t, v)
}
