package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// advisoryContentSize is the size of the JSON document each benchmark
// advisory carries: a short, realistic advisory.
const advisoryContentSize = 1024

// advisory returns the i-th benchmark advisory: a title, a summary and a
// JSON document of about advisoryContentSize bytes.
func advisory(i int) *protocol.Advisory {
	doc := fmt.Sprintf(`{"id":"KRING-BENCH-%06d","cve":["CVE-2026-%05d"],"severity":"high",`+
		`"products":["SCADA gateway 4.2","historian 7.1"],"indicators":["198.51.100.%d"],"text":"`, i, i%100000, i%250)
	doc += text(i, advisoryContentSize-len(doc)-2) + `"}`
	return &protocol.Advisory{
		Title:   fmt.Sprintf("CVE-2026-%05d exploited against grid operators (bench %d)", i%100000, i),
		Summary: "Active exploitation observed; patch or isolate the gateway.",
		TLP:     protocol.TLPGreen,
		Content: []byte(doc),
	}
}

// smallAdvisoryContent is the size of the document each small advisory
// carries: with its title, summary and the op's fields, about 500 bytes
// encoded, the advisories an operator saw fill a store.
const smallAdvisoryContent = 96

// smallAdvisory returns the i-th small benchmark advisory.
func smallAdvisory(i int) *protocol.Advisory {
	a := advisory(i)
	a.Content = []byte(fmt.Sprintf(`{"id":"KRING-BENCH-%06d","text":"%s"}`, i, text(i, smallAdvisoryContent-34)))
	return a
}

// words make advisory text about as compressible as prose.
var words = strings.Fields(`the attacker gateway firmware exploited remote code execution observed indicators
network segment patch vendor credential phishing lateral movement scheduled task beacon domain
controller substation engineering workstation malware loader persistence registry command server
traffic anomaly isolate block monitor rotate keys advisory confirmed sector operators campaign`)

// text returns n bytes of deterministic word salad for seed.
func text(seed, n int) string {
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.String()[:max(0, n)]
}
