package conversationstest

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// sameAsEncodingJSON fails t unless data, which the streaming decoder
// decoded as got, is read the same way by encoding/json with unknown fields
// refused.
func sameAsEncodingJSON(t *testing.T, data []byte, got *stateDoc) {
	t.Helper()
	var want stateDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("accepted %q, which encoding/json refuses: %v", data, err)
	}
	a, errA := json.Marshal(got)
	b, errB := json.Marshal(&want)
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Fatalf("%q decodes as\n%s\nencoding/json reads\n%s", data, a, b)
	}
}

// TestDecodeStateMutations runs 10,000 random mutations of an export (bytes
// replaced, cut short, stray escapes inserted) through the decoder: none
// panics or takes long, and what it accepts encoding/json reads the same.
func TestDecodeStateMutations(t *testing.T) {
	e := New()
	defer e.Close()
	doc, err := e.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for range 10000 {
		b := bytes.Clone(doc)
		for range 1 + r.IntN(4) {
			if len(b) == 0 {
				break
			}
			k := r.IntN(len(b))
			switch r.IntN(4) {
			case 0:
				b[k] = byte(r.IntN(256))
			case 1:
				b = b[:k]
			case 2:
				b = append(b[:k:k], append([]byte(`"\ud8`), b[k:]...)...)
			case 3:
				b = append(b[:k:k], append([]byte(" 0"), b[k:]...)...)
			}
		}
		start := time.Now()
		got, err := decodeState(bytes.NewReader(b), 0)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%v on %q", d, b)
		}
		if err == nil {
			accepted++
			sameAsEncodingJSON(t, b, got)
		}
	}
	t.Logf("%d of 10000 mutations accepted", accepted)
}

// FuzzDecodeState: the streaming decoder never panics, and whatever it
// accepts, encoding/json (with unknown fields refused) reads the same way.
func FuzzDecodeState(f *testing.F) {
	e := New()
	defer e.Close()
	post := func(path string, kv ...string) {
		form := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			form.Add(kv[i], kv[i+1])
		}
		req := httptest.NewRequest("POST", "http://127.0.0.1"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(DefaultAccountSID, DefaultAuthToken)
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	post("/v1/Conversations", "UniqueName", "u", "FriendlyName", "Ünï \"q\" \u2028 😀", "Attributes", `{"a":"\n"}`)
	post("/v1/Conversations/u/Participants", "Identity", "alice")
	post("/v1/Conversations/u/Participants", "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	post("/v1/Conversations/u/Messages", "Author", "alice", "Body", "hi\t\\ there")
	e.Flush()
	doc, err := e.ExportState()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	var indented bytes.Buffer
	json.Indent(&indented, doc, "", "  ")
	f.Add(indented.Bytes())
	f.Add([]byte(`{"services":[{},{}]}`))
	f.Add([]byte(`{"version":1,"phones":{"\ud83d\u0041":[],"\udc00x":[]}}`))
	f.Add([]byte(`{"version":1,"phones":{"\ud83d\ude00":[]},"no_read_receipts":["a\u0000"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, err := decodeState(bytes.NewReader(data), 0); err == nil {
			sameAsEncodingJSON(t, data, got)
		}
	})
}
