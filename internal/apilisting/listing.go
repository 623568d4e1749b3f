// Command apilisting writes and checks the listing of the module's exported
// API: for each public package, api/<package path>.txt holds every exported
// declaration (constants, variables, functions, types with their exported
// fields, methods), without doc comments, in go/doc's order. CI compares the
// committed listing with the code, so that no exported name changes by
// accident: a change is made on purpose, by regenerating the listing
//
//	go run ./internal/apilisting -w
//
// and committing it with its CHANGELOG line.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Packages returns the public packages of the module rooted at root, as
// paths relative to it ("." for the root package): every directory with
// non-test Go files, except internal/, examples/ and cmd/ trees, testdata,
// hidden directories, nested modules and main packages.
func Packages(root string) ([]string, error) {
	var pkgs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if rel != "." {
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" ||
				name == "internal" || name == "examples" || name == "cmd" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		files, err := parse(token.NewFileSet(), path)
		if err != nil {
			return err
		}
		if len(files) > 0 && files[0].Name.Name != "main" {
			pkgs = append(pkgs, rel)
		}
		return nil
	})
	return pkgs, err
}

// ListingFile is the listing's file for a package path relative to the
// module root: api/conversations.txt for the root package, else the path
// with "/" as "_", such as api/conversationstest_fixture.txt.
func ListingFile(rel string) string {
	if rel == "." {
		return "conversations.txt"
	}
	return strings.ReplaceAll(rel, "/", "_") + ".txt"
}

// parse reads the non-test Go files of dir, in name order (none: nil).
// Their package must be the same.
func parse(fset *token.FileSet, dir string) ([]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if len(files) > 0 && f.Name.Name != files[0].Name.Name {
			return nil, fmt.Errorf("apilisting: %s holds packages %s and %s", dir, files[0].Name.Name, f.Name.Name)
		}
		files = append(files, f)
	}
	return files, nil
}

// Listing returns the exported API of the package in dir.
func Listing(dir, importPath string) ([]byte, error) {
	fset := token.NewFileSet()
	files, err := parse(fset, dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("apilisting: %s holds no package", dir)
	}
	d, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "package %s // import %q\n", d.Name, importPath)
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			decl(&b, fset, v.Decl)
		}
	}
	funcs := func(fs []*doc.Func) {
		for _, f := range fs {
			decl(&b, fset, f.Decl)
		}
	}
	values(d.Consts)
	values(d.Vars)
	funcs(d.Funcs)
	for _, t := range d.Types {
		decl(&b, fset, t.Decl)
		values(t.Consts)
		values(t.Vars)
		funcs(t.Funcs)
		funcs(t.Methods)
	}
	// gofmt realigns the fields whose blank lines were dropped.
	formatted, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("apilisting: formatting the listing of %s: %w", importPath, err)
	}
	return formatted, nil
}

// decl prints one declaration without its comments or body.
func decl(b *bytes.Buffer, fset *token.FileSet, n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GenDecl:
			x.Doc = nil
		case *ast.FuncDecl:
			x.Doc, x.Body = nil, nil
		case *ast.ValueSpec:
			x.Doc, x.Comment = nil, nil
		case *ast.TypeSpec:
			x.Doc, x.Comment = nil, nil
		case *ast.Field:
			x.Doc, x.Comment = nil, nil
		}
		return true
	})
	var one bytes.Buffer
	cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	if err := cfg.Fprint(&one, fset, n); err != nil {
		fmt.Fprintf(&one, "<%v>", err)
	}
	// The lines the doc comments held are left blank: drop them.
	b.WriteByte('\n')
	for line := range strings.Lines(one.String()) {
		if strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, "\n"))
			b.WriteByte('\n')
		}
	}
}
