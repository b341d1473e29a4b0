package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// draftFormat names the draft file format.
const draftFormat = "kring-genesis-draft/1"

// Errors of the genesis draft workflow.
var (
	// errNotFounder: the signer is not among the draft's founders.
	errNotFounder = errors.New("you are not a founder in this draft")
	// errAltered: a signature in the draft does not verify: the draft
	// changed after someone signed it.
	errAltered = errors.New("the draft was altered after it was signed")
	// errNotDraft: the file is JSON, but not a genesis draft of this
	// format.
	errNotDraft = errors.New("not a genesis draft")
	// errUnsigned: founders have not signed yet.
	errUnsigned = errors.New("not every founder has signed")
	// errNotYourCard: the draft's entry for the signer is not the
	// signer's own member card.
	errNotYourCard = errors.New("the draft does not list you as you are")
)

// cardDiff names the fields in which two member cards differ, in the
// card's JSON names; an empty list and none are the same.
func cardDiff(a, b card) []string {
	var diff []string
	add := func(name string, same bool) {
		if !same {
			diff = append(diff, name)
		}
	}
	add("key", a.Key == b.Key)
	add("enc_key", a.EncKey == b.EncKey)
	add("name", a.Profile.Name == b.Profile.Name)
	add("sector", a.Profile.Sector == b.Profile.Sector)
	add("contact", a.Profile.Contact == b.Profile.Contact)
	add("role", a.Profile.Role == b.Profile.Role)
	add("expertise", slices.Equal(a.Profile.Expertise, b.Profile.Expertise))
	add("claims", slices.Equal(a.Profile.Claims, b.Profile.Claims))
	add("addrs", slices.Equal(a.Addrs, b.Addrs))
	return diff
}

// draft is genesis.draft.json: a genesis on its way from founder to
// founder. Founder #1 signs the op and the genesis when drafting; each
// founder adds a signature; anyone finalizes it into the genesis op.
type draft struct {
	Format   string       `json:"format"`
	Charter  draftCharter `json:"charter"`
	Founders []card       `json:"founders"`
	// TS is the genesis op's time, Unix milliseconds.
	TS int64 `json:"ts"`
	// OpSig is founder #1's signature of the genesis op, hex.
	OpSig string `json:"op_sig"`
	// Sigs are the founders' signatures in founder order, hex; "" for a
	// founder who has not signed.
	Sigs []string `json:"sigs"`
}

// draftCharter is the charter in a draft: the API's charter document,
// exact (ack_interval_seconds is 0 when the charter leaves the interval to
// the default), so that it gives back the charter the founders sign. A
// draft of the release before names the thresholds k, s, r and c and
// writes ack_interval as a duration: readDraft reads those for one
// release, and they are never written.
type draftCharter struct {
	api.CharterDoc
	OldThresholds
	OldAckInterval *string `json:"ack_interval,omitempty"`
}

// draftRenames are the old keys of a draft's charter.
var draftRenames = append(slices.Clone(thresholdRenames), rename{"ack_interval", "ack_interval_seconds"})

// draftCharterOf renders c for a draft.
func draftCharterOf(c protocol.Charter) draftCharter {
	return draftCharter{CharterDoc: api.CharterDocOf(c)}
}

// upgrade moves the values a draft of the release before set under old
// names to their names now.
func (j *draftCharter) upgrade() error {
	j.OldThresholds.into(&j.CharterDoc)
	if j.OldAckInterval != nil {
		ack, err := parseAckInterval(*j.OldAckInterval)
		if err != nil {
			return err
		}
		j.AckIntervalSeconds, j.OldAckInterval = ack, nil
	}
	return nil
}

// newDraft drafts a genesis: priv must be founders[0]'s key (the
// initiator), who signs the op and the genesis at once.
func newDraft(c protocol.Charter, founders []protocol.Member, ts int64, priv ed25519.PrivateKey) (*draft, error) {
	if len(founders) == 0 || founders[0].Key != protocol.KeyOf(priv) {
		return nil, errors.New("the initiator must be founder #1")
	}
	seen := map[protocol.Key]string{}
	for _, f := range founders {
		if other, ok := seen[f.Key]; ok {
			return nil, fmt.Errorf("%s and %s have the same key: pass each founder once", other, f.Profile.Name)
		}
		seen[f.Key] = f.Profile.Name
	}
	g := &protocol.Genesis{Charter: c, Founders: founders}
	opSig, err := protocol.SignGenesisOp(g, ts, priv)
	if err != nil {
		return nil, err
	}
	if err := protocol.SignGenesis(g, ts, priv); err != nil {
		return nil, err
	}
	d := &draft{Format: draftFormat, Charter: draftCharterOf(c), TS: ts, OpSig: hex.EncodeToString(opSig)}
	for _, f := range founders {
		d.Founders = append(d.Founders, cardOf(f))
	}
	d.setSigs(g)
	return d, nil
}

func (d *draft) setSigs(g *protocol.Genesis) {
	d.Sigs = make([]string, len(g.Founders))
	for i := range g.Founders {
		if i < len(g.Sigs) {
			d.Sigs[i] = hex.EncodeToString(g.Sigs[i])
		}
	}
}

// genesis rebuilds the Genesis the draft describes, with its signatures.
func (d *draft) genesis() (*protocol.Genesis, error) {
	if d.Format != draftFormat {
		return nil, fmt.Errorf("%w (format %q, want %q)", errNotDraft, d.Format, draftFormat)
	}
	if len(d.Founders) == 0 {
		return nil, fmt.Errorf("%w: it lists no founders (kring genesis draft writes the initiator as founder #1)", errAltered)
	}
	if len(d.Sigs) != len(d.Founders) {
		return nil, fmt.Errorf("%w: %d signature slots for %d founders", errAltered, len(d.Sigs), len(d.Founders))
	}
	g := &protocol.Genesis{Charter: d.Charter.Charter()}
	for i, c := range d.Founders {
		m, err := c.member()
		if err != nil {
			return nil, fmt.Errorf("%w: founder #%d: %w", errAltered, i+1, err)
		}
		g.Founders = append(g.Founders, m)
	}
	for i, s := range d.Sigs {
		sig, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: signature of founder #%d is not hex", errAltered, i+1)
		}
		g.Sigs = append(g.Sigs, sig)
	}
	return g, nil
}

// verify checks every signature the draft holds and returns the genesis.
func (d *draft) verify() (*protocol.Genesis, error) {
	g, err := d.genesis()
	if err != nil {
		return nil, err
	}
	unsigned := g.MissingSignatures(d.TS) // founders without a valid signature
	for i, f := range g.Founders {
		if len(g.Sigs[i]) != 0 && slices.Contains(unsigned, f.Key) {
			return nil, fmt.Errorf("%w: %s's signature no longer verifies (the charter, the founders or ts changed)", errAltered, f.Profile.Name)
		}
	}
	if len(g.Sigs[0]) == 0 {
		return nil, fmt.Errorf("%w: founder #1 (%s) has not signed", errAltered, g.Founders[0].Profile.Name)
	}
	opSig, err := hex.DecodeString(d.OpSig)
	if err != nil {
		return nil, fmt.Errorf("%w: op_sig is not hex", errAltered)
	}
	if err := protocol.VerifyGenesisOp(g, d.TS, opSig); err != nil {
		return nil, fmt.Errorf("%w: founder #1's signature of the genesis op (ts or op_sig changed)", errAltered)
	}
	return g, nil
}

// sign adds priv's founder signature to the draft after checking the
// signatures already in it, and that the draft lists this organisation as
// self, its own member card, says it is: a founder signs its own entry.
func (d *draft) sign(priv ed25519.PrivateKey, self protocol.Member) error {
	g, err := d.verify()
	if err != nil {
		return err
	}
	k := protocol.KeyOf(priv)
	found := -1
	for i, f := range g.Founders {
		if f.Key == k {
			found = i
		}
	}
	if found < 0 {
		return fmt.Errorf("%w (your key is %s)", errNotFounder, k.Short())
	}
	if diff := cardDiff(cardOf(g.Founders[found]), cardOf(self)); len(diff) > 0 {
		return fmt.Errorf("%w: founder #%d (your key %s) differs from your member card in %s",
			errNotYourCard, found+1, k.Short(), strings.Join(diff, ", "))
	}
	if err := protocol.SignGenesis(g, d.TS, priv); err != nil {
		return err
	}
	d.setSigs(g)
	return nil
}

// finalize seals the fully signed draft into the genesis op.
func (d *draft) finalize() (*protocol.Op, error) {
	g, err := d.verify()
	if err != nil {
		return nil, err
	}
	var missing []string
	for i, f := range g.Founders {
		if len(g.Sigs[i]) == 0 {
			missing = append(missing, protocol.Label(f.Profile.Name, f.Key))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: waiting for %s", errUnsigned, strings.Join(missing, ", "))
	}
	opSig, err := hex.DecodeString(d.OpSig)
	if err != nil {
		return nil, fmt.Errorf("%w: op_sig is not hex", errAltered)
	}
	op, err := protocol.SealGenesis(g, d.TS, opSig)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (ts or op_sig changed?)", errAltered, err)
	}
	return op, nil
}

// readDraft reads a draft file, telling warn of the old names its
// charter uses.
func readDraft(path string, warn io.Writer) (*draft, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("genesis draft: %v", err)
	}
	var d draft
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, identityErrorf("genesis draft %s: not a draft (%v): pass the genesis.draft.json that `kring genesis draft` wrote", path, err)
	}
	var keys struct {
		Charter map[string]json.RawMessage `json:"charter"`
	}
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, identityErrorf("genesis draft %s: not a draft (%v)", path, err)
	}
	set := map[string]bool{}
	for k := range keys.Charter {
		set[k] = true
	}
	old, err := oldNamesIn(set, draftRenames)
	if err == nil {
		err = d.Charter.upgrade()
	}
	if err != nil {
		return nil, identityErrorf("genesis draft %s: charter: %v", path, err)
	}
	warnOldNames(warn, path, old)
	return &d, nil
}

// writeDraft writes a draft file atomically.
func writeDraft(path string, d *draft) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return failuref("encoding draft: %v", err)
	}
	if err := writeFileAtomic(path, append(b, '\n'), 0o644); err != nil {
		return failuref("writing draft: %v", err)
	}
	return nil
}
