package main

import (
	"context"
	"log/slog"

	"github.com/kring-circle/kring/trust"
)

// A data dir is one member: its identity.key signs one chain, and its store
// holds the seq the node reserved before each signing. A copy of the data
// dir running on a second host signs the same seqs again: an equivocation,
// which suspends the organisation in every member's log until the members
// vote to lift it. The node cannot see the copy's connection (libp2p
// refuses a peer with its own ID), but it sees what the copy signs; the
// watch below says so in the log as soon as it does.

// ownKeyAlarm is what the watch logs, if anything.
type ownKeyAlarm struct {
	level slog.Level
	msg   string
	seq   uint64
}

// ownKeyCheck judges the node's own chain: ks is its key in the State,
// fork the node's account of the fork that suspends it (node.OwnFork's
// Advice; "" for the node's words unknown), tipSeq the highest seq of
// its own ops in the store, next the seq the node has reserved for its
// next signing (read after tipSeq), and nextAtStart that reservation when
// the daemon started. It returns nil when nothing is wrong.
//
// A fork of the own key that suspends it is certain trouble (one that a
// keep-lift resolved is history), said at WARN with what to do. An own op beyond the
// reservation while this node signs is another signer: one that arrives
// before the node signed anything since it started is what a data dir
// restored from a backup learns back from the circle, and is not alarmed.
func ownKeyCheck(ks trust.KeyState, fork string, tipSeq, next, nextAtStart uint64) *ownKeyAlarm {
	switch {
	case ks.ForkSuspended > 0 && fork != "":
		return &ownKeyAlarm{slog.LevelWarn, fork, ks.ForkSuspended}
	case ks.ForkSuspended > 0:
		return &ownKeyAlarm{slog.LevelWarn, "this organisation's key signed two ops with one seq: the circle suspends it as an equivocator. " +
			"If a copy of this data dir runs on another host, stop it now; then ask the members to lift the suspension, naming the twin to keep (kring unsuspend KEY --keep OP)", ks.ForkSuspended}
	case next > nextAtStart && tipSeq >= next:
		return &ownKeyAlarm{slog.LevelError, "an op signed with this organisation's key arrived that this node never signed, while it signs: " +
			"another node runs with this identity (a copy of this data dir?). Stop it now, or the circle suspends this organisation as an equivocator", tipSeq}
	}
	return nil
}

// watchOwnKey runs ownKeyCheck after every change of the log until ctx
// ends, and logs each kind of alarm once.
func (dm *daemon) watchOwnKey(ctx context.Context) {
	n := dm.node
	nextAtStart, err := n.NextSeq()
	if err != nil {
		return
	}
	said := map[string]bool{}
	// The fork's account is read from the log (OwnFork) when the fork
	// that suspends the key changes, not at every change of the log.
	var forkSeq uint64
	fork := ""
	for {
		changed := n.Changed()
		if tips, err := n.Tips(); err == nil {
			next, err := n.NextSeq()
			state := n.State()
			ks := state.Key(n.Key())
			if ks.ForkSuspended != forkSeq {
				forkSeq, fork = ks.ForkSuspended, ""
				if f, ferr := n.OwnFork(ctx); forkSeq > 0 && ferr == nil && f != nil {
					fork = f.Advice(n.Key(), state.Thresholds().Revoke)
				}
			}
			if a := ownKeyCheck(ks, fork, tips[n.Key()].Seq, next, nextAtStart); err == nil && a != nil && !said[a.msg] {
				said[a.msg] = true
				dm.log.Log(ctx, a.level, a.msg, "seq", a.seq, "data_dir", string(dm.dir))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}
