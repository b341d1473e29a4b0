package protocol

import (
	"slices"
	"testing"
)

// TestRejectEncoding feeds Decode hand-edited CBOR: encodings of a valid op
// (or of its body) that decode to the same values but are not the Core
// Deterministic Encoding, encodings with fields this version does not know,
// and bytes that are not an op at all. Body edits are re-signed, so that the
// encoding is the only thing wrong.
func TestRejectEncoding(t *testing.T) {
	c := newCircle(t)
	runRejects(t, c.group, encodingRejects(t, c))
}

// encodingRejects are hand-edited encodings of valid ops.
func encodingRejects(t testing.TB, c *circle) []rejectCase {
	t.Helper()
	ops := validOps(t, c)
	adv := ops["advisory-chain"]
	raw := adv.Bytes()
	body := adv.Body
	resign := func(b []byte) []byte {
		return forge(*c.after(ops["advisory"], KindAdvisory, ops["vote-revoke"].Hash()), b, c.bravo)
	}
	if got := resign(body); !slices.Equal(got, raw) {
		t.Fatal("test setup: re-signing the unchanged body changed the op")
	}
	swap := func(i, j int) func([]cborEntry) []cborEntry {
		return func(es []cborEntry) []cborEntry {
			es[i], es[j] = es[j], es[i]
			return es
		}
	}
	dup := func(k uint64, val []byte) func([]cborEntry) []cborEntry {
		return func(es []cborEntry) []cborEntry {
			i := entryIndex(t, es, k)
			if val == nil {
				val = es[i].val
			}
			return slices.Insert(es, i+1, cborEntry{cborKey(k), val})
		}
	}
	sig := bytesContent(t, field(t, raw, 10))
	author := bytesContent(t, field(t, raw, 2))
	group := bytesContent(t, field(t, raw, 1))
	title := string(bytesContent(t, field(t, body, 1)))
	genesis := c.genesis.Bytes()
	vote := ops["vote-suspend"]
	motion := field(t, vote.Body, 1)
	voteOp := func(motion []byte) []byte {
		return forge(*c.first(KindVote), setField(t, vote.Body, 1, motion), c.alpha)
	}
	// The title as an indefinite-length text string of two chunks.
	indefTitle := cborConcat([]byte{0x7f}, cborText(title[:3]), cborText(title[3:]), []byte{0xff})
	invalidUTF8 := cborConcat(cborHead(3, 2), []byte{0xc3, 0x28})

	return []rejectCase{
		// Envelope: same values, non-canonical bytes.
		{"seq as a non-shortest integer", setField(t, raw, 3, []byte{0x18, byte(adv.Seq)}), ErrNonCanonical, false},
		{"seq as an 8-byte integer", setField(t, raw, 3, cborLongHead(0, adv.Seq)), ErrNonCanonical, false},
		{"kind as a non-shortest integer", setField(t, raw, 7, []byte{0x18, byte(adv.Kind)}), ErrNonCanonical, false},
		{"key as a non-shortest integer", editMap(t, raw, func(es []cborEntry) []cborEntry {
			es[2].key = []byte{0x18, 0x03}
			return es
		}), ErrNonCanonical, false},
		{"author with a non-shortest length", setField(t, raw, 2, cborConcat([]byte{0x59, 0x00, 0x20}, author)), ErrNonCanonical, false},
		{"sig with an 8-byte length", setField(t, raw, 10, cborConcat(cborLongHead(2, 64), sig)), ErrNonCanonical, false},
		{"map keys out of order", editMap(t, raw, swap(2, 3)), ErrNonCanonical, false},
		{"first and last keys swapped", editMap(t, raw, swap(0, 9)), ErrNonCanonical, false},
		{"duplicate map key, same value", editMap(t, raw, dup(3, nil)), ErrNonCanonical, false},
		{"duplicate map key, other value", editMap(t, raw, dup(9, cborUint(1))), ErrNonCanonical, false},
		{"indefinite-length map", joinIndefMap(cborMap(t, raw)), ErrNonCanonical, false},
		{"indefinite-length byte string", setField(t, raw, 10, cborConcat([]byte{0x5f}, cborBytes(sig[:32]), cborBytes(sig[32:]), []byte{0xff})), ErrNonCanonical, false},
		{"indefinite-length array", setField(t, raw, 5, cborConcat([]byte{0x9f}, field(t, raw, 5)[1:], []byte{0xff})), ErrNonCanonical, false},
		{"map with a 1-byte length", cborConcat([]byte{0xb8, 10}, raw[1:]), ErrNonCanonical, false},
		{"tagged sig", setField(t, raw, 10, cborConcat([]byte{0xd8, 0x40}, cborBytes(sig))), ErrNonCanonical, false},
		{"empty preds present", addField(t, genesis, 5, cborArray(0)), ErrNonCanonical, false},
		{"null prev present", addField(t, ops["advisory"].Bytes(), 4, cborNull()), ErrNonCanonical, false},
		{"empty sig present", setField(t, raw, 10, cborBytes(nil)), ErrNonCanonical, false},
		{"31-byte group", setField(t, raw, 1, cborBytes(group[:31])), ErrNonCanonical, false},
		{"33-byte group", setField(t, raw, 1, cborBytes(append(slices.Clone(group), 0))), ErrNonCanonical, false},
		{"group as an array of integers", setField(t, raw, 1, groupArray(group)), ErrNonCanonical, false},

		// Body: same values, non-canonical bytes, validly signed.
		{"body keys out of order", resign(editMap(t, body, swap(0, 1))), ErrNonCanonical, false},
		{"body duplicate key", resign(editMap(t, body, dup(3, nil))), ErrNonCanonical, false},
		{"body indefinite-length map", resign(joinIndefMap(cborMap(t, body))), ErrNonCanonical, false},
		{"body indefinite-length text", resign(setField(t, body, 1, indefTitle)), ErrNonCanonical, false},
		{"body text with a 2-byte length", resign(setField(t, body, 1, cborConcat([]byte{0x79}, []byte{0, byte(len(title))}, []byte(title)))), ErrNonCanonical, false},
		{"motion kind as a non-shortest integer", voteOp(setField(t, motion, 1, []byte{0x18, byte(MotionSuspend)})), ErrNonCanonical, false},
		{"motion keys out of order", voteOp(editMap(t, motion, swap(0, 2))), ErrNonCanonical, false},
		{"null body", resign(cborNull()), ErrNonCanonical, false},

		// Fields this version does not know.
		{"unknown envelope field 11", addField(t, raw, 11, cborUint(0)), ErrUnknownField, false},
		{"unknown envelope field 0", addField(t, raw, 0, cborUint(0)), ErrUnknownField, false},
		{"unknown envelope field 23", addField(t, raw, 23, cborNull()), ErrUnknownField, false},
		{"envelope text key", editMap(t, raw, func(es []cborEntry) []cborEntry {
			return append(es, cborEntry{cborText("x"), cborUint(0)})
		}), ErrUnknownField, false},
		{"unknown body field", resign(addField(t, body, 5, cborText("x"))), ErrUnknownField, false},
		{"unknown motion field", voteOp(addField(t, motion, 9, cborUint(1))), ErrUnknownField, false},
		{"ack with a field", forge(*c.first(KindAck), addField(t, mustMarshal(&Ack{}), 1, cborUint(0)), c.bravo), ErrUnknownField, false},
		{"ack body as an empty array", forge(*c.first(KindAck), cborArray(0), c.bravo), ErrMalformed, false},
		{"unknown vote field", forge(*c.first(KindVote), addField(t, vote.Body, 3, cborUint(1)), c.alpha), ErrUnknownField, false},
		{"unknown charter field", editGenesis(t, c, func(g []byte) []byte {
			return setField(t, g, 1, addField(t, field(t, g, 1), 12, cborUint(1)))
		}), ErrUnknownField, false},
		// A required field (one the encoder never omits) that is missing:
		// the canonical encoding of what decodes has it.
		{"leave body on an advisory", resign(mustMarshal(&Leave{Reason: "r"})), ErrNonCanonical, false},
		{"envelope without epoch", editMap(t, raw, func(es []cborEntry) []cborEntry {
			return slices.Delete(es, 5, 6)
		}), ErrNonCanonical, false},
		{"vote without evidence field", forge(*c.first(KindVote), editMap(t, vote.Body, func(es []cborEntry) []cborEntry {
			return es[:1]
		}), c.alpha), ErrNonCanonical, false},
		{"advisory body on a leave", forge(*c.first(KindLeave), body, c.bravo), ErrUnknownField, false},

		// Not an op at all.
		{"empty input", nil, ErrMalformed, false},
		{"break byte", []byte{0xff}, ErrMalformed, false},
		{"truncated", raw[:len(raw)-1], ErrMalformed, false},
		{"trailing byte", append(slices.Clone(raw), 0), ErrMalformed, false},
		{"two ops", append(slices.Clone(raw), raw...), ErrMalformed, false},
		{"array of the fields", cborConcat(cborArray(10), raw[1:]), ErrMalformed, false},
		{"text string", cborText("op"), ErrMalformed, false},
		{"seq as text", setField(t, raw, 3, cborText("2")), ErrMalformed, false},
		{"seq negative", setField(t, raw, 3, cborHead(1, 1)), ErrMalformed, false},
		{"seq as float", setField(t, raw, 3, []byte{0xf9, 0x40, 0x00}), ErrMalformed, false},
		{"kind 256", setField(t, raw, 7, cborUint(256)), ErrMalformed, false},
		{"ts beyond int64", setField(t, raw, 9, cborUint(1<<63)), ErrMalformed, false},
		{"body not CBOR", resign([]byte{0xff}), ErrMalformed, false},
		{"body empty", resign(nil), ErrMalformed, false},
		{"body with a trailing byte", resign(append(slices.Clone(body), 0)), ErrMalformed, false},
		{"body as text", setField(t, raw, 8, cborText(string(body))), ErrMalformed, false},
		{"title not UTF-8", resign(setField(t, body, 1, invalidUTF8)), ErrMalformed, false},
		{"title as bytes", resign(setField(t, body, 1, cborBytes([]byte(title)))), ErrMalformed, false},
	}
}

// groupArray encodes a hash as a CBOR array of 32 integers, which the cbor
// library accepts for a byte array but which is not its encoding.
func groupArray(h []byte) []byte {
	b := cborArray(len(h))
	for _, x := range h {
		b = append(b, cborUint(uint64(x))...)
	}
	return b
}

// editGenesis edits the circle's genesis body with edit and signs the
// result as a genesis op by founder #1.
func editGenesis(t testing.TB, c *circle, edit func(body []byte) []byte) []byte {
	t.Helper()
	return forge(Op{Seq: 1, Kind: KindGenesis, TS: testTS}, edit(c.genesis.Body), c.alpha)
}
