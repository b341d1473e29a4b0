package node

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// lines records log lines at Info and above with their attributes.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelInfo }
func (l *lines) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l *lines) WithGroup(string) slog.Handler                 { return l }
func (l *lines) Handle(_ context.Context, r slog.Record) error {
	s := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, s)
	return nil
}

// has reports whether a line holds every one of parts.
func (l *lines) has(parts ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.got, func(s string) bool {
		for _, p := range parts {
			if !strings.Contains(s, p) {
				return false
			}
		}
		return true
	})
}

// TestKeyEvents: each change of another key's standing worth an alert has
// its line and level; other changes none.
func TestKeyEvents(t *testing.T) {
	member := trust.KeyState{Status: trust.StatusMember}
	for _, tc := range []struct {
		was, now trust.KeyState
		level    slog.Level
		msg      string
	}{
		{trust.KeyState{Status: trust.StatusApplicant}, member, slog.LevelInfo, "admitted"},
		{member, trust.KeyState{Status: trust.StatusMember, Suspended: true}, slog.LevelWarn, "suspended"},
		{member, trust.KeyState{Status: trust.StatusMember, Suspended: true, Equivocated: 3}, slog.LevelWarn, "fork"},
		{trust.KeyState{Status: trust.StatusMember, Suspended: true}, member, slog.LevelInfo, "lifted"},
		{member, trust.KeyState{Status: trust.StatusRevoked}, slog.LevelWarn, "revoked"},
		{member, trust.KeyState{Status: trust.StatusLeft}, slog.LevelInfo, "left"},
		{trust.KeyState{Status: trust.StatusApplicant}, trust.KeyState{Status: trust.StatusLapsed}, slog.LevelInfo, "lapsed"},
		{trust.KeyState{}, trust.KeyState{Status: trust.StatusApplicant}, slog.LevelInfo, "first endorsement"},
		{member, member, slog.LevelInfo, ""},
	} {
		level, msg := keyEvent(tc.was, tc.now)
		if tc.msg == "" && msg != "" || tc.msg != "" && (level != tc.level || !strings.Contains(msg, tc.msg)) {
			t.Errorf("%v -> %v: %v %q, want %v and %q", tc.was, tc.now, level, msg, tc.level, tc.msg)
		}
	}
}

// TestCircleEventsLogged: A's node logs, with B's name, that B was
// suspended, and that it lost its connection to C when C's node stopped.
func TestCircleEventsLogged(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	log := &lines{}
	a := startNode(t, c, "A", func(cfg *Config) { cfg.Logger = slog.New(log) })
	cn := startNode(t, c, "C", func(cfg *Config) { cfg.Peers = a.P2PAddrs() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	untilChanged(t, ctx, a, "C connected to A", func() bool { return a.Connected(cn.ID()) })

	op := must(t)
	b := c.Actor("B").Key
	m := protocol.Motion{Kind: protocol.MotionSuspend, Target: &b, Case: []byte{1}}
	vote := op(c.Vote("A", m))
	vote2 := op(c.Vote("C", m))
	syncActor(t, c, "C", "A")
	enact := op(c.Enact("C", m))
	submitAll(t, a, []*protocol.Op{vote, vote2, enact})
	if !log.has("WARN a member was suspended", "member="+a.Label(b)) {
		t.Errorf("A did not log B's suspension by name: %q", log.got)
	}
	if err := cn.Close(); err != nil {
		t.Fatal(err)
	}
	untilChanged(t, ctx, a, "A to lose C", func() bool { return !a.Connected(cn.ID()) })
	deadline := time.Now().Add(5 * time.Second)
	for !log.has("INFO lost the connection to a member", "member="+a.Label(c.Actor("C").Key)) {
		if time.Now().After(deadline) {
			t.Fatalf("A did not log losing C: %q", log.got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
