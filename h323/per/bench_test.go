package per

import (
	"encoding/hex"
	"testing"
)

// encodeMix writes one of each cheap primitive: what a SEQUENCE of
// integers, enumerations, choices, lengths and an open type costs.
func encodeMix(e *Encoder) {
	e.WriteBit(true)
	_ = e.WriteChoiceIndex(3, 25, true)
	_ = e.WriteInteger(28369, IntRange(1, 65535))
	_ = e.WriteInteger(4000000000, IntRange(0, 4294967295))
	_ = e.WriteInteger(-129, IntConstraint{})
	_ = e.WriteInteger(9, IntRange(0, 7).Ext())
	_ = e.WriteEnumerated(4, 3, true)
	_, _, _ = e.WriteLength(20, Size(0, 128))
	sub := e.BeginOpenType()
	sub.WriteBit(true)
	_ = sub.WriteInteger(5, IntRange(0, 255))
	_ = e.EndOpenType(sub)
	var bm ExtensionBitmap
	bm.Set(2)
	bm.SetLen(10)
	_ = e.WriteExtensionBitmap(&bm)
}

// decodeMix reads what encodeMix writes.
func decodeMix(d *Decoder) error {
	d.ReadBit()
	if _, err := d.ReadChoiceIndex(25, true); err != nil {
		return err
	}
	if _, err := d.ReadInteger(IntRange(1, 65535)); err != nil {
		return err
	}
	if _, err := d.ReadInteger(IntRange(0, 4294967295)); err != nil {
		return err
	}
	if _, err := d.ReadInteger(IntConstraint{}); err != nil {
		return err
	}
	if _, err := d.ReadInteger(IntRange(0, 7).Ext()); err != nil {
		return err
	}
	if _, err := d.ReadEnumerated(3, true); err != nil {
		return err
	}
	if _, _, err := d.ReadLength(Size(0, 128), 0); err != nil {
		return err
	}
	var sub Decoder
	if err := d.ReadOpenType(&sub); err != nil {
		return err
	}
	sub.ReadBit()
	if _, err := sub.ReadInteger(IntRange(0, 255)); err != nil {
		return err
	}
	var bm ExtensionBitmap
	return d.ReadExtensionBitmap(&bm)
}

// TestZeroAllocs checks the promises of the package documentation: a
// reused Encoder and the decoding of whole numbers, lengths, indices,
// bitmaps and open types do not allocate.
func TestZeroAllocs(t *testing.T) {
	var e Encoder
	encodeMix(&e)
	mix := append([]byte(nil), e.Bytes()...)
	if err := decodeMix(NewDecoder(mix)); err != nil {
		t.Fatal(err)
	}
	gcfBytes, _ := hex.DecodeString(gcfFromCapture)
	gcfValue, err := decodeGCF(NewDecoder(gcfBytes))
	if err != nil {
		t.Fatal(err)
	}
	e164 := MustAlphabet(IA5String, "0123456789#*,")
	var d Decoder
	cases := []struct {
		name string
		f    func()
	}{
		{"encode mix into a reused Encoder", func() { e.Reset(); encodeMix(&e) }},
		{"encode GatekeeperConfirm into a reused Encoder", func() { e.Reset(); _ = encodeGCF(&e, gcfValue) }},
		{"encode strings into a reused Encoder", func() {
			e.Reset()
			_ = e.WriteString("0123456789#", e164, Size(1, 128))
			_ = e.WriteOctetString(gcfBytes, SizeConstraint{})
			e.WriteUTF8String("hello")
			_ = e.WriteOID(gcfValue.proto)
		}},
		{"decode mix", func() {
			d.Reset(mix)
			if err := decodeMix(&d); err != nil {
				t.Fatal(err)
			}
		}},
		{"encode and decode open types in place", func() {
			e.Reset()
			m := e.EnterOpenType()
			e.WriteBits(0x5a5, 11)
			if err := e.LeaveOpenType(m); err != nil {
				t.Fatal(err)
			}
			d.Reset(e.Bytes())
			s, err := d.EnterOpenType()
			if err != nil {
				t.Fatal(err)
			}
			if v, err := d.ReadBits(11); err != nil || v != 0x5a5 {
				t.Fatal(v, err)
			}
			d.LeaveOpenType(s)
		}},
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(200, c.f); n != 0 {
			t.Errorf("%s: %v allocations", c.name, n)
		}
	}
}

func BenchmarkEncodeMix(b *testing.B) {
	b.ReportAllocs()
	var e Encoder
	for b.Loop() {
		e.Reset()
		encodeMix(&e)
	}
}

func BenchmarkDecodeMix(b *testing.B) {
	b.ReportAllocs()
	var e Encoder
	encodeMix(&e)
	in := e.Bytes()
	var d Decoder
	for b.Loop() {
		d.Reset(in)
		if err := decodeMix(&d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeConstrainedInteger(b *testing.B) {
	b.ReportAllocs()
	in := []byte{0x6e, 0xd0, 0x6e, 0xd0, 0x6e, 0xd0, 0x6e, 0xd0}
	var d Decoder
	for b.Loop() {
		d.Reset(in)
		for range 4 {
			if _, err := d.ReadInteger(IntRange(1, 65535)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDecodeLength(b *testing.B) {
	b.ReportAllocs()
	in := []byte{0x81, 0x2c, 0x7f, 0xbf, 0xff}
	var d Decoder
	for b.Loop() {
		d.Reset(in)
		for range 3 {
			if _, _, err := d.ReadLengthNext(0); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDecodeChoiceIndex(b *testing.B) {
	b.ReportAllocs()
	in := []byte{0x04, 0x81, 0x00, 0x00}
	var d Decoder
	for b.Loop() {
		d.Reset(in)
		for range 4 {
			if _, err := d.ReadChoiceIndex(25, true); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEncodeGatekeeperConfirm(b *testing.B) {
	b.ReportAllocs()
	raw, _ := hex.DecodeString(gcfFromCapture)
	v, err := decodeGCF(NewDecoder(raw))
	if err != nil {
		b.Fatal(err)
	}
	var e Encoder
	for b.Loop() {
		e.Reset()
		if err := encodeGCF(&e, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeGatekeeperConfirm(b *testing.B) {
	b.ReportAllocs()
	raw, _ := hex.DecodeString(gcfFromCapture)
	var d Decoder
	for b.Loop() {
		d.Reset(raw)
		if _, err := decodeGCF(&d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeE164(b *testing.B) {
	b.ReportAllocs()
	a := MustAlphabet(IA5String, "0123456789#*,")
	var e Encoder
	for b.Loop() {
		e.Reset()
		if err := e.WriteString("+4930123456789"[1:], a, Size(1, 128)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBMPString(b *testing.B) {
	b.ReportAllocs()
	a := MustAlphabet(BMPString, "")
	var e Encoder
	_ = e.WriteString("Conference room 4 (Zürich)", a, Size(1, 256))
	in := e.Bytes()
	var d Decoder
	for b.Loop() {
		d.Reset(in)
		if _, err := d.ReadString(a, Size(1, 256)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeOctetString(b *testing.B) {
	b.ReportAllocs()
	var e Encoder
	_ = e.WriteOctetString(patternOctets(1000), SizeConstraint{})
	in := e.Bytes()
	var d Decoder
	buf := make([]byte, 0, 1000)
	for b.Loop() {
		d.Reset(in)
		var err error
		if buf, err = d.AppendOctetString(buf[:0], SizeConstraint{}); err != nil {
			b.Fatal(err)
		}
	}
}
