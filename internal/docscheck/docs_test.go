package docscheck

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// repoRoot is the core module's directory, two levels up.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// docFiles are README.md and every docs/*.md, relative to the root.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md"}
	guides, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(guides)
	for _, g := range guides {
		rel, _ := filepath.Rel(root, g)
		files = append(files, filepath.ToSlash(rel))
	}
	return files
}

// requireModulesEnv makes TestDocSnippetsCompile fail, rather than skip,
// when a module a snippet needs cannot be downloaded (.ci/run sets it; so
// does any CI that sets CI).
const requireModulesEnv = "CONVERSATIONS_DOCS_REQUIRE_MODULES"

// TestDocSnippetsCompile compiles every Go snippet of README.md and
// docs/*.md. Snippets needing modules other than the core one (redisstore,
// go-redis, OpenTelemetry...) need those modules in the module cache or the
// Go module proxy; without either they are skipped, except under CI (CI or
// CONVERSATIONS_DOCS_REQUIRE_MODULES set), where that fails.
func TestDocSnippetsCompile(t *testing.T) {
	root := repoRoot(t)
	var snippets []Snippet
	for _, f := range docFiles(t, root) {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		snippets = append(snippets, Extract(f, src)...)
	}
	if len(snippets) == 0 {
		t.Fatal("no Go snippet found in README.md and docs/")
	}
	statSources(t, root)
	c, err := NewChecker(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c.RunEnv = emulatorEnv
	res, err := c.Check(context.Background(), snippets)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
	if len(res.Offline) > 0 {
		var where []string
		for _, s := range res.Offline {
			where = append(where, s.File+":"+strconv.Itoa(s.Line))
		}
		msg := "modules could not be downloaded; not compiled: " + strings.Join(where, ", ") + "\n" + res.Reason
		if os.Getenv("CI") != "" || os.Getenv(requireModulesEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Logf("%d snippets compiled, %d run", res.Compiled, res.Ran)
}

// emulatorEnv starts a fresh emulator for a go run snippet and points
// NewClientFromEnv at it (with no TWILIO_ variable set, it uses the
// emulator's default credentials).
func emulatorEnv() ([]string, func()) {
	srv := conversationstest.NewServer()
	return []string{conversations.EmulatorHostEnv + "=" + strings.TrimPrefix(srv.URL, "http://")}, srv.Close
}

// TestDocLinks checks every relative link of README.md, CONTRIBUTING.md and
// docs/*.md: the file or directory exists, and the heading a #fragment names
// is there, so that moving a section breaks no link silently.
func TestDocLinks(t *testing.T) {
	root := repoRoot(t)
	for _, f := range append(docFiles(t, root), "CONTRIBUTING.md") {
		abs := filepath.Join(root, f)
		src, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range CheckLinks(abs, src) {
			t.Error(strings.TrimPrefix(p.String(), root+string(filepath.Separator)))
		}
	}
}

// statSources stats every Go file, go.mod and go.sum of the repository. The
// go command caches a passing test's result keyed on the files the test
// opened or statted; the snippets are compiled by a child go command, whose
// reads do not count, so without this a rename in the library would leave
// the cached PASS in place.
func statSources(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if n := d.Name(); strings.HasSuffix(n, ".go") || n == "go.mod" || n == "go.sum" {
			_, err = os.Stat(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
