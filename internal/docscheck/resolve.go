package docscheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// ThirdParty maps the package names the docs use for packages outside the
// repository and the standard library to their import paths. A snippet using
// a third-party package not listed here is a whole file with its own imports,
// or a new line here.
var ThirdParty = map[string]string{
	"redis":          "github.com/redis/go-redis/v9",
	"httpmock":       "github.com/jarcoal/httpmock",
	"require":        "github.com/stretchr/testify/require",
	"assert":         "github.com/stretchr/testify/assert",
	"jwt":            "github.com/golang-jwt/jwt/v5",
	"goleak":         "go.uber.org/goleak",
	"rate":           "golang.org/x/time/rate",
	"cobra":          "github.com/spf13/cobra",
	"otel":           "go.opentelemetry.io/otel",
	"attribute":      "go.opentelemetry.io/otel/attribute",
	"codes":          "go.opentelemetry.io/otel/codes",
	"propagation":    "go.opentelemetry.io/otel/propagation",
	"metric":         "go.opentelemetry.io/otel/metric",
	"noop":           "go.opentelemetry.io/otel/trace/noop",
	"sdktrace":       "go.opentelemetry.io/otel/sdk/trace",
	"sdkmetric":      "go.opentelemetry.io/otel/sdk/metric",
	"resource":       "go.opentelemetry.io/otel/sdk/resource",
	"tracetest":      "go.opentelemetry.io/otel/sdk/trace/tracetest",
	"metricdata":     "go.opentelemetry.io/otel/sdk/metric/metricdata",
	"otlptrace":      "go.opentelemetry.io/otel/exporters/otlp/otlptrace",
	"otlptracegrpc":  "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc",
	"otlptracehttp":  "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp",
	"otlpmetricgrpc": "go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc",
	"otlpmetrichttp": "go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp",
	"stdouttrace":    "go.opentelemetry.io/otel/exporters/stdout/stdouttrace",
	"stdoutmetric":   "go.opentelemetry.io/otel/exporters/stdout/stdoutmetric",
	"prometheus":     "go.opentelemetry.io/otel/exporters/prometheus",
	"otelhttp":       "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
}

// Resolver finds the import path of a package name the way goimports does:
// first the repository's own packages, then [ThirdParty], then the standard
// library; where several standard packages share a name (math/rand,
// crypto/rand), the one that exports every name the snippet selects from it.
type Resolver struct {
	local   map[string][]string // package name -> import paths in the repository
	std     map[string][]string // package name -> standard import paths
	goroot  string
	exports map[string]map[string]bool // standard import path -> exported names
}

// NewResolver indexes the packages of the modules found under root and the
// standard library of goroot.
func NewResolver(root, goroot string, mods []Module) (*Resolver, error) {
	r := &Resolver{local: map[string][]string{}, std: map[string][]string{}, goroot: goroot,
		exports: map[string]map[string]bool{}}
	for _, m := range mods {
		if err := r.indexModule(m); err != nil {
			return nil, err
		}
	}
	if err := r.indexStd(); err != nil {
		return nil, err
	}
	return r, nil
}

// indexModule records the importable packages of one local module: every
// directory with non-test Go files that is not a main package, outside
// internal/, testdata and nested modules.
func (r *Resolver) indexModule(m Module) error {
	return filepath.WalkDir(m.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if p != m.Dir {
			if skipDir(name) || name == "internal" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		pkg := packageName(p)
		if pkg == "" || pkg == "main" {
			return nil
		}
		rel, _ := filepath.Rel(m.Dir, p)
		r.local[pkg] = append(r.local[pkg], path.Join(m.Path, filepath.ToSlash(rel)))
		return nil
	})
}

// indexStd records the standard library's public packages by name.
func (r *Resolver) indexStd() error {
	src := filepath.Join(r.goroot, "src")
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if name := d.Name(); skipDir(name) || name == "internal" || name == "vendor" || rel == "cmd" {
			return filepath.SkipDir
		}
		if !hasGoFiles(p) {
			return nil
		}
		name := path.Base(rel)
		if isMajorVersion(name) {
			name = path.Base(path.Dir(rel))
		}
		r.std[name] = append(r.std[name], rel)
		return nil
	})
}

// Resolve returns the import path of package name, given the names selected
// from it (to choose between standard packages of one name). ok is false
// when no package has that name.
func (r *Resolver) Resolve(name string, selected []string) (string, bool) {
	if c := r.local[name]; len(c) > 0 {
		sort.Strings(c)
		return c[0], true
	}
	if p, ok := ThirdParty[name]; ok {
		return p, true
	}
	cands := r.std[name]
	if len(cands) == 0 {
		return "", false
	}
	var fit []string
	for _, c := range cands {
		if r.exportsAll(c, selected) {
			fit = append(fit, c)
		}
	}
	if len(fit) == 0 {
		fit = cands // let the compiler say what is missing
	}
	sort.Slice(fit, func(i, j int) bool {
		if len(fit[i]) != len(fit[j]) {
			return len(fit[i]) < len(fit[j])
		}
		return fit[i] < fit[j]
	})
	return fit[0], true
}

// exportsAll reports whether the standard package at importPath declares
// every name in names.
func (r *Resolver) exportsAll(importPath string, names []string) bool {
	ex, ok := r.exports[importPath]
	if !ok {
		ex = exportedNames(filepath.Join(r.goroot, "src", filepath.FromSlash(importPath)))
		r.exports[importPath] = ex
	}
	for _, n := range names {
		if !ex[n] {
			return false
		}
	}
	return true
}

// exportedNames lists the exported top-level names declared in dir's
// non-test Go files.
func exportedNames(dir string) map[string]bool {
	names := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	fset := token.NewFileSet()
	for _, e := range entries {
		if !isGoSource(e.Name()) {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	for n := range names {
		if !ast.IsExported(n) {
			delete(names, n)
		}
	}
	return names
}

// packageName returns the package clause of dir's first non-test Go file,
// or "" when it has none.
func packageName(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if !isGoSource(e.Name()) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err == nil {
			return f.Name.Name
		}
	}
	return ""
}

func hasGoFiles(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if isGoSource(e.Name()) {
			return true
		}
	}
	return false
}

func isGoSource(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// skipDir reports the directories no package is looked for in.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" ||
		name == "node_modules"
}

// isMajorVersion reports a path element like v2.
func isMajorVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for _, c := range s[1:] {
		if !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}
