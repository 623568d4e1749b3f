package reliability_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/conversations-go/conversations/accesstoken"
)

// TestAccessTokenClaimsMatchTwilioNode (issue 13, item 14): the claim names
// and header fields of a token minted here are those of the token
// twilio-node minted from the same inputs (with nbf given), iat included.
// The full comparison is accesstoken.TestMatchesTwilioNode.
func TestAccessTokenClaimsMatchTwilioNode(t *testing.T) {
	raw, err := os.ReadFile("../accesstoken/testdata/twilio-node/tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		ProducedBy string `json:"produced_by"`
		Tokens     []struct {
			Name    string         `json:"name"`
			Header  map[string]any `json:"header"`
			Payload map[string]any `json:"payload"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	var node map[string]any
	var nodeHeader map[string]any
	for _, tk := range ref.Tokens {
		if tk.Name == "minimal with nbf" {
			node, nodeHeader = tk.Payload, tk.Header
		}
	}
	if node == nil {
		t.Fatal("reference token missing")
	}
	tok, err := accesstoken.New("AC0123456789abcdef0123456789abcdef", "SKfedcba9876543210fedcba9876543210",
		"s3cr3t-api-key-secret-value-0123", "alice",
		accesstoken.ChatGrant{ServiceSID: "IS00112233445566778899aabbccddeeff"}, accesstoken.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	segs := strings.Split(tok.JWT(), ".")
	var header, claims map[string]any
	for i, into := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(segs[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatal(err)
		}
	}
	ours, theirs := keys(claims), keys(node)
	oursH, theirsH := keys(header), keys(nodeHeader)
	ok := ours == theirs && oursH == theirsH && claims["exp"].(float64)-claims["iat"].(float64) == 3600
	if !ok {
		t.Errorf("claims %s vs twilio-node %s; header %s vs %s", ours, theirs, oursH, theirsH)
	}
	verdict := "ok"
	if !ok {
		verdict = "FAIL"
	}
	record(figure{Fault: "#14 access token vs " + strings.SplitN(ref.ProducedBy, ",", 2)[0], Op: "accesstoken.New",
		Outcome: fmt.Sprintf("claims %s, header %s: %s", ours, oursH, verdict),
		Attempts: "-", Applied: "-", Elapsed: "-", Conns: "-", BytesRead: "-", Leaked: "-"})
}

// keys lists a map's keys, sorted, as "a,b,c".
func keys(m map[string]any) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
