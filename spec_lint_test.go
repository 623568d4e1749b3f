package conversations

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/internal/spec"
)

// TestSpecLint checks every bound operation's Go types against the spec
// digest: every wire name of its params is declared by the operation, every
// property of its response schema has a field, and every field of a resource
// type exists in the schema of at least one operation that returns it.
func TestSpecLint(t *testing.T) {
	d := spec.MustLoad()
	require.NotEmpty(t, opBindings)
	typeSchemas := map[reflect.Type][]string{}
	for id, b := range opBindings {
		op, ok := d.Operation(id)
		if !assert.True(t, ok, "bound operation %s is not in the spec", id) {
			continue
		}
		for _, p := range b.params {
			names, headers := wireNames(reflect.TypeOf(p))
			var form, query []string
			if op.Method == http.MethodPost {
				form = names
			} else {
				query = names
			}
			assert.NoError(t, op.CheckWireNames(form, query, headers), "params %T", p)
		}
		if b.resource == nil {
			continue
		}
		schema := op.ResponseSchema
		if op.ItemSchema != "" {
			schema = op.ItemSchema
		}
		rt := reflect.TypeOf(b.resource)
		err := d.CheckFields(schema, jsonNames(rt))
		var fe *spec.FieldsError
		if err != nil && !assert.ErrorAs(t, err, &fe) {
			continue
		}
		if fe != nil {
			assert.Empty(t, fe.Missing, "%s: %T lacks fields of %s", id, b.resource, schema)
		}
		typeSchemas[rt] = append(typeSchemas[rt], schema)
	}
	// A field must exist in at least one schema of the operations using it.
	for rt, schemas := range typeSchemas {
		for _, name := range jsonNames(rt) {
			found := false
			for _, s := range schemas {
				sc, _ := d.Schema(s)
				if _, ok := sc.Properties[name]; ok {
					found = true
					break
				}
			}
			assert.True(t, found, "%v field %q is in none of %v", rt, name, schemas)
		}
	}
}

// TestCoverage fails unless every operation of the spec is reached through a
// public method: each registered call must hit its operation's method and
// path template, answered with the spec's example.
func TestCoverage(t *testing.T) {
	d := spec.MustLoad()
	var missing []string
	for _, id := range d.OperationIDs() {
		if coverage[id] == nil {
			missing = append(missing, id)
		}
	}
	covered := len(d.Operations) - len(missing)
	t.Logf("operations covered: %d of %d", covered, len(d.Operations))
	assert.Empty(t, missing, "operations with no public method in the coverage table")

	for _, id := range d.OperationIDs() {
		f := coverage[id]
		if f == nil {
			continue
		}
		op, _ := d.Operation(id)
		t.Run(id, func(t *testing.T) {
			c, mt := newTestClient(t)
			re := pathPattern(op.Path)
			var mu sync.Mutex
			var hits []string
			body := []byte("{}")
			if exs, err := spec.Examples(id); err == nil {
				for _, ex := range exs {
					body = ex
					break
				}
			}
			mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				mu.Lock()
				hits = append(hits, req.Method+" "+req.URL.EscapedPath())
				mu.Unlock()
				if req.Method == op.Method && re.MatchString(req.URL.EscapedPath()) {
					if op.SuccessStatus == http.StatusNoContent {
						return httpmock.NewBytesResponse(http.StatusNoContent, nil), nil
					}
					return httpmock.NewBytesResponse(op.SuccessStatus, body), nil
				}
				return httpmock.NewStringResponse(http.StatusNotFound, `{"code":20404,"message":"not found","status":404}`), nil
			})
			err := f(context.Background(), c)
			require.NoError(t, err, "call for %s; requests: %v", fmtOp(op), hits)
			matched := false
			for _, h := range hits {
				m, p, _ := strings.Cut(h, " ")
				if m == op.Method && re.MatchString(p) {
					matched = true
				}
			}
			assert.True(t, matched, "%s not reached; requests: %v", fmtOp(op), hits)
		})
	}
}

// pathPattern turns /v1/Conversations/{Sid} into a regexp matching one
// escaped segment per placeholder.
func pathPattern(tmpl string) *regexp.Regexp {
	q := regexp.QuoteMeta(tmpl)
	q = regexp.MustCompile(`\\\{[A-Za-z]+\\\}`).ReplaceAllString(q, `[^/]+`)
	return regexp.MustCompile("^" + q + "$")
}
