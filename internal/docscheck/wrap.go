package docscheck

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// Kind is how a snippet is compiled.
type Kind int

// The kinds of snippet.
const (
	WholeFile Kind = iota // starts with a package clause: compiled as it is
	Decls                 // top-level declarations: a package clause and imports are added
	Body                  // statements: wrapped in a function, imports added
)

func (k Kind) String() string {
	return [...]string{"file", "declarations", "statements"}[k]
}

// Var is a free variable of the [Preamble].
type Var struct {
	Name, Type string
	Imports    []string // the packages Type names, by name (resolved like a snippet's)
}

// Preamble holds the variables a fragment may use without declaring them,
// because the prose around it names them: a context, a client, a
// conversation, an error, a test. They are package-level variables of the
// snippet's package, so a fragment may also declare its own of the same name
// (client, err := ...). Only those a fragment uses are declared.
var Preamble = []Var{
	{Name: "ctx", Type: "context.Context", Imports: []string{"context"}},
	{Name: "client", Type: "*conversations.Client", Imports: []string{"conversations"}},
	{Name: "conv", Type: "*conversations.Conversation", Imports: []string{"conversations"}},
	{Name: "err", Type: "error"},
	{Name: "t", Type: "*testing.T", Imports: []string{"testing"}},
}

// Program is a snippet made into the Go files that compile it.
type Program struct {
	Snippet
	Kind    Kind
	Files   map[string]string // file name -> source
	Imports []string          // import paths, sorted

	dir string // its package directory, once written
}

// Prepare turns a snippet into a package: it decides the snippet's kind,
// adds the imports its package names need and the preamble variables it
// uses, and marks every variable it declares as used. file is the absolute
// name the //line directives give (errors are reported against it). A
// snippet that does not parse is an error naming file and line.
func Prepare(s Snippet, file string, r *Resolver) (*Program, error) {
	directive := fmt.Sprintf("//line %s:%d:1\n", file, s.Line)
	if startsWithPackage(s.Code) {
		name := "snippet.go"
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "snippet.go", directive+s.Code, parser.ImportsOnly)
		if err != nil {
			return nil, syntaxError(err)
		}
		if strings.HasSuffix(f.Name.Name, "_test") {
			name = "snippet_test.go"
		}
		if s.Runs() && f.Name.Name != "main" {
			return nil, fmt.Errorf("%s:%d: a go run snippet is statements or a whole main package", file, s.Line)
		}
		p := &Program{Snippet: s, Kind: WholeFile, Files: map[string]string{name: directive + s.Code}}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			p.Imports = append(p.Imports, path)
		}
		return p, nil
	}

	// Top-level declarations, or else statements: whichever parses, and when
	// neither does, the error of the reading that got further.
	pkg, fn := "package snippet\n", "func _() error {\n"
	if s.Runs() {
		pkg, fn = "package main\n", "func snippet() error {\n"
	}
	declHead := pkg + "\n"
	bodyHead := pkg + "\n" + fn
	declSrc := declHead + directive + s.Code
	bodySrc := bodyHead + directive + s.Code + "}\n"
	fset := token.NewFileSet()
	kind, src, head := Decls, declSrc, declHead
	f, derr := parser.ParseFile(fset, "snippet.go", declSrc, parser.ParseComments)
	if derr != nil {
		var berr error
		fset = token.NewFileSet()
		f, berr = parser.ParseFile(fset, "snippet.go", bodySrc, parser.ParseComments)
		if berr != nil {
			if errorOffset(derr)-len(declHead) > errorOffset(berr)-len(bodyHead) {
				return nil, syntaxError(derr)
			}
			return nil, syntaxError(berr)
		}
		kind, src, head = Body, bodySrc, bodyHead
	}
	if s.Runs() && kind != Body {
		return nil, fmt.Errorf("%s:%d: a go run snippet is statements or a whole main package", file, s.Line)
	}

	uses := freeSelectors(f)
	free := map[string]bool{}
	for _, id := range f.Unresolved {
		free[id.Name] = true
	}
	var pre []Var
	for _, v := range Preamble {
		if free[v.Name] {
			pre = append(pre, v)
			delete(uses, v.Name) // client.X selects from the variable, not a package
		}
	}

	// A name no package has is left to the compiler, which reports
	// "undefined: name" at the snippet's line.
	imports := map[string]string{} // name -> path
	for name, sels := range uses {
		if path, ok := r.Resolve(name, sels); ok {
			imports[name] = path
		}
	}

	body := src[len(head):]
	if kind == Body {
		body = markUsed(fset, f, src, len(head))
	}
	p := &Program{Snippet: s, Kind: kind, Files: map[string]string{
		"snippet.go": pkg + importBlock(imports) + head[len(pkg):] + body,
	}}
	if s.Runs() {
		p.Files["main.go"] = runMain
	}
	paths := map[string]bool{}
	for _, path := range imports {
		paths[path] = true
	}
	if len(pre) > 0 {
		preImports := map[string]string{}
		var decl strings.Builder
		decl.WriteString("var (\n")
		for _, v := range pre {
			for _, name := range v.Imports {
				path, ok := r.Resolve(name, nil)
				if !ok {
					return nil, fmt.Errorf("docscheck: preamble package %s not found", name)
				}
				preImports[name] = path
				paths[path] = true
			}
			fmt.Fprintf(&decl, "\t%s %s\n", v.Name, v.Type)
		}
		decl.WriteString(")\n")
		p.Files["preamble.go"] = pkg + importBlock(preImports) + "\n" + decl.String()
	}
	for path := range paths {
		p.Imports = append(p.Imports, path)
	}
	sort.Strings(p.Imports)
	return p, nil
}

// runMain is the main of a go run snippet: it runs the snippet, and an error
// it returns ends the program with status 1.
const runMain = `package main

import (
	"fmt"
	"os"
)

func main() {
	if err := snippet(); err != nil {
		fmt.Fprintln(os.Stderr, "snippet:", err)
		os.Exit(1)
	}
}
`

// startsWithPackage reports whether the code's first token is `package`.
func startsWithPackage(code string) bool {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
	_, tok, _ := s.Scan()
	return tok == token.PACKAGE
}

// freeSelectors returns, for each unresolved identifier used as the left of
// a selector (pkg.Name), the names selected from it.
func freeSelectors(f *ast.File) map[string][]string {
	unresolved := map[*ast.Ident]bool{}
	for _, id := range f.Unresolved {
		unresolved[id] = true
	}
	uses := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && unresolved[x] {
				uses[x.Name] = append(uses[x.Name], sel.Sel.Name)
			}
		}
		return true
	})
	return uses
}

// markUsed returns the function body of src (from offset start) with
// `; _ = name` after every statement that declares variables, and at the top
// of the body or of each case of every if, for, range, switch and type
// switch that declares them, each on the line it belongs to, so that the line
// numbers stay those of the Markdown file.
func markUsed(fset *token.FileSet, f *ast.File, src string, start int) string {
	type insertion struct {
		at   int
		text string
	}
	var ins []insertion
	names := func(ids []ast.Expr) string {
		var b strings.Builder
		for _, e := range ids {
			if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
				b.WriteString("; _ = " + id.Name)
			}
		}
		return b.String()
	}
	// defined is the marking of the variables an init statement declares.
	defined := func(st ast.Stmt) string {
		if a, ok := st.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
			return names(a.Lhs)
		}
		return ""
	}
	// at marks variables right after the token at pos ({ or :), where they
	// are in scope.
	at := func(pos token.Pos, text string) {
		if text != "" {
			ins = append(ins, insertion{fset.Position(pos).Offset + 1, text[1:] + ";"})
		}
	}
	after := func(st ast.Stmt) {
		var text string
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				text = names(st.Lhs)
			}
		case *ast.DeclStmt:
			if g, ok := st.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, spec := range g.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						if id.Name != "_" {
							text += "; _ = " + id.Name
						}
					}
				}
			}
		}
		if text != "" {
			ins = append(ins, insertion{fset.Position(st.End()).Offset, text})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				at(n.Body.Lbrace, names([]ast.Expr{n.Key, n.Value}))
			}
		case *ast.IfStmt:
			at(n.Body.Lbrace, defined(n.Init))
		case *ast.ForStmt:
			at(n.Body.Lbrace, defined(n.Init))
		case *ast.SwitchStmt:
			for _, c := range n.Body.List {
				at(c.(*ast.CaseClause).Colon, defined(n.Init))
			}
		case *ast.TypeSwitchStmt:
			for _, c := range n.Body.List {
				at(c.(*ast.CaseClause).Colon, defined(n.Init)+defined(n.Assign))
			}
		}
		for _, st := range list {
			after(st)
		}
		return true
	})
	// The wrapper returns an error, so that a fragment may `return err`; it
	// returns nil after a fragment that does not end in a terminating statement.
	fn := f.Decls[len(f.Decls)-1].(*ast.FuncDecl)
	if n := len(fn.Body.List); n == 0 || !terminates(fn.Body.List[n-1]) {
		ins = append(ins, insertion{fset.Position(fn.Body.Rbrace).Offset, "return nil\n"})
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].at > ins[j].at })
	for _, in := range ins {
		src = src[:in.at] + in.text + src[in.at:]
	}
	return src[start:]
}

// terminates reports whether st is a terminating statement as the Go
// specification defines it, for the statements fragments end with: a return,
// a panic, an endless for, an if with an else that both terminate,
// a block ending in one.
func terminates(st ast.Stmt) bool {
	switch st := st.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BlockStmt:
		return len(st.List) > 0 && terminates(st.List[len(st.List)-1])
	case *ast.IfStmt:
		return st.Else != nil && terminates(st.Body) && terminates(st.Else)
	case *ast.ForStmt:
		return st.Cond == nil && !hasBreak(st.Body)
	case *ast.ExprStmt:
		if call, ok := st.X.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "panic" {
				return true
			}
		}
	}
	return false
}

// hasBreak reports whether a loop body holds a break (conservatively, any).
func hasBreak(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.BREAK {
			found = true
		}
		return !found
	})
	return found
}

// importBlock renders imports, each with its name.
func importBlock(imports map[string]string) string {
	if len(imports) == 0 {
		return ""
	}
	names := make([]string, 0, len(imports))
	for n := range imports {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("\nimport (\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%s %q\n", n, imports[n])
	}
	b.WriteString(")\n")
	return b.String()
}

// errorOffset is the offset of a parse error's first position.
func errorOffset(err error) int {
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return list[0].Pos.Offset
	}
	return 0
}

// syntaxError reports a parse error at its Markdown position (the //line
// directive made it so), first error only.
func syntaxError(err error) error {
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return fmt.Errorf("%s: syntax error: %s", list[0].Pos, list[0].Msg)
	}
	return err
}
