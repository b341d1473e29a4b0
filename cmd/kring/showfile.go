package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// showFile prints any file people pass each other for a circle, whatever
// the verb it was given to (kring genesis show, kring apply --show): a
// genesis draft, a genesis or an application, armored or binary.
func (a *app) showFile(verb, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return usageErrorf("%s: %v", verb, err)
	}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		return a.showDraft(path)
	}
	kind, body, err := unarmor(b)
	if err != nil {
		return identityErrorf("%s %s: %v: give a genesis draft, a genesis or an application", verb, path, err)
	}
	if kind == armorApplication {
		return a.showApplication(path, b)
	}
	if kind == "" {
		if _, err := protocol.DecodeApplication(body); err == nil {
			return a.showApplication(path, b)
		}
	}
	op, err := decodeGenesis(b)
	if err != nil {
		return identityErrorf("%s %s: %v", verb, path, err)
	}
	return a.showGenesis(op)
}

// showGenesis prints a genesis op.
func (a *app) showGenesis(op *protocol.Op) error {
	g := op.Content().(*protocol.Genesis)
	if a.output == "json" {
		v := struct {
			Group    string         `json:"group"`
			Charter  api.CharterDoc `json:"charter"`
			Founders []card         `json:"founders"`
		}{Group: op.Hash().String(), Charter: api.CharterDocOf(g.Charter)}
		for _, f := range g.Founders {
			v.Founders = append(v.Founders, cardOf(f))
		}
		return a.printJSON(v)
	}
	fmt.Fprintf(a.stdout, "Genesis of circle %s\n", op.Hash())
	return printGenesis(a.stdout, g, func(int) bool { return true })
}

// applicationJSON is an application as kring apply --show -o json prints
// it.
type applicationJSON struct {
	ID     string `json:"id"`
	Group  string `json:"group"`
	Circle string `json:"circle,omitempty"`
	card
	Unanswered []string `json:"unanswered_requirements,omitempty"`
}

// showApplication prints an application. When this data dir holds the
// genesis of the circle applied to, it also names the circle and the
// charter's requirements the application leaves unanswered.
func (a *app) showApplication(path string, b []byte) error {
	app, err := decodeApplication(b)
	if err != nil {
		return identityErrorf("application %s: %v: ask the applicant for the file kring apply wrote", path, err)
	}
	v := applicationJSON{ID: app.ID().String(), Group: app.Group.String(), card: cardOf(app.Member)}
	if g := a.knownGenesis(app.Group); g != nil {
		v.Circle = g.Charter.Name
		for _, r := range unanswered(g.Charter, app.Member.Profile) {
			v.Unanswered = append(v.Unanswered, r.ID)
		}
	}
	if a.output == "json" {
		return a.printJSON(v)
	}
	return printApplication(a.stdout, path, app, v)
}

// knownGenesis returns the genesis installed in this data dir if it is
// circle group's, else nil.
func (a *app) knownGenesis(group protocol.Hash) *protocol.Genesis {
	cfg, err := a.config()
	if err != nil {
		return nil
	}
	op, err := readGenesis(a.dir().resolve(cfg.Node.Genesis))
	if err != nil || op.Hash() != group {
		return nil
	}
	g, _ := op.Content().(*protocol.Genesis)
	return g
}

// printApplication describes an application for people.
func printApplication(w io.Writer, path string, app *protocol.Application, v applicationJSON) error {
	m := app.Member
	p := m.Profile
	circle := "circle " + app.Group.String()
	if v.Circle != "" {
		circle = fmt.Sprintf("circle %q (%s)", v.Circle, app.Group.Short())
	}
	fmt.Fprintf(w, "Application %s to %s\n", app.ID().Short(), circle)
	fmt.Fprintf(w, "  organisation %s\n", p.Name)
	fmt.Fprintf(w, "  key %s (signature verified)\n", m.Key)
	for _, f := range [][2]string{{"sector", p.Sector}, {"role", p.Role}, {"contact", p.Contact}} {
		if f[1] != "" {
			fmt.Fprintf(w, "  %s %s\n", f[0], f[1])
		}
	}
	if len(p.Expertise) > 0 {
		fmt.Fprintf(w, "  expertise %s\n", strings.Join(p.Expertise, ", "))
	}
	for _, addr := range m.Addrs {
		fmt.Fprintf(w, "  address %s\n", addr)
	}
	if len(p.Claims) == 0 {
		fmt.Fprintf(w, "  no claims\n")
	}
	for _, c := range p.Claims {
		fmt.Fprintf(w, "  claim %s: %s\n", c.Requirement, c.Statement)
	}
	for _, id := range v.Unanswered {
		fmt.Fprintf(w, "  requirement %s: NOT ANSWERED\n", id)
	}
	_, err := fmt.Fprintf(w, "Members who vetted it endorse it with: kring endorse %s --evidence \"how we vetted them\"\n", path)
	return err
}
