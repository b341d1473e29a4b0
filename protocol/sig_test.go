package protocol

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"filippo.io/edwards25519"
)

// sigVector is one published Ed25519 edge case: a key, a signature and a
// message, with the verdicts the testdata file states for it.
type sigVector struct {
	name                string
	key                 Key
	sig, msg            []byte
	rule, keyOK, stdlib bool // the signature rule's, CheckKey's and crypto/ed25519's verdicts
}

// readVectors reads a testdata file of want vectors, each a line of n
// fields (blank lines and comments skipped) that parse turns into a
// vector; i counts the vectors from 0.
func readVectors(t *testing.T, path string, want, n int, parse func(i int, f []string) sigVector) []sigVector {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []sigVector
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != n {
			t.Fatalf("%s: %q has %d fields, want %d", path, line, len(f), n)
		}
		out = append(out, parse(len(out), f))
	}
	if len(out) != want {
		t.Fatalf("%s: read %d vectors, want %d", path, len(out), want)
	}
	return out
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// verdict parses accept/reject and ok/weak.
func verdict(t *testing.T, s string) bool {
	t.Helper()
	switch s {
	case "accept", "ok":
		return true
	case "reject", "weak":
		return false
	}
	t.Fatalf("bad verdict %q", s)
	return false
}

// speccheckVectors reads the twelve cases of "Taming the many EdDSAs".
func speccheckVectors(t *testing.T) []sigVector {
	return readVectors(t, "testdata/ed25519/speccheck.txt", 12, 7, func(_ int, f []string) sigVector {
		return sigVector{
			name: "speccheck-" + f[0], key: mustKey(t, f[4]), sig: mustHex(t, f[5]), msg: mustHex(t, f[6]),
			rule: verdict(t, f[1]), keyOK: verdict(t, f[2]), stdlib: verdict(t, f[3]),
		}
	})
}

// zip215Vectors reads ZIP-215's 196 cases: each verifies under the rule,
// and each key is of small order.
func zip215Vectors(t *testing.T) []sigVector {
	return readVectors(t, "testdata/ed25519/zip215.txt", 196, 2, func(i int, f []string) sigVector {
		return sigVector{name: fmt.Sprintf("zip215-%03d", i), key: mustKey(t, f[0]), sig: mustHex(t, f[1]), msg: []byte("Zcash"), rule: true}
	})
}

// goodSigs returns n valid signatures by test keys, for batches to mix
// with the vectors.
func goodSigs(n int) []sigVector {
	out := make([]sigVector, n)
	for i := range out {
		priv := testKey(string(rune('a' + i%26)))
		msg := []byte{byte(i), 'k', 'r', 'i', 'n', 'g'}
		out[i] = sigVector{name: "good", key: KeyOf(priv), sig: ed25519.Sign(priv, msg), msg: msg, rule: true, keyOK: true, stdlib: true}
	}
	return out
}

// batchVerdicts checks vs in one batch.
func batchVerdicts(vs []sigVector) (bool, []bool) {
	b := newSigBatch(len(vs))
	for _, v := range vs {
		b.add(v.key, v.msg, v.sig)
	}
	return b.verify()
}

// checkVectors asserts each vector's verdict under the rule, alone and in
// batches (alone, mixed with valid signatures, all together), and that
// the batch's overall verdict is the conjunction of the single ones.
func checkVectors(t *testing.T, vs []sigVector) {
	t.Helper()
	for _, v := range vs {
		if got := verifySig(v.key, v.msg, v.sig); got != v.rule {
			t.Errorf("%s: the rule says %v, the published verdict is %v", v.name, got, v.rule)
		}
		if all, valid := batchVerdicts([]sigVector{v}); all != v.rule || len(valid) != 1 || valid[0] != v.rule {
			t.Errorf("%s alone in a batch: %v %v, want %v", v.name, all, valid, v.rule)
		}
		mixed := append(goodSigs(5), v)
		mixed = append(mixed, goodSigs(3)...)
		all, valid := batchVerdicts(mixed)
		if all != v.rule {
			t.Errorf("%s in a batch of valid signatures: batch verdict %v, want %v", v.name, all, v.rule)
		}
		for i, ok := range valid {
			if ok != mixed[i].rule {
				t.Errorf("%s in a batch: member %d (%s) judged %v, want %v", v.name, i, mixed[i].name, ok, mixed[i].rule)
			}
		}
	}
	want := true
	for _, v := range vs {
		want = want && v.rule
	}
	all, valid := batchVerdicts(vs)
	if all != want {
		t.Errorf("every vector in one batch: verdict %v, want %v", all, want)
	}
	for i, ok := range valid {
		if ok != vs[i].rule {
			t.Errorf("every vector in one batch: %s judged %v, want %v", vs[i].name, ok, vs[i].rule)
		}
	}
}

// The cases of "Taming the many EdDSAs" get the verdicts of ZIP-215, one
// by one and in batches; the keys among them that are of small order or
// non-canonical are refused by the key check before any signature; and
// crypto/ed25519, the rule of protocol 3, judges cases 4, 5, 9 and 10
// otherwise, which is why the rule's change is a new protocol version.
func TestSignatureRuleTamingEdDSAs(t *testing.T) {
	vs := speccheckVectors(t)
	checkVectors(t, vs)
	differ := 0
	for _, v := range vs {
		err := CheckKey(v.key)
		if (err == nil) != v.keyOK || (err != nil && !errors.Is(err, ErrWeakKey)) {
			t.Errorf("%s: CheckKey = %v, want key ok %v", v.name, err, v.keyOK)
		}
		if weakEncoding(v.key) && v.keyOK {
			t.Errorf("%s: weakEncoding refuses a key CheckKey accepts", v.name)
		}
		if got := ed25519.Verify(v.key[:], v.msg, v.sig); got != v.stdlib {
			t.Errorf("%s: crypto/ed25519 says %v, want %v", v.name, got, v.stdlib)
		}
		if v.stdlib != v.rule {
			differ++
		}
	}
	if differ != 4 {
		t.Errorf("the rule and crypto/ed25519 differ on %d cases, want 4 (4, 5, 9, 10)", differ)
	}
}

// ZIP-215's own vectors all verify under the rule, one by one and in a
// batch; every key among them is of small order and refused at entry.
func TestSignatureRuleZIP215Vectors(t *testing.T) {
	vs := zip215Vectors(t)
	checkVectors(t, vs)
	for _, v := range vs {
		if err := CheckKey(v.key); !errors.Is(err, ErrWeakKey) {
			t.Errorf("%s: CheckKey(%s) = %v, want ErrWeakKey", v.name, v.key, err)
		}
	}
}

// mixedOrderSig signs msg with priv the way an honest signer never does:
// R = rB + T for a point T of order 8. The cofactored equation holds, the
// cofactorless one (crypto/ed25519's) does not.
func mixedOrderSig(t *testing.T, priv ed25519.PrivateKey, msg []byte) []byte {
	t.Helper()
	h := sha512.Sum512(priv.Seed())
	a, err := new(edwards25519.Scalar).SetBytesWithClamping(h[:32])
	if err != nil {
		t.Fatal(err)
	}
	rh := sha512.Sum512(append([]byte("a nonce for a mixed-order R"), msg...))
	r, err := new(edwards25519.Scalar).SetUniformBytes(rh[:])
	if err != nil {
		t.Fatal(err)
	}
	torsion, err := new(edwards25519.Point).SetBytes(smallOrder[6][:]) // of order 8
	if err != nil {
		t.Fatal(err)
	}
	R := new(edwards25519.Point).ScalarBaseMult(r)
	R.Add(R, torsion)
	k := sha512.New()
	k.Write(R.Bytes())
	k.Write(priv.Public().(ed25519.PublicKey))
	k.Write(msg)
	ks, err := new(edwards25519.Scalar).SetUniformBytes(k.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	S := new(edwards25519.Scalar).MultiplyAdd(ks, a, r)
	return append(R.Bytes(), S.Bytes()...)
}

// An op whose signature has an R with a small-order component is valid
// under the rule, by Open and in a batch, though crypto/ed25519 refuses
// it: nodes of protocol 3 and 4 disagree on it.
func TestOpWithMixedOrderR(t *testing.T) {
	c := newCircle(t)
	o := *c.first(KindAdvisory)
	o.Author, o.Body = KeyOf(c.bravo), mustMarshal(advisory(0))
	if b, err := decodeBody(o.Kind, o.Body); err == nil {
		o.body = b
	}
	msg := withDomain(DomainOp, o.signingBytes())
	o.Sig = mixedOrderSig(t, c.bravo, msg)
	raw := mustMarshal(&o)
	if ed25519.Verify(o.Author[:], msg, o.Sig) {
		t.Fatal("crypto/ed25519 accepts the mixed-order R; the test signs wrongly")
	}
	if _, err := Open(raw, c.group); err != nil {
		t.Errorf("Open = %v, want the op", err)
	}
	ops, errs := OpenBatch([][]byte{raw, raw}, c.group)
	if errs[0] != nil || errs[1] != nil || ops[0] == nil {
		t.Errorf("OpenBatch = %v, want both ops", errs)
	}
	o.Sig[40] ^= 1
	if _, err := Open(mustMarshal(&o), c.group); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Open of the op with S changed = %v, want ErrBadSignature", err)
	}
}
