package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// charterFile is charter.toml: the circle's constitution as the founders
// write it (kring genesis template prints a commented one), and a proposed
// new version of it (kring charter propose; kring charter show --toml
// prints one). Its keys are those of the API's charter document, but for
// the acknowledgement interval, which the file writes as a duration; the
// thresholds' old names are read for one release.
type charterFile struct {
	api.CharterDoc
	AckInterval string `toml:"ack_interval"`
	OldThresholds
}

// charterTemplate is what kring genesis template prints.
const charterTemplate = `# Kring circle charter (version 1, in the genesis). Founders agree on it,
# kring genesis draft --charter charter.toml puts it in the genesis, and every
# founder signs it. Unknown keys are an error.
#
# Once the genesis is signed, every field can be changed only by a vote, a
# charter change: a member proposes the whole next version
# (kring charter propose FILE) and it takes effect once c' members have
# voted for it: the charter's change threshold, but at least a majority of
# the members and at most all of them (kring charter show says what each
# threshold means for the circle's size today). The fields marked
# HARD TO CHANGE LATER (admit, suspend, revoke, change and ack_interval) decide how
# every later decision is taken, the next charter change included, or how
# the log settles; choose them for the size the circle expects to reach.
# The texts (name, requirements, TLP policy, cadence, topics) are easier to
# amend when the members meet, but still only by that vote. (Until this
# release the thresholds were called k, s, r and c; this release still
# reads those names, with a warning.)

# The circle's name, as every member's kring status shows it: replace the
# example by your circle's own.
name = "Example energy sector circle"

# admit: endorsements (votes on an application, each citing vetting
# evidence) needed to admit an applicant. HARD TO CHANGE LATER.
admit = 3
# suspend: votes needed to suspend a member network-wide (every node
# disconnects and refuses it until an unsuspension). At least 2 count,
# whatever suspend says. HARD TO CHANGE LATER.
suspend = 2
# revoke: votes needed to revoke a member for good, or to lift a
# suspension. At least 2 count, whatever revoke says. HARD TO CHANGE LATER.
revoke = 3
# change: votes needed to change the charter; 0 means max(ceil(2n/3), 4)
# for a circle of n members. Never fewer than a majority of the members
# count. HARD TO CHANGE LATER: changing it needs c' votes too.
change = 0

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

// loadCharter reads and checks a genesis charter file, telling warn of
// the old threshold names it uses.
func loadCharter(path string, warn io.Writer) (protocol.Charter, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return protocol.Charter{}, usageErrorf("charter: %v: write one with `kring genesis template > charter.toml`", err)
	}
	c, old, err := parseCharter(b)
	if err != nil {
		return protocol.Charter{}, usageErrorf("charter %s: %v", path, err)
	}
	warnOldNames(warn, path, old)
	return c, nil
}

// parseCharter decodes a genesis charter.toml strictly over the default
// thresholds: version 1, admit, suspend and revoke 3, 2 and 3 when absent.
// It returns the old threshold names the file uses.
func parseCharter(b []byte) (protocol.Charter, []rename, error) {
	def := protocol.DefaultCharter("")
	f := charterFile{CharterDoc: api.CharterDoc{Admit: def.Admit, Suspend: def.Suspend, Revoke: def.Revoke, Change: def.Change}}
	keys, old, err := decodeCharterFile(b, &f)
	if err != nil {
		return protocol.Charter{}, nil, err
	}
	if keys["version"] && f.Version != 1 {
		return protocol.Charter{}, nil, fmt.Errorf("version = %d: a genesis holds version 1 of the charter; leave version out", f.Version)
	}
	f.Version = 1
	c, err := f.charter()
	return c, old, err
}

// parseProposal decodes a proposed charter.toml strictly: the whole new
// charter, name, admit, suspend and revoke required, change and
// ack_interval their defaults when absent, and the version the one after
// inForce's (filled in when absent, refused when another). It returns the
// old threshold names the file uses.
func parseProposal(b []byte, inForce protocol.Charter) (protocol.Charter, []rename, error) {
	return parseProposalAfter(b, inForce, 0)
}

// parseProposalAfter is parseProposal while version pending (0 for none)
// is enacted and waits to settle: a proposal then follows it.
func parseProposalAfter(b []byte, inForce protocol.Charter, pending uint64) (protocol.Charter, []rename, error) {
	var f charterFile
	keys, old, err := decodeCharterFile(b, &f)
	if err != nil {
		return protocol.Charter{}, nil, err
	}
	for _, k := range []string{"name", "admit", "suspend", "revoke"} {
		if !keys[k] {
			return protocol.Charter{}, nil, fmt.Errorf("%s is missing: the file is the whole new charter (`kring charter show --toml` prints the one in force to start from)", k)
		}
	}
	next := max(inForce.Version, pending) + 1
	switch {
	case !keys["version"]:
		f.Version = next
	case f.Version != next && pending > inForce.Version:
		return protocol.Charter{}, nil, fmt.Errorf("version = %d, but version %d is enacted and waits to settle: a proposal is version %d (or leave version out and it is filled in)", f.Version, pending, next)
	case f.Version != next:
		return protocol.Charter{}, nil, fmt.Errorf("version = %d, but the charter in force is version %d: a proposal is version %d (or leave version out and it is filled in)", f.Version, inForce.Version, next)
	}
	c, err := f.charter()
	return c, old, err
}

// decodeCharterFile decodes b strictly into f and returns the top-level
// keys b sets, a threshold's name now standing for its old name, and the
// old names it uses. A file that sets one threshold under both names is
// refused.
func decodeCharterFile(b []byte, f *charterFile) (map[string]bool, []rename, error) {
	var doc map[string]any
	if err := toml.Unmarshal(b, &doc); err == nil {
		// go-toml's own message for a wrong type does not say which
		// key it is about.
		if v, ok := doc["ack_interval"]; ok {
			if _, isString := v.(string); !isString {
				return nil, nil, fmt.Errorf("ack_interval is a TOML %s, not a duration: write it as a string such as \"24h\"", tomlType(v))
			}
		}
	}
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, nil, describeTOMLError(err, charterKeysHint)
	}
	keys := map[string]bool{}
	for k := range doc {
		keys[k] = true
	}
	old, err := oldNamesIn(keys, thresholdRenames)
	if err != nil {
		return nil, nil, err
	}
	f.OldThresholds.into(&f.CharterDoc)
	return keys, old, nil
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
	case f.Admit == 0 || f.Suspend == 0 || f.Revoke == 0:
		return protocol.Charter{}, fmt.Errorf("admit, suspend and revoke must be at least 1")
	case max(f.Admit, f.Suspend, f.Revoke, f.Change) > protocol.MaxVotes:
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
	}
	c := f.CharterDoc.Charter()
	c.AckInterval = ack
	return c, nil
}

// renderCharterTOML writes c as a charter.toml that parseProposal reads
// back as c's next version: without the version, which propose fills in.
func renderCharterTOML(c protocol.Charter) ([]byte, error) {
	f := charterFile{CharterDoc: api.CharterDocOf(c), AckInterval: formatSeconds(c.AckSeconds())}
	f.Version = 0
	var b bytes.Buffer
	fmt.Fprintf(&b, "# The charter in force, version %d. Edit it and propose it as version %d with\n", c.Version, c.Version+1)
	fmt.Fprintf(&b, "# `kring charter propose FILE`; `kring genesis template` explains every key.\n")
	enc := toml.NewEncoder(&b)
	enc.SetIndentTables(false)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
