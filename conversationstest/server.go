package conversationstest

import (
	"net/http/httptest"
	"sync"
	"time"

	"github.com/conversations-go/conversations"
)

// Server is an [Emulator] listening on a loopback port, like an
// httptest.Server. Its methods (SendSMS, Received, Flush, Advance, …) are
// the Emulator's.
type Server struct {
	*Emulator

	// URL is the base URL of the server, http://127.0.0.1:port, with no
	// trailing slash: give it to the client's base-URL option.
	URL string

	ts   *httptest.Server
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// NewServer starts an Emulator configured by opts on a loopback port. The
// caller must call Close when done (t.Cleanup(srv.Close) in a test). It also
// fires due conversation timers once a second, so timers work in real time.
func NewServer(opts ...Option) *Server {
	e := New(opts...)
	s := &Server{Emulator: e, ts: httptest.NewServer(e), stop: make(chan struct{})}
	s.URL = s.ts.URL
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				e.lock()
				e.unlock()
			}
		}
	}()
	return s
}

// Close shuts the server down: it stops its goroutines, drops webhooks not
// yet delivered and blocks until all requests have finished.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.stop)
		s.done.Wait()
		s.Emulator.Close()
		s.ts.Close()
	})
}

// Client returns a client of this server: its base URL for both the API and
// the Media Content Service, and the credentials it accepts. opts are added
// after those, for example conversations.WithRetryPolicy.
func (s *Server) Client(opts ...conversations.Option) (*conversations.Client, error) {
	base := []conversations.Option{conversations.WithBaseURL(s.URL), conversations.WithMediaBaseURL(s.URL)}
	return conversations.NewClient(s.AccountSID(), s.AuthToken(), append(base, opts...)...)
}
