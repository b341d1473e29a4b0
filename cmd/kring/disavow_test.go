package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// TestDisavowVerb drives kring disavow against three running founders
// (k = s = r = 2, c′ = 3). Charlie's key publishes an advisory. While
// Charlie is a member, the preview says the disavowal cannot be enacted
// (c′ = 3 and a target never votes on its own disavowal), and without a
// terminal or --yes nothing is signed. Once Charlie has left and the
// others' acknowledgements settled it (c′ = 2), Alpha votes on a terminal
// after the preview, kring motions on Bravo names the command to vote,
// Bravo votes with --yes, and the daemons enact the disavowal: Charlie's
// advisory no longer counts.
func TestDisavowVerb(t *testing.T) {
	dirs, urls, _ := namedCircle(t, "Alpha", "Bravo", "Charlie")
	cli := func(i int, args ...string) result {
		return kring(t, append([]string{"--data-dir", dirs[i], "--api", urls[i]}, args...)...)
	}
	eventually(t, 20*time.Second, "the nodes connected", func() bool {
		r := cli(0, "status")
		return r.code == 0 && strings.Contains(r.stdout, "2 connected")
	})
	var op api.OpInfo
	if r := cli(2, "publish", "--title", "signed by a thief", "--tlp", "green", "-o", "json").must(t); json.Unmarshal([]byte(r.stdout), &op) != nil {
		t.Fatalf("publish -o json:\n%s", r.stdout)
	}
	seq := fmt.Sprint(op.Seq)
	eventually(t, 10*time.Second, "Alpha lists Charlie's advisory", func() bool {
		return strings.Contains(cli(0, "advisories", "list").stdout, "signed by a thief")
	})
	var members []api.MemberInfo
	if r := cli(0, "members", "-o", "json").must(t); json.Unmarshal([]byte(r.stdout), &members) != nil {
		t.Fatal(r.stdout)
	}
	var charlie string
	for _, m := range members {
		if m.Name == "Charlie" {
			charlie = m.Key
		}
	}
	label := "Charlie (" + charlie[:12] + ")"

	cli(0, "disavow", "Charlie").fails(t, exitUsage, "disavow needs --from-seq N")
	r := cli(0, "disavow", "Charlie", "--from-seq", seq)
	r.fails(t, exitUsage, "disavow: nothing signed, as stdin is not a terminal to confirm on; run again with --yes")
	for _, want := range []string{
		"Disavowing " + label + "'s ops from seq " + seq + " on, if enacted now:",
		"  reaches 1 of its op (seq " + seq + " to " + seq + " in this node's log), 1 of them counting today",
		"  lapses no member",
		"It needs 3 votes (c′): 0 cast.",
		"It could not be enacted now: it needs 3 counting votes, and only 2 members in the sharing set could cast one",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("disavow's preview lacks %q:\n%s", want, r.stdout)
		}
	}

	// Charlie gives up its key; Alpha's and Bravo's acknowledgements
	// settle its Leave, and c′ is 2.
	cli(2, "leave", "--reason", "key stolen", "--yes").must(t)
	eventually(t, 20*time.Second, "Charlie's Leave settled on Alpha", func() bool {
		cli(0, "ack")
		cli(1, "ack")
		r = cli(0, "disavow", "Charlie", "--from-seq", seq)
		return strings.Contains(r.stdout, "It needs 2 votes (c′): 0 cast.") && !strings.Contains(r.stdout, "could not be enacted")
	})
	r = kringTTY(t, "y\n", "--data-dir", dirs[0], "--api", urls[0], "disavow", "Charlie", "--from-seq", seq).must(t)
	for _, want := range []string{"  voids 1 op that counts today (1 advisory)",
		"Vote to disavow " + label + "'s ops from seq " + seq + " on? [y/N] ",
		"Voted to disavow " + label + " from seq " + seq + ": vote "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("disavow on a terminal lacks %q:\n%s", want, r.stdout)
		}
	}
	eventually(t, 10*time.Second, "Bravo lists Alpha's disavow vote", func() bool {
		r = cli(1, "motions")
		return strings.Contains(r.stdout, "disavow "+label+": 1 of 2 votes")
	})
	if want := "  next   needs 1 more vote (to vote: kring disavow " + charlie[:12] + " --from-seq " + seq + ")"; !strings.Contains(r.stdout, want) {
		t.Errorf("Bravo's motions lack %q:\n%s", want, r.stdout)
	}
	r = cli(1, "disavow", charlie, "--from-seq", seq, "--yes").must(t)
	if !strings.Contains(r.stdout, "Disavowing "+label) || !strings.Contains(r.stdout, "Voted to disavow "+label) {
		t.Errorf("disavow --yes:\n%s", r.stdout)
	}
	eventually(t, 20*time.Second, "the disavowal enacted: Charlie's advisory void on Alpha", func() bool {
		r := cli(0, "advisories", "list")
		return r.code == 0 && !strings.Contains(r.stdout, "signed by a thief") && strings.Contains(cli(0, "motions").stdout, "No motions in progress")
	})
}

// TestUnsuspendKeepVerb: a copy of Charlie's key signs a second op at the
// seq of Charlie's advisory, and the fork suspends Charlie. kring members
// --explain describes the fork (both twins, who holds which, the lift);
// Charlie's own kring status says it forked and what to do; kring
// unsuspend without --keep lists the twins and signs nothing (exit 2);
// with --keep and a prefix of Charlie's own op it votes, kring motions
// names the command with --keep, and Bravo's vote lifts the suspension.
func TestUnsuspendKeepVerb(t *testing.T) {
	dirs, urls, _, nodes := namedNodes(t, "Alpha", "Bravo", "Charlie")
	cli := func(i int, args ...string) result {
		return kring(t, append([]string{"--data-dir", dirs[i], "--api", urls[i]}, args...)...)
	}
	eventually(t, 20*time.Second, "the nodes connected", func() bool {
		r := cli(0, "status")
		return r.code == 0 && strings.Contains(r.stdout, "2 connected")
	})
	var op api.OpInfo
	if r := cli(2, "publish", "--title", "first", "--tlp", "green", "-o", "json").must(t); json.Unmarshal([]byte(r.stdout), &op) != nil {
		t.Fatalf("publish -o json:\n%s", r.stdout)
	}
	mine, err := protocol.ParseHash(op.ID)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "Alpha and Bravo hold Charlie's advisory", func() bool {
		a, _ := nodes[0].Has(mine)
		b, _ := nodes[1].Has(mine)
		return a && b
	})
	// Bravo's next op cites Charlie's: Bravo holds that twin.
	var bravos api.OpInfo
	if r := cli(1, "publish", "--title", "seen", "--tlp", "green", "-o", "json").must(t); json.Unmarshal([]byte(r.stdout), &bravos) != nil {
		t.Fatalf("publish -o json:\n%s", r.stdout)
	}
	eventually(t, 10*time.Second, "Alpha holds Bravo's advisory", func() bool {
		has, _ := nodes[0].Has(mustParseHash(t, bravos.ID))
		return has
	})
	// The copy of Charlie's key signs another op on the same prev.
	orig, err := nodes[0].Op(mine)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := loadIdentity(dataDir(dirs[2]))
	if err != nil {
		t.Fatal(err)
	}
	twin := &protocol.Op{Group: orig.Group, Seq: orig.Seq, Prev: orig.Prev, Preds: orig.Preds, Epoch: orig.Epoch, Kind: protocol.KindAdvisory, TS: orig.TS + 1}
	if err := protocol.Sign(twin, &protocol.Advisory{Title: "from the restored backup", TLP: protocol.TLPGreen}, priv); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, p := range [][2]int{{1, 0}, {0, 1}} { // the second may hold it already, relayed: a duplicate
		if _, err := nodes[p[0]].Push(ctx, nodes[p[1]].ID(), twin); err != nil &&
			!strings.HasSuffix(err.Error(), ": void") && !strings.HasSuffix(err.Error(), ": duplicate") {
			t.Fatalf("pushing the twin: %v", err)
		}
	}
	key := protocol.KeyOf(priv)
	eventually(t, 10*time.Second, "Alpha and Bravo see Charlie's fork", func() bool {
		return nodes[0].State().Key(key).ForkSuspended == orig.Seq && nodes[1].State().Key(key).ForkSuspended == orig.Seq
	})
	label := "Charlie (" + key.Short() + ")"
	bravo := "Bravo (" + protocol.KeyOf(mustIdentity(t, dirs[1])).Short() + ")"

	// kring members --explain describes the fork: both twins, who holds
	// which, and the vote that lifts it.
	r := cli(0, "members", "--explain", "Charlie").must(t)
	for _, want := range []string{
		fmt.Sprintf("  %s signed 2 ops at seq %d. The fork suspends it until a lift names the twin to keep:", label, orig.Seq),
		fmt.Sprintf("    %s  seq %d  advisory \"first\" (TLP:GREEN), signed 20", mine, orig.Seq),
		"; held by " + bravo + "\n",
		fmt.Sprintf("    %s  seq %d  advisory \"from the restored backup\" (TLP:GREEN), signed 20", twin.Hash(), orig.Seq),
		"; no member's later op cites it yet\n",
		"a member holds a twin when one of its later ops cites it",
		"To lift it, 2 members vote: kring unsuspend " + key.Short() + " --keep OP",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("members --explain Charlie lacks %q:\n%s", want, r.stdout)
		}
	}
	// Charlie's own node is told of the fork and says so.
	eventually(t, 10*time.Second, "Charlie's status to report the fork", func() bool {
		r = cli(2, "status")
		return strings.Contains(r.stdout, "FORKED")
	})
	for _, want := range []string{
		fmt.Sprintf("FORKED        at seq %d: this organisation signed 2 ops at seq %d", orig.Seq, orig.Seq),
		"restored from a backup",
		"`kring unsuspend " + key.String() + " --keep OP`",
		"twin          " + mine.String(),
		"; this node's chain continues from it",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("Charlie's status lacks %q:\n%s", want, r.stdout)
		}
	}

	r = cli(0, "unsuspend", "Charlie", "--yes")
	r.fails(t, exitUsage, "unsuspend: "+label+fmt.Sprintf(" forked its chain at seq %d: nothing signed; run again with --keep OP", orig.Seq))
	for _, want := range []string{
		fmt.Sprintf("%s signed 2 ops at seq %d. The fork suspends it until a lift names the twin to keep:", label, orig.Seq),
		fmt.Sprintf("  %s  seq %d  advisory \"first\" (TLP:GREEN), signed 20", mine, orig.Seq),
		fmt.Sprintf("  %s  seq %d  advisory \"from the restored backup\" (TLP:GREEN), signed 20", twin.Hash(), orig.Seq),
		", cites " + orig.Preds[0].Short(),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("unsuspend without --keep lacks %q:\n%s", want, r.stdout)
		}
	}
	cli(0, "unsuspend", "Charlie", "--yes", "--keep", "00ff").fails(t, exitUsage, "is none of the twins")
	r = cli(0, "unsuspend", "Charlie", "--yes", "--keep", mine.String()[:10]).must(t)
	if !strings.Contains(r.stdout, "Voted to unsuspend "+label) {
		t.Errorf("unsuspend --keep:\n%s", r.stdout)
	}
	eventually(t, 10*time.Second, "Bravo lists Alpha's keep-lift", func() bool {
		r = cli(1, "motions")
		return strings.Contains(r.stdout, "unsuspend "+label+": 1 of 2 votes")
	})
	if want := "(to vote: kring unsuspend " + key.Short() + " --keep " + mine.Short() + ")"; !strings.Contains(r.stdout, want) {
		t.Errorf("Bravo's motions lack %q:\n%s", want, r.stdout)
	}
	cli(1, "unsuspend", key.String(), "--keep", mine.String()[:10]).must(t)
	eventually(t, 10*time.Second, "Charlie back in the sharing set on Alpha", func() bool {
		return nodes[0].State().Key(key).InSharingSet()
	})
}

func mustParseHash(t *testing.T, s string) protocol.Hash {
	t.Helper()
	h, err := protocol.ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustIdentity(t *testing.T, dir string) ed25519.PrivateKey {
	t.Helper()
	priv, err := loadIdentity(dataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	return priv
}
