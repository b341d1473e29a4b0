package api_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// CharterDocOf renders a charter exactly, so that the CLI's genesis draft
// can carry it: Charter gives back the charter, an ack interval left to
// the default stays 0, and empty lists are [] in JSON, as the API shows
// them.
func TestCharterDocOfExact(t *testing.T) {
	for _, c := range []protocol.Charter{
		{Name: "bare", Version: 1, Admit: 3, Suspend: 2, Revoke: 3},
		{Name: "full", Version: 4, Admit: 2, Suspend: 2, Revoke: 3, Change: 5, AckInterval: 36 * 3600,
			Requirements: []protocol.Requirement{{ID: "a", Text: "A."}}, TLPPolicy: "AMBER", Cadence: "monthly", Topics: []string{"t"}},
	} {
		d := api.CharterDocOf(c)
		if got := d.Charter(); !reflect.DeepEqual(got, c) {
			t.Errorf("CharterDocOf(%s).Charter():\ngot  %+v\nwant %+v", c.Name, got, c)
		}
		if d.AckIntervalSeconds != c.AckInterval {
			t.Errorf("%s: ack_interval_seconds %d, want the charter's %d", c.Name, d.AckIntervalSeconds, c.AckInterval)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if s := string(b); strings.Contains(s, "null") || !strings.Contains(s, `"admit":`) {
			t.Errorf("%s in JSON: %s", c.Name, s)
		}
	}
}

// ProfileOf and Profile convert an organisation's profile both ways, the
// CLI's member cards and config.toml included.
func TestProfileRoundTrip(t *testing.T) {
	for _, p := range []protocol.Profile{
		{Name: "Org"},
		{Name: "Org", Sector: "energy", Contact: "soc@example.org", Role: "CISO", Expertise: []string{"ics", "malware"},
			Claims: []protocol.Claim{{Requirement: "vital-clients", Statement: "five"}}},
	} {
		pi := api.ProfileOf(p)
		if got := pi.Profile(); !reflect.DeepEqual(got, p) {
			t.Errorf("ProfileOf(%+v).Profile() = %+v", p, got)
		}
		if len(p.Expertise) > 0 {
			pi.Expertise[0] = "changed"
			if p.Expertise[0] == "changed" {
				t.Error("ProfileOf shares the profile's expertise list")
			}
		}
	}
}
