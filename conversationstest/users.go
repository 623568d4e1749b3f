package conversationstest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// codeUserExists is the error for a second user with the same identity in a
// service: Twilio's Chat-family "User already exists" code (409).
const codeUserExists = 50201

// user is a User (US…) of a Conversation Service, known by its identity.
// Twilio creates one implicitly when a chat participant or an SDK binding
// names an identity that has no user yet; the emulator does the same.
type user struct {
	sid              string
	identity         string
	friendlyName     string
	attributes       string
	roleSid          string
	created, updated time.Time
	// levels is the user's notification level per conversation SID
	// ("muted"); conversations not listed are "default".
	levels map[string]string
}

type userJSON struct {
	Sid            string            `json:"sid"`
	AccountSid     string            `json:"account_sid"`
	ChatServiceSid string            `json:"chat_service_sid"`
	RoleSid        *string           `json:"role_sid"`
	Identity       string            `json:"identity"`
	FriendlyName   *string           `json:"friendly_name"`
	Attributes     string            `json:"attributes"`
	IsOnline       *bool             `json:"is_online"`
	IsNotifiable   *bool             `json:"is_notifiable"`
	DateCreated    string            `json:"date_created"`
	DateUpdated    string            `json:"date_updated"`
	URL            string            `json:"url"`
	Links          map[string]string `json:"links"`
}

// renderUser renders a user. is_online and is_notifiable are null unless the
// service's Reachability Indicator is on; then a simulated user is offline
// and notifiable when it has a push binding. The lock must be held.
func (e *Emulator) renderUser(c *call, svc *service, u *user) any {
	var online, notifiable *bool
	if svc.config.reachability {
		_, has := svc.bindings.find(func(b *binding) bool { return b.identity == u.identity && b.typ != "twilsock" })
		online, notifiable = ptr(false), ptr(has)
	}
	link := c.prefix(svc) + "/Users/" + u.sid
	return userJSON{
		Sid:            u.sid,
		AccountSid:     e.cfg.accountSID,
		ChatServiceSid: svc.sid,
		RoleSid:        strOrNil(u.roleSid),
		Identity:       u.identity,
		FriendlyName:   strOrNil(u.friendlyName),
		Attributes:     u.attributes,
		IsOnline:       online,
		IsNotifiable:   notifiable,
		DateCreated:    fmtDate(u.created),
		DateUpdated:    fmtDate(u.updated),
		URL:            link,
		Links:          map[string]string{"user_conversations": link + "/Conversations"},
	}
}

func (e *Emulator) userRoutes() {
	e.handleBoth("POST", "/Users", e.createUser)
	e.handleBoth("GET", "/Users", e.listUsers)
	e.handleBoth("GET", "/Users/{Sid}", e.fetchUser)
	e.handleBoth("POST", "/Users/{Sid}", e.updateUser)
	e.handleBoth("DELETE", "/Users/{Sid}", e.deleteUser)
}

// userByKey finds a user of svc by SID or identity. The lock must be held.
func userByKey(svc *service, key string) (*user, bool) {
	if u, ok := svc.users.get(key); ok {
		return u, true
	}
	return svc.ix.user(key) // index.go
}

// ensureUser returns the user of svc with identity, creating it with the
// service's default role if there is none, as Twilio does for chat
// participants; onUserAdded fires as o allows. The lock must be held.
func (e *Emulator) ensureUser(svc *service, identity string, o origin) *user {
	if u, ok := svc.ix.user(identity); ok {
		return u
	}
	now := e.nowLocked()
	u := &user{sid: newSID("US"), identity: identity, attributes: "{}", roleSid: svc.config.serviceRole, created: now, updated: now}
	svc.users.put(u.sid, u)
	svc.ix.addUser(u)
	e.postEvent(svc, nil, o, "onUserAdded", e.userParams(svc, u))
	return u
}

func (e *Emulator) userParams(svc *service, u *user) url.Values {
	p := url.Values{}
	p.Set("ChatServiceSid", svc.sid)
	p.Set("UserSid", u.sid)
	p.Set("Identity", u.identity)
	p.Set("RoleSid", u.roleSid)
	p.Set("Attributes", u.attributes)
	p.Set("FriendlyName", u.friendlyName)
	p.Set("DateCreated", fmtDate(u.created))
	p.Set("DateUpdated", fmtDate(u.updated))
	return p
}

// userInput reads FriendlyName, Attributes and RoleSid into u.
func (c *call) userInput(u *user) error {
	if v := c.optParam("FriendlyName"); v != nil {
		if tooLong(*v, maxNameChars) {
			return badRequest(codeInvalidParam, "FriendlyName exceeds 256 characters")
		}
		u.friendlyName = *v
	}
	a, err := c.attributesParam(16 << 10)
	if err != nil {
		return err
	}
	if a != nil {
		u.attributes = *a
	}
	if v := c.optParam("RoleSid"); v != nil && *v != "" {
		if !isSID(*v, "RL") {
			return invalidParam("RoleSid", *v)
		}
		u.roleSid = *v
	}
	return nil
}

// checkServiceRole fails unless sid is a service-level role of svc. The
// lock must be held.
func checkServiceRole(svc *service, sid string) error {
	if r, ok := svc.roles.get(sid); !ok || r.typ != "service" {
		return badRequest(codeInvalidParam, "RoleSid %s is not a service role of %s", sid, svc.sid)
	}
	return nil
}

func (e *Emulator) createUser(c *call) (int, any, error) {
	identity := c.param("Identity")
	if identity == "" {
		return 0, nil, missingParam("Identity")
	}
	if tooLong(identity, maxNameChars) {
		return 0, nil, badRequest(codeInvalidParam, "Identity exceeds 256 characters")
	}
	u := &user{identity: identity, attributes: "{}"}
	if err := c.userInput(u); err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	if _, dup := svc.ix.user(identity); dup {
		return 0, nil, conflict(codeUserExists, "User with identity %q already exists", identity)
	}
	if u.roleSid == "" {
		u.roleSid = svc.config.serviceRole
	} else if err := checkServiceRole(svc, u.roleSid); err != nil {
		return 0, nil, err
	}
	now := e.nowLocked()
	u.sid, u.created, u.updated = newSID("US"), now, now
	svc.users.put(u.sid, u)
	svc.ix.addUser(u)
	e.postEvent(svc, nil, c.origin(), "onUserAdded", e.userParams(svc, u))
	return http.StatusCreated, e.renderUser(c, svc, u), nil
}

func (e *Emulator) listUsers(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	return okList(paginate(c, svc.users.all(), listOpts{"users", 50, 50},
		func(u *user) any { return e.renderUser(c, svc, u) }))
}

// user resolves the user of the request's service named by the path value
// name (SID or identity). The lock must be held.
func (c *call) user(name string) (*service, *user, error) {
	svc, err := c.service()
	if err != nil {
		return nil, nil, err
	}
	u, ok := userByKey(svc, c.r.PathValue(name))
	if !ok {
		return nil, nil, notFound(c.r.URL.Path)
	}
	return svc, u, nil
}

func (e *Emulator) fetchUser(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, u, err := c.user("Sid")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderUser(c, svc, u), nil
}

// updateUser runs the onUserUpdate pre-event hook with the user as it would
// become (it may reject the update, or change friendly_name and
// attributes), then applies it and fires onUserUpdated.
func (e *Emulator) updateUser(c *call) (int, any, error) {
	e.lock()
	svc, u, err := c.user("Sid")
	var draft user
	if err == nil {
		draft = *u
		err = c.userInput(&draft)
	}
	if err == nil && draft.roleSid != u.roleSid {
		err = checkServiceRole(svc, draft.roleSid)
	}
	var pre url.Values
	if err == nil {
		pre = e.userParams(svc, &draft)
	}
	e.unlock()
	if err != nil {
		return 0, nil, err
	}
	mods, err := e.preEvent(svc, c.origin(), "onUserUpdate", pre)
	if err != nil {
		return 0, nil, err
	}
	if err := applyUserMods(&draft, mods); err != nil {
		return 0, nil, err
	}

	e.lock()
	defer e.unlock()
	if cur, ok := svc.users.get(u.sid); !ok || cur != u || svc.deleted {
		return 0, nil, notFound(c.r.URL.Path)
	}
	// Apply only what this request set, over the user as it is now.
	if c.has("FriendlyName") || mods["friendly_name"] != nil {
		u.friendlyName = draft.friendlyName
	}
	if c.has("Attributes") || mods["attributes"] != nil {
		u.attributes = draft.attributes
	}
	if c.param("RoleSid") != "" {
		u.roleSid = draft.roleSid
	}
	u.updated = e.nowLocked()
	e.postEvent(svc, nil, c.origin(), "onUserUpdated", e.userParams(svc, u))
	return http.StatusOK, e.renderUser(c, svc, u), nil
}

// applyUserMods applies the fields an onUserUpdate hook changed:
// friendly_name, and attributes (a string of valid JSON).
func applyUserMods(u *user, mods map[string]json.RawMessage) error {
	if s, ok, err := modString(mods, "friendly_name"); err != nil {
		return err
	} else if ok {
		if err := checkModName(s); err != nil {
			return err
		}
		u.friendlyName = s
	}
	if s, ok, err := modString(mods, "attributes"); err != nil {
		return err
	} else if ok {
		if err := checkAttributes(s, 16<<10); err != nil {
			return err
		}
		u.attributes = s
	}
	return nil
}

// deleteUser deletes a user. Its participants stay in their conversations
// (the emulator's reading: Twilio documents no cascade); a later chat
// participant with the identity creates a new user.
func (e *Emulator) deleteUser(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, u, err := c.user("Sid")
	if err != nil {
		return 0, nil, err
	}
	svc.users.remove(u.sid)
	svc.ix.removeUser(u)
	return http.StatusNoContent, nil, nil
}
