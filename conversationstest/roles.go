package conversationstest

import (
	"net/http"
	"slices"
	"time"
)

// role is a Role (RL…) of a Conversation Service: a named permission set
// that applies within a conversation (type conversation) or across the
// service (type service).
type role struct {
	sid              string
	friendlyName     string
	typ              string // "conversation" or "service"
	permissions      []string
	created, updated time.Time
}

// The roles every Conversation Service starts with, as Twilio creates them:
// "channel admin" (given to a conversation's creator), "channel user" (given
// to other participants), "service admin" and "service user" (given to new
// users). Their permission lists are the emulator's reading of Twilio's
// permission reference; Twilio does not publish the exact default lists.
var defaultRoles = []struct {
	name, typ   string
	permissions []string
}{
	{"channel admin", "conversation", []string{
		"sendMessage", "sendMediaMessage", "leaveConversation", "addParticipant", "removeParticipant",
		"editConversationName", "editConversationAttributes", "deleteConversation",
		"editOwnMessage", "editOwnMessageAttributes", "deleteOwnMessage",
		"editAnyMessage", "editAnyMessageAttributes", "deleteAnyMessage", "editNotificationLevel",
	}},
	{"channel user", "conversation", []string{
		"sendMessage", "sendMediaMessage", "leaveConversation",
		"editOwnMessage", "editOwnMessageAttributes", "deleteOwnMessage", "editNotificationLevel",
	}},
	{"service admin", "service", []string{
		"createConversation", "joinConversation", "editOwnUserInfo", "editAnyUserInfo",
		"addParticipant", "removeParticipant", "editConversationName", "editConversationAttributes",
		"deleteConversation", "editAnyMessage", "editAnyMessageAttributes", "deleteAnyMessage",
	}},
	{"service user", "service", []string{"createConversation", "joinConversation", "editOwnUserInfo"}},
}

// addDefaultRoles creates the default roles of a new service and points its
// configuration at them. The lock must be held.
func (e *Emulator) addDefaultRoles(s *service) {
	now := e.nowLocked()
	sids := make(map[string]string, len(defaultRoles))
	for _, d := range defaultRoles {
		r := &role{sid: newSID("RL"), friendlyName: d.name, typ: d.typ,
			permissions: slices.Clone(d.permissions), created: now, updated: now}
		s.roles.put(r.sid, r)
		sids[d.name] = r.sid
	}
	s.config.creatorRole = sids["channel admin"]
	s.config.serviceRole = sids["service user"]
	s.defaultRole = sids["channel user"]
}

type roleJSON struct {
	Sid            string   `json:"sid"`
	AccountSid     string   `json:"account_sid"`
	ChatServiceSid string   `json:"chat_service_sid"`
	FriendlyName   string   `json:"friendly_name"`
	Type           string   `json:"type"`
	Permissions    []string `json:"permissions"`
	DateCreated    string   `json:"date_created"`
	DateUpdated    string   `json:"date_updated"`
	URL            string   `json:"url"`
}

func (e *Emulator) renderRole(c *call, svc *service, r *role) any {
	return roleJSON{
		Sid:            r.sid,
		AccountSid:     e.cfg.accountSID,
		ChatServiceSid: svc.sid,
		FriendlyName:   r.friendlyName,
		Type:           r.typ,
		Permissions:    nonNil(r.permissions),
		DateCreated:    fmtDate(r.created),
		DateUpdated:    fmtDate(r.updated),
		URL:            c.prefix(svc) + "/Roles/" + r.sid,
	}
}

func (e *Emulator) roleRoutes() {
	e.handleBoth("POST", "/Roles", e.createRole)
	e.handleBoth("GET", "/Roles", e.listRoles)
	e.handleBoth("GET", "/Roles/{Sid}", e.fetchRole)
	e.handleBoth("POST", "/Roles/{Sid}", e.updateRole)
	e.handleBoth("DELETE", "/Roles/{Sid}", e.deleteRole)
}

// permissionsParam reads the repeated, required Permission parameter.
func (c *call) permissionsParam() ([]string, error) {
	perms := slices.DeleteFunc(slices.Clone(c.form["Permission"]), func(p string) bool { return p == "" })
	if len(perms) == 0 {
		return nil, missingParam("Permission")
	}
	return slices.Compact(perms), nil
}

// role resolves a role of the request's service by SID. The lock must be held.
func (c *call) role() (*service, *role, error) {
	svc, err := c.service()
	if err != nil {
		return nil, nil, err
	}
	r, ok := svc.roles.get(c.r.PathValue("Sid"))
	if !ok {
		return nil, nil, notFound(c.r.URL.Path)
	}
	return svc, r, nil
}

func (e *Emulator) createRole(c *call) (int, any, error) {
	name, typ := c.param("FriendlyName"), c.param("Type")
	switch {
	case name == "":
		return 0, nil, missingParam("FriendlyName")
	case tooLong(name, maxShortName):
		return 0, nil, badRequest(codeInvalidParam, "FriendlyName exceeds 64 characters")
	case typ == "":
		return 0, nil, missingParam("Type")
	case typ != "conversation" && typ != "service":
		return 0, nil, invalidParam("Type", typ)
	}
	perms, err := c.permissionsParam()
	if err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	now := e.nowLocked()
	r := &role{sid: newSID("RL"), friendlyName: name, typ: typ, permissions: perms, created: now, updated: now}
	svc.roles.put(r.sid, r)
	return http.StatusCreated, e.renderRole(c, svc, r), nil
}

func (e *Emulator) listRoles(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	return okList(paginate(c, svc.roles.all(), listOpts{"roles", 50, 50},
		func(r *role) any { return e.renderRole(c, svc, r) }))
}

func (e *Emulator) fetchRole(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, r, err := c.role()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderRole(c, svc, r), nil
}

// updateRole replaces the role's permissions.
func (e *Emulator) updateRole(c *call) (int, any, error) {
	perms, err := c.permissionsParam()
	if err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	svc, r, err := c.role()
	if err != nil {
		return 0, nil, err
	}
	r.permissions = perms
	r.updated = e.nowLocked()
	return http.StatusOK, e.renderRole(c, svc, r), nil
}

// deleteRole deletes a role. The roles a service's configuration names as
// defaults cannot be deleted (the emulator's choice: 400, 20001).
func (e *Emulator) deleteRole(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, r, err := c.role()
	if err != nil {
		return 0, nil, err
	}
	if r.sid == svc.defaultRole || r.sid == svc.config.creatorRole || r.sid == svc.config.serviceRole {
		return 0, nil, badRequest(codeInvalidParam, "Role %s is a default role of the service and cannot be deleted", r.sid)
	}
	svc.roles.remove(r.sid)
	return http.StatusNoContent, nil, nil
}
