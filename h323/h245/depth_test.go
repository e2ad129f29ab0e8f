package h245_test

import (
	"errors"
	"testing"

	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// nestedParameter builds a GenericParameter whose value holds another
// GenericParameter, depth levels deep (a recursive type).
func nestedParameter(depth int) h245.GenericParameter {
	p := unsignedMin(1, 1)
	for range depth {
		p = h245.GenericParameter{
			ParameterIdentifier: h245.ParameterIdentifier{Choice: h245.ParameterIdentifierChoiceStandard, Standard: 2},
			ParameterValue:      h245.ParameterValue{Choice: h245.ParameterValueChoiceGenericParameter, GenericParameter: []h245.GenericParameter{p}},
		}
	}
	return p
}

// TestRecursionDepth checks that recursive types round-trip, and that the
// decoder refuses nesting beyond its limit with per.ErrTooDeep instead of
// recursing without bound.
func TestRecursionDepth(t *testing.T) {
	tests := []struct {
		name    string
		depth   int
		tooDeep bool
	}{
		{"shallow", 5, false},
		{"near the default limit", 10, false},
		{"far beyond the limit", 500, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := nestedParameter(tc.depth)
			var e per.Encoder
			if err := v.Encode(&e); err != nil {
				t.Fatal(err)
			}
			var d per.Decoder
			d.Reset(e.Bytes())
			var got h245.GenericParameter
			err := got.Decode(&d)
			if tc.tooDeep {
				if !errors.Is(err, per.ErrTooDeep) {
					t.Fatalf("decode of %d levels: %v, want per.ErrTooDeep", tc.depth, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
