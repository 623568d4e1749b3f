package docscheck

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Checker compiles snippets against the modules of one repository.
type Checker struct {
	Root    string   // the repository root: the core module's directory
	WorkDir string   // where the temporary modules are written (a test's TempDir)
	Env     []string // added to the go command's environment
	Modules []Module // the repository's modules, root first (FindModules)

	// RunEnv, when set, is called before each go run snippet runs; it
	// returns the environment the program gets (after the test's own, from
	// which every TWILIO_ variable and CONVERSATIONS_EMULATOR_HOST are
	// removed) and a function to call when the program has ended. The test
	// points CONVERSATIONS_EMULATOR_HOST at a fresh emulator. Without
	// RunEnv, go run snippets are compiled only.
	RunEnv func() (env []string, done func())

	resolver *Resolver
}

// Result is what Check found.
type Result struct {
	// Problems are the snippets that do not compile, each line
	// "file.md:line:col: message" (file relative to Root).
	Problems []string
	// Offline are the snippets left uncompiled because a module they need
	// could not be downloaded (no network and not in the module cache);
	// Reason is the go command's output.
	Offline []Snippet
	Reason  string
	// Compiled counts the snippets compiled, Ran the go run snippets run.
	Compiled, Ran int
}

// NewChecker finds the modules under root and indexes their packages and
// the standard library of the go command on PATH.
func NewChecker(root, workDir string) (*Checker, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	mods, err := FindModules(root)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("docscheck: go env GOROOT: %w", err)
	}
	r, err := NewResolver(root, strings.TrimSpace(string(out)), mods)
	if err != nil {
		return nil, err
	}
	return &Checker{Root: root, WorkDir: workDir, Modules: mods, resolver: r}, nil
}

// Check compiles the snippets (those marked nocompile aside). Snippets whose
// imports are all in the standard library, the core module and the core
// module's requirements are compiled in one module, which needs no network
// once the core module's tests have run; the others (redisstore, go-redis,
// OpenTelemetry...) in a second one, which may need the Go module proxy.
func (c *Checker) Check(ctx context.Context, snippets []Snippet) (Result, error) {
	var res Result
	var core, extended []*Program
	for _, s := range snippets {
		if s.Skipped() {
			continue
		}
		file := s.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(c.Root, file)
		}
		p, err := Prepare(s, file, c.resolver)
		if err != nil {
			res.Problems = append(res.Problems, c.relative(err.Error()))
			continue
		}
		if c.isCore(p) {
			core = append(core, p)
		} else {
			extended = append(extended, p)
		}
	}
	for i, group := range [][]*Program{core, extended} {
		if len(group) == 0 {
			continue
		}
		dir := filepath.Join(c.WorkDir, fmt.Sprintf("group%d", i))
		out, err := c.compile(ctx, dir, group)
		if err == nil {
			res.Compiled += len(group)
			for _, p := range group {
				if p.Runs() && c.RunEnv != nil {
					if problem := c.run(ctx, dir, p); problem != "" {
						res.Problems = append(res.Problems, problem)
					}
					res.Ran++
				}
			}
			continue
		}
		if i == 1 && downloadFailed(out) {
			for _, p := range group {
				res.Offline = append(res.Offline, p.Snippet)
			}
			res.Reason = out
			continue
		}
		problems := c.problems(dir, out)
		if len(problems) == 0 {
			return res, fmt.Errorf("docscheck: go build/vet failed: %v\n%s", err, out)
		}
		res.Problems = append(res.Problems, problems...)
		res.Compiled += len(group)
	}
	return res, nil
}

// isCore reports whether every import of p is in the standard library, a
// package of the core module, or a module the core module requires.
func (c *Checker) isCore(p *Program) bool {
	root := c.Modules[0]
	for _, im := range p.Imports {
		if m, ok := moduleOf(c.Modules, im); ok {
			if m.Path != root.Path {
				return false
			}
			continue
		}
		first := strings.SplitN(im, "/", 2)[0]
		if !strings.Contains(first, ".") {
			continue // standard library
		}
		required := false
		for _, r := range root.Requires {
			if im == r || strings.HasPrefix(im, r+"/") {
				required = true
			}
		}
		if !required {
			return false
		}
	}
	return true
}

// compile writes the programs as packages of a temporary module in dir and
// runs go vet on them (type-checking and vet's checks); it returns the go
// command's output.
func (c *Checker) compile(ctx context.Context, dir string, progs []*Program) (string, error) {
	need := map[string]bool{c.Modules[0].Path: true}
	for i, p := range progs {
		for _, im := range p.Imports {
			if m, ok := moduleOf(c.Modules, im); ok {
				need[m.Path] = true
			}
		}
		pkgDir := filepath.Join(dir, fmt.Sprintf("s%03d_%s_%d", i, sanitize(filepath.Base(p.File)), p.Line))
		p.dir = pkgDir
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			return "", err
		}
		for name, src := range p.Files {
			if err := os.WriteFile(filepath.Join(pkgDir, name), []byte(src), 0o644); err != nil {
				return "", err
			}
		}
	}
	if err := writeModule(dir, c.Modules, need); err != nil {
		return "", err
	}
	// go build reports every type error of a package (up to ten), go vet
	// only the first; vet then adds its checks, and compiles the _test files.
	var out bytes.Buffer
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
		cmd.Env = append(cmd.Env, c.Env...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return out.String(), err
		}
	}
	return out.String(), nil
}

// run builds a go run snippet and runs it with the environment of RunEnv;
// it returns the problem, or "" when the program ended with status 0.
func (c *Checker) run(ctx context.Context, dir string, p *Program) string {
	where := fmt.Sprintf("%s:%d", c.relative(p.File), p.Line)
	bin := filepath.Join(dir, "bin", filepath.Base(p.dir))
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./"+filepath.Base(p.dir))
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Sprintf("%s: go run: build: %v\n%s", where, err, out)
	}
	env, done := c.RunEnv()
	defer done()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TWILIO_") && !strings.HasPrefix(kv, "CONVERSATIONS_EMULATOR_HOST=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		text := out.String()
		if len(text) > 2000 {
			text = "..." + text[len(text)-2000:]
		}
		return fmt.Sprintf("%s: go run: %v\n%s", where, err, text)
	}
	return ""
}

// problems keeps the lines of the go command's output that name a Markdown
// position, relative to the root, sorted and without duplicates. The go
// command shortens a path to one relative to dir, where it ran, when that is
// shorter: such a path is made absolute first.
func (c *Checker) problems(dir, out string) []string {
	seen := map[string]bool{}
	var list []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(strings.TrimSpace(l), "vet: ")
		m := mdPosition.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if !filepath.IsAbs(m[1]) {
			l = filepath.Join(dir, m[1]) + l[len(m[1]):]
		}
		l = c.relative(l)
		if !seen[l] {
			seen[l] = true
			list = append(list, l)
		}
	}
	sort.Strings(list)
	return list
}

// relative makes the paths under the root in msg relative to it.
func (c *Checker) relative(msg string) string {
	return strings.ReplaceAll(msg, c.Root+string(filepath.Separator), "")
}

// mdPosition matches a message that starts with a Markdown file's position.
var mdPosition = regexp.MustCompile(`^(\S+\.md):\d+(:\d+)?: `)

// downloadFailed reports whether the go command failed because a module
// could not be fetched, rather than because a snippet does not compile.
func downloadFailed(out string) bool {
	for _, s := range []string{"dial tcp", "no such host", "connection refused", "i/o timeout",
		"GOPROXY=off", "module lookup disabled", "proxyconnect", "TLS handshake timeout"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}

// sanitize makes a file name usable in a package directory's name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
