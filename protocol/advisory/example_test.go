package advisory_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/kring-circle/kring/protocol/advisory"
)

// TestDocsExample reads the example of docs/advisories.md, which must stay
// a valid document, and checks what the docs say it normalises to.
func TestDocsExample(t *testing.T) {
	b, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := advisory.ParseJSON(b)
	if err != nil {
		t.Fatalf("the docs' example is refused:\n%v", err)
	}
	got, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *rewrite {
		if err := os.WriteFile("testdata/example.normal.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile("testdata/example.normal.json"); err != nil {
		t.Fatal(err)
	} else if string(got) != string(want) {
		t.Errorf("the example normalises to\n%s\nwant (testdata/example.normal.json, -rewrite to update)\n%s", got, want)
	}
	enc, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := advisory.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.MarshalIndent(back, "", "  ")
	if string(append(again, '\n')) != string(got) {
		t.Errorf("the example changed through CBOR")
	}
}

func ExampleParseJSON() {
	d, err := advisory.ParseJSON([]byte(`{
		"title": "Phishing kit",
		"tlp": "tlp:green",
		"indicators": [
			{"type": "domain", "value": "Login-Example[.]COM."},
			{"type": "ipv4", "value": "192.0.2.99/24"},
			{"type": "md5", "value": "D41D8CD98F00B204E9800998ECF8427E"}
		]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.TLP)
	for _, in := range d.Indicators {
		fmt.Println(in.Type, in.Value)
	}
	_, err = advisory.ParseJSON([]byte(`{"title": "x", "tlp": "RED",
		"indicators": [{"type": "ipv4", "value": "1.2.3"}]}`))
	fmt.Println(err)
	// Output:
	// GREEN
	// domain login-example.com
	// ipv4 192.0.2.0/24
	// md5 d41d8cd98f00b204e9800998ecf8427e
	// indicators[0].value: "1.2.3" is not an IPv4 address or CIDR
}

// TestDocsPage keeps docs/advisories.md in step with the package: it shows
// the example file as it is and names every indicator type and JSON field.
func TestDocsPage(t *testing.T) {
	page, err := os.ReadFile("../../docs/advisories.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "```json\n"+string(example)+"```") {
		t.Errorf("docs/advisories.md does not show testdata/example.json as it is")
	}
	for _, typ := range advisory.IndicatorTypes {
		if !strings.Contains(string(page), "`"+string(typ)+"`") {
			t.Errorf("docs/advisories.md does not document indicator type %s", typ)
		}
	}
	for _, v := range []any{advisory.Document{}, advisory.Severity{}, advisory.CVSS{}, advisory.Vulnerability{}, advisory.Indicator{}, advisory.Product{}, advisory.VersionRange{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if !strings.Contains(string(page), "| `"+name+"` |") {
				t.Errorf("docs/advisories.md has no table row for %s's field %q", rt.Name(), name)
			}
		}
	}
	yamlStart := strings.Index(string(page), "```yaml\n")
	if yamlStart < 0 {
		t.Fatal("docs/advisories.md has no YAML example")
	}
	y := string(page)[yamlStart+len("```yaml\n"):]
	y = y[:strings.Index(y, "```")]
	if _, err := advisory.ParseYAML([]byte(y)); err != nil {
		t.Errorf("the YAML example of docs/advisories.md is refused: %v", err)
	}
}
