package trust

import (
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// Thresholds are the votes a circle's decisions need under a charter when
// the settled State has N members: the charter's figures with the floors
// of docs/membership.md §2 applied, so that no minority can decide alone,
// concurrent removals cannot shrink a quorum, and a small circle is told
// what it can and cannot do.
type Thresholds struct {
	// N is the number of members the thresholds are computed for.
	N int
	// Admit is k' = max(1, min(k, N)): endorsements to admit. A State
	// without members (one that validation can compute, docs/membership.md
	// §3.4) admits no one.
	Admit int
	// Suspend is s' = max(2, min(s, N-1)): votes to suspend.
	Suspend int
	// Revoke is r' = max(2, min(r, N-1)): votes to revoke, or to lift a
	// suspension.
	Revoke int
	// Change is c' = min(N, max(c, floor(N/2)+1)): votes to change the
	// charter or to disavow a stolen key's ops; c is the charter's change
	// quorum, max(ceil(2N/3), 4) when the charter leaves it out.
	Change int
	// Hostile is f = max(1, min(k', s', r', ceil(N/2))): the threat model
	// assumes fewer hostile keys than this among the members (the floor
	// matters only for N = 0).
	Hostile int
	// Settle is q = max(1, min(N, max(ceil((N+f)/2), 2f-1))): the members
	// whose acknowledgements settle an op; a State without members settles
	// nothing. Two such quorums share at least f
	// members, so at least one honest member; and a quorum in which fewer
	// than f keys are discounted (docs/membership.md §3.4) still holds f
	// that are not.
	Settle int
}

// For returns the counting votes a motion of kind k needs: Admit for an
// admission, Suspend for a suspension, Revoke for a revocation or a lift,
// Change for a charter change or a disavowal.
func (t Thresholds) For(k protocol.MotionKind) int {
	switch k {
	case protocol.MotionAdmit:
		return t.Admit
	case protocol.MotionSuspend:
		return t.Suspend
	case protocol.MotionRevoke, protocol.MotionUnsuspend:
		return t.Revoke
	default:
		return t.Change
	}
}

// ThresholdsFor returns the thresholds of charter c for a circle whose
// settled State has n members.
func ThresholdsFor(c *protocol.Charter, n int) Thresholds {
	t := Thresholds{N: n}
	t.Admit = max(1, min(int(c.Admit), n))
	t.Suspend = max(2, min(int(c.Suspend), n-1))
	t.Revoke = max(2, min(int(c.Revoke), n-1))
	t.Change = min(n, max(c.ChangeQuorum(n), n/2+1))
	t.Hostile = max(1, min(t.Admit, t.Suspend, t.Revoke, (n+1)/2))
	t.Settle = max(1, min(n, max((n+t.Hostile+1)/2, 2*t.Hostile-1)))
	return t
}

// Voters returns the most votes a motion against one member can gather:
// every member but the subject.
func (t Thresholds) Voters() int { return max(0, t.N-1) }

// CanSuspend reports whether the other members together can reach the
// suspension threshold against one of them.
func (t Thresholds) CanSuspend() bool { return t.Voters() >= t.Suspend }

// CanRevoke reports whether the other members together can reach the
// revocation (and lifting) threshold against one of them.
func (t Thresholds) CanRevoke() bool { return t.Voters() >= t.Revoke }

// String renders the thresholds in one line, as logs and the CLI show
// them.
func (t Thresholds) String() string {
	return fmt.Sprintf("n=%d k'=%d s'=%d r'=%d c'=%d f=%d q=%d", t.N, t.Admit, t.Suspend, t.Revoke, t.Change, t.Hostile, t.Settle)
}
