package protocol

import (
	"bytes"
	"flag"
	"github.com/kring-circle/kring/internal/fuzzseed"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the generated fuzz seeds in testdata/fuzz")

// maxSeed leaves the large reject cases (long texts, ops over MaxOpSize)
// out of the seed corpus: the unit tests cover them, and the fuzzer
// mutates small inputs better.
const maxSeed = 4 << 10

// seedName turns a test case name into a file name.
func seedName(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// allRejects returns every reject case of the unit tests.
func allRejects(t testing.TB, c *circle) []rejectCase {
	return slices.Concat(structureRejects(t, c), signatureRejects(t, c), bodyRejects(t, c),
		tooLargeRejects(t, c), encodingRejects(t, c))
}

// corpus returns the generated seed files, by path under testdata/fuzz.
func corpus(t testing.TB) map[string][]byte {
	c := newCircle(t)
	files := map[string][]byte{}
	add := func(path string, content []byte) {
		if _, dup := files[path]; dup {
			t.Fatalf("two seeds named %s", path)
		}
		files[path] = content
	}
	valid := validOps(t, c)
	for _, name := range slices.Sorted(maps.Keys(valid)) {
		o := valid[name]
		add(filepath.Join("FuzzDecode", seedName("valid-", name)), fuzzseed.File(o.Bytes()))
		add(filepath.Join("FuzzOpen", seedName("valid-", name)), fuzzseed.File(o.Bytes()))
		add(filepath.Join("FuzzDecodeBody", seedName("valid-", name)), fuzzseed.File(byte(o.Kind), o.Body))
	}
	bodies := map[string]bool{}
	for _, o := range valid {
		bodies[string(o.Body)] = true
	}
	for _, rc := range allRejects(t, c) {
		if len(rc.raw) > maxSeed {
			continue
		}
		add(filepath.Join("FuzzDecode", seedName("reject-", rc.name)), fuzzseed.File(rc.raw))
		add(filepath.Join("FuzzOpen", seedName("reject-", rc.name)), fuzzseed.File(rc.raw))
		// The body of a rejected op, where it has one that is not valid.
		var env struct {
			Kind uint64 `cbor:"7,keyasint"`
			Body []byte `cbor:"8,keyasint"`
		}
		if cbor.Unmarshal(rc.raw, &env) == nil && env.Kind < 256 && !bodies[string(env.Body)] {
			bodies[string(env.Body)] = true
			add(filepath.Join("FuzzDecodeBody", seedName("reject-", rc.name)), fuzzseed.File(byte(env.Kind), env.Body))
		}
	}
	return files
}

// TestFuzzCorpus checks that the generated seeds in testdata/fuzz are
// current, and rewrites them with -update-corpus. Seeds are deterministic:
// fixed keys, fixed clocks, and deterministic Ed25519 signatures.
func TestFuzzCorpus(t *testing.T) {
	want := corpus(t)
	dir := filepath.Join("testdata", "fuzz")
	if *updateCorpus {
		for _, target := range []string{"FuzzDecode", "FuzzOpen", "FuzzDecodeBody"} {
			if err := os.MkdirAll(filepath.Join(dir, target), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for path, content := range want {
			if err := os.WriteFile(filepath.Join(dir, path), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var stale []string
	for path, content := range want {
		got, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil || !bytes.Equal(got, content) {
			stale = append(stale, path)
		}
	}
	// Generated seeds that the generator no longer makes.
	generated, _ := filepath.Glob(filepath.Join(dir, "*", "valid-*"))
	rejects, _ := filepath.Glob(filepath.Join(dir, "*", "reject-*"))
	for _, p := range append(generated, rejects...) {
		rel, _ := filepath.Rel(dir, p)
		if _, ok := want[rel]; !ok {
			if *updateCorpus {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				continue
			}
			stale = append(stale, rel)
		}
	}
	if len(stale) > 0 && !*updateCorpus {
		slices.Sort(stale)
		t.Fatalf("%d fuzz seeds are stale (%s, ...): run go test ./protocol -run TestFuzzCorpus -update-corpus",
			len(stale), stale[0])
	}
}
