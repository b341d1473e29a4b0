package protocol

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"maps"
	"slices"
	"testing"
)

// validOps returns a signed op of every kind, by name: the genesis, a vote
// on every motion kind, an enactment of every motion kind, a leave, and
// advisories (the second in a chain, citing two heads).
func validOps(t testing.TB, c *circle) map[string]*Op {
	t.Helper()
	ops := map[string]*Op{"genesis": c.genesis}
	ms := c.motions(t)
	for _, name := range slices.Sorted(maps.Keys(ms)) {
		m := ms[name]
		var votes []Hash
		for _, voter := range []struct {
			name string
			priv ed25519.PrivateKey
		}{{"alpha", c.alpha}, {"bravo", c.bravo}, {"charlie", c.charlie}} {
			v := mustSign(t, c.first(KindVote), &Vote{Motion: m, Evidence: evidence}, voter.priv)
			votes = append(votes, v.Hash())
			if voter.name == "alpha" {
				ops["vote-"+name] = v
			}
		}
		enactor := c.bravo
		if m.Kind == MotionAdmit {
			enactor = c.candidate // the candidate enacts its own admission
		}
		e := c.first(KindEnact)
		e.Preds = SortPreds(slices.Clone(votes))
		ops["enact-"+name] = mustSign(t, e, &Enact{Motion: m, Votes: SortPreds(votes)}, enactor)
	}
	ops["vote-suspend-no-evidence"] = mustSign(t, c.first(KindVote), &Vote{Motion: ms["suspend"]}, c.bravo)
	ops["leave"] = mustSign(t, c.first(KindLeave), &Leave{Reason: "merged into another member"}, c.charlie)
	ops["leave-empty"] = mustSign(t, c.first(KindLeave), &Leave{}, c.bravo)
	adv1 := mustSign(t, c.first(KindAdvisory), advisory(0), c.bravo)
	ops["advisory"] = adv1
	ops["advisory-chain"] = mustSign(t, c.after(adv1, KindAdvisory, ops["vote-revoke"].Hash()), advisory(1024), c.bravo)
	ops["advisory-red"] = mustSign(t, c.first(KindAdvisory), &Advisory{Title: "t", TLP: TLPRed, Content: []byte{0}}, c.alpha)
	ops["ack"] = mustSign(t, c.first(KindAck), &Ack{}, c.charlie)
	ops["ack-chain"] = mustSign(t, c.after(adv1, KindAck, ops["vote-revoke"].Hash(), ops["leave"].Hash()), &Ack{}, c.bravo)
	return ops
}

func TestRoundTrip(t *testing.T) {
	c := newCircle(t)
	for name, o := range validOps(t, c) {
		t.Run(name, func(t *testing.T) {
			raw := o.Bytes()
			if len(raw) == 0 || o.Hash().IsZero() {
				t.Fatalf("Sign left the op unsealed")
			}
			if err := o.Verify(); err != nil {
				t.Fatalf("Verify of a signed op: %v", err)
			}
			got, err := Decode(raw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Hash() != o.Hash() || !bytes.Equal(got.Bytes(), raw) {
				t.Fatalf("Decode changed the op: hash %s, want %s", got.Hash().Short(), o.Hash().Short())
			}
			if want := sum("", raw); got.Hash() != want {
				t.Fatalf("hash is not the SHA-256 of the encoding")
			}
			if got.Kind != o.Kind || got.Author != o.Author || got.Seq != o.Seq || got.TS != o.TS {
				t.Fatalf("Decode changed a field: %+v", got)
			}
			if got.Content().Kind() != o.Kind {
				t.Fatalf("Content is a %T for kind %s", got.Content(), o.Kind)
			}
			if b := mustMarshal(got.Content()); !bytes.Equal(b, o.Body) {
				t.Fatalf("decoded body re-encodes differently")
			}
			if err := got.Verify(); err != nil {
				t.Fatalf("Verify after Decode: %v", err)
			}
			opened, err := Open(raw, c.group)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if opened.Hash() != o.Hash() || !bytes.Equal(opened.Bytes(), raw) {
				t.Fatalf("Open changed the op")
			}
			// Bytes must not alias the caller's buffer.
			buf := slices.Clone(raw)
			d, err := Decode(buf)
			if err != nil {
				t.Fatal(err)
			}
			buf[len(buf)-1] ^= 0xff
			if d.Hash() != o.Hash() || !bytes.Equal(d.Bytes(), raw) {
				t.Fatalf("the decoded op shares the input buffer")
			}
		})
	}
}

func TestKindsCovered(t *testing.T) {
	c := newCircle(t)
	seen := map[Kind]bool{}
	motions := map[MotionKind]bool{}
	for _, o := range validOps(t, c) {
		seen[o.Kind] = true
		if v, ok := o.Content().(*Vote); ok {
			motions[v.Motion.Kind] = true
		}
	}
	for k := KindGenesis; k <= KindAck; k++ {
		if !seen[k] {
			t.Errorf("no round trip for kind %s", k)
		}
	}
	for k := MotionAdmit; k <= MotionDisavow; k++ {
		if !motions[k] {
			t.Errorf("no vote on motion %s", k)
		}
	}
}

func TestCheckChain(t *testing.T) {
	c := newCircle(t)
	ops := validOps(t, c)
	first, second := ops["advisory"], ops["advisory-chain"]
	other := ops["leave-empty"] // bravo's seq 1 too, but not the named prev
	alphaFirst := ops["vote-revoke"]

	// An op by another author with the prev hash and seq 1.
	impostor := mustSign(t, c.first(KindAdvisory), advisory(0), c.alpha)
	o := *second
	h := impostor.Hash()
	o.Prev = &h

	// A prev with the right hash, author and hash but seq 2.
	seq2 := *first
	seq2.Seq = 2

	tests := []struct {
		name    string
		o, prev *Op
		want    error
	}{
		{"first op, no prev", first, nil, nil},
		{"genesis, no prev", c.genesis, nil, nil},
		{"second op after its prev", second, first, nil},
		{"seq 2 without the prev op", second, nil, ErrSeqPrev},
		{"seq 1 given a prev op", first, other, ErrSeqPrev},
		{"wrong hash", second, other, ErrSeqPrev},
		{"wrong author", &o, impostor, ErrSeqPrev},
		{"wrong seq", second, &seq2, ErrSeqPrev},
		{"another author's op", second, alphaFirst, ErrSeqPrev},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckChain(tt.o, tt.prev); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("CheckChain = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCheckGroup(t *testing.T) {
	c := newCircle(t)
	ops := validOps(t, c)
	// A second genesis of the same founders, differing only in its clock.
	g := genesisBody(c.alpha, c.bravo, c.charlie)
	cosignAt(t, g, testTS+1, c.alpha, c.bravo, c.charlie)
	second := mustSign(t, &Op{Seq: 1, Kind: KindGenesis, TS: testTS + 1}, g, c.alpha)
	if second.Hash() == c.group {
		t.Fatal("test setup: the second genesis has the first one's hash")
	}
	foreignGroup := second.Hash()

	tests := []struct {
		name  string
		o     *Op
		group Hash
		want  error
	}{
		{"genesis of the circle", c.genesis, c.group, nil},
		{"op of the circle", ops["advisory"], c.group, nil},
		{"a second genesis", second, c.group, ErrWrongGroup},
		{"genesis against the zero group", c.genesis, Hash{}, ErrWrongGroup},
		{"op of another circle", ops["advisory"], foreignGroup, ErrWrongGroup},
		{"op against the zero group", ops["leave"], Hash{}, ErrWrongGroup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.CheckGroup(tt.group)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("CheckGroup = %v, want %v", err, tt.want)
			}
			_, err = Open(tt.o.Bytes(), tt.group)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Open = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSortPreds(t *testing.T) {
	a, b, c := Hash{1}, Hash{2}, Hash{3}
	got := SortPreds([]Hash{c, a, b, a, c})
	if !slices.Equal(got, []Hash{a, b, c}) {
		t.Fatalf("SortPreds = %v", got)
	}
}

func TestParseHex(t *testing.T) {
	h := sum("", []byte("x"))
	k := KeyOf(testKey("alpha"))
	if got, err := ParseHash(h.String()); err != nil || got != h {
		t.Fatalf("ParseHash(String()) = %v, %v", got, err)
	}
	if got, err := ParseKey(k.String()); err != nil || got != k {
		t.Fatalf("ParseKey(String()) = %v, %v", got, err)
	}
	for _, s := range []string{"", "zz", h.String()[:62], h.String() + "00", "g" + h.String()[1:]} {
		if _, err := ParseHash(s); !errors.Is(err, ErrBadHex) {
			t.Errorf("ParseHash(%q) = %v, want ErrBadHex", s, err)
		}
		if _, err := ParseKey(s); !errors.Is(err, ErrBadHex) {
			t.Errorf("ParseKey(%q) = %v, want ErrBadHex", s, err)
		}
	}
}

func TestGenesisSignatures(t *testing.T) {
	c := newCircle(t)
	g := genesisBody(c.alpha, c.bravo, c.charlie)
	if got := g.MissingSignatures(testTS); len(got) != 3 {
		t.Fatalf("unsigned genesis misses %d signatures, want 3", len(got))
	}
	cosign(t, g, c.bravo)
	if got := g.MissingSignatures(testTS); !slices.Equal(got, []Key{KeyOf(c.alpha), KeyOf(c.charlie)}) {
		t.Fatalf("MissingSignatures = %v", got)
	}
	if err := SignGenesis(g, testTS, c.candidate); !errors.Is(err, ErrInvalidBody) {
		t.Fatalf("SignGenesis by a non-founder = %v, want ErrInvalidBody", err)
	}
	cosign(t, g, c.charlie, c.alpha)
	if got := g.MissingSignatures(testTS); len(got) != 0 {
		t.Fatalf("fully signed genesis misses %v", got)
	}
}

func TestChangeQuorum(t *testing.T) {
	c := DefaultCharter("x")
	for n := 1; n <= 30; n++ {
		// max(ceil(2n/3), 4), computed by counting.
		ceil := 0
		for 3*ceil < 2*n {
			ceil++
		}
		if got, want := c.ChangeQuorum(n), max(ceil, 4); got != want {
			t.Errorf("ChangeQuorum(%d) = %d, want %d", n, got, want)
		}
	}
	c.Change = 7
	if got := c.ChangeQuorum(100); got != 7 {
		t.Errorf("explicit ChangeQuorum = %d, want 7", got)
	}
}

// The signing bytes a decoded op derives from its encoding are those Sign
// encoded, for every kind; a genesis and an op still being signed encode.
func TestSignedPartIsTheEncodingWithoutSig(t *testing.T) {
	c := newCircle(t)
	for name, o := range validOps(t, c) {
		t.Run(name, func(t *testing.T) {
			got, err := Decode(o.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			cp := *got
			cp.Sig = nil
			if g, ok := got.body.(*Genesis); ok {
				cp.Body = g.withoutSigs()
			}
			want := mustMarshal(&cp)
			part, ok := got.signedPart("")
			if ok != (o.Kind != KindGenesis) {
				t.Fatalf("signedPart reported %v for a %s", ok, o.Kind)
			}
			if ok && !bytes.Equal(part, want) {
				t.Fatalf("signedPart = %x\nwant          %x", part, want)
			}
			if !bytes.Equal(got.signingBytes(), want) {
				t.Fatal("signingBytes differs from the encoding without Sig")
			}
			if !bytes.Equal(got.signedMessage(), withDomain(DomainOp, want)) {
				t.Fatal("signedMessage differs from the domain and the encoding without Sig")
			}
		})
	}
	var unsigned Op
	if _, ok := unsigned.signedPart(""); ok {
		t.Fatal("signedPart of an op with no encoding reported true")
	}
}
