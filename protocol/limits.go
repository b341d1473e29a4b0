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
)
