package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	libp2pproto "github.com/libp2p/go-libp2p/core/protocol"

	"github.com/kring-circle/kring/protocol"
)

// TopicName returns the gossip topic of a circle: one topic carries all
// its ops. The last part is the protocol's major version (4: ops of wire
// format 2 whose signatures are checked by ZIP-215's rule, under the
// membership rules of docs/membership.md), so nodes that judge a circle's
// ops by different rules never share a topic.
func TopicName(group protocol.Hash) string { return "/kring/" + group.String() + "/ops/4" }

// GossipProtocols are Kring's own gossipsub protocol IDs: the message size
// limit differs from libp2p's default, and a Kring node has no business on
// the public gossipsub network.
var GossipProtocols = []libp2pproto.ID{"/kring/meshsub/1.2.0", "/kring/meshsub/1.1.0"}

// GossipFeatures says which gossipsub features Kring's protocol IDs
// support, for pubsub.WithGossipSubProtocols.
func GossipFeatures(feat pubsub.GossipSubFeature, proto libp2pproto.ID) bool {
	switch feat {
	case pubsub.GossipSubFeatureMesh, pubsub.GossipSubFeaturePX:
		return true
	case pubsub.GossipSubFeatureIdontwant:
		return proto == GossipProtocols[0]
	}
	return false
}

// MaxGossipOp is the largest op that goes by gossip. A larger one (a
// long CSAF document, say) goes from its author's node to each connected
// member by a sync push, and to the others by sync. Pubsub queues RPCs by
// count, not bytes (WithPeerOutboundQueueSize), so this bounds the bytes
// a slow peer can hold queued at this node: OutboundQueue RPCs of at most
// MaxGossipMessage, 1,024 × 80 KiB = 80 MiB with the defaults, instead of
// 4,096 × 1.06 MiB = 4.3 GiB for ops of up to protocol.MaxOpSize.
const MaxGossipOp = 64 << 10

// MaxGossipMessage leaves room around the largest gossiped op for the
// pubsub envelope; pubsub refuses larger RPCs.
const MaxGossipMessage = MaxGossipOp + 16<<10

// errNotSharing drops RPCs that carry ops from peers outside the sharing set.
var errNotSharing = errors.New("node: ops from a peer outside the sharing set")

// MessageID is the gossip message ID: the op's hash, so duplicates are
// recognised by content whoever forwards them.
func MessageID(m *pb.Message) string {
	h := sha256.Sum256(m.Data)
	return string(h[:])
}

// MessageOptions are the pubsub options that make a gossip message
// Kring's, whatever the router: no pubsub signature and no author (an op
// carries its own signature, so StrictNoSign), the op's hash as message
// ID (MessageID), and MaxGossipMessage as the size limit. WireOptions adds
// what a gossipsub router needs besides.
func MessageOptions() []pubsub.Option {
	return []pubsub.Option{
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(MessageID),
		pubsub.WithMaxMessageSize(MaxGossipMessage),
	}
}

// WireOptions are the gossipsub options that define Kring's wire format:
// MessageOptions and Kring's own protocol IDs with their features
// (GossipProtocols). A gossipsub made with them speaks to a Kring node on
// the circle's topic (TopicName); the node's own pubsub starts from them
// and adds what is its own business (queues, admission, scoring, the
// validator). Every call returns a new slice.
func WireOptions() []pubsub.Option {
	return append(MessageOptions(), pubsub.WithGossipSubProtocols(GossipProtocols, GossipFeatures))
}

// newGossip builds the circle's pubsub: Kring's wire format (WireOptions:
// StrictNoSign, as ops carry their own signatures, and content IDs),
// queues sized for bursts, the admission snapshot
// as blacklist and peer filter, and peer scoring that penalises
// forwarders of invalid ops and of parked ops that never complete (pen).
func newGossip(ctx context.Context, h host.Host, cfg *Config, g *gater, subs *memberSubscriptions, pen *penalties, inspect func(map[peer.ID]float64)) (*pubsub.PubSub, error) {
	topic := subs.topic
	params := pubsub.DefaultGossipSubParams()
	params.HeartbeatInterval = cfg.Heartbeat
	params.HeartbeatInitialDelay = min(cfg.Heartbeat, 100*time.Millisecond)
	opts := append(WireOptions(),
		pubsub.WithGossipSubParams(params),
		pubsub.WithValidateQueueSize(cfg.ValidateQueue),
		pubsub.WithPeerOutboundQueueSize(cfg.OutboundQueue),
		pubsub.WithBlacklist(g),
		pubsub.WithPeerFilter(func(p peer.ID, _ string) bool { return g.standing(p) == Sharing }),
		pubsub.WithAppSpecificRpcInspector(func(p peer.ID, rpc *pubsub.RPC) error {
			if len(rpc.GetPublish()) > 0 && g.standing(p) != Sharing {
				return errNotSharing
			}
			return nil
		}),
		pubsub.WithSubscriptionFilter(subs),
		// An own op goes at once to every sharing member on the topic,
		// not only to the mesh: a circle is small, and an advisory
		// should not wait for the mesh to form. The app-specific score
		// keeps everyone outside the sharing set below the publish
		// threshold, so flood publishing never reaches them.
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerScore(scoreParams(topic, g, pen), &pubsub.PeerScoreThresholds{
			SkipAtomicValidation: true,
			GossipThreshold:      -500,
			PublishThreshold:     -1000,
			GraylistThreshold:    -2500,
		}),
		pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(inspect), cfg.ScoreInspect),
	)
	if cfg.GossipTracer != nil {
		opts = append(opts, pubsub.WithRawTracer(cfg.GossipTracer))
	}
	ps, err := pubsub.NewGossipSub(ctx, h, opts...)
	if err != nil {
		return nil, fmt.Errorf("node: gossipsub: %w", err)
	}
	return ps, nil
}

// memberSubscriptions takes subscriptions to the circle's topic from
// sharing members only, so that pubsub never counts anyone else among the
// topic's peers. It remembers whom it turned away: when such a peer joins
// the sharing set, the node closes its connection so that it announces
// its subscriptions afresh on the next one.
type memberSubscriptions struct {
	g       *gater
	topic   string
	mu      sync.Mutex
	refused map[peer.ID]bool
}

// CanSubscribe implements pubsub.SubscriptionFilter.
func (f *memberSubscriptions) CanSubscribe(topic string) bool { return topic == f.topic }

// FilterIncomingSubscriptions implements pubsub.SubscriptionFilter.
func (f *memberSubscriptions) FilterIncomingSubscriptions(p peer.ID, subs []*pb.RPC_SubOpts) ([]*pb.RPC_SubOpts, error) {
	if len(subs) > 4 {
		return nil, errTooManySubscriptions
	}
	// The standing is read and the refusal noted under one lock, which
	// enforce takes after it swaps the snapshot: either this sees the new
	// snapshot, or enforce sees the note.
	f.mu.Lock()
	defer f.mu.Unlock()
	sharing := f.g.standing(p) == Sharing
	out := subs[:0:0]
	for _, s := range subs {
		switch {
		case s.GetTopicid() != f.topic:
		case sharing || !s.GetSubscribe():
			out = append(out, s)
		default:
			if f.refused == nil {
				f.refused = map[peer.ID]bool{}
			}
			f.refused[p] = true
		}
	}
	return out, nil
}

// admitted reports, and forgets, whether p's subscription was turned away.
func (f *memberSubscriptions) admitted(p peer.ID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	was := f.refused[p]
	delete(f.refused, p)
	return was
}

var errTooManySubscriptions = errors.New("node: a peer announced more subscriptions than a circle has topics")

// outsiderScore is the app-specific score of a peer outside the sharing
// set: below the graylist threshold, so pubsub neither sends to it nor
// takes RPCs from it.
const outsiderScore = -10000

// scoreParams penalise a forwarder for every op it forwards that is
// provably invalid (Reject), and slightly reward first deliveries. Ignored
// ops (duplicates, void ops, missing preds) cost nothing by themselves;
// parked ops that never complete cost a sharing member its penalty from
// pen (see incompletePenalty).
func scoreParams(topic string, g *gater, pen *penalties) *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		SkipAtomicValidation: true,
		AppSpecificScore:     func(p peer.ID) float64 { return appScore(g.standing(p), pen.of(p, time.Now())) },
		AppSpecificWeight:    1,
		Topics: map[string]*pubsub.TopicScoreParams{
			topic: {
				SkipAtomicValidation:           true,
				TopicWeight:                    1,
				TimeInMeshWeight:               0.01,
				TimeInMeshQuantum:              time.Second, // never zero: pubsub divides by it
				TimeInMeshCap:                  100,
				FirstMessageDeliveriesWeight:   0.1,
				FirstMessageDeliveriesDecay:    scoreDecay(10 * time.Minute),
				FirstMessageDeliveriesCap:      100,
				InvalidMessageDeliveriesWeight: -100,
				InvalidMessageDeliveriesDecay:  scoreDecay(time.Hour),
			},
		},
		TopicScoreCap: 100,
		DecayInterval: scoreDecayInterval,
		DecayToZero:   pubsub.DefaultDecayToZero,
		RetainScore:   time.Hour,
	}
}

// scoreDecayInterval is how often pubsub decays the score counters (and
// wakes to do it, in every node). Penalties take effect at once whatever
// it is (an invalid op counts when it is judged); it only sets the steps
// in which they fade, and 10 s steps of a fade over ten minutes or an hour
// are as good as 1 s steps at a tenth of the wake-ups of an idle node.
const scoreDecayInterval = 10 * time.Second

// scoreDecay is the per-step decay factor of a score counter that fades to
// nothing over d, in steps of scoreDecayInterval.
func scoreDecay(d time.Duration) float64 {
	return pubsub.ScoreParameterDecayWithBase(d, scoreDecayInterval, pubsub.DefaultDecayToZero)
}

// appScore is the app-specific score of a peer of standing s whose parked
// ops left incomplete cost it penalty.
func appScore(s Standing, penalty float64) float64 {
	if s != Sharing {
		return outsiderScore
	}
	return -penalty
}
