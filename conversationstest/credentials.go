package conversationstest

import (
	"net/http"
	"strconv"
	"time"
)

// credential is a push Credential (CR…). Only its metadata is kept: the
// certificate, private key, API key and secret it is created with are
// checked for presence and dropped, as the API never returns them.
type credential struct {
	sid              string
	friendlyName     string
	typ              string // apn, gcm or fcm
	sandbox          bool
	created, updated time.Time
}

type credentialJSON struct {
	Sid          string  `json:"sid"`
	AccountSid   string  `json:"account_sid"`
	FriendlyName *string `json:"friendly_name"`
	Type         string  `json:"type"`
	// Sandbox is rendered as Twilio does, a string: "True" or "False".
	Sandbox     string `json:"sandbox"`
	DateCreated string `json:"date_created"`
	DateUpdated string `json:"date_updated"`
	URL         string `json:"url"`
}

func (e *Emulator) renderCredential(c *call, cr *credential) any {
	sandbox := "False"
	if cr.sandbox {
		sandbox = "True"
	}
	return credentialJSON{
		Sid:          cr.sid,
		AccountSid:   e.cfg.accountSID,
		FriendlyName: strOrNil(cr.friendlyName),
		Type:         cr.typ,
		Sandbox:      sandbox,
		DateCreated:  fmtDate(cr.created),
		DateUpdated:  fmtDate(cr.updated),
		URL:          c.base + "/v1/Credentials/" + cr.sid,
	}
}

func (e *Emulator) credentialRoutes() {
	e.handle("POST", "/v1/Credentials", e.createCredential)
	e.handle("GET", "/v1/Credentials", e.listCredentials)
	e.handle("GET", "/v1/Credentials/{Sid}", e.fetchCredential)
	e.handle("POST", "/v1/Credentials/{Sid}", e.updateCredential)
	e.handle("DELETE", "/v1/Credentials/{Sid}", e.deleteCredential)
}

// credentialInput reads FriendlyName and Sandbox into cr.
func (c *call) credentialInput(cr *credential) error {
	if v := c.optParam("FriendlyName"); v != nil {
		if tooLong(*v, maxShortName) {
			return badRequest(codeInvalidParam, "FriendlyName exceeds 64 characters")
		}
		cr.friendlyName = *v
	}
	if c.has("Sandbox") {
		b, err := strconv.ParseBool(c.param("Sandbox"))
		if err != nil {
			return invalidParam("Sandbox", c.param("Sandbox"))
		}
		cr.sandbox = b
	}
	return nil
}

// createCredential creates a credential. Type is required; an apn
// credential needs Certificate and PrivateKey, a gcm one ApiKey and an fcm
// one Secret.
func (e *Emulator) createCredential(c *call) (int, any, error) {
	cr := &credential{typ: c.param("Type")}
	need := map[string][]string{"apn": {"Certificate", "PrivateKey"}, "gcm": {"ApiKey"}, "fcm": {"Secret"}}
	names, ok := need[cr.typ]
	switch {
	case cr.typ == "":
		return 0, nil, missingParam("Type")
	case !ok:
		return 0, nil, invalidParam("Type", cr.typ)
	}
	for _, n := range names {
		if c.param(n) == "" {
			return 0, nil, missingParam(n)
		}
	}
	if err := c.credentialInput(cr); err != nil {
		return 0, nil, err
	}
	e.lock()
	defer e.unlock()
	now := e.nowLocked()
	cr.sid, cr.created, cr.updated = newSID("CR"), now, now
	e.credentials.put(cr.sid, cr)
	return http.StatusCreated, e.renderCredential(c, cr), nil
}

func (e *Emulator) listCredentials(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	return okList(paginate(c, e.credentials.all(), listOpts{"credentials", 50, 100},
		func(cr *credential) any { return e.renderCredential(c, cr) }))
}

func (c *call) credential() (*credential, error) {
	cr, ok := c.e.credentials.get(c.r.PathValue("Sid"))
	if !ok {
		return nil, notFound(c.r.URL.Path)
	}
	return cr, nil
}

func (e *Emulator) fetchCredential(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	cr, err := c.credential()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderCredential(c, cr), nil
}

// updateCredential updates FriendlyName and Sandbox; new secrets are
// accepted and dropped. A credential's Type cannot change.
func (e *Emulator) updateCredential(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	cr, err := c.credential()
	if err != nil {
		return 0, nil, err
	}
	if t := c.param("Type"); t != "" && t != cr.typ {
		return 0, nil, badRequest(codeInvalidParam, "The Type of credential %s cannot change from %s to %s", cr.sid, cr.typ, t)
	}
	draft := *cr
	if err := c.credentialInput(&draft); err != nil {
		return 0, nil, err
	}
	draft.updated = e.nowLocked()
	*cr = draft
	return http.StatusOK, e.renderCredential(c, cr), nil
}

func (e *Emulator) deleteCredential(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	cr, err := c.credential()
	if err != nil {
		return 0, nil, err
	}
	e.credentials.remove(cr.sid)
	return http.StatusNoContent, nil, nil
}
