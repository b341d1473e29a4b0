package testnet

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"io"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/kring-circle/kring/protocol"
)

// SyncBehaviour is how a rogue answers the sync protocol.
type SyncBehaviour int

const (
	// SyncSilent reads each request and never answers, holding the stream
	// open until the other side gives up.
	SyncSilent SyncBehaviour = iota + 1
	// SyncTruncated answers each request with the first half of a frame,
	// then closes the stream.
	SyncTruncated
	// SyncLyingTips claims to hold a million more ops of every member it
	// names, serves none of them, and answers every other request with
	// nothing.
	SyncLyingTips
	// SyncEmpty answers every request, in full, with nothing: a node that
	// holds none of what it forwarded.
	SyncEmpty
)

// ServeSync has the rogue answer sync requests as b says. liars are the
// keys whose tips SyncLyingTips inflates.
func (r *Rogue) ServeSync(b SyncBehaviour, liars ...protocol.Key) {
	r.host.SetStreamHandler(protocol.SyncProtocol, func(s network.Stream) {
		defer s.Close()
		rd := bufio.NewReader(s)
		for {
			var req protocol.SyncRequest
			if err := protocol.ReadSync(rd, &req, protocol.MaxSyncFrame); err != nil {
				return
			}
			switch b {
			case SyncSilent:
				// Never answer; return as soon as the other side gives up.
				_, _ = io.Copy(io.Discard, rd)
				s.Reset()
				return
			case SyncTruncated:
				half := truncatedFrame()
				_, _ = s.Write(half)
				return
			case SyncLyingTips:
				if err := protocol.WriteSync(s, lie(&req, liars)); err != nil {
					return
				}
			case SyncEmpty:
				if err := protocol.WriteSync(s, &protocol.SyncResponse{}); err != nil {
					return
				}
			}
		}
	})
}

// truncatedFrame is the first half of a tips answer.
func truncatedFrame() []byte {
	var buf bytes.Buffer
	_ = protocol.WriteSync(&buf, &protocol.SyncResponse{Heads: []protocol.Hash{{1}, {2}, {3}}})
	return buf.Bytes()[:buf.Len()/2]
}

// lie answers req as SyncLyingTips does.
func lie(req *protocol.SyncRequest, liars []protocol.Key) *protocol.SyncResponse {
	if req.Kind != protocol.SyncTips {
		return &protocol.SyncResponse{}
	}
	resp := &protocol.SyncResponse{}
	for _, k := range liars {
		var h protocol.Hash
		_, _ = rand.Read(h[:])
		resp.Tips = append(resp.Tips, protocol.SyncTip{Author: k, Seq: 1_000_000, Hashes: []protocol.Hash{h}})
		resp.Heads = append(resp.Heads, h)
	}
	resp.Heads = protocol.SortPreds(resp.Heads)
	return resp
}
