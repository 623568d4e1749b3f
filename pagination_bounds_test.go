package conversations

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// servePage answers GET /v1/Conversations with body.
func servePage(mt *httpmock.MockTransport, body func(n int) string) *int {
	n := 0
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations", func(*http.Request) (*http.Response, error) {
		n++
		resp := httpmock.NewStringResponse(http.StatusOK, body(n))
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return &n
}

func TestListItemsField(t *testing.T) {
	for _, tc := range []struct {
		name, items string
		want        int
		wantErr     string
	}{
		{"null", "null", 0, ""},
		{"empty", "[]", 0, ""},
		{"two", `[{"sid":"CH1"},{"sid":"CH2"}]`, 2, ""},
		{"object", `{"sid":"CH1"}`, 0, `field "conversations" is not an array`},
		{"string", `"x"`, 0, `field "conversations" is not an array`},
		{"bad item", `[{"sid":1}]`, 0, "decoding response"},
		{"cap", "[" + strings.Repeat(`{"sid":"CH1"},`, MaxItemsPerPage) + `{}]`, 0, "more than 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newTestClient(t)
			servePage(mt, func(int) string {
				return `{"conversations":` + tc.items + `,"meta":{"page":0,"page_size":50,"key":"conversations","next_page_url":null}}`
			})
			page, err := c.Conversations.Pager(nil).Next(context.Background())
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Len(t, page.Items, tc.want)
		})
	}
}

func TestPageItemCapExact(t *testing.T) {
	c, mt := newTestClient(t)
	n := servePage(mt, func(int) string {
		return `{"conversations":[` + strings.Repeat(`{},`, MaxItemsPerPage) + `{}],"meta":{"key":"conversations","next_page_url":"` + apiBase + `/v1/Conversations?PageToken=PT1"}}`
	})
	var err error
	items := 0
	for _, e := range c.Conversations.List(context.Background(), nil) {
		if e != nil {
			err = e
			break
		}
		items++
	}
	require.ErrorIs(t, err, ErrPageTooLarge)
	var re *RequestError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, 200, re.Status)
	assert.Equal(t, 0, items)
	assert.Equal(t, 1, *n, "a page over the cap is not asked for again")
}

func TestEmptyPagesBound(t *testing.T) {
	c, mt := newTestClient(t)
	n := servePage(mt, func(i int) string {
		return fmt.Sprintf(`{"conversations":[],"meta":{"key":"conversations","next_page_url":"%s/v1/Conversations?PageToken=PT%d"}}`, apiBase, i)
	})
	p := c.Conversations.Pager(nil)
	var err error
	for i := 0; i < MaxEmptyPages; i++ {
		require.True(t, p.More())
		_, err = p.Next(context.Background())
		if i < MaxEmptyPages-1 {
			require.NoError(t, err, "page %d", i)
		}
	}
	require.ErrorIs(t, err, ErrEmptyPages)
	assert.False(t, p.More())
	assert.Equal(t, MaxEmptyPages, *n)

	// Resume counts afresh.
	require.NoError(t, p.Resume(apiBase+"/v1/Conversations?PageToken=PTx"))
	for i := 0; i < MaxEmptyPages-1; i++ {
		_, err = p.Next(context.Background())
		require.NoError(t, err)
	}
	_, err = p.Next(context.Background())
	require.ErrorIs(t, err, ErrEmptyPages)
}
