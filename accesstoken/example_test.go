package accesstoken_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/conversations-go/conversations/accesstoken"
)

// Mint a token for a chat participant and look inside it. The fixed clock
// makes the output reproducible; real code leaves WithClock out.
func ExampleNew() {
	tok, err := accesstoken.New(
		"AC0123456789abcdef0123456789abcdef", // Account SID
		"SKfedcba9876543210fedcba9876543210", // API key SID
		"api-key-secret",                     // API key secret: keep it on the server
		"alice",
		accesstoken.ChatGrant{ServiceSID: "IS00112233445566778899aabbccddeeff"},
		accesstoken.WithTTL(30*time.Minute),
		accesstoken.WithClock(func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("expires:", tok.ExpiresAt().UTC())

	// tok.JWT() is what the browser or app receives. Decode it to show the
	// header and claims.
	parts := strings.Split(tok.JWT(), ".")
	for _, part := range parts[:2] {
		raw, _ := base64.RawURLEncoding.DecodeString(part)
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, raw, "", "  ")
		fmt.Println(pretty.String())
	}
	// Output:
	// expires: 2025-01-02 03:34:05 +0000 UTC
	// {
	//   "typ": "JWT",
	//   "alg": "HS256",
	//   "cty": "twilio-fpa;v=1"
	// }
	// {
	//   "jti": "SKfedcba9876543210fedcba9876543210-1735787045",
	//   "iss": "SKfedcba9876543210fedcba9876543210",
	//   "sub": "AC0123456789abcdef0123456789abcdef",
	//   "iat": 1735787045,
	//   "exp": 1735788845,
	//   "nbf": 1735787045,
	//   "grants": {
	//     "identity": "alice",
	//     "chat": {
	//       "service_sid": "IS00112233445566778899aabbccddeeff"
	//     }
	//   }
	// }
}

// Validation errors wrap sentinel errors that errors.Is recognises.
func ExampleNew_errors() {
	_, err := accesstoken.New(
		"AC0123456789abcdef0123456789abcdef",
		"SKfedcba9876543210fedcba9876543210",
		"api-key-secret",
		"alice",
		// A Conversation SID (CH…) where the Service SID (IS…) belongs.
		accesstoken.ChatGrant{ServiceSID: "CH00112233445566778899aabbccddeeff"},
		accesstoken.WithTTL(48*time.Hour),
	)
	fmt.Println(errors.Is(err, accesstoken.ErrInvalidSID))
	fmt.Println(err)

	_, err = accesstoken.New(
		"AC0123456789abcdef0123456789abcdef",
		"SKfedcba9876543210fedcba9876543210",
		"api-key-secret",
		"alice",
		accesstoken.ChatGrant{ServiceSID: "IS00112233445566778899aabbccddeeff"},
		accesstoken.WithTTL(48*time.Hour),
	)
	fmt.Println(errors.Is(err, accesstoken.ErrInvalidTTL))
	fmt.Println(err)
	// Output:
	// true
	// accesstoken: invalid SID: Conversation Service SID (ChatGrant.ServiceSID) starts with CH, want IS followed by 32 hex digits
	// true
	// accesstoken: invalid TTL: 48h0m0s is longer than the maximum 24h0m0s
}

// Add the "twr" header for a token used against a non-US1 region, with an
// endpoint ID and push credential for a mobile app.
func ExampleWithRegion() {
	tok, err := accesstoken.New(
		"AC0123456789abcdef0123456789abcdef",
		"SKfedcba9876543210fedcba9876543210",
		"api-key-secret",
		"alice",
		accesstoken.ChatGrant{
			ServiceSID:        "IS00112233445566778899aabbccddeeff",
			EndpointID:        "my-app:alice:iphone",
			PushCredentialSID: "CRffeeddccbbaa99887766554433221100",
		},
		accesstoken.WithRegion("ie1"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	header, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.JWT(), ".")[0])
	fmt.Println(string(header))
	// Output:
	// {"typ":"JWT","alg":"HS256","cty":"twilio-fpa;v=1","twr":"ie1"}
}
