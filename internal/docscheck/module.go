package docscheck

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Module is one module of the repository (a directory with a go.mod).
type Module struct {
	Path      string   // module path
	Dir       string   // absolute directory
	GoVersion string   // its go directive
	Requires  []string // the module paths it requires
}

// FindModules returns every module under root (root's own first), skipping
// hidden directories, testdata and node_modules.
func FindModules(root string) ([]Module, error) {
	var mods []Module
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
		if d.Name() != "go.mod" {
			return nil
		}
		m, err := readGoMod(p)
		if err != nil {
			return err
		}
		mods = append(mods, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(mods, func(i, j int) bool { return mods[i].Dir == root && mods[j].Dir != root })
	if len(mods) == 0 || mods[0].Dir != root {
		return nil, fmt.Errorf("docscheck: no go.mod at %s", root)
	}
	return mods, nil
}

// readGoMod reads the module path, go directive and requirements of a go.mod.
func readGoMod(file string) (Module, error) {
	f, err := os.Open(file)
	if err != nil {
		return Module{}, err
	}
	defer f.Close()
	m := Module{Dir: filepath.Dir(file)}
	inRequire := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch {
		case inRequire && fields[0] == ")":
			inRequire = false
		case inRequire:
			m.Requires = append(m.Requires, unquote(fields[0]))
		case fields[0] == "module" && len(fields) > 1:
			m.Path = unquote(fields[1])
		case fields[0] == "go" && len(fields) > 1:
			m.GoVersion = fields[1]
		case fields[0] == "require" && len(fields) > 1 && fields[1] == "(":
			inRequire = true
		case fields[0] == "require" && len(fields) > 2:
			m.Requires = append(m.Requires, unquote(fields[1]))
		}
	}
	if err := sc.Err(); err != nil {
		return Module{}, err
	}
	if m.Path == "" {
		return Module{}, fmt.Errorf("docscheck: %s has no module line", file)
	}
	return m, nil
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// moduleOf returns the local module that holds importPath (the longest
// module path that is a prefix of it), or false.
func moduleOf(mods []Module, importPath string) (Module, bool) {
	best, found := Module{}, false
	for _, m := range mods {
		if (importPath == m.Path || strings.HasPrefix(importPath, m.Path+"/")) && len(m.Path) > len(best.Path) {
			best, found = m, true
		}
	}
	return best, found
}

// writeModule writes a module named docsnippets in dir that requires the
// local modules named in need, with a replace directive for every local
// module, and a go.sum made of the local modules' go.sum lines.
func writeModule(dir string, mods []Module, need map[string]bool) error {
	goVersion := mods[0].GoVersion
	var req []string
	for _, m := range mods {
		if !need[m.Path] {
			continue
		}
		req = append(req, m.Path)
		if versionLess(goVersion, m.GoVersion) {
			goVersion = m.GoVersion
		}
	}
	sort.Strings(req)
	var b strings.Builder
	fmt.Fprintf(&b, "module docsnippets\n\ngo %s\n", goVersion)
	for _, p := range req {
		fmt.Fprintf(&b, "\nrequire %s v0.0.0", p)
	}
	b.WriteString("\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "\nreplace %s => %s", m.Path, m.Dir)
	}
	b.WriteString("\n")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	seen := map[string]bool{}
	var sum strings.Builder
	for _, m := range mods {
		data, err := os.ReadFile(filepath.Join(m.Dir, "go.sum"))
		if err != nil {
			continue // a module without dependencies has no go.sum
		}
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" && !seen[l] {
				seen[l] = true
				sum.WriteString(l + "\n")
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), []byte(sum.String()), 0o644)
}

// versionLess compares two go directive versions ("1.24.0" < "1.25").
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
