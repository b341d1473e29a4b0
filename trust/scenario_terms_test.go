package trust_test

import "testing"

// An expectation's needs= and equivocated= terms are checked, though the
// script parser takes key=value words for options, and an option that
// expect does not check is an error rather than ignored.
func TestScenarioExpectChecksItsTerms(t *testing.T) {
	r := newRunner("terms.txt")
	if out, ok := r.exec("genesis A B C"); !ok {
		t.Fatalf("genesis: %q", out)
	}
	for cmd, want := range map[string]bool{
		"expect all A member":                       true,
		"expect all A member needs=0":               true,
		"expect all A member needs=2":               false,
		"expect all A member equivocated=0":         true,
		"expect all A member equivocated=1":         false,
		"expect all A member needs=0 bogus=1":       false,
		"expect all A member wait=0":                false,
		"expect all A member needs=0 equivocated=0": true,
	} {
		if out, ok := r.exec(cmd); ok != want {
			t.Errorf("%s held %v (%q), want %v", cmd, ok, out, want)
		}
	}
}
