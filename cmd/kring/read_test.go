package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// kring status names a low disk, with the free space and what the node
// defers, and says nothing of the disk otherwise.
func TestStatusNamesALowDisk(t *testing.T) {
	st := api.Status{Status: "member", Sharing: true, Ready: true, Ops: 12, DiskLow: true, DiskFreeBytes: 50 << 20}
	var out bytes.Buffer
	if err := printStatus(&out, st); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "DISK LOW") || !strings.Contains(out.String(), "50 MiB free") || !strings.Contains(out.String(), "advisories are deferred") {
		t.Errorf("status on a low disk:\n%s", out.String())
	}
	st.DiskLow = false
	out.Reset()
	if err := printStatus(&out, st); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "DISK") {
		t.Errorf("status with room on the disk mentions it:\n%s", out.String())
	}
}

// kring status shows an applicant its application: before any member's
// node answered, and when a member shows enough endorsements that the
// node cannot enact its admission with, the problem.
func TestStatusShowsAnApplication(t *testing.T) {
	st := api.Status{Status: "stranger", Application: &api.ApplicationProgress{
		ID: "5c22009c6b15aa", Needed: 2, Missing: 2, Next: "members' nodes answer this node once a member has endorsed it",
	}}
	var out bytes.Buffer
	if err := printStatus(&out, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"applicant, not yet admitted", "5c22009c6b15: no member's node has answered yet (2 endorsements needed)", "next", "once a member has endorsed it"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status of an applicant nobody answered lacks %q:\n%s", want, out.String())
		}
	}
	st.Application = &api.ApplicationProgress{
		ID: "5c22009c6b15aa", Known: true, Endorsements: 2, Needed: 2,
		Endorsers: []api.Endorser{{Key: "891dfd41187e00", Name: "Org A"}, {Key: "8c765333c7f800"}},
		Problem:   "the enactment was refused", Next: "it tries again",
	}
	out.Reset()
	if err := printStatus(&out, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 of 2 endorsements by Org A (891dfd41187e), 8c765333c7f8; none missing", "problem", "the enactment was refused"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status of an applicant with a problem lacks %q:\n%s", want, out.String())
		}
	}
}

// TestStatusSaysItOnce: the node line says once why the node may not
// publish, and that a publish waits for syncs when only syncs are
// missing; the backlog is unknown before the first sync.
func TestStatusSaysItOnce(t *testing.T) {
	for _, c := range []struct {
		st        api.Status
		node, log string
	}{
		{api.Status{Status: "member", Sharing: true, NotReady: "not yet in sync with the circle: synced with 0 of 2 members"},
			"publishing waits for a sync: not yet in sync with the circle: synced with 0 of 2 members (kring publish starts the syncs and waits for them)",
			"backlog unknown until a first sync begins"},
		{api.Status{Status: "member", Sharing: true, Ready: true, BacklogKnown: true, Backlog: 12}, "ready to publish", "backlog 12"},
		{api.Status{Status: "member", Sharing: true, Ready: true, BacklogKnown: true,
			Sync: &api.SyncInfo{SyncedWith: []api.MemberRef{{Key: "5363535c2100", Name: "Org B"}}, Members: 4, Unreachable: 3}},
			"ready (synced with 1 of 4 members; 3 unreachable)", "backlog 0"},
		{api.Status{Status: "member", Sharing: true, Ready: true, BacklogKnown: true,
			Sync: &api.SyncInfo{SyncedWith: []api.MemberRef{{Key: "5363535c2100"}, {Key: "6363535c2100"}}, Members: 2}},
			"ready (synced with 2 of 2 members)", "backlog 0"},
		{api.Status{Status: "member", Sharing: true, NotReady: "no member of the circle answered: none of the 4 others did within 5s", Sync: &api.SyncInfo{Members: 4, Unreachable: 4}},
			"cannot publish: no member of the circle answered: none of the 4 others did within 5s", "backlog unknown"},
		{api.Status{Status: "member", Suspended: true, NotReady: "another node signs with this organisation's key: its op 0a1b2c3d4e5f (seq 7) reached this node", BacklogKnown: true},
			"STOPPED SIGNING: another node signs with this organisation's key: its op 0a1b2c3d4e5f (seq 7) reached this node", "backlog 0"},
		{api.Status{Status: "stranger", NotReady: "this organisation is not in the circle's sharing set: 3b45e2a5ebfa stranger", BacklogKnown: true},
			"cannot publish: not in the circle's sharing set", "backlog 0"},
	} {
		var out bytes.Buffer
		if err := printStatus(&out, c.st); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "node          "+c.node+"\n") || !strings.Contains(out.String(), c.log) {
			t.Errorf("status %+v:\n%s\nwant node %q and %q", c.st, out.String(), c.node, c.log)
		}
	}
}

// TestRefusalSaysItOnce: a publish refused because this organisation is
// not in the sharing set, or the node is not in sync, names the reason
// once, with the node's detail.
func TestRefusalSaysItOnce(t *testing.T) {
	cn := &conn{}
	for _, c := range []struct {
		ae   api.APIError
		want string
	}{
		{api.APIError{Status: 409, Code: api.CodeNotSharing, Message: "node: this organisation is not in the circle's sharing set: 3b45e2a5ebfa member suspended"},
			"publish: refused: this organisation is not in the circle's sharing set (3b45e2a5ebfa member suspended): `kring status` and `kring members` say why"},
		{api.APIError{Status: 409, Code: api.CodeNotSynced, Message: "node: not yet in sync with the circle: synced with 1 of 2 members"},
			"publish: not yet in sync with the circle (synced with 1 of 2 members): check `kring peers` and try again"},
		{api.APIError{Status: 409, Code: api.CodeNotSynced, Message: "node: not yet in sync with the circle: synced with 0 of 2 members (context deadline exceeded)"},
			"publish: not yet in sync with the circle (synced with 0 of 2 members): check `kring peers` and try again"},
		{api.APIError{Status: 409, Code: api.CodeNotSynced, Message: "node: not yet in sync with the circle"},
			"publish: not yet in sync with the circle: check `kring peers` and try again"},
		{api.APIError{Status: 409, Code: api.CodeNoMember, Message: "node: no member of the circle answered: none of the 4 others did within 5s, so this node signs nothing (context deadline exceeded)"},
			"publish: refused: no member of the circle answered: none of the 4 others did within 5s, so this node signs nothing"},
		{api.APIError{Status: 409, Code: api.CodeOwnBehind, Message: "node: a member holds more of this organisation's chain than this node: Org B holds it up to seq 12. Was the data dir restored from a backup?"},
			"publish: refused: a member holds more of this organisation's chain than this node: Org B holds it up to seq 12. Was the data dir restored from a backup?"},
	} {
		if err := cn.explainAPI("publish", &c.ae); err == nil || err.Error() != c.want || exitCode(err) != exitFailure {
			t.Errorf("%s: %v, want %q", c.ae.Message, err, c.want)
		}
	}
}

// TestTimeoutNamesTheVerbsWait: a call that ran out of time names the
// time the verb allowed: callTimeout, or publish --wait's longer one.
func TestTimeoutNamesTheVerbsWait(t *testing.T) {
	err := fmt.Errorf("calling: %w", context.DeadlineExceeded)
	if got := (&conn{addr: "127.0.0.1:7701"}).explain("status", err).Error(); !strings.Contains(got, "did not answer within 30s") {
		t.Errorf("status timeout: %q", got)
	}
	cn := &conn{addr: "127.0.0.1:7701", timeout: 40*time.Second + callTimeout}
	if got := cn.explain("publish", err).Error(); !strings.Contains(got, "did not answer within 1m10s") {
		t.Errorf("publish --wait 40s timeout: %q", got)
	}
}
