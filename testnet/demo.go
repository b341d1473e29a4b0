package testnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// DemoOptions shape Demo.
type DemoOptions struct {
	// Dir holds the nodes' badger stores, one directory per organisation,
	// and is kept afterwards. It must be empty or not exist yet. Empty
	// means a temporary directory that is removed when the demo ends.
	Dir string
	// Out receives the narrated timeline; nil discards it.
	Out io.Writer
	// Logger receives every node's logs; nil discards them.
	Logger *slog.Logger
}

// StepTimeout bounds each step of Demo.
const StepTimeout = 30 * time.Second

// ErrDirNotEmpty: DemoOptions.Dir holds files already; the demo founds a
// new circle and needs fresh stores.
var ErrDirNotEmpty = errors.New("testnet: demo directory is not empty")

// StepError reports the step of Demo that failed, and why.
type StepError struct {
	// Step is the step's number, from 1.
	Step int
	// Title says what the step does.
	Title string
	// Err is why it failed.
	Err error
}

// Error describes the failure in one line.
func (e *StepError) Error() string {
	return fmt.Sprintf("demo step %d (%s) failed: %v", e.Step, e.Title, e.Err)
}

// Unwrap returns why the step failed.
func (e *StepError) Unwrap() error { return e.Err }

// demo is the state the steps share.
type demo struct {
	net    *Net
	tl     *timeline
	rec    *recorder
	dir    string
	logger *slog.Logger
	// life is the context the nodes run in: the whole demo's, not a
	// step's.
	life context.Context
	// step is the number of the step under way, for the figures.
	step int
	// apps are the applicants' signed applications.
	apps map[string]*protocol.Application
	// kickoff is the founders' first advisory; the first newcomer gets it
	// by sync once admitted.
	kickoff protocol.Hash
	// gone are the organisations no longer in the circle (revoked, left).
	gone map[string]bool
}

// Demo runs the demo circle: seven organisations' nodes on 127.0.0.1,
// each with its own badger store, narrated to opts.Out as a timeline
// with measured times. Five founders co-sign a genesis; an applicant is
// endorsed by three members and admitted; advisories at every TLP level
// reach every node; a member that breaches trust is blocked locally, then
// suspended and revoked network-wide; the initiator leaves, and the circle
// goes on admitting and sharing. It ends with a table of the measured
// times. Each step has StepTimeout; Demo returns a *StepError naming the
// step that failed, or nil.
func Demo(ctx context.Context, opts DemoOptions) (err error) {
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	dir, cleanup, err := demoDir(opts.Dir)
	if err != nil {
		return err
	}
	defer cleanup()
	d := &demo{life: ctx, tl: newTimeline(out), rec: newRecorder(), dir: dir, logger: opts.Logger, apps: map[string]*protocol.Application{}, gone: map[string]bool{}}
	d.tl.printf("Kring demo: seven organisations of the %s, one node each on 127.0.0.1, badger stores in %s\n", demoCircle, dir)
	steps := []struct {
		title string
		run   func(*demo, context.Context) error
	}{
		{"five founders co-sign the genesis and start the circle", (*demo).found},
		{"an applicant is endorsed by three members and admitted", (*demo).admitFirst},
		{"advisories at every TLP level reach every node", (*demo).shareTLP},
		{"a member breaches trust: blocked, suspended, revoked", (*demo).breach},
		{"the initiator leaves and the circle goes on", (*demo).goOn},
	}
	defer func() {
		if d.net != nil {
			if cerr := d.net.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("testnet: demo: stopping the nodes: %w", cerr)
			}
		}
	}()
	for i, s := range steps {
		d.step = i + 1
		d.tl.heading(d.step, s.title)
		began := time.Now()
		sctx, cancel := context.WithTimeout(ctx, StepTimeout)
		serr := s.run(d, sctx)
		cancel()
		if serr != nil {
			d.tl.say("step %d FAILED after %s", d.step, dur(time.Since(began)))
			return &StepError{Step: d.step, Title: s.title, Err: serr}
		}
		d.tl.measured(d.step, "step "+fmt.Sprint(d.step)+" in all", time.Since(began))
	}
	d.tl.summary()
	if opts.Dir != "" {
		d.tl.printf("\nAll steps passed. The nodes' stores are kept in %s.\n", dir)
	} else {
		d.tl.printf("\nAll steps passed.\n")
	}
	if d.tl.err != nil {
		return fmt.Errorf("testnet: demo: writing the timeline: %w", d.tl.err)
	}
	return nil
}

// demoDir returns the directory for the stores and what removes it.
func demoDir(dir string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "kring-demo-")
		if err != nil {
			return "", nil, fmt.Errorf("testnet: demo: %w", err)
		}
		return tmp, func() { _ = os.RemoveAll(tmp) }, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("testnet: demo: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, fmt.Errorf("testnet: demo: %w", err)
	}
	if len(entries) > 0 {
		return "", nil, fmt.Errorf("%w: %s (pass an empty or new directory)", ErrDirNotEmpty, dir)
	}
	return dir, func() {}, nil
}

// name is the organisation's name from its profile.
func name(org string) string { return cast[org].Name }

// poss is the possessive of the organisation's name.
func poss(org string) string {
	if n := name(org); strings.HasSuffix(n, "s") {
		return n + "'"
	}
	return name(org) + "'s"
}

// running are the organisations whose nodes run and that are still in
// the circle (or applying to it).
func (d *demo) running() []string {
	var out []string
	for _, m := range d.net.Running() {
		if !d.gone[m.Name] {
			out = append(out, m.Name)
		}
	}
	return out
}

// waitStored waits until every named node stores op h, and returns when
// the last of them made it durable.
func (d *demo) waitStored(ctx context.Context, h protocol.Hash, orgs []string) (time.Time, error) {
	var last time.Time
	_, err := until(ctx, "op "+h.Short()+" at "+fmt.Sprint(len(orgs))+" nodes", func() bool {
		var ok bool
		last, ok = d.rec.last(h, orgs)
		return ok
	})
	return last, err
}

// checkLive checks that every named node counts op h.
func (d *demo) checkLive(ctx context.Context, h protocol.Hash, orgs []string) error {
	for _, o := range orgs {
		live, err := d.net.M(o).Node().Live(ctx, h)
		if err != nil {
			return fmt.Errorf("%s: %w", name(o), err)
		}
		if !live {
			return fmt.Errorf("%s stores op %s but does not count it", name(o), h.Short())
		}
	}
	return nil
}

// ready waits until org's node may publish. The wait is narrated when
// it shows: a node publishes only after completing syncs with enough
// current members since it started.
func (d *demo) ready(ctx context.Context, org string) (*node.Node, error) {
	nd := d.net.M(org).Node()
	if nd == nil {
		return nil, fmt.Errorf("%s node is not running", poss(org))
	}
	began := time.Now()
	if err := nd.WaitReady(ctx); err != nil {
		return nil, fmt.Errorf("%s node getting ready to publish: %w", poss(org), err)
	}
	if w := time.Since(began); w > 50*time.Millisecond {
		d.tl.say("%s node waited %s to be ready to publish: it must first complete syncs with %d current members",
			poss(org), dur(w), node.DefaultLocalConfig().SyncBeforePublish)
	}
	return nd, nil
}

// publish publishes body from org's node.
func (d *demo) publish(ctx context.Context, org string, body protocol.Body) (*protocol.Op, error) {
	nd, err := d.ready(ctx, org)
	if err != nil {
		return nil, err
	}
	op, err := nd.Publish(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("%s publishing a %s: %w", name(org), body.Kind(), err)
	}
	return op, nil
}

// share publishes an advisory from org and waits until every node in to
// stores it and counts it; it prints and records the time.
func (d *demo) share(ctx context.Context, org string, adv protocol.Advisory, to []string) (*protocol.Op, error) {
	return d.shareAdvisory(ctx, org, adv, to, false)
}

// shareAdvisory is share; plaintextRed publishes a TLP:RED advisory with
// its publisher's acknowledgement that every member can read it
// (node.PublishPlaintextRed).
func (d *demo) shareAdvisory(ctx context.Context, org string, adv protocol.Advisory, to []string, plaintextRed bool) (*protocol.Op, error) {
	nd, err := d.ready(ctx, org)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	var op *protocol.Op
	if plaintextRed {
		op, err = nd.PublishPlaintextRed(ctx, &adv)
	} else {
		op, err = nd.Publish(ctx, &adv)
	}
	if err != nil {
		return nil, fmt.Errorf("%s publishing an advisory: %w", name(org), err)
	}
	at, err := d.waitStored(ctx, op.Hash(), to)
	if err != nil {
		return nil, err
	}
	if err := d.checkLive(ctx, op.Hash(), to); err != nil {
		return nil, err
	}
	took := d.tl.measured(d.step, fmt.Sprintf("TLP:%s advisory by %s stored at all %d nodes", adv.TLP, name(org), len(to)), at.Sub(began))
	d.tl.say("TLP:%-12s %s publishes %q (op %s); stored and counted at all %d nodes %s after publishing",
		adv.TLP, name(org), adv.Title, op.Hash().Short(), len(to), dur(took))
	return op, nil
}

// connectedTo reports whether a's node holds a connection to b's.
func (d *demo) connectedTo(a, b string) bool {
	nd := d.net.M(a).Node()
	return nd != nil && nd.Connected(d.net.M(b).ID)
}

// denies reports whether a's node denies b and holds no connection to it.
func (d *demo) denies(a, b string) bool {
	nd := d.net.M(a).Node()
	return nd != nil && nd.Standing(d.net.M(b).ID) == node.Denied && !d.connectedTo(a, b)
}
