package protocol

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// rejectCase is an encoding that a receiver must reject with the named
// error. If verify is set, Decode accepts the bytes and Verify and Open
// reject them; otherwise Decode itself rejects them, and so does Open.
type rejectCase struct {
	name   string
	raw    []byte
	want   error
	verify bool
}

func runRejects(t *testing.T, group Hash, cases []rejectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Decode(tc.raw)
			switch {
			case tc.verify && err != nil:
				t.Fatalf("Decode = %v, want success (and %v from Verify)", err, tc.want)
			case !tc.verify && !errors.Is(err, tc.want):
				t.Fatalf("Decode = %v, want %v", err, tc.want)
			case !tc.verify && o != nil:
				t.Fatalf("Decode returned an op with error %v", err)
			}
			if tc.verify {
				if err := o.Verify(); !errors.Is(err, tc.want) {
					t.Fatalf("Verify = %v, want %v", err, tc.want)
				}
			}
			g := group
			if tc.verify && o.IsGenesis() {
				g = o.Hash() // a genesis is opened as the circle it founds
			}
			if _, err := Open(tc.raw, g); !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
		})
	}
}

// hashes returns n distinct hashes in ascending order.
func hashes(n int) []Hash {
	hs := make([]Hash, n)
	for i := range hs {
		hs[i] = sum("", fmt.Appendf(nil, "pred %d", i))
	}
	return SortPreds(hs)
}

// signApplicationRaw signs a without validating it, as a buggy or hostile
// candidate could.
func signApplicationRaw(a *Application, priv ed25519.PrivateKey) *Application {
	a.Sig = nil
	a.Sig = sign(priv, DomainApplication, mustMarshal(a))
	return a
}

// forgeGenesis signs the genesis body g (as given, without checks) as an
// op by priv.
func forgeGenesis(g *Genesis, priv ed25519.PrivateKey) []byte {
	return forgeBody(Op{Seq: 1, Kind: KindGenesis, TS: testTS}, g, priv)
}

func TestRejectStructure(t *testing.T) {
	c := newCircle(t)
	runRejects(t, c.group, structureRejects(t, c))

	// The boundary itself is fine.
	o := *c.first(KindAdvisory)
	o.Preds = hashes(MaxPreds)
	if _, err := Open(forgeBody(o, advisory(0), c.bravo), c.group); err != nil {
		t.Fatalf("an op with MaxPreds preds: %v", err)
	}
}

// structureRejects are ops that break a structural rule of the envelope.
func structureRejects(t testing.TB, c *circle) []rejectCase {
	t.Helper()
	adv := advisory(0)
	mod := func(f func(o *Op)) Op {
		o := *c.first(KindAdvisory)
		f(&o)
		return o
	}
	g := c.group
	x := sum("", []byte("x"))
	lo, hi := hashes(2)[0], hashes(2)[1]
	gbody := c.genesis.Content().(*Genesis)
	genesis := func(f func(o *Op)) Op {
		o := Op{Seq: 1, Kind: KindGenesis, TS: testTS}
		f(&o)
		return o
	}
	return []rejectCase{
		{"seq 0", forgeBody(mod(func(o *Op) { o.Seq = 0 }), adv, c.bravo), ErrSeqPrev, false},
		{"seq 1 with prev", forgeBody(mod(func(o *Op) { o.Prev = &g }), adv, c.bravo), ErrSeqPrev, false},
		{"seq 2 without prev", forgeBody(mod(func(o *Op) { o.Seq = 2 }), adv, c.bravo), ErrSeqPrev, false},
		{"preds unsorted", forgeBody(mod(func(o *Op) { o.Preds = []Hash{hi, lo} }), adv, c.bravo), ErrPreds, false},
		{"preds duplicated", forgeBody(mod(func(o *Op) { o.Preds = []Hash{g, g} }), adv, c.bravo), ErrPreds, false},
		{"preds without prev", forgeBody(mod(func(o *Op) { o.Seq, o.Prev = 2, &x }), adv, c.bravo), ErrPreds, false},
		{"preds empty", forgeBody(mod(func(o *Op) { o.Preds = nil }), adv, c.bravo), ErrPreds, false},
		{"too many preds", forgeBody(mod(func(o *Op) { o.Preds = hashes(MaxPreds + 1) }), adv, c.bravo), ErrTooManyPreds, false},
		{"no group", forgeBody(mod(func(o *Op) { o.Group = Hash{} }), adv, c.bravo), ErrWrongGroup, false},
		{"genesis with group", forgeBody(genesis(func(o *Op) { o.Group = x }), gbody, c.alpha), ErrInvalidBody, false},
		{"genesis with epoch", forgeBody(genesis(func(o *Op) { o.Epoch = x }), gbody, c.alpha), ErrInvalidBody, false},
		{"genesis with preds", forgeBody(genesis(func(o *Op) { o.Preds = []Hash{x} }), gbody, c.alpha), ErrInvalidBody, false},
		{"genesis with seq 2", forgeBody(genesis(func(o *Op) { o.Seq, o.Prev, o.Preds = 2, &x, []Hash{x} }), gbody, c.alpha), ErrInvalidBody, false},
		{"genesis with seq 0", forgeBody(genesis(func(o *Op) { o.Seq = 0 }), gbody, c.alpha), ErrSeqPrev, false},
		{"unknown op kind", forgeBody(mod(func(o *Op) { o.Kind = KindAck + 1 }), adv, c.bravo), ErrUnknownKind, false},
		{"op kind 0", forgeBody(mod(func(o *Op) { o.Kind = 0 }), adv, c.bravo), ErrUnknownKind, false},
		{"op kind 255", forgeBody(mod(func(o *Op) { o.Kind = 255 }), adv, c.bravo), ErrUnknownKind, false},
	}
}

func TestRejectSignature(t *testing.T) {
	c := newCircle(t)
	runRejects(t, c.group, signatureRejects(t, c))

	// An application's signature is checked in enactments too.
	flipped := c.application(t)
	flipped.Sig[0] ^= 0x80
	enact := forgeBody(*c.first(KindEnact), &Enact{Motion: Motion{Kind: MotionAdmit, Application: flipped}, Votes: hashes(3)}, c.candidate)
	if _, err := Decode(enact); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("enactment with a forged application: %v, want ErrBadSignature", err)
	}
	if err := flipped.Verify(); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Application.Verify = %v, want ErrBadSignature", err)
	}
}

// signatureRejects are ops with a signature that does not verify.
func signatureRejects(t testing.TB, c *circle) []rejectCase {
	t.Helper()
	ops := validOps(t, c)
	adv := ops["advisory"]
	raw := adv.Bytes()

	flipSig := slices.Clone(adv.Sig)
	flipSig[7] ^= 0x01
	body := slices.Clone(adv.Body)
	i := bytes.Index(body, []byte("xz-utils"))
	body[i] = 'X' // still valid UTF-8, still a valid advisory
	otherKey := KeyOf(c.alpha)

	// Genesis with founder signatures missing, misplaced or forged.
	missing := genesisBody(c.alpha, c.bravo, c.charlie)
	cosign(t, missing, c.alpha, c.bravo)
	short := genesisBody(c.alpha, c.bravo, c.charlie)
	cosign(t, short, c.alpha, c.bravo)
	short.Sigs = short.Sigs[:2]
	swapped := genesisBody(c.alpha, c.bravo, c.charlie)
	cosign(t, swapped, c.alpha, c.bravo, c.charlie)
	swapped.Sigs[1], swapped.Sigs[2] = swapped.Sigs[2], swapped.Sigs[1]
	opDomain := genesisBody(c.alpha, c.bravo, c.charlie)
	cosign(t, opDomain, c.alpha, c.bravo, c.charlie)
	opDomain.Sigs[2] = sign(c.charlie, DomainOp, genesisSigningBytes(opDomain, testTS))

	// Applications with a bad signature inside an endorsement.
	vote := func(a *Application) []byte {
		return forgeBody(*c.first(KindVote), &Vote{Motion: Motion{Kind: MotionAdmit, Application: a}, Evidence: evidence}, c.alpha)
	}
	flipped := c.application(t)
	flipped.Sig[0] ^= 0x80
	altered := c.application(t)
	altered.Member.Profile.Name = "Someone Else"
	impostor := c.application(t)
	signApplicationRaw(impostor, c.bravo) // signed by a key that is not the candidate's
	unsigned := c.application(t)
	unsigned.Sig = nil
	wrongDomain := c.application(t)
	wrongDomain.Sig = nil
	wrongDomain.Sig = sign(c.candidate, DomainOp, mustMarshal(wrongDomain))

	return []rejectCase{
		{"flipped sig byte", setField(t, raw, 10, cborBytes(flipSig)), ErrBadSignature, true},
		{"flipped body byte", setField(t, raw, 8, cborBytes(body)), ErrBadSignature, true},
		{"changed ts", setField(t, raw, 9, cborUint(uint64(adv.TS+1))), ErrBadSignature, true},
		{"another author", setField(t, raw, 2, cborBytes(otherKey[:])), ErrBadSignature, true},
		{"sig of another domain", forgeBodyDomain(*c.first(KindAdvisory), advisory(0), c.bravo, DomainGenesis), ErrBadSignature, true},
		{"short sig", setField(t, raw, 10, cborBytes(adv.Sig[:63])), ErrBadSignature, false},
		{"no sig", editMap(t, raw, func(es []cborEntry) []cborEntry { return es[:len(es)-1] }), ErrBadSignature, false},
		{"genesis missing a founder signature", forgeGenesis(missing, c.alpha), ErrBadSignature, true},
		{"genesis with fewer sigs than founders", forgeGenesis(short, c.alpha), ErrBadSignature, true},
		{"genesis sigs swapped", forgeGenesis(swapped, c.alpha), ErrBadSignature, true},
		{"genesis sig under the op domain", forgeGenesis(opDomain, c.alpha), ErrBadSignature, true},
		{"genesis authored by founder #2", forgeGenesis(c.genesis.Content().(*Genesis), c.bravo), ErrInvalidBody, true},
		{"genesis authored by a non-founder", forgeGenesis(c.genesis.Content().(*Genesis), c.candidate), ErrInvalidBody, true},
		{"application sig flipped", vote(flipped), ErrBadSignature, false},
		{"application altered after signing", vote(altered), ErrBadSignature, false},
		{"application signed by another key", vote(impostor), ErrBadSignature, false},
		{"application unsigned", vote(unsigned), ErrBadSignature, false},
		{"application sig of another domain", vote(wrongDomain), ErrBadSignature, false},
		// Attack 6: the identity key, with the signature that verifies
		// under it for every message.
		{"author is the identity key", weakOp(c, KindAdvisory, advisory(0)), ErrWeakKey, true},
		{"applicant is the identity key", vote(weakApplication(c)), ErrWeakKey, false},
	}
}

// forgeBodyDomain is forgeBody with the op signature made under domain.
func forgeBodyDomain(o Op, body any, priv ed25519.PrivateKey, domain string) []byte {
	o.Author = KeyOf(priv)
	o.Body = mustMarshal(body)
	if b, err := decodeBody(o.Kind, o.Body); err == nil {
		o.body = b // a genesis signs its body without the founders' signatures
	}
	o.Sig = sign(priv, domain, o.signingBytes())
	return mustMarshal(&o)
}

func TestRejectBody(t *testing.T) {
	c := newCircle(t)
	runRejects(t, c.group, bodyRejects(t, c))
}

// bodyRejects are ops whose body breaks a rule of its kind.
func bodyRejects(t testing.TB, c *circle) []rejectCase {
	t.Helper()
	ms := c.motions(t)
	target := KeyOf(c.charlie)
	app := c.application(t)
	charter := testCharter()
	lifts := ms["unsuspend"].Lifts

	vote := func(m Motion) []byte {
		return forgeBody(*c.first(KindVote), &Vote{Motion: m, Evidence: evidence}, c.alpha)
	}
	enact := func(m Motion) []byte {
		return forgeBody(*c.first(KindEnact), &Enact{Motion: m, Votes: hashes(3)}, c.bravo)
	}
	adv := func(a *Advisory) []byte { return forgeBody(*c.first(KindAdvisory), a, c.bravo) }
	charterMotion := func(f func(ch *Charter)) []byte {
		ch := testCharter()
		ch.Version = 2
		f(&ch)
		return vote(Motion{Kind: MotionCharter, Charter: &ch})
	}
	genesis := func(f func(g *Genesis)) []byte {
		g := genesisBody(c.alpha, c.bravo, c.charlie)
		f(g)
		return forgeGenesis(g, c.alpha)
	}

	wrongFields := map[string]Motion{
		"admit with a target":        {Kind: MotionAdmit, Application: app, Target: &target},
		"admit without application":  {Kind: MotionAdmit},
		"admit with a case":          {Kind: MotionAdmit, Application: app, Case: []byte("c")},
		"suspend without target":     {Kind: MotionSuspend, Case: []byte("c")},
		"suspend without case":       {Kind: MotionSuspend, Target: &target},
		"suspend with lifts":         {Kind: MotionSuspend, Target: &target, Lifts: lifts},
		"suspend with a charter":     {Kind: MotionSuspend, Target: &target, Charter: &charter},
		"unsuspend without lifts":    {Kind: MotionUnsuspend, Target: &target},
		"unsuspend with a case":      {Kind: MotionUnsuspend, Target: &target, Lifts: lifts, Case: []byte("c")},
		"revoke with an application": {Kind: MotionRevoke, Target: &target, Application: app},
		"revoke with a case":         {Kind: MotionRevoke, Target: &target, Case: []byte("c")},
		"revoke without target":      {Kind: MotionRevoke},
		"charter without charter":    {Kind: MotionCharter},
		"charter with a target":      {Kind: MotionCharter, Charter: &charter, Target: &target},
	}
	var cases []rejectCase
	for _, name := range slices.Sorted(maps.Keys(wrongFields)) {
		cases = append(cases,
			rejectCase{"vote: " + name, vote(wrongFields[name]), ErrInvalidBody, false},
			rejectCase{"enact: " + name, enact(wrongFields[name]), ErrInvalidBody, false})
	}
	noKey := c.application(t)
	noKey.Member.Key = Key{}
	noGroup := signApplicationRaw(&Application{Member: testMember(c.candidate, "Candidate")}, c.candidate)
	noName := signApplicationRaw(&Application{Group: c.group, Member: testMember(c.candidate, "")}, c.candidate)
	zero := Key{}
	weak := mustKey(t, smallOrderKeys[5])
	nonCanonical := mustKey(t, "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	offCurve := mustKey(t, "0200000000000000000000000000000000000000000000000000000000000000")
	twin := sum("", []byte("twin"))
	cases = append(cases, []rejectCase{
		{"target of small order", vote(Motion{Kind: MotionSuspend, Target: &weak, Case: []byte("c")}), ErrWeakKey, false},
		{"target non-canonical", vote(Motion{Kind: MotionRevoke, Target: &nonCanonical}), ErrWeakKey, false},
		{"target off the curve", enact(Motion{Kind: MotionDisavow, Target: &offCurve, From: 1}), ErrWeakKey, false},
		{"genesis founder of small order", genesis(func(g *Genesis) { g.Founders[1].Key = weak }), ErrWeakKey, false},
		{"genesis founder non-canonical", genesis(func(g *Genesis) { g.Founders[2].Key = nonCanonical }), ErrWeakKey, false},
		{"disavow without target", vote(Motion{Kind: MotionDisavow, From: 1}), ErrInvalidBody, false},
		{"disavow without from", vote(Motion{Kind: MotionDisavow, Target: &target}), ErrInvalidBody, false},
		{"disavow with a case", vote(Motion{Kind: MotionDisavow, Target: &target, From: 1, Case: []byte("c")}), ErrInvalidBody, false},
		{"disavow with lifts", enact(Motion{Kind: MotionDisavow, Target: &target, From: 1, Lifts: lifts}), ErrInvalidBody, false},
		{"from on a revoke", vote(Motion{Kind: MotionRevoke, Target: &target, From: 1}), ErrInvalidBody, false},
		{"keep on a suspend", vote(Motion{Kind: MotionSuspend, Target: &target, Case: []byte("c"), Keep: &twin}), ErrInvalidBody, false},
		{"keep on a disavow", vote(Motion{Kind: MotionDisavow, Target: &target, From: 1, Keep: &twin}), ErrInvalidBody, false},
		{"unsuspend keeping the zero hash", vote(Motion{Kind: MotionUnsuspend, Target: &target, Keep: &Hash{}}), ErrInvalidBody, false},
		{"unsuspend with keep, without target", vote(Motion{Kind: MotionUnsuspend, Keep: &twin}), ErrInvalidBody, false},
		{"charter ack interval under an hour", charterMotion(func(ch *Charter) { ch.AckInterval = MinAckInterval - 1 }), ErrInvalidBody, false},
		{"charter ack interval of 1 s", charterMotion(func(ch *Charter) { ch.AckInterval = 1 }), ErrInvalidBody, false},
		{"charter ack interval over 31 days", charterMotion(func(ch *Charter) { ch.AckInterval = MaxAckInterval + 1 }), ErrInvalidBody, false},
		{"genesis charter ack interval over 31 days", genesis(func(g *Genesis) { g.Charter.AckInterval = 1 << 31 }), ErrInvalidBody, false},
		{"endorsement without evidence", forgeBody(*c.first(KindVote), &Vote{Motion: ms["admit"]}, c.alpha), ErrInvalidBody, false},
		{"unknown motion kind", vote(Motion{Kind: MotionDisavow + 1, Target: &target}), ErrUnknownKind, false},
		{"motion kind 0", vote(Motion{Kind: 0, Target: &target}), ErrUnknownKind, false},
		{"zero target", vote(Motion{Kind: MotionRevoke, Target: &zero}), ErrInvalidBody, false},
		{"lifts unsorted", vote(Motion{Kind: MotionUnsuspend, Target: &target, Lifts: []Hash{hashes(2)[1], hashes(2)[0]}}), ErrInvalidBody, false},
		{"lifts duplicated", vote(Motion{Kind: MotionUnsuspend, Target: &target, Lifts: []Hash{lifts[0], lifts[0]}}), ErrInvalidBody, false},
		{"application without group", vote(Motion{Kind: MotionAdmit, Application: noGroup}), ErrInvalidBody, false},
		{"application without key", vote(Motion{Kind: MotionAdmit, Application: noKey}), ErrInvalidBody, false},
		{"applicant without name", vote(Motion{Kind: MotionAdmit, Application: noName}), ErrInvalidBody, false},
		{"enact without votes", forgeBody(*c.first(KindEnact), &Enact{Motion: ms["revoke"]}, c.bravo), ErrInvalidBody, false},
		{"enact votes unsorted", forgeBody(*c.first(KindEnact), &Enact{Motion: ms["revoke"], Votes: []Hash{hashes(2)[1], hashes(2)[0]}}, c.bravo), ErrInvalidBody, false},
		{"enact votes duplicated", forgeBody(*c.first(KindEnact), &Enact{Motion: ms["revoke"], Votes: []Hash{lifts[0], lifts[0]}}, c.bravo), ErrInvalidBody, false},
		{"TLP lower case", adv(&Advisory{Title: "t", TLP: "amber"}), ErrInvalidBody, false},
		{"TLP WHITE (TLP 1.0)", adv(&Advisory{Title: "t", TLP: "WHITE"}), ErrInvalidBody, false},
		{"TLP AMBER-STRICT", adv(&Advisory{Title: "t", TLP: "AMBER-STRICT"}), ErrInvalidBody, false},
		{"TLP with TLP: prefix", adv(&Advisory{Title: "t", TLP: "TLP:RED"}), ErrInvalidBody, false},
		{"TLP empty", adv(&Advisory{Title: "t"}), ErrInvalidBody, false},
		{"advisory without title", adv(&Advisory{TLP: TLPGreen}), ErrInvalidBody, false},
		{"charter without name", charterMotion(func(ch *Charter) { ch.Name = "" }), ErrInvalidBody, false},
		{"charter version 0", charterMotion(func(ch *Charter) { ch.Version = 0 }), ErrInvalidBody, false},
		{"charter admit 0", charterMotion(func(ch *Charter) { ch.Admit = 0 }), ErrInvalidBody, false},
		{"charter suspend 0", charterMotion(func(ch *Charter) { ch.Suspend = 0 }), ErrInvalidBody, false},
		{"charter revoke 0", charterMotion(func(ch *Charter) { ch.Revoke = 0 }), ErrInvalidBody, false},
		{"charter change above MaxVotes", charterMotion(func(ch *Charter) { ch.Change = MaxVotes + 1 }), ErrInvalidBody, false},
		{"requirement without ID", charterMotion(func(ch *Charter) { ch.Requirements[0].ID = "" }), ErrInvalidBody, false},
		{"genesis charter version 2", genesis(func(g *Genesis) { g.Charter.Version = 2 }), ErrInvalidBody, false},
		{"genesis with fewer founders than k", genesis(func(g *Genesis) { g.Founders = g.Founders[:2] }), ErrInvalidBody, false},
		{"genesis founder listed twice", genesis(func(g *Genesis) { g.Founders[2] = g.Founders[1] }), ErrInvalidBody, false},
		{"genesis founder without key", genesis(func(g *Genesis) { g.Founders[1].Key = Key{} }), ErrInvalidBody, false},
		{"genesis founder without name", genesis(func(g *Genesis) { g.Founders[1].Profile.Name = "" }), ErrInvalidBody, false},
		{"genesis with more sigs than founders", genesis(func(g *Genesis) { g.Sigs = make([][]byte, 4) }), ErrInvalidBody, false},
		{"genesis charter invalid", genesis(func(g *Genesis) { g.Charter.Name = "" }), ErrInvalidBody, false},
		{"genesis without founders", genesis(func(g *Genesis) { g.Founders = nil }), ErrInvalidBody, false},
	}...)
	return cases
}

func TestRejectTooLarge(t *testing.T) {
	c := newCircle(t)
	runRejects(t, c.group, tooLargeRejects(t, c))
}

// tooLargeRejects are ops with a field, or the whole op, over its limit.
func tooLargeRejects(t testing.TB, c *circle) []rejectCase {
	t.Helper()
	long := func(n int) string { return strings.Repeat("a", n) }
	list := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprint(i)
		}
		return s
	}
	vote := func(m Motion) []byte {
		return forgeBody(*c.first(KindVote), &Vote{Motion: m, Evidence: evidence}, c.alpha)
	}
	adv := func(a *Advisory) []byte { return forgeBody(*c.first(KindAdvisory), a, c.bravo) }
	charterMotion := func(f func(ch *Charter)) []byte {
		ch := testCharter()
		ch.Version = 2
		f(&ch)
		return vote(Motion{Kind: MotionCharter, Charter: &ch})
	}
	profile := func(f func(p *Profile)) []byte {
		g := genesisBody(c.alpha, c.bravo, c.charlie)
		f(&g.Founders[1].Profile)
		return forgeGenesis(g, c.alpha)
	}
	target := KeyOf(c.charlie)
	bigNonce := c.application(t)
	bigNonce.Nonce = make([]byte, MaxNonce+1)
	signApplicationRaw(bigNonce, c.candidate)
	manyFounders := genesisBody()
	for i := range MaxFounders + 1 {
		manyFounders.Founders = append(manyFounders.Founders, testMember(testKey(fmt.Sprint("founder", i)), "F"))
	}
	claims := make([]Claim, MaxListItems+1)
	for i := range claims {
		claims[i] = Claim{Requirement: "r", Statement: "s"}
	}
	reqs := make([]Requirement, MaxListItems+1)
	for i := range reqs {
		reqs[i] = Requirement{ID: fmt.Sprint(i), Text: "t"}
	}

	// An op over MaxOpSize that is otherwise a valid op.
	hugeOp := Op{Group: c.group, Seq: 1, Preds: []Hash{c.group}, Epoch: c.group, Kind: KindAdvisory, TS: testTS}
	huge := forgeBody(hugeOp, &Advisory{Title: "t", TLP: TLPRed, Content: make([]byte, MaxOpSize)}, c.bravo)
	// A prefix of a valid op, padded past the limit: still ErrTooLarge,
	// not ErrMalformed, since the size is checked before decoding.
	garbage := append(slices.Clone(c.genesis.Bytes()), make([]byte, MaxOpSize)...)

	// CBOR structure beyond the decoder's bounds.
	deep := cborText("x")
	for range maxNesting + 1 {
		deep = append(cborArray(1), deep...)
	}
	advBody := mustMarshal(advisory(0))
	var wide []cborEntry
	for k := range 65 {
		wide = append(wide, cborEntry{cborUint(uint64(k + 1)), cborUint(0)})
	}

	return []rejectCase{
		{"op over MaxOpSize", huge, ErrTooLarge, false},
		{"MaxOpSize+1 bytes of garbage", make([]byte, MaxOpSize+1), ErrTooLarge, false},
		{"valid op padded past MaxOpSize", garbage, ErrTooLarge, false},
		{"title", adv(&Advisory{Title: long(MaxShortText + 1), TLP: TLPClear}), ErrTooLarge, false},
		{"summary", adv(&Advisory{Title: "t", Summary: long(MaxLongText + 1), TLP: TLPClear}), ErrTooLarge, false},
		{"content", adv(&Advisory{Title: "t", TLP: TLPClear, Content: make([]byte, MaxContent+1)}), ErrTooLarge, false},
		{"leave reason", forgeBody(*c.first(KindLeave), &Leave{Reason: long(MaxLongText + 1)}, c.bravo), ErrTooLarge, false},
		{"charter name", charterMotion(func(ch *Charter) { ch.Name = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"charter cadence", charterMotion(func(ch *Charter) { ch.Cadence = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"charter TLP policy", charterMotion(func(ch *Charter) { ch.TLPPolicy = long(MaxLongText + 1) }), ErrTooLarge, false},
		{"charter topic", charterMotion(func(ch *Charter) { ch.Topics = []string{long(MaxShortText + 1)} }), ErrTooLarge, false},
		{"charter topics", charterMotion(func(ch *Charter) { ch.Topics = list(MaxListItems + 1) }), ErrTooLarge, false},
		{"requirement ID", charterMotion(func(ch *Charter) { ch.Requirements[0].ID = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"requirement text", charterMotion(func(ch *Charter) { ch.Requirements[0].Text = long(MaxLongText + 1) }), ErrTooLarge, false},
		{"requirements", charterMotion(func(ch *Charter) { ch.Requirements = reqs }), ErrTooLarge, false},
		{"profile name", profile(func(p *Profile) { p.Name = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"profile sector", profile(func(p *Profile) { p.Sector = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"profile contact", profile(func(p *Profile) { p.Contact = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"profile role", profile(func(p *Profile) { p.Role = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"expertise tag", profile(func(p *Profile) { p.Expertise = []string{long(MaxShortText + 1)} }), ErrTooLarge, false},
		{"expertise tags", profile(func(p *Profile) { p.Expertise = list(MaxListItems + 1) }), ErrTooLarge, false},
		{"claim requirement", profile(func(p *Profile) { p.Claims[0].Requirement = long(MaxShortText + 1) }), ErrTooLarge, false},
		{"claim statement", profile(func(p *Profile) { p.Claims[0].Statement = long(MaxLongText + 1) }), ErrTooLarge, false},
		{"claims", profile(func(p *Profile) { p.Claims = claims }), ErrTooLarge, false},
		{"founders", forgeGenesis(manyFounders, c.alpha), ErrTooLarge, false},
		{"application nonce", vote(Motion{Kind: MotionAdmit, Application: bigNonce}), ErrTooLarge, false},
		{"suspension case", vote(Motion{Kind: MotionSuspend, Target: &target, Case: make([]byte, MaxNonce+1)}), ErrTooLarge, false},
		{"lifts", vote(Motion{Kind: MotionUnsuspend, Target: &target, Lifts: hashes(MaxListItems + 1)}), ErrTooLarge, false},
		// MaxPreds+1 preds decode and get ErrTooManyPreds (TestRejectStructure);
		// an array longer than any list may be is refused before decoding.
		{"preds far over MaxPreds", forgeBody(Op{Group: c.group, Seq: 1, Preds: hashes(maxArray + 1), Epoch: c.group, Kind: KindAdvisory}, advisory(0), c.bravo), ErrTooLarge, false},
		{"enact votes", forgeBody(*c.first(KindEnact), &Enact{Motion: Motion{Kind: MotionRevoke, Target: &target}, Votes: hashes(MaxVotes + 1)}, c.bravo), ErrTooLarge, false},
		{"nesting", forge(*c.first(KindAdvisory), setField(t, advBody, 1, deep), c.bravo), ErrTooLarge, false},
		{"map pairs", forge(*c.first(KindAdvisory), joinMap(wide), c.bravo), ErrTooLarge, false},
	}
}

// TestLimitsInclusive checks that every limit is inclusive: a field exactly
// at its limit is accepted.
func TestLimitsInclusive(t *testing.T) {
	c := newCircle(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	target := KeyOf(c.charlie)
	ch := testCharter()
	ch.Version = 2
	ch.Name, ch.Cadence, ch.TLPPolicy = long(MaxShortText), long(MaxShortText), long(MaxLongText)
	ch.Requirements = []Requirement{{ID: long(MaxShortText), Text: long(MaxLongText)}}
	ch.Change = MaxVotes
	g := genesisBody(c.alpha, c.bravo, c.charlie)
	p := &g.Founders[1].Profile
	p.Name, p.Sector, p.Contact, p.Role = long(MaxShortText), long(MaxShortText), long(MaxShortText), long(MaxShortText)
	p.Claims = []Claim{{Requirement: long(MaxShortText), Statement: long(MaxLongText)}}
	p.Expertise = make([]string, MaxListItems)
	for i := range p.Expertise {
		p.Expertise[i] = fmt.Sprint(i)
	}
	cosign(t, g, c.alpha, c.bravo, c.charlie)
	bodies := map[string]struct {
		o    *Op
		body Body
	}{
		"title and summary": {c.first(KindAdvisory), &Advisory{Title: long(MaxShortText), Summary: long(MaxLongText), TLP: TLPClear}},
		"content":           {c.first(KindAdvisory), &Advisory{Title: "t", TLP: TLPClear, Content: make([]byte, MaxContent)}},
		"leave reason":      {c.first(KindLeave), &Leave{Reason: long(MaxLongText)}},
		"charter":           {c.first(KindVote), &Vote{Motion: Motion{Kind: MotionCharter, Charter: &ch}}},
		"case":              {c.first(KindVote), &Vote{Motion: Motion{Kind: MotionSuspend, Target: &target, Case: make([]byte, MaxNonce)}}},
		"lifts":             {c.first(KindVote), &Vote{Motion: Motion{Kind: MotionUnsuspend, Target: &target, Lifts: hashes(MaxListItems)}}},
		"votes":             {c.first(KindEnact), &Enact{Motion: Motion{Kind: MotionRevoke, Target: &target}, Votes: hashes(MaxVotes)}},
		"profile":           {&Op{Seq: 1, Kind: KindGenesis, TS: testTS}, g},
	}
	for name, b := range bodies {
		t.Run(name, func(t *testing.T) {
			priv := c.bravo
			if b.o.Kind == KindGenesis {
				priv = c.alpha
			}
			o := mustSign(t, b.o, b.body, priv)
			group := c.group
			if o.IsGenesis() {
				group = o.Hash()
			}
			if _, err := Open(o.Bytes(), group); err != nil {
				t.Fatalf("Open: %v", err)
			}
		})
	}
}
