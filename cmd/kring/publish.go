package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// advisoryFile is an advisory to publish, as a JSON or YAML file.
type advisoryFile struct {
	Title   string `json:"title" yaml:"title"`
	Summary string `json:"summary,omitempty" yaml:"summary"`
	TLP     string `json:"tlp" yaml:"tlp"`
	Content any    `json:"content,omitempty" yaml:"content"`
}

type publishFlags struct {
	file, title, summary, tlp, content string
	// plaintextRed acknowledges that a TLP:RED advisory reaches every
	// member and future member in plaintext.
	plaintextRed bool
	// wait bounds how long the daemon waits for its node to be ready.
	wait time.Duration
}

func (a *app) publishCommand() *cobra.Command {
	var f publishFlags
	cmd := &cobra.Command{
		Use:     "publish (--title TITLE --tlp LABEL [--summary TEXT] [--content FILE] | --file ADVISORY) [--plaintext-red] [--wait DURATION]",
		GroupID: "act",
		Short:   "Publish a signed advisory to the circle",
		Long: `Publish signs an advisory as this organisation and gossips it to every
member. Give it with flags, or as a JSON or YAML file with the keys title,
summary, tlp and content (any JSON or YAML document, e.g. a CSAF or STIX
document). The TLP label is one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED
(FIRST TLP 2.0); a "TLP:" prefix and lower case are accepted. The advisory is
checked before it is sent; the daemon refuses it if this organisation is not
in the circle's sharing set.

TLP:RED is refused (exit status 2): Kring cannot yet encrypt an advisory to
named recipients, so every member's node would store a RED advisory in
plaintext and every member admitted later would receive it by sync. Publish
it as AMBER+STRICT, or send it out of band. --plaintext-red publishes it
anyway: I accept that every member and future member can read it.

Before it signs, the node syncs with the members it can reach, so that it
never signs over ops of its own that it lacks (a restored backup). With
most of the circle offline it waits node.publish_wait for members to
answer, then settles for those that did: at least one. --wait bounds the
whole wait (default 15s, at most 45s); the answer names the members the
node synced with. With no member reachable, or while a member holds more
of this organisation's chain than the node, publish is refused and says
what to do.`,
		Example: `  kring publish --title "CVE-2026-1234 exploited in substation gateways" --tlp AMBER --summary "Patch now"
  kring publish --title "IOCs for campaign X" --tlp GREEN --content iocs.json
  kring publish --file advisory.yaml --wait 40s
  kring publish --title "Credential exposure at a shared provider" --tlp RED --plaintext-red`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := buildPublish(f)
			if err != nil {
				return err
			}
			cn, err := a.client()
			if err != nil {
				return err
			}
			if f.wait < 0 || f.wait > api.MaxPublishWait {
				return usageErrorf("--wait %s: give a duration from 0s to %s, such as 30s", f.wait, api.MaxPublishWait)
			}
			cn.timeout = f.wait + callTimeout
			ctx, cancel := context.WithTimeout(cmd.Context(), cn.timeout)
			defer cancel()
			op, err := cn.c.PublishWithin(ctx, req, f.wait)
			if err != nil {
				return cn.explain("publish", err)
			}
			if st, err := cn.c.Status(ctx); err == nil && st.Peers == 0 {
				fmt.Fprintln(a.stderr, "kring: warning: no peer is connected: the advisory is stored here and reaches the circle when a member connects (see `kring peers` and `kring status`)")
			}
			if req.TLP == string(protocol.TLPRed) {
				fmt.Fprintln(a.stderr, "kring: warning: this TLP:RED advisory is stored in plaintext on every member's node and reaches every future member by sync")
			}
			if a.output == "json" {
				return a.printJSON(op)
			}
			if _, err := fmt.Fprintf(a.stdout, "Published advisory %s (TLP:%s): %s\n", op.ID, req.TLP, req.Title); err != nil {
				return err
			}
			if op.Sync != nil {
				_, err = fmt.Fprintf(a.stdout, "Signed after syncing with %s.\n", syncedText(op.Sync))
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", "", "the advisory as a .json, .yaml or .yml file")
	fl.StringVar(&f.title, "title", "", "a one-line title")
	fl.StringVar(&f.summary, "summary", "", "a short summary")
	fl.StringVar(&f.tlp, "tlp", "", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
	fl.StringVar(&f.content, "content", "", "the advisory document: a JSON or YAML file")
	fl.BoolVar(&f.plaintextRed, "plaintext-red", false, "publish TLP:RED unencrypted: I accept that every member and future member can read it")
	fl.DurationVar(&f.wait, "wait", 15*time.Second, "how long the daemon may wait to sync with the members it can reach before it signs (at most 45s)")
	_ = cmd.RegisterFlagCompletionFunc("tlp", cobra.FixedCompletions([]string{"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// buildPublish turns the flags or the file into a checked request.
func buildPublish(f publishFlags) (api.PublishRequest, error) {
	var adv advisoryFile
	if f.file != "" {
		if f.title != "" || f.summary != "" || f.tlp != "" || f.content != "" {
			return api.PublishRequest{}, usageErrorf("publish takes either --file or --title/--tlp/--summary/--content, not both")
		}
		var err error
		if adv, err = readAdvisoryFile(f.file); err != nil {
			return api.PublishRequest{}, usageErrorf("advisory file %s: %v", f.file, err)
		}
	} else {
		adv = advisoryFile{Title: f.title, Summary: f.summary, TLP: f.tlp}
		if f.content != "" {
			c, err := readDocument(f.content)
			if err != nil {
				return api.PublishRequest{}, usageErrorf("content %s: %v", f.content, err)
			}
			adv.Content = c
		}
	}
	req, err := adv.request()
	if err != nil {
		if f.file != "" {
			return api.PublishRequest{}, usageErrorf("advisory file %s: %v", f.file, err)
		}
		return api.PublishRequest{}, usageErrorf("%v", err)
	}
	req.PlaintextRed = f.plaintextRed
	return req, nil
}

// request checks the advisory and builds the API request.
func (adv advisoryFile) request() (api.PublishRequest, error) {
	title := strings.TrimSpace(adv.Title)
	if title == "" {
		return api.PublishRequest{}, fmt.Errorf("the title is missing: give a one-line title (--title, or title: in the file)")
	}
	if len(title) > protocol.MaxShortText || strings.ContainsAny(title, "\n\r") {
		return api.PublishRequest{}, fmt.Errorf("the title must be one line of at most %d bytes", protocol.MaxShortText)
	}
	if len(adv.Summary) > protocol.MaxLongText {
		return api.PublishRequest{}, fmt.Errorf("the summary is over %d bytes: shorten it or move it into the content", protocol.MaxLongText)
	}
	tlp, err := parseTLP(adv.TLP)
	if err != nil {
		return api.PublishRequest{}, err
	}
	req := api.PublishRequest{Title: title, Summary: adv.Summary, TLP: string(tlp)}
	if adv.Content != nil {
		b, err := json.Marshal(adv.Content)
		if err != nil {
			return api.PublishRequest{}, fmt.Errorf("the content is not a JSON document: %v", err)
		}
		if len(b) > protocol.MaxContent {
			return api.PublishRequest{}, fmt.Errorf("the content is %d bytes, over the limit of %d", len(b), protocol.MaxContent)
		}
		req.Content = b
	}
	return req, nil
}

// parseTLP accepts a TLP 2.0 label in any case, with or without "TLP:".
func parseTLP(s string) (protocol.TLP, error) {
	if s == "" {
		return "", fmt.Errorf("the TLP label is missing: give one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED (--tlp, or tlp: in the file)")
	}
	t, err := api.ParseTLP(s)
	if err != nil {
		return "", fmt.Errorf("TLP %q is not a TLP 2.0 label: use CLEAR, GREEN, AMBER, AMBER+STRICT or RED", s)
	}
	return t, nil
}

// readAdvisoryFile decodes an advisory file strictly, as JSON or YAML by
// its extension.
func readAdvisoryFile(path string) (advisoryFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return advisoryFile{}, err
	}
	var adv advisoryFile
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&adv); err != nil {
			return advisoryFile{}, fmt.Errorf("not a valid advisory (%v): give title, summary, tlp and content", err)
		}
		if err := jsonEnd(dec); err != nil {
			return advisoryFile{}, err
		}
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&adv); err != nil {
			return advisoryFile{}, fmt.Errorf("not a valid advisory (%v): give title, summary, tlp and content", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if err := yamlEnd(dec); err != nil {
			return advisoryFile{}, err
		}
	default:
		return advisoryFile{}, fmt.Errorf("unknown file type: name it .json, .yaml or .yml")
	}
	return adv, nil
}

// readDocument reads a JSON or YAML document (by extension; JSON else).
func readDocument(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&v); err != nil && err != io.EOF {
			return nil, fmt.Errorf("not a YAML document: %v", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if err := yamlEnd(dec); err != nil {
			return nil, err
		}
		return v, nil
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("not a JSON document: give a JSON file, or a .yaml one")
	}
	return json.RawMessage(b), nil
}

// jsonEnd refuses anything but white space after the first JSON value.
func jsonEnd(dec *json.Decoder) error {
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
		return nil
	case err != nil:
		return fmt.Errorf("there is more after the advisory's JSON object, and it is not JSON (%v): give one object", err)
	}
	return fmt.Errorf("there is a second JSON value after the advisory's object: give one object (publish one advisory per file)")
}

// yamlEnd refuses a second YAML document after the first; empty ones (a
// trailing "---") are no content.
func yamlEnd(dec *yaml.Decoder) error {
	for {
		var extra yaml.Node
		switch err := dec.Decode(&extra); {
		case err == io.EOF:
			return nil
		case err != nil:
			return fmt.Errorf("there is more after the first YAML document, and it is not YAML (%v): give one document", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if len(extra.Content) == 0 || extra.Content[0].Tag == "!!null" && extra.Content[0].Value == "" {
			continue
		}
		return fmt.Errorf("there is a second YAML document (after \"---\") at line %d: give one document (publish one advisory per file)", extra.Content[0].Line)
	}
}
