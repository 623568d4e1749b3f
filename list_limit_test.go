package conversations

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveSizedPages serves GET /v1/Conversations as a list of total
// conversations, paged as Twilio pages them: PageSize from the query (50 when
// absent), the page from PageToken. It returns the queries of the requests.
func serveSizedPages(t *testing.T, mt *httpmock.MockTransport, total int) *[]string {
	t.Helper()
	var queries []string
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations", func(req *http.Request) (*http.Response, error) {
		queries = append(queries, req.URL.RawQuery)
		q := req.URL.Query()
		size := 50
		if ps := q.Get("PageSize"); ps != "" {
			size, _ = strconv.Atoi(ps)
		}
		page, _ := strconv.Atoi(strings.TrimPrefix(q.Get("PageToken"), "PT"))
		var b strings.Builder
		b.WriteString(`{"conversations":[`)
		for i := page * size; i < min(total, (page+1)*size); i++ {
			if i > page*size {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"sid":"CH%03d"}`, i)
		}
		next := "null"
		if (page+1)*size < total {
			next = strconv.Quote(fmt.Sprintf("%s/v1/Conversations?PageSize=%d&Page=%d&PageToken=PT%d", apiBase, size, page+1, page+1))
		}
		fmt.Fprintf(&b, `],"meta":{"page":%d,"page_size":%d,"key":"conversations","next_page_url":%s}}`, page, size, next)
		resp := httpmock.NewStringResponse(http.StatusOK, b.String())
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return &queries
}

// A limit stops the list: no request for a page beyond it, and the page size
// is derived from the limit when none is set.
func TestListLimitRequestCounts(t *testing.T) {
	for _, tc := range []struct {
		name           string
		params         ConversationListParams
		total, wantLen int
		wantQueries    []string
	}{
		{"limit below a page, page size from the limit", ConversationListParams{Limit: 20}, 200, 20,
			[]string{"PageSize=20"}},
		{"limit below the page size asked for", ConversationListParams{Limit: 20, PageSize: 50}, 200, 20,
			[]string{"PageSize=50"}},
		{"limit at a page", ConversationListParams{Limit: 50, PageSize: 50}, 200, 50,
			[]string{"PageSize=50"}},
		{"limit above a page", ConversationListParams{Limit: 60, PageSize: 50}, 200, 60,
			[]string{"PageSize=50", "PageSize=50&Page=1&PageToken=PT1"}},
		{"limit of two pages exactly", ConversationListParams{Limit: 100, PageSize: 50}, 200, 100,
			[]string{"PageSize=50", "PageSize=50&Page=1&PageToken=PT1"}},
		{"limit above the list's maximum page size", ConversationListParams{Limit: 250}, 300, 250,
			[]string{"PageSize=100", "PageSize=100&Page=1&PageToken=PT1", "PageSize=100&Page=2&PageToken=PT2"}},
		{"limit above the list's length", ConversationListParams{Limit: 30}, 7, 7,
			[]string{"PageSize=30"}},
		{"no limit reads every page", ConversationListParams{PageSize: 50}, 120, 120,
			[]string{"PageSize=50", "PageSize=50&Page=1&PageToken=PT1", "PageSize=50&Page=2&PageToken=PT2"}},
		{"filters and limit", ConversationListParams{State: StateActive, Limit: 5}, 200, 5,
			[]string{"PageSize=5&State=active"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newTestClient(t)
			queries := serveSizedPages(t, mt, tc.total)
			var sids []string
			for conv, err := range c.Conversations.List(context.Background(), &tc.params) {
				require.NoError(t, err)
				sids = append(sids, conv.SID)
			}
			assert.Len(t, sids, tc.wantLen)
			assert.Equal(t, "CH000", sids[0])
			assert.Equal(t, fmt.Sprintf("CH%03d", tc.wantLen-1), sids[len(sids)-1])
			assert.Equal(t, tc.wantQueries, *queries)
		})
	}
}

// The Pager honours the limit too: the page that reaches it is cut, and the
// pager reports no more pages.
func TestPagerLimit(t *testing.T) {
	c, mt := newTestClient(t)
	queries := serveSizedPages(t, mt, 200)
	p := c.Conversations.Pager(&ConversationListParams{PageSize: 50, Limit: 70})
	first, err := p.Next(context.Background())
	require.NoError(t, err)
	assert.Len(t, first.Items, 50)
	assert.True(t, p.More())
	second, err := p.Next(context.Background())
	require.NoError(t, err)
	assert.Len(t, second.Items, 20)
	assert.Equal(t, "CH069", second.Items[19].SID)
	assert.False(t, p.More())
	assert.Empty(t, p.NextPageURL())
	_, err = p.Next(context.Background())
	assert.ErrorIs(t, err, ErrNoMorePages)
	assert.Len(t, *queries, 2)
}

// Every list, with filters or not, takes the same Limit.
func TestEveryListTakesALimit(t *testing.T) {
	c, mt := newTestClient(t)
	queries := serveSizedPages(t, mt, 10)
	n := 0
	for range c.Conversations.List(context.Background(), &ConversationListParams{Limit: 3}) {
		n++
	}
	assert.Equal(t, 3, n)
	assert.Equal(t, []string{"PageSize=3"}, *queries)

	for _, p := range []any{ListParams{}, ConversationListParams{}, MessageListParams{}, AddressListParams{},
		BindingListParams{}, ParticipantConversationListParams{}} {
		n, err := listLimit(p)
		assert.NoError(t, err)
		assert.Zero(t, n)
	}
	for _, p := range []any{&ListParams{Limit: 4}, &ConversationListParams{Limit: 4}, &MessageListParams{Limit: 4},
		&AddressListParams{Limit: 4}, &BindingListParams{Limit: 4}, &ParticipantConversationListParams{Limit: 4}} {
		n, err := listLimit(p)
		assert.NoError(t, err, "%T", p)
		assert.Equal(t, 4, n, "%T", p)
	}
}

func TestNegativeLimitSendsNothing(t *testing.T) {
	c, mt := newTestClient(t)
	for _, err := range c.Conversations.List(context.Background(), &ConversationListParams{Limit: -1}) {
		assert.ErrorContains(t, err, "invalid Limit -1")
	}
	for _, err := range c.Users.List(context.Background(), &ListParams{Limit: -5}) {
		assert.ErrorContains(t, err, "invalid Limit -5")
	}
	assert.Zero(t, mt.GetTotalCallCount())
}
