package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// An equivocator's lift through the API: C's node publishes its seq-1
// advisory, and a copy of C's key signs another seq-1 op, which B's node
// pushes to A's and A's to B's. A lists the fork and its twins in C's member info; an
// unsuspend vote without keep is 409 keep-required, with a keep that is
// no twin 400 not-a-twin; with a prefix of C's own op it joins the motion
// keeping it, and A's and B's votes (r′ = 2) lift the fork suspension.
// C's own node learns of its fork and says so in its status.
func TestUnsuspendKeep(t *testing.T) {
	c, a, b, cn := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	key := c.Actor("C").Key
	mine, err := cn.c.Publish(ctx, api.PublishRequest{Title: "first", TLP: "GREEN"})
	if err != nil {
		t.Fatal(err)
	}
	twin, err := c.Advise("C", "signed from a restored backup", protocol.TLPGreen)
	if err != nil {
		t.Fatal(err)
	}
	if twin.Seq != mine.Seq {
		t.Fatalf("the twin has seq %d, C's op %d", twin.Seq, mine.Seq)
	}
	eventually(t, "B holds C's advisory", func() bool { has, _ := b.n.Has(mustHash(t, mine.ID)); return has })
	// A and B store the twin, and judge it void at once: its author
	// forked. (B may hold it already, relayed by A: a duplicate.)
	for _, push := range [][2]*daemon{{b, a}, {a, b}} {
		if _, err := push[0].n.Push(ctx, push[1].n.ID(), twin); err != nil &&
			!strings.HasSuffix(err.Error(), ": void") && !strings.HasSuffix(err.Error(), ": duplicate") {
			t.Fatalf("pushing the twin: %v", err)
		}
	}
	eventually(t, "A and B see C suspended for its fork", func() bool {
		return a.n.State().Key(key).ForkSuspended == mine.Seq && b.n.State().Key(key).ForkSuspended == mine.Seq
	})
	if n := metric(t, scrape(t, a), "kring_forks_seen"); n != 1 {
		t.Errorf("A's kring_forks_seen = %v after C forked, want 1", n)
	}
	// C's node, which holds only its own twin, is handed the other one
	// as it is cut off, and its status says it forked and what to do.
	var own *api.OwnForkInfo
	eventually(t, "C's status to report its fork", func() bool {
		st, err := cn.c.Status(ctx)
		own = st.Fork
		return err == nil && own != nil
	})
	if own.Seq != mine.Seq || len(own.Twins) != 2 || own.Held != mine.ID ||
		!strings.Contains(own.Advice, "kring unsuspend "+key.String()+" --keep OP") || !strings.Contains(own.Advice, "restored from a backup") {
		t.Fatalf("C's status fork = %+v, want seq %d, held %s and the command to lift it", own, mine.Seq, mine.ID)
	}
	m, err := a.c.Member(ctx, key.String())
	if err != nil || m.Fork == nil || m.Fork.Seq != mine.Seq || len(m.Fork.Twins) != 2 {
		t.Fatalf("Member(C).Fork = %+v, %v; want the fork at seq %d with two twins", m.Fork, err, mine.Seq)
	}
	for _, tw := range m.Fork.Twins {
		if tw.Kind != "advisory" || !strings.HasPrefix(tw.What, "advisory ") || len(tw.Preds) != 1 {
			t.Errorf("twin %+v", tw)
		}
	}
	if !strings.Contains(m.Needs, "naming the twin to keep") {
		t.Errorf("Member(C).Needs = %q, want it to name the twin to keep", m.Needs)
	}
	var ae *api.APIError
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "unsuspend", Target: key.String()}); !errors.As(err, &ae) || ae.Status != http.StatusConflict || ae.Code != api.CodeKeepRequired || !strings.Contains(ae.Message, mine.ID) {
		t.Fatalf("unsuspend without keep: %v, want 409 keep-required naming the twins", err)
	}
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "unsuspend", Target: key.String(), Keep: "00ff"}); !errors.As(err, &ae) || ae.Status != 400 || ae.Code != api.CodeNotATwin {
		t.Fatalf("unsuspend keeping no twin: %v, want 400 not-a-twin", err)
	}
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "suspend", Target: key.String(), Keep: mine.ID}); !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("suspend with keep: %v, want 400", err)
	}
	for _, d := range []*daemon{a, b} {
		op, err := d.c.Vote(ctx, api.VoteRequest{Motion: "unsuspend", Target: key.String(), Keep: mine.ID[:10]})
		if err != nil || !strings.Contains(op.Motion, "keeping "+mine.ID[:12]) {
			t.Fatalf("unsuspend keeping C's op: %+v, %v", op, err)
		}
	}
	eventually(t, "A lifts C's fork suspension", func() bool { return a.n.State().Key(key).InSharingSet() })
	if live, err := a.n.Live(ctx, twin.Hash()); err != nil || live {
		t.Errorf("the other twin counts: %v, %v", live, err)
	}
	if m, err := a.c.Member(ctx, key.String()); err != nil || m.Fork != nil {
		t.Errorf("Member(C).Fork after the lift = %+v, %v", m.Fork, err)
	}
}

func mustHash(t *testing.T, s string) protocol.Hash {
	t.Helper()
	h, err := protocol.ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
