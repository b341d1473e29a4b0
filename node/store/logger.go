package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// LevelTrace is the slog level of badger's own chatter: every open,
// write batch, flush and compaction it reports at info or debug. It is
// below slog.LevelDebug, so a node logging at debug shows its own
// decisions, not badger's internals; a logger at LevelTrace shows both.
// Badger's warnings and errors keep slog's Warn and Error.
const LevelTrace = slog.LevelDebug - 4

// slogAdapter is badger's Logger writing to slog: its info and debug
// lines at LevelTrace, its warnings and errors at Warn and Error, but for
// its cache-tuning advice, at Debug.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Errorf(f string, v ...any)   { a.log(slog.LevelError, f, v) }
func (a slogAdapter) Warningf(f string, v ...any) { a.log(warningLevel(f), f, v) }

// cacheAdvice are the starts of the warnings badger's cache monitor
// writes every minute while a cache's hit ratio is low (after a restart
// with a large log, say): advice for tuning, not trouble for the
// operator, so they log at debug rather than set off alerts on WARN.
var cacheAdvice = []string{"%s might be too small", "Cache life expectancy"}

// warningLevel is the slog level of one of badger's warnings.
func warningLevel(format string) slog.Level {
	for _, p := range cacheAdvice {
		if strings.HasPrefix(format, p) {
			return slog.LevelDebug
		}
	}
	return slog.LevelWarn
}
func (a slogAdapter) Infof(f string, v ...any)  { a.log(LevelTrace, f, v) }
func (a slogAdapter) Debugf(f string, v ...any) { a.log(LevelTrace, f, v) }

func (a slogAdapter) log(level slog.Level, f string, v []any) {
	ctx := context.Background()
	if !a.l.Enabled(ctx, level) {
		return
	}
	// A format that wraps with %w renders as %!w(...) in Sprintf: print
	// the error as %v does.
	f = strings.ReplaceAll(f, "%w", "%v")
	a.l.Log(ctx, level, strings.TrimSpace(fmt.Sprintf(f, v...)))
}
