package protocol

import (
	"runtime"
	"testing"
)

// repeatItem returns a CBOR array of n copies of the item.
func repeatItem(n int, item []byte) []byte {
	b := cborArray(n)
	for range n {
		b = append(b, item...)
	}
	return b
}

// TestDecodeAllocationBound feeds Decode ops of up to MaxOpSize bytes built
// to make the decoder allocate: arrays of one-byte items that each become
// a Go struct. Decode must reject each while allocating a small multiple
// of the input. (Before the decoder bounded arrays, the first of these
// allocated about 700 MB.)
func TestDecodeAllocationBound(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocation of 1 MiB inputs")
	}
	c := newCircle(t)
	charter := field(t, c.genesis.Body, 1)
	genesis := func(founders []byte) []byte {
		g := joinMap([]cborEntry{{cborKey(1), charter}, {cborKey(2), founders}})
		return forge(Op{Seq: 1, Kind: KindGenesis, TS: testTS}, g, c.alpha)
	}
	fill := (MaxOpSize - 4096)
	// A founder whose profile has maxArray empty claims and tags.
	profile := joinMap([]cborEntry{
		{cborKey(5), repeatItem(maxArray, cborNull())},
		{cborKey(6), repeatItem(maxArray, []byte{0xa0})},
	})
	member := joinMap([]cborEntry{{cborKey(3), profile}})
	preds := Op{Group: c.group, Seq: 1, Epoch: c.group, Kind: KindAdvisory, TS: testTS}
	inputs := map[string][]byte{
		"a million null founders":                genesis(repeatItem(fill, cborNull())),
		"a million empty-map founders":           genesis(repeatItem(fill, []byte{0xa0})),
		"maxArray founders with maxArray claims": genesis(repeatItem(maxArray, member)),
		"a million null preds":                   addField(t, forgeBody(preds, advisory(0), c.bravo), 5, repeatItem(fill, cborNull())),
		"a million null votes":                   forge(*c.first(KindEnact), joinMap([]cborEntry{{cborKey(1), field(t, mustMarshal(&Enact{Motion: c.motions(t)["revoke"]}), 1)}, {cborKey(2), repeatItem(fill, cborNull())}}), c.bravo),
	}
	for name, raw := range inputs {
		t.Run(name, func(t *testing.T) {
			if len(raw) > MaxOpSize {
				t.Fatalf("test input is %d bytes, over MaxOpSize", len(raw))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Decode(raw)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("Decode accepted a hostile op")
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d-byte op: %v; Decode allocated %d KiB", len(raw), err, alloc>>10)
			if limit := uint64(16 * MaxOpSize); alloc > limit {
				t.Fatalf("Decode of a %d-byte op allocated %d MiB, limit %d MiB", len(raw), alloc>>20, limit>>20)
			}
		})
	}
}
