package conversationstest

import (
	"net/http"
	"time"
)

// service is a Conversation Service (IS…): it holds conversations and its
// own webhook configuration.
type service struct {
	sid           string
	friendlyName  string
	created       time.Time
	updated       time.Time
	conversations table[conversation]
	uniqueNames   map[string]string // unique_name → CH sid
	defaultRole   string            // role_sid given to chat participants
	hooks         hookConfig
	deleted       bool
	roles         table[role]          // roles.go
	users         table[user]          // users.go
	bindings      table[binding]       // bindings.go
	config        serviceConfig        // configuration.go
	notify        serviceNotifications // configuration.go
	ix            svcIx                // index.go
}

// newService creates and stores a service. The emulator's lock must be held
// (or the emulator not yet shared).
func (e *Emulator) newService(name string) *service {
	now := e.nowLocked()
	s := &service{
		sid:          newSID("IS"),
		friendlyName: name,
		created:      now,
		updated:      now,
		uniqueNames:  make(map[string]string),
		defaultRole:  newSID("RL"),
	}
	e.initService(s)
	e.idx.addService(s)
	e.services.put(s.sid, s)
	return s
}

type serviceJSON struct {
	AccountSid   string            `json:"account_sid"`
	Sid          string            `json:"sid"`
	FriendlyName string            `json:"friendly_name"`
	DateCreated  string            `json:"date_created"`
	DateUpdated  string            `json:"date_updated"`
	URL          string            `json:"url"`
	Links        map[string]string `json:"links"`
}

func (e *Emulator) renderService(c *call, s *service) any {
	u := c.base + "/v1/Services/" + s.sid
	return serviceJSON{
		AccountSid:   e.cfg.accountSID,
		Sid:          s.sid,
		FriendlyName: s.friendlyName,
		DateCreated:  fmtDate(s.created),
		DateUpdated:  fmtDate(s.updated),
		URL:          u,
		Links: map[string]string{
			"conversations":                  u + "/Conversations",
			"users":                          u + "/Users",
			"roles":                          u + "/Roles",
			"bindings":                       u + "/Bindings",
			"configuration":                  u + "/Configuration",
			"participant_conversations":      u + "/ParticipantConversations",
			"conversation_with_participants": u + "/ConversationWithParticipants",
		},
	}
}

func (e *Emulator) serviceRoutes() {
	e.handle("POST", "/v1/Services", e.createService)
	e.handle("GET", "/v1/Services", e.listServices)
	e.handle("GET", "/v1/Services/{Sid}", e.fetchService)
	e.handle("DELETE", "/v1/Services/{Sid}", e.deleteService)
}

func (e *Emulator) createService(c *call) (int, any, error) {
	name := c.param("FriendlyName")
	if name == "" {
		return 0, nil, missingParam("FriendlyName")
	}
	e.lock()
	defer e.unlock()
	return http.StatusCreated, e.renderService(c, e.newService(name)), nil
}

func (e *Emulator) listServices(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	return okList(paginate(c, e.services.all(), listOpts{"services", 50, 100},
		func(s *service) any { return e.renderService(c, s) }))
}

func (e *Emulator) lookupService(c *call) (*service, error) {
	s, ok := e.services.get(c.r.PathValue("Sid"))
	if !ok {
		return nil, notFound(c.r.URL.Path)
	}
	return s, nil
}

func (e *Emulator) fetchService(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	s, err := e.lookupService(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderService(c, s), nil
}

func (e *Emulator) deleteService(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	s, err := e.lookupService(c)
	if err != nil {
		return 0, nil, err
	}
	if s == e.defaultSvc {
		return 0, nil, badRequest(codeInvalidParam, "The default Conversation Service cannot be deleted")
	}
	e.idx.dropService(s)
	s.deleted = true
	e.services.remove(s.sid)
	// Its media files go with it: a state document's media must belong to
	// one of its services.
	for _, m := range e.media.all() {
		if m.serviceSid == s.sid {
			e.media.remove(m.sid)
		}
	}
	return http.StatusNoContent, nil, nil
}

// okList adapts paginate's result to a handler's.
func okList(body any, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, body, nil
}
