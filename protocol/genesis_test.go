package protocol

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"
)

// The draft flow: founder #1 signs the op while drafting, the founders sign
// in any order, and anyone seals the op.
func TestSealGenesisAfterEveryFounderSigned(t *testing.T) {
	privs := []ed25519.PrivateKey{testKey("seal-a"), testKey("seal-b"), testKey("seal-c")}
	g := genesisBody(privs...)
	opSig, err := SignGenesisOp(g, testTS, privs[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SealGenesis(g, testTS, opSig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("seal before the founders signed: err = %v, want ErrBadSignature", err)
	}
	for _, i := range []int{2, 0, 1} {
		if err := SignGenesis(g, testTS, privs[i]); err != nil {
			t.Fatal(err)
		}
	}
	o, err := SealGenesis(g, testTS, opSig)
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	back, err := Open(o.Bytes(), o.Hash())
	if err != nil {
		t.Fatalf("a receiving node refuses the sealed genesis: %v", err)
	}
	if back.Author != KeyOf(privs[0]) || back.Hash() != o.Hash() {
		t.Fatalf("sealed genesis changed on the way: author %s", back.Author.Short())
	}
	// Sign on the same genesis gives the same bytes: one genesis, one circle.
	again := &Op{Kind: KindGenesis, Seq: 1, TS: testTS}
	if err := Sign(again, g, privs[0]); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), o.Bytes()) {
		t.Fatal("Sign and SealGenesis give different genesis ops for the same draft")
	}
}

func TestSealGenesisRefusesAForeignOrAlteredOpSignature(t *testing.T) {
	privs := []ed25519.PrivateKey{testKey("seal-a"), testKey("seal-b"), testKey("seal-c")}
	g := genesisBody(privs...)
	if _, err := SignGenesisOp(g, 1, privs[1]); !errors.Is(err, ErrInvalidBody) {
		t.Fatalf("founder #2 signing the op: err = %v, want ErrInvalidBody", err)
	}
	opSig, err := SignGenesisOp(g, 1, privs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range privs {
		if err := SignGenesis(g, 1, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := VerifyGenesisOp(g, 1, opSig); err != nil {
		t.Fatalf("VerifyGenesisOp of the signed draft: %v", err)
	}
	if err := VerifyGenesisOp(g, 2, opSig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("VerifyGenesisOp at another ts: err = %v, want ErrBadSignature", err)
	}
	if _, err := SealGenesis(g, 2, opSig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("seal at another ts: err = %v, want ErrBadSignature", err)
	}
	g.Charter.Cadence = "weekly" // altered after the founders signed
	if _, err := SealGenesis(g, 1, opSig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("seal of an altered charter: err = %v, want ErrBadSignature", err)
	}
	if _, err := SealGenesis(g, 1, opSig[:10]); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("seal with a short signature: err = %v, want ErrBadSignature", err)
	}
}

// Attack 7: founder #1 alone must not seal a second circle from the
// founders' signatures by changing ts (the only field of a genesis op's
// envelope a genesis may vary: group, epoch, prev and preds are absent,
// seq is 1, the author is founders[0]). Founders sign the draft op whole,
// so every founder signature fails at another ts.
func TestGenesisFounderSignaturesCoverTS(t *testing.T) {
	privs := []ed25519.PrivateKey{testKey("seal-a"), testKey("seal-b"), testKey("seal-c")}
	g := genesisBody(privs...)
	cosign(t, g, privs...)
	opSig, err := SignGenesisOp(g, testTS, privs[0])
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := SealGenesis(g, testTS, opSig)
	if err != nil {
		t.Fatalf("seal at the signed ts: %v", err)
	}
	for _, ts := range []int64{testTS + 1, testTS - 1, 0, -1, testTS + 86400000} {
		// Founder #1 alone signs the op again at another ts.
		again, err := SignGenesisOp(g, ts, privs[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := SealGenesis(g, ts, again); !errors.Is(err, ErrBadSignature) {
			t.Errorf("re-sealed at ts %d: err = %v, want ErrBadSignature", ts, err)
		}
		if missing := g.MissingSignatures(ts); len(missing) != len(g.Founders) {
			t.Errorf("at ts %d, %d founders miss a signature, want all %d", ts, len(missing), len(g.Founders))
		}
		// The same re-sealing done by hand, as a receiving node sees it.
		forged := *sealed
		forged.TS = ts
		forged.Sig = sign(privs[0], DomainOp, forged.signingBytes())
		raw := mustMarshal(&forged)
		o, err := Decode(raw)
		if err != nil {
			t.Fatalf("Decode of the re-sealed genesis = %v", err)
		}
		if err := o.Verify(); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify of a genesis re-sealed at ts %d = %v, want ErrBadSignature", ts, err)
		}
		if _, err := Open(raw, o.Hash()); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Open of a genesis re-sealed at ts %d = %v, want ErrBadSignature", ts, err)
		}
	}
	if missing := g.MissingSignatures(testTS); len(missing) != 0 {
		t.Errorf("at the signed ts, %v miss a signature", missing)
	}
}

// What a founder signs is exactly what founder #1's op signature covers:
// the genesis op without sig, its body without sigs.
func TestGenesisFounderMessageIsTheOpSigningBytes(t *testing.T) {
	c := newCircle(t)
	g := c.genesis.Content().(*Genesis)
	want := c.genesis.signingBytes()
	if got := genesisSigningBytes(g, c.genesis.TS); !bytes.Equal(got, want) {
		t.Fatalf("founder message %x\nop signing bytes %x", got, want)
	}
	if want[0] != 0xa7 { // group, author, seq, epoch, kind, body, ts
		t.Fatalf("the signing bytes are not the genesis op map without sig: head %02x", want[0])
	}
	for i, f := range g.Founders {
		if !f.Key.verify(DomainGenesis, want, g.Sigs[i]) {
			t.Errorf("founder %d's signature does not verify over the op's signing bytes", i)
		}
		// Version 1 signed the genesis body alone: such a signature no
		// longer counts.
		if f.Key.verify(DomainGenesis, g.withoutSigs(), g.Sigs[i]) {
			t.Errorf("founder %d's signature verifies over the body alone", i)
		}
	}
	// A founder signature over the body alone (version 1's message) is refused.
	v1 := genesisBody(c.alpha, c.bravo, c.charlie)
	for _, p := range []ed25519.PrivateKey{c.alpha, c.bravo, c.charlie} {
		v1.Sigs = append(v1.Sigs, sign(p, DomainGenesis, v1.withoutSigs()))
	}
	o, err := Decode(forgeGenesis(v1, c.alpha))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Verify(); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a genesis whose founders signed the body alone: Verify = %v, want ErrBadSignature", err)
	}
}

func TestDecodeApplicationRoundTripAndRefusals(t *testing.T) {
	privs := []ed25519.PrivateKey{testKey("applicant")}
	a := &Application{Group: Hash{1}, Member: Member{EncKey: sha256.Sum256([]byte("enc/applicant")), Profile: Profile{Name: "Applicant BV"}}}
	if err := SignApplication(a, privs[0]); err != nil {
		t.Fatal(err)
	}
	back, err := DecodeApplication(a.Bytes())
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if back.ID() != a.ID() {
		t.Fatal("decoded application has another ID")
	}
	forged := *a
	forged.Member.Profile.Name = "Someone Else"
	if _, err := DecodeApplication(forged.Bytes()); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged application: err = %v, want ErrBadSignature", err)
	}
	if _, err := DecodeApplication([]byte{0xff, 0x00}); err == nil {
		t.Fatal("garbage decoded as an application")
	}
	if _, err := DecodeApplication(make([]byte, MaxOpSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized application: err = %v, want ErrTooLarge", err)
	}
}
