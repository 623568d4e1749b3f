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
	ts := httptest.NewUnstartedServer(e)
	ts.Config.ReadHeaderTimeout = ServerReadTimeout
	ts.Config.ReadTimeout = ServerReadTimeout
	ts.Config.WriteTimeout = ServerWriteTimeout
	ts.Config.IdleTimeout = ServerIdleTimeout
	ts.Start()
	s := &Server{Emulator: e, ts: ts, stop: make(chan struct{})}
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

// The timeouts of the HTTP server of a [Server] (and of
// cmd/conversations-emulator): a client that sends or reads a request too
// slowly, or holds an idle connection, loses its connection rather than
// holding the server's resources indefinitely. The read and write limits
// leave room for the largest media file (150 MB) over a slow link.
const (
	ServerReadTimeout  = 2 * time.Minute
	ServerWriteTimeout = 2 * time.Minute
	ServerIdleTimeout  = time.Minute
)

// closeGrace is how long [Server.Close] lets requests in flight finish
// before it closes their connections.
const closeGrace = time.Second

// Close shuts the server down: it stops its goroutines, drops webhooks not
// yet delivered and waits for the requests in flight. A request still
// running after a second (a client that stopped reading a response, say)
// has its connection closed, so Close always returns promptly.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.stop)
		s.done.Wait()
		s.Emulator.Close()
		closed := make(chan struct{})
		go func() {
			s.ts.Close()
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(closeGrace):
			s.ts.CloseClientConnections()
			<-closed
		}
	})
}

// Client returns a client of this server: its base URL for both the API and
// the Media Content Service, and the credentials it accepts. opts are added
// after those, for example conversations.WithRetryPolicy.
func (s *Server) Client(opts ...conversations.Option) (*conversations.Client, error) {
	base := []conversations.Option{conversations.WithBaseURL(s.URL), conversations.WithMediaBaseURL(s.URL)}
	return conversations.NewClient(s.AccountSID(), s.AuthToken(), append(base, opts...)...)
}
