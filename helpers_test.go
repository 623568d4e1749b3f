package conversations

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/internal/spec"
)

// Test identities, shaped like the spec's examples.
const (
	testAccountSID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	testAuthToken  = "test-auth-token-0123456789abcdef"
	apiBase        = "https://conversations.twilio.com"
	convSID        = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	serviceSID     = "ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	msgSID         = "IMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	mediaSID       = "MEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

// newTestClient returns a client whose requests go to a per-test httpmock
// transport (not the global one), with retries off unless opts say otherwise.
func newTestClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]Option{WithHTTPClient(&http.Client{Transport: mt}), WithRetryPolicy(NoRetries)}, opts...)
	c, err := NewClient(testAccountSID, testAuthToken, all...)
	require.NoError(t, err)
	return c, mt
}

// call describes one expected request and the canned response to it.
type call struct {
	Method string
	Path   string     // the exact escaped path, e.g. /v1/Conversations/CH.../Messages
	Query  url.Values // the exact query expected (nil: none)
	Form   url.Values // the exact form body expected (nil: empty)
	// Header lists headers that must have exactly these values; a value of ""
	// means the header must be absent.
	Header map[string]string
	Status int
	Body   []byte // the response body (JSON)
}

// expect registers c on mt. The responder fails the test when the request's
// method, path, query, form body, auth or headers differ from c, and counts
// the calls it served.
func expect(t *testing.T, mt *httpmock.MockTransport, c call) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	mt.RegisterResponder(c.Method, apiBase+c.Path, func(req *http.Request) (*http.Response, error) {
		n.Add(1)
		assert.Equal(t, c.Path, req.URL.EscapedPath(), "path")
		assert.Equal(t, encodeOrEmpty(c.Query), encodeOrEmpty(req.URL.Query()), "query")
		var body []byte
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			body = b
		}
		got, err := url.ParseQuery(string(body))
		require.NoError(t, err)
		assert.Equal(t, encodeOrEmpty(c.Form), encodeOrEmpty(got), "form body")
		if c.Method == http.MethodPost {
			assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		}
		user, pass, ok := req.BasicAuth()
		assert.True(t, ok && user == testAccountSID && pass == testAuthToken, "basic auth")
		assert.True(t, strings.HasPrefix(req.Header.Get("User-Agent"), "conversations-go/"), "user agent")
		for k, v := range c.Header {
			assert.Equal(t, v, req.Header.Get(k), "header %s", k)
		}
		if _, set := c.Header["X-Twilio-Webhook-Enabled"]; !set {
			assert.Empty(t, req.Header.Get("X-Twilio-Webhook-Enabled"), "unexpected X-Twilio-Webhook-Enabled")
		}
		status := c.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := httpmock.NewBytesResponse(status, c.Body)
		resp.Header.Set("Content-Type", "application/json")
		resp.Header.Set("Twilio-Request-Id", "RQ00000000000000000000000000000000")
		return resp, nil
	})
	return &n
}

func encodeOrEmpty(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return v.Encode()
}

// example returns a response example of the spec, by operation and name.
func example(t *testing.T, op, name string) []byte {
	t.Helper()
	b, err := spec.Example(op, name)
	require.NoError(t, err)
	return b
}

// decodeExample decodes a spec example into a map, to compare with decoded
// fields.
func decodeExample(t *testing.T, op, name string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(example(t, op, name), &m))
	return m
}

// --- The spec lint registry --------------------------------------------------

// opBinding ties an operation of the spec to the Go types that implement it.
type opBinding struct {
	resource any   // the response type (zero value), nil for deletes
	params   []any // the params types (zero values) the operation takes
}

var opBindings = map[string]opBinding{}

// bindOp registers the Go types of an operation for TestSpecLint. Call it
// from init functions of each resource's test file.
func bindOp(opID string, resource any, params ...any) {
	if _, dup := opBindings[opID]; dup {
		panic("bindOp: duplicate " + opID)
	}
	opBindings[opID] = opBinding{resource: resource, params: params}
}

// wireKeyer is implemented by params field types that expand to several
// wire names, such as Timers (Timers.Inactive, Timers.Closed).
type wireKeyer interface{ wireKeys(key string) []string }

// wireNames returns the wire names of a params struct: its url tags, the
// expansions of wireKeyer fields, and the headers of header fields.
func wireNames(t reflect.Type) (names, headers []string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("url")
		if tag == "-" {
			if f.Name == "WebhookEnabled" {
				headers = append(headers, "X-Twilio-Webhook-Enabled")
			}
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" && f.Anonymous {
			n, h := wireNames(f.Type)
			names, headers = append(names, n...), append(headers, h...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if wk, ok := reflect.Zero(f.Type).Interface().(wireKeyer); ok {
			names = append(names, wk.wireKeys(name)...)
			continue
		}
		names = append(names, name)
	}
	return names, headers
}

// jsonNames returns the JSON names of a resource struct's fields.
func jsonNames(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

// scopes are the two forms of the shared resources, keyed by the infix of
// their operationIds: account-level ("") and service-scoped ("Service").
var scopes = map[string]func(*Client) *Scope{
	"":        func(c *Client) *Scope { return c.Scope },
	"Service": func(c *Client) *Scope { return c.Service(serviceSID).Scope },
}

// --- The coverage registry ---------------------------------------------------

// coverage maps each operationId to a call through the public API that
// reaches it; TestCoverage fails for any operation of the spec without one.
var coverage = map[string]func(ctx context.Context, c *Client) error{}

// cover registers the public call that reaches opID.
func cover(opID string, f func(ctx context.Context, c *Client) error) {
	if _, dup := coverage[opID]; dup {
		panic("cover: duplicate " + opID)
	}
	coverage[opID] = f
}

// drain runs an iterator to its end, for coverage calls of List methods.
func drain[T any](seq iter.Seq2[*T, error]) error {
	_, err := collect(seq)
	return err
}

// collect gathers an iterator's items into a slice, stopping at the first error.
func collect[T any](seq iter.Seq2[*T, error]) ([]*T, error) {
	var out []*T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func fmtOp(op *spec.Operation) string { return fmt.Sprintf("%s %s (%s)", op.Method, op.Path, op.ID) }
