package advisory

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"github.com/kring-circle/kring/protocol"
)

// VulnerabilityList is a document's list of vulnerabilities. It is a
// slice like any other ([]Vulnerability values assign to it); its own type
// lets Decode bound it before it decodes the lists inside its items.
type VulnerabilityList []Vulnerability

// ProductList is a document's list of affected products; see
// VulnerabilityList.
type ProductList []Product

// itemDecMode decodes one product or vulnerability: its lists (versions,
// CPE names, package URLs, CWE ids) are short, so a long array inside an
// item is refused before it is allocated. Without it a 4 MiB document of
// a thousand products with four thousand one-byte versions each made
// Decode allocate over 250 MB.
var itemDecMode cbor.DecMode

func init() {
	var err error
	itemDecMode, err = protocol.StrictDecOptions(4, max(MaxVersions, MaxIdentifiers, MaxCWEs)+1, maxMapPairs).DecMode()
	if err != nil {
		panic(fmt.Sprintf("advisory: item decoder options: %v", err))
	}
}

// UnmarshalCBOR decodes at most MaxVulnerabilities+1 items, each with
// itemDecMode (one over the limit is left for Validate to name).
func (l *VulnerabilityList) UnmarshalCBOR(b []byte) error {
	return decodeItems(b, (*[]Vulnerability)(l), "vulnerabilities", MaxVulnerabilities)
}

// UnmarshalCBOR decodes at most MaxProducts+1 items, each with
// itemDecMode.
func (l *ProductList) UnmarshalCBOR(b []byte) error {
	return decodeItems(b, (*[]Product)(l), "products", MaxProducts)
}

// decodeItems decodes the array b into *out item by item.
func decodeItems[T any](b []byte, out *[]T, name string, limit int) error {
	var raw []cbor.RawMessage
	if err := decMode.Unmarshal(b, &raw); err != nil {
		return classify(err)
	}
	if len(raw) > limit+1 {
		return fmt.Errorf("%w: %s: has %d items, at most %d", ErrTooLarge, name, len(raw), limit)
	}
	items := make([]T, len(raw))
	for i, r := range raw {
		if err := itemDecMode.Unmarshal(r, &items[i]); err != nil {
			return fmt.Errorf("%s[%d]: %w", name, i, classify(err))
		}
	}
	*out = items
	return nil
}
