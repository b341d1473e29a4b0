package advisory_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/kring-circle/kring/protocol/advisory"
)

// TestLimits puts every text and list at its limit (accepted) and one
// over it (refused with ErrTooLarge, naming the field).
func TestLimits(t *testing.T) {
	md5 := func(i int) advisory.Indicator {
		return advisory.Indicator{Type: advisory.MD5, Value: fmt.Sprintf("%032x", i)}
	}
	strs := func(n int, f func(int) string) []string {
		l := make([]string, n)
		for i := range l {
			l[i] = f(i)
		}
		return l
	}
	cases := []struct {
		path  string
		limit int
		set   func(d *advisory.Document, n int)
	}{
		{"title", advisory.MaxTitle, func(d *advisory.Document, n int) { d.Title = strings.Repeat("t", n) }},
		{"summary", advisory.MaxSummary, func(d *advisory.Document, n int) { d.Summary = strings.Repeat("s", n) }},
		{"description", advisory.MaxDescription, func(d *advisory.Document, n int) { d.Description = strings.Repeat("d", n) }},
		{"language", advisory.MaxName, func(d *advisory.Document, n int) { d.Language = "x" + strings.Repeat("-abcdefg", (n-1)/8) }},
		{"indicators", advisory.MaxIndicators, func(d *advisory.Document, n int) {
			for i := range n {
				d.Indicators = append(d.Indicators, md5(i))
			}
		}},
		{"indicators[0].value", advisory.MaxValue, func(d *advisory.Document, n int) {
			d.Indicators = []advisory.Indicator{{Type: advisory.Mutex, Value: strings.Repeat("m", n)}}
		}},
		{"indicators[0].value", advisory.MaxRule, func(d *advisory.Document, n int) {
			d.Indicators = []advisory.Indicator{{Type: advisory.Sigma, Value: strings.Repeat("r", n)}}
		}},
		{"indicators[0].note", advisory.MaxNote, func(d *advisory.Document, n int) {
			d.Indicators = []advisory.Indicator{md5(0)}
			d.Indicators[0].Note = strings.Repeat("n", n)
		}},
		{"vulnerabilities", advisory.MaxVulnerabilities, func(d *advisory.Document, n int) {
			for i := range n {
				d.Vulnerabilities = append(d.Vulnerabilities, advisory.Vulnerability{CVE: fmt.Sprintf("CVE-2026-%d", 10000+i)})
			}
		}},
		{"vulnerabilities[0].cwes", advisory.MaxCWEs, func(d *advisory.Document, n int) {
			d.Vulnerabilities = []advisory.Vulnerability{{CWEs: strs(n, func(i int) string { return fmt.Sprintf("CWE-%d", i+1) })}}
		}},
		{"vulnerabilities[0].note", advisory.MaxNote, func(d *advisory.Document, n int) {
			d.Vulnerabilities = []advisory.Vulnerability{{CVE: "CVE-2026-0001", Note: strings.Repeat("n", n)}}
		}},
		{"products", advisory.MaxProducts, func(d *advisory.Document, n int) {
			for range n {
				d.Products = append(d.Products, advisory.Product{Product: "p"})
			}
		}},
		{"products[0].versions", advisory.MaxVersions, func(d *advisory.Document, n int) {
			d.Products = []advisory.Product{{Product: "p", Versions: make([]advisory.VersionRange, n)}}
			for i := range d.Products[0].Versions {
				d.Products[0].Versions[i].Version = fmt.Sprint(i)
			}
		}},
		{"products[0].cpes", advisory.MaxIdentifiers, func(d *advisory.Document, n int) {
			d.Products = []advisory.Product{{CPEs: strs(n, func(i int) string { return fmt.Sprintf("cpe:2.3:a:acme:widget:%d:*:*:*:*:*:*:*", i) })}}
		}},
		{"products[0].purls", advisory.MaxIdentifiers, func(d *advisory.Document, n int) {
			d.Products = []advisory.Product{{PURLs: strs(n, func(i int) string { return fmt.Sprintf("pkg:npm/widget@%d", i) })}}
		}},
		{"products[0].vendor", advisory.MaxName, func(d *advisory.Document, n int) {
			d.Products = []advisory.Product{{Product: "p", Vendor: strings.Repeat("v", n)}}
		}},
		{"products[0].remediation", advisory.MaxRemediation, func(d *advisory.Document, n int) {
			d.Products = []advisory.Product{{Product: "p", Remediation: strings.Repeat("r", n)}}
		}},
		{"techniques", advisory.MaxTechniques, func(d *advisory.Document, n int) {
			d.Techniques = strs(n, func(i int) string { return fmt.Sprintf("T%04d", 1000+i) })
		}},
		{"sectors", advisory.MaxSectors, func(d *advisory.Document, n int) {
			d.Sectors = strs(n, func(i int) string { return fmt.Sprintf("sector-%d", i) })
		}},
		{"sectors[0]", advisory.MaxName, func(d *advisory.Document, n int) { d.Sectors = []string{strings.Repeat("s", n)} }},
		{"references", advisory.MaxReferences, func(d *advisory.Document, n int) {
			d.References = strs(n, func(i int) string { return fmt.Sprintf("https://example.com/%d", i) })
		}},
		{"references[0]", advisory.MaxURL, func(d *advisory.Document, n int) {
			d.References = []string{"https://example.com/" + strings.Repeat("p", n-len("https://example.com/"))}
		}},
		{"content", advisory.MaxContent, func(d *advisory.Document, n int) {
			d.Content = []byte(`"` + strings.Repeat("c", n-2) + `"`)
		}},
	}
	for _, c := range cases {
		d := &advisory.Document{Title: "t", TLP: "GREEN"}
		c.set(d, c.limit)
		if err := d.Normalize(); err != nil {
			t.Errorf("%s at its limit %d: %v", c.path, c.limit, err)
			continue
		}
		b, err := d.Encode()
		if err != nil {
			t.Errorf("%s at its limit: Encode: %v", c.path, err)
		} else if _, err := advisory.Decode(b); err != nil {
			t.Errorf("%s at its limit: Decode: %v", c.path, err)
		}
		d = &advisory.Document{Title: "t", TLP: "GREEN"}
		c.set(d, c.limit+1)
		err = d.Normalize()
		var fe *advisory.FieldError
		if !errors.Is(err, advisory.ErrTooLarge) || !errors.As(err, &fe) || fe.Path != c.path {
			t.Errorf("%s over its limit: %v, want ErrTooLarge at %s", c.path, err, c.path)
		}
	}
}

// TestLimitDecoding: a list one over its limit decodes to its own error,
// and a longer one is refused by the decoder before it allocates.
func TestLimitDecoding(t *testing.T) {
	over := map[int]any{0: 1, 1: "t", 4: "GREEN", 10: make([]string, advisory.MaxTechniques+1)}
	for i := range advisory.MaxTechniques + 1 {
		over[10].([]string)[i] = fmt.Sprintf("T%04d", 1000+i)
	}
	if _, err := advisory.Decode(mustCBOR(t, over)); !errors.Is(err, advisory.ErrTooLarge) || !strings.Contains(err.Error(), "techniques: has 257 items, at most 256") {
		t.Errorf("one over: %v", err)
	}
	huge := map[int]any{0: 1, 1: "t", 4: "GREEN", 11: make([]string, advisory.MaxIndicators+2)}
	if _, err := advisory.Decode(mustCBOR(t, huge)); !errors.Is(err, advisory.ErrTooLarge) {
		t.Errorf("longer than any list: %v", err)
	}
}

// TestDecodeAllocationBound: a 4 MiB document of products with thousands
// of one-byte versions each is refused without allocating a struct per
// byte (it took over 250 MB before the lists were decoded item by item).
func TestDecodeAllocationBound(t *testing.T) {
	b := mustCBOR(t, map[int]any{0: 1, 1: "t", 4: "GREEN"})
	b[0]++              // one more pair: key 9, products
	b = append(b, 0x09) // key 9
	products, versions := 400, 10000
	b = append(b, 0x99, byte(products>>8), byte(products))
	for range products {
		b = append(b, 0xa1, 0x03, 0x99, byte(versions>>8), byte(versions))
		b = append(b, make([]byte, versions)...)
		for i := len(b) - versions; i < len(b); i++ {
			b[i] = 0xa0 // an empty map: a VersionRange
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := advisory.Decode(b)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, advisory.ErrTooLarge) || !strings.HasPrefix(err.Error(), "products[0]: ") {
		t.Fatalf("Decode: %v, want ErrTooLarge at products[0]", err)
	}
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 32 {
		t.Fatalf("Decode of %d bytes allocated %d MB", len(b), mb)
	}
}
