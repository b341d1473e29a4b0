package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// ForkInfo is the fork of its chain that suspends a member
// (MemberInfo.Fork): its seq and the ops the member signed at it.
type ForkInfo struct {
	// Seq is the seq at which the member signed two or more ops.
	Seq uint64 `json:"seq"`
	// Twins are those ops, sorted by ID.
	Twins []TwinInfo `json:"twins"`
	// Votes is how many members' votes a lift needs (r′).
	Votes int `json:"votes"`
	// HoldersKnown is set when each twin's HeldBy says who holds it
	// (GET /v1/members/{key}).
	HoldersKnown bool `json:"holders_known,omitempty"`
}

// Holder is a member whose node held a twin of a fork (TwinInfo.HeldBy).
type Holder = MemberRef

// TwinInfo is one op of a fork.
type TwinInfo struct {
	// ID is the op's hash: what an unsuspend names as keep.
	ID string `json:"id"`
	// Seq is the op's seq; Kind its kind ("advisory", "vote", ...).
	Seq  uint64 `json:"seq"`
	Kind string `json:"kind"`
	// What says in a few words what the op is.
	What string `json:"what"`
	// Preds are the IDs of the ops it cites.
	Preds []string `json:"preds"`
	// Published is its author's clock when it signed it (informational).
	Published time.Time `json:"published"`
	// HeldBy are the members whose later ops in this node's log cite the
	// twin, directly or through other ops: their nodes held it when they
	// signed (the forked member itself when its chain continues from it).
	// A member that has signed nothing since is not among them. Sorted by
	// key; set when ForkInfo.HoldersKnown is.
	HeldBy []Holder `json:"held_by,omitempty"`
}

// addHolders fills each twin's HeldBy from this node's log.
func (s *Server) addHolders(ctx context.Context, st *trust.State, k protocol.Key, f *ForkInfo) error {
	held, err := s.n.TwinHolders(ctx, k)
	if err != nil {
		return err
	}
	for i := range f.Twins {
		h, err := protocol.ParseHash(f.Twins[i].ID)
		if err != nil {
			return err
		}
		f.Twins[i].HeldBy = []Holder{}
		for _, key := range held[h] {
			f.Twins[i].HeldBy = append(f.Twins[i].HeldBy, Holder{Key: key.String(), Name: nameOf(st, key)})
		}
	}
	f.HoldersKnown = true
	return nil
}

// OwnForkInfo is the fork of this organisation's own chain that suspends
// it (Status.Fork).
type OwnForkInfo struct {
	ForkInfo
	// Held is the ID of the twin this node's chain continues from; empty
	// if the node never stored its own op at that seq.
	Held string `json:"held,omitempty"`
	// Advice says what happened, the likely cause, and what to do.
	Advice string `json:"advice"`
}

// ownForkInfo describes the fork that suspends this organisation, or nil
// when none does.
func (s *Server) ownForkInfo(ctx context.Context, st *trust.State) (*OwnForkInfo, error) {
	if st.Key(s.n.Key()).ForkSuspended == 0 {
		return nil, nil
	}
	f, err := s.n.OwnFork(ctx)
	if err != nil || f == nil {
		return nil, err
	}
	out := &OwnForkInfo{ForkInfo: ForkInfo{Seq: f.Seq, Twins: []TwinInfo{}, Votes: st.Thresholds().Revoke}, Advice: f.Advice(s.n.Key(), st.Thresholds().Revoke)}
	for _, op := range f.Twins {
		out.Twins = append(out.Twins, twinInfo(st, op))
	}
	if !f.Held.IsZero() {
		out.Held = f.Held.String()
	}
	return out, nil
}

// forkInfo describes the fork that suspends k, or nil when none does.
func (s *Server) forkInfo(st *trust.State, k protocol.Key) (*ForkInfo, error) {
	seq := st.Key(k).ForkSuspended
	if seq == 0 {
		return nil, nil
	}
	twins, err := s.n.Twins(k)
	if err != nil {
		return nil, err
	}
	f := &ForkInfo{Seq: seq, Twins: []TwinInfo{}, Votes: st.Thresholds().Revoke}
	for _, op := range twins {
		f.Twins = append(f.Twins, twinInfo(st, op))
	}
	return f, nil
}

func twinInfo(st *trust.State, op *protocol.Op) TwinInfo {
	ti := TwinInfo{ID: op.Hash().String(), Seq: op.Seq, Kind: op.Kind.String(), What: describeOp(st, op),
		Preds: []string{}, Published: time.UnixMilli(op.TS).UTC()}
	for _, p := range op.Preds {
		ti.Preds = append(ti.Preds, p.String())
	}
	return ti
}

// describeOp says in a few words what op is.
func describeOp(st *trust.State, op *protocol.Op) string {
	switch b := op.Content().(type) {
	case *protocol.Advisory:
		return fmt.Sprintf("advisory %q (TLP:%s)", b.Title, b.TLP)
	case *protocol.Vote:
		return "vote: " + motionWords(st, b.Motion)
	case *protocol.Enact:
		return "enactment: " + motionWords(st, b.Motion)
	case *protocol.Ack:
		return "acknowledgement"
	case *protocol.Leave:
		return "leave"
	}
	return op.Kind.String()
}

// motionWords names a motion and its subject, e.g. "suspend Org C (9a41c0de12ab)".
func motionWords(st *trust.State, m protocol.Motion) string {
	switch {
	case m.Kind == protocol.MotionCharter && m.Charter != nil:
		return fmt.Sprintf("charter v%d", m.Charter.Version)
	case m.Kind == protocol.MotionDisavow:
		return fmt.Sprintf("disavow %s from seq %d", who(st, m.Subject()), m.From)
	}
	return fmt.Sprintf("%s %s", m.Kind, who(st, m.Subject()))
}

// keepOf resolves a vote request's keep, a twin's ID or a unique prefix
// of it, against the fork that suspends target.
func (s *Server) keepOf(target protocol.Key, keep string) (*protocol.Hash, error) {
	keep = strings.ToLower(strings.TrimSpace(keep))
	twins, err := s.n.Twins(target)
	if err != nil {
		return nil, err
	}
	if len(twins) == 0 {
		return nil, fmt.Errorf("%w: %s", node.ErrNotForked, target.Short())
	}
	var found []protocol.Hash
	var ids []string
	for _, t := range twins {
		id := t.Hash().String()
		ids = append(ids, id)
		if keep != "" && strings.HasPrefix(id, keep) {
			found = append(found, t.Hash())
		}
	}
	switch len(found) {
	case 1:
		return &found[0], nil
	case 0:
		return nil, fail(http.StatusBadRequest, CodeNotATwin, "keep %q is none of the twins of %s's fork at seq %d: %s", keep, target.Short(), twins[0].Seq, strings.Join(ids, ", "))
	}
	return nil, fail(http.StatusBadRequest, CodeNotATwin, "keep %q is the prefix of %d twins: give more digits", keep, len(found))
}
