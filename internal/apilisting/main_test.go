package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed listing matches the code. On a failure, regenerate it with
// go run ./internal/apilisting -w (see the error).
func TestCommittedListingIsCurrent(t *testing.T) {
	root, err := moduleRoot()
	require.NoError(t, err)
	require.NoError(t, run(root, false))
}

// A change to an exported name fails the check with the command that
// regenerates the listing; a doc comment change does not.
func TestListingCatchesAnExportedChange(t *testing.T) {
	root := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(src), 0o644))
	}
	write("go.mod", "module "+module+"\n\ngo 1.24\n")
	write("a.go", "package conversations\n\n// A does a.\nfunc A(n int) error { return nil }\n\ntype T struct {\n\t// X is x.\n\tX int\n\ty int\n}\n")
	write("sub/b.go", "package sub\n\n// B is b.\nconst B = 1\n")
	write("internal/c/c.go", "package c\n\nfunc C() {}\n")
	write("cmd/tool/main.go", "package main\n\nfunc main() {}\n")
	require.NoError(t, run(root, true))
	listed, err := filepath.Glob(filepath.Join(root, "api", "*.txt"))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{filepath.Join(root, "api", "conversations.txt"), filepath.Join(root, "api", "sub.txt")}, listed)
	got, err := os.ReadFile(filepath.Join(root, "api", "conversations.txt"))
	require.NoError(t, err)
	assert.Equal(t, "package conversations // import \""+module+"\"\n\nfunc A(n int) error\n\ntype T struct {\n\tX int\n\t// contains filtered or unexported fields\n}\n", string(got))
	require.NoError(t, run(root, false))

	write("a.go", "package conversations\n\n// A does a, documented again.\nfunc A(n int) error { return nil }\n\ntype T struct {\n\tX int\n\ty int\n}\n")
	require.NoError(t, run(root, false), "doc comments are not part of the listing")

	write("a.go", "package conversations\n\nfunc A(n int64) error { return nil }\n\ntype T struct {\n\tX int\n}\n")
	err = run(root, false)
	require.Error(t, err)
	assert.ErrorContains(t, err, "api/conversations.txt differs from the code")
	assert.ErrorContains(t, err, `"func A(n int64) error"`)
	assert.ErrorContains(t, err, "go run ./internal/apilisting -w")

	require.NoError(t, os.Remove(filepath.Join(root, "sub", "b.go")))
	write("a.go", "package conversations\n\nfunc A(n int) error { return nil }\n\ntype T struct {\n\tX int\n\ty int\n}\n")
	assert.ErrorContains(t, run(root, false), "api/sub.txt lists no public package")
}
