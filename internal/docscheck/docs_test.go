package docscheck

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
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
	c, err := NewChecker(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
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
	t.Logf("%d snippets compiled", res.Compiled)
}
