package protocol

import (
	"testing"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// TestBatchRepeatedKeys: a batch decodes a key once it has a second
// signature by it, and the verdicts stay the rule's: every published
// vector three times in one batch (its later copies checked against the
// decoded key), beside valid signatures by one key and a bad one among
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
	if bk := b.keys[good.key]; bk == nil || bk.x == nil {
		t.Error("a key with four signatures in the batch was not decoded once for them")
	}
	if bk := b.keys[undecodable]; bk == nil || bk.x != nil {
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
