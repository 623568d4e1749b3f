package accesstoken_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/accesstoken"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	apiKeySID  = "SKfedcba9876543210fedcba9876543210"
	apiSecret  = "s3cr3t-api-key-secret-value-0123"
	serviceSID = "IS00112233445566778899aabbccddeeff"
	pushCred   = "CRffeeddccbbaa99887766554433221100"
	roleSID    = "RL0a1b2c3d4e5f60718293a4b5c6d7e8f9"

	// fixedUnix is 2025-01-02T03:04:05Z.
	fixedUnix = 1735787045
)

var fixedNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

// mint builds a token with the test credentials and a fixed clock.
func mint(t *testing.T, identity string, grant accesstoken.ChatGrant, opts ...accesstoken.Option) *accesstoken.Token {
	t.Helper()
	opts = append([]accesstoken.Option{accesstoken.WithClock(fixedClock)}, opts...)
	tok, err := accesstoken.New(accountSID, apiKeySID, apiSecret, identity, grant, opts...)
	require.NoError(t, err)
	return tok
}

// parts splits a JWT and decodes its header and claims.
func parts(t *testing.T, token string) (headerJSON []byte, header, claims map[string]any) {
	t.Helper()
	segs := strings.Split(token, ".")
	require.Len(t, segs, 3)
	for _, s := range segs {
		require.NotContains(t, s, "=", "segments must be unpadded")
	}
	hb, err := base64.RawURLEncoding.DecodeString(segs[0])
	require.NoError(t, err)
	cb, err := base64.RawURLEncoding.DecodeString(segs[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(hb, &header))
	require.NoError(t, json.Unmarshal(cb, &claims))
	return hb, header, claims
}

// verify checks the signature and registered claims with golang-jwt at the
// fixed time.
func verify(token, secret string, at time.Time) (*jwt.Token, error) {
	return jwt.Parse(token,
		func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithTimeFunc(func() time.Time { return at }),
		jwt.WithExpirationRequired(),
		jwt.WithNotBeforeRequired(),
		jwt.WithIssuer(apiKeySID),
		jwt.WithSubject(accountSID),
	)
}

func TestVerifiesWithJWTLibrary(t *testing.T) {
	t.Parallel()
	tok := mint(t, "alice", accesstoken.ChatGrant{ServiceSID: serviceSID})

	parsed, err := verify(tok.JWT(), apiSecret, fixedNow.Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, parsed.Valid)
	assert.Equal(t, "HS256", parsed.Method.Alg())

	_, err = verify(tok.JWT(), "wrong-secret", fixedNow.Add(time.Minute))
	require.ErrorIs(t, err, jwt.ErrTokenSignatureInvalid)

	_, err = verify(tok.JWT(), apiSecret, fixedNow.Add(time.Hour+time.Second))
	require.ErrorIs(t, err, jwt.ErrTokenExpired)
}

func TestVerifiesWithRealClock(t *testing.T) {
	t.Parallel()
	tok, err := accesstoken.New(accountSID, apiKeySID, apiSecret, "alice",
		accesstoken.ChatGrant{ServiceSID: serviceSID})
	require.NoError(t, err)
	_, err = verify(tok.JWT(), apiSecret, time.Now())
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), tok.IssuedAt(), 5*time.Second)
}

func TestHeaderAndClaimsMatchReference(t *testing.T) {
	t.Parallel()
	tok := mint(t, "alice@example.com", accesstoken.ChatGrant{
		ServiceSID:        serviceSID,
		EndpointID:        "chat-app:alice:browser-1",
		PushCredentialSID: pushCred,
		DeploymentRoleSID: roleSID,
	})

	hb, header, claims := parts(t, tok.JWT())
	assert.JSONEq(t, `{"typ":"JWT","alg":"HS256","cty":"twilio-fpa;v=1"}`, string(hb))
	assert.Equal(t, `{"typ":"JWT","alg":"HS256","cty":"twilio-fpa;v=1"}`, string(hb),
		"header bytes must match the reference exactly")
	assert.Equal(t, map[string]any{"typ": "JWT", "alg": "HS256", "cty": "twilio-fpa;v=1"}, header)

	assert.Equal(t, map[string]any{
		"jti": "SKfedcba9876543210fedcba9876543210-1735787045",
		"iss": apiKeySID,
		"sub": accountSID,
		"iat": float64(fixedUnix),
		"nbf": float64(fixedUnix),
		"exp": float64(fixedUnix + 3600),
		"grants": map[string]any{
			"identity": "alice@example.com",
			"chat": map[string]any{
				"service_sid":         serviceSID,
				"endpoint_id":         "chat-app:alice:browser-1",
				"push_credential_sid": pushCred,
				"deployment_role_sid": roleSID,
			},
		},
	}, claims)
}

func TestRegionHeader(t *testing.T) {
	t.Parallel()
	grant := accesstoken.ChatGrant{ServiceSID: serviceSID}

	hb, header, _ := parts(t, mint(t, "alice", grant, accesstoken.WithRegion("ie1")).JWT())
	assert.Equal(t, `{"typ":"JWT","alg":"HS256","cty":"twilio-fpa;v=1","twr":"ie1"}`, string(hb))
	assert.Equal(t, "ie1", header["twr"])

	for name, opts := range map[string][]accesstoken.Option{
		"no option":    nil,
		"empty region": {accesstoken.WithRegion("")},
	} {
		_, header, _ := parts(t, mint(t, "alice", grant, opts...).JWT())
		assert.NotContains(t, header, "twr", name)
	}

	tok := mint(t, "alice", grant, accesstoken.WithRegion("au1"))
	_, err := verify(tok.JWT(), apiSecret, fixedNow)
	require.NoError(t, err)
}

func TestOptionalGrantFieldsOmitted(t *testing.T) {
	t.Parallel()
	_, _, claims := parts(t, mint(t, "alice", accesstoken.ChatGrant{ServiceSID: serviceSID}).JWT())
	assert.Equal(t, map[string]any{
		"identity": "alice",
		"chat":     map[string]any{"service_sid": serviceSID},
	}, claims["grants"])
	assert.Equal(t, float64(fixedUnix), claims["iat"], "iat is the issue time")

	_, _, claims = parts(t, mint(t, "alice", accesstoken.ChatGrant{
		ServiceSID: serviceSID,
		EndpointID: "ep-1",
	}).JWT())
	assert.Equal(t, map[string]any{"service_sid": serviceSID, "endpoint_id": "ep-1"},
		claims["grants"].(map[string]any)["chat"])
}

func TestTTL(t *testing.T) {
	t.Parallel()
	grant := accesstoken.ChatGrant{ServiceSID: serviceSID}

	accepted := []time.Duration{time.Second, 5 * time.Minute, time.Hour, 90 * time.Minute, accesstoken.MaxTTL}
	for _, ttl := range accepted {
		tok := mint(t, "alice", grant, accesstoken.WithTTL(ttl))
		_, _, claims := parts(t, tok.JWT())
		want := float64(fixedUnix) + ttl.Seconds()
		assert.Equal(t, want, claims["exp"], "ttl %s", ttl)
		assert.Equal(t, ttl.Seconds(), claims["exp"].(float64)-claims["nbf"].(float64), "ttl %s", ttl)
		assert.Equal(t, fixedNow.Add(ttl), tok.ExpiresAt().UTC())
	}

	// The official Go SDK raises anything under an hour to 3600; we don't.
	_, _, claims := parts(t, mint(t, "alice", grant, accesstoken.WithTTL(5*time.Minute)).JWT())
	assert.Equal(t, float64(300), claims["exp"].(float64)-claims["nbf"].(float64))

	rejected := []time.Duration{0, -time.Second, -accesstoken.MaxTTL, accesstoken.MaxTTL + time.Second,
		1500 * time.Millisecond, time.Nanosecond, 1<<63 - 1}
	for _, ttl := range rejected {
		_, err := accesstoken.New(accountSID, apiKeySID, apiSecret, "alice", grant,
			accesstoken.WithClock(fixedClock), accesstoken.WithTTL(ttl))
		require.ErrorIs(t, err, accesstoken.ErrInvalidTTL, "ttl %s", ttl)
		assert.NotContains(t, err.Error(), apiSecret)
	}
}

func TestExpiresAt(t *testing.T) {
	t.Parallel()
	grant := accesstoken.ChatGrant{ServiceSID: serviceSID}
	build := func(opts ...accesstoken.Option) (*accesstoken.Token, error) {
		opts = append([]accesstoken.Option{accesstoken.WithClock(fixedClock)}, opts...)
		return accesstoken.New(accountSID, apiKeySID, apiSecret, "alice", grant, opts...)
	}

	tok, err := build(accesstoken.WithExpiresAt(fixedNow.Add(10*time.Minute + 999*time.Millisecond)))
	require.NoError(t, err)
	_, _, claims := parts(t, tok.JWT())
	assert.Equal(t, float64(fixedUnix+600), claims["exp"], "sub-second expiry truncated")

	_, err = build(accesstoken.WithExpiresAt(fixedNow.Add(accesstoken.MaxTTL)))
	require.NoError(t, err)

	for name, tc := range map[string]struct {
		at   time.Time
		want error
	}{
		"in the past":    {fixedNow.Add(-time.Minute), accesstoken.ErrExpired},
		"at issue time":  {fixedNow, accesstoken.ErrExpired},
		"same second":    {fixedNow.Add(500 * time.Millisecond), accesstoken.ErrExpired},
		"long ago":       {time.Unix(1, 0), accesstoken.ErrExpired},
		"over 24 hours":  {fixedNow.Add(accesstoken.MaxTTL + time.Second), accesstoken.ErrInvalidTTL},
		"far in future":  {fixedNow.AddDate(100, 0, 0), accesstoken.ErrInvalidTTL},
		"other timezone": {fixedNow.In(time.FixedZone("X", 5*3600)).Add(-time.Second), accesstoken.ErrExpired},
	} {
		_, err := build(accesstoken.WithExpiresAt(tc.at))
		require.ErrorIs(t, err, tc.want, name)
	}

	_, err = build(accesstoken.WithTTL(time.Hour), accesstoken.WithExpiresAt(fixedNow.Add(time.Hour)))
	require.ErrorIs(t, err, accesstoken.ErrInvalidTTL, "TTL and expiry together")
}

func TestNotBefore(t *testing.T) {
	t.Parallel()
	grant := accesstoken.ChatGrant{ServiceSID: serviceSID}

	nbf := fixedNow.Add(-30 * time.Second)
	tok := mint(t, "alice", grant, accesstoken.WithNotBefore(nbf))
	_, _, claims := parts(t, tok.JWT())
	assert.Equal(t, float64(fixedUnix-30), claims["nbf"])
	assert.Equal(t, float64(fixedUnix+3600), claims["exp"], "exp counts from issue time, not nbf")
	assert.Equal(t, "SKfedcba9876543210fedcba9876543210-1735787045", claims["jti"])
	assert.True(t, tok.NotBefore().Equal(nbf))

	later := mint(t, "alice", grant, accesstoken.WithNotBefore(fixedNow.Add(10*time.Minute)))
	_, err := verify(later.JWT(), apiSecret, fixedNow)
	require.ErrorIs(t, err, jwt.ErrTokenNotValidYet)
	_, err = verify(later.JWT(), apiSecret, fixedNow.Add(10*time.Minute))
	require.NoError(t, err)

	for _, at := range []time.Time{fixedNow.Add(time.Hour), fixedNow.Add(2 * time.Hour)} {
		_, err := accesstoken.New(accountSID, apiKeySID, apiSecret, "alice", grant,
			accesstoken.WithClock(fixedClock), accesstoken.WithNotBefore(at))
		require.ErrorIs(t, err, accesstoken.ErrInvalidNotBefore)
	}
}

func TestAccessors(t *testing.T) {
	t.Parallel()
	tok := mint(t, "bob", accesstoken.ChatGrant{ServiceSID: serviceSID}, accesstoken.WithTTL(20*time.Minute))
	assert.Equal(t, "bob", tok.Identity())
	assert.True(t, tok.IssuedAt().Equal(fixedNow))
	assert.True(t, tok.NotBefore().Equal(fixedNow))
	assert.True(t, tok.ExpiresAt().Equal(fixedNow.Add(20*time.Minute)))
}

func TestSubSecondClockTruncated(t *testing.T) {
	t.Parallel()
	clock := func() time.Time { return fixedNow.Add(999 * time.Millisecond) }
	tok, err := accesstoken.New(accountSID, apiKeySID, apiSecret, "alice",
		accesstoken.ChatGrant{ServiceSID: serviceSID}, accesstoken.WithClock(clock))
	require.NoError(t, err)
	assert.Equal(t, mint(t, "alice", accesstoken.ChatGrant{ServiceSID: serviceSID}).JWT(), tok.JWT())
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	grant := accesstoken.ChatGrant{ServiceSID: serviceSID, EndpointID: "e", PushCredentialSID: pushCred}
	a := mint(t, "alice", grant, accesstoken.WithRegion("ie1"), accesstoken.WithTTL(15*time.Minute))
	b := mint(t, "alice", grant, accesstoken.WithRegion("ie1"), accesstoken.WithTTL(15*time.Minute))
	assert.Equal(t, a.JWT(), b.JWT())

	c := mint(t, "alice", grant, accesstoken.WithRegion("ie1"), accesstoken.WithTTL(16*time.Minute))
	assert.NotEqual(t, a.JWT(), c.JWT())

	// A frozen token, computed outside Go (Python hmac/hashlib/base64) from
	// the exact reference header and claims, guards the encoding byte for byte.
	const golden = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0." +
		"eyJqdGkiOiJTS2ZlZGNiYTk4NzY1NDMyMTBmZWRjYmE5ODc2NTQzMjEwLTE3MzU3ODcwNDUiLCJpc3MiOiJTS2ZlZGNiYTk4NzY1NDMyMTBmZWRjYmE5ODc2NTQzMjEwIiwic3ViIjoiQUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsImlhdCI6MTczNTc4NzA0NSwiZXhwIjoxNzM1NzkwNjQ1LCJuYmYiOjE3MzU3ODcwNDUsImdyYW50cyI6eyJpZGVudGl0eSI6ImFsaWNlIiwiY2hhdCI6eyJzZXJ2aWNlX3NpZCI6IklTMDAxMTIyMzM0NDU1NjY3Nzg4OTlhYWJiY2NkZGVlZmYifX19." +
		"kc3e4IBtCB25YVoexvuZXdulPtXBwak2qzxeDhRidUI"
	got := mint(t, "alice", accesstoken.ChatGrant{ServiceSID: serviceSID}).JWT()
	assert.Equal(t, golden, got)
}

func TestNilOptionsIgnored(t *testing.T) {
	t.Parallel()
	tok, err := accesstoken.New(accountSID, apiKeySID, apiSecret, "alice",
		accesstoken.ChatGrant{ServiceSID: serviceSID}, nil, accesstoken.WithClock(nil))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), tok.IssuedAt(), 5*time.Second)
}

func TestValidation(t *testing.T) {
	t.Parallel()
	good := accesstoken.ChatGrant{ServiceSID: serviceSID}
	type input struct {
		account, key, secret, identity string
		grant                          accesstoken.ChatGrant
		opts                           []accesstoken.Option
	}
	base := func(mod func(*input)) input {
		in := input{accountSID, apiKeySID, apiSecret, "alice", good, nil}
		mod(&in)
		return in
	}
	tests := []struct {
		name    string
		in      input
		want    error
		message string
	}{
		{"empty account", base(func(in *input) { in.account = "" }), accesstoken.ErrInvalidSID, "account SID is empty"},
		{"account wrong prefix", base(func(in *input) { in.account = "SK" + accountSID[2:] }), accesstoken.ErrInvalidSID, "account SID starts with SK, want AC"},
		{"account short", base(func(in *input) { in.account = accountSID[:33] }), accesstoken.ErrInvalidSID, "account SID is ill-formed"},
		{"account not hex", base(func(in *input) { in.account = "AC0123456789abcdef0123456789abcdeg" }), accesstoken.ErrInvalidSID, "account SID"},
		{"account lowercase prefix", base(func(in *input) { in.account = "ac" + accountSID[2:] }), accesstoken.ErrInvalidSID, "account SID"},
		{"empty key", base(func(in *input) { in.key = "" }), accesstoken.ErrInvalidSID, "API key SID is empty"},
		{"key is account", base(func(in *input) { in.key = accountSID }), accesstoken.ErrInvalidSID, "API key SID starts with AC, want SK"},
		{"key with spaces", base(func(in *input) { in.key = " " + apiKeySID }), accesstoken.ErrInvalidSID, "API key SID"},
		{"empty secret", base(func(in *input) { in.secret = "" }), accesstoken.ErrMissingSecret, "secret"},
		{"empty identity", base(func(in *input) { in.identity = "" }), accesstoken.ErrInvalidIdentity, "identity is empty"},
		{"long identity", base(func(in *input) { in.identity = strings.Repeat("é", 257) }), accesstoken.ErrInvalidIdentity, "257 characters"},
		{"invalid utf8 identity", base(func(in *input) { in.identity = "al\xffice" }), accesstoken.ErrInvalidIdentity, "UTF-8"},
		{"empty service", base(func(in *input) { in.grant.ServiceSID = "" }), accesstoken.ErrInvalidSID, "Conversation Service SID"},
		{"conversation SID as service", base(func(in *input) { in.grant.ServiceSID = "CH" + serviceSID[2:] }), accesstoken.ErrInvalidSID, "starts with CH, want IS"},
		{"bad push credential", base(func(in *input) { in.grant.PushCredentialSID = "CR123" }), accesstoken.ErrInvalidSID, "push credential SID"},
		{"push credential wrong prefix", base(func(in *input) { in.grant.PushCredentialSID = "IS" + pushCred[2:] }), accesstoken.ErrInvalidSID, "starts with IS, want CR"},
		{"endpoint not utf8", base(func(in *input) { in.grant.EndpointID = "\xc3" }), accesstoken.ErrInvalidGrant, "EndpointID"},
		{"role not utf8", base(func(in *input) { in.grant.DeploymentRoleSID = "\xc3" }), accesstoken.ErrInvalidGrant, "DeploymentRoleSID"},
		{"region uppercase", base(func(in *input) { in.opts = []accesstoken.Option{accesstoken.WithRegion("IE1")} }), accesstoken.ErrInvalidRegion, `"IE1"`},
		{"region quote", base(func(in *input) { in.opts = []accesstoken.Option{accesstoken.WithRegion(`ie1","x":"`)} }), accesstoken.ErrInvalidRegion, "region"},
		{"region long", base(func(in *input) { in.opts = []accesstoken.Option{accesstoken.WithRegion(strings.Repeat("a", 1000))} }), accesstoken.ErrInvalidRegion, "1000 bytes long"},
		// Secret and key SID swapped: the message must not echo the secret.
		{"secret as key SID", base(func(in *input) { in.key, in.secret = apiSecret, apiKeySID }), accesstoken.ErrInvalidSID, "API key SID is ill-formed"},
		{"secret as account SID", base(func(in *input) { in.account = apiSecret }), accesstoken.ErrInvalidSID, "account SID is ill-formed"},
		{"secret as service SID", base(func(in *input) { in.grant.ServiceSID = apiSecret }), accesstoken.ErrInvalidSID, "(ChatGrant.ServiceSID) is ill-formed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]accesstoken.Option{accesstoken.WithClock(fixedClock)}, tc.in.opts...)
			tok, err := accesstoken.New(tc.in.account, tc.in.key, tc.in.secret, tc.in.identity, tc.in.grant, opts...)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, tok)
			assert.Contains(t, err.Error(), tc.message)
			assert.True(t, strings.HasPrefix(err.Error(), "accesstoken: "), err.Error())
			assert.NotContains(t, err.Error(), apiSecret, "secret leaked into the error")
			assert.Less(t, len(err.Error()), 200, "error message should stay short")
		})
	}
}

func TestSentinelsDistinct(t *testing.T) {
	t.Parallel()
	all := []error{
		accesstoken.ErrInvalidSID, accesstoken.ErrMissingSecret, accesstoken.ErrInvalidIdentity,
		accesstoken.ErrInvalidGrant, accesstoken.ErrInvalidTTL, accesstoken.ErrExpired,
		accesstoken.ErrInvalidNotBefore, accesstoken.ErrInvalidRegion,
	}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
}

func TestIdentityEncoding(t *testing.T) {
	t.Parallel()
	identities := []string{
		"alice",
		"Zoë 🙂 日本語",
		`quote " backslash \ slash /`,
		"<script>&amp;</script>",
		"tab\tnewline\nnul\x00",
		"\u2028\u2029",
		strings.Repeat("x", accesstoken.MaxIdentityLength),
		strings.Repeat("🙂", accesstoken.MaxIdentityLength),
		" ",
	}
	for _, id := range identities {
		tok := mint(t, id, accesstoken.ChatGrant{ServiceSID: serviceSID, EndpointID: id, DeploymentRoleSID: id})
		_, _, claims := parts(t, tok.JWT())
		grants := claims["grants"].(map[string]any)
		assert.Equal(t, id, grants["identity"])
		assert.Equal(t, id, grants["chat"].(map[string]any)["endpoint_id"])
		_, err := verify(tok.JWT(), apiSecret, fixedNow)
		require.NoError(t, err, "identity %q", id)
	}
}

// FuzzNew checks that hostile input never panics, and that whenever New
// succeeds the token verifies and carries the inputs unchanged.
func FuzzNew(f *testing.F) {
	f.Add("alice", "", "", "", apiSecret, int64(3600), int64(0))
	f.Add("", "ep", "x", "ie1", "", int64(0), int64(-1))
	f.Add(strings.Repeat("é", 300), "\xff", "\xc3", "IE1", "k", int64(-5), int64(1<<62))
	f.Add("Zoë 🙂", "\u2028", `"}`, `a"b`, "🔑", int64(86401), int64(-1<<62))
	f.Add("\x00", "\x00", "\x00", "\x00", "\x00", int64(1), int64(1))
	f.Fuzz(func(t *testing.T, identity, endpoint, role, region, secret string, ttlSeconds, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		ttl := time.Duration(ttlSeconds) * time.Second
		grant := accesstoken.ChatGrant{ServiceSID: serviceSID, EndpointID: endpoint, DeploymentRoleSID: role}
		tok, err := accesstoken.New(accountSID, apiKeySID, secret, identity, grant,
			accesstoken.WithTTL(ttl), accesstoken.WithRegion(region),
			accesstoken.WithClock(func() time.Time { return now }))
		if err != nil {
			if tok != nil {
				t.Fatal("token returned with an error")
			}
			if len(secret) >= 4 && strings.Contains(err.Error(), secret) {
				t.Fatalf("secret in error: %v", err)
			}
			return
		}
		hdr, claims := decodeParts(t, tok.JWT())
		g := claims["grants"].(map[string]any)
		if g["identity"] != identity {
			t.Fatalf("identity %q became %q", identity, g["identity"])
		}
		if (region != "") != (hdr["twr"] != nil) {
			t.Fatalf("region %q, header %v", region, hdr)
		}
		if _, err := jwt.Parse(tok.JWT(),
			func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}),
			jwt.WithoutClaimsValidation(),
		); err != nil {
			t.Fatalf("token does not verify: %v", err)
		}
	})
}

func decodeParts(t *testing.T, token string) (header, claims map[string]any) {
	segs := strings.Split(token, ".")
	if len(segs) != 3 {
		t.Fatalf("%d segments", len(segs))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(segs[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}
