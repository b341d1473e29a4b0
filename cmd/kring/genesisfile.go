package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// readGenesis reads and checks a genesis file: a genesis op signed by
// founder #1 and by every founder, armored (armor.go) or binary.
func readGenesis(path string) (*protocol.Op, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, identityErrorf("no genesis at %s: founders run `kring genesis finalize`, applicants `kring apply --genesis FILE`", path)
	}
	if err != nil {
		return nil, identityErrorf("genesis: %v", err)
	}
	op, err := decodeGenesis(b)
	if err != nil && isDraft(b) {
		return nil, identityErrorf("genesis %s: this is a draft, not the genesis: run `kring genesis finalize %s --out %s` first (once every founder has signed), then use the %s it writes",
			path, path, genesisFile, genesisFile)
	}
	if err != nil {
		return nil, identityErrorf("genesis %s: %v", path, err)
	}
	return op, nil
}

// isDraft reports whether b looks like a genesis draft
// (genesis.draft.json), even a damaged one, rather than a genesis op.
func isDraft(b []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) && bytes.Contains(b, []byte(strings.TrimSuffix(draftFormat, "1")))
}

// notGenesisHint ends the errors of a file that is not a genesis.
const notGenesisHint = "use the genesis.kring that `kring genesis finalize` wrote"

// decodeGenesis checks that b, armored or binary, is a fully signed
// genesis op.
func decodeGenesis(b []byte) (*protocol.Op, error) {
	kind, body, err := unarmor(b)
	if err != nil {
		return nil, fmt.Errorf("not a kring genesis: %v: %s", err, notGenesisHint)
	}
	if kind != "" && kind != armorGenesis {
		return nil, fmt.Errorf("%s, not a genesis: %s", armorName(kind), notGenesisHint)
	}
	op, err := protocol.Decode(body)
	if err != nil {
		if _, aerr := protocol.DecodeApplication(body); aerr == nil {
			return nil, fmt.Errorf("an application, not a genesis: %s", notGenesisHint)
		}
		return nil, fmt.Errorf("not a kring genesis (%v): %s", err, notGenesisHint)
	}
	if !op.IsGenesis() {
		return nil, fmt.Errorf("a %s op, not a genesis: %s", op.Kind, notGenesisHint)
	}
	if err := op.Verify(); err != nil {
		g, _ := op.Content().(*protocol.Genesis)
		if g != nil {
			if absent, bad := failedSignatures(g, op.TS); len(bad) > 0 {
				return nil, fmt.Errorf("the signatures of %s do not verify: the genesis was altered after they signed it, or damaged: get it from the founders again", names(g, bad))
			} else if len(absent) > 0 {
				return nil, fmt.Errorf("not signed by %s: get the fully signed genesis from the founders", names(g, absent))
			}
		}
		return nil, fmt.Errorf("signature check failed (%v): get the genesis from the founders again", err)
	}
	return op, nil
}

// decodeApplication checks that b, armored or binary, is an application
// signed by its applicant.
func decodeApplication(b []byte) (*protocol.Application, error) {
	kind, body, err := unarmor(b)
	if err != nil {
		return nil, fmt.Errorf("not a kring application: %v", err)
	}
	if kind != "" && kind != armorApplication {
		return nil, fmt.Errorf("%s, not an application", armorName(kind))
	}
	app, err := protocol.DecodeApplication(body)
	if err != nil {
		if op, oerr := protocol.Decode(body); oerr == nil && op.IsGenesis() {
			return nil, fmt.Errorf("a genesis, not an application")
		}
		return nil, err
	}
	return app, nil
}

// failedSignatures splits the founders whose signatures of g (sealed at
// ts) fail into those who have not signed (absent) and those whose
// signature is there but does not verify (bad).
func failedSignatures(g *protocol.Genesis, ts int64) (absent, bad []protocol.Key) {
	idx := map[protocol.Key]int{}
	for i, f := range g.Founders {
		idx[f.Key] = i
	}
	for _, k := range g.MissingSignatures(ts) {
		if i := idx[k]; i < len(g.Sigs) && len(g.Sigs[i]) > 0 {
			bad = append(bad, k)
		} else {
			absent = append(absent, k)
		}
	}
	return absent, bad
}

// names lists the founders with the given keys.
func names(g *protocol.Genesis, keys []protocol.Key) string {
	var out []string
	for _, k := range keys {
		n := k.Short()
		for _, f := range g.Founders {
			if f.Key == k {
				n = f.Profile.Name + " (" + k.Short() + ")"
			}
		}
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}

// ackText renders a charter's acknowledgement interval, saying when it is
// the default.
func ackText(c protocol.Charter) string {
	if c.AckInterval == 0 {
		return formatSeconds(c.AckSeconds()) + " (the default)"
	}
	return formatSeconds(c.AckInterval)
}

// printGenesis describes a genesis for people.
func printGenesis(w io.Writer, g *protocol.Genesis, signed func(i int) bool) error {
	c := g.Charter
	change := fmt.Sprint(c.Change)
	if c.Change == 0 {
		change = "default max(ceil(2n/3), 4)"
	}
	fmt.Fprintf(w, "Charter %q version %d\n", c.Name, c.Version)
	fmt.Fprintf(w, "  admit=%d endorsements to admit, suspend=%d votes to suspend, revoke=%d votes to revoke, change=%s to change the charter\n",
		c.Admit, c.Suspend, c.Revoke, change)
	fmt.Fprintf(w, "  ack_interval %s: a node that has signed nothing for this long signs an acknowledgement\n", ackText(c))
	for _, r := range c.Requirements {
		fmt.Fprintf(w, "  requirement %s: %s\n", r.ID, r.Text)
	}
	if c.TLPPolicy != "" {
		fmt.Fprintf(w, "  TLP policy: %s\n", strings.Join(strings.Fields(c.TLPPolicy), " "))
	}
	if c.Cadence != "" {
		fmt.Fprintf(w, "  cadence: %s\n", c.Cadence)
	}
	if len(c.Topics) > 0 {
		fmt.Fprintf(w, "  topics: %s\n", strings.Join(c.Topics, "; "))
	}
	fmt.Fprintf(w, "Founders:\n")
	for i, f := range g.Founders {
		mark := "signed"
		if !signed(i) {
			mark = "NOT SIGNED"
		}
		_, err := fmt.Fprintf(w, "  #%d %-30s %s  %s\n", i+1, f.Profile.Name, f.Key, mark)
		if err != nil {
			return err
		}
	}
	return nil
}
