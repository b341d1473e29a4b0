package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/kring-circle/kring/protocol"
)

// charterFile is charter.toml: the circle's constitution as the founders
// write it (kring genesis template prints a commented one), and a proposed
// new version of it (kring charter propose).
type charterFile struct {
	Name         string            `toml:"name"`
	Version      uint64            `toml:"version"`
	K            uint32            `toml:"k"`
	S            uint32            `toml:"s"`
	R            uint32            `toml:"r"`
	C            uint32            `toml:"c"`
	AckInterval  string            `toml:"ack_interval"`
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
# founder signs it. Unknown keys are an error.
#
# Once the genesis is signed, every field can be changed only by a vote, a
# charter change: a member proposes the whole next version
# (kring charter propose FILE) and it takes effect once c' members have
# voted for it: the charter's c, but at least a majority of the members and
# at most all of them (kring charter show says what each threshold means
# for the circle's size today). The fields marked HARD TO CHANGE LATER (k, s, r, c and
# ack_interval) decide how every later decision is taken, the next charter
# change included, or how the log settles; choose them for the size the
# circle expects to reach. The texts (name, requirements, TLP policy,
# cadence, topics) are easier to amend when the members meet, but still
# only by that vote.

# The circle's name, as every member's kring status shows it: replace the
# example by your circle's own.
name = "Example energy sector circle"

# k: endorsements (votes on an application, each citing vetting evidence)
# needed to admit an applicant. HARD TO CHANGE LATER.
k = 3
# s: votes needed to suspend a member network-wide (every node disconnects
# and refuses it until an unsuspension). At least 2 count, whatever s says.
# HARD TO CHANGE LATER.
s = 2
# r: votes needed to revoke a member for good, or to lift a suspension. At
# least 2 count, whatever r says. HARD TO CHANGE LATER.
r = 3
# c: votes needed to change the charter; 0 means max(ceil(2n/3), 4) for a
# circle of n members. Never fewer than a majority of the members count.
# HARD TO CHANGE LATER: a change of c itself needs c' votes.
c = 0

# ack_interval: a member's node that has signed nothing for this long signs a
# small acknowledgement, so that quiet members still settle the log (an op is
# settled once enough members have acknowledged it, and backdating reaches
# only what is not settled). A Go duration between "1h" and "744h" (31 days;
# Go durations have no days). The default, "24h", costs about 365 small ops a
# year per quiet member and suits a circle that meets monthly: shorter settles
# the log sooner at more ops, longer leaves recent history open longer.
# HARD TO CHANGE LATER (needs a charter change).
ack_interval = "24h"

# How members handle information under the Traffic Light Protocol 2.0
# (CLEAR, GREEN, AMBER, AMBER+STRICT, RED). The labels are a promise between
# members: Kring signs each advisory with its label and shows the label
# everywhere, but every member's node can read every advisory it holds. Kring
# cannot yet encrypt an advisory to named recipients (that is planned), so
# today it refuses to publish TLP:RED, which would reach every member and
# future member in plaintext, unless the publisher explicitly acknowledges
# that (kring publish --plaintext-red).
tlp_policy = """
Advisories default to TLP:AMBER. TLP:RED is shared only with the named
recipients, out of band until Kring can encrypt it to them. Only TLP:CLEAR
may leave the circle unmarked."""

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

// charterKeysHint names where a charter file's keys are documented.
const charterKeysHint = "`kring genesis template` shows every key"

// loadCharter reads and checks a genesis charter file.
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

// parseCharter decodes a genesis charter.toml strictly over the default
// thresholds: version 1, k, s and r 3, 2 and 3 when absent.
func parseCharter(b []byte) (protocol.Charter, error) {
	def := protocol.DefaultCharter("")
	f := charterFile{K: def.Admit, S: def.Suspend, R: def.Revoke, C: def.Change}
	keys, err := decodeCharterFile(b, &f)
	if err != nil {
		return protocol.Charter{}, err
	}
	if keys["version"] && f.Version != 1 {
		return protocol.Charter{}, fmt.Errorf("version = %d: a genesis holds version 1 of the charter; leave version out", f.Version)
	}
	f.Version = 1
	return f.charter()
}

// parseProposal decodes a proposed charter.toml strictly: the whole new
// charter, name, k, s and r required, c and ack_interval their defaults
// when absent, and the version the one after inForce's (filled in when
// absent, refused when another).
func parseProposal(b []byte, inForce protocol.Charter) (protocol.Charter, error) {
	return parseProposalAfter(b, inForce, 0)
}

// parseProposalAfter is parseProposal while version pending (0 for none)
// is enacted and waits to settle: a proposal then follows it.
func parseProposalAfter(b []byte, inForce protocol.Charter, pending uint64) (protocol.Charter, error) {
	var f charterFile
	keys, err := decodeCharterFile(b, &f)
	if err != nil {
		return protocol.Charter{}, err
	}
	for _, k := range []string{"name", "k", "s", "r"} {
		if !keys[k] {
			return protocol.Charter{}, fmt.Errorf("%s is missing: the file is the whole new charter (`kring charter show --toml` prints the one in force to start from)", k)
		}
	}
	next := max(inForce.Version, pending) + 1
	switch {
	case !keys["version"]:
		f.Version = next
	case f.Version != next && pending > inForce.Version:
		return protocol.Charter{}, fmt.Errorf("version = %d, but version %d is enacted and waits to settle: a proposal is version %d (or leave version out and it is filled in)", f.Version, pending, next)
	case f.Version != next:
		return protocol.Charter{}, fmt.Errorf("version = %d, but the charter in force is version %d: a proposal is version %d (or leave version out and it is filled in)", f.Version, inForce.Version, next)
	}
	return f.charter()
}

// decodeCharterFile decodes b strictly into f and returns the top-level
// keys b sets.
func decodeCharterFile(b []byte, f *charterFile) (map[string]bool, error) {
	var doc map[string]any
	if err := toml.Unmarshal(b, &doc); err == nil {
		// go-toml's own message for a wrong type does not say which
		// key it is about.
		if v, ok := doc["ack_interval"]; ok {
			if _, isString := v.(string); !isString {
				return nil, fmt.Errorf("ack_interval is a TOML %s, not a duration: write it as a string such as \"24h\"", tomlType(v))
			}
		}
	}
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, describeTOMLError(err, charterKeysHint)
	}
	keys := map[string]bool{}
	for k := range doc {
		keys[k] = true
	}
	return keys, nil
}

// tomlType names the TOML type of a decoded value.
func tomlType(v any) string {
	switch v.(type) {
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "table"
	}
	return fmt.Sprintf("%T", v)
}

// charter checks the file's values and returns the charter they make.
func (f charterFile) charter() (protocol.Charter, error) {
	switch {
	case strings.TrimSpace(f.Name) == "":
		return protocol.Charter{}, fmt.Errorf("name is empty: give the circle a name")
	case f.K == 0 || f.S == 0 || f.R == 0:
		return protocol.Charter{}, fmt.Errorf("k, s and r must be at least 1")
	case max(f.K, f.S, f.R, f.C) > protocol.MaxVotes:
		return protocol.Charter{}, fmt.Errorf("a threshold is above %d", protocol.MaxVotes)
	case len(f.Name) > protocol.MaxShortText || len(f.Cadence) > protocol.MaxShortText:
		return protocol.Charter{}, fmt.Errorf("name and cadence may be at most %d bytes", protocol.MaxShortText)
	case len(f.TLPPolicy) > protocol.MaxLongText:
		return protocol.Charter{}, fmt.Errorf("tlp_policy is %d bytes, at most %d", len(f.TLPPolicy), protocol.MaxLongText)
	case len(f.Requirements) > protocol.MaxListItems || len(f.Topics) > protocol.MaxListItems:
		return protocol.Charter{}, fmt.Errorf("at most %d requirements and %d topics", protocol.MaxListItems, protocol.MaxListItems)
	}
	ack, err := parseAckInterval(f.AckInterval)
	if err != nil {
		return protocol.Charter{}, err
	}
	c := protocol.Charter{Name: f.Name, Version: f.Version, Admit: f.K, Suspend: f.S, Revoke: f.R, Change: f.C,
		AckInterval: ack, TLPPolicy: f.TLPPolicy, Cadence: f.Cadence}
	seen := map[string]bool{}
	for i, r := range f.Requirements {
		switch {
		case r.ID == "" || r.Text == "":
			return protocol.Charter{}, fmt.Errorf("requirements[%d] needs an id and a text", i)
		case seen[r.ID]:
			return protocol.Charter{}, fmt.Errorf("requirement id %q appears twice: make each id unique", r.ID)
		case len(r.ID) > protocol.MaxShortText || len(r.Text) > protocol.MaxLongText:
			return protocol.Charter{}, fmt.Errorf("requirement %q is too long: ids at most %d bytes, texts %d", r.ID, protocol.MaxShortText, protocol.MaxLongText)
		}
		seen[r.ID] = true
		c.Requirements = append(c.Requirements, protocol.Requirement{ID: r.ID, Text: r.Text})
	}
	seen = map[string]bool{}
	for _, t := range f.Topics {
		switch {
		case strings.TrimSpace(t) == "":
			return protocol.Charter{}, fmt.Errorf("topics holds an empty topic: remove it")
		case seen[t]:
			return protocol.Charter{}, fmt.Errorf("topic %q appears twice: list each topic once", t)
		case len(t) > protocol.MaxShortText:
			return protocol.Charter{}, fmt.Errorf("topic %q is over %d bytes", t, protocol.MaxShortText)
		}
		seen[t] = true
		c.Topics = append(c.Topics, t)
	}
	return c, nil
}

// parseAckInterval parses ack_interval, a Go duration of whole seconds
// between protocol.MinAckInterval and MaxAckInterval; "" is 0, the
// default.
func parseAckInterval(s string) (uint32, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("ack_interval = %q is not a duration such as \"24h\" or \"168h\" (Go durations have no days: 31 days is \"744h\")", s)
	case d%time.Second != 0:
		return 0, fmt.Errorf("ack_interval = %q is not a whole number of seconds", s)
	case d < protocol.MinAckInterval*time.Second || d > protocol.MaxAckInterval*time.Second:
		return 0, fmt.Errorf("ack_interval = %q is outside 1h to 744h (31 days)", s)
	}
	return uint32(d / time.Second), nil
}

// formatSeconds writes a duration in seconds as Go does, without the zero
// minutes and seconds: "24h", "1h30m", "744h".
func formatSeconds(secs uint32) string {
	s := (time.Duration(secs) * time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
