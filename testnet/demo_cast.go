package testnet

import (
	"github.com/kring-circle/kring/protocol"
)

// The demo's organisations, by their names in the Net. Their profiles are
// in cast; the first five found the circle, the initiator first.
const (
	northwind  = "northwind"
	harbourln  = "harbourline"
	veldspan   = "veldspan"
	polder     = "polder"
	kestrel    = "kestrel"
	tidewater  = "tidewater"
	lumen      = "lumen"
	demoCircle = "Energy Supply-Chain Security Circle"
)

// demoFounders found the demo circle; northwind is the initiator and
// kestrel the member that later breaches trust.
var demoFounders = []string{northwind, harbourln, veldspan, polder, kestrel}

// cast holds the organisation profiles of the demo.
var cast = map[string]protocol.Profile{
	northwind: {
		Name: "Northwind Energy", Sector: "energy: transmission system operator",
		Contact: "soc@northwind-energy.example", Role: "CISO",
		Expertise: []string{"ICS/SCADA", "incident response"},
	},
	harbourln: {
		Name: "Harbourline Grid", Sector: "energy: distribution system operator",
		Contact: "csirt@harbourline-grid.example", Role: "CSIRT lead",
		Expertise: []string{"OT network monitoring", "threat hunting"},
	},
	veldspan: {
		Name: "Veldspan Logistics", Sector: "supply chain: port and freight logistics",
		Contact: "security@veldspan.example", Role: "Head of Security Operations",
		Expertise: []string{"supply-chain risk", "malware analysis"},
	},
	polder: {
		Name: "Polder Power Services", Sector: "managed services: OT/IT provider for utilities",
		Contact: "mdr@polder-power.example", Role: "CISO",
		Expertise: []string{"vulnerability management", "managed detection"},
	},
	kestrel: {
		Name: "Kestrel Components", Sector: "supply chain: substation equipment manufacturer",
		Contact: "psirt@kestrel-components.example", Role: "Product Security Officer",
		Expertise: []string{"PSIRT", "firmware security"},
	},
	tidewater: {
		Name: "Tidewater Gas Storage", Sector: "energy: underground gas storage",
		Contact: "security@tidewater-gas.example", Role: "Security Manager",
		Expertise: []string{"OT asset inventory", "historian hardening"},
		Claims: []protocol.Claim{
			{Requirement: "vital-clients", Statement: "operates two storage sites designated vital infrastructure; supplies 4 vital clients"},
			{Requirement: "senior-rep", Statement: "represented by its Security Manager, reporting to the board"},
			{Requirement: "24x7-contact", Statement: "24/7 control-room duty officer, +31 20 555 0147"},
		},
	},
	lumen: {
		Name: "Lumen Metering", Sector: "supply chain: smart-meter vendor",
		Contact: "psirt@lumen-metering.example", Role: "PSIRT lead",
		Expertise: []string{"embedded security", "coordinated disclosure"},
		Claims: []protocol.Claim{
			{Requirement: "vital-clients", Statement: "supplies meters and head-end systems to 3 distribution system operators"},
			{Requirement: "senior-rep", Statement: "represented by its PSIRT lead"},
			{Requirement: "24x7-contact", Statement: "PSIRT on-call rota, psirt@lumen-metering.example"},
		},
	},
}

// demoCharter is the demo circle's charter: admit=3, suspend=2, revoke=3.
func demoCharter() protocol.Charter {
	return protocol.Charter{
		Name: demoCircle, Version: 1, Admit: 3, Suspend: 2, Revoke: 3,
		Requirements: []protocol.Requirement{
			{ID: "vital-clients", Text: "Operates vital energy infrastructure or serves at least three vital clients in the energy supply chain."},
			{ID: "senior-rep", Text: "Represented by a senior security officer (CISO, CSIRT or PSIRT lead) who attends the meetings."},
			{ID: "24x7-contact", Text: "Keeps a security contact reachable 24/7 for urgent advisories."},
		},
		TLPPolicy: "FIRST TLP 2.0. CLEAR may leave the circle; GREEN stays within members and their sector peers; " +
			"AMBER goes only to members' own staff and clients who need it to protect themselves; AMBER+STRICT stays " +
			"inside the recipient organisation; RED goes to the named recipients only. A breach of TLP is ground for suspension.",
		Cadence: "monthly, plus ad-hoc calls during incidents",
		Topics:  []string{"OT vulnerability disclosure with vendors", "supply-chain compromise playbook", "annual joint exercise"},
	}
}

// demoAdvisory is one advisory the demo publishes, and its publisher.
type demoAdvisory struct {
	by  string
	adv protocol.Advisory
}

// tlpAdvisories are published in step 3, one per TLP level.
var tlpAdvisories = []demoAdvisory{
	{northwind, protocol.Advisory{TLP: protocol.TLPClear,
		Title:   "CVE-2026-21877: authentication bypass in GridEdge RTU web interface",
		Summary: "Vendor patch 4.2.1 available; disable the web interface where unused.",
		Content: []byte(`{"cve":["CVE-2026-21877"],"products":["GridEdge RTU 4.x"],"fixed_in":"4.2.1"}`)}},
	{harbourln, protocol.Advisory{TLP: protocol.TLPGreen,
		Title:   "Phishing wave impersonating the regulator's tariff portal",
		Summary: "Lure: 'tariff correction 2026'; credential harvesting on look-alike domains."}},
	{veldspan, protocol.Advisory{TLP: protocol.TLPAmber,
		Title:   "Compromised freight-booking portal stages loader malware",
		Summary: "Indicators for the loader and its C2; check supplier portals used by your logistics staff.",
		Content: []byte(`{"indicators":[{"type":"domain","value":"book-freight-portal.example"},{"type":"sha256","value":"3f9a0c5e7b1d2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d"}]}`)}},
	{tidewater, protocol.Advisory{TLP: protocol.TLPAmberStrict,
		Title:   "Exploitation attempt against our process historian: full timeline",
		Summary: "For members' own security teams only: what we saw, hour by hour, and what stopped it."}},
	{polder, protocol.Advisory{TLP: protocol.TLPRed,
		Title:   "Credential exposure at a shared OT remote-access provider",
		Summary: "Named recipients only; do not forward. Rotate remote-access credentials today."}},
}
