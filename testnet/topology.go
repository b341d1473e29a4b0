package testnet

import (
	"context"
	"fmt"
)

// Topology says which members' nodes may talk to each other directly.
type Topology func(names []string) [][2]string

// FullMesh links every member with every other.
func FullMesh(names []string) [][2]string {
	var out [][2]string
	for i, a := range names {
		for _, b := range names[i+1:] {
			out = append(out, [2]string{a, b})
		}
	}
	return out
}

// Line links each member with the next: ops from one end cross every node.
func Line(names []string) [][2]string {
	var out [][2]string
	for i := 1; i < len(names); i++ {
		out = append(out, [2]string{names[i-1], names[i]})
	}
	return out
}

// Ring is a Line whose ends are linked too.
func Ring(names []string) [][2]string {
	out := Line(names)
	if len(names) > 2 {
		out = append(out, [2]string{names[len(names)-1], names[0]})
	}
	return out
}

// Star links the first member with every other, and no one else.
func Star(names []string) [][2]string {
	var out [][2]string
	for _, b := range names[1:] {
		out = append(out, [2]string{names[0], b})
	}
	return out
}

// Shape cuts every link between the named members (all running ones if
// none is named) that the topology leaves out, and connects those it
// keeps. The cuts hold until Heal, so the nodes' redial loops cannot
// undo the shape.
func (n *Net) Shape(ctx context.Context, t Topology, names ...string) error {
	if len(names) == 0 {
		for _, m := range n.Running() {
			names = append(names, m.Name)
		}
	}
	keep := map[[2]string]bool{}
	for _, l := range t(names) {
		keep[l], keep[[2]string{l[1], l[0]}] = true, true
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			if !keep[[2]string{a, b}] {
				n.Cut([]string{a}, []string{b})
			}
		}
	}
	for _, l := range t(names) {
		a, b := n.M(l[0]), n.M(l[1])
		if a.Node() == nil || b.Node() == nil {
			return fmt.Errorf("testnet: %s or %s is not running", l[0], l[1])
		}
		if err := connect(ctx, a, b); err != nil {
			return err
		}
	}
	return nil
}
