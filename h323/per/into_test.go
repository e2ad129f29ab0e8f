package per

import (
	"bytes"
	"errors"
	"testing"
)

// TestIntoReusesDestination checks the ...Into decoders: they give what
// the allocating decoders give, reuse the destination's capacity (and a
// string equal to the decoded one) without allocating, leave nil for an
// empty result, and leave a string, open type or raw extension destination
// unchanged on failure.
func TestIntoReusesDestination(t *testing.T) {
	ia5 := MustAlphabet(IA5String, "")
	digits := MustAlphabet(IA5String, "0123456789#*,")
	bmp := MustAlphabet(BMPString, "")
	var e Encoder
	enc := func(f func(*Encoder)) []byte {
		e.Reset()
		f(&e)
		return append([]byte(nil), e.Bytes()...)
	}

	octets := enc(func(e *Encoder) { _ = e.WriteOctetString([]byte("conference-id-16"), FixedSize(16)) })
	empty := enc(func(e *Encoder) { _ = e.WriteOctetString(nil, Size(0, 8)) })
	bitsData := enc(func(e *Encoder) {
		_ = e.WriteBitString(BitString{Bytes: []byte{0xa5, 0x80}, BitLength: 9}, Size(1, 32))
	})
	oid := enc(func(e *Encoder) { _ = e.WriteOID(OID{0, 0, 8, 241, 0, 0, 1}) })
	open := enc(func(e *Encoder) { _ = e.WriteOpenType([]byte{1, 2, 3}) })
	cases := []struct {
		name  string
		data  []byte
		check func(t *testing.T, d *Decoder)
	}{
		{"octet string", octets, func(t *testing.T, d *Decoder) {
			dst := make([]byte, 3, 32)
			first := &dst[:1][0]
			if err := d.ReadOctetStringInto(&dst, FixedSize(16)); err != nil || string(dst) != "conference-id-16" || &dst[0] != first {
				t.Errorf("%q %v (capacity reused: %t)", dst, err, &dst[0] == first)
			}
		}},
		{"empty octet string", empty, func(t *testing.T, d *Decoder) {
			dst := make([]byte, 3)
			if err := d.ReadOctetStringInto(&dst, Size(0, 8)); err != nil || dst != nil {
				t.Errorf("%v %v", dst, err)
			}
		}},
		{"bit string", bitsData, func(t *testing.T, d *Decoder) {
			dst := BitString{Bytes: make([]byte, 0, 8), BitLength: 3}
			first := &dst.Bytes[:1][0]
			if err := d.ReadBitStringInto(&dst, Size(1, 32)); err != nil || dst.BitLength != 9 || !bytes.Equal(dst.Bytes, []byte{0xa5, 0x80}) || &dst.Bytes[0] != first {
				t.Errorf("%+v %v", dst, err)
			}
		}},
		{"object identifier", oid, func(t *testing.T, d *Decoder) {
			dst := make(OID, 2, 16)
			if err := d.ReadOIDInto(&dst); err != nil || !dst.Equal(OID{0, 0, 8, 241, 0, 0, 1}) || cap(dst) != 16 {
				t.Errorf("%v %v", dst, err)
			}
		}},
		{"open type", open, func(t *testing.T, d *Decoder) {
			dst := make([]byte, 0, 8)
			if err := d.ReadOpenTypeInto(&dst); err != nil || !bytes.Equal(dst, []byte{1, 2, 3}) || cap(dst) != 8 {
				t.Errorf("%x %v", dst, err)
			}
		}},
		{"raw extension", open, func(t *testing.T, d *Decoder) {
			dst := RawExtension{Index: 9, Data: make([]byte, 0, 8)}
			if err := d.ReadRawExtensionInto(&dst, 4); err != nil || dst.Index != 4 || !bytes.Equal(dst.Data, []byte{1, 2, 3}) || cap(dst.Data) != 8 {
				t.Errorf("%+v %v", dst, err)
			}
		}},
		{"open type failure", open[:2], func(t *testing.T, d *Decoder) {
			dst := []byte{9}
			if err := d.ReadOpenTypeInto(&dst); !errors.Is(err, ErrTruncated) || !bytes.Equal(dst, []byte{9}) {
				t.Errorf("%x %v", dst, err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, NewDecoder(c.data)) })
	}

	// Strings: equal ones are kept (the same string, no allocation),
	// different ones replaced; a failure leaves the destination.
	strs := []struct {
		name string
		a    *Alphabet
		c    SizeConstraint
		s    string
	}{
		{"IA5String", ia5, Size(1, 128), "gw-east@example.net"},
		{"dialled digits", digits, Size(1, 128), "0123456789#*"},
		{"BMPString", bmp, Size(1, 256), "Zoë Ωmega"},
		// 20 characters: 8 bits each, sent as their values, one of them
		// beyond ASCII.
		{"8-bit alphabet beyond ASCII", MustAlphabet(BMPString, "abcdefghijklmnopqrsé"), Size(1, 64), "décadé"},
		{"UTF8String", nil, SizeConstraint{}, "ünïcode"},
	}
	if a := strs[3].a; a.BitsPerChar() != 8 || a.Remapped() {
		t.Fatalf("%s: %d bits, remapped %t", strs[3].name, a.BitsPerChar(), a.Remapped())
	}
	for _, c := range strs {
		t.Run(c.name, func(t *testing.T) {
			data := enc(func(e *Encoder) {
				if c.a == nil {
					e.WriteUTF8String(c.s)
				} else if err := e.WriteString(c.s, c.a, c.c); err != nil {
					t.Fatal(err)
				}
			})
			read := func(d *Decoder, dst *string) error {
				if c.a == nil {
					return d.ReadUTF8StringInto(dst)
				}
				return d.ReadStringInto(dst, c.a, c.c)
			}
			var d Decoder
			dst := "previous"
			d.Reset(data)
			if err := read(&d, &dst); err != nil || dst != c.s {
				t.Fatalf("%q %v", dst, err)
			}
			kept := dst
			allocs := testing.AllocsPerRun(20, func() {
				d.Reset(data)
				if err := read(&d, &dst); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 || dst != kept {
				t.Errorf("decoding the same string again: %v allocations", allocs)
			}
			d.Reset(data[:len(data)-1])
			if err := read(&d, &dst); err == nil || dst != kept {
				t.Errorf("truncated: %q %v", dst, err)
			}
		})
	}
}

// TestIntoDoesNotAllocate checks that decoding into destinations that
// already have the room allocates nothing.
func TestIntoDoesNotAllocate(t *testing.T) {
	var e Encoder
	_ = e.WriteOctetString(patternOctets(40), Size(1, 128))
	_ = e.WriteOID(OID{0, 0, 8, 2250, 0, 7})
	_ = e.WriteBitString(BitString{Bytes: []byte{0xf0, 0x0f, 0xaa}, BitLength: 20}, SizeConstraint{})
	_ = e.WriteOpenType(patternOctets(10))
	data := append([]byte(nil), e.Bytes()...)
	var (
		d   Decoder
		o   []byte
		oid OID
		bs  BitString
		raw RawExtension
	)
	run := func() {
		d.Reset(data)
		if err := d.ReadOctetStringInto(&o, Size(1, 128)); err != nil {
			t.Fatal(err)
		}
		if err := d.ReadOIDInto(&oid); err != nil {
			t.Fatal(err)
		}
		if err := d.ReadBitStringInto(&bs, SizeConstraint{}); err != nil {
			t.Fatal(err)
		}
		if err := d.ReadRawExtensionInto(&raw, 0); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if n := testing.AllocsPerRun(50, run); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
