package bench

import (
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"google.golang.org/protobuf/proto"
)

// counter is a pubsub.RawTracer counting what a node sends: RPCs,
// message copies inside them, and their encoded bytes.
type counter struct {
	rpcs, msgs, bytes, drops atomic.Int64
}

// counts is a snapshot of a counter.
type counts struct{ rpcs, msgs, bytes, drops int64 }

func (c *counter) snapshot() counts {
	return counts{c.rpcs.Load(), c.msgs.Load(), c.bytes.Load(), c.drops.Load()}
}

func (a counts) minus(b counts) counts {
	return counts{a.rpcs - b.rpcs, a.msgs - b.msgs, a.bytes - b.bytes, a.drops - b.drops}
}

// SendRPC counts an RPC queued for a peer.
func (c *counter) SendRPC(rpc *pubsub.RPC, _ peer.ID) {
	c.rpcs.Add(1)
	c.msgs.Add(int64(len(rpc.GetPublish())))
	c.bytes.Add(int64(proto.Size(&rpc.RPC)))
}

// DropRPC counts an RPC a full queue dropped.
func (c *counter) DropRPC(*pubsub.RPC, peer.ID) { c.drops.Add(1) }

// The rest of pubsub.RawTracer is not counted.

// OnNewOutboundStream implements pubsub.RawTracer.
func (c *counter) OnNewOutboundStream(peer.ID, protocol.ID) {}

// OnClosedOutboundStream implements pubsub.RawTracer.
func (c *counter) OnClosedOutboundStream(peer.ID) {}

// Join implements pubsub.RawTracer.
func (c *counter) Join(string) {}

// Leave implements pubsub.RawTracer.
func (c *counter) Leave(string) {}

// Graft implements pubsub.RawTracer.
func (c *counter) Graft(peer.ID, string) {}

// Prune implements pubsub.RawTracer.
func (c *counter) Prune(peer.ID, string) {}

// ValidateMessage implements pubsub.RawTracer.
func (c *counter) ValidateMessage(*pubsub.Message) {}

// DeliverMessage implements pubsub.RawTracer.
func (c *counter) DeliverMessage(*pubsub.Message) {}

// RejectMessage implements pubsub.RawTracer.
func (c *counter) RejectMessage(*pubsub.Message, string) {}

// DuplicateMessage implements pubsub.RawTracer.
func (c *counter) DuplicateMessage(*pubsub.Message) {}

// ThrottlePeer implements pubsub.RawTracer.
func (c *counter) ThrottlePeer(peer.ID) {}

// RecvRPC implements pubsub.RawTracer.
func (c *counter) RecvRPC(*pubsub.RPC) {}

// SendRPCCompleted implements pubsub.RawTracer.
func (c *counter) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}

// UndeliverableMessage implements pubsub.RawTracer.
func (c *counter) UndeliverableMessage(*pubsub.Message) {}
