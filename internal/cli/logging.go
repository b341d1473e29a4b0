package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/kring-circle/kring/node/store"
)

// LevelTrace is below debug: the store's own chatter (badger's opens,
// writes, flushes and compactions) logs there, so that debug shows the
// node's decisions without it.
const LevelTrace = store.LevelTrace

// ParseLevel parses a log level name: trace, debug, info, warn or error,
// in any case.
func ParseLevel(s string) (slog.Level, error) {
	if strings.EqualFold(strings.TrimSpace(s), "trace") {
		return LevelTrace, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q is unknown: use trace, debug, info, warn or error", s)
	}
	return l, nil
}

// levelName writes LevelTrace as TRACE rather than slog's DEBUG-4.
func levelName(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok && l == LevelTrace {
			a.Value = slog.StringValue("TRACE")
		}
	}
	return a
}

// NewLogger returns a binary's one logger: text or JSON on w, at level
// (a name ParseLevel accepts).
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	l, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	var lv slog.LevelVar
	lv.Set(l)
	return NewLevelLogger(w, format, &lv)
}

// NewLevelLogger returns a logger in format (text or JSON) on w whose
// level is lv's: setting lv changes it while the logger is in use (kring
// run does on SIGHUP).
func NewLevelLogger(w io.Writer, format string, lv *slog.LevelVar) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: lv, ReplaceAttr: levelName}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q is unknown: use text or json", format)
}
