package h245

import "testing"

// TestRandomRoundTrip fills random values of every generated type (within
// their PER-visible constraints, with unknown extensions now and then),
// encodes, decodes, compares and re-encodes them.
func TestRandomRoundTrip(t *testing.T) {
	iterations := 20
	if testing.Short() {
		iterations = 3
	}
	r := newRandomizer(0x5eed)
	cases := randomCases()
	for _, c := range cases {
		checkRandomCase(t, c, r, iterations)
	}
	t.Logf("%d types, %d values each", len(cases), iterations)
}
