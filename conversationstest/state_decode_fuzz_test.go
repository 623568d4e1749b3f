package conversationstest

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

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
		got, err := decodeState(bytes.NewReader(data), 0)
		if err != nil {
			return
		}
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
	})
}
