package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

const module = "github.com/conversations-go/conversations"

func main() {
	write := flag.Bool("w", false, "write the listing instead of checking it")
	flag.Parse()
	root, err := moduleRoot()
	if err == nil {
		err = run(root, *write)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// moduleRoot finds the directory of the module's go.mod, from the working
// directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module "+module+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("apilisting: run it inside the module " + module)
		}
		dir = parent
	}
}

// run writes the listing of every public package to root/api, or checks that
// the committed listing matches the code.
func run(root string, write bool) error {
	pkgs, err := Packages(root)
	if err != nil {
		return err
	}
	apiDir := filepath.Join(root, "api")
	want := map[string][]byte{}
	for _, rel := range pkgs {
		importPath := module
		if rel != "." {
			importPath = path.Join(module, rel)
		}
		b, err := Listing(filepath.Join(root, filepath.FromSlash(rel)), importPath)
		if err != nil {
			return err
		}
		want[ListingFile(rel)] = b
	}
	existing, _ := filepath.Glob(filepath.Join(apiDir, "*.txt"))
	if write {
		if err := os.MkdirAll(apiDir, 0o755); err != nil {
			return err
		}
		for _, f := range existing {
			if _, ok := want[filepath.Base(f)]; !ok {
				if err := os.Remove(f); err != nil {
					return err
				}
			}
		}
		for name, b := range want {
			if err := os.WriteFile(filepath.Join(apiDir, name), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	var problems []string
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join(apiDir, name))
		switch {
		case err != nil:
			problems = append(problems, "api/"+name+" is missing")
		case !bytes.Equal(got, b):
			problems = append(problems, "api/"+name+" differs from the code:\n"+firstDifference(got, b))
		}
	}
	for _, f := range existing {
		if _, ok := want[filepath.Base(f)]; !ok {
			problems = append(problems, "api/"+filepath.Base(f)+" lists no public package")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the exported API changed:\n%s\n\nIf the change is on purpose, regenerate the listing and commit it with its CHANGELOG line:\n\tgo run ./internal/apilisting -w",
			strings.Join(problems, "\n"))
	}
	return nil
}

// firstDifference shows the first line where the committed listing and the
// code differ.
func firstDifference(committed, current []byte) string {
	a, b := strings.Split(string(committed), "\n"), strings.Split(string(current), "\n")
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("\tline %d committed: %q\n\tline %d in code:   %q", i+1, x, i+1, y)
		}
	}
	return ""
}
