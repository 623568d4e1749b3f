package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// loadWorkers is how many goroutines send messages at once.
const loadWorkers = 64

// BenchmarkLoad sends b.N messages from loadWorkers goroutines to one
// conversation of the emulator, through the client and, in the same run,
// through a hand-written net/http baseline (form POST, basic auth, JSON
// decode into the same Message type), and reports messages per second and
// the p50 and p99 latency of each. Run:
//
//	go test -run '^$' -bench Load -benchtime 20000x ./reliability
func BenchmarkLoad(b *testing.B) {
	srv := conversationstest.NewServer()
	defer srv.Close()
	setup, _ := newClientAs(b, srv.AccountSID(), srv.AuthToken(), srv.URL, conversations.NoRetries)
	conv, err := setup.Conversations.Create(context.Background(), &conversations.ConversationCreateParams{FriendlyName: "load"})
	if err != nil {
		b.Fatal(err)
	}

	b.Run("client", func(b *testing.B) {
		c, _ := newClientAs(b, srv.AccountSID(), srv.AuthToken(), srv.URL, conversations.DefaultRetryPolicy)
		params := &conversations.MessageCreateParams{Author: "load", Body: "hello from the load test"}
		runLoad(b, func(ctx context.Context) error {
			m, err := c.Messages.Create(ctx, conv.SID, params)
			if err == nil && m.SID == "" {
				err = fmt.Errorf("no SID")
			}
			return err
		})
	})

	b.Run("raw-net-http", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: 200, IdleConnTimeout: 30 * time.Second}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		endpoint := srv.URL + "/v1/Conversations/" + conv.SID + "/Messages"
		form := url.Values{"Author": {"load"}, "Body": {"hello from the load test"}}.Encode()
		runLoad(b, func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form))
			if err != nil {
				return err
			}
			req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			var m conversations.Message
			if err := json.Unmarshal(body, &m); err != nil {
				return err
			}
			if m.SID == "" {
				return fmt.Errorf("no SID")
			}
			return nil
		})
	})
}

// runLoad runs send b.N times from loadWorkers goroutines and reports
// msgs/s, p50-ms and p99-ms.
func runLoad(b *testing.B, send func(context.Context) error) {
	b.ReportAllocs()
	ctx := context.Background()
	lat := make([][]time.Duration, loadWorkers)
	next := make(chan struct{}, b.N)
	for range b.N {
		next <- struct{}{}
	}
	close(next)
	var wg sync.WaitGroup
	var errOnce sync.Once
	b.ResetTimer()
	start := time.Now()
	for w := range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				t0 := time.Now()
				err := send(ctx)
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					errOnce.Do(func() { b.Error(err) })
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op") // wall time per op is meaningless with 64 workers; msgs/s says it
}
