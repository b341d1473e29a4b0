package main

import (
	"bytes"
	"encoding/json"
	"text/template"
	"time"
)

// configHeader is the first line of every config.toml kring init writes.
const configHeader = "# Kring node configuration, written by kring init."

// configTemplate is config.toml as kring init writes it: every key, with
// its default or the value given to init, and what it means.
var configTemplate = template.Must(template.New("config").Funcs(template.FuncMap{
	"q":   tomlValue,
	"dur": func(d duration) string { return tomlValue(time.Duration(d).String()) },
}).Parse(configHeader + `
# Every key is shown with its default. Relative paths are relative to the
# data dir that holds this file. Unknown keys are an error.

[organisation]
# Your organisation as the circle sees it: kring apply puts this profile in
# your application, kring genesis draft puts it in the genesis.
name = {{q .Organisation.Name}}
# Your sector, e.g. "energy" or "managed services".
sector = {{q .Organisation.Sector}}
# How members reach your security team.
contact = {{q .Organisation.Contact}}
# Your representative's role, e.g. "CISO".
role = {{q .Organisation.Role}}
# Your team's areas of expertise, e.g. ["ics", "malware analysis"].
expertise = {{q .Organisation.Expertise}}
# Claims answer the charter's membership requirements (kring genesis show
# lists them); endorsers vet them. One table per claim:
# [[organisation.claims]]
# requirement = "vital-clients"
# statement = "We serve five operators of vital infrastructure."
{{- range .Organisation.Claims}}
[[organisation.claims]]
requirement = {{q .Requirement}}
statement = {{q .Statement}}
{{- end}}

[node]
# Multiaddrs the node listens on (TCP and QUIC).
listen = {{q .Node.Listen}}
# Multiaddrs where other members can reach this node (public address or
# DNS name, e.g. "/dns4/kring.example.org/tcp/4001"): told to peers instead
# of the listen addresses, and published in your member card and application.
announce = {{q .Node.Announce}}
# Members' nodes to dial at start: "/ip4/ADDR/tcp/PORT/p2p/PEER_ID" (each
# member's kring status shows its addresses).
peers = {{q .Node.Peers}}
# The circle's genesis op (kring genesis finalize, or kring apply --genesis).
genesis = {{q .Node.Genesis}}
# This organisation's application while it is not a member (kring apply).
application = {{q .Node.Application}}
# How often the node syncs with a random member: a duration string such
# as "30s" or "5m" (a bare number is refused), at least "1s".
sync_interval = {{dur .Node.SyncInterval}}
# Members to have synced with since start before publishing (0: no wait).
# Part of the no-fork guarantee: a node that lost its last ops (a restored
# backup, a machine crash with sync_writes = false) learns its own chain
# back from the members before it signs again. With 0 it may sign a seq
# the circle holds already: an equivocation, which suspends this
# organisation until the members vote to lift it. Use 0 only in tests (a
# node that has fewer members to sync with waits for fewer anyway).
sync_before_publish = {{.Node.SyncBeforePublish}}
# How long the node waits, after it starts, for members to answer before it
# settles for fewer syncs than sync_before_publish: with most of the
# circle offline (a weekend night) it then publishes once it has synced
# with every member it is connected to, and at least one. With no member
# reachable it refuses to publish and says so; while a member holds more
# of this organisation's chain than the node (a restored backup), it
# fetches those ops first. A duration such as "5s"; "0s" settles at once.
publish_wait = {{dur .Node.PublishWait}}
# How often an applicant's node tries to enact its admission (at least "1s").
enrol_interval = {{dur .Node.EnrolInterval}}
# Enact a suspension, unsuspension, revocation or charter change this node
# voted for as soon as the charter's threshold of votes is in the log.
auto_enact = {{.Node.AutoEnact}}
# Take and dial loopback, private (10/8, 172.16/12, 192.168/16) and
# link-local addresses that members hand on for each other. Off on the
# internet; a circle inside one private network turns it on. A node that
# itself listens only on such addresses allows them anyway, and the peers
# above are always dialled.
allow_private_addrs = {{.Node.AllowPrivateAddrs}}
# When this organisation is suspended, revoked or gone from the circle, the
# node warns once, stops syncing and waits for a member to tell it of a
# lift. Set this to stop kring run instead (exit status 5), for a
# supervisor to alert on.
exit_when_cut_off = {{.Node.ExitWhenCutOff}}

[api]
# The local HTTP API (the CLI, your SIEM and scripts). Loopback only; the
# bearer token is in api.token.
listen = {{q .API.Listen}}

[log]
# "text" or "json" (log/slog, on stderr).
format = {{q .Log.Format}}
# "debug", "info", "warn" or "error"; "trace" adds the store's own
# internals (badger's writes, flushes and compactions) below debug.
level = {{q .Log.Level}}

[store]
# Wait for every write to reach the disk, so that an acknowledged op
# survives a crash or power loss. Part of the no-fork guarantee: the node
# reserves each seq on disk before it signs. With false, a power loss or a
# kernel crash may lose that reservation and the last ops, and the node
# may then sign a second op with a seq the circle holds (an equivocation,
# which suspends this organisation); only sync_before_publish still stands
# in the way. Keep true outside tests.
sync_writes = {{.Store.SyncWrites}}
# Below this much free space on the data dir's file system the node keeps
# taking membership ops (votes, enactments: a revocation must still get
# through) and the ops they cite, defers other advisories, refuses to
# publish its own (507 disk-low), and says so in kring status and the
# kring_disk_low metric, instead of failing when the disk is full. 0 turns
# the watch off.
min_free_mib = {{.Store.MinFreeMiB}}

[limits]
# Connection manager watermarks; sharing members are never trimmed.
conn_low = {{.Limits.ConnLow}}
conn_high = {{.Limits.ConnHigh}}
# Resource manager limits.
max_conns = {{.Limits.MaxConns}}
max_conns_per_peer = {{.Limits.MaxConnsPerPeer}}
max_streams_per_peer = {{.Limits.MaxStreamsPerPeer}}
max_memory_mib = {{.Limits.MaxMemoryMiB}}
# The pace of each member's ops that reach this node, as token buckets: a
# member's advisories beyond it are not taken by gossip or by sync (its own
# node keeps to 80 % of it when publishing, so an honest member never meets
# it), and a member that floods past it loses gossip score. Ops that other
# members cite are always fetched. Every member of a circle should use the
# same figures.
advisories_per_second = {{.Limits.AdvisoriesPerSecond}}
advisory_burst = {{.Limits.AdvisoryBurst}}
advisory_kib_per_second = {{.Limits.AdvisoryKiBPerSecond}}
advisory_burst_mib = {{.Limits.AdvisoryBurstMiB}}
# Votes, enactments, leaves and acks are paced apart, so that a burst of
# advisories never holds back a vote.
membership_ops_per_second = {{.Limits.MembershipOpsPerSecond}}
membership_burst = {{.Limits.MembershipBurst}}
`))

// tomlValue writes a string or a list of strings as TOML: JSON's string
// escapes are valid TOML basic-string escapes.
func tomlValue(v any) string {
	if l, ok := v.([]string); ok && l == nil {
		v = []string{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return `""`
	}
	return string(b)
}

// renderConfig writes c as a commented config.toml.
func renderConfig(c fileConfig) ([]byte, error) {
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
