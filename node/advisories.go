package node

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// ErrNoAdvisory is returned by Advisory for a hash that is not a live
// advisory of this node's log: unknown, not an advisory, or void.
var ErrNoAdvisory = errors.New("node: no such advisory in the log")

// ErrBlockedAuthor is returned, wrapped, by Advisory for a live advisory
// whose author this node blocks: the op stays in the log, hidden from
// this node's readers until Unblock.
var ErrBlockedAuthor = errors.New("node: this node blocks the advisory's author")

// StoredAdvisory is one live advisory of the log.
type StoredAdvisory struct {
	// Pos is the op's stored position, the cursor of Advisories.
	Pos uint64
	// Op is the advisory op; Advisory is its decoded body.
	Op       *protocol.Op
	Advisory *protocol.Advisory
}

// advisoryScan bounds how many index entries one Advisories call reads
// per round, void ones included.
const advisoryScan = 256

// Advisories returns, in stored order, at most limit live advisories
// stored at position from or later, and the position to continue from.
// Void advisories (whose author a concurrent denial removed) are skipped
// and never returned; so are those of an author this node blocks, which
// stay in the log and are returned again once Unblock lifts the block.
// next is from when nothing new is stored.
func (n *Node) Advisories(ctx context.Context, from uint64, limit int) (ads []StoredAdvisory, next uint64, err error) {
	next = from
	for len(ads) < limit {
		refs, err := n.advisoryRefs(next, min(advisoryScan, limit-len(ads)))
		if err != nil {
			return nil, from, fmt.Errorf("node: %w", err)
		}
		if len(refs) == 0 {
			break
		}
		live, blocked, err := n.liveSet(ctx, refs)
		if err != nil {
			return nil, from, err
		}
		for i, r := range refs {
			next = r.Pos + 1
			if !live[i] {
				continue
			}
			ad, err := n.loadAdvisory(r)
			if err != nil {
				return nil, from, err
			}
			if !blocked[ad.Op.Author] {
				ads = append(ads, ad)
			}
		}
	}
	return ads, next, nil
}

// AdvisoriesBefore returns, newest first, at most limit live advisories
// stored below position before, and the position to page back from (the
// oldest position read). Void advisories and those of an author this
// node blocks are skipped, as in Advisories.
func (n *Node) AdvisoriesBefore(ctx context.Context, before uint64, limit int) (ads []StoredAdvisory, next uint64, err error) {
	next = before
	for len(ads) < limit && next > 0 {
		refs, err := n.advisoryRefsBefore(next, min(advisoryScan, limit-len(ads)))
		if err != nil {
			return nil, before, fmt.Errorf("node: %w", err)
		}
		if len(refs) == 0 {
			break
		}
		live, blocked, err := n.liveSet(ctx, refs)
		if err != nil {
			return nil, before, err
		}
		for i, r := range refs {
			next = r.Pos
			if !live[i] {
				continue
			}
			ad, err := n.loadAdvisory(r)
			if err != nil {
				return nil, before, err
			}
			if !blocked[ad.Op.Author] {
				ads = append(ads, ad)
			}
		}
	}
	return ads, next, nil
}

// Advisory returns the live advisory h, or an error wrapping
// ErrNoAdvisory, or ErrBlockedAuthor when this node blocks its author.
func (n *Node) Advisory(ctx context.Context, h protocol.Hash) (StoredAdvisory, error) {
	pos, ok, err := n.AdvisoryPosition(h)
	if err != nil {
		return StoredAdvisory{}, fmt.Errorf("node: %w", err)
	}
	if !ok {
		return StoredAdvisory{}, fmt.Errorf("%w: %s", ErrNoAdvisory, h.Short())
	}
	ref := store.AdvisoryRef{Pos: pos, Hash: h}
	live, blocked, err := n.liveSet(ctx, []store.AdvisoryRef{ref})
	if err != nil {
		return StoredAdvisory{}, err
	}
	if !live[0] {
		return StoredAdvisory{}, fmt.Errorf("%w: %s is void", ErrNoAdvisory, h.Short())
	}
	ad, err := n.loadAdvisory(ref)
	if err != nil {
		return StoredAdvisory{}, err
	}
	if blocked[ad.Op.Author] {
		return StoredAdvisory{}, fmt.Errorf("%w: advisory %s is by %s, which this node blocks: it stays in the log and shows again once the block is lifted (kring unblock)",
			ErrBlockedAuthor, h.Short(), n.Label(ad.Op.Author))
	}
	return ad, nil
}

// liveSet asks the loop, in one round trip that waits for no commit
// (Node.read), which of refs count, and which authors this node blocks
// (nil when it blocks none).
func (n *Node) liveSet(ctx context.Context, refs []store.AdvisoryRef) ([]bool, map[protocol.Key]bool, error) {
	live := make([]bool, len(refs))
	var blocked map[protocol.Key]bool
	err := n.read(ctx, func(l *loop) {
		for i, r := range refs {
			live[i] = l.eng.Live(r.Hash)
		}
		if len(l.blocks) > 0 {
			blocked = make(map[protocol.Key]bool, len(l.blocks))
			for k := range l.blocks {
				blocked[k] = true
			}
		}
	})
	return live, blocked, err
}

// loadAdvisory reads the op of ref from the store, or from the commit
// being written.
func (n *Node) loadAdvisory(ref store.AdvisoryRef) (StoredAdvisory, error) {
	op, err := n.getOp(ref.Hash)
	if err != nil {
		return StoredAdvisory{}, fmt.Errorf("node: reading advisory %s: %w", ref.Hash.Short(), err)
	}
	adv, ok := op.Content().(*protocol.Advisory)
	if !ok {
		return StoredAdvisory{}, fmt.Errorf("node: indexed op %s is a %s, not an advisory", ref.Hash.Short(), op.Kind)
	}
	return StoredAdvisory{Pos: ref.Pos, Op: op, Advisory: adv}, nil
}
