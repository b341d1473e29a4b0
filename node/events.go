package node

import (
	"log/slog"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/trust"
)

// The circle's events in the log.
//
// An operator alerts on the daemon's log: each change of another member's
// standing that a commit puts in force is logged once, with the
// organisation's name and short key, at WARN when sharing with it stopped
// (suspended, forked, revoked) and at INFO otherwise (admitted, lifted,
// left, lapsed), and so is a new charter. Losing the last connection to a
// member of the sharing set is logged at INFO. This organisation's own
// standing is noteStanding's (standing.go).

// noteCircle logs the changes of other keys' standing, and of the charter,
// between prev and st.
func (n *Node) noteCircle(prev, st *trust.State) {
	if prev == nil {
		return
	}
	if prev.Charter.Version != st.Charter.Version {
		n.log.Info("a new charter is in force", "version", st.Charter.Version,
			"admit", st.Charter.Admit, "suspend", st.Charter.Suspend, "revoke", st.Charter.Revoke)
	}
	for _, k := range st.Keys() {
		if k == n.key {
			continue
		}
		if level, msg := keyEvent(prev.Key(k), st.Key(k)); msg != "" {
			n.log.Log(n.ctx, level, msg, "member", n.Label(k), "standing", ownStanding(st, k))
		}
	}
}

// keyEvent names the change of a key's standing from was to now worth a
// line in the log, and its level; "" if none.
func keyEvent(was, now trust.KeyState) (slog.Level, string) {
	switch {
	case now.Equivocated > 0 && was.Equivocated == 0:
		return slog.LevelWarn, "a member signed two ops with one seq (a fork of its chain): every node suspends it until r′ members lift it, naming the twin to keep"
	case was.Status != now.Status:
		switch now.Status {
		case trust.StatusMember:
			return slog.LevelInfo, "a new member was admitted"
		case trust.StatusRevoked:
			return slog.LevelWarn, "a member was revoked: sharing with it stopped for good"
		case trust.StatusLeft:
			return slog.LevelInfo, "a member left the circle"
		case trust.StatusLapsed:
			return slog.LevelInfo, "an application lapsed: it lost endorsements that counted"
		case trust.StatusApplicant:
			return slog.LevelInfo, "an applicant has its first endorsement"
		}
	case now.Status == trust.StatusMember && now.Suspended && !was.Suspended:
		return slog.LevelWarn, "a member was suspended: sharing with it stopped on every node"
	case now.Status == trust.StatusMember && !now.Suspended && was.Suspended:
		return slog.LevelInfo, "a member's suspension was lifted: sharing with it resumes"
	}
	return slog.LevelInfo, ""
}

// noteLost logs, at INFO, that the node lost its last connection to p, a
// member of the sharing set.
func (n *Node) noteLost(p peer.ID) {
	if n.host.Network().Connectedness(p) == network.Connected {
		return // another connection to it stands
	}
	k, ok := PeerKey(p)
	if !ok || !n.State().InSharingSet(k) || n.ctx.Err() != nil {
		return
	}
	n.log.Info("lost the connection to a member: the node redials it", "member", n.Label(k))
}
