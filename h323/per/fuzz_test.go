package per

import (
	"encoding/hex"
	"errors"
	"reflect"
	"runtime"
	"testing"
)

// fuzzAlphabets are the alphabets the fuzzers read strings with.
var fuzzAlphabets = []*Alphabet{
	MustAlphabet(IA5String, ""),
	MustAlphabet(IA5String, "0123456789#*,"),
	MustAlphabet(NumericString, ""),
	MustAlphabet(PrintableString, ""),
	MustAlphabet(VisibleString, ""),
	MustAlphabet(BMPString, ""),
	MustAlphabet(IA5String, "A"),
	MustAlphabet(UniversalString, ""),
}

// fuzzSizes are the size constraints the fuzzers read lists with.
var fuzzSizes = []SizeConstraint{
	{}, FixedSize(0), FixedSize(2), FixedSize(3), FixedSize(17), Size(0, 10), Size(1, 128),
	Size(1, 256), Size(0, 70000), Size(1, 4).Ext(), FixedSize(65536), SizeMin(2),
}

// fuzzInts are the integer constraints the fuzzers read with.
var fuzzInts = []IntConstraint{
	{}, IntRange(0, 0), IntRange(0, 1), IntRange(0, 254), IntRange(0, 255), IntRange(0, 256),
	IntRange(0, 65535), IntRange(0, 65536), IntRange(1, 4294967295), IntMin(0), IntMin(-5),
	IntRange(0, 7).Ext(), IntRange(-9223372036854775808, 9223372036854775807), IntMin(0).Ext(),
}

// runOps reads input with d following ops, one read per op byte, until an
// error; it returns that error (nil when ops ran out).
func runOps(d *Decoder, ops []byte) error {
	for _, op := range ops {
		arg := int(op >> 4)
		var err error
		switch op & 15 {
		case 0:
			_, err = d.ReadBit()
		case 1:
			_, err = d.ReadInteger(fuzzInts[arg%len(fuzzInts)])
		case 2:
			_, err = d.ReadNormallySmallNonNegative()
		case 3:
			_, err = d.ReadNormallySmallLength()
		case 4:
			_, _, err = d.ReadLength(fuzzSizes[arg%len(fuzzSizes)], arg%9)
		case 5:
			_, err = d.ReadEnumerated(1+arg*20, arg%2 == 0)
		case 6:
			_, err = d.ReadChoiceIndex(1+arg*20, arg%2 == 1)
		case 7:
			var b ExtensionBitmap
			err = d.ReadExtensionBitmap(&b)
		case 8:
			_, err = d.ReadBitString(fuzzSizes[arg%len(fuzzSizes)])
		case 9:
			_, err = d.ReadOctetString(fuzzSizes[arg%len(fuzzSizes)])
		case 10:
			_, err = d.ReadString(fuzzAlphabets[arg%len(fuzzAlphabets)], fuzzSizes[arg/len(fuzzAlphabets)%len(fuzzSizes)])
		case 11:
			_, err = d.ReadUTF8String()
		case 12:
			_, err = d.ReadOID()
		case 13:
			var sub Decoder
			if err = d.ReadOpenType(&sub); err == nil {
				err = runOps(&sub, ops[1:min(len(ops), 4)])
			}
		case 14:
			_, err = DecodeSequenceOf(d, fuzzSizes[arg%len(fuzzSizes)], arg%3, func(v *int64, d *Decoder) (err error) {
				*v, err = d.ReadInteger(IntRange(0, 7))
				return err
			})
		case 15:
			err = d.Align()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// allocLimit is what decoding n octets may allocate: a bounded multiple
// of the input (a 1-bit item can become an 8-octet value) plus a constant.
func allocLimit(n int) uint64 { return uint64(64*n + 64<<10) }

// FuzzDecoderPrimitives reads arbitrary octets with an arbitrary sequence
// of primitive reads: no input may make the Decoder panic, return an error
// that is not a *DecodeError, or allocate more than the input justifies.
func FuzzDecoderPrimitives(f *testing.F) {
	seeds := []struct{ ops, in string }{
		{"01111121314151", "04806ed0060008914a00070a00540065007300740047004b007f00000106b7"},
		{"0a1a2a3a4a5a6a7a8a9aaabacadaeafa", "0240032340800100610368c3a9"},
		{"0809", "c4ff00"},
		{"0d0c0b", "0100060008914a0007"},
		{"030707", "8041000000000000000000"},
		{"0e1e2e", "c1ffffff"},
		{"04142434", "bfff00"},
	}
	for _, s := range seeds {
		ops, _ := hex.DecodeString(s.ops)
		in, _ := hex.DecodeString(s.in)
		f.Add(ops, in)
	}
	var before, after runtime.MemStats
	f.Fuzz(func(t *testing.T, ops, in []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		runtime.ReadMemStats(&before)
		err := runOps(NewDecoder(in), ops)
		runtime.ReadMemStats(&after)
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error %v is not a *DecodeError", err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > allocLimit(len(in)) {
			t.Fatalf("allocated %d bytes decoding %d octets", n, len(in))
		}
	})
}

// FuzzDecoderSequence decodes arbitrary octets as the SeqExt test type
// and as the captured GatekeeperConfirm; whatever decodes must encode, and
// decode again to the same value.
func FuzzDecoderSequence(f *testing.F) {
	for _, v := range seqExtValues()[:5] {
		var e Encoder
		if err := v.encode(&e); err == nil {
			f.Add(append([]byte(nil), e.Bytes()...))
		}
	}
	gcf, _ := hex.DecodeString(gcfFromCapture)
	f.Add(gcf)
	f.Fuzz(func(t *testing.T, in []byte) {
		for known := range seqExtAdditions + 1 {
			v := seqExt{known: known}
			if err := v.decode(NewDecoder(in)); err != nil {
				continue
			}
			var e Encoder
			if err := v.encode(&e); err != nil {
				t.Fatalf("known %d: decoded %+v but cannot encode it: %v", known, v, err)
			}
			w := seqExt{known: known}
			if err := w.decode(NewDecoder(e.Bytes())); err != nil {
				t.Fatalf("known %d: re-encoding %x does not decode: %v", known, e.Bytes(), err)
			}
			if !reflect.DeepEqual(normalized(v), normalized(w)) {
				t.Fatalf("known %d: %+v became %+v", known, v, w)
			}
		}
		if v, err := decodeGCF(NewDecoder(in)); err == nil && v.proto != nil && v.ip != nil {
			var e Encoder
			if err := encodeGCF(&e, v); err != nil {
				t.Fatalf("decoded %+v but cannot encode it: %v", v, err)
			}
			w, err := decodeGCF(NewDecoder(e.Bytes()))
			if err != nil || !reflect.DeepEqual(v, w) {
				t.Fatalf("%+v became %+v (%v)", v, w, err)
			}
		}
	})
}

// normalized drops what a re-encoding may legitimately change: a
// received bitmap with no bit set (an extension bit of 1 with no addition
// present) is re-encoded as an extension bit of 0.
func normalized(v seqExt) seqExt {
	if v.b == nil && v.c == nil && v.f == nil && v.g == nil && len(v.unknown) == 0 {
		v.bitmapLen = 0
	}
	return v
}
