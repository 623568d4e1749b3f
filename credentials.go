package conversations

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"
)

// Credential is a push notification credential: the APN certificate or the
// GCM/FCM key Twilio uses to send push notifications to an app. Its secrets
// are never returned.
type Credential struct {
	SID          string   `json:"sid"`
	AccountSID   string   `json:"account_sid"`
	FriendlyName string   `json:"friendly_name"`
	Type         PushType `json:"type"`
	// Sandbox reports whether an APN credential uses the sandbox APNs.
	// Twilio sends it as a string ("False"); it is decoded as a boolean.
	Sandbox     bool      `json:"sandbox"`
	DateCreated time.Time `json:"date_created"`
	DateUpdated time.Time `json:"date_updated"`
	URL         string    `json:"url"`
}

// UnmarshalJSON decodes a credential, accepting sandbox as a boolean or as
// a string such as "False".
func (c *Credential) UnmarshalJSON(b []byte) error {
	type plain Credential
	aux := struct {
		*plain
		Sandbox looseBool `json:"sandbox"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	c.Sandbox = bool(aux.Sandbox)
	return nil
}

// looseBool decodes true, false, null, or a string strconv.ParseBool
// accepts ("True", "false", "1"...; "" is false).
type looseBool bool

func (l *looseBool) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*l = false
	case bool:
		*l = looseBool(v)
	case string:
		if v == "" {
			*l = false
			return nil
		}
		p, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("conversations: %q is not a boolean", v)
		}
		*l = looseBool(p)
	default:
		return fmt.Errorf("conversations: %s is not a boolean", b)
	}
	return nil
}

// CredentialCreateParams are the parameters of [CredentialsService.Create];
// unset fields are not sent. Certificate, PrivateKey and Sandbox apply to
// APN, APIKey to GCM, Secret to FCM.
//
// The secret fields are never included in errors, and String redacts them.
type CredentialCreateParams struct {
	// Type is the push service (required).
	Type         PushType `url:"Type"`
	FriendlyName string   `url:"FriendlyName,omitempty"`
	// Certificate is the APN certificate, PEM encoded.
	Certificate string `url:"Certificate,omitempty"`
	// PrivateKey is the APN private key, PEM encoded.
	PrivateKey string `url:"PrivateKey,omitempty"`
	// Sandbox sends to the sandbox APNs when true, to production when false.
	Sandbox *bool `url:"Sandbox,omitempty"`
	// APIKey is the GCM API key.
	APIKey string `url:"ApiKey,omitempty"`
	// Secret is the FCM server key.
	Secret string `url:"Secret,omitempty"`
}

// CredentialUpdateParams are the parameters of [CredentialsService.Update];
// unset fields are not changed. The fields are those of
// [CredentialCreateParams], with Type optional.
//
// The secret fields are never included in errors, and String redacts them.
type CredentialUpdateParams struct {
	Type         PushType `url:"Type,omitempty"`
	FriendlyName string   `url:"FriendlyName,omitempty"`
	Certificate  string   `url:"Certificate,omitempty"`
	PrivateKey   string   `url:"PrivateKey,omitempty"`
	Sandbox      *bool    `url:"Sandbox,omitempty"`
	APIKey       string   `url:"ApiKey,omitempty"`
	Secret       string   `url:"Secret,omitempty"`
}

func (p *CredentialCreateParams) validate() error {
	if err := requireField(p == nil || p.Type == "", "Type"); err != nil {
		return err
	}
	return checkPushType(p.Type)
}

func (p *CredentialUpdateParams) validate() error {
	if p == nil || p.Type == "" {
		return nil
	}
	return checkPushType(p.Type)
}

func checkPushType(t PushType) error {
	switch t {
	case PushAPN, PushGCM, PushFCM:
		return nil
	}
	return fmt.Errorf("conversations: Type: %q is not apn, gcm or fcm", string(t))
}

// String describes the params with the secret fields redacted.
func (p CredentialCreateParams) String() string {
	return describeCredential("CredentialCreateParams", CredentialUpdateParams(p))
}

// GoString is String, so that %#v redacts the secrets too.
func (p CredentialCreateParams) GoString() string { return p.String() }

// String describes the params with the secret fields redacted.
func (p CredentialUpdateParams) String() string {
	return describeCredential("CredentialUpdateParams", p)
}

// GoString is String, so that %#v redacts the secrets too.
func (p CredentialUpdateParams) GoString() string { return p.String() }

func describeCredential(name string, p CredentialUpdateParams) string {
	redact := func(s string) string {
		if s == "" {
			return `""`
		}
		return "[redacted]"
	}
	sandbox := "unset"
	if p.Sandbox != nil {
		sandbox = strconv.FormatBool(*p.Sandbox)
	}
	return fmt.Sprintf("%s{Type:%q FriendlyName:%q Certificate:%s PrivateKey:%s Sandbox:%s APIKey:%s Secret:%s}",
		name, string(p.Type), p.FriendlyName, redact(p.Certificate), redact(p.PrivateKey), sandbox, redact(p.APIKey), redact(p.Secret))
}

// Create creates a push credential. params.Type is required.
//
// POST /v1/Credentials
func (s *CredentialsService) Create(ctx context.Context, params *CredentialCreateParams) (*Credential, error) {
	return doCall[Credential](ctx, (*service)(s), http.MethodPost, "Credentials", params)
}

// Fetch fetches a push credential by SID (CR...).
//
// GET /v1/Credentials/{Sid}
func (s *CredentialsService) Fetch(ctx context.Context, sid string) (*Credential, error) {
	return doCall[Credential](ctx, (*service)(s), http.MethodGet, "Credentials/{Sid}", nil, sid)
}

// Update updates a push credential, such as to rotate its certificate or key.
//
// POST /v1/Credentials/{Sid}
func (s *CredentialsService) Update(ctx context.Context, sid string, params *CredentialUpdateParams) (*Credential, error) {
	return doCall[Credential](ctx, (*service)(s), http.MethodPost, "Credentials/{Sid}", params, sid)
}

// Delete deletes a push credential.
//
// DELETE /v1/Credentials/{Sid}
func (s *CredentialsService) Delete(ctx context.Context, sid string) error {
	return (*service)(s).call(ctx, http.MethodDelete, "Credentials/{Sid}", nil, nil, sid)
}

// List iterates over the account's push credentials.
//
// A page holds at most 100 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Credentials
func (s *CredentialsService) List(ctx context.Context, params *ListParams) iter.Seq2[*Credential, error] {
	return listAll[Credential](ctx, (*service)(s), "Credentials", "credentials", 100, params)
}

// Pager reads the push credentials one page at a time.
//
// A page holds at most 100 items; params.Limit ends the list early.
func (s *CredentialsService) Pager(params *ListParams) *Pager[Credential] {
	return newPager[Credential]((*service)(s), "Credentials", "credentials", 100, params)
}
