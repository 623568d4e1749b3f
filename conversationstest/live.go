package conversationstest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// feed is the emulator's change counter, which the web inspector follows to
// update live: its version goes up on every change a page could show (a
// request that may write, a simulated user's message, a webhook delivered,
// a delivery receipt moved, the clock moved, a timer fired).
type feed struct {
	mu      sync.Mutex
	version uint64
	wake    chan struct{} // closed on the next change; nil while nobody waits
	done    chan struct{} // closed when the emulator closes
	closed  bool
}

func newFeed() *feed { return &feed{done: make(chan struct{})} }

// bump records a change and wakes the streams waiting for one. It never
// blocks and may be called with the emulator's lock held.
func (f *feed) bump() {
	f.mu.Lock()
	f.version++
	if f.wake != nil {
		close(f.wake)
		f.wake = nil
	}
	f.mu.Unlock()
}

// watch returns the current version and a channel closed on the next change.
func (f *feed) watch() (uint64, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.wake == nil {
		f.wake = make(chan struct{})
	}
	return f.version, f.wake
}

// close ends every stream, so a server shutting down does not wait for them.
func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.done)
	}
}

// changed records that the emulator's visible state changed.
func (e *Emulator) changed() { e.live.bump() }

// Stream pacing: changes closer together than eventsMinGap are sent as one
// event (a bot's reply makes a burst of them), and a comment line every
// eventsHeartbeat keeps idle connections open through proxies.
const (
	eventsMinGap    = 100 * time.Millisecond
	eventsHeartbeat = 20 * time.Second
)

// serveEvents streams the change feed as server-sent events:
//
//	id: 42
//	data: {"version":42}
//
// ?after=N is the last version the client has seen (default 0): the current
// version is sent at once when it differs (a restarted emulator counts from
// zero again), then one event per change. The web inspector reads it with
// fetch, which can send the Authorization header that EventSource cannot.
func (e *Emulator) serveEvents(w http.ResponseWriter, r *http.Request) {
	var after uint64
	if s := formparse.Query(r.URL).Get("after"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			writeControlError(w, controlErr(http.StatusBadRequest, "after must be a version number, not %q", s))
			return
		}
		after = n
	}
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout, if any
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	heartbeat := time.NewTicker(eventsHeartbeat)
	defer heartbeat.Stop()
	sent := after
	for {
		v, wake := e.live.watch()
		if v != sent {
			if _, err := fmt.Fprintf(w, "id: %d\ndata: {\"version\":%d}\n\n", v, v); err != nil || rc.Flush() != nil {
				return
			}
			sent = v
			select {
			case <-time.After(eventsMinGap):
				continue
			case <-r.Context().Done():
				return
			case <-e.live.done:
				return
			}
		}
		select {
		case <-wake:
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-e.live.done:
			return
		}
	}
}

// Unwrap gives http.ResponseController the writer under the request log's
// recorder, so streams can flush.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
