package conversationstest

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// Twilio renders dates as RFC 3339 in UTC, to the second.
const dateLayout = "2006-01-02T15:04:05Z"

func fmtDate(t time.Time) string { return t.UTC().Format(dateLayout) }

func fmtDatePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	return ptr(fmtDate(*t))
}

// parseDate reads an ISO 8601 date-time as the API accepts it in
// DateCreated, DateUpdated, StartDate and EndDate.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dateParam reads an optional date-time form parameter into *dst.
func (c *call) dateParam(name string, dst *time.Time) error {
	if !c.has(name) {
		return nil
	}
	t, ok := parseDate(c.param(name))
	if !ok || checkDate(t) != nil { // ranges.go: a date Twilio's format can carry
		return invalidParam(name, c.param(name))
	}
	*dst = t
	return nil
}

// prefix returns the URL prefix of a resource of svc as the request's path
// form has it: <base>/v1 or <base>/v1/Services/IS….
func (c *call) prefix(svc *service) string {
	if c.scoped {
		return c.base + "/v1/Services/" + svc.sid
	}
	return c.base + "/v1"
}

// chatServiceSid is the chat_service_sid of a nested resource: rendered only
// in the /v1/Services/{ChatServiceSid}/... form, as the spec's schemas do.
func (c *call) chatServiceSid(svc *service) *string {
	if c.scoped {
		return &svc.sid
	}
	return nil
}

// listMeta is the meta object of every list response.
type listMeta struct {
	Page            int     `json:"page"`
	PageSize        int     `json:"page_size"`
	FirstPageURL    string  `json:"first_page_url"`
	PreviousPageURL *string `json:"previous_page_url"`
	URL             string  `json:"url"`
	NextPageURL     *string `json:"next_page_url"`
	Key             string  `json:"key"`
}

// listOpts are a list endpoint's page-size limits, from the spec.
type listOpts struct {
	key         string // name of the array, e.g. "conversations"
	defaultSize int    // PageSize when none is sent
	maxSize     int    // PageSize maximum; larger values are clamped
}

const pageTokenPrefix = "PT"

// maxListOffset is the largest item offset a Page or PageToken may reach;
// larger ones are refused with 400 and code 20001 (the emulator's choice:
// Twilio documents no bound). It keeps page*size and offset+size far from
// overflowing.
const maxListOffset = 1<<31 - 1

// listItem is an item of a list endpoint: its key identifies it in page
// tokens, so that deleting an item between two page requests does not make
// the next page skip one.
type listItem interface{ listKey() string }

func (a *addressConfig) listKey() string { return a.sid }
func (b *binding) listKey() string       { return b.sid }
func (c *conversation) listKey() string  { return c.sid }
func (c *credential) listKey() string    { return c.sid }
func (m *message) listKey() string       { return m.sid }
func (p *participant) listKey() string   { return p.sid }
func (r *receipt) listKey() string       { return r.sid }
func (r *role) listKey() string          { return r.sid }
func (w *scopedWebhook) listKey() string { return w.sid }
func (s *service) listKey() string       { return s.sid }
func (u *user) listKey() string          { return u.sid }
func (m membership) listKey() string     { return m.conv.sid }

// pageCursor says where a page starts: at the item with key first (the
// first item of that page when the previous one was rendered), else after
// the item with key last, else at offset off.
type pageCursor struct {
	first, last string
	off         int
}

func encodePageToken(c pageCursor) string {
	v := url.Values{"f": {c.first}, "k": {c.last}, "o": {strconv.Itoa(c.off)}}
	return pageTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(v.Encode()))
}

// start finds where the page begins in items, as they are now.
func (c pageCursor) start(key func(i int) string, n int) int {
	// Usually nothing changed since: the page starts where it did, and the
	// lists with repeated keys hold them next to each other.
	if o := c.off; c.first != "" && o < n && key(o) == c.first && (o == 0 || key(o-1) != c.first) {
		return o
	}
	for i := range n {
		if c.first != "" && key(i) == c.first {
			return i
		}
	}
	for i := range n {
		if c.last != "" && key(i) == c.last {
			return i + 1
		}
	}
	return c.off
}

func decodePageToken(tok string) (pageCursor, bool) {
	rest, ok := strings.CutPrefix(tok, pageTokenPrefix)
	if !ok {
		return pageCursor{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return pageCursor{}, false
	}
	v, err := formparse.Parse(string(b))
	if err != nil {
		return pageCursor{}, false
	}
	off, err := strconv.Atoi(v.Get("o"))
	if err != nil || off < 0 || off > maxListOffset {
		return pageCursor{}, false
	}
	return pageCursor{first: v.Get("f"), last: v.Get("k"), off: off}, true
}

// paginate renders one page of items as a list response:
// {"<key>": [...], "meta": {...}}. Paging follows PageSize, Page and the
// opaque PageToken; every other query parameter is kept in the meta URLs.
func paginate[T listItem](c *call, items []T, o listOpts, render func(T) any) (any, error) {
	size := o.defaultSize
	if c.has("PageSize") {
		n, err := strconv.Atoi(c.param("PageSize"))
		if err != nil || n < 1 {
			return nil, invalidParam("PageSize", c.param("PageSize"))
		}
		size = min(n, o.maxSize)
	}
	page := 0
	if c.has("Page") {
		// Page*size must stay a valid offset: a huge Page would overflow.
		n, err := strconv.Atoi(c.param("Page"))
		if err != nil || n < 0 || n > maxListOffset/size {
			return nil, invalidParam("Page", c.param("Page"))
		}
		page = n
	}
	offset := page * size
	if c.has("PageToken") {
		cur, ok := decodePageToken(c.param("PageToken"))
		if !ok {
			return nil, badRequest(codeBadPageToken, "Invalid PageToken %q", c.param("PageToken"))
		}
		offset = cur.start(func(i int) string { return items[i].listKey() }, len(items))
	}

	filters := url.Values{}
	for k, v := range formparse.Query(c.r.URL) {
		if k != "PageSize" && k != "Page" && k != "PageToken" {
			filters[k] = v
		}
	}
	path := c.base + c.r.URL.EscapedPath()
	pageURL := func(p, off int) string {
		q := filters.Encode()
		if q != "" {
			q += "&"
		}
		q += "PageSize=" + strconv.Itoa(size) + "&Page=" + strconv.Itoa(p)
		if off > 0 {
			q += "&PageToken=" + url.QueryEscape(encodePageToken(pageCursor{first: keyAt(items, off), last: keyAt(items, off-1), off: off}))
		}
		return path + "?" + q
	}

	end := min(offset+size, len(items))
	list := make([]any, 0, max(end-offset, 0))
	for i := offset; i < end; i++ {
		list = append(list, render(items[i]))
	}
	meta := listMeta{
		Page:         page,
		PageSize:     size,
		FirstPageURL: pageURL(0, 0),
		URL:          pageURL(page, offset),
		Key:          o.key,
	}
	if page > 0 || offset > 0 {
		meta.PreviousPageURL = ptr(pageURL(max(page-1, 0), max(offset-size, 0)))
	}
	if end < len(items) {
		meta.NextPageURL = ptr(pageURL(page+1, end))
	}
	return map[string]any{o.key: list, "meta": meta}, nil
}

// keyAt is the key of items[i], or "" when i is out of range.
func keyAt[T listItem](items []T, i int) string {
	if i < 0 || i >= len(items) {
		return ""
	}
	return items[i].listKey()
}
