package protocol

import (
	"crypto/ed25519"
	"testing"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// TestBatchRepeatedKeys: a batch decodes each key once, and the verdicts
// stay the rule's: every published vector three times in one batch (its
// copies' terms summed under one key), beside valid signatures by one key and a bad one among
// them, and a key that does not decode, twice.
func TestBatchRepeatedKeys(t *testing.T) {
	vs := append(speccheckVectors(t), zip215Vectors(t)...)
	good := goodSigs(1)[0]
	bad := good
	bad.sig = append([]byte(nil), good.sig...)
	bad.sig[5] ^= 1
	bad.rule = false
	var undecodable Key
	for i := range 256 {
		undecodable[0] = byte(i)
		if !decodes(undecodable) {
			break
		}
	}
	if decodes(undecodable) {
		t.Fatal("no key that does not decode found")
	}
	noKey := sigVector{name: "undecodable key", key: undecodable, sig: good.sig, msg: good.msg, rule: false}
	var batch []sigVector
	for _, v := range vs {
		batch = append(batch, v, v, v)
	}
	batch = append(batch, good, good, bad, good, noKey, noKey)
	b := newSigBatch(len(batch))
	for _, v := range batch {
		b.add(v.key, v.msg, v.sig)
	}
	if i, ok := b.keys[good.key]; !ok || i < 0 {
		t.Error("a key with four signatures in the batch was not decoded once for them")
	}
	if i, ok := b.keys[undecodable]; !ok || i >= 0 {
		t.Error("a key that does not decode has a decoded form")
	}
	all, valid := b.verify()
	if all {
		t.Error("a batch with bad signatures passed")
	}
	for i, ok := range valid {
		if ok != batch[i].rule {
			t.Errorf("member %d (%s) judged %v, want %v", i, batch[i].name, ok, batch[i].rule)
		}
	}
}

// decodes reports whether k decodes to a point of the curve.
func decodes(k Key) bool {
	_, err := voi.NewExpandedPublicKey(k[:])
	return err == nil
}

// TestBatchSumsEachKeysTerms: a batch of valid signatures, many by one
// key and some by others, the rule's valid vectors among them (small-order
// and non-canonical points included), passes the combined check itself,
// each key's terms summed into one, not only member by member; one
// signature over another message fails it.
func TestBatchSumsEachKeysTerms(t *testing.T) {
	var batch []sigVector
	for _, v := range append(speccheckVectors(t), zip215Vectors(t)...) {
		if v.rule {
			batch = append(batch, v, v)
		}
	}
	one := goodSigs(1)[0]
	for i := range 40 {
		priv := testKey("a")
		msg := []byte{byte(i), 'o', 'n', 'e'}
		batch = append(batch, sigVector{name: "one key", key: one.key, sig: ed25519.Sign(priv, msg), msg: msg, rule: true})
	}
	batch = append(batch, goodSigs(5)...)
	check := func(vs []sigVector, want bool) {
		t.Helper()
		b := newSigBatch(len(vs))
		for _, v := range vs {
			b.add(v.key, v.msg, v.sig)
		}
		if b.bad {
			t.Fatal("a member did not decode")
		}
		if len(b.points) >= len(vs)/2 {
			t.Errorf("%d keys decoded for %d signatures", len(b.points), len(vs))
		}
		if got := b.combined(); got != want {
			t.Errorf("combined check of %d signatures = %v, want %v", len(vs), got, want)
		}
	}
	check(batch, true)
	forged := append([]sigVector(nil), batch...)
	forged[len(forged)-7].msg = []byte("another message")
	check(forged, false)
}
