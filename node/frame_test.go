package node

import (
	"bufio"
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// An endorsed applicant may send a sync frame of one op at most: a longer
// one is refused on its length, before a byte of it is read, and the
// stream is reset. A member may send a frame of that length (the node
// waits for its bytes).
func TestApplicantFrameBound(t *testing.T) {
	c, _ := syncCircle(t, 1)
	d := startNode(t, c, "D", func(cfg *Config) { cfg.StreamTimeout = time.Minute })
	submitAll(t, d, c.Ops[1:])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// sends writes the length of a frame over the applicant's bound, and
	// reports whether the stream was reset within wait.
	sends := func(n *Node, wait time.Duration) bool {
		t.Helper()
		if err := n.Connect(ctx, d.AddrInfo()); err != nil {
			t.Fatal(err)
		}
		s, err := n.host.NewStream(ctx, d.ID(), protocol.SyncProtocol)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Reset()
		var hdr [binary.MaxVarintLen64]byte
		k := binary.PutUvarint(hdr[:], uint64(maxApplicantFrame+1))
		if _, err := s.Write(hdr[:k]); err != nil {
			t.Fatal(err)
		}
		if err := s.SetReadDeadline(time.Now().Add(wait)); err != nil {
			t.Fatal(err)
		}
		_, err = bufio.NewReader(s).ReadByte()
		return err != nil && !isTimeout(err)
	}
	x := startNode(t, c, "X", nil)
	if got := d.Standing(x.ID()); got != Endorsed {
		t.Fatalf("X is %s at D, want endorsed", got)
	}
	if !sends(x, 5*time.Second) {
		t.Error("D did not reset an endorsed applicant's stream on an oversize frame's length")
	}
	b := startNode(t, c, "B", nil)
	if sends(b, time.Second) {
		t.Error("D reset a member's stream on a frame within the members' bound")
	}
}

// isTimeout reports whether err is a deadline that ran out.
func isTimeout(err error) bool {
	te, ok := err.(interface{ Timeout() bool })
	return ok && te.Timeout()
}
