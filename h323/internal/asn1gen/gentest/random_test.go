package gentest

import "testing"

// TestRandomRoundTrip covers DEFAULT, COMPONENTS OF, extension addition
// groups and extensible constraints with random values.
func TestRandomRoundTrip(t *testing.T) {
	r := newRandomizer(42)
	for _, c := range randomCases() {
		checkRandomCase(t, c, r, 500)
	}
}
