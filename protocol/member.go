package protocol

import (
	"crypto/ed25519"
	"fmt"
	"unicode/utf8"
)

// Profile describes a member organisation: what endorsers vet and what other
// members see.
type Profile struct {
	// Name is the organisation's name.
	Name string `cbor:"1,keyasint"`
	// Sector is the organisation's sector, e.g. "energy" or "managed services".
	Sector string `cbor:"2,keyasint,omitempty"`
	// Contact is how other members reach the security team.
	Contact string `cbor:"3,keyasint,omitempty"`
	// Role is the representative's role, e.g. "CISO".
	Role string `cbor:"4,keyasint,omitempty"`
	// Expertise lists the team's areas of expertise.
	Expertise []string `cbor:"5,keyasint,omitempty"`
	// Claims answer the charter's membership requirements.
	Claims []Claim `cbor:"6,keyasint,omitempty"`
}

// Claim states how an organisation meets one membership requirement.
type Claim struct {
	// Requirement is the ID of the charter requirement this claim answers.
	Requirement string `cbor:"1,keyasint"`
	// Statement is the organisation's claim, e.g. "serves 3 vital clients".
	Statement string `cbor:"2,keyasint"`
}

// Member is a member organisation's identity: its signing key, its key for
// encrypted advisories, and its profile.
type Member struct {
	// Key is the organisation's Ed25519 signing key and node identity.
	Key Key `cbor:"1,keyasint"`
	// EncKey is the organisation's X25519 public key; RED advisories are
	// encrypted to it.
	EncKey [32]byte `cbor:"2,keyasint"`
	// Profile describes the organisation.
	Profile Profile `cbor:"3,keyasint"`
	// Addrs are multiaddrs where the organisation's node listened when it
	// signed (e.g. "/dns4/kring.example.org/tcp/4001"), so that other
	// members can reach it without a bootstrap node. Optional; a node
	// also learns addresses from its connections.
	Addrs []string `cbor:"4,keyasint,omitempty"`
}

// Application is a candidate's request to join a circle, signed by the
// candidate's own key. Endorsements are votes on an Admit motion that
// carries it.
type Application struct {
	// Group is the circle applied to.
	Group Hash `cbor:"1,keyasint"`
	// Member is the candidate's identity and profile.
	Member Member `cbor:"2,keyasint"`
	// Nonce makes a new application distinct from an earlier one.
	Nonce []byte `cbor:"3,keyasint,omitempty"`
	// Sig is the candidate's signature over DomainApplication, a zero
	// byte, and the application's encoding without Sig.
	Sig []byte `cbor:"4,keyasint,omitempty"`
}

// SignApplication sets a.Member.Key from priv and signs the application.
func SignApplication(a *Application, priv ed25519.PrivateKey) error {
	a.Member.Key = KeyOf(priv)
	a.Sig = nil
	if err := a.validate(); err != nil {
		return err
	}
	a.Sig = sign(priv, DomainApplication, mustMarshal(a))
	return nil
}

// Verify checks the candidate's key (CheckKey) and signature.
func (a *Application) Verify() error {
	if err := CheckKey(a.Member.Key); err != nil {
		return fmt.Errorf("application: %w", err)
	}
	c := *a
	c.Sig = nil
	if !a.Member.Key.verify(DomainApplication, mustMarshal(&c), a.Sig) {
		return fmt.Errorf("%w: application of %s", ErrBadSignature, a.Member.Key.Short())
	}
	return nil
}

// ID returns the application's hash: SHA-256 of its full encoding.
func (a *Application) ID() Hash { return sum("", mustMarshal(a)) }

func (a *Application) validate() error {
	if a.Group.IsZero() {
		return fmt.Errorf("%w: application without group", ErrInvalidBody)
	}
	if len(a.Nonce) > MaxNonce {
		return fmt.Errorf("%w: nonce of %d bytes", ErrTooLarge, len(a.Nonce))
	}
	return a.Member.validate()
}

func (m *Member) validate() error {
	if m.Key.IsZero() {
		return fmt.Errorf("%w: member without key", ErrInvalidBody)
	}
	if err := CheckKey(m.Key); err != nil {
		return fmt.Errorf("member: %w", err)
	}
	if err := CheckEncKey(m.EncKey); err != nil {
		return fmt.Errorf("member: %w", err)
	}
	if err := checkList("addrs", len(m.Addrs)); err != nil {
		return err
	}
	if err := checkTexts(MaxShortText, m.Addrs...); err != nil {
		return err
	}
	return m.Profile.validate()
}

func (p *Profile) validate() error {
	if p.Name == "" {
		return fmt.Errorf("%w: profile without organisation name", ErrInvalidBody)
	}
	if err := checkTexts(MaxShortText, p.Name, p.Sector, p.Contact, p.Role); err != nil {
		return err
	}
	if err := checkList("expertise", len(p.Expertise)); err != nil {
		return err
	}
	if err := checkTexts(MaxShortText, p.Expertise...); err != nil {
		return err
	}
	if err := checkList("claims", len(p.Claims)); err != nil {
		return err
	}
	for _, c := range p.Claims {
		if err := checkTexts(MaxShortText, c.Requirement); err != nil {
			return err
		}
		if err := checkTexts(MaxLongText, c.Statement); err != nil {
			return err
		}
	}
	return nil
}

// checkTexts checks that every text is at most limit bytes of valid UTF-8.
// Decode never sees invalid UTF-8 here (the decoder rejects it first); the
// check keeps Sign from encoding text that every receiver would reject.
func checkTexts(limit int, ss ...string) error {
	for _, s := range ss {
		if len(s) > limit {
			return fmt.Errorf("%w: text of %d bytes, limit %d", ErrTooLarge, len(s), limit)
		}
		if !utf8.ValidString(s) {
			return fmt.Errorf("%w: text is not valid UTF-8", ErrMalformed)
		}
	}
	return nil
}

func checkList(what string, n int) error {
	if n > MaxListItems {
		return fmt.Errorf("%w: %d %s, limit %d", ErrTooLarge, n, what, MaxListItems)
	}
	return nil
}

// Bytes returns the application's canonical encoding: what a candidate
// hands to the members it asks for endorsements, and what
// DecodeApplication reads back.
func (a *Application) Bytes() []byte { return mustMarshal(a) }

// DecodeApplication parses an application strictly (at most MaxOpSize bytes,
// canonical CBOR, known fields, valid profile) and checks the candidate's
// signature. It does not check which circle the application is for: compare
// Group with the circle's genesis hash.
func DecodeApplication(b []byte) (*Application, error) {
	if len(b) > MaxOpSize {
		return nil, fmt.Errorf("%w: application is %d bytes, limit %d", ErrTooLarge, len(b), MaxOpSize)
	}
	a := new(Application)
	if err := unmarshalStrict(b, a); err != nil {
		return nil, err
	}
	if err := a.validate(); err != nil {
		return nil, err
	}
	if err := a.Verify(); err != nil {
		return nil, err
	}
	return a, nil
}
