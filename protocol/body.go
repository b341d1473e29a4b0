package protocol

import (
	"crypto/ed25519"
	"fmt"
	"slices"
)

// Body is the content of an op: *Genesis, *Vote, *Enact, *Leave, *Advisory
// or *Ack. Bodies are encoded canonically into Op.Body.
type Body interface {
	// Kind returns the op kind that carries this body.
	Kind() Kind
	validate() error
}

// Genesis founds a circle: its charter and its founders, every one of whom
// signs it. The initiator, who authors the op, is founder #1 and has no
// power beyond that of any other founder.
type Genesis struct {
	// Charter is version 1 of the circle's charter.
	Charter Charter `cbor:"1,keyasint"`
	// Founders are the founding members; Founders[0] authors the op.
	Founders []Member `cbor:"2,keyasint"`
	// Sigs holds, in the order of Founders, each founder's signature over
	// DomainGenesis, a zero byte, and exactly the bytes founder #1's op
	// signature covers: the genesis op without Sig, its body taken without
	// Sigs. So a founder signs the whole genesis op but the signatures,
	// its ts included (SignGenesis).
	Sigs [][]byte `cbor:"3,keyasint,omitempty"`
}

// Vote is a member's vote for a motion. A vote on an Admit motion is an
// endorsement and carries the hash of the vetting evidence, which the
// endorser keeps.
type Vote struct {
	// Motion is what the vote supports.
	Motion Motion `cbor:"1,keyasint"`
	// Evidence is the SHA-256 of the evidence behind the vote; required
	// for endorsements.
	Evidence Hash `cbor:"2,keyasint"`
}

// Enact carries out a motion by citing enough votes for it, all in the
// enactment's past.
type Enact struct {
	// Motion is the motion enacted.
	Motion Motion `cbor:"1,keyasint"`
	// Votes are the hashes of the cited votes: sorted and unique.
	Votes []Hash `cbor:"2,keyasint"`
}

// Leave ends its author's membership for good. A member whose key is
// stolen publishes it at once.
type Leave struct {
	// Reason is an optional note for the other members.
	Reason string `cbor:"1,keyasint,omitempty"`
}

// Ack acknowledges the log its author has seen: it has no fields (it
// encodes as the empty map), and says what it says through its preds. A
// member's node that has signed nothing for the charter's ack interval
// (Charter.AckSeconds) signs one, so that the log counts as acknowledged by
// quiet members too. It changes no membership by itself.
type Ack struct{}

// TLP is a Traffic Light Protocol 2.0 label.
type TLP string

// The TLP 2.0 labels (FIRST).
const (
	TLPClear       TLP = "CLEAR"
	TLPGreen       TLP = "GREEN"
	TLPAmber       TLP = "AMBER"
	TLPAmberStrict TLP = "AMBER+STRICT"
	TLPRed         TLP = "RED"
)

// Valid reports whether t is one of the five TLP 2.0 labels.
func (t TLP) Valid() bool {
	switch t {
	case TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed:
		return true
	}
	return false
}

// Advisory is a security advisory shared with the circle. The advisory
// work extends it with structured fields; Content holds the full document.
type Advisory struct {
	// Title is a one-line title.
	Title string `cbor:"1,keyasint"`
	// Summary is a short summary for lists and notifications.
	Summary string `cbor:"2,keyasint,omitempty"`
	// TLP is the sharing label that every node enforces.
	TLP TLP `cbor:"3,keyasint"`
	// Content is the advisory document (e.g. JSON).
	Content []byte `cbor:"4,keyasint,omitempty"`
}

// Kind returns KindGenesis.
func (*Genesis) Kind() Kind { return KindGenesis }

// Kind returns KindVote.
func (*Vote) Kind() Kind { return KindVote }

// Kind returns KindEnact.
func (*Enact) Kind() Kind { return KindEnact }

// Kind returns KindLeave.
func (*Leave) Kind() Kind { return KindLeave }

// Kind returns KindAdvisory.
func (*Advisory) Kind() Kind { return KindAdvisory }

// Kind returns KindAck.
func (*Ack) Kind() Kind { return KindAck }

func (g *Genesis) validate() error {
	if err := g.Charter.validate(); err != nil {
		return err
	}
	if g.Charter.Version != 1 {
		return fmt.Errorf("%w: genesis charter must be version 1", ErrInvalidBody)
	}
	n := len(g.Founders)
	if n > MaxFounders {
		return fmt.Errorf("%w: %d founders, limit %d", ErrTooLarge, n, MaxFounders)
	}
	if need := int(max(g.Charter.Admit, g.Charter.Suspend, g.Charter.Revoke)); n < need {
		return fmt.Errorf("%w: %d founders, the charter's thresholds need %d", ErrInvalidBody, n, need)
	}
	seen := make(map[Key]bool, n)
	for i := range g.Founders {
		if err := g.Founders[i].validate(); err != nil {
			return err
		}
		if seen[g.Founders[i].Key] {
			return fmt.Errorf("%w: founder %s listed twice", ErrInvalidBody, g.Founders[i].Key.Short())
		}
		seen[g.Founders[i].Key] = true
	}
	if len(g.Sigs) > n {
		return fmt.Errorf("%w: %d signatures for %d founders", ErrInvalidBody, len(g.Sigs), n)
	}
	return nil
}

// withoutSigs returns the encoding of the genesis without Sigs: the body
// that a genesis op's signing bytes carry.
func (g *Genesis) withoutSigs() []byte {
	c := *g
	c.Sigs = nil
	return mustMarshal(&c)
}

// genesisSigningBytes returns the signing bytes of the genesis op that
// carries g at ts: the op without Sig, authored by founder #1, with seq 1,
// no group, epoch, prev or preds, and the body without Sigs. Founder #1's
// op signature and every founder's signature cover them.
func genesisSigningBytes(g *Genesis, ts int64) []byte {
	o := Op{Seq: 1, Kind: KindGenesis, Body: g.withoutSigs(), TS: ts}
	if len(g.Founders) > 0 {
		o.Author = g.Founders[0].Key
	}
	return mustMarshal(&o)
}

// SignGenesis adds founder priv's signature to g for the genesis op that
// will carry g, authored by founder #1 at ts (Unix milliseconds): the
// founder signs that draft op whole but the signatures, so the signature
// holds only for that ts, and founder #1 cannot seal another circle from
// it. Founders may sign in any order; Sigs grows to the founder's position
// as needed.
func SignGenesis(g *Genesis, ts int64, priv ed25519.PrivateKey) error {
	k := KeyOf(priv)
	i := slices.IndexFunc(g.Founders, func(m Member) bool { return m.Key == k })
	if i < 0 {
		return fmt.Errorf("%w: %s is not a founder", ErrInvalidBody, k.Short())
	}
	for len(g.Sigs) < len(g.Founders) {
		g.Sigs = append(g.Sigs, nil)
	}
	g.Sigs[i] = sign(priv, DomainGenesis, genesisSigningBytes(g, ts))
	return nil
}

// verify checks that author is founder #1 and that every founder signed
// msg, the signing bytes of the genesis op.
func (g *Genesis) verify(author Key, msg []byte) error {
	if g.Founders[0].Key != author {
		return fmt.Errorf("%w: genesis authored by %s, not founder #1", ErrInvalidBody, author.Short())
	}
	if len(g.Sigs) != len(g.Founders) {
		return fmt.Errorf("%w: genesis has %d of %d founder signatures", ErrBadSignature, len(g.Sigs), len(g.Founders))
	}
	for i, f := range g.Founders {
		if !f.Key.verify(DomainGenesis, msg, g.Sigs[i]) {
			return fmt.Errorf("%w: founder %s did not sign the genesis", ErrBadSignature, f.Key.Short())
		}
	}
	return nil
}

// MissingSignatures returns the founders who have not signed g yet for
// the genesis op at ts (a signature made for another ts is missing too).
func (g *Genesis) MissingSignatures(ts int64) []Key {
	var out []Key
	msg := genesisSigningBytes(g, ts)
	for i, f := range g.Founders {
		if i >= len(g.Sigs) || !f.Key.verify(DomainGenesis, msg, g.Sigs[i]) {
			out = append(out, f.Key)
		}
	}
	return out
}

func (v *Vote) validate() error {
	if err := v.Motion.validate(); err != nil {
		return err
	}
	if v.Motion.Kind == MotionAdmit && v.Evidence.IsZero() {
		return fmt.Errorf("%w: an endorsement must carry an evidence hash", ErrInvalidBody)
	}
	return nil
}

func (e *Enact) validate() error {
	if err := e.Motion.validate(); err != nil {
		return err
	}
	return checkSortedSet("votes", e.Votes, MaxVotes)
}

func (l *Leave) validate() error { return checkTexts(MaxLongText, l.Reason) }

func (*Ack) validate() error { return nil }

func (a *Advisory) validate() error {
	if a.Title == "" {
		return fmt.Errorf("%w: advisory without title", ErrInvalidBody)
	}
	if !a.TLP.Valid() {
		return fmt.Errorf("%w: TLP label %q", ErrInvalidBody, a.TLP)
	}
	if err := checkTexts(MaxShortText, a.Title); err != nil {
		return err
	}
	if err := checkTexts(MaxLongText, a.Summary); err != nil {
		return err
	}
	if len(a.Content) > MaxContent {
		return fmt.Errorf("%w: content of %d bytes, limit %d", ErrTooLarge, len(a.Content), MaxContent)
	}
	return nil
}

// decodeBody decodes and validates the body of an op of kind k.
func decodeBody(k Kind, b []byte) (Body, error) {
	var body Body
	switch k {
	case KindGenesis:
		body = new(Genesis)
	case KindVote:
		body = new(Vote)
	case KindEnact:
		body = new(Enact)
	case KindLeave:
		body = new(Leave)
	case KindAdvisory:
		body = new(Advisory)
	case KindAck:
		body = new(Ack)
	default:
		return nil, fmt.Errorf("%w: op kind %d", ErrUnknownKind, k)
	}
	if err := unmarshalStrict(b, body); err != nil {
		return nil, fmt.Errorf("%s body: %w", k, err)
	}
	return body, nil
}
