package protocol

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"filippo.io/edwards25519"
)

// smallOrderKeys are the canonical encodings of the eight points of small
// order of the Ed25519 curve (the subgroup of order 8: the identity, one
// point of order 2, two of order 4, four of order 8).
var smallOrderKeys = []string{
	"0100000000000000000000000000000000000000000000000000000000000000", // identity (order 1)
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = -1 (order 2)
	"0000000000000000000000000000000000000000000000000000000000000000", // y = 0 (order 4)
	"0000000000000000000000000000000000000000000000000000000000000080", // y = 0, x negative (order 4)
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
}

func mustKey(t testing.TB, s string) Key {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad test key %q", s)
	}
	return Key(b)
}

// identityKey is the encoding of the identity point, and weakSig the
// signature (R = identity, S = 0) that verifies under it for every message
// in crypto/ed25519: [S]B = R + [h]A holds for any h when A and R are the
// identity and S is 0.
var (
	identityKey = Key{0: 1}
	weakSig     = append([]byte{1}, make([]byte, 63)...)
)

// The list above is the whole small-order subgroup: the multiples of its
// point of order 8, checked with the curve arithmetic directly.
func TestSmallOrderKeysAreTheSubgroup(t *testing.T) {
	k4 := mustKey(t, smallOrderKeys[4])
	gen, err := new(edwards25519.Point).SetBytes(k4[:])
	if err != nil {
		t.Fatal(err)
	}
	listed := map[Key]bool{}
	for _, s := range smallOrderKeys {
		listed[mustKey(t, s)] = true
	}
	p := edwards25519.NewIdentityPoint()
	seen := map[Key]bool{}
	for i := range 8 {
		k := Key(p.Bytes())
		if !listed[k] {
			t.Errorf("[%d]P = %x is not listed", i, k)
		}
		seen[k] = true
		p.Add(p, gen)
	}
	if len(seen) != 8 || len(listed) != 8 {
		t.Fatalf("%d distinct multiples, %d listed keys; want 8 and 8", len(seen), len(listed))
	}
	if p.Equal(edwards25519.NewIdentityPoint()) != 1 {
		t.Fatal("[8]P is not the identity")
	}
}

func TestCheckKey(t *testing.T) {
	for _, s := range smallOrderKeys {
		if err := CheckKey(mustKey(t, s)); !errors.Is(err, ErrWeakKey) {
			t.Errorf("CheckKey(%s) = %v, want ErrWeakKey", s, err)
		}
	}
	refused := map[string]string{
		// y = p + 3: a point of large order whose canonical encoding is
		// 03 00 .. 00; crypto/ed25519 and SetBytes accept this one too.
		"y = p + 3 (non-canonical)": "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		// y = p + 1: the identity, written non-canonically.
		"y = p + 1 (non-canonical identity)": "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		// x = 0 with the sign bit set: the identity again.
		"identity with the sign bit set": "0100000000000000000000000000000000000000000000000000000000000080",
		// y = 2: (y²−1)/(dy²+1) has no square root.
		"not on the curve (y = 2)": "0200000000000000000000000000000000000000000000000000000000000000",
		"all ones":                 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	}
	for name, s := range refused {
		if err := CheckKey(mustKey(t, s)); !errors.Is(err, ErrWeakKey) {
			t.Errorf("%s: CheckKey = %v, want ErrWeakKey", name, err)
		}
	}
	// The canonical encoding of the y = p + 3 point is accepted: it was
	// refused for its encoding alone.
	canonical := mustKey(t, "0300000000000000000000000000000000000000000000000000000000000000")
	if err := CheckKey(canonical); err != nil {
		t.Errorf("CheckKey of the canonical y = 3 = %v, want nil", err)
	}
	for range 64 {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckKey(Key(pub)); err != nil {
			t.Fatalf("CheckKey of a generated key %x = %v", pub, err)
		}
	}
	for _, name := range []string{"alpha", "bravo", "charlie", "candidate"} {
		if err := CheckKey(KeyOf(testKey(name))); err != nil {
			t.Errorf("CheckKey of test key %s = %v", name, err)
		}
	}
}

// weakOp returns an op by the identity key, signed with weakSig.
func weakOp(c *circle, k Kind, body Body) []byte {
	o := *c.first(k)
	o.Author = identityKey
	o.Body = mustMarshal(body)
	o.Sig = weakSig
	return mustMarshal(&o)
}

// weakApplication returns an application by the identity key, signed
// with weakSig.
func weakApplication(c *circle) *Application {
	a := &Application{Group: c.group, Member: testMember(testKey("weak"), "Weak")}
	a.Member.Key = identityKey
	a.Sig = weakSig
	return a
}

// Attack 6: the identity key and the signature R = identity, S = 0. The
// signature verifies for any message under crypto/ed25519 (shown first);
// Kring refuses the key wherever it enters.
func TestWeakKeyAttackRefused(t *testing.T) {
	c := newCircle(t)
	if !ed25519.Verify(identityKey[:], []byte("any message at all"), weakSig) {
		t.Log("crypto/ed25519 no longer accepts the weak signature; the checks below still must refuse the key")
	}

	// An op authored by the weak key.
	raw := weakOp(c, KindAdvisory, advisory(0))
	o, err := Decode(raw)
	if err != nil {
		t.Fatalf("Decode of the weak op = %v; the attack needs it to decode", err)
	}
	if !identityKey.verify(DomainOp, o.signingBytes(), o.Sig) {
		t.Log("the weak signature does not verify over the op")
	}
	if err := o.Verify(); !errors.Is(err, ErrWeakKey) {
		t.Errorf("Verify of an op by the identity key = %v, want ErrWeakKey", err)
	}
	if _, err := Open(raw, c.group); !errors.Is(err, ErrWeakKey) {
		t.Errorf("Open of an op by the identity key = %v, want ErrWeakKey", err)
	}

	// An application by the weak key, alone and in an endorsement.
	app := weakApplication(c)
	if err := app.Verify(); !errors.Is(err, ErrWeakKey) {
		t.Errorf("Application.Verify of the weak key = %v, want ErrWeakKey", err)
	}
	if _, err := DecodeApplication(app.Bytes()); !errors.Is(err, ErrWeakKey) {
		t.Errorf("DecodeApplication of the weak key = %v, want ErrWeakKey", err)
	}
	vote := forgeBody(*c.first(KindVote), &Vote{Motion: Motion{Kind: MotionAdmit, Application: app}, Evidence: evidence}, c.alpha)
	if _, err := Decode(vote); !errors.Is(err, ErrWeakKey) {
		t.Errorf("Decode of an endorsement of the weak application = %v, want ErrWeakKey", err)
	}
	// The applicant enacting its own admission with the weak key.
	enact := weakOp(c, KindEnact, &Enact{Motion: Motion{Kind: MotionAdmit, Application: app}, Votes: hashes(3)})
	if _, err := Open(enact, c.group); !errors.Is(err, ErrWeakKey) {
		t.Errorf("Open of the weak applicant's enactment = %v, want ErrWeakKey", err)
	}
}

// Every small-order key is refused in every place a key enters.
func TestWeakKeyRefusedWhereverAKeyEnters(t *testing.T) {
	c := newCircle(t)
	for _, s := range smallOrderKeys[1:] {
		k := mustKey(t, s)
		if k.IsZero() {
			continue // the zero key is refused earlier, as a missing key
		}
		t.Run(s[:12], func(t *testing.T) {
			o := *c.first(KindAdvisory)
			o.Author, o.Body, o.Sig = k, mustMarshal(advisory(0)), weakSig
			if _, err := Open(mustMarshal(&o), c.group); !errors.Is(err, ErrWeakKey) {
				t.Errorf("author: Open = %v, want ErrWeakKey", err)
			}
			g := genesisBody(c.alpha, c.bravo, c.charlie)
			g.Founders[2].Key = k
			if _, err := Decode(forgeGenesis(g, c.alpha)); !errors.Is(err, ErrWeakKey) {
				t.Errorf("founder: Decode = %v, want ErrWeakKey", err)
			}
			if _, err := Decode(forgeBody(*c.first(KindVote), &Vote{Motion: Motion{Kind: MotionRevoke, Target: &k}}, c.alpha)); !errors.Is(err, ErrWeakKey) {
				t.Errorf("target: Decode = %v, want ErrWeakKey", err)
			}
			app := weakApplication(c)
			app.Member.Key = k
			if _, err := DecodeApplication(app.Bytes()); !errors.Is(err, ErrWeakKey) {
				t.Errorf("applicant: DecodeApplication = %v, want ErrWeakKey", err)
			}
		})
	}
}

// TestCheckEncKey checks that X25519 encryption keys of small order, whose
// key agreements give a secret anyone can compute, are refused wherever a
// member enters: the all-zero key, u = 1, the points of order 8, and their
// non-canonical encodings (u + p, and with the top bit set, which X25519
// ignores).
func TestCheckEncKey(t *testing.T) {
	smallOrder := []string{
		"0000000000000000000000000000000000000000000000000000000000000000", // u = 0
		"0100000000000000000000000000000000000000000000000000000000000000", // u = 1
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // u = p - 1
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // u = p
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // u = p + 1
		"0000000000000000000000000000000000000000000000000000000000000080", // u = 0, top bit set
	}
	for _, h := range smallOrder {
		var k [32]byte
		if _, err := hex.Decode(k[:], []byte(h)); err != nil {
			t.Fatal(err)
		}
		if err := CheckEncKey(k); !errors.Is(err, ErrWeakKey) {
			t.Errorf("CheckEncKey(%s) = %v, want ErrWeakKey", h, err)
		}
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		m := testMember(priv, "Weak BV")
		m.EncKey = k
		if err := m.validate(); !errors.Is(err, ErrWeakKey) {
			t.Errorf("member with encryption key %s: %v, want ErrWeakKey", h, err)
		}
	}
	for i := range 16 {
		priv, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		var k [32]byte
		copy(k[:], priv.PublicKey().Bytes())
		if err := CheckEncKey(k); err != nil {
			t.Errorf("generated key %d refused: %v", i, err)
		}
	}
}

// TestWeakEncodingMatchesCheckKey checks that the byte-level check Op.Verify
// runs gives CheckKey's verdict for every key that is a curve point: the
// small-order points, their non-canonical encodings, every y at or above p
// with either sign, x = 0 with the sign bit, generated keys, and random
// bytes that decode.
func TestWeakEncodingMatchesCheckKey(t *testing.T) {
	var keys []Key
	for i, h := range smallOrderKeys {
		keys = append(keys, mustKey(t, h))
		if smallOrder[i] != mustKey(t, h) {
			t.Errorf("the package's small-order list differs from the subgroup at %d", i)
		}
	}
	for d := range 19 { // y = p + d for d < 19 covers every y >= p below 2^255
		var k Key
		k[0] = 0xed + byte(d) // at most 0xff: no carry
		for i := 1; i < 31; i++ {
			k[i] = 0xff
		}
		k[31] = 0x7f
		keys = append(keys, k)
		k[31] |= 0x80
		keys = append(keys, k)
	}
	for _, h := range []string{smallOrderKeys[0], smallOrderKeys[1]} {
		k := mustKey(t, h)
		k[31] |= 0x80
		keys = append(keys, k) // x = 0 with the sign bit set
	}
	for range 200 {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, Key(pub))
		var k Key
		if _, err := rand.Read(k[:]); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	points := 0
	for _, k := range keys {
		if _, err := new(edwards25519.Point).SetBytes(k[:]); err != nil {
			continue // no curve point: the signature check refuses it
		}
		points++
		if got, want := weakEncoding(k), CheckKey(k) != nil; got != want {
			t.Errorf("key %x: weakEncoding %v, CheckKey refuses %v", k, got, want)
		}
	}
	if points < 200 {
		t.Fatalf("only %d keys were curve points", points)
	}
}
