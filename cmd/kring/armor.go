package main

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The .kring files people pass each other by mail or chat (the genesis,
// an application) hold binary CBOR. Kring writes them armored: PEM
// (encoding/pem, RFC 7468's textual encoding) with a type that names what
// the file is, after a few lines that tell a person what it is and how to
// read it:
//
//	A Kring application to join a circle, signed by the applicant. ...
//	-----BEGIN KRING APPLICATION-----
//	omUBWCD...
//	-----END KRING APPLICATION-----
//
// Base64 lines of 64 characters survive mail and chat; readers take the
// armored form and the binary one that earlier versions wrote.

// Armor types: what a file holds.
const (
	armorGenesis     = "KRING GENESIS"
	armorApplication = "KRING APPLICATION"
)

// armorPreamble is what each armored file says of itself before its
// block. It is fixed text: nothing in it comes from the file's content,
// so nothing in the content can forge a block before the real one.
var armorPreamble = map[string]string{
	armorGenesis: `A Kring circle's genesis: its charter and founders, signed by every founder.
Pass it on as it is. Read it with: kring genesis show FILE
Founders install it with: kring genesis install FILE
Applicants apply with: kring apply --genesis FILE
`,
	armorApplication: `A Kring application to join a circle, signed by the applicant.
Pass it on as it is. Read it with: kring apply --show FILE
Members who vetted the applicant endorse it with:
kring endorse FILE --evidence "how we vetted them"
`,
}

// armor returns b as the armored text of kind.
func armor(kind string, b []byte) []byte {
	var out bytes.Buffer
	out.WriteString(armorPreamble[kind])
	// pem.Encode fails only on a bad header key; there are no headers.
	_ = pem.Encode(&out, &pem.Block{Type: kind, Bytes: b})
	return out.Bytes()
}

// unarmor returns what a .kring file holds: for the armored form, its
// type and its bytes; for anything that is not text (the binary form), an
// empty type and b itself. Text without a readable Kring block is an
// error that says what the text seems to be.
func unarmor(b []byte) (kind string, body []byte, err error) {
	if !utf8.Valid(b) {
		return "", b, nil // binary CBOR: an op or application starts with a map, never valid UTF-8
	}
	block, rest := pem.Decode(b)
	for block != nil && !strings.HasPrefix(block.Type, "KRING ") {
		block, rest = pem.Decode(rest)
	}
	if block == nil {
		if bytes.Contains(b, []byte("-----BEGIN KRING ")) {
			return "", nil, fmt.Errorf("the text between its -----BEGIN KRING and -----END lines is damaged (changed on the way?): ask for the file again, and pass it on as a file or as the whole text")
		}
		return "", nil, fmt.Errorf("a text file without a -----BEGIN KRING ...----- block")
	}
	if next, _ := pem.Decode(rest); next != nil && strings.HasPrefix(next.Type, "KRING ") {
		return "", nil, fmt.Errorf("it holds more than one Kring block (%s, then %s): pass one file at a time", armorName(block.Type), armorName(next.Type))
	}
	return block.Type, block.Bytes, nil
}

// armorName names an armor type for people: "KRING GENESIS" is "a
// genesis".
func armorName(kind string) string {
	switch kind {
	case armorGenesis:
		return "a genesis"
	case armorApplication:
		return "an application"
	}
	return fmt.Sprintf("a %q block", kind)
}
