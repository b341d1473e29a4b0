package testnet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kring-circle/kring/internal/script"
	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/trust"
)

// condition reports whether an expectation holds now, and if not, what
// the nodes show instead.
type condition func() (ok bool, shown []string)

// expect polls the condition its words describe until it holds or the
// story's deadline passes (wait=0, and split: checks once; for=D: it
// must hold throughout D). A node that does not run satisfies no
// condition, so that an expectation cannot hold by the absence of the
// node it names.
func (s *story) expect(a script.Args) ([]string, bool) {
	if len(a.Pos) == 3 && a.Pos[1] == "refuse" {
		return s.refuse(a.Pos[0], a.Pos[2])
	}
	pos := slices.Clone(a.Pos)
	for k, v := range a.Opt {
		switch k {
		case "wait", "for":
		case "needs": // a term of X's standing, which the parser took for an option
			pos = append(pos, "needs="+v)
		default:
			return failed("expect checks no %s=", k)
		}
	}
	cond, err := s.condition(pos)
	if err != nil {
		return failed("%v", err)
	}
	ok, shown := cond()
	switch {
	case a.Opt["for"] != "":
		d, err := time.ParseDuration(a.Opt["for"])
		if err != nil {
			return failed("for=%s: %v", a.Opt["for"], err)
		}
		err = Throughout(s.ctx, strings.Join(pos, " "), d, func() bool {
			ok, shown = cond()
			return ok
		})
		if err != nil && ok {
			ok, shown = false, []string{err.Error()}
		}
	case a.Opt["wait"] == "0" || a.Pos[0] == "split":
	default:
		err := WaitFor(s.ctx, strings.Join(pos, " "), func() bool {
			ok, shown = cond()
			return ok
		})
		if err != nil {
			shown = append(shown, s.names(err.Error()))
		}
	}
	if !ok {
		return shown, false
	}
	return []string{"ok"}, true
}

// refuse checks that no connection between the named members' nodes and
// x's stands for longer than a knock (Net.NoConnectionStands).
func (s *story) refuse(who, x string) ([]string, bool) {
	names, err := s.who(who)
	if err != nil {
		return failed("%v", err)
	}
	if _, err := s.who(x); err != nil {
		return failed("%v", err)
	}
	if err := s.net.NoConnectionStands(s.ctx, x, names...); err != nil {
		return []string{s.names(err.Error())}, false
	}
	return []string{"ok"}, true
}

// condition parses an expectation.
func (s *story) condition(pos []string) (condition, error) {
	if len(pos) < 2 {
		return nil, fmt.Errorf("expect what?")
	}
	switch pos[0] {
	case "converged", "same", "split":
		names, err := s.who(pos[1])
		if err != nil {
			return nil, err
		}
		if len(names) < 2 {
			return nil, fmt.Errorf("expect %s of one node: name two or more", pos[0])
		}
		return s.together(pos[0], names), nil
	}
	names, err := s.who(pos[0])
	if err != nil {
		return nil, err
	}
	want := strings.Join(pos[2:], " ")
	var show func(m *Member) string
	switch verb := pos[1]; verb {
	case "has", "lacks":
		op, err := s.op(strings.Join(pos[2:], " "))
		if err != nil {
			return nil, err
		}
		show = func(m *Member) string {
			return ifRunning(m, func(nd *node.Node) string {
				switch has, err := nd.Has(op.Hash()); {
				case err != nil:
					return err.Error()
				case has:
					return "has"
				}
				return "lacks"
			})
		}
		want = verb
	case "live", "void":
		op, err := s.op(strings.Join(pos[2:], " "))
		if err != nil {
			return nil, err
		}
		want = verb
		show = func(m *Member) string {
			return ifRunning(m, func(nd *node.Node) string {
				// An engine counts no op it lacks: void is of an op
				// the node stores.
				switch has, err := nd.Has(op.Hash()); {
				case err != nil:
					return err.Error()
				case !has:
					return "missing"
				}
				switch live, err := nd.Live(s.ctx, op.Hash()); {
				case err != nil:
					return err.Error()
				case live:
					return "live"
				}
				return "void"
			})
		}
	case "ops", "addrs":
		show = func(m *Member) string {
			if verb == "addrs" {
				n, err := m.KnownAddrs()
				return count(n, err)
			}
			snap, err := m.Snapshot()
			return count(snap.Len, err)
		}
	case "standing", "connected", "disconnected":
		if len(pos) < 3 {
			return nil, fmt.Errorf("expect who %s X", verb)
		}
		x, err := s.who(pos[2])
		if err != nil || len(x) != 1 {
			return nil, fmt.Errorf("expect %s whom? %v", verb, err)
		}
		o := s.net.M(x[0])
		if verb == "standing" {
			want = strings.Join(pos[3:], " ")
			show = func(m *Member) string {
				return ifRunning(m, func(nd *node.Node) string { return nd.Standing(o.ID).String() })
			}
			break
		}
		want = verb
		show = func(m *Member) string {
			return ifRunning(m, func(nd *node.Node) string {
				if nd.Connected(o.ID) {
					return "connected"
				}
				return "disconnected"
			})
		}
	case "outstanding":
		show = func(m *Member) string {
			switch op, err := m.Outstanding(); {
			case err != nil:
				return err.Error()
			case op == nil:
				return "none"
			default:
				return fmt.Sprintf("seq %d", op.Seq)
			}
		}
	case "progress":
		show = func(m *Member) string {
			return ifRunning(m, func(nd *node.Node) string {
				e, ok := nd.Enrolment()
				if !ok || !e.Known {
					return "unknown"
				}
				return fmt.Sprintf("%d/%d", len(e.Endorsers), e.Needed)
			})
		}
	default:
		x, err := s.who(pos[1])
		if err != nil || len(x) != 1 || len(pos) < 3 {
			return nil, fmt.Errorf("expect who X <status> [suspended] [needs=N]: %v", err)
		}
		k := s.net.M(x[0]).Key
		want = strings.Join(pos[1:], " ")
		show = func(m *Member) string {
			return ifRunning(m, func(nd *node.Node) string { return x[0] + " " + standing(nd.State().Key(k), pos[3:]) })
		}
	}
	return func() (bool, []string) {
		var shown []string
		for _, m := range members(s.net, names...) {
			if got := show(m); got != want {
				shown = append(shown, fmt.Sprintf("%s: %s, want %s", m.Name, s.names(got), want))
			}
		}
		return len(shown) == 0, shown
	}, nil
}

// together is the condition on a group of nodes: converged (identical op
// sets and States), same (identical States) or split (not converged).
func (s *story) together(how string, names []string) condition {
	return func() (bool, []string) {
		switch how {
		case "same":
			first := s.net.M(names[0]).Node()
			for _, n := range names[1:] {
				nd := s.net.M(n).Node()
				if first == nil || nd == nil || !nd.State().Equal(first.State()) {
					return false, []string{fmt.Sprintf("%s and %s hold different States", names[0], n)}
				}
			}
			return true, nil
		case "split":
			if ok, _ := s.net.Converged(names...); ok {
				return false, []string{strings.Join(names, ",") + " hold the same op set and State"}
			}
			return true, nil
		}
		ok, why := s.net.Converged(names...)
		return ok, []string{s.names(why)}
	}
}

// standing describes a key in the words of expect: its status,
// "suspended" if it is, and the needs= term if terms ask for it.
func standing(ks trust.KeyState, terms []string) string {
	out := ks.Status.String()
	if ks.Suspended {
		out += " suspended"
	}
	for _, t := range terms {
		if strings.HasPrefix(t, "needs=") {
			out += fmt.Sprintf(" needs=%d", ks.Missing())
		}
	}
	return out
}

// ifRunning shows f of m's node, or that it does not run.
func ifRunning(m *Member, f func(*node.Node) string) string {
	nd := m.Node()
	if nd == nil {
		return "not running"
	}
	return f(nd)
}

// count shows a number, or the error that kept it from being read.
func count(n int, err error) string {
	if err != nil {
		return err.Error()
	}
	return strconv.Itoa(n)
}
