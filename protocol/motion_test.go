package protocol

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestMotionHash(t *testing.T) {
	c := newCircle(t)
	ms := c.motions(t)
	other := sum("", []byte("other evidence"))

	// Votes on one motion with different evidence, by different members,
	// share the motion's hash.
	for _, name := range slices.Sorted(maps.Keys(ms)) {
		m := ms[name]
		v1 := mustSign(t, c.first(KindVote), &Vote{Motion: m, Evidence: evidence}, c.alpha)
		v2 := mustSign(t, c.first(KindVote), &Vote{Motion: m, Evidence: other}, c.bravo)
		if v1.Hash() == v2.Hash() {
			t.Fatalf("%s: two different votes have one op hash", name)
		}
		m1 := v1.Content().(*Vote).Motion
		m2 := v2.Content().(*Vote).Motion
		if m1.Hash() != m2.Hash() || m1.Hash() != m.Hash() {
			t.Errorf("%s: votes with different evidence have different motion hashes", name)
		}
		d, err := Decode(v2.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Content().(*Vote).Motion.Hash(); got != m.Hash() {
			t.Errorf("%s: the decoded motion has another hash", name)
		}
		if want := sum(DomainMotion, mustMarshal(&m)); m.Hash() != want {
			t.Errorf("%s: Hash is not SHA-256 over the motion domain and encoding", name)
		}
	}

	// Motions that differ in any field differ in hash.
	susp := ms["suspend"]
	otherCase := susp
	otherCase.Case = []byte("case-2")
	noCase := susp
	noCase.Case = nil
	otherTarget := susp
	k := KeyOf(c.bravo)
	otherTarget.Target = &k
	revoke := susp
	revoke.Kind, revoke.Case = MotionRevoke, nil
	seen := map[Hash]string{}
	for name, m := range map[string]Motion{
		"suspend": susp, "other case": otherCase, "no case": noCase,
		"other target": otherTarget, "revoke same target": revoke,
		"admit": ms["admit"], "unsuspend": ms["unsuspend"], "charter": ms["charter"],
	} {
		if prev, ok := seen[m.Hash()]; ok {
			t.Errorf("motions %q and %q share a hash", prev, name)
		}
		seen[m.Hash()] = name
	}

	// The motion hash is domain-separated from op and application hashes.
	app := ms["admit"].Application
	if sum("", mustMarshal(&susp)) == susp.Hash() || app.ID() != sum("", mustMarshal(app)) {
		t.Errorf("hash domains are mixed up")
	}
}

func TestMotionSubject(t *testing.T) {
	c := newCircle(t)
	ms := c.motions(t)
	tests := map[string]Key{
		"admit":     KeyOf(c.candidate),
		"suspend":   KeyOf(c.charlie),
		"unsuspend": KeyOf(c.charlie),
		"revoke":    KeyOf(c.charlie),
		"charter":   {},
		"disavow":   KeyOf(c.charlie),
	}
	for name, want := range tests {
		m := ms[name]
		if got := m.Subject(); got != want {
			t.Errorf("%s: Subject = %s, want %s", name, got.Short(), want.Short())
		}
		if m.String() == "" {
			t.Errorf("%s: empty String", name)
		}
	}
}

// TestSignRejects checks that Sign refuses what Decode would reject, so
// that an honest node never publishes an op its peers refuse.
func TestSignRejects(t *testing.T) {
	c := newCircle(t)
	x := sum("", []byte("x"))
	mod := func(f func(o *Op)) *Op {
		o := c.first(KindAdvisory)
		f(o)
		return o
	}
	huge := genesisBody(c.alpha, c.bravo, c.charlie)
	for i := range huge.Founders {
		claims := make([]Claim, MaxListItems)
		for j := range claims {
			claims[j] = Claim{Requirement: "r", Statement: string(make([]byte, MaxLongText))}
		}
		huge.Founders[i].Profile.Claims = claims
	}
	badFounder := genesisBody(c.alpha, c.bravo, c.charlie)
	badFounder.Founders[2].Profile.Name = "Caf\xe9"
	badCharter := testCharter()
	badCharter.Version = 2
	badCharter.Topics = []string{"ok", "\xed\xa0\x80"} // an encoded surrogate half
	tests := []struct {
		name string
		o    *Op
		body Body
		want error
	}{
		{"nil body", c.first(KindAdvisory), nil, ErrInvalidBody},
		{"body of another kind", c.first(KindAdvisory), &Leave{}, ErrInvalidBody},
		{"invalid body", c.first(KindAdvisory), &Advisory{Title: "t", TLP: "amber"}, ErrInvalidBody},
		{"seq 1 with prev", mod(func(o *Op) { o.Prev = &c.group }), advisory(0), ErrSeqPrev},
		{"seq 2 without prev", mod(func(o *Op) { o.Seq = 2 }), advisory(0), ErrSeqPrev},
		{"preds without prev", mod(func(o *Op) { o.Seq, o.Prev = 2, &x }), advisory(0), ErrPreds},
		{"no preds", mod(func(o *Op) { o.Preds = nil }), advisory(0), ErrPreds},
		{"too many preds", mod(func(o *Op) { o.Preds = hashes(MaxPreds + 1) }), advisory(0), ErrTooManyPreds},
		{"no group", mod(func(o *Op) { o.Group = Hash{} }), advisory(0), ErrWrongGroup},
		{"op over MaxOpSize", &Op{Seq: 1, Kind: KindGenesis}, huge, ErrTooLarge},
		// Text that is not UTF-8 would encode, but every receiver's
		// decoder rejects it (ErrMalformed): Sign must refuse it too.
		{"title not UTF-8", c.first(KindAdvisory), &Advisory{Title: "caf\xe9", TLP: TLPGreen}, ErrMalformed},
		{"summary not UTF-8", c.first(KindAdvisory), &Advisory{Title: "t", Summary: "\xff", TLP: TLPGreen}, ErrMalformed},
		{"leave reason not UTF-8", c.first(KindLeave), &Leave{Reason: "\xc3\x28"}, ErrMalformed},
		{"founder name not UTF-8", &Op{Seq: 1, Kind: KindGenesis}, badFounder, ErrMalformed},
		{"charter topic not UTF-8", c.first(KindVote), &Vote{Motion: Motion{Kind: MotionCharter, Charter: &badCharter}}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Sign(tt.o, tt.body, c.bravo); !errors.Is(err, tt.want) {
				t.Fatalf("Sign = %v, want %v", err, tt.want)
			}
		})
	}
	if err := SignApplication(&Application{Member: testMember(c.candidate, "C")}, c.candidate); !errors.Is(err, ErrInvalidBody) {
		t.Fatalf("SignApplication without group = %v, want ErrInvalidBody", err)
	}
	if err := SignApplication(&Application{Group: c.group, Member: testMember(c.candidate, "\x80")}, c.candidate); !errors.Is(err, ErrMalformed) {
		t.Fatalf("SignApplication with a name that is not UTF-8 = %v, want ErrMalformed", err)
	}
}

// An Unsuspend motion names the suspensions it lifts, the twin to keep
// after an equivocation, or both; never neither.
func TestUnsuspendLiftsOrKeep(t *testing.T) {
	c := newCircle(t)
	ms := c.motions(t)
	target := KeyOf(c.charlie)
	for _, name := range []string{"unsuspend", "unsuspend-keep", "unsuspend-both"} {
		m := ms[name]
		o := mustSign(t, c.first(KindVote), &Vote{Motion: m}, c.alpha)
		d, err := Open(o.Bytes(), c.group)
		if err != nil {
			t.Fatalf("%s: Open = %v", name, err)
		}
		got := d.Content().(*Vote).Motion
		if (got.Keep == nil) != (m.Keep == nil) || (got.Keep != nil && *got.Keep != *m.Keep) || len(got.Lifts) != len(m.Lifts) {
			t.Errorf("%s: decoded motion %+v, want %+v", name, got, m)
		}
	}
	keep := ms["unsuspend-keep"]
	if s := keep.String(); !strings.Contains(s, keep.Keep.Short()) {
		t.Errorf("String of an unsuspend keeping a twin = %q, want the twin named", s)
	}
	both, lifts := ms["unsuspend-both"], ms["unsuspend"]
	if keep.Hash() == both.Hash() || keep.Hash() == lifts.Hash() {
		t.Error("unsuspend motions with other lifts or keep share a hash")
	}
	neither := Motion{Kind: MotionUnsuspend, Target: &target}
	if err := neither.validate(); !errors.Is(err, ErrInvalidBody) {
		t.Errorf("unsuspend without lifts or keep: %v, want ErrInvalidBody", err)
	}
}

func TestDisavowMotion(t *testing.T) {
	c := newCircle(t)
	m := c.motions(t)["disavow"]
	if m.Kind != 6 || m.Kind.String() != "disavow" {
		t.Fatalf("MotionDisavow = %d %q, want 6 \"disavow\"", m.Kind, m.Kind)
	}
	if m.Subject() != KeyOf(c.charlie) {
		t.Errorf("Subject = %s, want the target", m.Subject().Short())
	}
	if s := m.String(); !strings.Contains(s, "from #2") {
		t.Errorf("String = %q, want the first seq disavowed", s)
	}
	// key 7 holds From.
	if got := field(t, mustMarshal(&m), 7); !bytes.Equal(got, cborUint(2)) {
		t.Errorf("from encodes as %x under key 7, want %x", got, cborUint(2))
	}
	other := m
	other.From = 3
	if other.Hash() == m.Hash() {
		t.Error("disavowals from different seqs share a hash")
	}
	for _, from := range []uint64{1, 1 << 63} {
		ok := m
		ok.From = from
		if err := ok.validate(); err != nil {
			t.Errorf("disavow from %d: %v", from, err)
		}
	}
	zero := m
	zero.From = 0
	if err := zero.validate(); !errors.Is(err, ErrInvalidBody) {
		t.Errorf("disavow from 0: %v, want ErrInvalidBody", err)
	}
}

func TestAck(t *testing.T) {
	c := newCircle(t)
	if KindAck != 6 || KindAck.String() != "ack" || KindAck.IsMembership() {
		t.Fatalf("KindAck = %d %q membership=%v, want 6 \"ack\" false", KindAck, KindAck, KindAck.IsMembership())
	}
	o := mustSign(t, c.first(KindAck), &Ack{}, c.bravo)
	if !bytes.Equal(o.Body, []byte{0xa0}) {
		t.Fatalf("Ack body = %x, want a0", o.Body)
	}
	d, err := Open(o.Bytes(), c.group)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Content().(*Ack); !ok {
		t.Fatalf("Content of an ack is %T", d.Content())
	}
	if n := len(o.Bytes()); n > 256 {
		t.Errorf("an ack citing one head is %d bytes, want a small op", n)
	}
}

func TestCharterAckInterval(t *testing.T) {
	c := newCircle(t)
	if DefaultAckInterval != 86400 || MinAckInterval != 3600 || MaxAckInterval != 31*86400 {
		t.Fatalf("ack interval bounds %d, %d, %d", DefaultAckInterval, MinAckInterval, MaxAckInterval)
	}
	ch := testCharter()
	if got := ch.AckSeconds(); got != DefaultAckInterval {
		t.Errorf("AckSeconds of a charter without an interval = %d, want %d", got, DefaultAckInterval)
	}
	for _, e := range cborMap(t, mustMarshal(&ch)) {
		if e.key[0] == 11 {
			t.Errorf("a charter without an interval encodes key 11")
		}
	}
	for _, secs := range []uint32{MinAckInterval, DefaultAckInterval, 7 * 86400, MaxAckInterval} {
		ch := testCharter()
		ch.Version = 2
		ch.AckInterval = secs
		if got := ch.AckSeconds(); got != secs {
			t.Errorf("AckSeconds = %d, want %d", got, secs)
		}
		o := mustSign(t, c.first(KindVote), &Vote{Motion: Motion{Kind: MotionCharter, Charter: &ch}}, c.alpha)
		d, err := Open(o.Bytes(), c.group)
		if err != nil {
			t.Fatalf("a charter with an interval of %d s: %v", secs, err)
		}
		if got := d.Content().(*Vote).Motion.Charter.AckInterval; got != secs {
			t.Errorf("decoded interval %d, want %d", got, secs)
		}
		if got := field(t, mustMarshal(&ch), 11); !bytes.Equal(got, cborUint(uint64(secs))) {
			t.Errorf("interval encodes as %x under key 11", got)
		}
	}
}

// The version of the wire format is in every domain, and the protocol's
// (the wire format under the signature rule and the membership rules) in
// the sync protocol's ID: a node of wire format 1 shares no signature, hash
// or stream with this one, and a node of protocol 3 (crypto/ed25519's
// signature rule) or 2 (the version-1 rules) no stream.
func TestWireVersion2(t *testing.T) {
	for got, want := range map[string]string{
		DomainOp: "kring/op/v2", DomainGenesis: "kring/genesis/v2",
		DomainApplication: "kring/application/v2", DomainMotion: "kring/motion/v2",
		SyncProtocol: "/kring/sync/4.0.0",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}
