package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
)

// The waits of advisories follow between attempts to reach the daemon:
// the first after a stream that was open, doubling up to the longest.
const (
	followRetryFirst = time.Second
	followRetryMax   = 30 * time.Second
)

func (a *app) advisoriesFollowCommand() *cobra.Command {
	var after string
	var once bool
	cmd := &cobra.Command{
		Use:   "follow",
		Short: "Print advisories as they arrive (every one after --after, then new ones)",
		Long: `Follow prints every live advisory stored after --after (all, by default),
then each new one as the node stores it, until interrupted. With --output
json it prints one JSON object per line, for a SIEM or a script.

When the daemon stops or cannot be reached, follow waits and tries again
(after 1s, doubling up to 30s), then resumes after the last advisory it
printed: none is lost or printed twice. Each lost connection and each
reconnection is a line on stderr; stdout carries advisories only. With
--once it ends instead, with an error, as soon as the stream ends. To
resume after follow itself was stopped, pass --after with the last
position printed.

Advisories of a party this node blocks are left out; after kring unblock,
a follow that passed them does not go back for them (kring advisories
list --after POS shows them).`,
		Example: `  kring advisories follow
  kring advisories follow --after 120 -o json >> advisories.jsonl
  kring advisories follow --once`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, stop := interruptible(cmd.Context())
			defer stop()
			f := &follower{a: a, cn: cn, after: after}
			return f.run(ctx, once)
		},
	}
	cmd.Flags().StringVar(&after, "after", "", "start after this position or ID")
	cmd.Flags().BoolVar(&once, "once", false, "end when the stream ends, instead of reconnecting")
	return cmd
}

// follower prints a daemon's advisory stream, reconnecting when it is
// lost.
type follower struct {
	a  *app
	cn *conn
	// after is the cursor to resume from: --after, then the position of
	// the last advisory printed.
	after string
	// printed is true once an advisory was printed.
	printed bool
	// printErr is the error printing an advisory failed with.
	printErr error
}

// run follows until ctx ends, or until the first lost stream with once.
// It returns nil when ctx ends, and an explained error when the daemon
// refuses the stream (a bad cursor, a wrong token) or printing fails.
func (f *follower) run(ctx context.Context, once bool) error {
	wait := followRetryFirst
	lost := false
	for {
		opened := false
		err := f.attempt(ctx, func() {
			opened = true
			if lost {
				f.say("reconnected to the daemon at %s; resuming %s", f.cn.addr, f.resumption())
				lost = false
			}
		})
		switch {
		case ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)):
			return nil
		case f.printErr != nil:
			return failuref("advisories follow: printing an advisory: %v", f.printErr)
		case once || !retryable(err):
			return f.cn.explain("advisories follow", err)
		}
		if opened {
			wait = followRetryFirst
		}
		f.say("%s; trying again in %s, then resuming %s", f.lostReason(err), wait, f.resumption())
		lost = true
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, followRetryMax)
	}
}

// attempt follows one stream from the cursor, moving the cursor past
// each advisory it prints.
func (f *follower) attempt(ctx context.Context, opened func()) error {
	return f.cn.c.FollowWith(ctx, api.FollowOptions{After: f.after, Opened: opened}, func(ad api.AdvisoryInfo) error {
		var err error
		if f.a.output == "json" {
			err = f.a.printJSONLine(ad)
		} else {
			err = printAdvisory(f.a.stdout, ad, false)
		}
		if err != nil {
			f.printErr = err
			return err
		}
		f.after, f.printed = strconv.FormatUint(ad.Position, 10), true
		return nil
	})
}

// retryable tells whether a follow that ended with err may succeed when
// tried again: the daemon stopped, is not running yet, or broke the
// stream off. A refusal (a bad cursor, a wrong token) is final.
func retryable(err error) bool {
	var ae *api.APIError
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.Is(err, api.ErrDaemonDown), errors.Is(err, api.ErrStreamEnded), errors.Is(err, api.ErrStreamCut):
		return true
	case errors.As(err, &ae):
		return ae.Status >= 500
	case errors.Is(err, api.ErrUnauthorized):
		return false
	}
	return errors.As(err, &ue) || errors.As(err, &ne)
}

// lostReason says in a few words why the stream ended with err.
func (f *follower) lostReason(err error) string {
	var ae *api.APIError
	switch {
	case errors.Is(err, api.ErrDaemonDown):
		return "the daemon at " + f.cn.addr + " is not running"
	case errors.Is(err, api.ErrStreamEnded):
		return "the daemon at " + f.cn.addr + " ended the stream"
	case errors.Is(err, api.ErrStreamCut):
		return fmt.Sprintf("lost the daemon at %s (%s)", f.cn.addr, strings.TrimPrefix(err.Error(), api.ErrStreamCut.Error()+": "))
	case errors.As(err, &ae):
		return fmt.Sprintf("the daemon at %s answered %d: %s", f.cn.addr, ae.Status, ae.Message)
	}
	return fmt.Sprintf("lost the daemon at %s (%v)", f.cn.addr, err)
}

// resumption says where the next stream starts.
func (f *follower) resumption() string {
	switch {
	case f.after == "":
		return "from the first advisory"
	case f.printed:
		return "after position " + f.after
	}
	return "after " + f.after
}

// say writes one line about the stream to stderr.
func (f *follower) say(format string, args ...any) {
	fmt.Fprintf(f.a.stderr, "kring: advisories follow: "+format+"\n", args...)
}
