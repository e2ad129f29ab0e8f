package main

import (
	"testing"

	"github.com/switchyard/switchyard/h323/internal/asn1"
)

type rangeSpec struct{ lo, hi int64 }

func (r rangeSpec) toRange(ext bool) asn1.Range {
	return asn1.Range{Lower: r.lo, Upper: r.hi, HasLower: true, HasUpper: true, Extensible: ext}
}

func TestIntRepr(t *testing.T) {
	r := func(lo, hi int64) rangeSpec { return rangeSpec{lo, hi} }
	tests := []struct {
		r    rangeSpec
		ext  bool
		want string
	}{
		{r(0, 255), false, "uint8"},
		{r(1, 65535), false, "uint16"},
		{r(0, 4294967295), false, "uint32"},
		{r(0, 4294967296), false, "int64"},
		{r(-128, 127), false, "int8"},
		{r(-262144, 262143), false, "int32"},
		{r(0, 16383), true, "int64"},
	}
	for _, tc := range tests {
		got := intRepr(tc.r.toRange(tc.ext))
		if got != tc.want {
			t.Errorf("intRepr(%v ext=%v) = %s, want %s", tc.r, tc.ext, got, tc.want)
		}
	}
}

func TestCheckTagOrder(t *testing.T) {
	tests := []struct {
		name, src string
		ok        bool
	}{
		{"automatic", "M DEFINITIONS AUTOMATIC TAGS ::= BEGIN C ::= CHOICE { a NULL, b BOOLEAN } END", true},
		{"increasing context tags", "M DEFINITIONS ::= BEGIN C ::= CHOICE { a [0] NULL, b [3] BOOLEAN } END", true},
		{"decreasing context tags", "M DEFINITIONS ::= BEGIN C ::= CHOICE { a [1] NULL, b [0] BOOLEAN } END", false},
		{"untagged, explicit default", "M DEFINITIONS EXPLICIT TAGS ::= BEGIN C ::= CHOICE { a NULL, b BOOLEAN } END", false},
		{"sequence is never reordered", "M DEFINITIONS ::= BEGIN S ::= SEQUENCE { a [1] NULL, b [0] BOOLEAN } END", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods, err := asn1.ParseFile("t.asn", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			s, err := asn1.Resolve(mods...)
			if err != nil {
				t.Fatal(err)
			}
			err = checkTagOrder(s.Modules[0].Types[0].Type)
			if (err == nil) != tc.ok {
				t.Errorf("checkTagOrder: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
