package protocol

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"
)

func TestSyncFrameRoundTrip(t *testing.T) {
	req := &SyncRequest{Kind: SyncRange, Group: Hash{1}, Author: Key{2}, From: 7}
	resp := &SyncResponse{Tips: []SyncTip{{Author: Key{3}, Seq: 9, Hashes: []Hash{{4}}}}, Heads: []Hash{{5}}, Ops: [][]byte{{0xa0}}, More: true}
	var buf bytes.Buffer
	if err := WriteSync(&buf, req); err != nil {
		t.Fatal(err)
	}
	if err := WriteSync(&buf, resp); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(&buf)
	var gotReq SyncRequest
	var gotResp SyncResponse
	if err := ReadSync(r, &gotReq, MaxSyncFrame); err != nil {
		t.Fatal(err)
	}
	if err := ReadSync(r, &gotResp, MaxSyncFrame); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&gotReq, req) || !reflect.DeepEqual(&gotResp, resp) {
		t.Fatalf("round trip changed the frames: %+v %+v", gotReq, gotResp)
	}
	if err := ReadSync(r, &gotReq, MaxSyncFrame); err != io.EOF {
		t.Fatalf("after the last frame: got %v, want io.EOF", err)
	}
}

func TestSyncFrameRefusals(t *testing.T) {
	frame := func(b []byte) *bufio.Reader {
		var hdr [binary.MaxVarintLen64]byte
		n := binary.PutUvarint(hdr[:], uint64(len(b)))
		return bufio.NewReader(bytes.NewReader(append(hdr[:n], b...)))
	}
	huge := func() *bufio.Reader {
		var hdr [binary.MaxVarintLen64]byte
		n := binary.PutUvarint(hdr[:], MaxSyncFrame+1)
		return bufio.NewReader(bytes.NewReader(hdr[:n]))
	}
	cases := map[string]*bufio.Reader{
		"oversized":     huge(),
		"truncated":     bufio.NewReader(bytes.NewReader([]byte{10, 0xa1})),
		"not cbor":      frame([]byte{0xff, 0xff}),
		"unknown field": frame([]byte{0xa1, 0x18, 0x63, 0x01}),
		// {1: 1} with the integer in a two-byte form: not canonical.
		"non-canonical": frame([]byte{0xa1, 0x01, 0x18, 0x01}),
	}
	small := func() *bufio.Reader {
		var buf bytes.Buffer
		if err := WriteSync(&buf, &SyncRequest{Kind: SyncPush, Ops: [][]byte{make([]byte, 2000)}}); err != nil {
			t.Fatal(err)
		}
		return bufio.NewReader(&buf)
	}
	var req SyncRequest
	if err := ReadSync(small(), &req, 1000); !errors.Is(err, ErrFrame) {
		t.Errorf("a 2000-byte frame under a 1000-byte limit: got %v, want ErrFrame", err)
	}
	if err := ReadSync(small(), &req, 4000); err != nil {
		t.Errorf("a 2000-byte frame under a 4000-byte limit: %v", err)
	}
	for name, r := range cases {
		var req SyncRequest
		if err := ReadSync(r, &req, MaxSyncFrame); !errors.Is(err, ErrFrame) {
			t.Errorf("%s: got %v, want ErrFrame", name, err)
		}
	}
}

// FuzzReadSync checks that reading a sync frame never panics, names every
// error, and accepts only frames whose body is the canonical encoding of
// what it decoded.
func FuzzReadSync(f *testing.F) {
	for _, v := range []any{
		&SyncRequest{Kind: SyncTips, Group: Hash{1}},
		&SyncRequest{Kind: SyncGet, Want: []Hash{{2}, {3}}},
		&SyncRequest{Kind: SyncPush, Ops: [][]byte{{0xa0}}},
		&SyncResponse{Tips: []SyncTip{{Author: Key{4}, Seq: 5, Hashes: []Hash{{6}}}}, More: true},
		&SyncResponse{Refused: "not-member"},
		&SyncResponse{Addrs: []SyncAddr{{Key: Key{7}, Addrs: [][]byte{{4, 127, 0, 0, 1}}}}},
	} {
		var buf bytes.Buffer
		if err := WriteSync(&buf, v); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes(), true)
		f.Add(buf.Bytes(), false)
	}
	f.Fuzz(func(t *testing.T, b []byte, request bool) {
		var v any = &SyncResponse{}
		if request {
			v = &SyncRequest{}
		}
		err := ReadSync(bufio.NewReader(bytes.NewReader(b)), v, MaxSyncFrame)
		if err != nil {
			if !errors.Is(err, ErrFrame) && !errors.Is(err, io.EOF) {
				t.Fatalf("ReadSync returned an unnamed error: %v", err)
			}
			return
		}
		var again bytes.Buffer
		if err := WriteSync(&again, v); err != nil {
			t.Fatalf("re-encoding an accepted frame: %v", err)
		}
		if !bytes.HasPrefix(b, again.Bytes()) {
			t.Fatalf("an accepted frame does not re-encode to its own bytes")
		}
	})
}
