package conversations

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMessageMediaBounded(t *testing.T) {
	const conv, msg = "CH00000000000000000000000000000001", "IM00000000000000000000000000000001"
	for _, tc := range []struct {
		name, media string
		want        MessageMediaList
		wantErr     string
	}{
		{"absent", "", nil, ""},
		{"null", `"media":null,`, nil, ""},
		{"two", `"media":[{"sid":"ME1","size":3,"content_type":"image/png","filename":"a.png"},{"sid":"ME2"}],`,
			MessageMediaList{{SID: "ME1", Size: 3, ContentType: "image/png", Filename: "a.png"}, {SID: "ME2"}}, ""},
		{"exactly the cap", `"media":[` + strings.Repeat(`{},`, MaxNestedItems-1) + `{}],`, make(MessageMediaList, MaxNestedItems), ""},
		{"over the cap", `"media":[` + strings.Repeat(`{},`, MaxNestedItems) + `{}],`, nil, "more than 1000 values"},
		{"not an array", `"media":{"sid":"ME1"},`, nil, "expected an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newTestClient(t)
			mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations/"+conv+"/Messages/"+msg,
				func(*http.Request) (*http.Response, error) {
					resp := httpmock.NewStringResponse(200, `{"sid":"`+msg+`",`+tc.media+`"body":"hi","index":4,"attributes":"{\"a\":1}"}`)
					resp.Header.Set("Content-Type", "application/json")
					return resp, nil
				})
			m, err := c.Messages.Fetch(context.Background(), conv, msg)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				if tc.name == "over the cap" {
					assert.ErrorIs(t, err, ErrResponseTooLarge)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.Media)
			assert.Equal(t, msg, m.SID, "the other fields decode as before")
			assert.Equal(t, "hi", m.Body)
			assert.Equal(t, 4, m.Index)
			assert.JSONEq(t, `{"a":1}`, m.Attributes.String())
		})
	}
}
