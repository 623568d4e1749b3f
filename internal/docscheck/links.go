package docscheck

import (
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Link is a Markdown link to a file of the repository.
type Link struct {
	Line     int    // 1-based
	Target   string // as written
	Path     string // the file or directory, relative to the Markdown file's directory; "" for the file itself
	Fragment string // after '#', "" when none
}

// linkPattern matches an inline link or image: [text](target) or
// [text](target "title").
var linkPattern = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

// Links returns the relative links of a Markdown document (to a file, a
// directory or a heading), outside code blocks and code spans. Links with a
// scheme (https:, mailto:) are left out.
func Links(src []byte) []Link {
	var out []Link
	for i, line := range proseLines(src) {
		for _, m := range linkPattern.FindAllStringSubmatchIndex(withoutCodeSpans(line), -1) {
			target := line[m[2]:m[3]]
			if strings.Contains(target, ":") {
				continue // https://..., mailto:...
			}
			l := Link{Line: i + 1, Target: target, Path: target}
			if j := strings.IndexByte(target, '#'); j >= 0 {
				l.Path, l.Fragment = target[:j], target[j+1:]
			}
			out = append(out, l)
		}
	}
	return out
}

// proseLines yields the lines of a Markdown document outside fenced code
// blocks, with their 0-based numbers.
func proseLines(src []byte) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		inFence, fence := false, ""
		for i, line := range strings.Split(string(src), "\n") {
			if inFence {
				inFence = !closingFence(line, fence)
				continue
			}
			if _, f, _, ok := openingFence(line); ok {
				inFence, fence = true, f
				continue
			}
			if !yield(i, line) {
				return
			}
		}
	}
}

// withoutCodeSpans blanks the code spans of a line (`...`), keeping its
// length so that offsets still index the line.
func withoutCodeSpans(line string) string {
	b := []byte(line)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		closing := strings.Index(string(b[i+n:]), strings.Repeat("`", n))
		if closing < 0 {
			break
		}
		end := i + n + closing + n
		for k := i; k < end; k++ {
			b[k] = ' '
		}
		i = end
	}
	return string(b)
}

// Anchors returns the anchors GitHub gives the headings of a Markdown
// document: lower case, punctuation dropped, spaces as hyphens, and -1, -2...
// after a repeated one.
func Anchors(src []byte) map[string]bool {
	anchors := map[string]bool{}
	count := map[string]int{}
	for _, line := range proseLines(src) {
		t := strings.TrimLeft(line, " ")
		if !strings.HasPrefix(t, "#") {
			continue
		}
		text := strings.TrimLeft(t, "#")
		if len(t)-len(text) > 6 || (text != "" && text[0] != ' ') {
			continue
		}
		slug := Slug(text)
		if n := count[slug]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			anchors[slug] = true
		}
		count[slug]++
	}
	return anchors
}

// Slug is the anchor of a heading's text.
func Slug(text string) string {
	text = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(text), "#"))
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// LinkProblem is a link whose file, directory or heading does not exist.
type LinkProblem struct {
	File   string // the Markdown file, as given to CheckLinks
	Link   Link
	Target string // the file linked to, File's directory joined with Link.Path
	Msg    string
}

func (p LinkProblem) String() string {
	return fmt.Sprintf("%s:%d: link %s: %s", p.File, p.Link.Line, p.Link.Target, p.Msg)
}

// CheckLinks reports the links of the Markdown file at file (its content
// src) whose file, directory or heading does not exist.
func CheckLinks(file string, src []byte) []LinkProblem {
	var problems []LinkProblem
	dir := filepath.Dir(file)
	for _, l := range Links(src) {
		target := file
		if l.Path != "" {
			target = filepath.Join(dir, filepath.FromSlash(l.Path))
			if _, err := os.Stat(target); err != nil {
				problems = append(problems, LinkProblem{file, l, target, "no such file or directory"})
				continue
			}
		}
		if l.Fragment == "" || !strings.HasSuffix(target, ".md") {
			continue
		}
		data := src
		if target != file {
			var err error
			if data, err = os.ReadFile(target); err != nil {
				problems = append(problems, LinkProblem{file, l, target, err.Error()})
				continue
			}
		}
		if !Anchors(data)[l.Fragment] {
			problems = append(problems, LinkProblem{file, l, target, "no heading with that anchor"})
		}
	}
	return problems
}
