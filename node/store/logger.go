package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// slogAdapter is badger's Logger writing to slog. Badger is chatty at info
// (every open, flush and compaction), so its info lines go to Debug.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Errorf(f string, v ...any)   { a.log(slog.LevelError, f, v) }
func (a slogAdapter) Warningf(f string, v ...any) { a.log(slog.LevelWarn, f, v) }
func (a slogAdapter) Infof(f string, v ...any)    { a.log(slog.LevelDebug, f, v) }
func (a slogAdapter) Debugf(f string, v ...any)   { a.log(slog.LevelDebug, f, v) }

func (a slogAdapter) log(level slog.Level, f string, v []any) {
	ctx := context.Background()
	if !a.l.Enabled(ctx, level) {
		return
	}
	a.l.Log(ctx, level, strings.TrimSpace(fmt.Sprintf(f, v...)))
}
