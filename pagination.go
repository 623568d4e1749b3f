package conversations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
)

// Meta is the paging information of one page of a list.
type Meta struct {
	Page            int    `json:"page"`
	PageSize        int    `json:"page_size"`
	FirstPageURL    string `json:"first_page_url"`
	PreviousPageURL string `json:"previous_page_url"`
	URL             string `json:"url"`
	NextPageURL     string `json:"next_page_url"`
	Key             string `json:"key"`
}

// Page is one page of a list: its items and its paging information.
type Page[T any] struct {
	Items []T
	Meta  Meta
}

// ErrNoMorePages is returned by [Pager.Next] after the last page.
var ErrNoMorePages = errors.New("conversations: no more pages")

// ErrPageLoop is returned (wrapped) when the API hands back a next-page URL
// that was already fetched: the list stops instead of looping.
var ErrPageLoop = errors.New("conversations: page loop")

// ErrForeignPageURL is returned (wrapped) when a next-page URL points at a
// host other than the configured API host: it is not followed, and
// credentials are never sent there.
var ErrForeignPageURL = errors.New("conversations: next page URL is not on the API host")

// MaxEmptyPages is how many pages in a row may arrive with no items and a
// next-page URL before a list stops with [ErrEmptyPages].
const MaxEmptyPages = 10

// ErrEmptyPages is returned (wrapped) when [MaxEmptyPages] pages in a row
// arrive with no items but a next-page URL: each URL may be new (so
// [ErrPageLoop] does not apply), yet a list that yields nothing would
// otherwise be followed until the context ends.
var ErrEmptyPages = errors.New("conversations: too many empty pages in a row")

// MaxItemsPerPage is the most items a page may hold: ten times the largest
// PageSize the API allows (100). The byte cap on a response does not bound
// its decoded size (a 3 MB page of {} items would decode into a million
// values), so a page with more items is refused with [ErrPageTooLarge].
const MaxItemsPerPage = 1000

// ErrPageTooLarge is returned (wrapped) when a page holds more than
// [MaxItemsPerPage] items. Decoding stops at the limit.
var ErrPageTooLarge = errors.New("conversations: page holds too many items")

// Pager reads a list one page at a time, for cursor-style UIs:
//
//	p := client.Conversations.Pager(&conversations.ConversationListParams{PageSize: 50})
//	for p.More() {
//		page, err := p.Next(ctx)
//		if err != nil {
//			return err // or retry: p.Next(ctx) asks for the same page again
//		}
//		...
//	}
//
// A Pager is not safe for concurrent use.
type Pager[T any] struct {
	core    *core
	key     string
	next    string // the URL of the next page; "" when done
	err     error  // an error found before the first request
	started bool
	meta    Meta
	seen    loopGuard
	limit   int // the most items to return; 0 for no limit
	count   int // the items returned so far
	empty   int // pages in a row with no items and a next page
	// For telemetry: the list's path template and scope, and the pages
	// requested so far.
	tmpl   string
	scoped bool
	pages  int
}

// newPager prepares a list: it copies params (encoded now, so later changes
// to them do not matter), takes their Limit, derives PageSize from it when
// unset, clamps PageSize to maxPageSize, and builds the first page's URL.
// Errors surface on the first Next.
func newPager[T any](s *service, tmpl, key string, maxPageSize int, params any, args ...string) *Pager[T] {
	p := &Pager[T]{core: s.core, key: key, tmpl: tmpl, scoped: s.prefix != ""}
	path, err := s.endpoint(tmpl, args...)
	if err != nil {
		p.err = err
		return p
	}
	vals, _, err := encodeParams(params)
	if err == nil {
		p.limit, err = listLimit(params)
	}
	if err != nil {
		p.err = err
		return p
	}
	if vals.Get("PageSize") == "" && p.limit > 0 {
		if vals == nil {
			vals = url.Values{}
		}
		vals.Set("PageSize", strconv.Itoa(p.limit))
	}
	if ps := vals.Get("PageSize"); ps != "" {
		n, err := strconv.Atoi(ps)
		switch {
		case err != nil || n < 0:
			p.err = fmt.Errorf("conversations: invalid PageSize %q", ps)
			return p
		case n > maxPageSize:
			vals.Set("PageSize", strconv.Itoa(maxPageSize))
		}
	}
	p.next = s.core.baseURL + path
	if len(vals) > 0 {
		p.next += "?" + vals.Encode()
	}
	return p
}

// More reports whether there is another page to fetch (or an error to report).
func (p *Pager[T]) More() bool { return p.err != nil || p.next != "" }

// Meta returns the paging information of the last page fetched.
func (p *Pager[T]) Meta() Meta { return p.meta }

// NextPageURL returns the URL of the next page, or "" after the last page.
// Save it to resume a list later with [Pager.Resume].
func (p *Pager[T]) NextPageURL() string { return p.next }

// Resume makes the pager continue from a next-page URL saved earlier from
// [Pager.NextPageURL] or [Meta.NextPageURL]. The URL must be on the API host.
// Loop detection starts afresh from there.
func (p *Pager[T]) Resume(nextPageURL string) error {
	if err := p.core.checkPageURL(nextPageURL); err != nil {
		return err
	}
	p.next, p.err = nextPageURL, nil
	p.seen = loopGuard{} // a page read before may be read again
	p.empty = 0
	return nil
}

// Next fetches the next page. After the last page it returns ErrNoMorePages.
// When the request fails (after the retries of the [RetryPolicy]), the pager
// stays on the same page: More still reports true, and Next can be called
// again, for instance after a 429 or 503, to try it again. A next-page URL on
// another host, a page loop, [MaxEmptyPages] empty pages in a row, a page
// over [MaxItemsPerPage] or an error in the list's parameters ends the list.
func (p *Pager[T]) Next(ctx context.Context) (*Page[T], error) {
	if p.err != nil { // the list's parameters were refused
		err := p.err
		p.err, p.next = nil, ""
		p.core.failed(ctx, http.MethodGet, p.scoped, p.tmpl)
		return nil, err
	}
	if p.next == "" {
		return nil, ErrNoMorePages
	}
	if p.started {
		if err := p.core.checkPageURL(p.next); err != nil {
			p.next = ""
			return nil, err
		}
	}
	h := hashURL(p.next)
	if p.seen.contains(h) {
		u := p.next
		p.next = ""
		return nil, fmt.Errorf("%w: %s was already fetched", ErrPageLoop, withQueryKeys(pathOf(u)))
	}
	p.started = true
	page := &listPage[T]{key: p.key}
	p.pages++
	r := &request{method: http.MethodGet, url: p.next, tmpl: p.tmpl, scoped: p.scoped, page: p.pages}
	if err := p.core.doRequest(ctx, r, page); err != nil {
		if errors.Is(err, ErrPageTooLarge) {
			p.next = "" // asking again would get the same page
		}
		// Otherwise p.next stays: the same page can be asked for again.
		return nil, err
	}
	p.seen.add(h) // only a page that arrived counts as fetched
	p.meta = page.meta
	p.next = page.meta.NextPageURL
	if len(page.items) > 0 || p.next == "" {
		p.empty = 0
	} else if p.empty++; p.empty >= MaxEmptyPages {
		p.next = ""
		return nil, fmt.Errorf("%w: %d pages with no items, each with a next page", ErrEmptyPages, p.empty)
	}
	if p.limit > 0 {
		if rest := p.limit - p.count; len(page.items) >= rest {
			page.items, p.next = page.items[:rest], "" // the limit is reached: no request for a further page
		}
		p.count += len(page.items)
	}
	return &Page[T]{Items: page.items, Meta: page.meta}, nil
}

// listLimit returns the Limit field of a list's params (nil: no limit).
func listLimit(params any) (int, error) {
	v := reflect.ValueOf(params)
	if !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
		return 0, nil
	}
	f := reflect.Indirect(v).FieldByName("Limit")
	if !f.IsValid() || !f.CanInt() {
		return 0, nil
	}
	if f.Int() < 0 {
		return 0, fmt.Errorf("conversations: invalid Limit %d: negative", f.Int())
	}
	return int(f.Int()), nil
}

// All returns an iterator over every item of the remaining pages, fetched
// lazily one page at a time. It yields (nil, err) once on an error and stops;
// after a failed request, ranging over All again goes on from the page that
// failed. Breaking out of the loop stops fetching.
func (p *Pager[T]) All(ctx context.Context) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for p.More() {
			page, err := p.Next(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Items {
				if !yield(&page.Items[i], nil) {
					return
				}
			}
		}
	}
}

// listAll is the iterator behind every List method. Each range over it starts
// the list afresh.
func listAll[T any](ctx context.Context, s *service, tmpl, key string, maxPageSize int, params any, args ...string) iter.Seq2[*T, error] {
	first := newPager[T](s, tmpl, key, maxPageSize, params, args...)
	return func(yield func(*T, error) bool) {
		p := *first
		p.All(ctx)(yield)
	}
}

// checkPageURL accepts only URLs on the API's scheme and host.
func (c *core) checkPageURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrForeignPageURL, err)
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host || u.User != nil {
		return fmt.Errorf("%w: %s://%s", ErrForeignPageURL, u.Scheme, u.Host)
	}
	return nil
}

// listPage decodes a list response {"<key>": [...], "meta": {...}} straight
// from the stream, without decoding twice.
type listPage[T any] struct {
	key   string
	items []T
	meta  Meta
}

func (lp *listPage[T]) itemCount() int { return len(lp.items) }

func (lp *listPage[T]) decodeJSON(dec *json.Decoder) error {
	if tok, err := dec.Token(); err != nil {
		return err
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("list response is not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch k, _ := tok.(string); k {
		case lp.key:
			err = lp.decodeItems(dec)
		case "meta":
			err = dec.Decode(&lp.meta)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// decodeItems decodes the items array one item at a time, refusing more
// than MaxItemsPerPage before decoding them.
func (lp *listPage[T]) decodeItems(dec *json.Decoder) error {
	items, err := decodeBounded[T](dec, MaxItemsPerPage, ErrPageTooLarge)
	if errors.Is(err, errNotArray) {
		return fmt.Errorf("list response field %q is not an array", lp.key)
	}
	lp.items = items
	return err
}

// loopGuard detects a repeated page URL in constant memory: it remembers the
// hashes of the last few URLs exactly, and uses Brent's cycle detection for
// longer loops, so a list of any length holds the same small state.
type loopGuard struct {
	recent [16]uint64
	n      int
	mark   uint64 // Brent's checkpoint
	power  int
	steps  int
}

var loopSeed = maphash.MakeSeed()

// hashURL is the hash of a page URL that the loop guard keeps.
func hashURL(u string) uint64 { return maphash.String(loopSeed, u) }

// contains reports whether the URL hashed h was added before (within the
// window of recent URLs, or as Brent's checkpoint).
func (g *loopGuard) contains(h uint64) bool {
	for i := 0; i < min(g.n, len(g.recent)); i++ {
		if g.recent[i] == h {
			return true
		}
	}
	return g.n > len(g.recent) && h == g.mark
}

// add records the URL hashed h as fetched.
func (g *loopGuard) add(h uint64) {
	g.recent[g.n%len(g.recent)] = h
	g.n++
	if g.power == 0 {
		g.power = 2 * len(g.recent)
	}
	g.steps++
	if g.steps == g.power {
		g.mark, g.steps = h, 0
		g.power *= 2
	}
}
