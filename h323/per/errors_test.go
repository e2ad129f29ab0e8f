package per

import (
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestEncodeErrors(t *testing.T) {
	ia5 := MustAlphabet(IA5String, "")
	e164 := MustAlphabet(IA5String, "0123456789#*,")
	cases := []struct {
		name string
		enc  func(*Encoder) error
		want error
	}{
		{"integer above root", func(e *Encoder) error { return e.WriteInteger(8, IntRange(0, 7)) }, ErrConstraint},
		{"integer below semi", func(e *Encoder) error { return e.WriteInteger(-1, IntMin(0)) }, ErrConstraint},
		{"inverted range", func(e *Encoder) error { return e.WriteConstrainedWholeNumber(1, 2, 1) }, ErrConstraint},
		{"negative normally small", func(e *Encoder) error { return e.WriteNormallySmallNonNegative(-1) }, ErrConstraint},
		{"normally small length 0", func(e *Encoder) error { return e.WriteNormallySmallLength(0) }, ErrConstraint},
		{"length outside root", func(e *Encoder) error { _, _, err := e.WriteLength(9, Size(1, 8)); return err }, ErrConstraint},
		{"negative length", func(e *Encoder) error { _, _, err := e.WriteLength(-1, SizeConstraint{}); return err }, ErrConstraint},
		{"enumerated beyond root", func(e *Encoder) error { return e.WriteEnumerated(3, 3, false) }, ErrConstraint},
		{"choice index negative", func(e *Encoder) error { return e.WriteChoiceIndex(-1, 3, true) }, ErrConstraint},
		{"bit string too short", func(e *Encoder) error { return e.WriteBitString(BitString{[]byte{1}, 9}, SizeConstraint{}) }, ErrConstraint},
		{"octet string size", func(e *Encoder) error { return e.WriteOctetString([]byte{1}, FixedSize(2)) }, ErrConstraint},
		{"character not permitted", func(e *Encoder) error { return e.WriteString("12a", e164, SizeConstraint{}) }, ErrConstraint},
		{"not IA5", func(e *Encoder) error { return e.WriteString("é", ia5, SizeConstraint{}) }, ErrConstraint},
		{"invalid UTF-8", func(e *Encoder) error { return e.WriteString("a\xff", ia5, SizeConstraint{}) }, ErrConstraint},
		{"string size", func(e *Encoder) error { return e.WriteString("", ia5, Size(1, 4)) }, ErrConstraint},
		{"OID one arc", func(e *Encoder) error { return e.WriteOID(OID{1}) }, ErrConstraint},
		{"OID first arc 3", func(e *Encoder) error { return e.WriteOID(OID{3, 1}) }, ErrConstraint},
		{"OID second arc 40", func(e *Encoder) error { return e.WriteOID(OID{1, 40}) }, ErrConstraint},
	}
	for _, c := range cases {
		var e Encoder
		err := c.enc(&e)
		var ee *EncodeError
		if !errors.Is(err, c.want) || !errors.As(err, &ee) || !strings.HasPrefix(err.Error(), "per: encode ") {
			t.Errorf("%s: %v, want an *EncodeError wrapping %v", c.name, err, c.want)
		}
	}
	if _, err := NewAlphabet(NumericString, "12a"); err == nil {
		t.Error("NewAlphabet accepted a letter in a NumericString alphabet")
	}
	if _, err := NewAlphabet(StringKind(99), ""); err == nil {
		t.Error("NewAlphabet accepted an unknown kind")
	}
	if _, err := ParseOID("1.2.x"); err == nil {
		t.Error("ParseOID accepted 1.2.x")
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string // hex
		dec  func(*Decoder) error
		want error
		bit  int64
	}{
		{"constrained above ub", "c0", func(d *Decoder) error { _, err := d.ReadConstrainedWholeNumber(0, 2); return err }, ErrConstraint, 0},
		{"constrained after a bit", "60", func(d *Decoder) error {
			d.ReadBit()
			_, err := d.ReadConstrainedWholeNumber(0, 2)
			return err
		}, ErrConstraint, 1},
		{"two-octet number truncated", "00ff", func(d *Decoder) error {
			d.ReadBit()
			_, err := d.ReadConstrainedWholeNumber(0, 65535)
			return err
		}, ErrTruncated, 1},
		{"indefinite length too long", "c0", func(d *Decoder) error { _, err := d.ReadConstrainedWholeNumber(0, 65536); return err }, ErrMalformed, 0},
		{"semi-constrained length 0", "00", func(d *Decoder) error { _, err := d.ReadSemiConstrainedWholeNumber(0); return err }, ErrMalformed, 0},
		{"unconstrained 9 octets", "09" + "010000000000000000", func(d *Decoder) error { _, err := d.ReadUnconstrainedWholeNumber(); return err }, ErrUnsupported, 0},
		{"semi-constrained overflow", "08ffffffffffffffff", func(d *Decoder) error { _, err := d.ReadSemiConstrainedWholeNumber(0); return err }, ErrUnsupported, 0},
		{"length beyond input", "bfff0000", func(d *Decoder) error { _, err := d.ReadOctetString(SizeConstraint{}); return err }, ErrTruncated, 0},
		{"fragment of 0 units", "c0", func(d *Decoder) error { _, _, err := d.ReadLengthNext(0); return err }, ErrMalformed, 0},
		{"fragment of 5 units", "c5", func(d *Decoder) error { _, _, err := d.ReadLengthNext(0); return err }, ErrMalformed, 0},
		{"64K fragment of items beyond input", "c4ff", func(d *Decoder) error { _, _, err := d.ReadLengthNext(1); return err }, ErrTruncated, 0},
		{"size below root", "01aa", func(d *Decoder) error { _, err := d.ReadOctetString(SizeMin(2)); return err }, ErrConstraint, 0},
		{"open type beyond input", "0501", func(d *Decoder) error { _, err := d.ReadOpenTypeBytes(); return err }, ErrTruncated, 0},
		{"OID redundant 0x80", "02802a", func(d *Decoder) error { _, err := d.ReadOID(); return err }, ErrMalformed, 0},
		{"OID unterminated", "0181", func(d *Decoder) error { _, err := d.ReadOID(); return err }, ErrMalformed, 0},
		{"OID arc above 2^32", "0790808080800001", func(d *Decoder) error { _, err := d.ReadOID(); return err }, ErrUnsupported, 0},
		{"IA5 value above 127", "0180", func(d *Decoder) error {
			_, err := d.ReadString(MustAlphabet(IA5String, ""), SizeConstraint{})
			return err
		}, ErrConstraint, 8},
		{"index beyond alphabet", "01f0", func(d *Decoder) error {
			_, err := d.ReadString(MustAlphabet(NumericString, ""), SizeConstraint{})
			return err
		}, ErrConstraint, 8},
		{"bitmap longer than input", "7e", func(d *Decoder) error { var b ExtensionBitmap; return d.ReadExtensionBitmap(&b) }, ErrTruncated, 0},
		{"empty input", "", func(d *Decoder) error { _, err := d.ReadBool(); return err }, ErrTruncated, 0},
		{"bits beyond 64", "00", func(d *Decoder) error { _, err := d.ReadBits(65); return err }, ErrUnsupported, 0},
	}
	for _, c := range cases {
		in, _ := hex.DecodeString(c.in)
		err := c.dec(NewDecoder(in))
		var de *DecodeError
		if !errors.Is(err, c.want) || !errors.As(err, &de) {
			t.Errorf("%s: %v, want a *DecodeError wrapping %v", c.name, err, c.want)
			continue
		}
		if de.Bit != c.bit {
			t.Errorf("%s: error at bit %d, want %d (%v)", c.name, de.Bit, c.bit, err)
		}
		if !strings.HasPrefix(err.Error(), "per: decode ") {
			t.Errorf("%s: message %q", c.name, err)
		}
	}
}

// TestSubDecoderOffsets checks that an error inside an open type reports
// its offset in the outermost input.
func TestSubDecoderOffsets(t *testing.T) {
	// Two octets, then an open type (length 1) holding 0xe0: a 1 bit,
	// then 11, which is above the range 0..2.
	in, _ := hex.DecodeString("ffff" + "01e0")
	d := NewDecoder(in)
	d.ReadBits(16)
	var sub Decoder
	if err := d.ReadOpenType(&sub); err != nil {
		t.Fatal(err)
	}
	sub.ReadBit()
	_, err := sub.ReadConstrainedWholeNumber(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sub.ReadConstrainedWholeNumber(0, 2)
	var de *DecodeError
	if !errors.As(err, &de) || de.Bit != 25 {
		t.Fatalf("%v, want an error at bit 25", err)
	}
}

// TestHugeLengthsDoNotAllocate feeds lengths that claim far more than the
// input holds and requires the decoder to refuse them without allocating
// their size.
func TestHugeLengthsDoNotAllocate(t *testing.T) {
	huge := []string{
		"c4",          // 64K-item fragment, nothing after it
		"bfff",        // 16383 items
		"8100" + "00", // normally small length 65, one octet of bitmap
	}
	reads := []func(*Decoder) error{
		func(d *Decoder) error { _, err := d.ReadOctetString(SizeConstraint{}); return err },
		func(d *Decoder) error { _, err := d.ReadBitString(SizeConstraint{}); return err },
		func(d *Decoder) error {
			_, err := d.ReadString(MustAlphabet(BMPString, ""), SizeConstraint{})
			return err
		},
		func(d *Decoder) error { _, err := d.ReadUTF8String(); return err },
		func(d *Decoder) error { _, err := d.ReadOID(); return err },
		func(d *Decoder) error { _, err := d.ReadOpenTypeBytes(); return err },
		func(d *Decoder) error {
			_, err := DecodeSequenceOf(d, SizeConstraint{}, 1, func(v *[64]byte, d *Decoder) error { _, err := d.ReadBit(); return err })
			return err
		},
		func(d *Decoder) error { var b ExtensionBitmap; return d.ReadExtensionBitmap(&b) },
	}
	var before, after runtime.MemStats
	for _, h := range huge {
		in, _ := hex.DecodeString(h)
		for i, read := range reads {
			runtime.ReadMemStats(&before)
			err := read(NewDecoder(in))
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Errorf("%s, read %d: no error", h, i)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 4096 {
				t.Errorf("%s, read %d: allocated %d bytes for %d octets of input (%v)", h, i, n, len(in), err)
			}
		}
	}
}
