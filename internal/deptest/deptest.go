package deptest

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Forbid fails t if pkg depends, directly or transitively, on a package that
// equals one of the forbidden paths or lies below it. It names each
// offending dependency and the forbidden path it matched. pkg is an import
// path or a pattern that go list accepts for one package, such as ".".
func Forbid(t testing.TB, pkg string, forbidden ...string) {
	t.Helper()
	for _, dep := range deps(t, pkg) {
		if f, ok := match(dep, forbidden); ok {
			t.Errorf("%s depends on %s (forbidden: %s)", pkg, dep, f)
		}
	}
}

// Matches returns pkg's dependencies, direct or transitive, that equal one
// of the paths or lie below it, in go list's order. A test that forbids
// paths to one package can show with Matches that another package, one
// that must depend on them, does: that the paths are spelt as the packages
// they mean, so that Forbid would catch them.
func Matches(t testing.TB, pkg string, paths ...string) []string {
	t.Helper()
	var out []string
	for _, dep := range deps(t, pkg) {
		if _, ok := match(dep, paths); ok {
			out = append(out, dep)
		}
	}
	return out
}

// deps returns every package pkg depends on, pkg included.
func deps(t testing.TB, pkg string) []string {
	t.Helper()
	deps := goList(t, pkg, "-deps", "-f", "{{.ImportPath}}")
	if len(deps) == 0 {
		t.Fatalf("deptest: go list -deps %s listed nothing", pkg)
	}
	return deps
}

// ForbidImports fails t if pkg, or any package outside the standard library
// that pkg depends on, imports a forbidden package directly. Imports made
// by the standard library itself are not checked, nor those of the
// packages in likeStandard.
func ForbidImports(t testing.TB, pkg string, forbidden ...string) {
	t.Helper()
	lines := goList(t, pkg, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{end}}")
	if len(lines) == 0 {
		t.Fatalf("deptest: go list -deps %s listed nothing", pkg)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		if slices.Contains(likeStandard, fields[0]) {
			continue
		}
		for _, imp := range fields[1:] {
			if f, ok := match(imp, forbidden); ok {
				t.Errorf("%s imports %s (forbidden: %s)", fields[0], imp, f)
			}
		}
	}
}

// likeStandard lists the packages outside the standard library whose
// imports ForbidImports does not check, as it does not check the standard
// library's. golang.org/x/sys/cpu, the Go project's own detection of the
// CPU's features (the standard library keeps a copy of it internally),
// reads /proc/self/auxv or /proc/cpuinfo once at start on some platforms,
// through os; the signature verifier (curve25519-voi) needs it to choose
// its vector code.
var likeStandard = []string{"golang.org/x/sys/cpu"}

// match reports the first forbidden path that path equals or lies below.
func match(path string, forbidden []string) (string, bool) {
	i := slices.IndexFunc(forbidden, func(f string) bool {
		f = strings.TrimSuffix(f, "/")
		return path == f || strings.HasPrefix(path, f+"/")
	})
	if i < 0 {
		return "", false
	}
	return forbidden[i], true
}

// goList runs go list with args for pkg and returns its non-empty lines.
// It skips t when the go command is not on PATH (a test binary run on its
// own, away from the toolchain).
func goList(t testing.TB, pkg string, args ...string) []string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("deptest: no go command to list %s's dependencies: %v", pkg, err)
	}
	cmd := exec.Command("go", append(append([]string{"list"}, args...), pkg)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("deptest: go list %s: %v\n%s", pkg, err, stderr.Bytes())
	}
	var lines []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// ForbidDirect fails t if pkg itself imports a forbidden package. It is for
// rules about the module's own code, such as "no rule reads the clock",
// that its libraries need not follow.
func ForbidDirect(t testing.TB, pkg string, forbidden ...string) {
	t.Helper()
	for _, imp := range goList(t, pkg, "-f", "{{range .Imports}}{{.}}\n{{end}}") {
		if f, ok := match(imp, forbidden); ok {
			t.Errorf("%s imports %s (forbidden: %s)", pkg, imp, f)
		}
	}
}

// ForbidExact fails t if pkg depends, directly or transitively, on one of
// the given packages itself; packages below them stay allowed. It forbids
// "net" (the network stack) while allowing the pure parsers net/netip and
// net/url, for example.
func ForbidExact(t testing.TB, pkg string, forbidden ...string) {
	t.Helper()
	for _, dep := range deps(t, pkg) {
		if slices.Contains(forbidden, dep) {
			t.Errorf("%s depends on %s (forbidden)", pkg, dep)
		}
	}
}
