package protocol

// Size limits. A decoder rejects anything larger with ErrTooLarge before it
// looks further, so a peer cannot make a node allocate more than this.
const (
	// MaxOpSize is the largest encoded op, in bytes.
	MaxOpSize = 1 << 20
	// MaxPreds is the most preds one op may cite. A node with more heads
	// cites the newest MaxPreds of them.
	MaxPreds = 256
	// MaxVotes is the most votes one enactment may cite.
	MaxVotes = 256
	// MaxFounders is the most founders a genesis may list.
	MaxFounders = 64
	// MaxListItems bounds every other list: expertise tags, claims,
	// requirements, topics, lifted suspensions.
	MaxListItems = 64
	// MaxShortText bounds names, titles, sectors, roles and tags, in bytes.
	MaxShortText = 256
	// MaxLongText bounds summaries, requirements, claims, policies and
	// reasons, in bytes.
	MaxLongText = 16 << 10
	// MaxNonce bounds nonces and case identifiers, in bytes.
	MaxNonce = 64
	// MaxContent bounds an advisory's content blob, in bytes.
	MaxContent = MaxOpSize - 64<<10
	// maxNesting bounds CBOR nesting depth.
	maxNesting = 16
	// maxMapPairs bounds every CBOR map; the largest struct (Charter) has eleven fields.
	maxMapPairs = 64
	// maxArray bounds every CBOR array, checked before the decoder
	// allocates anything for it. Without it a 1 MiB op of a million
	// one-byte array items made Decode allocate hundreds of megabytes
	// (each item becomes a Go struct, then is re-encoded). It is one more
	// than the longest list any field allows, so that a list just over
	// its own limit still gets its own error (e.g. ErrTooManyPreds).
	// Decoding allocates at most about maxArray² list items.
	maxArray = max(MaxPreds, MaxVotes, MaxFounders, MaxListItems) + 1
)
