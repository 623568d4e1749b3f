package conversationstest

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/conversations-go/conversations"
)

// binding is a push notification Binding (BS…) of a service: a device of a
// user registered by a client SDK. The REST API can only read and delete
// bindings; [Emulator.RegisterBinding] simulates an SDK registering one.
type binding struct {
	sid              string
	identity         string
	typ              string // apn, gcm, fcm or twilsock
	endpoint         string
	credentialSid    string
	created, updated time.Time
}

// bindingMessageTypes are the notifications a binding receives.
var bindingMessageTypes = []string{"removed_from_conversation", "new_message", "added_to_conversation"}

type bindingJSON struct {
	Sid            string   `json:"sid"`
	AccountSid     string   `json:"account_sid"`
	ChatServiceSid string   `json:"chat_service_sid"`
	DateCreated    string   `json:"date_created"`
	DateUpdated    string   `json:"date_updated"`
	Endpoint       string   `json:"endpoint"`
	Identity       string   `json:"identity"`
	BindingType    string   `json:"binding_type"`
	CredentialSid  *string  `json:"credential_sid"`
	MessageTypes   []string `json:"message_types"`
	URL            string   `json:"url"`
}

func (e *Emulator) renderBinding(c *call, svc *service, b *binding) any {
	return bindingJSON{
		Sid:            b.sid,
		AccountSid:     e.cfg.accountSID,
		ChatServiceSid: svc.sid,
		DateCreated:    fmtDate(b.created),
		DateUpdated:    fmtDate(b.updated),
		Endpoint:       b.endpoint,
		Identity:       b.identity,
		BindingType:    b.typ,
		CredentialSid:  strOrNil(b.credentialSid),
		MessageTypes:   bindingMessageTypes,
		URL:            c.base + "/v1/Services/" + svc.sid + "/Bindings/" + b.sid,
	}
}

func (e *Emulator) bindingRoutes() {
	const base = "/v1/Services/{ChatServiceSid}/Bindings"
	e.handle("GET", base, e.listBindings)
	e.handle("GET", base+"/{Sid}", e.fetchBinding)
	e.handle("DELETE", base+"/{Sid}", e.deleteBinding)
}

// RegisterBinding simulates a client SDK registering a device for push
// notifications: it adds a binding of type bindingType (apn, gcm, fcm or
// twilsock) for identity in the service (its SID; "" for the default
// service), with address as the device endpoint, and returns its SID (BS…).
// The binding uses the account's first push credential of a matching type,
// if any. As with Twilio, the identity's user is created if it has none.
func (e *Emulator) RegisterBinding(serviceSID, identity string, bindingType conversations.BindingType, address string) (string, error) {
	switch bindingType {
	case conversations.BindingAPN, conversations.BindingGCM, conversations.BindingFCM, conversations.BindingTwilsock:
	default:
		return "", fmt.Errorf("conversationstest: RegisterBinding: invalid binding type %q", bindingType)
	}
	if identity == "" || address == "" {
		return "", fmt.Errorf("conversationstest: RegisterBinding: identity and address are required")
	}
	e.lock()
	defer e.unlock()
	svc := e.defaultSvc
	if serviceSID != "" {
		var ok bool
		if svc, ok = e.services.get(serviceSID); !ok {
			return "", fmt.Errorf("conversationstest: RegisterBinding: service %s not found", serviceSID)
		}
	}
	e.ensureUser(svc, identity, origin{})
	now := e.nowLocked()
	b := &binding{sid: newSID("BS"), identity: identity, typ: string(bindingType), endpoint: address, created: now, updated: now}
	if cr, ok := e.credentials.find(func(cr *credential) bool {
		return cr.typ == b.typ || cr.typ != "apn" && (b.typ == "gcm" || b.typ == "fcm")
	}); ok {
		b.credentialSid = cr.sid
	}
	svc.bindings.put(b.sid, b)
	e.changed()
	return b.sid, nil
}

func (e *Emulator) listBindings(c *call) (int, any, error) {
	types, identities := c.form["BindingType"], c.form["Identity"]
	for _, t := range types {
		if !slices.Contains([]string{"apn", "gcm", "fcm", "twilsock"}, t) {
			return 0, nil, invalidParam("BindingType", t)
		}
	}
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	items := slices.DeleteFunc(svc.bindings.all(), func(b *binding) bool {
		return len(types) > 0 && !slices.Contains(types, b.typ) ||
			len(identities) > 0 && !slices.Contains(identities, b.identity)
	})
	return okList(paginate(c, items, listOpts{"bindings", 50, 100},
		func(b *binding) any { return e.renderBinding(c, svc, b) }))
}

func (c *call) binding() (*service, *binding, error) {
	svc, err := c.service()
	if err != nil {
		return nil, nil, err
	}
	b, ok := svc.bindings.get(c.r.PathValue("Sid"))
	if !ok {
		return nil, nil, notFound(c.r.URL.Path)
	}
	return svc, b, nil
}

func (e *Emulator) fetchBinding(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, b, err := c.binding()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderBinding(c, svc, b), nil
}

func (e *Emulator) deleteBinding(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, b, err := c.binding()
	if err != nil {
		return 0, nil, err
	}
	svc.bindings.remove(b.sid)
	return http.StatusNoContent, nil, nil
}
