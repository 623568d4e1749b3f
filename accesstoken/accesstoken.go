package accesstoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

const (
	// DefaultTTL is the lifetime of a token when neither [WithTTL] nor
	// [WithExpiresAt] is given.
	DefaultTTL = time.Hour

	// MaxTTL is the longest lifetime Twilio accepts for an Access Token.
	MaxTTL = 24 * time.Hour

	// MaxIdentityLength is the longest identity, in characters, that Twilio
	// Conversations accepts.
	MaxIdentityLength = 256
)

// Sentinel errors returned (wrapped) by [New]. Use [errors.Is] to test for
// them; the wrapping error's message says which value is wrong.
var (
	// ErrInvalidSID means a SID is empty or is not its two-letter prefix
	// followed by 32 hexadecimal digits.
	ErrInvalidSID = errors.New("accesstoken: invalid SID")

	// ErrMissingSecret means the API key secret is empty.
	ErrMissingSecret = errors.New("accesstoken: missing API key secret")

	// ErrInvalidIdentity means the identity is empty, longer than
	// [MaxIdentityLength] characters or not valid UTF-8.
	ErrInvalidIdentity = errors.New("accesstoken: invalid identity")

	// ErrInvalidGrant means an optional Chat grant field that is not a SID
	// (EndpointID, DeploymentRoleSID) is not valid UTF-8.
	ErrInvalidGrant = errors.New("accesstoken: invalid chat grant")

	// ErrInvalidTTL means the lifetime is not positive, longer than
	// [MaxTTL], not a whole number of seconds, or set both with [WithTTL]
	// and [WithExpiresAt].
	ErrInvalidTTL = errors.New("accesstoken: invalid TTL")

	// ErrExpired means the explicit expiry given with [WithExpiresAt] is
	// not after the issue time.
	ErrExpired = errors.New("accesstoken: token would already be expired")

	// ErrInvalidNotBefore means the not-before time given with
	// [WithNotBefore] is not before the expiry.
	ErrInvalidNotBefore = errors.New("accesstoken: invalid not-before time")

	// ErrInvalidRegion means the region given with [WithRegion] is not
	// made of lowercase ASCII letters and digits.
	ErrInvalidRegion = errors.New("accesstoken: invalid region")
)

// ChatGrant gives the token holder access to one Conversation Service
// (key "chat" in the token's grants).
type ChatGrant struct {
	// ServiceSID is the Conversation Service SID (IS…). Required.
	ServiceSID string
	// EndpointID optionally identifies the device or browser the token is
	// for. Left out of the token when empty.
	EndpointID string
	// PushCredentialSID is the optional push Credential SID (CR…) used for
	// push notifications. Left out of the token when empty.
	PushCredentialSID string
	// DeploymentRoleSID optionally overrides the Service's default role for
	// this participant. Left out of the token when empty.
	DeploymentRoleSID string
}

// Option configures a token built by [New].
type Option func(*config)

type config struct {
	ttl       time.Duration
	ttlSet    bool
	expiresAt time.Time
	notBefore time.Time
	region    string
	now       func() time.Time
}

// WithTTL sets how long the token is valid, counted from its issue time.
// It must be a whole number of seconds greater than zero and at most
// [MaxTTL]; the default is [DefaultTTL]. It cannot be combined with
// [WithExpiresAt].
func WithTTL(ttl time.Duration) Option {
	return func(c *config) {
		c.ttl = ttl
		c.ttlSet = true
	}
}

// WithExpiresAt sets an explicit expiry time instead of a TTL. It is
// truncated to whole seconds and must be after the issue time and no more
// than [MaxTTL] after it; the zero time means none. It cannot be combined
// with [WithTTL].
func WithExpiresAt(t time.Time) Option {
	return func(c *config) { c.expiresAt = t }
}

// WithNotBefore sets the time before which the token must not be accepted
// (claim "nbf"). It is truncated to whole seconds and must be before the
// expiry. The default, also used for the zero time, is the issue time.
func WithNotBefore(t time.Time) Option {
	return func(c *config) { c.notBefore = t }
}

// WithRegion sets the Twilio region the token is for (such as "ie1"), added
// as the "twr" header. An empty region means none, so the value of an unset
// environment variable can be passed as is.
func WithRegion(region string) Option {
	return func(c *config) { c.region = region }
}

// WithClock sets the function that gives the issue time; it defaults to
// [time.Now]. It exists for tests and reproducible tokens.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Token is a signed Access Token. It holds the encoded JWT and the times it
// was minted with, but not the API key secret. Create one with [New].
type Token struct {
	identity  string
	issuedAt  time.Time
	notBefore time.Time
	expiresAt time.Time
	jwt       string
}

// JWT returns the token in compact JWT form (header.claims.signature), the
// string to hand to a Conversations client SDK.
func (t *Token) JWT() string { return t.jwt }

// Identity returns the identity the token was minted for.
func (t *Token) Identity() string { return t.identity }

// IssuedAt returns the issue time, in whole seconds (claim "iat").
func (t *Token) IssuedAt() time.Time { return t.issuedAt }

// NotBefore returns the time from which the token is valid (claim "nbf").
func (t *Token) NotBefore() time.Time { return t.notBefore }

// ExpiresAt returns the time at which the token expires (claim "exp").
// Clients should fetch a new token before then.
func (t *Token) ExpiresAt() time.Time { return t.expiresAt }

type header struct {
	Typ string `json:"typ"`
	Alg string `json:"alg"`
	Cty string `json:"cty"`
	Twr string `json:"twr,omitempty"`
}

type claims struct {
	JTI    string `json:"jti"`
	Iss    string `json:"iss"`
	Sub    string `json:"sub"`
	Iat    int64  `json:"iat"`
	Exp    int64  `json:"exp"`
	Nbf    int64  `json:"nbf"`
	Grants grants `json:"grants"`
}

type grants struct {
	Identity string    `json:"identity"`
	Chat     chatClaim `json:"chat"`
}

type chatClaim struct {
	ServiceSID        string `json:"service_sid"`
	EndpointID        string `json:"endpoint_id,omitempty"`
	PushCredentialSID string `json:"push_credential_sid,omitempty"`
	DeploymentRoleSID string `json:"deployment_role_sid,omitempty"`
}

// New validates its inputs and mints a token for identity, signed with the
// API key secret.
//
// accountSID is the Account SID (AC…), apiKeySID and apiKeySecret an API key
// (SK…) created in the same account and region. identity names the chat
// participant; grant must carry the Conversation Service SID.
//
// All validation happens here: the returned error wraps one of the
// package's sentinel errors and never contains the secret.
func New(accountSID, apiKeySID, apiKeySecret, identity string, grant ChatGrant, opts ...Option) (*Token, error) {
	cfg := config{ttl: DefaultTTL}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}

	if err := checkSID("account SID", "AC", accountSID); err != nil {
		return nil, err
	}
	if err := checkSID("API key SID", "SK", apiKeySID); err != nil {
		return nil, err
	}
	if apiKeySecret == "" {
		return nil, ErrMissingSecret
	}
	if err := checkIdentity(identity); err != nil {
		return nil, err
	}
	if err := checkSID("Conversation Service SID (ChatGrant.ServiceSID)", "IS", grant.ServiceSID); err != nil {
		return nil, err
	}
	if grant.PushCredentialSID != "" {
		if err := checkSID("push credential SID (ChatGrant.PushCredentialSID)", "CR", grant.PushCredentialSID); err != nil {
			return nil, err
		}
	}
	if !utf8.ValidString(grant.EndpointID) {
		return nil, fmt.Errorf("%w: ChatGrant.EndpointID is not valid UTF-8", ErrInvalidGrant)
	}
	if !utf8.ValidString(grant.DeploymentRoleSID) {
		return nil, fmt.Errorf("%w: ChatGrant.DeploymentRoleSID is not valid UTF-8", ErrInvalidGrant)
	}
	if err := checkRegion(cfg.region); err != nil {
		return nil, err
	}

	now := time.Now
	if cfg.now != nil {
		now = cfg.now
	}
	iat := time.Unix(now().Unix(), 0)

	var exp time.Time
	if cfg.expiresAt.IsZero() {
		if err := checkTTL(cfg.ttl); err != nil {
			return nil, err
		}
		exp = iat.Add(cfg.ttl)
	} else {
		if cfg.ttlSet {
			return nil, fmt.Errorf("%w: WithTTL and WithExpiresAt cannot both be used", ErrInvalidTTL)
		}
		exp = time.Unix(cfg.expiresAt.Unix(), 0)
		if !exp.After(iat) {
			return nil, fmt.Errorf("%w: expiry %s is not after issue time %s",
				ErrExpired, exp.UTC().Format(time.RFC3339), iat.UTC().Format(time.RFC3339))
		}
		if exp.Sub(iat) > MaxTTL {
			return nil, fmt.Errorf("%w: expiry %s is more than %s after issue time %s",
				ErrInvalidTTL, exp.UTC().Format(time.RFC3339), MaxTTL, iat.UTC().Format(time.RFC3339))
		}
	}

	nbf := iat
	if !cfg.notBefore.IsZero() {
		nbf = time.Unix(cfg.notBefore.Unix(), 0)
	}
	if !nbf.Before(exp) {
		return nil, fmt.Errorf("%w: not-before %s is not before expiry %s",
			ErrInvalidNotBefore, nbf.UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339))
	}

	h := header{Typ: "JWT", Alg: "HS256", Cty: "twilio-fpa;v=1", Twr: cfg.region}
	c := claims{
		JTI: apiKeySID + "-" + strconv.FormatInt(iat.Unix(), 10),
		Iss: apiKeySID,
		Sub: accountSID,
		Iat: iat.Unix(),
		Exp: exp.Unix(),
		Nbf: nbf.Unix(),
		Grants: grants{
			Identity: identity,
			Chat: chatClaim{
				ServiceSID:        grant.ServiceSID,
				EndpointID:        grant.EndpointID,
				PushCredentialSID: grant.PushCredentialSID,
				DeploymentRoleSID: grant.DeploymentRoleSID,
			},
		},
	}
	jwt, err := sign(h, c, apiKeySecret)
	if err != nil {
		return nil, err
	}
	return &Token{
		identity:  identity,
		issuedAt:  iat,
		notBefore: nbf,
		expiresAt: exp,
		jwt:       jwt,
	}, nil
}

// sign encodes header and claims and appends the HS256 signature.
func sign(h header, c claims, secret string) (string, error) {
	hb, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("accesstoken: encoding header: %w", err)
	}
	cb, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("accesstoken: encoding claims: %w", err)
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil)), nil
}

// checkSID reports whether sid is prefix followed by 32 hex digits. The
// message never repeats the value, which could be a misplaced secret; it
// only names a wrong SID prefix, the commonest mistake (a CH Conversation SID
// where an IS Service SID belongs).
func checkSID(what, prefix, sid string) error {
	if sid == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalidSID, what)
	}
	if len(sid) == 34 && sid[:2] != prefix && isUpper(sid[0]) && isUpper(sid[1]) {
		return fmt.Errorf("%w: %s starts with %s, want %s followed by 32 hex digits",
			ErrInvalidSID, what, sid[:2], prefix)
	}
	ok := len(sid) == 34 && sid[:2] == prefix
	for i := 2; ok && i < len(sid); i++ {
		ok = isHex(sid[i])
	}
	if !ok {
		return fmt.Errorf("%w: %s is ill-formed (%d bytes), want %s followed by 32 hex digits",
			ErrInvalidSID, what, len(sid), prefix)
	}
	return nil
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

func checkIdentity(identity string) error {
	switch {
	case identity == "":
		return fmt.Errorf("%w: identity is empty", ErrInvalidIdentity)
	case !utf8.ValidString(identity):
		return fmt.Errorf("%w: identity is not valid UTF-8", ErrInvalidIdentity)
	case utf8.RuneCountInString(identity) > MaxIdentityLength:
		return fmt.Errorf("%w: identity is %d characters long, more than %d",
			ErrInvalidIdentity, utf8.RuneCountInString(identity), MaxIdentityLength)
	}
	return nil
}

func checkTTL(ttl time.Duration) error {
	switch {
	case ttl <= 0:
		return fmt.Errorf("%w: %s is not positive", ErrInvalidTTL, ttl)
	case ttl > MaxTTL:
		return fmt.Errorf("%w: %s is longer than the maximum %s", ErrInvalidTTL, ttl, MaxTTL)
	case ttl%time.Second != 0:
		return fmt.Errorf("%w: %s is not a whole number of seconds", ErrInvalidTTL, ttl)
	}
	return nil
}

func checkRegion(region string) error {
	const maxLen = 16
	if len(region) > maxLen {
		return fmt.Errorf("%w: region is %d bytes long, more than %d", ErrInvalidRegion, len(region), maxLen)
	}
	for i := 0; i < len(region); i++ {
		b := region[i]
		if !('a' <= b && b <= 'z' || '0' <= b && b <= '9') {
			return fmt.Errorf("%w: %q: want lowercase letters and digits, such as \"ie1\"",
				ErrInvalidRegion, region)
		}
	}
	return nil
}
