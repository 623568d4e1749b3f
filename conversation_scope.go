package conversations

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/conversations-go/conversations/internal/ratescope"
)

// Twilio counts a conversation's calls against one budget whether they
// name it by SID or by unique name. The client paces a call that names a
// conversation by its unique name against the conversation's SID: it keeps
// the names it has seen (in a Conversation returned by any call, such as a
// create, fetch or update) and resolves an unknown one with a fetch, a
// read that no rate limit counts. A name that cannot be resolved fails the
// call before it is sent, so it never runs on a budget of its own.

// maxConvNames bounds the names a client remembers; past it the map starts
// again empty (a forgotten name costs one fetch).
const maxConvNames = 10_000

// convNames maps "<service prefix>\x00<escaped unique name>" to the
// conversation's SID.
type convNames struct {
	mu sync.Mutex
	m  map[string]string
}

func (n *convNames) get(key string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	sid, ok := n.m[key]
	return sid, ok
}

func (n *convNames) put(key, sid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil || len(n.m) >= maxConvNames {
		n.m = make(map[string]string)
	}
	n.m[key] = sid
}

func (n *convNames) forget(key string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.m, key)
}

// isConversationSID reports whether s has the form of a conversation SID:
// CH and 32 hexadecimal digits.
func isConversationSID(s string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, "CH") {
		return false
	}
	for _, c := range s[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// conversationScope returns scope with a conversation named by its unique
// name (escaped, as in the path) named by its SID instead, and the name's
// key in the client's map ("" when scope names no unique name).
func (s *service) conversationScope(ctx context.Context, scope string) (string, string, error) {
	name, ok := strings.CutPrefix(scope, ratescope.ConversationPrefix)
	if !ok || isConversationSID(name) {
		return scope, "", nil
	}
	key := s.prefix + "\x00" + name
	if sid, ok := s.core.names.get(key); ok {
		return ratescope.ConversationPrefix + sid, key, nil
	}
	var conv Conversation
	if err := s.core.doRequest(ctx, &request{method: http.MethodGet, url: s.core.baseURL + "/v1/" + s.prefix + "Conversations/" + name}, &conv); err != nil {
		return "", "", err
	}
	if conv.SID == "" {
		return "", "", errors.New("conversations: resolving a conversation's unique name: no SID in the answer")
	}
	s.core.names.put(key, conv.SID)
	return ratescope.ConversationPrefix + conv.SID, key, nil
}

// learnName remembers the unique name of a conversation that a call
// returned, and forgets a name that the call found gone.
func (s *service) learnName(out any, key string, err error) {
	if err != nil {
		var apiErr *Error
		if key != "" && errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
			s.core.names.forget(key)
		}
		return
	}
	if c, ok := out.(*Conversation); ok && c.UniqueName != "" && c.SID != "" {
		s.core.names.put(s.prefix+"\x00"+url.PathEscape(c.UniqueName), c.SID)
	}
}
