package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/pelletier/go-toml/v2"

	"github.com/kring-circle/kring/protocol"
)

// charterFile is charter.toml: the circle's constitution as the founders
// write it (kring genesis template prints a commented one).
type charterFile struct {
	Name         string            `toml:"name"`
	K            uint32            `toml:"k"`
	S            uint32            `toml:"s"`
	R            uint32            `toml:"r"`
	C            uint32            `toml:"c"`
	Requirements []requirementFile `toml:"requirements"`
	TLPPolicy    string            `toml:"tlp_policy"`
	Cadence      string            `toml:"cadence"`
	Topics       []string          `toml:"topics"`
}

type requirementFile struct {
	ID   string `toml:"id"`
	Text string `toml:"text"`
}

// charterTemplate is what kring genesis template prints.
const charterTemplate = `# Kring circle charter (version 1, in the genesis). Founders agree on it,
# kring genesis draft --charter charter.toml puts it in the genesis, and every
# founder signs it. Later changes need c members' votes. Unknown keys are an error.

# The circle's name.
name = "Example energy sector circle"

# k: endorsements (votes on an application, each citing vetting evidence)
# needed to admit an applicant.
k = 3
# s: votes needed to suspend a member network-wide (every node disconnects
# and refuses it until an unsuspension).
s = 2
# r: votes needed to revoke a member for good, or to lift a suspension.
r = 3
# c: votes needed to change the charter; 0 means max(ceil(2n/3), 4) for a
# circle of n members.
c = 0

# How members handle information under the Traffic Light Protocol 2.0
# (CLEAR, GREEN, AMBER, AMBER+STRICT, RED). Kring enforces the labels.
tlp_policy = """
Advisories default to TLP:AMBER. TLP:RED is shared only with the named
recipients. Only TLP:CLEAR may leave the circle unmarked."""

# The meeting cadence.
cadence = "monthly"

# Agenda and annual-plan topics.
topics = ["incident round-table", "threat landscape", "annual exercise"]

# The written membership requirements. Applicants answer each with a claim
# (organisation.claims in their config.toml); endorsers vet the claims.
[[requirements]]
id = "vital-clients"
text = "Serves at least three operators of vital infrastructure."

[[requirements]]
id = "senior-representative"
text = "Is represented by a senior security officer who attends the meetings."
`

// loadCharter reads and checks a charter file.
func loadCharter(path string) (protocol.Charter, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return protocol.Charter{}, usageErrorf("charter: %v: write one with `kring genesis template > charter.toml`", err)
	}
	c, err := parseCharter(b)
	if err != nil {
		return protocol.Charter{}, usageErrorf("charter %s: %v", path, err)
	}
	return c, nil
}

// parseCharter decodes charter.toml strictly over the default thresholds.
func parseCharter(b []byte) (protocol.Charter, error) {
	def := protocol.DefaultCharter("")
	f := charterFile{K: def.Admit, S: def.Suspend, R: def.Revoke, C: def.Change}
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return protocol.Charter{}, describeTOMLError(err, "`kring genesis template` shows every key")
	}
	switch {
	case f.Name == "":
		return protocol.Charter{}, fmt.Errorf("name is empty: give the circle a name")
	case f.K == 0 || f.S == 0 || f.R == 0:
		return protocol.Charter{}, fmt.Errorf("k, s and r must be at least 1")
	case max(f.K, f.S, f.R, f.C) > protocol.MaxVotes:
		return protocol.Charter{}, fmt.Errorf("a threshold is above %d", protocol.MaxVotes)
	}
	c := protocol.Charter{Name: f.Name, Version: 1, Admit: f.K, Suspend: f.S, Revoke: f.R, Change: f.C,
		TLPPolicy: f.TLPPolicy, Cadence: f.Cadence, Topics: f.Topics}
	seen := map[string]bool{}
	for i, r := range f.Requirements {
		if r.ID == "" || r.Text == "" {
			return protocol.Charter{}, fmt.Errorf("requirements[%d] needs an id and a text", i)
		}
		if seen[r.ID] {
			return protocol.Charter{}, fmt.Errorf("requirement id %q appears twice: make each id unique", r.ID)
		}
		seen[r.ID] = true
		c.Requirements = append(c.Requirements, protocol.Requirement{ID: r.ID, Text: r.Text})
	}
	return c, nil
}
