package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// parseKey parses a member key in hex, answering 400 bad-key.
func parseKey(s string) (protocol.Key, error) {
	k, err := protocol.ParseKey(s)
	if err != nil || k.IsZero() {
		return k, fail(http.StatusBadRequest, CodeBadKey, "%q is not a member key (64 hex digits)", s)
	}
	return k, nil
}

// nameOf returns the organisation name the log knows for k, or "".
func nameOf(st *trust.State, k protocol.Key) string {
	if p := st.Key(k).Profile; p != nil {
		return p.Name
	}
	return ""
}

func charterInfo(st *trust.State) CharterInfo {
	c := st.Charter
	return CharterInfo{
		Name: c.Name, Version: c.Version,
		Admit: int(c.Admit), Suspend: int(c.Suspend), Revoke: int(c.Revoke),
		Change: st.Thresholds().Change, TLPPolicy: c.TLPPolicy,
	}
}

// memberInfo describes key k; open are the decisions in progress about it
// (about).
func (s *Server) memberInfo(st *trust.State, k protocol.Key, blocks map[protocol.Key]store.Block, open []MotionInfo) MemberInfo {
	ks := st.Key(k)
	_, blocked := blocks[k]
	mi := MemberInfo{
		Key: k.String(), Status: ks.Status.String(), Founder: ks.Founder,
		Suspended: ks.Suspended, Sharing: ks.InSharingSet(), Equivocated: ks.Equivocated,
		Endorsements: ks.Endorsements, Needed: ks.Needed, Missing: ks.Missing(),
		Needs: needs(st, ks, open), Motions: open, Blocked: blocked, Self: k == s.n.Key(),
		Connected: k != s.n.Key() && s.connected(k),
	}
	if f, err := s.forkInfo(st, k); err == nil {
		mi.Fork = f
	} else {
		s.log.Warn("the twins of a fork are not readable", "key", k.Short(), "err", err)
	}
	if !ks.Application.IsZero() {
		mi.Application = ks.Application.String()
	}
	if p := ks.Profile; p != nil {
		mi.Name = p.Name
		pi := ProfileOf(*p)
		mi.Profile = &pi
	}
	return mi
}

// ProfileOf renders an organisation's profile; its Profile method gives p
// back.
func ProfileOf(p protocol.Profile) ProfileInfo {
	pi := ProfileInfo{Name: p.Name, Sector: p.Sector, Contact: p.Contact, Role: p.Role, Expertise: slices.Clone(p.Expertise)}
	for _, c := range p.Claims {
		pi.Claims = append(pi.Claims, ClaimInfo{Requirement: c.Requirement, Statement: c.Statement})
	}
	return pi
}

// Profile returns the protocol profile p describes.
func (p ProfileInfo) Profile() protocol.Profile {
	out := protocol.Profile{Name: p.Name, Sector: p.Sector, Contact: p.Contact, Role: p.Role, Expertise: slices.Clone(p.Expertise)}
	for _, c := range p.Claims {
		out.Claims = append(out.Claims, protocol.Claim{Requirement: c.Requirement, Statement: c.Statement})
	}
	return out
}

// needs says what key ks still needs to (re)join the sharing set; open
// are the decisions in progress about it.
func needs(st *trust.State, ks trust.KeyState, open []MotionInfo) string {
	switch {
	case ks.Status == trust.StatusApplicant || ks.Status == trust.StatusLapsed:
		if m := ks.Missing(); m > 0 {
			return fmt.Sprintf("%d more endorsement(s): has %d of the %d the charter requires", m, ks.Endorsements, ks.Needed)
		}
		return "enough endorsements: its node enacts its admission as soon as it connects to a member"
	case ks.Status == trust.StatusMember && ks.ForkSuspended > 0:
		lift := fmt.Sprintf("it forked its chain at seq %d: to rejoin, an unsuspend naming the twin to keep with %d members' votes", ks.ForkSuspended, st.Thresholds().Revoke)
		for _, m := range open {
			if m.Kind == protocol.MotionUnsuspend.String() && m.Keep != "" {
				lift += fmt.Sprintf("; keeping %.12s: %d of %d cast", m.Keep, m.Votes, m.Needed)
			}
		}
		return lift
	case ks.Status == trust.StatusMember && ks.Suspended:
		lift := fmt.Sprintf("to rejoin, an unsuspend with %d members' votes: none cast yet", st.Thresholds().Revoke)
		var also []string
		for _, m := range open {
			switch m.Kind {
			case protocol.MotionUnsuspend.String():
				lift = fmt.Sprintf("to rejoin, an unsuspend with %d members' votes: %d of %d cast", m.Needed, m.Votes, m.Needed)
			case protocol.MotionRevoke.String():
				also = append(also, fmt.Sprintf("a revoke motion against it has %d of %d votes", m.Votes, m.Needed))
			}
		}
		return strings.Join(append([]string{lift}, also...), "; ")
	}
	return ""
}

// advisoryInfo renders a live advisory; the TLP label always goes with it.
func advisoryInfo(st *trust.State, ad node.StoredAdvisory) AdvisoryInfo {
	op, a := ad.Op, ad.Advisory
	ai := AdvisoryInfo{
		ID: op.Hash().String(), Position: ad.Pos,
		Author: op.Author.String(), AuthorName: nameOf(st, op.Author),
		Seq: op.Seq, Published: time.UnixMilli(op.TS).UTC(),
		Title: a.Title, Summary: a.Summary, TLP: string(a.TLP),
	}
	if len(a.Content) > 0 {
		if json.Valid(a.Content) {
			ai.Content = json.RawMessage(a.Content)
		} else {
			ai.ContentBase64 = a.Content
		}
	}
	return ai
}

// opInfo describes an op this node published.
func opInfo(op *protocol.Op) OpInfo {
	oi := OpInfo{
		ID: op.Hash().String(), Kind: op.Kind.String(), Author: op.Author.String(),
		Seq: op.Seq, Published: time.UnixMilli(op.TS).UTC(),
	}
	if v, ok := op.Content().(*protocol.Vote); ok {
		oi.Motion, oi.MotionID = v.Motion.String(), v.Motion.Hash().String()
	}
	return oi
}
