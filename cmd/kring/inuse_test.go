package main

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

// TestRunRefusesWhatIsInUse: kring run whose api.listen port another
// process holds exits 2, and one whose store another process holds exits
// 3, each with the one line it has always given.
func TestRunRefusesWhatIsInUse(t *testing.T) {
	d := founderReadyToRun(t)
	config := filepath.Join(d, "config.toml")

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	api := ln.Addr().String()
	r := kring(t, "--data-dir", d, "--api", api, "run")
	r.fails(t, exitUsage, fmt.Sprintf("kring: api.listen %s: listen tcp %s: bind: address already in use: is another kring run using it? change api.listen in %s", api, api, config))

	st, err := store.Open(filepath.Join(d, storeDir), store.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r = kring(t, "--data-dir", d, "--api", "127.0.0.1:0", "run", "--log-level", "error")
	r.fails(t, exitIdentity, fmt.Sprintf("kring: the store in %s is in use: is another kring run using this data dir? (node: store: opening ", filepath.Join(d, storeDir)))
}
