package script

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatal(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }

const golden = `# a comment
echo a b
  a b

hold no
  held no
`

// echoExec prints a command's words after the first, and holds unless
// the command says "no".
func echoExec(cmd string) ([]string, bool) {
	toks, err := Fields(cmd)
	if err != nil {
		return []string{"error: " + err.Error()}, false
	}
	a := ParseArgs(toks)
	if a.Pos[0] == "hold" {
		return []string{"held " + a.Pos[1]}, a.Pos[1] != "no"
	}
	return []string{strings.Join(a.Pos[1:], " ")}, true
}

func run(t *testing.T, src string, rewrite bool) (errs []string, after string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "s.txt")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	Run(r, file, rewrite, echoExec)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return r.errs, string(b)
}

func TestParseRenderRoundTrip(t *testing.T) {
	lines := Parse(golden)
	for _, l := range lines {
		l.Got = l.Want
	}
	if got := Render(lines); got != golden {
		t.Errorf("Render(Parse(s)) = %q, want %q", got, golden)
	}
	if !lines[1].Cmd || lines[1].No != 2 || !slices.Equal(lines[1].Want, []string{"a b"}) || lines[0].Cmd {
		t.Errorf("parsed %+v %+v", lines[0], lines[1])
	}
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		rewrite   bool
		errs      []string // a part of each failure, in order
		after     string
	}{
		{name: "a failed assertion fails", src: golden, errs: []string{"s.txt:5: hold no\n\theld no"}, after: golden},
		{name: "xfail holds the failure", src: strings.Replace(golden, "hold no", "xfail hold no", 1),
			after: strings.Replace(golden, "hold no", "xfail hold no", 1)},
		{name: "xfail that holds fails", src: "xfail hold yes\n  held yes\n",
			errs: []string{"xfail, but the expectation now holds: remove xfail"}, after: "xfail hold yes\n  held yes\n"},
		{name: "changed output fails", src: "echo a b\n  a c\n",
			errs: []string{"--- want\n\ta c\n+++ got\n\ta b", "output differs from the golden file"}, after: "echo a b\n  a c\n"},
		{name: "rewrite records the output", src: "# c\necho x \"y z\"\n  old\n", rewrite: true,
			after: "# c\necho x \"y z\"\n  x y z\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs, after := run(t, tc.src, tc.rewrite)
			if len(errs) != len(tc.errs) {
				t.Fatalf("failures %q, want %d", errs, len(tc.errs))
			}
			for i, e := range tc.errs {
				if !strings.Contains(errs[i], e) {
					t.Errorf("failure %d: %q, want it to contain %q", i, errs[i], e)
				}
			}
			if after != tc.after {
				t.Errorf("file after the run: %q, want %q", after, tc.after)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	toks, err := Fields(`A vote revoke X case="two words" => not-sharing "=>" ;`)
	if err != nil {
		t.Fatal(err)
	}
	a := ParseArgs(toks)
	if !slices.Equal(a.Pos, []string{"A", "vote", "revoke", "X", "=>", ";"}) || a.Opt["case"] != "two words" || a.Want != "not-sharing" {
		t.Errorf("ParseArgs = %+v", a)
	}
	if _, err := Fields(`A advise "unclosed`); err == nil {
		t.Error("Fields accepted an unclosed quote")
	}
}
