package protocol

import (
	"bufio"
	"bytes"
	"testing"
)

// sameBytes accepts exactly its own bytes, however they are split into
// writes.
func TestSameBytes(t *testing.T) {
	want := []byte("abcdef")
	cases := []struct {
		name   string
		writes []string
		equal  bool
	}{
		{"whole", []string{"abcdef"}, true},
		{"in pieces", []string{"ab", "", "cde", "f"}, true},
		{"short", []string{"abcde"}, false},
		{"long", []string{"abcdef", "g"}, false},
		{"differs", []string{"abc", "xef"}, false},
		{"differs then matches", []string{"x", "bcdef"}, false},
		{"nothing", nil, false},
	}
	for _, c := range cases {
		s := &sameBytes{want: want}
		for _, w := range c.writes {
			if n, err := s.Write([]byte(w)); n != len(w) || err != nil {
				t.Fatalf("%s: Write(%q) = %d, %v", c.name, w, n, err)
			}
		}
		if s.equal() != c.equal {
			t.Errorf("%s: equal() = %v, want %v", c.name, s.equal(), c.equal)
		}
	}
}

// syncAnswer returns a frame holding a range answer of n ops of size bytes.
func syncAnswer(tb testing.TB, n, size int) []byte {
	ops := make([][]byte, n)
	for i := range ops {
		ops[i] = bytes.Repeat([]byte{byte(i)}, size)
	}
	var buf bytes.Buffer
	if err := WriteSync(&buf, &SyncResponse{Ops: ops, More: true}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Reading a range answer allocates the frame once, its ops once (the
// decoder's copies) and little else: not a second copy of the frame to
// check its encoding, and not a buffer grown step by step. (Before, a
// 256-op answer of 400-byte ops took 5.1 times its size.)
func TestReadSyncAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocations")
	}
	frame := syncAnswer(t, 256, 400)
	var resp SyncResponse
	var r bytes.Reader
	br := bufio.NewReader(&r)
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.Reset(frame)
			br.Reset(&r)
			resp = SyncResponse{}
			if err := ReadSync(br, &resp, MaxSyncFrame); err != nil {
				b.Fatal(err)
			}
		}
	})
	ratio := float64(res.AllocedBytesPerOp()) / float64(len(frame))
	t.Logf("a %d-byte frame: %d bytes in %d allocations a read (%.2f× the frame)", len(frame), res.AllocedBytesPerOp(), res.AllocsPerOp(), ratio)
	if ratio > 3 {
		t.Fatalf("reading a %d-byte frame allocated %.2f times its size, want at most 3", len(frame), ratio)
	}
}
