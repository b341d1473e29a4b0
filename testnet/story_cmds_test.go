package testnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kring-circle/kring/internal/script"
	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// add creates organisations that are not members.
func (s *story) add(names []string) ([]string, bool) {
	if len(names) == 0 {
		return failed("add X [Y ...]")
	}
	for _, n := range names {
		if _, err := s.net.Add(n); err != nil {
			return failed("%v", err)
		}
	}
	return nil, true
}

// start starts the named nodes, dialling peers= if given, on fresh ports
// with ports=new.
func (s *story) start(a script.Args) ([]string, bool) {
	if len(a.Pos) == 0 {
		return failed("start X [Y ...] [peers=A,B] [ports=new]")
	}
	var peers []*Member
	if p := a.Opt["peers"]; p != "" {
		names, err := s.who(p)
		if err != nil {
			return failed("%v", err)
		}
		peers = members(s.net, names...)
	}
	names, err := s.who(strings.Join(a.Pos, ","))
	if err != nil {
		return failed("%v", err)
	}
	for _, m := range members(s.net, names...) {
		if peers != nil {
			m.SetPeers(peers...)
		}
		if a.Opt["ports"] == "new" {
			m.NewPorts()
		}
		if err := m.Start(s.ctx); err != nil {
			return failed("%v", err)
		}
	}
	return nil, true
}

// stop stops the named nodes; with a last word "wipe", their data dirs
// go too.
func (s *story) stop(pos []string) ([]string, bool) {
	wipe := len(pos) > 0 && pos[len(pos)-1] == "wipe"
	if wipe {
		pos = pos[:len(pos)-1]
	}
	names, err := s.who(strings.Join(pos, ","))
	if err != nil || len(pos) == 0 {
		return failed("stop X [Y ...] [wipe]: %v", err)
	}
	for _, m := range members(s.net, names...) {
		if err := m.Stop(); err != nil {
			return failed("%v", err)
		}
		if wipe {
			if err := os.RemoveAll(m.Dir); err != nil {
				return failed("%v", err)
			}
		}
	}
	return nil, true
}

// connect dials every named running node from every other one.
func (s *story) connect(pos []string) ([]string, bool) {
	if len(pos) != 1 {
		return failed("connect who")
	}
	names, err := s.who(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	if err := s.net.connectAll(s.ctx, names...); err != nil {
		return failed("%v", err)
	}
	return nil, true
}

// partition cuts every link between groups written {A,B}|{C,D,E}.
func (s *story) partition(pos []string) ([]string, bool) {
	spec := strings.Join(pos, "")
	var groups [][]string
	for _, g := range strings.Split(spec, "|") {
		inner, open := strings.CutPrefix(g, "{")
		inner, closed := strings.CutSuffix(inner, "}")
		if !open || !closed || inner == "" {
			return failed("partition {A,B}|{C,D,E}, not %s", spec)
		}
		names, err := s.who(inner)
		if err != nil {
			return failed("%v", err)
		}
		groups = append(groups, names)
	}
	if len(groups) < 2 {
		return failed("partition {A,B}|{C,D,E}, not %s", spec)
	}
	for i, g := range groups {
		for _, h := range groups[i+1:] {
			s.net.Cut(g, h)
		}
	}
	return nil, true
}

// settle has the named members acknowledge until the labelled op settles
// on each.
func (s *story) settle(pos []string) ([]string, bool) {
	if len(pos) != 3 || pos[1] != "on" {
		return failed("settle label on who")
	}
	op, err := s.op(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	names, err := s.who(pos[2])
	if err != nil {
		return failed("%v", err)
	}
	if err := s.net.Settle(s.ctx, op.Hash(), names...); err != nil {
		return failed("%s", s.names(err.Error()))
	}
	return nil, true
}

// act runs a command of the members actors (one, or several for advise
// n=N).
func (s *story) act(actors string, a script.Args) ([]string, bool) {
	names, err := s.who(actors)
	if err != nil {
		return failed("%v", err)
	}
	verb := a.Pos[0]
	a.Pos = a.Pos[1:]
	if verb == "advise" && a.Opt["n"] != "" {
		var n int
		if _, err := fmt.Sscan(a.Opt["n"], &n); err != nil {
			return failed("n=%s: %v", a.Opt["n"], err)
		}
		return s.verdict(a, nil, publishMany(s.ctx, s.net, n, names...))
	}
	if len(names) != 1 {
		return failed("%s: one member at a time", verb)
	}
	ctx := s.ctx
	if w := a.Opt["within"]; w != "" {
		d, err := time.ParseDuration(w)
		if err != nil {
			return failed("within=%s: %v", w, err)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(s.ctx, d)
		defer cancel()
	}
	m := s.net.M(names[0])
	var op *protocol.Op
	switch verb {
	case "advise", "sign-anyway":
		title := "advisory"
		if len(a.Pos) > 0 {
			title = a.Pos[0]
		}
		if verb == "sign-anyway" {
			op, err = m.SignAnyway(&protocol.Advisory{Title: title, TLP: protocol.TLPGreen})
			break
		}
		op, err = m.Advise(ctx, title)
	case "dial":
		return s.dial(ctx, m, a.Pos)
	case "push":
		return s.push(ctx, m, a)
	case "vote", "enact":
		var motion protocol.Motion
		if motion, err = s.motion(a); err != nil {
			return failed("%v", err)
		}
		if verb == "vote" {
			op, err = m.Vote(ctx, motion)
			break
		}
		if err = WaitFor(ctx, m.Name+" to count the votes", func() bool { return m.Counted(motion) }); err == nil {
			op, err = m.Enact(ctx, motion)
		}
	case "admit":
		if nd := m.Node(); nd == nil {
			err = fmt.Errorf("%s is not running", m.Name)
		} else {
			op, err = nd.Enrol(ctx, m.Application())
		}
	case "block", "unblock":
		return s.block(m, verb, a)
	default:
		return failed("unknown verb %q", verb)
	}
	return s.verdict(a, op, err)
}

// dial has m's node dial each of the named members' nodes, as a node
// redialling would; a refused dial is no error.
func (s *story) dial(ctx context.Context, m *Member, pos []string) ([]string, bool) {
	if len(pos) != 1 || m.Node() == nil {
		return failed("X dial who, X running")
	}
	names, err := s.who(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	for _, o := range members(s.net, names...) {
		if nd := o.Node(); nd != nil {
			dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_ = m.Node().Connect(dctx, nd.AddrInfo())
			cancel()
		}
	}
	return nil, true
}

// push has m's node hand the labelled op to another member's node, as a
// forwarder would: `D push label to A`.
func (s *story) push(ctx context.Context, m *Member, a script.Args) ([]string, bool) {
	if len(a.Pos) != 3 || a.Pos[1] != "to" || m.Node() == nil {
		return failed("D push label to A, D running")
	}
	op, err := s.op(a.Pos[0])
	if err != nil {
		return failed("%v", err)
	}
	to, err := s.who(a.Pos[2])
	if err != nil || len(to) != 1 {
		return failed("push to whom? %v", err)
	}
	n, err := m.Node().Push(ctx, s.net.M(to[0]).ID, op)
	if err == nil && n == 0 {
		err = fmt.Errorf("%s took none of it", to[0])
	}
	if err != nil && n > 0 {
		err = fmt.Errorf("%s took %d ops: %w", to[0], n, err)
	}
	return s.verdict(a, nil, err)
}

// block has m's node block or unblock a member locally.
func (s *story) block(m *Member, verb string, a script.Args) ([]string, bool) {
	if len(a.Pos) == 0 || m.Node() == nil {
		return failed("A block X [\"reason\"] | A unblock X, A running")
	}
	target, err := s.who(a.Pos[0])
	if err != nil || len(target) != 1 {
		return failed("block whom? %v", err)
	}
	k := s.net.M(target[0]).Key
	if verb == "unblock" {
		return s.verdict(a, nil, m.Node().Unblock(s.ctx, k))
	}
	reason := "blocked in a testnet story"
	if len(a.Pos) > 1 {
		reason = a.Pos[1]
	}
	return s.verdict(a, nil, m.Node().Block(s.ctx, k, reason))
}

// motion builds the motion of words like `revoke X` or `suspend X case=2`.
func (s *story) motion(a script.Args) (protocol.Motion, error) {
	if len(a.Pos) != 2 {
		return protocol.Motion{}, errors.New("vote|enact admit|suspend|revoke|unsuspend X [case=1]")
	}
	names, err := s.who(a.Pos[1])
	if err != nil || len(names) != 1 {
		return protocol.Motion{}, fmt.Errorf("about whom? %v", err)
	}
	x, cases := s.net.M(names[0]), a.Opt["case"]
	if cases == "" {
		cases = "1" // every suspension has a case
	}
	switch a.Pos[0] {
	case "admit":
		return x.Admit(), nil
	case "suspend":
		return x.Suspend(cases), nil
	case "revoke":
		return x.Revoke(), nil
	case "unsuspend":
		return x.Unsuspend(strings.Split(cases, ",")...), nil
	}
	return protocol.Motion{}, fmt.Errorf("no motion %q", a.Pos[0])
}

// nodeReason names a node error a story may expect with `=> name`.
type nodeReason struct {
	err  error
	name string
}

// nodeReasons are the node errors a story may expect.
var nodeReasons = []nodeReason{
	{node.ErrNotEndorsed, "not-endorsed"}, {node.ErrNotSharing, "not-sharing"},
	{node.ErrNoMemberReachable, "no-member-reachable"}, {node.ErrRefused, "refused"},
}

// verdict labels op as the command asked and checks err against the
// reason the command expects after "=>" ("" for none): an expected error
// prints its name, an unexpected one its text.
func (s *story) verdict(a script.Args, op *protocol.Op, err error) ([]string, bool) {
	if err == nil && a.Want == "" {
		if op == nil {
			return nil, true
		}
		return s.label(a, op)
	}
	got := "ok"
	if err != nil {
		got = "other"
		if i := slices.IndexFunc(nodeReasons, func(r nodeReason) bool { return errors.Is(err, r.err) }); i >= 0 {
			got = nodeReasons[i].name
		}
	}
	if got != a.Want {
		line := "ok"
		if err != nil {
			line = "error: " + s.names(err.Error())
		}
		if a.Want != "" {
			line += " (want " + a.Want + ")"
		}
		return []string{line}, false
	}
	return []string{got}, true
}

// publishMany has each named member publish count advisories, members in
// parallel, and returns the first error.
func publishMany(ctx context.Context, net *Net, count int, names ...string) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(names))
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range count {
				if _, err := net.M(name).Advise(ctx, fmt.Sprintf("%s indicator batch %d", name, i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// members returns the named members of net.
func members(net *Net, names ...string) []*Member {
	out := make([]*Member, len(names))
	for i, n := range names {
		out[i] = net.M(n)
	}
	return out
}
