package conversations

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listServer serves GET /v1/Conversations as pages of perPage conversations
// with SIDs CH000, CH001, ...: page i is asked for with PageToken=PT<i> (none
// for page 0), and next is called to give each page's next_page_url (""
// for the last page). It records the query of every request.
type listServer struct {
	n       atomic.Int32
	queries []string
}

func serveConversationPages(t *testing.T, mt *httpmock.MockTransport, pages, perPage int, next func(i int) string) *listServer {
	t.Helper()
	ls := &listServer{}
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations", func(req *http.Request) (*http.Response, error) {
		ls.n.Add(1)
		ls.queries = append(ls.queries, req.URL.RawQuery)
		user, pass, _ := req.BasicAuth()
		assert.Equal(t, testAccountSID+":"+testAuthToken, user+":"+pass)
		i := 0
		if tok := req.URL.Query().Get("PageToken"); tok != "" {
			i, _ = strconv.Atoi(strings.TrimPrefix(tok, "PT"))
		}
		if i >= pages {
			t.Errorf("page %d requested; only %d exist", i, pages)
			return httpmock.NewStringResponse(http.StatusNotFound, `{"code":20404,"message":"no page","status":404}`), nil
		}
		var b strings.Builder
		b.WriteString(`{"conversations":[`)
		for j := 0; j < perPage; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"sid":"CH%03d","friendly_name":"conversation %d","state":"active"}`, i*perPage+j, i*perPage+j)
		}
		nu := "null"
		if u := next(i); u != "" {
			nu = strconv.Quote(u)
		}
		fmt.Fprintf(&b, `],"meta":{"page":%d,"page_size":%d,"key":"conversations","url":"%s/v1/Conversations?Page=%d","next_page_url":%s}}`, i, perPage, apiBase, i, nu)
		resp := httpmock.NewStringResponse(http.StatusOK, b.String())
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return ls
}

// linear gives next_page_url for a list of the given number of pages.
func linear(pages int) func(int) string {
	return func(i int) string {
		if i+1 >= pages {
			return ""
		}
		return fmt.Sprintf("%s/v1/Conversations?PageSize=2&Page=%d&PageToken=PT%d", apiBase, i+1, i+1)
	}
}

func TestListThreePagesDecodedCompletely(t *testing.T) {
	c, mt := newTestClient(t)
	ls := serveConversationPages(t, mt, 3, 2, linear(3))
	var sids []string
	for conv, err := range c.Conversations.List(context.Background(), &ConversationListParams{PageSize: 2}) {
		require.NoError(t, err)
		assert.Equal(t, StateActive, conv.State)
		sids = append(sids, conv.SID)
	}
	assert.Equal(t, []string{"CH000", "CH001", "CH002", "CH003", "CH004", "CH005"}, sids)
	assert.EqualValues(t, 3, ls.n.Load())
	assert.Equal(t, []string{"PageSize=2", "PageSize=2&Page=1&PageToken=PT1", "PageSize=2&Page=2&PageToken=PT2"}, ls.queries,
		"next_page_url is followed exactly as given")
}

func TestListIsLazyAndRestartable(t *testing.T) {
	c, mt := newTestClient(t)
	ls := serveConversationPages(t, mt, 2, 2, linear(2))
	seq := c.Conversations.List(context.Background(), nil)
	assert.Zero(t, mt.GetTotalCallCount(), "List must not fetch before the loop")
	require.NoError(t, drain(seq))
	assert.EqualValues(t, 2, ls.n.Load())
	// Ranging again starts the list afresh.
	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 4, n)
	assert.EqualValues(t, 4, ls.n.Load())
}

func TestListBreakStopsFetching(t *testing.T) {
	c, mt := newTestClient(t)
	ls := serveConversationPages(t, mt, 5, 2, linear(5))
	n := 0
	for _, err := range c.Conversations.List(context.Background(), nil) {
		require.NoError(t, err)
		n++
		if n == 3 { // the first item of page 2
			break
		}
	}
	assert.EqualValues(t, 2, ls.n.Load(), "no page fetched after break")

	// Breaking at a page's last item does not fetch the next page either.
	ls.n.Store(0)
	n = 0
	for range c.Conversations.List(context.Background(), nil) {
		n++
		if n == 2 {
			break
		}
	}
	assert.EqualValues(t, 1, ls.n.Load())
}

func TestListErrorYieldedOnceThenStops(t *testing.T) {
	c, mt := newTestClient(t)
	var n atomic.Int32
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations", func(req *http.Request) (*http.Response, error) {
		if n.Add(1) == 1 {
			return httpmock.NewStringResponse(http.StatusOK, `{"conversations":[{"sid":"CH1"}],"meta":{"key":"conversations","next_page_url":"`+apiBase+`/v1/Conversations?PageToken=PT1"}}`), nil
		}
		return httpmock.NewStringResponse(http.StatusForbidden, `{"code":20003,"message":"Authenticate","status":403}`), nil
	})
	var items, errs int
	for conv, err := range c.Conversations.List(context.Background(), nil) {
		if err != nil {
			errs++
			assert.Nil(t, conv)
			assert.True(t, HasCode(err, CodeAuthenticationFailed))
			continue // the iterator must stop by itself
		}
		items++
	}
	assert.Equal(t, 1, items)
	assert.Equal(t, 1, errs, "the error is yielded once")
	assert.EqualValues(t, 2, n.Load())
}

func TestListCopiesParams(t *testing.T) {
	c, mt := newTestClient(t)
	ls := serveConversationPages(t, mt, 1, 1, linear(1))
	params := &ConversationListParams{State: StateClosed, PageSize: 7}
	seq := c.Conversations.List(context.Background(), params)
	params.State, params.PageSize = StateActive, 99
	require.NoError(t, drain(seq))
	assert.Equal(t, []string{"PageSize=7&State=closed"}, ls.queries)

	pager := c.Conversations.Pager(params)
	params.PageSize = 1
	_, err := pager.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "PageSize=99&State=active", ls.queries[1])
}

func TestPageSizeClampedToListMaximum(t *testing.T) {
	c, mt := newTestClient(t)
	var got []string
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		got = append(got, req.URL.Path+"?"+req.URL.RawQuery)
		return httpmock.NewStringResponse(http.StatusOK, `{"meta":{}}`), nil
	})
	ctx := context.Background()
	require.NoError(t, drain(c.Conversations.List(ctx, &ConversationListParams{PageSize: 101})))
	require.NoError(t, drain(c.Participants.List(ctx, convSID, &ListParams{PageSize: 1000})))
	require.NoError(t, drain(c.Messages.List(ctx, convSID, &MessageListParams{PageSize: 5000})))
	require.NoError(t, drain(c.Services.List(ctx, &ListParams{PageSize: 100})))
	require.NoError(t, drain(c.Messages.List(ctx, convSID, &MessageListParams{PageSize: 1})))
	assert.Equal(t, []string{
		"/v1/Conversations?PageSize=100",
		"/v1/Conversations/" + convSID + "/Participants?PageSize=100",
		"/v1/Conversations/" + convSID + "/Messages?PageSize=100",
		"/v1/Services?PageSize=100",
		"/v1/Conversations/" + convSID + "/Messages?PageSize=1",
	}, got)

	// A smaller maximum, as conversation-scoped webhooks have (5).
	p := newPager[Conversation]((*service)(c.Conversations), "Conversations", "conversations", 5, &ListParams{PageSize: 50})
	assert.Contains(t, p.NextPageURL(), "PageSize=5")

	// A negative PageSize is an error, with no request.
	before := len(got)
	err := drain(c.Conversations.List(ctx, &ConversationListParams{PageSize: -1}))
	assert.ErrorContains(t, err, "PageSize")
	assert.Len(t, got, before)
}

func TestListRefusesForeignPageURL(t *testing.T) {
	for name, foreign := range map[string]string{
		"other host":     "https://evil.example.com/v1/Conversations?PageToken=PT1",
		"other port":     "https://conversations.twilio.com:8443/v1/Conversations?PageToken=PT1",
		"http downgrade": "http://conversations.twilio.com/v1/Conversations?PageToken=PT1",
		"userinfo":       "https://user:pw@conversations.twilio.com/v1/Conversations?PageToken=PT1",
		"lookalike":      "https://conversations.twilio.com.evil.example.com/v1/Conversations",
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t)
			ls := serveConversationPages(t, mt, 1, 2, func(int) string { return foreign })
			var elsewhere []string
			mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				elsewhere = append(elsewhere, req.URL.String()+" auth="+req.Header.Get("Authorization"))
				return httpmock.NewStringResponse(http.StatusOK, `{"conversations":[],"meta":{}}`), nil
			})
			var items int
			var last error
			for _, err := range c.Conversations.List(context.Background(), nil) {
				if err != nil {
					last = err
					continue
				}
				items++
			}
			assert.Equal(t, 2, items, "the first page's items are yielded")
			assert.ErrorIs(t, last, ErrForeignPageURL)
			assert.EqualValues(t, 1, ls.n.Load())
			assert.Empty(t, elsewhere, "no request (and no credentials) may go to another host")
		})
	}
}

func TestListDetectsPageLoops(t *testing.T) {
	u := func(i int) string { return fmt.Sprintf("%s/v1/Conversations?PageToken=PT%d", apiBase, i) }
	for name, tc := range map[string]struct {
		pages int
		next  func(int) string
	}{
		"A to A": {1, func(int) string { return apiBase + "/v1/Conversations" }},
		"A to B to A": {2, func(i int) string {
			if i == 0 {
				return u(1)
			}
			return apiBase + "/v1/Conversations"
		}},
		"B to B":     {2, func(int) string { return u(1) }},
		"long cycle": {40, func(i int) string { return u((i + 1) % 40) }},
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newTestClient(t)
			// Page 0 is served for PT0 too, so the cycle returns to the first URL's content.
			ls := serveConversationPages(t, mt, tc.pages, 1, tc.next)
			var last error
			items := 0
			for _, err := range c.Conversations.List(context.Background(), nil) {
				if err != nil {
					last = err
					continue
				}
				items++
				require.Less(t, items, 1000, "the loop was not detected")
			}
			assert.ErrorIs(t, last, ErrPageLoop)
			assert.LessOrEqual(t, int(ls.n.Load()), 4*tc.pages+32, "detected within a bounded number of pages")
		})
	}
}

func TestPager(t *testing.T) {
	c, mt := newTestClient(t)
	ls := serveConversationPages(t, mt, 3, 2, linear(3))
	ctx := context.Background()
	p := c.Conversations.Pager(&ConversationListParams{PageSize: 2})
	assert.True(t, p.More())
	assert.Equal(t, apiBase+"/v1/Conversations?PageSize=2", p.NextPageURL())
	assert.Zero(t, ls.n.Load(), "Pager must not fetch before Next")

	page, err := p.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "CH000", page.Items[0].SID)
	assert.Equal(t, 0, page.Meta.Page)
	assert.Equal(t, page.Meta, p.Meta())
	saved := p.NextPageURL()
	assert.Equal(t, linear(3)(0), saved)

	page, err = p.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, p.Meta().Page)
	assert.Equal(t, "CH002", page.Items[0].SID)
	page, err = p.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "CH004", page.Items[0].SID)
	assert.False(t, p.More())
	assert.Empty(t, p.NextPageURL())
	_, err = p.Next(ctx)
	assert.ErrorIs(t, err, ErrNoMorePages)
	assert.EqualValues(t, 3, ls.n.Load())

	// Resume from the saved URL in a new pager.
	p2 := c.Conversations.Pager(nil)
	require.NoError(t, p2.Resume(saved))
	page, err = p2.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "CH002", page.Items[0].SID)
	var rest []string
	for conv, err := range p2.All(ctx) {
		require.NoError(t, err)
		rest = append(rest, conv.SID)
	}
	assert.Equal(t, []string{"CH004", "CH005"}, rest)

	// Resume refuses another host, with no request.
	before := mt.GetTotalCallCount()
	assert.ErrorIs(t, p2.Resume("https://evil.example.com/v1/Conversations?PageToken=PT1"), ErrForeignPageURL)
	assert.ErrorIs(t, p2.Resume("://bad"), ErrForeignPageURL)
	assert.False(t, p2.More())
	assert.Equal(t, before, mt.GetTotalCallCount())
}

func TestPagerReportsSetupErrorOnce(t *testing.T) {
	c, mt := newTestClient(t)
	p := c.Participants.Pager("", nil)
	assert.True(t, p.More(), "an error is still to be reported")
	_, err := p.Next(context.Background())
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.False(t, p.More())
	_, err = p.Next(context.Background())
	assert.ErrorIs(t, err, ErrNoMorePages)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestListRejectsNonObjectPage(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations", httpmock.NewStringResponder(http.StatusOK, `[1,2]`))
	err := drain(c.Conversations.List(context.Background(), nil))
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusOK, re.Status)
	assert.ErrorContains(t, err, "not a JSON object")
}

// flakyPages serves the pages of serveConversationPages, but fails the
// request for page failPage with 503 the first time it is asked for.
func flakyPages(t *testing.T, mt *httpmock.MockTransport, pages, perPage, failPage int) *atomic.Int32 {
	t.Helper()
	inner := httpmock.NewMockTransport()
	serveConversationPages(t, inner, pages, perPage, linear(pages))
	var failed atomic.Int32
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Conversations", func(req *http.Request) (*http.Response, error) {
		i := 0
		if tok := req.URL.Query().Get("PageToken"); tok != "" {
			i, _ = strconv.Atoi(strings.TrimPrefix(tok, "PT"))
		}
		if i == failPage && failed.Add(1) == 1 {
			return httpmock.NewStringResponse(http.StatusServiceUnavailable, `{"code":20503,"message":"down","status":503}`), nil
		}
		return inner.RoundTrip(req)
	})
	return &failed
}

func TestPagerNextRetriedAfterTransientFailure(t *testing.T) {
	c, mt := newTestClient(t) // NoRetries: the 503 reaches the caller
	flakyPages(t, mt, 3, 2, 1)
	ctx := context.Background()
	p := c.Conversations.Pager(&ConversationListParams{PageSize: 2})
	_, err := p.Next(ctx)
	require.NoError(t, err)
	want := p.NextPageURL()

	_, err = p.Next(ctx)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.Status)
	assert.True(t, p.More(), "the failed page can be asked for again")
	assert.Equal(t, want, p.NextPageURL(), "the failed page's URL is kept")

	var sids []string
	for p.More() {
		page, err := p.Next(ctx)
		require.NoError(t, err)
		for _, conv := range page.Items {
			sids = append(sids, conv.SID)
		}
	}
	assert.Equal(t, []string{"CH002", "CH003", "CH004", "CH005"}, sids)
	_, err = p.Next(ctx)
	assert.ErrorIs(t, err, ErrNoMorePages)
}

func TestPagerResumeAfterFailure(t *testing.T) {
	c, mt := newTestClient(t)
	flakyPages(t, mt, 3, 2, 1)
	ctx := context.Background()
	p := c.Conversations.Pager(&ConversationListParams{PageSize: 2})
	_, err := p.Next(ctx)
	require.NoError(t, err)
	saved := p.NextPageURL()
	_, err = p.Next(ctx)
	require.Error(t, err)

	require.NoError(t, p.Resume(saved))
	page, err := p.Next(ctx)
	require.NoError(t, err, "a page that failed was never fetched: it is no loop")
	assert.Equal(t, "CH002", page.Items[0].SID)

	// Resume starts afresh: a page already read may be read again.
	require.NoError(t, p.Resume(saved))
	page, err = p.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "CH002", page.Items[0].SID)
	page, err = p.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "CH004", page.Items[0].SID)
	assert.False(t, p.More())
}

func TestPagerAllStopsAtTheFirstError(t *testing.T) {
	c, mt := newTestClient(t)
	failed := flakyPages(t, mt, 3, 2, 1)
	p := c.Conversations.Pager(&ConversationListParams{PageSize: 2})
	var sids []string
	errs := 0
	for conv, err := range p.All(context.Background()) {
		if err != nil {
			errs++
			continue // the iterator must stop by itself
		}
		sids = append(sids, conv.SID)
	}
	assert.Equal(t, 1, errs)
	assert.Equal(t, []string{"CH000", "CH001"}, sids)
	assert.EqualValues(t, 1, failed.Load(), "page 1 was asked for once")
	assert.True(t, p.More(), "the caller may go on with the same pager")
	for conv, err := range p.All(context.Background()) {
		require.NoError(t, err)
		sids = append(sids, conv.SID)
	}
	assert.Equal(t, []string{"CH000", "CH001", "CH002", "CH003", "CH004", "CH005"}, sids)
}
