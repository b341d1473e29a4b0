package protocol

import (
	"bytes"
	"crypto/ed25519"
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
		if err := SignGenesis(g, privs[i]); err != nil {
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
		if err := SignGenesis(g, p); err != nil {
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

func TestDecodeApplicationRoundTripAndRefusals(t *testing.T) {
	privs := []ed25519.PrivateKey{testKey("applicant")}
	a := &Application{Group: Hash{1}, Member: Member{Profile: Profile{Name: "Applicant BV"}}}
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
