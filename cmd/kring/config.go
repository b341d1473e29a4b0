package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
)

// defaultAPI is the local API's default address.
const defaultAPI = "127.0.0.1:7717"

// fileConfig is config.toml. Every field has the default that
// defaultFileConfig gives it; the file overrides what it sets.
type fileConfig struct {
	Organisation api.ProfileInfo `toml:"organisation"`
	Node         nodeSection     `toml:"node"`
	API          apiSection      `toml:"api"`
	Log          logSection      `toml:"log"`
	Store        storeSection    `toml:"store"`
	Limits       limitsSection   `toml:"limits"`

	// unset lists the keys the file does not set ("store.sync_writes"):
	// they run on their defaults. fromInit is set when the file starts
	// with kring init's header, which writes every key: then unset keys
	// mean a file cut short, or one of an older version.
	unset    []string
	fromInit bool
	// renamed lists the keys the file sets under their old names.
	renamed []rename
}

type nodeSection struct {
	Listen            []string `toml:"listen"`
	Announce          []string `toml:"announce"`
	Peers             []string `toml:"peers"`
	Genesis           string   `toml:"genesis"`
	Application       string   `toml:"application"`
	SyncInterval      duration `toml:"sync_interval"`
	SyncBeforePublish int      `toml:"sync_before_publish"`
	PublishWait       duration `toml:"publish_wait"`
	EnrolInterval     duration `toml:"enrol_interval"`
	AutoEnact         bool     `toml:"auto_enact"`
	AllowPrivateAddrs bool     `toml:"allow_private_addrs"`
	ExitWhenCutOff    bool     `toml:"exit_when_cut_off"`
	// OldEnrolInterval is enrol_interval under its old name, which this
	// release still reads (configRenames); never written.
	OldEnrolInterval *duration `toml:"enroll_interval,omitempty" kring:"old"`
}

type apiSection struct {
	Listen string `toml:"listen"`
}

type logSection struct {
	Format string `toml:"format"`
	Level  string `toml:"level"`
}

type storeSection struct {
	SyncWrites bool `toml:"sync_writes"`
	// MinFreeMiB is the data dir's free-space watermark (node.Config.MinFreeDisk).
	MinFreeMiB int64 `toml:"min_free_mib"`
}

type limitsSection struct {
	ConnLow           int   `toml:"conn_low"`
	ConnHigh          int   `toml:"conn_high"`
	MaxConns          int   `toml:"max_conns"`
	MaxConnsPerPeer   int   `toml:"max_conns_per_peer"`
	MaxStreamsPerPeer int   `toml:"max_streams_per_peer"`
	MaxMemoryMiB      int64 `toml:"max_memory_mib"`
	// The pace of each member's ops that reach this node (node.Pace).
	AdvisoriesPerSecond    float64 `toml:"advisories_per_second"`
	AdvisoryBurst          int     `toml:"advisory_burst"`
	AdvisoryKiBPerSecond   int     `toml:"advisory_kib_per_second"`
	AdvisoryBurstMiB       int     `toml:"advisory_burst_mib"`
	MembershipOpsPerSecond float64 `toml:"membership_ops_per_second"`
	MembershipBurst        int     `toml:"membership_burst"`
}

// duration is a time.Duration written as "30s" in TOML.
type duration time.Duration

// UnmarshalText parses a Go duration such as "30s" or "5m".
func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"30s\" or \"5m\"", b)
	}
	*d = duration(v)
	return nil
}

// MarshalText writes the duration as Go does ("30s").
func (d duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// defaultFileConfig is the configuration a file that sets nothing means:
// node.DefaultConfig's values and kring's own defaults.
func defaultFileConfig() fileConfig {
	nc := node.DefaultConfig()
	return fileConfig{
		Node: nodeSection{
			Listen:            append([]string(nil), nc.ListenAddrs...),
			Genesis:           genesisFile,
			Application:       applicationFile,
			SyncInterval:      duration(nc.SyncInterval),
			SyncBeforePublish: nc.SyncBeforePublish,
			PublishWait:       duration(nc.PublishWait),
			EnrolInterval:     duration(10 * time.Second),
			AutoEnact:         nc.AutoEnact,
			AllowPrivateAddrs: nc.AllowPrivateAddrs,
			ExitWhenCutOff:    nc.ExitWhenCutOff,
		},
		API:   apiSection{Listen: defaultAPI},
		Log:   logSection{Format: "text", Level: "info"},
		Store: storeSection{SyncWrites: nc.Store.SyncWrites, MinFreeMiB: nc.MinFreeDisk >> 20},
		Limits: limitsSection{
			ConnLow: nc.ConnLow, ConnHigh: nc.ConnHigh, MaxConns: nc.MaxConns,
			MaxConnsPerPeer: nc.MaxConnsPerPeer, MaxStreamsPerPeer: nc.MaxStreamsPerPeer,
			MaxMemoryMiB:        nc.MaxMemory >> 20,
			AdvisoriesPerSecond: nc.PaceAdvisories.OpsPerSecond, AdvisoryBurst: nc.PaceAdvisories.Burst,
			AdvisoryKiBPerSecond: nc.PaceAdvisories.BytesPerSecond >> 10, AdvisoryBurstMiB: nc.PaceAdvisories.BurstBytes >> 20,
			MembershipOpsPerSecond: nc.PaceMembership.OpsPerSecond, MembershipBurst: nc.PaceMembership.Burst,
		},
	}
}

// loadConfig reads and validates a config file. Its errors are one line
// naming the file, what is wrong and what to do, with exit status 2.
func loadConfig(path string) (fileConfig, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileConfig{}, usageErrorf("no config at %s: run `kring init --org NAME` first, or pass --data-dir or --config", path)
	}
	if err != nil {
		return fileConfig{}, usageErrorf("config %s: %v", path, err)
	}
	c, err := parseConfig(b)
	if err != nil {
		return fileConfig{}, usageErrorf("config %s: %v", path, err)
	}
	return c, nil
}

// parseConfig decodes config.toml strictly over the defaults and validates it.
func parseConfig(b []byte) (fileConfig, error) {
	c := defaultFileConfig()
	if err := checkDurations(b); err != nil {
		return fileConfig{}, err
	}
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return fileConfig{}, describeTOMLError(err, "a key of another kring version? `kring init` writes every key this version knows, with its default")
	}
	var doc map[string]any
	if err := toml.Unmarshal(b, &doc); err == nil && len(doc) == 0 {
		return fileConfig{}, errors.New("the file sets nothing (it is empty or only comments): was it cut short? write it again with `kring init` in a new data dir and copy it over")
	}
	keys := setKeys(doc)
	renamed, err := oldNamesIn(keys, configRenames)
	if err != nil {
		return fileConfig{}, err
	}
	if c.Node.OldEnrolInterval != nil {
		c.Node.EnrolInterval, c.Node.OldEnrolInterval = *c.Node.OldEnrolInterval, nil
	}
	c.renamed = renamed
	c.unset = unsetKeys(keys)
	c.fromInit = bytes.HasPrefix(b, []byte(configHeader))
	if err := c.validate(); err != nil {
		return fileConfig{}, err
	}
	return c, nil
}

// optionalKeys are keys kring init leaves out when they are empty.
var optionalKeys = map[string]bool{"organisation.claims": true}

// configKeys lists every key of config.toml ("node.listen"), from
// fileConfig's fields.
func configKeys() []string {
	var keys []string
	ct := reflect.TypeFor[fileConfig]()
	for i := range ct.NumField() {
		sec := ct.Field(i)
		if !sec.IsExported() || sec.Type.Kind() != reflect.Struct {
			continue
		}
		for j := range sec.Type.NumField() {
			if f := sec.Type.Field(j); f.Tag.Get("kring") != "old" {
				keys = append(keys, sec.Tag.Get("toml")+"."+strings.TrimSuffix(f.Tag.Get("toml"), ",omitempty"))
			}
		}
	}
	return keys
}

// setKeys returns the keys ("node.listen") that doc, the decoded file,
// sets.
func setKeys(doc map[string]any) map[string]bool {
	keys := map[string]bool{}
	for sec, v := range doc {
		t, _ := v.(map[string]any)
		for key := range t {
			keys[sec+"."+key] = true
		}
	}
	return keys
}

// unsetKeys returns the keys of config.toml that the file does not set,
// but for the optional ones.
func unsetKeys(set map[string]bool) []string {
	var unset []string
	for _, k := range configKeys() {
		if !set[k] && !optionalKeys[k] {
			unset = append(unset, k)
		}
	}
	return unset
}

// warnUnset logs the keys the config leaves to their defaults: a WARN
// for a file kring init wrote (every key was in it, so it was cut short or
// is of an older version), an INFO for a hand-written one.
func (c *fileConfig) warnUnset(log *slog.Logger, path string) {
	for _, r := range c.renamed {
		log.Warn(fmt.Sprintf("config.toml: %s is the old name of %s: rename it; this release still reads it, the next will refuse it", r.old, r.new),
			"config", path)
	}
	if len(c.unset) == 0 {
		return
	}
	keys := strings.Join(c.unset, " ")
	if c.fromInit {
		log.Warn("config.toml was written by kring init but lacks keys: was it cut short, or written by an older version? those keys run on their defaults",
			"config", path, "unset", keys)
		return
	}
	log.Info("config.toml leaves keys at their defaults", "config", path, "unset", keys)
}

// durationKeys lists the config's duration keys ("node.sync_interval"),
// found from fileConfig's fields of type duration.
func durationKeys() []string {
	var keys []string
	dt := reflect.TypeFor[duration]()
	ct := reflect.TypeFor[fileConfig]()
	for i := range ct.NumField() {
		sec := ct.Field(i)
		if sec.Type.Kind() != reflect.Struct {
			continue
		}
		for j := range sec.Type.NumField() {
			if f := sec.Type.Field(j); f.Type == dt || f.Type == reflect.PointerTo(dt) {
				keys = append(keys, sec.Tag.Get("toml")+"."+strings.TrimSuffix(f.Tag.Get("toml"), ",omitempty"))
			}
		}
	}
	return keys
}

// checkDurations checks the duration keys before the config is decoded,
// naming the key: go-toml would read sync_interval = 30 as 30 nanoseconds,
// and its errors for other values do not say which key they are about. A
// document that is not TOML is left to the decoder to describe.
func checkDurations(b []byte) error {
	var doc map[string]any
	if err := toml.Unmarshal(b, &doc); err != nil {
		return nil
	}
	for _, k := range durationKeys() {
		sec, key, _ := strings.Cut(k, ".")
		t, _ := doc[sec].(map[string]any)
		switch v := t[key].(type) {
		case nil:
		case string:
			if _, err := time.ParseDuration(v); err != nil {
				return fmt.Errorf("%s = %q is not a duration such as \"30s\" or \"5m\": fix the value", k, v)
			}
		case int64, float64:
			return fmt.Errorf("%s = %v is a bare number, with no unit: write it as \"%vs\" (or \"5m\")", k, v, v)
		default:
			return fmt.Errorf("%s is a TOML %T, not a duration: write it as a string such as \"30s\"", k, v)
		}
	}
	return nil
}

// describeTOMLError turns a go-toml error into one line with its position.
func describeTOMLError(err error, keysHint string) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		var keys []string
		for _, e := range strict.Errors {
			row, _ := e.Position()
			keys = append(keys, fmt.Sprintf("%q (line %d)", strings.Join(e.Key(), "."), row))
		}
		return fmt.Errorf("unknown key %s: remove it or fix its spelling (%s)", strings.Join(keys, ", "), keysHint)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if k := strings.Join(de.Key(), "."); k != "" {
			return fmt.Errorf("line %d, key %q: %s: fix the value", row, k, msg)
		}
		return fmt.Errorf("line %d: %s: fix the TOML syntax", row, msg)
	}
	return fmt.Errorf("%v: fix the TOML", err)
}

// warnNoFork logs a WARN for each setting that weakens the no-fork
// guarantee (the template says why): a node that signs a seq twice is
// suspended as an equivocator.
func (c *fileConfig) warnNoFork(log *slog.Logger, path string) {
	if !c.Store.SyncWrites {
		log.Warn("store.sync_writes = false: a power loss may lose this node's seq reservation and make it sign a seq twice (an equivocation, which suspends this organisation); keep it true outside tests",
			"config", path)
	}
	if c.Node.SyncBeforePublish == 0 {
		log.Warn("node.sync_before_publish = 0: this node signs without first learning its own chain back from the members, so after a restored backup or a lost write it may sign a seq twice (an equivocation, which suspends this organisation)",
			"config", path)
	}
}
