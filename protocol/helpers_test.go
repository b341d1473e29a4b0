package protocol

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"
)

// testKey returns a fixed Ed25519 key derived from name, so that every run
// (and the fuzz corpus and the example in docs/protocol.md) sees the same
// keys, signatures and hashes.
func testKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("kring/test/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// testTS is the fixed clock of test ops (2026-01-01T00:00:00Z in Unix ms).
const testTS = 1767225600000

// circle is a small circle for tests: three founders under the default
// charter, its signed genesis, and a candidate who is not a member.
type circle struct {
	alpha, bravo, charlie ed25519.PrivateKey
	candidate             ed25519.PrivateKey
	genesis               *Op
	group                 Hash
}

func testMember(priv ed25519.PrivateKey, name string) Member {
	m := Member{
		Key: KeyOf(priv),
		Profile: Profile{
			Name:      name,
			Sector:    "energy",
			Contact:   "soc@" + strings.ToLower(name) + ".example",
			Role:      "CISO",
			Expertise: []string{"ics", "incident-response"},
			Claims:    []Claim{{Requirement: "vital-clients", Statement: "serves 3 vital clients"}},
		},
	}
	enc := sha256.Sum256([]byte("enc/" + name))
	m.EncKey = enc
	return m
}

func testCharter() Charter {
	c := DefaultCharter("Energy ISAC")
	c.Requirements = []Requirement{{ID: "vital-clients", Text: "serves at least three vital clients"}}
	c.TLPPolicy = "TLP 2.0; RED only to named recipients"
	c.Cadence = "monthly"
	c.Topics = []string{"annual plan", "incident review"}
	return c
}

// genesisBody returns an unsigned genesis founded by privs, in that order.
func genesisBody(privs ...ed25519.PrivateKey) *Genesis {
	g := &Genesis{Charter: testCharter()}
	for i, p := range privs {
		g.Founders = append(g.Founders, testMember(p, "Founder"+string(rune('A'+i))))
	}
	return g
}

// cosign has every founder in privs sign g, for the genesis op at testTS.
func cosign(t testing.TB, g *Genesis, privs ...ed25519.PrivateKey) {
	t.Helper()
	cosignAt(t, g, testTS, privs...)
}

// cosignAt has every founder in privs sign g, for the genesis op at ts.
func cosignAt(t testing.TB, g *Genesis, ts int64, privs ...ed25519.PrivateKey) {
	t.Helper()
	for _, p := range privs {
		if err := SignGenesis(g, ts, p); err != nil {
			t.Fatalf("SignGenesis: %v", err)
		}
	}
}

func newCircle(t testing.TB) *circle {
	t.Helper()
	c := &circle{
		alpha:     testKey("alpha"),
		bravo:     testKey("bravo"),
		charlie:   testKey("charlie"),
		candidate: testKey("candidate"),
	}
	g := genesisBody(c.alpha, c.bravo, c.charlie)
	cosign(t, g, c.charlie, c.alpha, c.bravo)
	c.genesis = mustSign(t, &Op{Seq: 1, Kind: KindGenesis, TS: testTS}, g, c.alpha)
	c.group = c.genesis.Hash()
	return c
}

func mustSign(t testing.TB, o *Op, body Body, priv ed25519.PrivateKey) *Op {
	t.Helper()
	if err := Sign(o, body, priv); err != nil {
		t.Fatalf("Sign %s: %v", o.Kind, err)
	}
	return o
}

// first returns an unsigned op of kind k for the author's first op in c,
// citing the genesis.
func (c *circle) first(k Kind) *Op {
	return &Op{Group: c.group, Seq: 1, Preds: []Hash{c.group}, Epoch: c.group, Kind: k, TS: testTS}
}

// after returns an unsigned op of kind k that follows prev in its author's
// chain and also cites the extra heads.
func (c *circle) after(prev *Op, k Kind, heads ...Hash) *Op {
	p := prev.Hash()
	preds := SortPreds(append([]Hash{p}, heads...))
	return &Op{Group: c.group, Seq: prev.Seq + 1, Prev: &p, Preds: preds, Epoch: c.group, Kind: k, TS: testTS + int64(prev.Seq)}
}

// application returns the candidate's signed application to c.
func (c *circle) application(t testing.TB) *Application {
	t.Helper()
	a := &Application{Group: c.group, Member: testMember(c.candidate, "Candidate"), Nonce: []byte("nonce-1")}
	if err := SignApplication(a, c.candidate); err != nil {
		t.Fatalf("SignApplication: %v", err)
	}
	return a
}

// motions returns one valid motion of every kind, by name.
func (c *circle) motions(t testing.TB) map[string]Motion {
	t.Helper()
	target := KeyOf(c.charlie)
	suspend := Motion{Kind: MotionSuspend, Target: &target, Case: []byte("case-1")}
	next := testCharter()
	next.Version = 2
	next.Admit = 2
	acks := next
	acks.AckInterval = 7 * 24 * 60 * 60
	twin := sum("", []byte("charlie's twin op to keep"))
	return map[string]Motion{
		"admit":          {Kind: MotionAdmit, Application: c.application(t)},
		"suspend":        suspend,
		"unsuspend":      {Kind: MotionUnsuspend, Target: &target, Lifts: []Hash{suspend.Hash()}},
		"unsuspend-keep": {Kind: MotionUnsuspend, Target: &target, Keep: &twin},
		"unsuspend-both": {Kind: MotionUnsuspend, Target: &target, Lifts: []Hash{suspend.Hash()}, Keep: &twin},
		"revoke":         {Kind: MotionRevoke, Target: &target},
		"charter":        {Kind: MotionCharter, Charter: &next},
		"charter-acks":   {Kind: MotionCharter, Charter: &acks},
		"disavow":        {Kind: MotionDisavow, Target: &target, From: 2},
	}
}

// evidence is a fixed vetting-evidence hash.
var evidence = sha256.Sum256([]byte("minutes of the vetting call"))

// advisory returns an advisory whose encoded op is about size bytes.
func advisory(size int) *Advisory {
	a := &Advisory{
		Title:   "xz-utils backdoor (CVE-2024-3094)",
		Summary: "Malicious code in xz 5.6.0 and 5.6.1 compromises sshd on some distributions.",
		TLP:     TLPAmber,
	}
	if pad := size - 450; pad > 0 {
		a.Content = []byte(`{"cve":"CVE-2024-3094","note":"` + strings.Repeat("x", pad) + `"}`)
	}
	return a
}

// forge encodes o with the given raw body and signs it with priv, without
// any of the checks of Sign: it builds ops that Decode must reject.
func forge(o Op, body []byte, priv ed25519.PrivateKey) []byte {
	o.Author = KeyOf(priv)
	o.Body = body
	if b, err := decodeBody(o.Kind, o.Body); err == nil {
		o.body = b // a genesis signs its body without the founders' signatures
	}
	o.Sig = sign(priv, DomainOp, o.signingBytes())
	return mustMarshal(&o)
}

// forgeBody is forge with a body value encoded canonically.
func forgeBody(o Op, body any, priv ed25519.PrivateKey) []byte {
	return forge(o, mustMarshal(body), priv)
}
