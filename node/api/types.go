package api

import (
	"encoding/json"
	"time"
)

// Keys, peer IDs and hashes travel as strings: keys and hashes as 64
// lower-case hex digits, peer IDs in libp2p's base58 form. Times are
// RFC 3339 in UTC.

// Status is the daemon's own view of itself and the circle
// (GET /v1/status).
type Status struct {
	// Key is this organisation's member key.
	Key string `json:"key"`
	// PeerID is the node's libp2p peer ID (it inlines Key).
	PeerID string `json:"peer_id"`
	// Name is this organisation's name in the log, if the log knows it.
	Name string `json:"name,omitempty"`
	// Group is the circle's identity: the hash of its genesis.
	Group string `json:"group"`
	// Circle is the circle's name, from the charter in force.
	Circle string `json:"circle"`
	// Charter is the charter in force.
	Charter CharterInfo `json:"charter"`
	// Status is where this organisation stands in the log: "member",
	// "applicant", "lapsed", "revoked", "left" or "stranger".
	Status string `json:"status"`
	// Suspended is set while a suspension of this organisation stands.
	Suspended bool `json:"suspended"`
	// Sharing is set when this organisation is in the sharing set.
	Sharing bool `json:"sharing"`
	// Fork is set while a fork of this organisation's own chain suspends
	// it: the twins, the one this node's chain continues from, and what
	// to do.
	Fork *OwnForkInfo `json:"fork,omitempty"`
	// Ready is set when the node may publish now; NotReady says why not.
	// While this organisation is in the sharing set, a node that is not
	// ready is waiting for syncs that a publish starts and waits for.
	Ready    bool   `json:"ready"`
	NotReady string `json:"not_ready,omitempty"`
	// Sync says which members the node has synced with since it started,
	// of how many, and how many it cannot reach; set while this
	// organisation is in the sharing set.
	Sync *SyncInfo `json:"sync,omitempty"`
	// Ops is the number of ops stored, the genesis included.
	Ops int `json:"ops"`
	// Pending is the number of ops waiting for their preds.
	Pending int `json:"pending"`
	// Backlog is the number of ops the node knows it is missing, from
	// the tips peers showed in the syncs running now. It falls to 0 as
	// the node catches up.
	Backlog int `json:"backlog"`
	// BacklogKnown is set once a peer has shown this node its tips since
	// the node started: before the first sync begins, the node cannot
	// know what it lacks, and Backlog is 0 without meaning "caught up".
	BacklogKnown bool `json:"backlog_known"`
	// Peers is the number of connected peers.
	Peers int `json:"peers"`
	// DiskLow is set while the data dir's free space is below its
	// watermark (store.min_free_mib): the node then takes membership ops
	// and what they cite, and defers advisories. DiskFreeBytes is the
	// free space at the last look (every 10 s); 0 for a store in memory.
	DiskLow       bool   `json:"disk_low"`
	DiskFreeBytes uint64 `json:"disk_free_bytes"`
	// NextAck is when the node will next sign an acknowledgement on its
	// own if it signs nothing else before (the charter's ack_interval
	// after its last op); absent when this organisation does not
	// acknowledge (it is not a member or lapsed).
	NextAck *time.Time `json:"next_ack,omitempty"`
	// Unsettled is how many ops count but wait to settle: advisories,
	// endorsements, enactments and Leaves that a quorum of members has
	// not yet been seen to acknowledge (docs/membership.md §3). Only these can a
	// backdated op still reach; a charter change takes effect, and a
	// newcomer's votes count, once settled.
	Unsettled int `json:"unsettled"`
	// Application is the progress of this organisation's application,
	// while it is not a member and its daemon enrols with one (kring run
	// after kring apply): what the members its node asked last show.
	Application *ApplicationProgress `json:"application,omitempty"`
	// Members is the number of members (suspended or not); SharingSet
	// the number of members not suspended.
	Members    int `json:"members"`
	SharingSet int `json:"sharing_set"`
	// ListenAddrs are the node's listen addresses with its peer ID, in
	// the form a peer's config takes.
	ListenAddrs []string `json:"listen_addrs"`
	// Version is the daemon's version.
	Version string `json:"version"`
	// StartedAt is when the API server started; UptimeSeconds how long
	// ago that was.
	StartedAt     time.Time `json:"started_at"`
	UptimeSeconds float64   `json:"uptime_seconds"`
	// Error says why the node stopped, if it stopped on its own.
	Error string `json:"error,omitempty"`
}

// CharterInfo is the charter in force, as Status shows it.
type CharterInfo struct {
	// Name is the circle's name and Version the charter's version.
	Name    string `json:"name"`
	Version uint64 `json:"version"`
	// Admit, Suspend and Revoke are the charter's k, s and r: the votes
	// needed to admit, to suspend, and to revoke or lift a suspension.
	Admit   int `json:"admit"`
	Suspend int `json:"suspend"`
	Revoke  int `json:"revoke"`
	// Change is c′, the votes needed to change the charter now: the
	// charter's c with the floors applied (GET /v1/charter explains them).
	Change int `json:"change"`
	// TLPPolicy is the circle's agreement on TLP handling.
	TLPPolicy string `json:"tlp_policy,omitempty"`
}

// Peer is one connected peer (GET /v1/peers).
type Peer struct {
	// PeerID is the peer's libp2p ID; Key the member key it inlines.
	PeerID string `json:"peer_id"`
	Key    string `json:"key,omitempty"`
	// Name is the organisation's name, if the log knows the key.
	Name string `json:"name,omitempty"`
	// Standing is how this node treats the peer: "sharing",
	// "endorsed", "bootstrap", "refused" or "denied".
	Standing string `json:"standing"`
	// Status is where the key stands in the log (see Status.Status).
	Status string `json:"status,omitempty"`
	// Score is gossipsub's latest score of the peer, if it has one.
	Score *float64 `json:"score,omitempty"`
	// Addrs are the remote addresses of the connections to the peer.
	Addrs []string `json:"addrs"`
}

// MemberInfo is what the log says of one key, and what this node does
// with it (GET /v1/members).
type MemberInfo struct {
	// Key is the organisation's member key.
	Key string `json:"key"`
	// Name is the organisation's name from its profile.
	Name string `json:"name,omitempty"`
	// Status is "member", "applicant", "lapsed", "revoked", "left" or
	// "stranger".
	Status string `json:"status"`
	// Founder is set for the genesis founders.
	Founder bool `json:"founder"`
	// Suspended is set while a suspension stands (or the key forked
	// its chain); Sharing when the key is in the sharing set.
	Suspended bool `json:"suspended"`
	Sharing   bool `json:"sharing"`
	// Equivocated is the lowest seq at which the key forked, or 0.
	Equivocated uint64 `json:"equivocated,omitempty"`
	// Fork is the fork that suspends the key, with its twins: an
	// unsuspend names the one to keep. Absent when no fork suspends it.
	Fork *ForkInfo `json:"fork,omitempty"`
	// Application is the ID of the application under consideration (or
	// the one a member was admitted with).
	Application string `json:"application,omitempty"`
	// Endorsements counts the live endorsements of Application; Needed
	// is what the charter requires; Missing is how many more are needed.
	Endorsements int `json:"endorsements"`
	Needed       int `json:"needed"`
	Missing      int `json:"missing"`
	// Needs says in a sentence what the key still needs to join or
	// rejoin the sharing set; empty when nothing can or must be done.
	Needs string `json:"needs,omitempty"`
	// Motions are the decisions in progress about the key, as
	// GET /v1/motions lists them: its admission, suspension, lift,
	// revocation or disavowal.
	Motions []MotionInfo `json:"motions,omitempty"`
	// Blocked is set when this node blocks the key locally.
	Blocked bool `json:"blocked"`
	// Connected is set when this node is connected to the key's node.
	Connected bool `json:"connected"`
	// Self is set for this organisation's own key.
	Self bool `json:"self"`
	// Profile is the organisation's profile, if the log carries one.
	Profile *ProfileInfo `json:"profile,omitempty"`
}

// ProfileInfo describes a member organisation: in the API, in a member
// card (member.json) and, under its toml names, in the [organisation]
// section of the CLI's config.toml. ProfileOf and Profile convert it.
type ProfileInfo struct {
	// Name, Sector, Contact and Role describe the organisation and its
	// representative.
	Name    string `json:"name" toml:"name"`
	Sector  string `json:"sector,omitempty" toml:"sector"`
	Contact string `json:"contact,omitempty" toml:"contact"`
	Role    string `json:"role,omitempty" toml:"role"`
	// Expertise lists the team's areas of expertise.
	Expertise []string `json:"expertise,omitempty" toml:"expertise"`
	// Claims answer the charter's membership requirements.
	Claims []ClaimInfo `json:"claims,omitempty" toml:"claims"`
}

// ClaimInfo is how an organisation meets one membership requirement.
type ClaimInfo struct {
	// Requirement is the charter requirement's ID.
	Requirement string `json:"requirement" toml:"requirement"`
	// Statement is the organisation's claim.
	Statement string `json:"statement" toml:"statement"`
}

// MemberDetail is MemberInfo with the story of the key's standing
// (GET /v1/members/{key}).
type MemberDetail struct {
	MemberInfo
	// Summary describes the key's standing in one line.
	Summary string `json:"summary"`
	// Events are the ops that made the key's standing, in causal order.
	Events []Event `json:"events"`
}

// Event is one op that shaped a key's standing.
type Event struct {
	// Op is the op's hash; Author its author, AuthorName the author's
	// organisation name.
	Op         string `json:"op"`
	Author     string `json:"author"`
	AuthorName string `json:"author_name,omitempty"`
	// What says in a sentence what the op did for the key.
	What string `json:"what"`
	// Counts is false for an op that is void or lifted.
	Counts bool `json:"counts"`
}

// AdvisoryInfo is one live advisory of the log. Tlp is always set: no
// advisory leaves the API without its TLP label.
type AdvisoryInfo struct {
	// ID is the advisory op's hash.
	ID string `json:"id"`
	// Position is the op's stored position on this node: the cursor to
	// list or follow from (ListOptions.After).
	Position uint64 `json:"position"`
	// Author is the publishing member's key, AuthorName its name.
	Author     string `json:"author"`
	AuthorName string `json:"author_name,omitempty"`
	// Seq is the op's seq in its author's chain.
	Seq uint64 `json:"seq"`
	// Published is the author's clock when it signed the op
	// (informational: no rule reads it).
	Published time.Time `json:"published"`
	// Title, Summary and TLP are the advisory's; TLP is a TLP 2.0 label
	// ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED").
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
	TLP     string `json:"tlp"`
	// Content is the advisory document when it is JSON; ContentBase64
	// holds it (base64 in JSON) when it is not.
	Content       json.RawMessage `json:"content,omitempty"`
	ContentBase64 []byte          `json:"content_base64,omitempty"`
}

// ListOptions selects a page of advisories.
type ListOptions struct {
	// Limit is the most advisories returned: 100 when 0, at most 1000.
	Limit int
	// After is a cursor: an advisory's ID or Position; only advisories
	// stored after it are returned. Empty starts at the beginning.
	After string
	// Before is a cursor like After: only advisories stored before it
	// are returned. Empty ends at the newest.
	Before string
	// Order is OrderOldest (the default when empty: the oldest first,
	// page forward with After) or OrderNewest (the newest first, page
	// back with Before).
	Order string
}

// PublishRequest is an advisory to publish (POST /v1/advisories).
type PublishRequest struct {
	// Title is a one-line title (at most 256 bytes).
	Title string `json:"title"`
	// Summary is a short summary (at most 16 KiB).
	Summary string `json:"summary,omitempty"`
	// TLP is the TLP 2.0 label; case and a "TLP:" prefix are ignored.
	TLP string `json:"tlp"`
	// Content is the advisory document: any JSON document, or omitted.
	Content json.RawMessage `json:"content,omitempty"`
	// PlaintextRed acknowledges that a TLP:RED advisory is stored and
	// served in plaintext by every member's node and reaches every
	// future member by sync: this version cannot encrypt it to named
	// recipients. Without it a RED advisory is refused (422
	// plaintext-red); it changes nothing for the other labels.
	PlaintextRed bool `json:"plaintext_red,omitempty"`
}

// EndorseRequest endorses an applicant (POST /v1/endorsements).
type EndorseRequest struct {
	// Application is the applicant's signed application file (base64 in
	// JSON).
	Application []byte `json:"application"`
	// Evidence is the SHA-256, in hex, of the vetting evidence the
	// endorser keeps.
	Evidence string `json:"evidence"`
}

// VoteRequest votes on a motion against a member (POST /v1/votes).
type VoteRequest struct {
	// Motion is "suspend", "unsuspend", "revoke" or "disavow".
	Motion string `json:"motion"`
	// Target is the member's key.
	Target string `json:"target"`
	// Case, in hex, names the suspension motion to join (suspend only);
	// empty joins the open one, or opens a new one.
	Case string `json:"case,omitempty"`
	// From is the first of the target's seqs disavowed, at least 1
	// (disavow only, required).
	From uint64 `json:"from,omitempty"`
	// Keep names the twin to keep, by its ID or a unique prefix of it,
	// when the target is suspended for forking its chain (unsuspend only;
	// required then, see MemberInfo.Fork).
	Keep string `json:"keep,omitempty"`
}

// LeaveRequest leaves the circle for good (POST /v1/leave).
type LeaveRequest struct {
	// Reason is an optional note for the other members.
	Reason string `json:"reason,omitempty"`
}

// BlockRequest blocks a party on this node alone (POST /v1/blocks).
type BlockRequest struct {
	// Key is the party's member key.
	Key string `json:"key"`
	// Reason says why, for the operator.
	Reason string `json:"reason,omitempty"`
}

// BlockInfo is one local block (GET /v1/blocks).
type BlockInfo struct {
	// Key is the blocked key, Name its organisation's name if known.
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	// Reason says why; Since is when the block was set.
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since"`
	// Note says what a local block does and does not (BlockScope): the
	// members who do not block the party still relay to it.
	Note string `json:"note"`
}

// OpInfo describes an op the daemon published for a request.
type OpInfo struct {
	// ID is the op's hash.
	ID string `json:"id"`
	// Kind is "advisory", "vote", "leave", ...
	Kind string `json:"kind"`
	// Author is this organisation's key; Seq the op's seq.
	Author string `json:"author"`
	Seq    uint64 `json:"seq"`
	// Published is when the op was signed.
	Published time.Time `json:"published"`
	// Motion describes the motion voted on, and MotionID is its hash
	// (votes only).
	Motion   string `json:"motion,omitempty"`
	MotionID string `json:"motion_id,omitempty"`
	// Sync names the members the node had synced with when it signed
	// (published advisories only).
	Sync *SyncInfo `json:"sync,omitempty"`
}

// SyncInfo is where the publishing condition stands: the other members
// of the sharing set a sync completed with since the node started, how
// many other members there are, and how many of them the node neither is
// connected to nor has synced with.
type SyncInfo struct {
	SyncedWith  []MemberRef `json:"synced_with"`
	Members     int         `json:"members"`
	Unreachable int         `json:"unreachable"`
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	// Error is a sentence for people.
	Error string `json:"error"`
	// Code names the error for programs (see docs/api.md).
	Code string `json:"code"`
}

// CharterDoc is a whole charter: the one in force, a proposed one, or one
// to propose (GET /v1/charter, POST /v1/charter/proposals). The CLI's
// genesis draft carries one, and its charter.toml has the same keys under
// the toml names, but for the acknowledgement interval, which a file
// writes as a duration ("24h"). CharterDocOf and Charter convert it.
type CharterDoc struct {
	// Name is the circle's name.
	Name string `json:"name" toml:"name"`
	// Version is 1 in the genesis and rises by one with each change. A
	// proposal may leave it 0: the daemon fills in the next version.
	Version uint64 `json:"version" toml:"version,omitempty"`
	// Admit, Suspend and Revoke are the charter's thresholds as written
	// (the rules in docs/membership.md call them k, s and r): endorsements
	// to admit, votes to suspend, votes to revoke or to lift a suspension.
	// ThresholdsInfo says what they mean today.
	Admit   uint32 `json:"admit" toml:"admit"`
	Suspend uint32 `json:"suspend" toml:"suspend"`
	Revoke  uint32 `json:"revoke" toml:"revoke"`
	// Change is the charter's c as written: votes to change the charter;
	// 0 means the default max(ceil(2n/3), 4).
	Change uint32 `json:"change" toml:"change"`
	// AckIntervalSeconds is how long a member's node may sign nothing
	// before it signs an acknowledgement. The daemon shows the interval
	// in force (86400, a day, when the charter sets none); in a proposal,
	// 0 means that default. Otherwise 3600 (1 h) to 2678400 (31 days).
	AckIntervalSeconds uint32 `json:"ack_interval_seconds" toml:"-"`
	// Requirements are the written membership requirements.
	Requirements []RequirementInfo `json:"requirements" toml:"requirements"`
	// TLPPolicy is the circle's agreement on TLP handling.
	TLPPolicy string `json:"tlp_policy" toml:"tlp_policy,multiline"`
	// Cadence is the meeting cadence, e.g. "monthly".
	Cadence string `json:"cadence" toml:"cadence"`
	// Topics are the agenda and annual-plan topics.
	Topics []string `json:"topics" toml:"topics"`
}

// RequirementInfo is one written membership requirement.
type RequirementInfo struct {
	// ID names the requirement for claims, e.g. "vital-clients".
	ID string `json:"id" toml:"id"`
	// Text states it.
	Text string `json:"text" toml:"text"`
}

// ThresholdsInfo is what the charter's thresholds mean for a circle of
// Members members, with the floors applied (trust.ThresholdsFor).
type ThresholdsInfo struct {
	// Members is n, the members (suspended or not) the thresholds are
	// computed for.
	Members int `json:"members"`
	// Admit is k' = max(1, min(k, n)): endorsements to admit.
	Admit int `json:"admit"`
	// Suspend is s' = max(2, min(s, n-1)): votes to suspend.
	Suspend int `json:"suspend"`
	// Revoke is r' = max(2, min(r, n-1)): votes to revoke or to lift a
	// suspension.
	Revoke int `json:"revoke"`
	// Change is c' = min(n, max(c, floor(n/2)+1)): votes to change the
	// charter.
	Change int `json:"change"`
	// Hostile is f = max(1, min(k', s', r', ceil(n/2))): the rules assume fewer
	// hostile members than this.
	Hostile int `json:"hostile"`
	// Settle is q = max(1, min(n, max(ceil((n+f)/2), 2f-1))): the members whose
	// acknowledgements settle an op.
	Settle int `json:"settle"`
	// CanSuspend and CanRevoke say whether the other members together can
	// reach s' and r' against one of them.
	CanSuspend bool `json:"can_suspend"`
	CanRevoke  bool `json:"can_revoke"`
}

// CharterView is the charter in force, what it means today, and the open
// motions to change it (GET /v1/charter).
type CharterView struct {
	// Charter is the charter in force.
	Charter CharterDoc `json:"charter"`
	// Epoch is the hash of the op that put it in force: the genesis for
	// version 1, else the enactment of the change. EpochAuthor and
	// EpochAuthorName say who signed that op, InForceSince when.
	Epoch           string    `json:"epoch"`
	EpochAuthor     string    `json:"epoch_author,omitempty"`
	EpochAuthorName string    `json:"epoch_author_name,omitempty"`
	InForceSince    time.Time `json:"in_force_since,omitzero"`
	// Thresholds are the charter's thresholds today, floors applied.
	Thresholds ThresholdsInfo `json:"thresholds"`
	// Limits say, a sentence each, what the circle cannot do at its size
	// or where a floor changes what the charter says; empty when nothing
	// is out of reach.
	Limits []string `json:"limits"`
	// Motions are the open motions to change the charter: proposals of the
	// next version that have counting votes and no enactment yet, sorted
	// by ID.
	Motions []CharterMotion `json:"motions"`
	// Pending is a change enacted but not yet in force: it takes effect
	// once the members' acknowledgements settle its enactment. Absent
	// when none waits.
	Pending *CharterPending `json:"pending,omitempty"`
}

// CharterPending is an enacted charter change that waits to settle.
type CharterPending struct {
	// ID is the motion's hash.
	ID string `json:"id"`
	// Charter is the charter that takes effect.
	Charter CharterDoc `json:"charter"`
}

// CharterMotion is an open motion to change the charter.
type CharterMotion struct {
	// ID is the motion's hash: what kring charter vote and
	// POST /v1/charter/votes take.
	ID string `json:"id"`
	// Charter is the proposed charter.
	Charter CharterDoc `json:"charter"`
	// Votes counts the members whose votes count for it; Needed is c',
	// the votes its enactment needs today.
	Votes  int `json:"votes"`
	Needed int `json:"needed"`
	// Voters are the members who voted for it, sorted by key.
	Voters []Voter `json:"voters"`
	// Voted is set when this organisation voted for it.
	Voted bool `json:"voted"`
}

// Voter is a member who voted for a motion.
type Voter struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// ProposeRequest proposes a new charter (POST /v1/charter/proposals): the
// daemon signs a vote for the Charter motion that carries it.
type ProposeRequest struct {
	// Charter is the whole new charter; Version 0 means the version in
	// force + 1, any other value must be that.
	Charter CharterDoc `json:"charter"`
}

// CharterVoteRequest votes for an open charter motion
// (POST /v1/charter/votes).
type CharterVoteRequest struct {
	// Motion is the motion's ID (64 hex digits), as GET /v1/charter lists
	// it.
	Motion string `json:"motion"`
}

// MotionInfo is a decision in progress (GET /v1/motions): a motion with
// counting votes and no enactment yet, or a charter change enacted that
// waits to settle.
type MotionInfo struct {
	// ID is the motion's hash.
	ID string `json:"id"`
	// Kind is "admit", "suspend", "unsuspend", "revoke", "charter" or
	// "disavow".
	Kind string `json:"kind"`
	// Subject is the key the motion is about (the applicant of an admit,
	// the target of the others), SubjectName its organisation's name;
	// both absent for a charter motion.
	Subject     string `json:"subject,omitempty"`
	SubjectName string `json:"subject_name,omitempty"`
	// Votes counts the members whose votes count for it; Needed is the
	// votes its enactment needs today (the charter's threshold, floors
	// applied).
	Votes  int `json:"votes"`
	Needed int `json:"needed"`
	// Voters are the counting votes, oldest first.
	Voters []MotionVote `json:"voters"`
	// Voted is set when this organisation voted for it.
	Voted bool `json:"voted"`
	// OpenedAt is the voter's clock on the oldest counting vote
	// (informational: no rule reads it).
	OpenedAt time.Time `json:"opened_at"`
	// State is "open" (short of votes), "ripe" (enough votes, no
	// enactment yet) or "settling" (a charter change enacted that takes
	// effect once settled).
	State string `json:"state"`
	// Effect says what enacting the motion would do; Next what it waits
	// for.
	Effect string `json:"effect"`
	Next   string `json:"next"`
	// Case (suspend) names the suspension case in hex; Lifts (unsuspend)
	// are the suspension motions it lifts, Keep the twin it keeps of a
	// forked chain; From (disavow) is the first seq disavowed;
	// Application (admit) is the application's ID; Charter (charter) is
	// the proposed charter.
	Case        string      `json:"case,omitempty"`
	Lifts       []string    `json:"lifts,omitempty"`
	Keep        string      `json:"keep,omitempty"`
	From        uint64      `json:"from,omitempty"`
	Application string      `json:"application,omitempty"`
	Charter     *CharterDoc `json:"charter,omitempty"`
}

// MotionVote is one counting vote on a motion in progress.
type MotionVote struct {
	// Key is the voter's member key, Name its organisation's name.
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	// Vote is the vote op's hash; At the voter's clock when it signed it.
	Vote string    `json:"vote"`
	At   time.Time `json:"at"`
	// AwaitsSettlement is set for an endorsement that counts but that a
	// quorum of members has not yet been seen to acknowledge: a backdated
	// op could still reach it (docs/membership.md §3).
	AwaitsSettlement bool `json:"awaits_settlement,omitempty"`
}

// ApplicationProgress is an applicant's own view of its application, in
// Status: the endorsements members show it, what is missing, and what
// happens next. Members' nodes answer an applicant's node once a member
// has endorsed it, so before that nothing is Known.
type ApplicationProgress struct {
	// ID is the application's ID.
	ID string `json:"id"`
	// Known is set once a member's node answered about the application.
	Known bool `json:"known"`
	// Endorsements is the number of distinct members whose endorsements
	// the node checked; Needed the number the charter requires (as far as
	// this node's log knows the charter); Missing the difference.
	Endorsements int `json:"endorsements"`
	Needed       int `json:"needed"`
	Missing      int `json:"missing"`
	// Endorsers are the endorsing members, sorted by key.
	Endorsers []Endorser `json:"endorsers"`
	// Next says in a sentence what happens next.
	Next string `json:"next"`
	// Problem says why the node could not enact its admission although
	// a member shows enough endorsements; empty otherwise.
	Problem string `json:"problem,omitempty"`
	// AskedAt is when a member last answered; absent before.
	AskedAt *time.Time `json:"asked_at,omitempty"`
}

// Endorser is a member that endorsed an application.
type Endorser = MemberRef
