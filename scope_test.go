package conversations

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// declaredServices parses the package's sources for the resource service
// types: every type declared as `XxxService service`.
func declaredServices(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	found := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if id, ok := ts.Type.(*ast.Ident); ok && id.Name == "service" {
					found[ts.Name.Name] = true
				}
			}
			return true
		})
	}
	require.NotEmpty(t, found)
	return found
}

// serviceFields walks the fields of t (following embedded and named struct
// pointers of this package) and reports each service type it reaches, with
// whether the path to it is exported all the way.
func serviceFields(t reflect.Type, exported bool, seen map[reflect.Type]bool, out map[string]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	svc := reflect.TypeOf(service{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		ok := exported && f.IsExported()
		if ft.PkgPath() == svc.PkgPath() && ft != svc && ft.ConvertibleTo(svc) {
			out[ft.Name()] = out[ft.Name()] || ok
			continue
		}
		if ft.PkgPath() == svc.PkgPath() {
			serviceFields(ft, ok, seen, out)
		}
	}
}

// Every resource service is reachable from Client or ServiceScope through
// exported fields only, so that go doc and pkg.go.dev list it.
func TestEveryServiceIsExported(t *testing.T) {
	declared := declaredServices(t)
	reach := map[string]bool{}
	for _, root := range []reflect.Type{reflect.TypeOf(Client{}), reflect.TypeOf(ServiceScope{}), reflect.TypeOf(Scope{})} {
		serviceFields(root, true, map[reflect.Type]bool{}, reach)
	}
	for name := range declared {
		exported, ok := reach[name]
		if assert.True(t, ok, "service %s is not reachable from Client or ServiceScope", name) {
			assert.True(t, exported, "service %s is reachable only through an unexported field", name)
		}
	}
	for name := range reach {
		assert.True(t, declared[name], "field type %s is not a declared service", name)
	}
	// The shared services are Scope's, embedded by both scopes.
	for _, st := range []reflect.Type{reflect.TypeOf(Client{}), reflect.TypeOf(ServiceScope{})} {
		f, ok := st.FieldByName("Scope")
		require.True(t, ok, "%v embeds no Scope", st)
		assert.True(t, f.Anonymous && f.IsExported(), "%v must embed *Scope", st)
		assert.Equal(t, reflect.TypeOf(&Scope{}), f.Type)
	}
}

// Every field of both scopes is set, and the services of a Scope work in the
// scope they came from.
func TestScopeWorksOnEitherScope(t *testing.T) {
	c, mt := newTestClient(t)
	for _, s := range []*Scope{c.Scope, c.Service(serviceSID).Scope} {
		v := reflect.ValueOf(s).Elem()
		for i := 0; i < v.NumField(); i++ {
			assert.False(t, v.Field(i).IsNil(), "Scope.%s is nil", v.Type().Field(i).Name)
		}
	}
	for _, st := range []any{c, c.Service(serviceSID)} {
		v := reflect.ValueOf(st).Elem()
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() && f.Type.Kind() == reflect.Pointer {
				assert.False(t, v.Field(i).IsNil(), "%v.%s is nil", v.Type(), f.Name)
			}
		}
	}

	fetch := func(s *Scope) error {
		_, err := s.Conversations.Fetch(context.Background(), convSID)
		return err
	}
	account := expect(t, mt, call{Method: http.MethodGet, Path: "/v1/Conversations/" + convSID, Body: example(t, "FetchConversation", "fetch")})
	scoped := expect(t, mt, call{Method: http.MethodGet, Path: "/v1/Services/" + serviceSID + "/Conversations/" + convSID, Body: example(t, "FetchServiceConversation", "fetch")})
	require.NoError(t, fetch(c.Scope))
	require.NoError(t, fetch(c.Service(serviceSID).Scope))
	assert.EqualValues(t, 1, account.Load())
	assert.EqualValues(t, 1, scoped.Load())
}
