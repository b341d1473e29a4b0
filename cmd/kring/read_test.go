package main

import (
	"bytes"
	"strings"
	"testing"

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
	} {
		if err := cn.explainAPI("publish", &c.ae); err == nil || err.Error() != c.want || exitCode(err) != exitFailure {
			t.Errorf("%s: %v, want %q", c.ae.Message, err, c.want)
		}
	}
}
