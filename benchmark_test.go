package conversations_test

// Benchmarks of the client against an in-process httptest server serving the
// spec's example payloads, each beside a baseline doing the same exchange
// with plain net/http and encoding/json: a hand-built form body or URL,
// basic auth, http.Client.Do, and decoding into an equivalent plain struct.
//
//	go test -run '^$' -bench . -benchmem -count 5 .

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/internal/spec"
)

const (
	benchSID   = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	benchToken = "bench-token"
	benchConv  = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	benchPage  = 50 // messages per page of the long history
)

// benchServer serves the message create, the conversation fetch and a
// history of pages×50 messages whose next_page_url points back at itself.
// Page bodies are written from one precomputed run of 50 messages, so the
// server's own cost and memory stay small and equal for both sides.
func benchServer(b *testing.B, pages int) *httptest.Server {
	b.Helper()
	created := spec.MustExample("CreateConversationMessage", "create")
	fetched := spec.MustExample("FetchConversation", "fetch")
	one := spec.MustExample("FetchConversationMessage", "fetch")
	items := bytes.Repeat(append(append([]byte{}, one...), ','), benchPage)
	items = items[:len(items)-1]
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/Conversations/{conv}/Messages", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("Body") == "" {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(created)
	})
	mux.HandleFunc("GET /v1/Conversations/{conv}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fetched)
	})
	mux.HandleFunc("GET /v1/Conversations/{conv}/Messages", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("Page"))
		next := "null"
		if page+1 < pages {
			next = `"http://` + r.Host + r.URL.Path + "?PageSize=50&Page=" + strconv.Itoa(page+1) + `&PageToken=PT` + strconv.Itoa(page+1) + `"`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"messages":[`)
		_, _ = w.Write(items)
		_, _ = fmt.Fprintf(w, `],"meta":{"page":%d,"page_size":50,"first_page_url":"http://%s%s?PageSize=50&Page=0","previous_page_url":null,"url":"http://%s%s","next_page_url":%s,"key":"messages"}}`,
			page, r.Host, r.URL.Path, r.Host, r.URL.RequestURI(), next)
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv
}

// benchTransport is a fresh transport for one side of a comparison, so that
// neither side shares connections with the other.
func benchTransport() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: tr}
}

func benchClient(b *testing.B, srv *httptest.Server) *conversations.Client {
	b.Helper()
	hc := benchTransport()
	b.Cleanup(hc.CloseIdleConnections)
	c, err := conversations.NewClient(benchSID, benchToken, conversations.WithBaseURL(srv.URL), conversations.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// rawMessage and rawConversation are what a hand-written client would
// decode into: plain fields, time.Time dates, attributes as a string.
type rawMessage struct {
	SID             string `json:"sid"`
	AccountSID      string `json:"account_sid"`
	ChatServiceSID  string `json:"chat_service_sid"`
	ConversationSID string `json:"conversation_sid"`
	Index           int    `json:"index"`
	Author          string `json:"author"`
	Body            string `json:"body"`
	Media           []struct {
		SID         string `json:"sid"`
		Size        int64  `json:"size"`
		ContentType string `json:"content_type"`
		Filename    string `json:"filename"`
	} `json:"media"`
	Attributes     string    `json:"attributes"`
	ParticipantSID string    `json:"participant_sid"`
	DateCreated    time.Time `json:"date_created"`
	DateUpdated    time.Time `json:"date_updated"`
	URL            string    `json:"url"`
	Delivery       *struct {
		Total       int    `json:"total"`
		Sent        string `json:"sent"`
		Delivered   string `json:"delivered"`
		Read        string `json:"read"`
		Failed      string `json:"failed"`
		Undelivered string `json:"undelivered"`
	} `json:"delivery"`
	Links struct {
		DeliveryReceipts string `json:"delivery_receipts"`
		ChannelMetadata  string `json:"channel_metadata"`
	} `json:"links"`
	ContentSID string `json:"content_sid"`
}

type rawConversation struct {
	SID                 string    `json:"sid"`
	AccountSID          string    `json:"account_sid"`
	ChatServiceSID      string    `json:"chat_service_sid"`
	MessagingServiceSID string    `json:"messaging_service_sid"`
	FriendlyName        string    `json:"friendly_name"`
	UniqueName          string    `json:"unique_name"`
	Attributes          string    `json:"attributes"`
	State               string    `json:"state"`
	DateCreated         time.Time `json:"date_created"`
	DateUpdated         time.Time `json:"date_updated"`
	Timers              struct {
		DateInactive time.Time `json:"date_inactive"`
		DateClosed   time.Time `json:"date_closed"`
	} `json:"timers"`
	Bindings struct {
		Email *struct {
			ProjectedAddress string `json:"projected_address"`
			Name             string `json:"name"`
		} `json:"email"`
	} `json:"bindings"`
	URL   string `json:"url"`
	Links struct {
		Participants string `json:"participants"`
		Messages     string `json:"messages"`
		Webhooks     string `json:"webhooks"`
		Export       string `json:"export"`
	} `json:"links"`
}

type rawMessagePage struct {
	Messages []rawMessage `json:"messages"`
	Meta     struct {
		NextPageURL string `json:"next_page_url"`
	} `json:"meta"`
}

// rawDo is the baseline's request pipeline: basic auth, status check, JSON
// decoding, body drained and closed.
func rawDo(hc *http.Client, req *http.Request, out any) error {
	req.SetBasicAuth(benchSID, benchToken)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	err = json.NewDecoder(resp.Body).Decode(out)
	_, _ = io.Copy(io.Discard, resp.Body)
	return err
}

// cpuTime is the process's user+system CPU time. The benchmarks report it
// per operation beside the wall time ("cpu-ns/op", client and server
// together), because it is far less sensitive than wall time to other load on
// a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time used since start per operation.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func BenchmarkCreateMessage(b *testing.B) {
	c := benchClient(b, benchServer(b, 1))
	ctx := context.Background()
	attrs, _ := conversations.ParseAttributes(`{"importance":"high"}`)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		m, err := c.Messages.Create(ctx, benchConv, &conversations.MessageCreateParams{
			Author: "message author", Body: "Hello", Attributes: attrs,
		})
		if err != nil || m.SID == "" {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

func BenchmarkCreateMessageRaw(b *testing.B) {
	srv := benchServer(b, 1)
	hc := benchTransport()
	b.Cleanup(hc.CloseIdleConnections)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		form := url.Values{"Author": {"message author"}, "Body": {"Hello"}, "Attributes": {`{"importance":"high"}`}}.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/Conversations/"+url.PathEscape(benchConv)+"/Messages", strings.NewReader(form))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		var m rawMessage
		if err := rawDo(hc, req, &m); err != nil || m.SID == "" {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

func BenchmarkFetchConversation(b *testing.B) {
	c := benchClient(b, benchServer(b, 1))
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		conv, err := c.Conversations.Fetch(ctx, benchConv)
		if err != nil || conv.SID == "" {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

func BenchmarkFetchConversationRaw(b *testing.B) {
	srv := benchServer(b, 1)
	hc := benchTransport()
	b.Cleanup(hc.CloseIdleConnections)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/Conversations/"+url.PathEscape(benchConv), nil)
		if err != nil {
			b.Fatal(err)
		}
		var conv rawConversation
		if err := rawDo(hc, req, &conv); err != nil || conv.SID == "" {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// listBench runs list (which must visit every message and call visit for
// each) b.N times and reports per-message time and allocations, and the
// peak heap in use, sampled every 2,500 messages.
func listBench(b *testing.B, pages int, list func(visit func())) {
	total := pages * benchPage
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	var ms runtime.MemStats
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		n := 0
		list(func() {
			n++
			if n%2500 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		})
		if n != total {
			b.Fatalf("listed %d messages, want %d", n, total)
		}
	}
	b.StopTimer()
	cpuUsed := cpuTime() - cpu
	runtime.ReadMemStats(&after)
	msgs := float64(b.N) * float64(total)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
	b.ReportMetric(float64(cpuUsed.Nanoseconds())/msgs, "cpu-ns/msg")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/msgs, "allocs/msg")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/msgs, "B/msg")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func libraryList(b *testing.B, pages int) {
	c := benchClient(b, benchServer(b, pages))
	ctx := context.Background()
	listBench(b, pages, func(visit func()) {
		for m, err := range c.Messages.List(ctx, benchConv, &conversations.MessageListParams{PageSize: benchPage}) {
			if err != nil || m.SID == "" {
				b.Fatal(err)
			}
			visit()
		}
	})
}

func rawList(b *testing.B, pages int) {
	srv := benchServer(b, pages)
	hc := benchTransport()
	b.Cleanup(hc.CloseIdleConnections)
	ctx := context.Background()
	listBench(b, pages, func(visit func()) {
		next := srv.URL + "/v1/Conversations/" + url.PathEscape(benchConv) + "/Messages?PageSize=50"
		for next != "" {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
			if err != nil {
				b.Fatal(err)
			}
			var page rawMessagePage
			if err := rawDo(hc, req, &page); err != nil {
				b.Fatal(err)
			}
			for i := range page.Messages {
				if page.Messages[i].SID == "" {
					b.Fatal("empty message")
				}
				visit()
			}
			next = page.Meta.NextPageURL
		}
	})
}

// BenchmarkList100kMessages lists 2,000 pages of 50 messages.
func BenchmarkList100kMessages(b *testing.B)    { libraryList(b, 2000) }
func BenchmarkList100kMessagesRaw(b *testing.B) { rawList(b, 2000) }

// BenchmarkListPeakHeap shows that the memory held while listing does not
// grow with the length of the list: 200 pages against 2,000.
func BenchmarkListPeakHeap(b *testing.B) {
	for _, pages := range []int{200, 2000} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) { libraryList(b, pages) })
		b.Run(fmt.Sprintf("pages=%d/raw", pages), func(b *testing.B) { rawList(b, pages) })
	}
}
