package conversations

import (
	"context"
	"errors"
	"net/url"
	"sync"
)

// defaultService is the account's default Conversation Service SID, read
// from GET /v1/Configuration (default_chat_service_sid) the first time the
// account-level media calls need it, and kept. Concurrent first calls share
// one request; a failed request is not kept, so the next call tries again.
type defaultService struct {
	mu       sync.Mutex
	sid      string
	inFlight chan struct{} // closed when the running fetch ends; nil when none runs
}

// errNoDefaultService is returned when the account's configuration names no
// default Conversation Service.
var errNoDefaultService = errors.New("conversations: the account's configuration has no default_chat_service_sid: use client.Service(sid).Media")

// get returns the default Conversation Service SID, fetching it with fetch
// when it is not known yet. Waiting for another goroutine's fetch stops when
// ctx is done.
func (d *defaultService) get(ctx context.Context, fetch func(context.Context) (string, error)) (string, error) {
	for {
		d.mu.Lock()
		if d.sid != "" {
			sid := d.sid
			d.mu.Unlock()
			return sid, nil
		}
		if wait := d.inFlight; wait != nil {
			d.mu.Unlock()
			select {
			case <-wait:
				continue // known now, or failed: then this call tries itself
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		done := make(chan struct{})
		d.inFlight = done
		d.mu.Unlock()

		sid, err := fetch(ctx)
		if err == nil && sid == "" {
			err = errNoDefaultService
		}
		d.mu.Lock()
		if err == nil {
			d.sid = sid
		}
		d.inFlight = nil
		d.mu.Unlock()
		close(done)
		return sid, err
	}
}

// scoped returns s itself when it is scoped to a Conversation Service, and
// at the account level the view scoped to the default Conversation Service.
func (s *service) scoped(ctx context.Context) (*service, error) {
	if s.err != nil || s.prefix != "" {
		return s, s.err
	}
	sid, err := s.core.defaultSvc.get(ctx, func(ctx context.Context) (string, error) {
		cfg, err := (*ConfigurationService)(s).Fetch(ctx)
		if err != nil {
			return "", err
		}
		return cfg.DefaultChatServiceSID, nil
	})
	if err != nil {
		return nil, err
	}
	if err := checkSegment("DefaultChatServiceSid", sid); err != nil {
		return nil, err
	}
	return &service{core: s.core, prefix: "Services/" + url.PathEscape(sid) + "/"}, nil
}
