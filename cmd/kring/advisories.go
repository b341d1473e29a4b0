package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
)

func (a *app) advisoriesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "advisories",
		Aliases: []string{"advisory"},
		GroupID: "read",
		Short:   "List, show and follow the circle's advisories",
		Example: `  kring advisories list
  kring advisories show 3f9a0c1d
  kring advisories follow --output json`,
		Args: noArgs,
	}
	cmd.AddCommand(a.advisoriesListCommand(), a.advisoriesShowCommand(), a.advisoriesFollowCommand())
	return cmd
}

func (a *app) advisoriesListCommand() *cobra.Command {
	var opts api.ListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List live advisories: the newest first, or the oldest first with --after",
		Long: `List shows a page of the live advisories this node stored: by default the
newest, newest first. --before pages back from a position or ID; --after
lists the advisories stored after one, oldest first, to page forward. When
the page is full, a line on stderr says how to see more.`,
		Example: `  kring advisories list
  kring advisories list --before 120 --limit 20
  kring advisories list --after 42 --limit 10
  kring advisories list -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Limit < 0 {
				return usageErrorf("--limit %d: give a positive number (at most %d)", opts.Limit, api.MaxLimit)
			}
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			opts.Order = api.OrderNewest
			if opts.After != "" && opts.Before == "" {
				opts.Order = api.OrderOldest
			}
			advs, err := cn.c.Advisories(ctx, opts)
			if err != nil {
				return cn.explain("advisories list", err)
			}
			if a.output == "json" {
				err = a.printJSON(advs)
			} else {
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "POS\tID\tTLP\tPUBLISHED\tBY\tTITLE")
				for _, ad := range advs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", ad.Position, short(ad.ID), ad.TLP,
						ad.Published.Format(time.DateTime), orDash(ad.AuthorName), ad.Title)
				}
				err = tw.Flush()
			}
			if err != nil {
				return err
			}
			if hint := moreHint(opts, advs); hint != "" {
				fmt.Fprintln(a.stderr, hint)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Limit, "limit", 0, fmt.Sprintf("at most this many (default %d, at most %d)", api.DefaultLimit, api.MaxLimit))
	cmd.Flags().StringVar(&opts.After, "after", "", "only advisories stored after this position or ID, oldest first")
	cmd.Flags().StringVar(&opts.Before, "before", "", "only advisories stored before this position or ID, newest first")
	return cmd
}

// moreHint says, when a page of advisories is full, how to list the next
// one; "" when the page is the last.
func moreHint(opts api.ListOptions, page []api.AdvisoryInfo) string {
	limit := api.DefaultLimit
	if opts.Limit > 0 {
		limit = min(opts.Limit, api.MaxLimit)
	}
	if len(page) < limit || len(page) == 0 {
		return ""
	}
	last := page[len(page)-1].Position
	flags := ""
	if opts.Limit > 0 {
		flags = fmt.Sprintf(" --limit %d", opts.Limit)
	}
	if opts.Order == api.OrderOldest {
		return fmt.Sprintf("kring: showing %d advisories, the oldest first; later ones: kring advisories list --after %d%s", len(page), last, flags)
	}
	if opts.After != "" {
		flags = " --after " + opts.After + flags
	}
	return fmt.Sprintf("kring: showing the newest %d advisories; older ones: kring advisories list --before %d%s", len(page), last, flags)
}

func (a *app) advisoriesShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one advisory, with its content",
		Long: `Show prints one advisory: its label, title, author and summary, then its
content, a JSON document indented for reading. On a terminal it pages the
text through $PAGER (less by default; PAGER=cat turns paging off); piped
or redirected, it writes the text as it is. --output json prints the API's
JSON instead.`,
		Example: "  kring advisories show 3f9a0c1d\n  kring advisories show 3f9a0c1d... -o json",
		Args:    exactArgs(1, "an advisory ID (or a unique prefix of 8+ hex digits)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			id, err := cn.resolveAdvisory(ctx, args[0])
			if err != nil {
				return err
			}
			ad, err := cn.c.Advisory(ctx, id)
			if err != nil {
				return cn.explain("advisories show", err)
			}
			if a.output == "json" {
				return a.printJSON(ad)
			}
			var buf bytes.Buffer
			if err := printAdvisory(&buf, ad, true); err != nil {
				return err
			}
			return a.page(buf.Bytes())
		},
	}
}

// resolveAdvisory expands a unique ID prefix by listing the advisories.
func (cn *conn) resolveAdvisory(ctx context.Context, arg string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(arg))
	if len(s) == 64 {
		return s, nil
	}
	if len(s) < minPrefix || !isHex(s) {
		return "", usageErrorf("advisory %q: give its ID or a prefix of at least %d hex digits (`kring advisories list` shows them)", arg, minPrefix)
	}
	var found []string
	after := ""
	for {
		page, err := cn.c.Advisories(ctx, api.ListOptions{Limit: 1000, After: after})
		if err != nil {
			return "", cn.explain("advisories show", err)
		}
		for _, ad := range page {
			if strings.HasPrefix(ad.ID, s) {
				found = append(found, ad.ID)
			}
		}
		if len(page) < 1000 {
			break
		}
		after = fmt.Sprint(page[len(page)-1].Position)
	}
	switch len(found) {
	case 0:
		return "", usageErrorf("no live advisory %q: `kring advisories list` shows them", arg)
	case 1:
		return found[0], nil
	}
	return "", usageErrorf("advisory prefix %q matches %d advisories: give more of the ID", arg, len(found))
}

func printAdvisory(w io.Writer, ad api.AdvisoryInfo, content bool) error {
	fmt.Fprintf(w, "[TLP:%s] %s\n", ad.TLP, ad.Title)
	fmt.Fprintf(w, "  id %s, position %d\n", ad.ID, ad.Position)
	fmt.Fprintf(w, "  by %s (%s), seq %d, %s\n", orDash(ad.AuthorName), short(ad.Author), ad.Seq, ad.Published.Format(time.RFC3339))
	if ad.Summary != "" {
		fmt.Fprintf(w, "  %s\n", ad.Summary)
	}
	if content && len(ad.Content) > 0 {
		var doc bytes.Buffer
		if json.Indent(&doc, ad.Content, "", "  ") != nil { // not JSON after all: as it came
			doc.Reset()
			doc.Write(ad.Content)
		}
		fmt.Fprintf(w, "%s\n", doc.Bytes())
	} else if content && len(ad.ContentBase64) > 0 {
		fmt.Fprintf(w, "  (%d bytes of non-JSON content: use --output json)\n", len(ad.ContentBase64))
	}
	return nil
}
