package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/api"
)

// kring status names a low disk, with the free space and what the node
// defers, and says nothing of the disk otherwise.
func TestStatusNamesALowDisk(t *testing.T) {
	st := api.Status{Status: "member", Sharing: true, Ready: true, Ops: 12, DiskLow: true, DiskFreeBytes: 50 << 20}
	var out bytes.Buffer
	if err := printStatus(&out, st); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "DISK LOW") || !strings.Contains(out.String(), "50 MiB free") || !strings.Contains(out.String(), "advisories are deferred") {
		t.Errorf("status on a low disk:\n%s", out.String())
	}
	st.DiskLow = false
	out.Reset()
	if err := printStatus(&out, st); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "DISK") {
		t.Errorf("status with room on the disk mentions it:\n%s", out.String())
	}
}
