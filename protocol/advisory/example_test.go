package advisory_test

import (
	"encoding/json"
	"fmt"
	"os"
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
