package store_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

func TestValidate(t *testing.T) {
	for name, o := range map[string]store.Options{"DefaultOptions": store.DefaultOptions(), "DefaultLocalOptions": store.DefaultLocalOptions()} {
		if err := o.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, change := range map[string]func(*store.Options){
		"MemTableSize":        func(o *store.Options) { o.MemTableSize = 4 << 20 },
		"NumMemtables":        func(o *store.Options) { o.NumMemtables = 0 },
		"BlockCacheSize":      func(o *store.Options) { o.BlockCacheSize = 0 },
		"IndexCacheSize":      func(o *store.Options) { o.IndexCacheSize = -1 },
		"NumCompactors":       func(o *store.Options) { o.NumCompactors = 1 },
		"NumCompactors -1":    func(o *store.Options) { o.NumCompactors = -1 },
		"ValueLogFileSize":    func(o *store.Options) { o.ValueLogFileSize = 1 << 10 },
		"ValueLogFileSize 2G": func(o *store.Options) { o.ValueLogFileSize = 2 << 30 },
		"PendingMax":          func(o *store.Options) { o.PendingMax = 0 },
	} {
		o := store.DefaultOptions()
		change(&o)
		if err := o.Validate(); !errors.Is(err, store.ErrInvalidOptions) {
			t.Errorf("%s: Validate error %v, want ErrInvalidOptions", name, err)
		}
		if _, err := store.Open(t.TempDir(), o); !errors.Is(err, store.ErrInvalidOptions) {
			t.Errorf("%s: Open error %v, want ErrInvalidOptions", name, err)
		}
	}
	if _, err := store.Open(t.TempDir(), store.DefaultLocalOptions()); !errors.Is(err, store.ErrInvalidOptions) {
		t.Errorf("Open of an in-memory store with a dir: error %v, want ErrInvalidOptions", err)
	}
	if _, err := store.Open("", store.DefaultOptions()); !errors.Is(err, store.ErrInvalidOptions) {
		t.Errorf("Open of a disk store without dir: error %v, want ErrInvalidOptions", err)
	}
}

// recorder is a slog.Handler that keeps every record.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	return nil
}

func (r *recorder) levels() []slog.Level {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Level
	for _, rec := range r.records {
		out = append(out, rec.Level)
	}
	return out
}

func TestBadgerLogger(t *testing.T) {
	rec := &recorder{}
	l := store.BadgerLogger(slog.New(rec))
	l.Infof("info %d\n", 1)
	l.Debugf("debug")
	l.Warningf("warning")
	l.Errorf("error %s", "x")
	l.Warningf("wrapped: %w", nil)
	// badger's cache monitor, every minute while a cache's hit ratio is
	// low: tuning advice at Debug, not a WARN to alert on.
	l.Warningf("%s might be too small. Metrics: %s\n", "Block cache", "hit: 1 miss: 9")
	l.Warningf("Cache life expectancy (in seconds): %+v\n", 3)
	want := []slog.Level{store.LevelTrace, store.LevelTrace, slog.LevelWarn, slog.LevelError, slog.LevelWarn, slog.LevelDebug, slog.LevelDebug}
	if got := rec.levels(); !slices.Equal(got, want) {
		t.Fatalf("levels %v, want %v", got, want)
	}
	if msg := rec.records[0].Message; msg != "info 1" {
		t.Fatalf("message %q, want %q (formatted, trimmed)", msg, "info 1")
	}
	if msg := rec.records[4].Message; msg != "wrapped: <nil>" {
		t.Fatalf("message %q, want %q (%%w printed as %%v)", msg, "wrapped: <nil>")
	}

	// A store logs badger's chatter through Options.Logger, below Debug:
	// a logger at Debug sees none of it.
	rec = &recorder{}
	o := diskOptions()
	o.Logger = slog.New(rec)
	s := open(t, t.TempDir(), o)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := rec.levels(); len(got) == 0 || slices.ContainsFunc(got, func(l slog.Level) bool { return l != store.LevelTrace }) {
		t.Fatalf("opening and closing a store logged at %v; want some LevelTrace lines only", got)
	}
	var text strings.Builder
	o.Logger = slog.New(slog.NewTextHandler(&text, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s = open(t, t.TempDir(), o)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if text.Len() > 0 {
		t.Fatalf("a store logged badger's internals to a logger at Debug:\n%s", text.String())
	}
}
