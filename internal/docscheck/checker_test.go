package docscheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkMarkdown writes md as a Markdown file in a temporary directory,
// extracts its snippets and checks them against the repository's modules.
func checkMarkdown(t *testing.T, md string) (Result, string) {
	t.Helper()
	return checkMarkdownEnv(t, md, nil)
}

// checkMarkdownEnv is checkMarkdown with go run snippets run in runEnv.
func checkMarkdownEnv(t *testing.T, md string, runEnv func() ([]string, func())) (Result, string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "guide.md")
	if err := os.WriteFile(file, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	snippets := Extract(file, []byte(md))
	if len(snippets) == 0 {
		t.Fatal("no snippet extracted")
	}
	c, err := NewChecker(repoRoot(t), filepath.Join(dir, "work"))
	if err != nil {
		t.Fatal(err)
	}
	c.RunEnv = runEnv
	res, err := c.Check(context.Background(), snippets)
	if err != nil {
		t.Fatal(err)
	}
	return res, file
}

// TestBrokenSnippetIsCaught feeds snippets that use names that do not exist
// (a renamed function, a renamed field, a method that never was) and asserts
// each failure names the Markdown file, the line and the name.
func TestBrokenSnippetIsCaught(t *testing.T) {
	md := "# A guide\n\nSome prose.\n\n```go\n" +
		"conv, err := client.Conversations.Create(ctx, &conversations.ConversationParams{\n" + // line 6: the 0.1 name
		"\tFriendlyName: \"Order\",\n" +
		"})\n" +
		"```\n\nMore prose.\n\n```go\n" +
		"msg, err := client.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Boddy: \"hi\"})\n" + // line 14
		"client.Conversations.Frobnicate(ctx)\n" + // line 15
		"```\n"
	res, file := checkMarkdown(t, md)
	want := []struct{ line, name string }{
		{":6:", "conversations.ConversationParams"},
		{":14:", "Boddy"},
		{":15:", "Frobnicate"},
	}
	all := strings.Join(res.Problems, "\n")
	for _, w := range want {
		found := false
		for _, p := range res.Problems {
			if strings.HasPrefix(p, file+w.line) && strings.Contains(p, w.name) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem at %s%s naming %s; got:\n%s", file, w.line, w.name, all)
		}
	}
	if len(res.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(res.Problems), len(want), all)
	}
}

// TestSyntaxErrorIsCaught: a fragment that does not parse (an elided
// argument) is reported at its Markdown line, without running the compiler.
func TestSyntaxErrorIsCaught(t *testing.T) {
	md := "Intro\n\n```go\nerr := client.Conversations.Delete(ctx, ...)\n```\n"
	res, file := checkMarkdown(t, md)
	if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0], file+":4:") ||
		!strings.Contains(res.Problems[0], "syntax error") {
		t.Fatalf("problems = %q, want one syntax error at %s:4", res.Problems, file)
	}
}

// TestFragmentsCompile: the kinds of snippet the docs hold compile: a
// fragment with unused variables, preamble variables and inferred imports
// (standard, ambiguous standard, core, fixture); top-level declarations; a
// whole file with its own imports; a nocompile fence is left alone.
func TestFragmentsCompile(t *testing.T) {
	md := "```go\n" +
		"conv, err := client.Conversations.Fetch(ctx, \"CH123\") // conv and err never used\n" +
		"for msg, err := range client.Messages.List(ctx, conv.SID, nil) {\n}\n" +
		"n := rand.IntN(10) // math/rand/v2 exports IntN, math/rand does not\n" +
		"b := make([]byte, 8); _, _ = crand.Read(b)\n" +
		"f := fixture.New(t)\n" +
		"var d time.Duration\n" +
		"if v, ok := any(d).(time.Duration); ok {\n}\n" +
		"switch x := any(n).(type) {\ncase int:\n}\n" +
		"switch y := n; {\ndefault:\n}\n" +
		"for i := 0; ; {\n\treturn err\n}\n" +
		"```\n\n" +
		"```go\n" +
		"func greet(ctx context.Context, s *conversations.Scope, sid string) error {\n" +
		"\t_, err := s.Messages.Create(ctx, sid, &conversations.MessageCreateParams{Body: \"Welcome!\"})\n" +
		"\treturn err\n}\n" +
		"// greet(ctx, client.Scope, sid)\n" +
		"```\n\n" +
		"```go\n" +
		"package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n" +
		"```\n\n" +
		"```go nocompile\nthis is not Go\n```\n"
	res, _ := checkMarkdown(t, md)
	// crand is no package name: the compiler must say so, and only that.
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "undefined: crand") {
		t.Fatalf("problems = %q, want only undefined: crand", res.Problems)
	}
	if res.Compiled != 3 {
		t.Errorf("compiled %d snippets, want 3", res.Compiled)
	}
}

// TestExtract reads fences as CommonMark does: backticks or tildes, an info
// string whose first word is the language, indented fences in lists, longer
// closing fences, other languages left out.
func TestExtract(t *testing.T) {
	md := "# T\n\n```sh\ngo test ./...\n```\n\n" +
		"```go\nfmt.Println(1)\n```\n\n" +
		"- a list item:\n\n  ```go\n  fmt.Println(2)\n  ```\n\n" +
		"~~~~go nocompile\nx := `\n```\n`\n~~~~~\n\n" +
		"```golang\nnot checked\n```\n"
	got := Extract("t.md", []byte(md))
	if len(got) != 3 {
		t.Fatalf("got %d snippets, want 3: %+v", len(got), got)
	}
	want := []Snippet{
		{File: "t.md", Line: 8, Info: "go", Code: "fmt.Println(1)\n"},
		{File: "t.md", Line: 14, Info: "go", Code: "fmt.Println(2)\n"},
		{File: "t.md", Line: 18, Info: "go nocompile", Code: "x := `\n```\n`\n"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("snippet %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[0].Skipped() || !got[2].Skipped() {
		t.Error("Skipped: only the nocompile fence is skipped")
	}
}

// TestBrokenLinkIsCaught: a link to a missing file, and one to a heading
// that moved away, are reported at their lines; good ones are not.
func TestBrokenLinkIsCaught(t *testing.T) {
	dir := t.TempDir()
	other := "# Other\n\n## Many replicas: Redis\n\n## Go's `iter` package\n"
	if err := os.WriteFile(filepath.Join(dir, "other.md"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	md := "# Guide\n\n## Set up\n\n" +
		"[ok](other.md#many-replicas-redis) [ok](other.md#gos-iter-package) [ok](#set-up) [web](https://example.com/x.md)\n" + // line 5
		"[gone](missing.md) `[code](nothere.md)`\n" + // line 6
		"[moved](other.md#production-volume) [self](#nowhere)\n" + // line 7
		"```md\n[in a fence](nothere.md)\n```\n"
	file := filepath.Join(dir, "guide.md")
	var got []string
	for _, p := range CheckLinks(file, []byte(md)) {
		got = append(got, p.String())
	}
	want := []string{
		file + ":6: link missing.md: no such file or directory",
		file + ":7: link other.md#production-volume: no heading with that anchor",
		file + ":7: link #nowhere: no heading with that anchor",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRunSnippets: a go run snippet is run against the emulator; one whose
// claim is false (the conversation it fetches is not there) fails at its
// line with what it printed, one that works passes.
func TestRunSnippets(t *testing.T) {
	md := "```go run\n" + // line 1
		"ctx := context.Background()\n" +
		"client, err := conversations.NewClientFromEnv()\n" +
		"if err != nil {\n\treturn err\n}\n" +
		"conv, err := client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: \"support\"})\n" +
		"if err != nil {\n\treturn err\n}\n" +
		"_, err = client.Conversations.Fetch(ctx, conv.SID)\n" +
		"return err\n" +
		"```\n\n" +
		"```go run\n" + // line 16
		"client, err := conversations.NewClientFromEnv()\n" +
		"if err != nil {\n\treturn err\n}\n" +
		"_, err = client.Conversations.Fetch(context.Background(), \"support\") // a fresh emulator: not there\n" +
		"return err\n" +
		"```\n"
	runs := 0
	res, file := checkMarkdownEnv(t, md, func() ([]string, func()) {
		runs++
		env, done := emulatorEnv()
		return env, done
	})
	if runs != 2 || res.Ran != 2 {
		t.Fatalf("ran %d snippets (%d emulators), want 2", res.Ran, runs)
	}
	if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0], file+":16: go run: exit status 1") ||
		!strings.Contains(res.Problems[0], "20404") {
		t.Fatalf("problems = %q, want one at %s:16 with the 404", res.Problems, file)
	}
}
