package trust_test

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kring-circle/kring/internal/script"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/scenarios/*.txt with the actual output")

// TestScenarios runs the scripts in testdata/scenarios, each a story told
// to a trusttest.Circle, one command a line, with '#' comments. The
// indented lines under a command are its output, which must match what
// the command prints now; with -rewrite the files are rewritten instead.
// Independently of the golden output, `expect` commands and `=> verdict`
// suffixes are assertions that fail the test. `xfail` before a command
// marks a known bug: its assertion must fail, and the test fails once it
// holds, so that the mark is removed with the fix. These mechanics are
// package internal/script's, which testnet's loopback stories share.
//
// Ops get labels: A#2 is A's op with seq 2, A#3' a second op by A at seq
// 3 (a fork), B#4! an op that its author's own engine refused. Output
// shows actors by name and ops by label, never hex. The commands (see
// scenario_cmds_test.go):
//
//	genesis A B C [k=3 s=2 r=3] [unsigned=C]   found a circle; A initiates
//	A endorse X [evidence="..."]               A's node endorses X's application
//	A vote suspend|revoke|unsuspend X [case=1[,2]]   (case 1 by default)
//	A enact admit|suspend|revoke|unsuspend X [case=1] [votes=B#2,C#2]
//	X admit                                    X enact admit X, citing what X knows
//	A advise "title" [tlp=AMBER]
//	A leave
//	A fork <verb ...>                          A signs again at its current seq
//	sync A[,B] <- C | sync A B C | sync all    deliver what one knows to others
//	deliver A <- B#2 [C#3 ...]
//	state A [full]                             A's State, compact or whole
//	explain A X                                A's engine's Explain for X
//	live A|all|A,B <label>                     whether each engine counts the op
//	expect A|all|A,B X <status> [suspended] [needs=N] [equivocated=N]
//	expect live A|all|A,B <label> true|false
//	expect same A,B|all                        identical States
//	orders                                     every delivery order ends alike
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { script.Run(t, f, *rewrite, newRunner(f).exec) })
	}
}

// parseArgs sorts a command's words into the args the commands take.
func parseArgs(toks []script.Token) args {
	a := script.ParseArgs(toks)
	return args{pos: a.Pos, opt: a.Opt, want: a.Want}
}

// args are a command's words: positional words, key=value options, and the
// verdict expected after "=>" (script.Args, in this package's names).
type args struct {
	pos  []string
	opt  map[string]string
	want string
}

// runner executes a script's commands against one circle and renders
// their output with actor names and op labels for hex.
type runner struct {
	name   string // the script's, used as the charter's name
	c      *trusttest.Circle
	ops    map[string]*protocol.Op // by label
	labels map[protocol.Hash]string
	notes  map[protocol.Hash]string // names of motion hashes and application IDs
	seq    map[string]uint64        // each actor's last accepted seq
	// In model mode (`mode model`), each actor's op set and last op.
	modelOnly bool
	held      map[string]map[protocol.Hash]bool
	last      map[string]protocol.Hash
}

func newRunner(file string) *runner {
	return &runner{name: strings.TrimSuffix(filepath.Base(file), ".txt"), ops: map[string]*protocol.Op{},
		labels: map[protocol.Hash]string{}, notes: map[protocol.Hash]string{}, seq: map[string]uint64{},
		last: map[string]protocol.Hash{}}
}

// exec runs one command and returns its output and whether its assertions
// held; a command that cannot run counts as a failed assertion.
func (r *runner) exec(text string) ([]string, bool) {
	toks, err := script.Fields(text)
	if err != nil {
		return failed("%v", err)
	}
	a := parseArgs(toks)
	if len(a.pos) == 0 {
		return failed("no command")
	}
	if a.pos[0] == "mode" {
		if len(a.pos) != 2 || a.pos[1] != "model" || r.c != nil {
			return failed("mode model, before the genesis")
		}
		r.modelOnly = true
		return []string{"actors keep op sets judged by the reference model"}, true
	}
	if a.pos[0] != "genesis" && r.c == nil {
		return failed("no circle yet")
	}
	cmd, rest := a.pos[0], a
	rest.pos = a.pos[1:]
	switch cmd {
	case "genesis":
		return r.genesis(rest)
	case "sync":
		return r.sync(rest.pos)
	case "deliver":
		return r.deliver(rest)
	case "state":
		return r.state(rest.pos)
	case "explain":
		return r.explain(rest.pos)
	case "live":
		return r.live(rest.pos)
	case "expect":
		pos, err := withTerms(rest)
		if err != nil {
			return failed("%v", err)
		}
		return r.expect(pos)
	case "orders":
		return r.orders()
	case "model":
		return r.model(rest.pos)
	}
	if len(rest.pos) == 0 {
		return failed("%s does what?", cmd)
	}
	return r.act(cmd, rest)
}

// withTerms returns an expectation's positional words followed by its
// needs= and equivocated= terms, which the parser took for options, in
// the order of their keys; any other option is an error, so that a term
// the expectation would not check cannot look checked.
func withTerms(a args) ([]string, error) {
	pos := slices.Clone(a.pos)
	for _, k := range slices.Sorted(maps.Keys(a.opt)) {
		if k != "needs" && k != "equivocated" {
			return nil, fmt.Errorf("expect checks no %s=", k)
		}
		pos = append(pos, k+"="+a.opt[k])
	}
	return pos, nil
}

// failed is the output of a command that cannot run.
func failed(format string, args ...any) ([]string, bool) {
	return []string{"error: " + fmt.Sprintf(format, args...)}, false
}

// names renders s with actor names, op labels and motion notes for hex.
func (r *runner) names(s string) string {
	var pairs []string
	for _, n := range r.c.Names() {
		k := r.c.Actor(n).Key
		pairs = append(pairs, k.String(), n, k.Short(), n)
	}
	for h, l := range r.labels {
		pairs = append(pairs, h.String(), l, h.Short(), l)
	}
	for h, l := range r.notes {
		pairs = append(pairs, h.String(), l, h.Short(), l)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// label names op, adding primes until the name is unused, and returns it.
func (r *runner) label(op *protocol.Op, label string) string {
	for r.ops[label] != nil {
		label += "'"
	}
	r.ops[label], r.labels[op.Hash()] = op, label
	return label
}

var protocolReasons = []struct {
	err  error
	name string
}{
	{protocol.ErrBadSignature, "bad-signature"}, {protocol.ErrInvalidBody, "invalid-body"},
	{protocol.ErrMalformed, "malformed"}, {protocol.ErrNonCanonical, "non-canonical"},
	{protocol.ErrSeqPrev, "seq-prev"}, {protocol.ErrPreds, "preds"}, {protocol.ErrTooLarge, "too-large"},
}

// verdict names err: "ok", a trust.Reason, or a protocol error's name.
func verdict(err error) string {
	if err == nil {
		return "ok"
	}
	if r := trust.Reason(err); r != "other" {
		return r
	}
	for _, p := range protocolReasons {
		if errors.Is(err, p.err) {
			return p.name
		}
	}
	return "other"
}

// judged renders the verdict on one op and checks it against want.
func (r *runner) judged(label string, err error, want string) (string, bool) {
	line := label + ": ok"
	if err != nil {
		line = fmt.Sprintf("%s: %s: %s", label, verdict(err), r.names(err.Error()))
	}
	if want != "" && want != verdict(err) {
		return line + " (want " + want + ")", false
	}
	return line, true
}
