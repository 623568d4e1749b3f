package conversationstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
	"github.com/stretchr/testify/require"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// harness drives an emulator over plain HTTP, as any SDK would.
type harness struct {
	t   *testing.T
	srv *conversationstest.Server
}

func newHarness(t *testing.T, opts ...conversationstest.Option) *harness {
	t.Helper()
	srv := conversationstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return &harness{t: t, srv: srv}
}

type obj = map[string]any

// do sends a request with basic auth; form goes in the body for POST and in
// the query otherwise. It returns the status and the decoded JSON body.
func (h *harness) do(method, path string, form url.Values, header ...string) (int, obj) {
	h.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = h.srv.URL + path
	}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		u += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(h.t, err)
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	status, out, _ := h.send(req)
	return status, out
}

// send sends req and returns its status, its JSON body decoded (nil when
// empty) and its header.
func (h *harness) send(req *http.Request) (int, obj, http.Header) {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	var out obj
	if len(b) > 0 {
		require.NoError(h.t, json.Unmarshal(b, &out), "body: %s", b)
	}
	return resp.StatusCode, out, resp.Header
}

// ok sends a request that must succeed with the given status.
func (h *harness) ok(status int, method, path string, form url.Values, header ...string) obj {
	h.t.Helper()
	got, body := h.do(method, path, form, header...)
	require.Equal(h.t, status, got, "body: %v", body)
	return body
}

// fails sends a request that must fail with Twilio's error body.
func (h *harness) fails(status, code int, method, path string, form url.Values, header ...string) {
	h.t.Helper()
	got, body := h.do(method, path, form, header...)
	require.Equal(h.t, status, got, "body: %v", body)
	require.EqualValues(h.t, code, body["code"], "body: %v", body)
	require.EqualValues(h.t, status, body["status"])
	require.Equal(h.t, "https://www.twilio.com/docs/errors/"+itoa(code), body["more_info"])
	require.NotEmpty(h.t, body["message"])
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func (h *harness) conversation(kv ...string) string {
	h.t.Helper()
	return h.ok(201, "POST", "/v1/Conversations", form(kv...))["sid"].(string)
}

func (h *harness) participant(conv string, kv ...string) string {
	h.t.Helper()
	return h.ok(201, "POST", "/v1/Conversations/"+conv+"/Participants", form(kv...))["sid"].(string)
}

func (h *harness) message(conv string, kv ...string) obj {
	h.t.Helper()
	return h.ok(201, "POST", "/v1/Conversations/"+conv+"/Messages", form(kv...))
}

// spec is the OpenAPI document, found in shared/ beside the repository.
var spec = sync.OnceValues(func() (obj, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		p := filepath.Join(dir, "shared", "twilio-oai", "twilio_conversations_v1.json")
		if b, err := os.ReadFile(p); err == nil {
			var doc obj
			return doc, json.Unmarshal(b, &doc)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, os.ErrNotExist
		}
		dir = parent
	}
})

// specExample returns the named response example of an operation, or the
// first one when name is "".
func specExample(t *testing.T, operationID, name string) obj {
	t.Helper()
	doc, err := spec()
	if err != nil {
		t.Skip("the OpenAPI spec (shared/twilio-oai) is not beside the repository")
	}
	for _, item := range doc["paths"].(obj) {
		for _, op := range item.(obj) {
			op, ok := op.(obj)
			if !ok || op["operationId"] != operationID {
				continue
			}
			for _, resp := range op["responses"].(obj) {
				content, _ := resp.(obj)["content"].(obj)
				if content == nil {
					continue
				}
				examples := content["application/json"].(obj)["examples"].(obj)
				names := make([]string, 0, len(examples))
				for n := range examples {
					names = append(names, n)
				}
				slices.Sort(names)
				if name == "" {
					name = names[0]
				}
				return examples[name].(obj)["value"].(obj)
			}
		}
	}
	t.Fatalf("operation %s has no example", operationID)
	return nil
}

func keys(m obj) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// requireShape checks that got has the same fields as the spec's example,
// and for a list the same fields in meta and in each item.
func requireShape(t *testing.T, operationID, example string, got obj) {
	t.Helper()
	want := specExample(t, operationID, example)
	require.Equal(t, keys(want), keys(got), "%s fields", operationID)
	meta, ok := want["meta"].(obj)
	if !ok {
		return
	}
	require.Equal(t, keys(meta), keys(got["meta"].(obj)), "%s meta fields", operationID)
	key := meta["key"].(string)
	wantItems, gotItems := want[key].([]any), got[key].([]any)
	if len(wantItems) > 0 && len(gotItems) > 0 {
		require.Equal(t, keys(wantItems[0].(obj)), keys(gotItems[0].(obj)), "%s item fields", operationID)
	}
}

// hookRecorder is a webhook endpoint that records what it receives and
// checks each request's X-Twilio-Signature.
type hookRecorder struct {
	t     *testing.T
	token string
	url   string

	mu       sync.Mutex
	requests []hookRequest
	respond  func(form url.Values) (int, string)
}

type hookRequest struct {
	method string
	header http.Header
	form   url.Values
}

func (r *hookRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	sigURL := r.url + req.URL.RequestURI()
	var params url.Values
	if req.Method == http.MethodPost {
		if err := formparse.ParseRequest(req); err != nil {
			r.t.Errorf("webhook form: %v", err)
		}
		params = req.PostForm
	}
	if got, want := req.Header.Get("X-Twilio-Signature"), conversations.ComputeSignature(r.token, sigURL, params); got != want {
		r.t.Errorf("bad signature for %s: got %s, want %s", sigURL, got, want)
	}
	f := params
	if req.Method == http.MethodGet {
		f = formparse.Query(req.URL)
	}
	r.mu.Lock()
	r.requests = append(r.requests, hookRequest{req.Method, req.Header.Clone(), f})
	respond := r.respond
	r.mu.Unlock()
	status, body := 200, ""
	if respond != nil {
		status, body = respond(f)
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (r *hookRecorder) events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, req := range r.requests {
		out = append(out, req.form.Get("EventType"))
	}
	return out
}

func (r *hookRecorder) received() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

func (h *harness) newHook() *hookRecorder {
	h.t.Helper()
	r := &hookRecorder{t: h.t, token: h.srv.AuthToken()}
	ts := httptest.NewServer(r)
	h.t.Cleanup(ts.Close)
	r.url = ts.URL
	return r
}

func decodeJSON(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newRequest(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
