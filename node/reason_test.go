package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/kring-circle/kring/trust"
)

// labels are the reasons' labels as metrics (kring_ops_total's reason),
// logs and the sync wire showed them when reasons were strings: members'
// dashboards and older nodes read them, so they must not change.
var labels = map[Reason]string{
	ReasonAccepted: "accepted", ReasonPublished: "published", ReasonDuplicate: "duplicate",
	ReasonMissingPreds: "missing-preds", ReasonUnknownAuthor: "unknown-author", ReasonOverQuota: "over-quota",
	ReasonVoid: "void", ReasonNotSharing: "not-sharing", ReasonPanic: "panic", ReasonDiskLow: "disk-low",
	ReasonPaced: "paced", ReasonNotMember: "not-member", ReasonTooMany: "too-many",
	ReasonNotOwnApplication: "not-own-application", ReasonNoApplication: "no-application",
	ReasonTooFewEndorsements: "too-few-endorsements", ReasonInternal: "internal",
	ReasonTooLarge: "too-large", ReasonMalformed: "malformed", ReasonNonCanonical: "non-canonical",
	ReasonUnknownKind: "unknown-kind", ReasonUnknownField: "unknown-field", ReasonBadSignature: "bad-signature",
	ReasonWrongGroup: "wrong-group", ReasonSeqPrev: "seq-prev", ReasonPreds: "preds",
	ReasonTooManyPreds: "too-many-preds", ReasonInvalidBody: "invalid-body", ReasonBadHex: "bad-hex",
	ReasonChain: "chain", ReasonSeqTooHigh: "seq-too-high", ReasonWrongEpoch: "wrong-epoch",
	ReasonAuthorRemoved: "author-removed", ReasonAuthorSuspended: "author-suspended",
	ReasonTargetNotMember: "target-not-member", ReasonSelfMotion: "self-motion",
	ReasonUnsettledEndorser: "unsettled-endorser", ReasonCandidate: "candidate", ReasonEnactAuthor: "enact-author",
	ReasonVote: "vote", ReasonDuplicateVoter: "duplicate-voter", ReasonTooFewVotes: "too-few-votes",
	ReasonCharterVersion: "charter-version", ReasonNotSuspended: "not-suspended", ReasonGenesis: "genesis",
	ReasonUnknownBody: "unknown-body", ReasonReenacted: "reenacted", ReasonOther: "other",
}

// TestReasonLabels: every Reason from 1 to the last has a distinct,
// non-empty label, the one it had as a string, and reads back from it.
func TestReasonLabels(t *testing.T) {
	seen := map[string]Reason{}
	for r := Reason(1); r < reasonEnd; r++ {
		s := r.String()
		switch {
		case s == "" || s == fmt.Sprintf("Reason(%d)", r):
			t.Errorf("Reason %d has no label", r)
		case seen[s] != 0:
			t.Errorf("Reasons %d and %d are both %q", seen[s], r, s)
		case labels[r] != s:
			t.Errorf("Reason %d is %q, want %q", r, s, labels[r])
		case reasonNamed(s) != r:
			t.Errorf("reasonNamed(%q) = %d, want %d", s, reasonNamed(s), r)
		}
		seen[s] = r
	}
	if len(seen) != len(labels) {
		t.Errorf("%d reasons, %d labels", len(seen), len(labels))
	}
	if got := Reason(0).String(); got != "Reason(0)" {
		t.Errorf("the zero Reason is %q", got)
	}
	if got := reasonNamed("no-such-reason"); got != 0 {
		t.Errorf("reasonNamed of an unknown label = %s", got)
	}
	if got := reasonNamed(""); got != 0 {
		t.Errorf("reasonNamed of the empty label = %s", got)
	}
	b, err := json.Marshal(map[string]Reason{"reason": ReasonMissingPreds})
	if err != nil || string(b) != `{"reason":"missing-preds"}` {
		t.Errorf("a Reason in JSON: %s, %v", b, err)
	}
}

// TestTrustReasons: node names every trust error as trust.Reason does,
// and each once.
func TestTrustReasons(t *testing.T) {
	var named []Reason
	for _, r := range trustReasons {
		err := fmt.Errorf("trust: detail: %w", r.err)
		got, ok := TrustReason(err)
		if !ok || got != r.reason || got.String() != trust.Reason(err) {
			t.Errorf("TrustReason(%v) = %s, %v; trust.Reason says %q", r.err, got, ok, trust.Reason(err))
		}
		if slices.Contains(named, got) {
			t.Errorf("%s names two trust errors", got)
		}
		named = append(named, got)
	}
	if r, ok := TrustReason(errors.New("something else")); ok || r != 0 {
		t.Errorf("TrustReason of another error = %s, %v", r, ok)
	}
	if r, ok := TrustReason(nil); ok || r != 0 {
		t.Errorf("TrustReason(nil) = %s, %v", r, ok)
	}
}

// TestPermanentRefusal: a push refusal is permanent unless it names a
// transient or a peer's own reason; a label this version does not know
// (a newer node's) counts as permanent, as it always has.
func TestPermanentRefusal(t *testing.T) {
	for _, s := range []string{"", "duplicate", "missing-preds", "void", "not-sharing", "not-member", "internal", "wrong-group", "paced", "disk-low"} {
		if permanentRefusal(s) {
			t.Errorf("permanentRefusal(%q) = true", s)
		}
	}
	for _, s := range []string{"wrong-epoch", "bad-signature", "author-removed", "other", "a-newer-reason"} {
		if !permanentRefusal(s) {
			t.Errorf("permanentRefusal(%q) = false", s)
		}
	}
}
