package script

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// Exec runs one command (the text of its line, without an xfail mark) and
// returns what it prints, one line per string, and whether its assertions
// held.
type Exec func(cmd string) (out []string, held bool)

// Line is a command, a comment or a blank line of a script.
type Line struct {
	// Text is the line as written, trailing blanks cut.
	Text string
	// Cmd is true for a command, false for a comment or a blank line.
	Cmd bool
	// No is the line's number in the file, from 1.
	No int
	// Want is the output recorded under a command.
	Want []string
	// Got is the output the command printed when it ran.
	Got []string
}

// Parse reads a script. Indented lines are the output of the command
// above them (and are dropped under a comment).
func Parse(src string) []*Line {
	var lines []*Line
	for i, l := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t"):
			if n := len(lines); n > 0 && lines[n-1].Cmd {
				lines[n-1].Want = append(lines[n-1].Want, strings.TrimSpace(l))
			}
		case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#"):
			lines = append(lines, &Line{Text: strings.TrimRight(l, " \t"), No: i + 1})
		default:
			lines = append(lines, &Line{Text: strings.TrimRight(l, " \t"), Cmd: true, No: i + 1})
		}
	}
	return lines
}

// Render writes lines back as a script, each command followed by the
// output it printed (Got), indented by two blanks.
func Render(lines []*Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text + "\n")
		for _, o := range l.Got {
			b.WriteString("  " + o + "\n")
		}
	}
	return b.String()
}

// Run executes the commands of the script in file with exec, in order. A
// command whose assertions fail fails t with its output; a command marked
// `xfail` fails t if its assertions hold. Then, with rewrite, Run writes
// the file afresh with the output the commands printed; without, it fails
// t for every command whose output differs from the one recorded.
func Run(t testing.TB, file string, rewrite bool, exec Exec) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := Parse(string(src))
	for _, l := range lines {
		if !l.Cmd {
			continue
		}
		text, xfail := strings.CutPrefix(l.Text, "xfail ")
		var held bool
		l.Got, held = exec(text)
		switch {
		case xfail && held:
			t.Errorf("%s:%d: %s\n\txfail, but the expectation now holds: remove xfail", file, l.No, l.Text)
		case !xfail && !held:
			t.Errorf("%s:%d: %s\n\t%s", file, l.No, l.Text, strings.Join(l.Got, "\n\t"))
		}
	}
	out := Render(lines)
	if rewrite {
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if out == string(src) {
		return
	}
	for _, l := range lines {
		if l.Cmd && !slices.Equal(l.Want, l.Got) {
			t.Errorf("%s:%d: %s\n--- want\n\t%s\n+++ got\n\t%s", file, l.No, l.Text,
				strings.Join(l.Want, "\n\t"), strings.Join(l.Got, "\n\t"))
		}
	}
	t.Errorf("%s: output differs from the golden file (go test -run with -rewrite updates it)", file)
}
