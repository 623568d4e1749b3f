package reliability_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/conversations-go/conversations"
)

// Credentials of the suite: none of them may ever reach a log or another host.
const (
	accountSID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	authToken  = "reliability-auth-token-7c1e5f93b2d8"
	apiKeySID  = "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	apiSecret  = "reliability-api-secret-4a6d0e2f81c9"
	convSID    = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

// testPolicy retries like the default policy, with short delays so that the
// suite is quick; MaxDelay 2s lets a Retry-After of 1s be honoured and one of
// 60s be refused.
var testPolicy = conversations.RetryPolicy{MaxAttempts: 4, BaseDelay: 20 * time.Millisecond, MaxDelay: 2 * time.Second}

func TestMain(m *testing.M) {
	code := m.Run()
	if testing.Verbose() {
		printFigures()
	}
	if code == 0 {
		// Nothing the suite started may outlive it.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// netStats counts what the client's transport did on the wire.
type netStats struct {
	tr        *http.Transport
	dials     atomic.Int64
	bytesRead atomic.Int64
}

type countingConn struct {
	net.Conn
	st *netStats
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.st.bytesRead.Add(int64(n))
	return n, err
}

// newClient returns a client of baseURL whose own transport counts dials
// and bytes read; its idle connections are closed when the test ends.
func newClient(t testing.TB, baseURL string, p conversations.RetryPolicy, opts ...conversations.Option) (*conversations.Client, *netStats) {
	t.Helper()
	return newClientAs(t, accountSID, authToken, baseURL, p, opts...)
}

// newClientAs is newClient with the given credentials.
func newClientAs(t testing.TB, sid, token, baseURL string, p conversations.RetryPolicy, opts ...conversations.Option) (*conversations.Client, *netStats) {
	t.Helper()
	st := &netStats{}
	var d net.Dialer
	st.tr = &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			st.dials.Add(1)
			return &countingConn{Conn: c, st: st}, nil
		},
		MaxIdleConnsPerHost: 200,
		IdleConnTimeout:     30 * time.Second,
	}
	t.Cleanup(st.tr.CloseIdleConnections)
	all := append([]conversations.Option{
		conversations.WithHTTPClient(&http.Client{Transport: st.tr}),
		conversations.WithBaseURL(baseURL),
		conversations.WithRetryPolicy(p),
	}, opts...)
	c, err := conversations.NewClient(sid, token, all...)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

// figure is one row of the reliability figures.
type figure struct {
	Fault     string
	Op        string
	Outcome   string
	Attempts  string // per call
	Applied   string // creates applied / calls
	Elapsed   string // worst call vs its deadline
	Conns     string // new TCP connections over the calls
	BytesRead string
	Late      int // requests that arrived after the call returned
	Leaked    string
}

var (
	figMu   sync.Mutex
	figures []figure
)

func record(f figure) {
	figMu.Lock()
	figures = append(figures, f)
	figMu.Unlock()
}

func printFigures() {
	figMu.Lock()
	defer figMu.Unlock()
	if len(figures) == 0 {
		return
	}
	cols := []string{"fault", "op", "outcome", "attempts/call", "applied/calls", "worst elapsed / deadline", "new conns", "bytes read", "late reqs", "leaked goroutines"}
	rows := [][]string{cols}
	for _, f := range figures {
		rows = append(rows, []string{f.Fault, f.Op, f.Outcome, f.Attempts, f.Applied, f.Elapsed, f.Conns, f.BytesRead, fmt.Sprint(f.Late), f.Leaked})
	}
	width := make([]int, len(cols))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	b.WriteString("\nReliability figures (fault server):\n")
	for ri, r := range rows {
		b.WriteString("|")
		for i, c := range r {
			fmt.Fprintf(&b, " %-*s |", width[i], c)
		}
		b.WriteString("\n")
		if ri == 0 {
			b.WriteString("|")
			for i := range r {
				b.WriteString(strings.Repeat("-", width[i]+2) + "|")
			}
			b.WriteString("\n")
		}
	}
	fmt.Print(b.String())
}

// distinct summarizes a list of ints as "n" or "a-b".
func distinct(v []int) string {
	if len(v) == 0 {
		return "-"
	}
	s := append([]int(nil), v...)
	sort.Ints(s)
	if s[0] == s[len(s)-1] {
		return fmt.Sprint(s[0])
	}
	return fmt.Sprintf("%d-%d", s[0], s[len(s)-1])
}
