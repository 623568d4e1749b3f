// Package docscheck compiles the Go snippets of the repository's Markdown
// documentation (README.md and docs/*.md), so that a rename that breaks a
// snippet fails CI instead of reaching a reader.
//
// Every fenced block whose info string starts with "go" is checked:
//
//   - a whole file (its first token is `package`) is compiled as it is;
//   - top-level declarations (functions, types, variables) get a package
//     clause and the imports they need;
//   - any other fragment is a function body: it is wrapped in a function
//     that returns an error (so a fragment may `return err`), with the
//     imports it needs.
//
// Imports are inferred from the package names a fragment uses
// (`conversations.NewClient` imports github.com/conversations-go/conversations):
// see [Resolver]. A fragment may use the free variables of the [Preamble]
// (ctx, client, conv, err, t...) without declaring them, the way prose around
// a snippet names them. A variable a fragment declares and never uses does not
// fail the build (the fragment shows a call's result; it is not a program).
//
// A fence written ```go nocompile is skipped: keep that for a snippet that
// cannot be made complete, and say why next to it; fixing the snippet is better.
// A fence written ```go run is also built as a program (statements become the
// body of main, returning an error ends it with status 1) and run by
// [Checker.Check], against the emulator the test gives it: a snippet that
// claims to work must work.
//
// The snippets are compiled by the go command (go vet, which type-checks and
// vets) in a temporary module that requires the repository's local modules
// through replace directives, so snippets of redisstore or any other module of
// the repository compile too. //line directives map every error to the
// Markdown file and line it comes from.
//
// [CheckLinks] checks the relative links of the same files: each file,
// directory and heading they name must exist.
package docscheck

import (
	"bytes"
	"strings"
)

// Snippet is one fenced Go block of a Markdown file.
type Snippet struct {
	File string // the Markdown file, as given to Extract
	Line int    // the line of the block's first code line, 1-based
	Info string // the fence's info string ("go", "go nocompile")
	Code string // the block's text, without the fences, indentation removed
}

// Skipped reports whether the fence asks not to be compiled ("go nocompile").
func (s Snippet) Skipped() bool { return s.flag("nocompile") }

// Runs reports whether the fence asks to be run too ("go run"): the snippet
// is built as a program and run against the emulator.
func (s Snippet) Runs() bool { return s.flag("run") }

// flag reports whether the fence's info string has word after "go".
func (s Snippet) flag(word string) bool {
	f := strings.Fields(s.Info)
	for _, w := range f[1:] {
		if w == word {
			return true
		}
	}
	return false
}

// Extract returns the Go blocks of a Markdown document: fences of three or
// more backticks or tildes whose info string's first word is "go". A fence
// indented (in a list item) has that indentation removed from its lines.
// A block left open runs to the end of the document, as CommonMark reads it.
func Extract(file string, src []byte) []Snippet {
	lines := strings.Split(string(bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))), "\n")
	var out []Snippet
	for i := 0; i < len(lines); i++ {
		indent, fence, info, ok := openingFence(lines[i])
		if !ok {
			continue
		}
		start := i + 1
		end := len(lines)
		for j := start; j < len(lines); j++ {
			if closingFence(lines[j], fence) {
				end = j
				break
			}
		}
		if w := strings.Fields(info); len(w) > 0 && w[0] == "go" {
			body := make([]string, 0, end-start)
			for _, l := range lines[start:end] {
				body = append(body, dedent(l, indent))
			}
			out = append(out, Snippet{File: file, Line: start + 1, Info: info, Code: strings.Join(body, "\n") + "\n"})
		}
		i = end
	}
	return out
}

// openingFence reports whether line opens a code block: up to three spaces
// of indentation, then three or more backticks or tildes, then the info string.
func openingFence(line string) (indent int, fence, info string, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	indent = len(line) - len(trimmed)
	if indent > 3 {
		return 0, "", "", false
	}
	for _, c := range []string{"`", "~"} {
		n := 0
		for n < len(trimmed) && trimmed[n] == c[0] {
			n++
		}
		if n >= 3 {
			info = strings.TrimSpace(trimmed[n:])
			if c == "`" && strings.Contains(info, "`") {
				return 0, "", "", false // not a fence (CommonMark)
			}
			return indent, trimmed[:n], info, true
		}
	}
	return 0, "", "", false
}

// closingFence reports whether line closes a block opened by fence: the same
// character, at least as many times, and nothing else but spaces.
func closingFence(line, fence string) bool {
	t := strings.TrimSpace(line)
	if len(t) < len(fence) || len(line)-len(strings.TrimLeft(line, " ")) > 3 {
		return false
	}
	return strings.Trim(t, fence[:1]) == ""
}

// dedent removes up to n leading spaces.
func dedent(line string, n int) string {
	for n > 0 && strings.HasPrefix(line, " ") {
		line = line[1:]
		n--
	}
	return line
}
