package advisory

// Limits. Every text is counted in bytes of UTF-8, every list in items. A
// document over any limit is refused with ErrTooLarge, naming the field.
const (
	// MaxEncoded is the largest encoded document (CBOR), in bytes.
	MaxEncoded = 4 << 20
	// MaxFile is the largest JSON or YAML file ParseJSON and ParseYAML read.
	MaxFile = 16 << 20

	// MaxTitle bounds the title, one line.
	MaxTitle = 256
	// MaxSummary bounds the summary.
	MaxSummary = 16 << 10
	// MaxDescription bounds the Markdown description.
	MaxDescription = 64 << 10
	// MaxNote bounds an indicator's or a vulnerability's note.
	MaxNote = 4 << 10
	// MaxRemediation bounds a product's remediation text.
	MaxRemediation = 16 << 10
	// MaxName bounds one-line names: vendor, product, version, sector tag,
	// and the language tag.
	MaxName = 256
	// MaxContent bounds the opaque Content document, in bytes of JSON.
	MaxContent = 1 << 20

	// MaxIndicators bounds the indicators of one document.
	MaxIndicators = 10000
	// MaxValue bounds an indicator's value, except detection rules.
	MaxValue = 2048
	// MaxRule bounds a detection rule's text (YARA, Sigma, Snort, Suricata).
	MaxRule = 64 << 10
	// MaxVulnerabilities bounds the vulnerabilities of one document.
	MaxVulnerabilities = 1000
	// MaxCWEs bounds the CWE ids of one vulnerability.
	MaxCWEs = 16
	// MaxProducts bounds the affected products of one document.
	MaxProducts = 1000
	// MaxVersions bounds the version ranges of one product.
	MaxVersions = 64
	// MaxIdentifiers bounds the CPE names and, apart, the package URLs of
	// one product.
	MaxIdentifiers = 16
	// MaxTechniques bounds the ATT&CK technique ids.
	MaxTechniques = 256
	// MaxSectors bounds the sector tags.
	MaxSectors = 64
	// MaxReferences bounds the references.
	MaxReferences = 256
	// MaxURL bounds a reference or a URL indicator.
	MaxURL = MaxValue

	// MaxProblems bounds the problems one Validate or Normalize reports;
	// Problems.More counts the rest.
	MaxProblems = 20

	// maxArray bounds every CBOR array before the decoder allocates it: one
	// more than the longest list, so that a list just over its own limit
	// still gets its own error.
	maxArray = MaxIndicators + 1
	// maxMapPairs bounds every CBOR map (the Document has 16 fields).
	maxMapPairs = 32
	// maxNesting bounds CBOR nesting (document, products, versions, range).
	maxNesting = 8
)
