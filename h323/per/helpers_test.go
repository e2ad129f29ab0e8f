package per

import (
	"bytes"
	"testing"
)

// TestAlphabets checks the bits per character and the choice between
// values and indices (X.691 §30.5.3-30.5.4, aligned variant).
func TestAlphabets(t *testing.T) {
	cases := []struct {
		kind     StringKind
		from     string
		bits     int
		remapped bool
	}{
		{IA5String, "", 8, false},                      // 128 values: 7 bits, rounded to 8
		{NumericString, "", 4, true},                   // 11 characters, '9' = 57 does not fit 4 bits
		{PrintableString, "", 8, false},                // 74 characters, 'z' = 122 fits 8 bits
		{VisibleString, "", 8, false},                  // 95 characters
		{BMPString, "", 16, false},                     // 65536 values
		{UniversalString, "", 32, false},               // 2^31 values
		{IA5String, "0123456789#*,", 4, true},          // H.225.0 E.164 digits
		{IA5String, "0123456789#*ABCD!", 8, false},     // H.245 signalType: 17, so 5 bits, rounded to 8
		{IA5String, "AB", 1, true},                     // two characters
		{IA5String, "A", 1, true},                      // one character still takes 1 bit
		{BMPString, "abc", 2, true},                    // 3 characters
		{IA5String, "\x00\x01\x02\x03", 2, false},      // values 0..3 fit 2 bits: no remapping
		{PrintableString, "ABCDEFGHIJKLMNOP", 4, true}, // 16 characters
	}
	for _, c := range cases {
		a, err := NewAlphabet(c.kind, c.from)
		if err != nil {
			t.Fatalf("%s FROM %q: %v", c.kind, c.from, err)
		}
		if a.Kind() != c.kind || a.BitsPerChar() != c.bits || a.Remapped() != c.remapped {
			t.Errorf("%s FROM %q: %d bits, remapped %t; want %d, %t", c.kind, c.from, a.BitsPerChar(), a.Remapped(), c.bits, c.remapped)
		}
	}
	if s := StringKind(0).String(); s != "StringKind(0)" {
		t.Errorf("unknown kind prints %q", s)
	}
}

func TestSmallHelpers(t *testing.T) {
	b := BitString{Bytes: []byte{0xa0}, BitLength: 3}
	if b.At(0) != 1 || b.At(1) != 0 || b.At(2) != 1 || b.At(3) != 0 || b.At(-1) != 0 {
		t.Error("BitString.At")
	}
	o, err := ParseOID("0.0.8.2250.0.7")
	if err != nil || o.String() != "0.0.8.2250.0.7" || !o.Equal(OID{0, 0, 8, 2250, 0, 7}) || o.Equal(OID{0, 0, 8}) || o.Equal(OID{0, 0, 8, 2250, 0, 6}) {
		t.Errorf("OID %v %v", o, err)
	}
	if s := IntRange(1, 5).Ext().String(); s != "(1..5, ...)" {
		t.Errorf("IntConstraint.String = %q", s)
	}
	if s := (IntConstraint{}).String(); s != "(MIN..MAX)" {
		t.Errorf("IntConstraint.String = %q", s)
	}
	if s := FixedSize(4).String(); s != "SIZE (4)" {
		t.Errorf("SizeConstraint.String = %q", s)
	}
	if s := SizeMin(1).Ext().String(); s != "SIZE (1..MAX, ...)" {
		t.Errorf("SizeConstraint.String = %q", s)
	}

	// NewEncoder reuses the given buffer; unaligned bit fields and octets.
	buf := make([]byte, 0, 16)
	e := NewEncoder(buf)
	e.WriteBits(0b101, 3)
	e.WriteBitField([]byte{0xff, 0x80}, 9)
	e.WriteOctets([]byte{0x0f})
	if e.BitLen() != 20 || !bytes.Equal(e.Bytes(), []byte{0xbf, 0xf0, 0xf0}) || &e.Bytes()[0] != &buf[:1][0] {
		t.Fatalf("encoded %x (%d bits)", e.Bytes(), e.BitLen())
	}
	d := NewDecoder(e.Bytes())
	d.ReadBits(3)
	p := make([]byte, 2)
	if err := d.ReadBitField(p, 9); err != nil || !bytes.Equal(p, []byte{0xff, 0x80}) {
		t.Fatalf("ReadBitField %x %v", p, err)
	}
	q := make([]byte, 1)
	if err := d.ReadOctets(q); err != nil || q[0] != 0x0f || d.BitPos() != 20 {
		t.Fatalf("ReadOctets %x %v at %d", q, err, d.BitPos())
	}
	if err := d.ReadOctets(q); err == nil {
		t.Error("ReadOctets past the end")
	}
	if err := d.ReadBitField(p, 17); err == nil {
		t.Error("ReadBitField into a short slice")
	}
	if err := d.Align(); err != nil || d.BitsLeft() != 0 {
		t.Errorf("Align: %v, %d left", err, d.BitsLeft())
	}
	// Reset empties an Encoder and keeps its buffer.
	e.Reset()
	if e.BitLen() != 0 || !bytes.Equal(e.Bytes(), []byte{0}) {
		t.Errorf("after Reset: %x", e.Bytes())
	}
	e.WriteBit(true)
	if !bytes.Equal(e.Bytes(), []byte{0x80}) {
		t.Errorf("after Reset and a bit: %x", e.Bytes())
	}

	var bm ExtensionBitmap
	bm.Set(70)
	bm.Set(-1)
	bm.Set(MaxExtensionAdditions)
	if bm.Len() != 71 || !bm.Has(70) || bm.Has(69) || bm.Has(71) || !bm.Any() {
		t.Error("ExtensionBitmap.Set")
	}
	bm.SetLen(10)
	if bm.Len() != 10 || bm.Any() {
		t.Error("ExtensionBitmap.SetLen does not clear")
	}
}
