package per

import (
	"encoding/hex"
	"math"
	"reflect"
	"testing"
)

// vector is one encoding derived by hand from X.691: what enc writes must
// be want (hex, the complete encoding), and dec must read val back from it.
type vector struct {
	name string
	enc  func(*Encoder) error
	want string
	dec  func(*Decoder) (any, error)
	val  any
}

// lead writes one 1 bit before f, so that the vector shows whether f
// aligns; dec skips it.
func lead(f func(*Encoder) error) func(*Encoder) error {
	return func(e *Encoder) error { e.WriteBit(true); return f(e) }
}

func leadDec(f func(*Decoder) (any, error)) func(*Decoder) (any, error) {
	return func(d *Decoder) (any, error) {
		if b, err := d.ReadBit(); err != nil || !b {
			return nil, err
		}
		return f(d)
	}
}

func intVec(name string, v int64, c IntConstraint, want string) vector {
	return vector{name, func(e *Encoder) error { return e.WriteInteger(v, c) }, want,
		func(d *Decoder) (any, error) { return d.ReadInteger(c) }, v}
}

func leadIntVec(name string, v int64, c IntConstraint, want string) vector {
	iv := intVec(name, v, c, want)
	iv.enc, iv.dec = lead(iv.enc), leadDec(iv.dec)
	return iv
}

func lengthVec(name string, n int, c SizeConstraint, want string, k int, more bool) vector {
	type km struct {
		K    int
		More bool
	}
	return vector{name,
		func(e *Encoder) error {
			gk, gm, err := e.WriteLength(n, c)
			if err == nil && (gk != k || gm != more) {
				return encodeErr("test", ErrConstraint, "WriteLength = %d %t", gk, gm)
			}
			return err
		}, want,
		func(d *Decoder) (any, error) {
			k, m, err := d.ReadLength(c, 0)
			return km{k, m}, err
		}, km{k, more}}
}

func TestVectors(t *testing.T) {
	e164 := MustAlphabet(IA5String, "0123456789#*,")
	ia5 := MustAlphabet(IA5String, "")
	num := MustAlphabet(NumericString, "")
	bmp := MustAlphabet(BMPString, "")
	ab := MustAlphabet(IA5String, "AB")
	vectors := []vector{
		// A complete encoding that is empty is the single octet 0x00 (§10.1.3).
		intVec("range 1 is empty", 5, IntRange(5, 5), "00"),
		intVec("range 2: one bit", 1, IntRange(0, 1), "80"),
		intVec("range 8: three bits", 5, IntRange(0, 7), "a0"),
		// Range 255 is still a bit-field (8 bits), not aligned: 1 11111110.
		leadIntVec("range 255: 8-bit field, unaligned", 254, IntRange(0, 254), "ff00"),
		// Range 256 is one aligned octet: 1, 7 bits of padding, 0x05.
		leadIntVec("range 256: aligned octet", 5, IntRange(0, 255), "8005"),
		leadIntVec("range 257: two aligned octets", 256, IntRange(0, 256), "800100"),
		intVec("range 64K: two octets", 65535, IntRange(0, 65535), "ffff"),
		// Range 65537: octets 1..3, length in 2 bits (n-1 = 2: 10), aligned value.
		intVec("range 64K+1: length 3", 65536, IntRange(0, 65536), "80010000"),
		intVec("0..2^32-1: 0 takes one octet", 0, IntRange(0, 4294967295), "0000"),
		intVec("0..2^32-1: max takes four", 4294967295, IntRange(0, 4294967295), "c0ffffffff"),
		intVec("1..2^32-1: offset from lb", 256, IntRange(1, 4294967295), "00ff"),
		intVec("negative lb", -1000, IntRange(-1000, 1000), "0000"),
		intVec("full int64 range", math.MaxInt64, IntRange(math.MinInt64, math.MaxInt64), "e0ffffffffffffffff"),
		// Semi-constrained: length octet, minimal octets of v-lb.
		intVec("semi 0", 0, IntMin(0), "0100"),
		intVec("semi 255", 255, IntMin(0), "01ff"),
		intVec("semi 256", 256, IntMin(0), "020100"),
		intVec("semi lb -5", -5, IntMin(-5), "0100"),
		// Unconstrained: length octet, minimal 2's complement octets.
		intVec("unconstrained 0", 0, IntConstraint{}, "0100"),
		intVec("unconstrained 127", 127, IntConstraint{}, "017f"),
		intVec("unconstrained 128", 128, IntConstraint{}, "020080"),
		intVec("unconstrained -1", -1, IntConstraint{}, "01ff"),
		intVec("unconstrained -128", -128, IntConstraint{}, "0180"),
		intVec("unconstrained -129", -129, IntConstraint{}, "02ff7f"),
		intVec("unconstrained min int64", math.MinInt64, IntConstraint{}, "088000000000000000"),
		intVec("MIN..10 is unconstrained", -3, IntConstraint{Ub: 10, HasUb: true}, "01fd"),
		// Extensible: extension bit, then the root encoding or an
		// unconstrained whole number.
		intVec("ext, in root", 3, IntRange(0, 7).Ext(), "30"),
		intVec("ext, above root", 8, IntRange(0, 7).Ext(), "800108"),
		intVec("ext, below root", -1, IntRange(0, 7).Ext(), "8001ff"),
		{"normally small 0", func(e *Encoder) error { return e.WriteNormallySmallNonNegative(0) }, "00",
			func(d *Decoder) (any, error) { return d.ReadNormallySmallNonNegative() }, 0},
		{"normally small 63", func(e *Encoder) error { return e.WriteNormallySmallNonNegative(63) }, "7e",
			func(d *Decoder) (any, error) { return d.ReadNormallySmallNonNegative() }, 63},
		// 64: 1 bit, then a semi-constrained number (aligned length 01, 0x40).
		{"normally small 64", func(e *Encoder) error { return e.WriteNormallySmallNonNegative(64) }, "800140",
			func(d *Decoder) (any, error) { return d.ReadNormallySmallNonNegative() }, 64},
		{"normally small length 1", func(e *Encoder) error { return e.WriteNormallySmallLength(1) }, "00",
			func(d *Decoder) (any, error) { return d.ReadNormallySmallLength() }, 1},
		// 64: 0 and 111111, then (for the decoder's check) 64 bitmap bits.
		{"normally small length 64", func(e *Encoder) error {
			err := e.WriteNormallySmallLength(64)
			e.WriteBits(math.MaxUint64, 64)
			return err
		}, "7f" + "ffffffffffffff" + "fe",
			func(d *Decoder) (any, error) { return d.ReadNormallySmallLength() }, 64},
		// 65: 1 bit, then an unconstrained length 0x41 (§11.9.3.4); 65
		// bits of bitmap must follow for the decoder to accept it.
		{"normally small length 65", func(e *Encoder) error {
			err := e.WriteNormallySmallLength(65)
			e.WriteOctets(make([]byte, 9))
			return err
		}, "8041" + "000000000000000000",
			func(d *Decoder) (any, error) { return d.ReadNormallySmallLength() }, 65},
		// Lengths (§11.9).
		lengthVec("constrained length, 3 bits", 5, Size(0, 7), "a0", 5, false),
		lengthVec("fixed size writes nothing", 3, FixedSize(3), "00", 3, false),
		lengthVec("unconstrained 127", 127, SizeConstraint{}, "7f", 127, false),
		lengthVec("unconstrained 128", 128, SizeConstraint{}, "8080", 128, false),
		lengthVec("unconstrained 16383", 16383, SizeConstraint{}, "bfff", 16383, false),
		lengthVec("16384: one 16K fragment", 16384, SizeConstraint{}, "c1", 16384, true),
		lengthVec("70000: a 64K fragment first", 70000, SizeConstraint{}, "c4", 65536, true),
		lengthVec("ub 64K or more is unconstrained", 300, Size(1, 70000), "812c", 300, false),
		lengthVec("extensible size in root", 2, Size(1, 4).Ext(), "20", 2, false),
		lengthVec("extensible size outside root", 5, Size(1, 4).Ext(), "8005", 5, false),
		// ENUMERATED and CHOICE indices (§14, §23).
		{"enumerated 2 of 3", func(e *Encoder) error { return e.WriteEnumerated(2, 3, false) }, "80",
			func(d *Decoder) (any, error) { return d.ReadEnumerated(3, false) }, 2},
		{"enumerated ext root", func(e *Encoder) error { return e.WriteEnumerated(1, 3, true) }, "20",
			func(d *Decoder) (any, error) { return d.ReadEnumerated(3, true) }, 1},
		// Extension value 1 (index 4 of 3 roots): 1, then 0 000001.
		{"enumerated ext value", func(e *Encoder) error { return e.WriteEnumerated(4, 3, true) }, "81",
			func(d *Decoder) (any, error) { return d.ReadEnumerated(3, true) }, 4},
		{"choice 1 of 25, extensible", func(e *Encoder) error { return e.WriteChoiceIndex(1, 25, true) }, "04",
			func(d *Decoder) (any, error) { return d.ReadChoiceIndex(25, true) }, 1},
		{"choice single root is empty", func(e *Encoder) error { return e.WriteChoiceIndex(0, 1, false) }, "00",
			func(d *Decoder) (any, error) { return d.ReadChoiceIndex(1, false) }, 0},
		// BIT STRING (§16).
		{"bits fixed 4", func(e *Encoder) error { return e.WriteBitString(BitString{[]byte{0xa0}, 4}, FixedSize(4)) }, "a0",
			func(d *Decoder) (any, error) { return d.ReadBitString(FixedSize(4)) }, BitString{[]byte{0xa0}, 4}},
		{"bits fixed 16 unaligned", lead(func(e *Encoder) error { return e.WriteBitString(BitString{[]byte{0xff, 0x01}, 16}, FixedSize(16)) }), "ff8080",
			leadDec(func(d *Decoder) (any, error) { return d.ReadBitString(FixedSize(16)) }), BitString{[]byte{0xff, 0x01}, 16}},
		{"bits fixed 17 aligned", lead(func(e *Encoder) error {
			return e.WriteBitString(BitString{[]byte{0xff, 0x01, 0x80}, 17}, FixedSize(17))
		}), "80ff0180",
			leadDec(func(d *Decoder) (any, error) { return d.ReadBitString(FixedSize(17)) }), BitString{[]byte{0xff, 0x01, 0x80}, 17}},
		{"bits unconstrained", func(e *Encoder) error { return e.WriteBitString(BitString{[]byte{0xff, 0x80}, 9}, SizeConstraint{}) }, "09ff80",
			func(d *Decoder) (any, error) { return d.ReadBitString(SizeConstraint{}) }, BitString{[]byte{0xff, 0x80}, 9}},
		// OCTET STRING (§17).
		{"octets fixed 2 unaligned", lead(func(e *Encoder) error { return e.WriteOctetString([]byte{0xaa, 0xbb}, FixedSize(2)) }), "d55d80",
			leadDec(func(d *Decoder) (any, error) { return d.ReadOctetString(FixedSize(2)) }), []byte{0xaa, 0xbb}},
		{"octets fixed 3 aligned", lead(func(e *Encoder) error { return e.WriteOctetString([]byte{1, 2, 3}, FixedSize(3)) }), "80010203",
			leadDec(func(d *Decoder) (any, error) { return d.ReadOctetString(FixedSize(3)) }), []byte{1, 2, 3}},
		// 1, length 2 in 4 bits (0010), 3 bits of padding, the octets.
		{"octets sized", lead(func(e *Encoder) error { return e.WriteOctetString([]byte{0xaa, 0xbb}, Size(0, 10)) }), "90aabb",
			leadDec(func(d *Decoder) (any, error) { return d.ReadOctetString(Size(0, 10)) }), []byte{0xaa, 0xbb}},
		// Known-multiplier strings (§30).
		// E.164 digits: 13 characters, 4 bits, indices (# * , 0 1 ...):
		// length 2-1 in 7 bits, 1 bit of padding, '1' = 4, '#' = 0.
		{"E.164 alphabet", func(e *Encoder) error { return e.WriteString("1#", e164, Size(1, 128)) }, "0240",
			func(d *Decoder) (any, error) { return d.ReadString(e164, Size(1, 128)) }, "1#"},
		// NumericString: 4-bit indices, space = 0, '0' = 1.
		{"NumericString", func(e *Encoder) error { return e.WriteString("123", num, SizeConstraint{}) }, "032340",
			func(d *Decoder) (any, error) { return d.ReadString(num, SizeConstraint{}) }, "123"},
		// H323-ID: BMPString (SIZE (1..256)): range 256, so the length is
		// an aligned octet, then 16-bit characters.
		{"BMPString H323-ID", lead(func(e *Encoder) error { return e.WriteString("aÄ", bmp, Size(1, 256)) }), "80010061" + "00c4",
			leadDec(func(d *Decoder) (any, error) { return d.ReadString(bmp, Size(1, 256)) }), "aÄ"},
		{"IA5String unconstrained", func(e *Encoder) error { return e.WriteString("Hi", ia5, SizeConstraint{}) }, "024869",
			func(d *Decoder) (any, error) { return d.ReadString(ia5, SizeConstraint{}) }, "Hi"},
		// FROM ("AB"): 1 bit per character, indices A = 0, B = 1.
		{"two-letter alphabet", func(e *Encoder) error { return e.WriteString("BAB", ab, SizeConstraint{}) }, "03a0",
			func(d *Decoder) (any, error) { return d.ReadString(ab, SizeConstraint{}) }, "BAB"},
		// The H.323 reference stack's form of a normally small length of
		// 65: 1, padding, a semi-constrained 64 (01 40).
		{"normally small length 65, reference stack form", func(e *Encoder) error {
			e.WriteBit(true)
			e.Align()
			e.WriteOctets([]byte{0x01, 0x40})
			e.WriteOctets(make([]byte, 9))
			return nil
		}, "800140" + "000000000000000000",
			func(d *Decoder) (any, error) { return d.ReadNormallySmallLength() }, 65},
		{"UTF8String", func(e *Encoder) error { e.WriteUTF8String("hé"); return nil }, "0368c3a9",
			func(d *Decoder) (any, error) { return d.ReadUTF8String() }, "hé"},
		// H.225.0 version 7 protocol identifier, as in the captures.
		{"OID 0.0.8.2250.0.7", func(e *Encoder) error { return e.WriteOID(OID{0, 0, 8, 2250, 0, 7}) }, "060008914a0007",
			func(d *Decoder) (any, error) { return d.ReadOID() }, OID{0, 0, 8, 2250, 0, 7}},
		{"OID 2.999.3", func(e *Encoder) error { return e.WriteOID(OID{2, 999, 3}) }, "03883703",
			func(d *Decoder) (any, error) { return d.ReadOID() }, OID{2, 999, 3}},
		// Open types: an empty value is the octet 0x00.
		{"open type of nothing", func(e *Encoder) error { return e.EndOpenType(e.BeginOpenType()) }, "0100",
			func(d *Decoder) (any, error) { return d.ReadOpenTypeBytes() }, []byte{0}},
		{"open type of a bit", lead(func(e *Encoder) error {
			sub := e.BeginOpenType()
			sub.WriteBit(true)
			return e.EndOpenType(sub)
		}), "800180", leadDec(func(d *Decoder) (any, error) { return d.ReadOpenTypeBytes() }), []byte{0x80}},
	}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			var e Encoder
			if err := v.enc(&e); err != nil {
				t.Fatalf("encode: %v", err)
			}
			if got := hex.EncodeToString(e.Bytes()); got != v.want {
				t.Errorf("encode = %s, want %s", got, v.want)
			}
			raw, _ := hex.DecodeString(v.want)
			got, err := v.dec(NewDecoder(raw))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, v.val) {
				t.Errorf("decode = %#v, want %#v", got, v.val)
			}
		})
	}
}
