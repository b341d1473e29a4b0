package testnet

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/internal/script"
	"github.com/kring-circle/kring/protocol"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/*.txt with the actual output")

// TestStories runs the loopback stories in testdata: scripts told to a
// circle of real nodes, one command a line, run by package
// internal/script like trust's scenarios (recorded output under each
// command, `xfail`, `=> reason`, -rewrite). Commands act at once; only
// expect waits, polling its condition until it holds on every named node
// or the story's deadline (2 min, KRING_TESTNET_TIMEOUT) passes, and then
// fails with what each node shows. `;` separates commands on one line.
// Who is a name, a comma-separated list or "all" (every running node).
//
//	circle A B C D E [k=3 s=2 r=3]         found and start a circle, all connected
//	add X [Y ...]                          organisations that are not members
//	start X [Y ...] [peers=A,B] [ports=new]   start nodes (dialling peers, or on fresh ports)
//	stop X [Y ...] [wipe]                  stop nodes (wipe: delete the data dir too)
//	connect who                            dial each named running node from the others
//	partition {A,B}|{C,D,E}                cut every link between the groups
//	heal                                   restore every cut link
//	A advise ["title"] [as=label]          A publishes an advisory
//	A,B advise n=250                       each publishes 250, in parallel
//	A vote admit|suspend|revoke|unsuspend X [case=1] [as=label]
//	A enact admit|suspend|revoke|unsuspend X [case=1] [as=label]   once A counts enough votes
//	X admit [as=label]                     X enacts its own admission (Node.Enrol)
//	A block X ["reason"] | A unblock X     a local block and its lift
//	E dial who                             E's node dials theirs (a refusal is no error)
//	E sign-anyway ["title"] as=label       E signs an advisory without its node (Member.SignAnyway)
//	D push label to A                      D's node hands the op to A's (Node.Push)
//	settle label on who                    the members acknowledge until label settles
//	expect who X <status> [suspended] [needs=N]   X's standing in each node's State
//	expect who has|lacks label             whether each node stores the op
//	expect who live|void label             whether each node counts the op it stores
//	expect who refuse X                    for 2 s, no connection to X stands longer than a knock (1 s)
//	expect who ops N                       each node stores N ops
//	expect who addrs N                     each node's address book holds N members
//	expect who standing X refused|endorsed|denied|sharing   each node's gater
//	expect who connected|disconnected X    each node's connection to X
//	expect Y progress 2/3                  Y's enrolment: endorsements known of needed
//	expect Y outstanding none              Y's node signed no enactment of its own admission
//	expect converged|same who              identical op sets and States | States
//	expect split who                       not converged, at once
//
// An actor's command with within=D gives up after D. An expect with
// wait=0 checks once; with for=1s its condition must hold
// throughout that time instead of eventually. Stories run one after the
// other: on two cores under -race, running two at once took as long.
func TestStories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no stories: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			s := newStory(t)
			script.Run(t, f, *rewrite, s.exec)
		})
	}
}

// story runs one script's commands against one circle.
type story struct {
	t   *testing.T
	ctx context.Context
	dir string
	net *Net
	ops map[string]*protocol.Op // by label
}

func newStory(t *testing.T) *story {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return &story{t: t, ctx: ctx, dir: t.TempDir(), ops: map[string]*protocol.Op{}}
}

// exec runs the commands of one line, separated by ";".
func (s *story) exec(text string) ([]string, bool) {
	toks, err := script.Fields(text)
	if err != nil {
		return failed("%v", err)
	}
	var out []string
	held := true
	for len(toks) > 0 {
		i := slices.IndexFunc(toks, func(t script.Token) bool { return !t.Quoted && t.S == ";" })
		if i < 0 {
			i = len(toks)
		}
		start := time.Now()
		o, ok := s.run(script.ParseArgs(toks[:i]))
		s.t.Logf("%s: %v", words(toks[:i]), time.Since(start).Round(time.Millisecond))
		out, held = append(out, o...), held && ok
		if !ok {
			break
		}
		toks = toks[min(i+1, len(toks)):]
	}
	return out, held
}

// run runs one command.
func (s *story) run(a script.Args) ([]string, bool) {
	if len(a.Pos) == 0 {
		return failed("no command")
	}
	cmd, rest := a.Pos[0], a
	rest.Pos = a.Pos[1:]
	if cmd != "circle" && s.net == nil {
		return failed("no circle yet")
	}
	switch cmd {
	case "circle":
		return s.circle(rest)
	case "add":
		return s.add(rest.Pos)
	case "start":
		return s.start(rest)
	case "stop":
		return s.stop(rest.Pos)
	case "connect":
		return s.connect(rest.Pos)
	case "partition":
		return s.partition(rest.Pos)
	case "heal":
		s.net.Heal()
		return nil, true
	case "settle":
		return s.settle(rest.Pos)
	case "expect":
		return s.expect(rest)
	}
	if len(rest.Pos) == 0 {
		return failed("%s does what?", cmd)
	}
	return s.act(cmd, rest)
}

// words joins a command's words again, for the log.
func words(toks []script.Token) string {
	ws := make([]string, len(toks))
	for i, t := range toks {
		ws[i] = t.S
	}
	return strings.Join(ws, " ")
}

// failed is the output of a command that cannot run.
func failed(format string, args ...any) ([]string, bool) {
	return []string{"error: " + fmt.Sprintf(format, args...)}, false
}

// circle founds and starts a circle of the named founders, all connected.
func (s *story) circle(a script.Args) ([]string, bool) {
	if s.net != nil {
		return failed("there is a circle already")
	}
	if len(a.Pos) == 0 {
		return failed("circle A B C [k=3 s=2 r=3]")
	}
	opts := Options{Dir: s.dir, Founders: a.Pos, Charter: protocol.DefaultCharter("testnet")}
	for key, field := range map[string]*uint32{"k": &opts.Charter.Admit, "s": &opts.Charter.Suspend, "r": &opts.Charter.Revoke} {
		if v, ok := a.Opt[key]; ok {
			var n uint32
			if _, err := fmt.Sscan(v, &n); err != nil {
				return failed("%s=%s: %v", key, v, err)
			}
			*field = n
		}
	}
	if os.Getenv("KRING_TESTNET_LOG") != "" {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	net, err := New(opts)
	if err != nil {
		return failed("%v", err)
	}
	s.net = net
	s.t.Cleanup(func() {
		if err := net.Close(); err != nil {
			s.t.Errorf("closing the circle: %v", err)
		}
	})
	if err := net.Start(s.ctx); err != nil {
		return failed("%v", err)
	}
	c := net.Genesis.Content().(*protocol.Genesis).Charter
	return []string{fmt.Sprintf("%d founders, k=%d s=%d r=%d", len(a.Pos), c.Admit, c.Suspend, c.Revoke)}, true
}

// who resolves a list of names: "all" is every running member.
func (s *story) who(spec string) ([]string, error) {
	if spec == "all" {
		var names []string
		for _, m := range s.net.Running() {
			names = append(names, m.Name)
		}
		if len(names) == 0 {
			return nil, errors.New("all: no node runs")
		}
		return names, nil
	}
	names := strings.Split(spec, ",")
	for _, n := range names {
		if !slices.Contains(s.net.Names(), n) {
			return nil, fmt.Errorf("no organisation %q", n)
		}
	}
	return names, nil
}

// names renders s with organisation names and op labels for hex.
func (s *story) names(text string) string {
	var pairs []string
	for _, n := range s.net.Names() {
		k := s.net.M(n).Key
		pairs = append(pairs, k.String(), n, k.Short(), n)
	}
	for l, op := range s.ops {
		h := op.Hash()
		pairs = append(pairs, h.String(), l, h.Short(), l)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// label names op for later commands, if the command asked for a label.
func (s *story) label(a script.Args, op *protocol.Op) ([]string, bool) {
	if l := a.Opt["as"]; l != "" {
		if s.ops[l] != nil {
			return failed("label %s is taken", l)
		}
		s.ops[l] = op
	}
	return nil, true
}

// op returns the op labelled l.
func (s *story) op(l string) (*protocol.Op, error) {
	op := s.ops[l]
	if op == nil {
		return nil, fmt.Errorf("no op labelled %q", l)
	}
	return op, nil
}
