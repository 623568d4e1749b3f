package reliability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
)

// TestEndlessEmptyPages (issue 13, item 11): a list whose every page is
// empty and points at a next page with a URL never seen before (so loop
// detection rightly does not apply) stops with ErrEmptyPages after
// MaxEmptyPages requests, instead of fetching until the context ends; a
// run of empty pages shorter than that is followed to the items after it.
func TestEndlessEmptyPages(t *testing.T) {
	var reqs atomic.Int64
	itemsAfter := atomic.Int64{} // serve one item after this many empty pages; 0: never
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := reqs.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if k := itemsAfter.Load(); k > 0 && n > k {
			fmt.Fprint(w, `{"conversations":[{"sid":"CH00000000000000000000000000000000"}],"meta":{"page":1,"page_size":50,"key":"conversations","next_page_url":null}}`)
			return
		}
		fmt.Fprintf(w, `{"conversations":[],"meta":{"page":%d,"page_size":50,"key":"conversations","next_page_url":"%s/v1/Conversations?PageSize=50&Page=%d&PageToken=PT%d"}}`,
			n, srv.URL, n, n)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv.URL, testPolicy)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	items := 0
	var err error
	for _, e := range c.Conversations.List(ctx, nil) {
		if e != nil {
			err = e
			break
		}
		items++
	}
	elapsed := time.Since(start)
	got := reqs.Load()
	if !errors.Is(err, conversations.ErrEmptyPages) || got != conversations.MaxEmptyPages || items != 0 {
		t.Errorf("endless empty pages: %d items, %d requests in %v, err %v; want 0 items, %d requests, ErrEmptyPages",
			items, got, elapsed.Round(time.Millisecond), err, conversations.MaxEmptyPages)
	}
	record(figure{Fault: "#11 endless empty pages, each next URL new", Op: "Conversations.List (GET)",
		Outcome: sentinelText(err, conversations.ErrEmptyPages, "ErrEmptyPages"), Attempts: fmt.Sprintf("%d requests", got), Applied: fmt.Sprintf("%d items", items),
		Elapsed: fmt.Sprintf("%v / 3s", elapsed.Round(time.Millisecond)), Conns: "-", BytesRead: "-", Leaked: "-"})

	// Positive control: MaxEmptyPages-1 empty pages, then an item.
	reqs.Store(0)
	itemsAfter.Store(conversations.MaxEmptyPages - 1)
	items, err = 0, nil
	for _, e := range c.Conversations.List(context.Background(), nil) {
		if e != nil {
			err = e
			break
		}
		items++
	}
	if err != nil || items != 1 || reqs.Load() != conversations.MaxEmptyPages {
		t.Errorf("%d empty pages then an item: %d items, %d requests, err %v", conversations.MaxEmptyPages-1, items, reqs.Load(), err)
	}

	// A Pager reports the same, and Resume starts the count afresh.
	reqs.Store(0)
	itemsAfter.Store(0)
	pctx, pcancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer pcancel()
	p := c.Conversations.Pager(nil)
	for p.More() {
		if _, err = p.Next(pctx); err != nil {
			break
		}
	}
	if !errors.Is(err, conversations.ErrEmptyPages) || p.More() {
		t.Errorf("Pager: err %v, More %v; want ErrEmptyPages and no more", err, p.More())
	}
}

// TestPageItemCap (issue 13, item 12): the 32 MiB byte cap on a response
// does not bound its decoded size (every {} decodes into a whole struct),
// so a page holding more than MaxItemsPerPage items is refused while it is
// decoded. Figures: the heap allocated while reading the page and the live
// heap held afterwards, for a 3 MB page of {} items.
func TestPageItemCap(t *testing.T) {
	const pageBytes = 3 << 20
	body := bigEmptyItemsPage(pageBytes)
	var reqs atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv.URL, testPolicy)

	p := c.Conversations.Pager(nil)
	var page *conversations.Page[conversations.Conversation]
	var err error
	allocated, held := heapCost(func() any {
		page, err = p.Next(context.Background())
		return page
	})
	n := 0
	if page != nil {
		n = len(page.Items)
	}
	t.Logf("3 MB page of {}: %d items returned, %.1f MB allocated, %+.1f MB live heap held, err %v",
		n, float64(allocated)/1e6, float64(held)/1e6, err)
	if !errors.Is(err, conversations.ErrPageTooLarge) || page != nil || p.More() {
		t.Errorf("3 MB page of {}: %d items, err %v, More %v; want ErrPageTooLarge and the list ended", n, err, p.More())
	}
	if reqs.Load() != 1 {
		t.Errorf("%d requests: a refused page must not be asked for again", reqs.Load())
	}
	// The cap bounds what reading the page costs: at most MaxItemsPerPage
	// structs, a few MB, against hundreds for the whole page.
	if allocated > 64<<20 {
		t.Errorf("reading the page allocated %.1f MB", float64(allocated)/1e6)
	}
	record(figure{Fault: "#12 3 MB page of {} items (~1M)", Op: "Conversations Pager.Next (GET)",
		Outcome: sentinelText(err, conversations.ErrPageTooLarge, "ErrPageTooLarge"), Attempts: fmt.Sprintf("%d requests", reqs.Load()), Applied: fmt.Sprintf("%d items", n),
		Elapsed: "-", Conns: "-", BytesRead: fmt.Sprintf("alloc %.1f MB, live %+.1f MB", float64(allocated)/1e6, float64(held)/1e6), Leaked: "-"})

	// Positive control: a page of exactly MaxItemsPerPage items is read.
	full := bigEmptyItemsPageN(conversations.MaxItemsPerPage)
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(full)
	}))
	defer srv2.Close()
	c2, _ := newClient(t, srv2.URL, testPolicy)
	page, err = c2.Conversations.Pager(nil).Next(context.Background())
	if err != nil || len(page.Items) != conversations.MaxItemsPerPage {
		t.Errorf("page of %d items: err %v", conversations.MaxItemsPerPage, err)
	}
}

// bigEmptyItemsPage is a conversations page of about size bytes of {} items.
func bigEmptyItemsPage(size int) []byte {
	return bigEmptyItemsPageN((size - 100) / 3)
}

func bigEmptyItemsPageN(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"conversations":[`)
	b.WriteString(strings.Repeat("{},", n-1))
	b.WriteString(`{}],"meta":{"page":0,"page_size":50,"key":"conversations","next_page_url":null}}`)
	return b.Bytes()
}

// sentinelText names the sentinel err matches, with err's last part, or
// gives errText.
func sentinelText(err, sentinel error, name string) string {
	if errors.Is(err, sentinel) {
		msg := err.Error()
		return name + ":" + msg[strings.LastIndex(msg, ":")+1:]
	}
	return errText(err)
}

// errText is a short form of err for the figures.
func errText(err error) string {
	if err == nil {
		return "ok"
	}
	s := err.Error()
	if len(s) > 90 {
		s = s[:90] + "…"
	}
	return s
}

// heapCost runs f between two garbage collections: the bytes allocated while
// it ran, and the live heap still held afterwards by what it returned.
func heapCost(f func() any) (allocated uint64, held int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return after.TotalAlloc - before.TotalAlloc, int64(after.HeapAlloc) - int64(before.HeapAlloc)
}
