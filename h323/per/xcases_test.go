package per

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xcase is one value of a type of testdata/PerTest.asn, as Erlang writes
// it and as this package encodes and decodes it.
type xcase struct {
	typ   string               // type name in PerTest.asn (its wrapper is typ+"T")
	name  string               // short description of the value
	erl   string               // the value as an Erlang expression
	enc   func(*Encoder) error // encodes the value
	check func(*Decoder) error // decodes a value and compares it

	// erlangDiffers, when set, says why Erlang's asn1 encodes this value
	// differently from X.691 and the H.323 reference stack; x691 is then
	// the expected encoding of the wrapper (hex), checked instead.
	erlangDiffers string
	x691          string
}

// Where Erlang's asn1 departs from X.691 (each checked against a vector
// derived by hand from the clause cited, and against Erlang's differing
// octets so that a change on either side shows).
const (
	erlangEmptyAligned = "Erlang pads to an octet after an empty string behind a constrained length; " +
		"X.691 §11.9.3.3 note 2: a zero-length octet-aligned field adds no padding (as the H.323 reference stack does)"
	erlangFixed16 = "Erlang aligns a fixed-size string of exactly 16 bits; " +
		"X.691 §30.5.7 aligns fixed sizes only above 16 bits (as the H.323 reference stack and Wireshark do)"
	erlangNSLength = "Erlang writes a normally small length above 64 as a 1 bit and 15 bits; " +
		"X.691 §11.9.3.4: a 1 bit, then an unconstrained (octet-aligned) length"
)

// differs marks c as a value Erlang encodes differently, with the X.691
// encoding of its wrapper.
func (c xcase) differs(reason, x691 string) xcase {
	c.erlangDiffers, c.x691 = reason, x691
	return c
}

// want returns nil when got equals want, else a descriptive error.
func want[T comparable](got, want T) error {
	if got != want {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

// interestingInts are whole numbers at every encoding boundary.
var interestingInts = []int64{
	math.MinInt64, math.MinInt64 + 1, -1 << 40, -4294967296, -2147483649, -2147483648,
	-65537, -65536, -32769, -32768, -1001, -1000, -999, -257, -256, -129, -128, -127,
	-100, -11, -10, -9, -6, -5, -4, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 63, 64,
	126, 127, 128, 129, 253, 254, 255, 256, 257, 999, 1000, 1001, 1255, 1256, 16383,
	16384, 32767, 32768, 65535, 65536, 65537, 16777215, 16777216, 1073741823,
	1073741824, 2147483647, 2147483648, 4294967295, 4294967296, 1 << 40, 1<<56 - 1,
	1 << 56, math.MaxInt64 - 1, math.MaxInt64,
}

// intTypes are the INTEGER types of PerTest.asn.
var intTypes = []struct {
	typ string
	c   IntConstraint
}{
	{"IntR1", IntRange(5, 5)},
	{"IntR2", IntRange(0, 1)},
	{"IntR3", IntRange(-1, 1)},
	{"IntR128", IntRange(0, 127)},
	{"IntR255", IntRange(0, 254)},
	{"IntR256", IntRange(0, 255)},
	{"IntR257", IntRange(0, 256)},
	{"IntR64K", IntRange(0, 65535)},
	{"IntR64K1", IntRange(0, 65536)},
	{"IntNeg", IntRange(-1000, 1000)},
	{"IntU24", IntRange(0, 16777215)},
	{"IntU30", IntRange(0, 1073741823)},
	{"IntU32", IntRange(0, 4294967295)},
	{"IntU32b", IntRange(1, 4294967295)},
	{"IntWide", IntRange(math.MinInt64, math.MaxInt64)},
	{"IntSemi", IntMin(0)},
	{"IntSemiNeg", IntMin(-5)},
	{"IntSemiPos", IntMin(1000)},
	{"IntUncon", IntConstraint{}},
	{"IntUb", IntConstraint{Ub: 10, HasUb: true}},
	{"IntExt", IntRange(0, 7).Ext()},
	{"IntExt256", IntRange(1, 256).Ext()},
	{"IntExtNeg", IntRange(-10, 10).Ext()},
	{"IntExtSemi", IntMin(0).Ext()},
	{"IntExtFixed", IntRange(3, 3).Ext()},
}

// intCase encodes v with constraint c.
func intCase(typ string, c IntConstraint, v int64) xcase {
	return xcase{
		typ: typ, name: strconv.FormatInt(v, 10), erl: strconv.FormatInt(v, 10),
		enc: func(e *Encoder) error { return e.WriteInteger(v, c) },
		check: func(d *Decoder) error {
			got, err := d.ReadInteger(c)
			if err != nil {
				return err
			}
			return want(got, v)
		},
	}
}

// lengths are list sizes at every length-determinant boundary.
var lengths = []int{
	0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 15, 16, 17, 20, 21, 64, 65, 127, 128, 129, 255,
	256, 257, 300, 301, 16383, 16384, 16385, 32767, 32768, 49152, 65535, 65536, 65537,
	70000, 100000,
}

// sizesFor returns the lengths that c allows, plus a few outside the root
// when c is extensible.
func sizesFor(c SizeConstraint, limit int) []int {
	var out []int
	for _, n := range lengths {
		if n <= limit && (c.inRoot(n) || c.Extensible) {
			out = append(out, n)
		}
	}
	return out
}

// patternBits returns n bits of a fixed irregular pattern.
func patternBits(n int) BitString {
	b := BitString{Bytes: make([]byte, (n+7)/8), BitLength: n}
	for i := range n {
		if (i%3 == 0) != (i%7 == 1) {
			b.Bytes[i/8] |= 0x80 >> uint(i%8)
		}
	}
	return b
}

// erlPatternBits is patternBits(n) in Erlang.
func erlPatternBits(n int) string {
	return fmt.Sprintf("<< <<(case (I rem 3 =:= 0) xor (I rem 7 =:= 1) of true -> 1; false -> 0 end):1>> || I <- lists:seq(0, %d) >>", n-1)
}

// patternOctets returns n octets of a fixed pattern.
func patternOctets(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return p
}

// erlPatternOctets is patternOctets(n) in Erlang.
func erlPatternOctets(n int) string {
	return fmt.Sprintf("list_to_binary([(I*7+3) rem 256 || I <- lists:seq(0, %d)])", n-1)
}

// patternString returns n characters cycling through cs.
func patternString(cs []rune, n int) string {
	var sb strings.Builder
	for i := range n {
		sb.WriteRune(cs[i%len(cs)])
	}
	return sb.String()
}

// erlChars returns the Erlang list of the code points of rs.
func erlChars(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.Itoa(int(r))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// erlBMPChars returns the Erlang form of a BMPString: code points, with
// those above 255 as {0,0,Row,Cell} quadruples.
func erlBMPChars(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		if r > 255 {
			parts[i] = fmt.Sprintf("{0,0,%d,%d}", r>>8, r&0xff)
		} else {
			parts[i] = strconv.Itoa(int(r))
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// erlPatternString is patternString(cs, n) in Erlang, as a list of code
// points (BMPString quadruples when bmp is set).
func erlPatternString(cs []rune, n int, bmp bool) string {
	chars := erlChars
	if bmp {
		chars = erlBMPChars
	}
	if n <= 64 {
		return chars([]rune(patternString(cs, n)))
	}
	return fmt.Sprintf("begin CS = %s, [lists:nth((I rem %d) + 1, CS) || I <- lists:seq(0, %d)] end", chars(cs), len(cs), n-1)
}

// runesIn returns the characters lo..hi.
func runesIn(lo, hi rune) []rune {
	var rs []rune
	for r := lo; r <= hi; r++ {
		rs = append(rs, r)
	}
	return rs
}

// stringTypes are the known-multiplier string types of PerTest.asn with
// the characters their test values cycle through.
func stringTypes() []struct {
	typ string
	a   *Alphabet
	c   SizeConstraint
	cs  []rune
} {
	e164 := "0123456789#*,"
	ia5 := runesIn(0, 127)
	vis := runesIn(32, 126)
	bmp := []rune("Zürich–東京 €\u0000\uffff\u00ff\u0100\ud7ff\ue000")
	return []struct {
		typ string
		a   *Alphabet
		c   SizeConstraint
		cs  []rune
	}{
		{"Ia5", MustAlphabet(IA5String, ""), SizeConstraint{}, ia5},
		{"Ia5F1", MustAlphabet(IA5String, ""), FixedSize(1), ia5},
		{"Ia5F2", MustAlphabet(IA5String, ""), FixedSize(2), ia5},
		{"Ia5F3", MustAlphabet(IA5String, ""), FixedSize(3), ia5},
		{"Ia5R2", MustAlphabet(IA5String, ""), Size(1, 2), ia5},
		{"Ia5R3", MustAlphabet(IA5String, ""), Size(1, 3), ia5},
		{"Ia5R128", MustAlphabet(IA5String, ""), Size(1, 128), ia5},
		{"Ia5Ext", MustAlphabet(IA5String, ""), Size(1, 4).Ext(), ia5},
		{"Ia5R64K", MustAlphabet(IA5String, ""), Size(1, 65535), ia5},
		{"E164", MustAlphabet(IA5String, e164), Size(1, 128), []rune(e164)},
		{"E164F4", MustAlphabet(IA5String, e164), FixedSize(4), []rune(e164)},
		{"E164F5", MustAlphabet(IA5String, e164), FixedSize(5), []rune(e164)},
		{"E164R4", MustAlphabet(IA5String, e164), Size(1, 4), []rune(e164)},
		{"E164R5", MustAlphabet(IA5String, e164), Size(1, 5), []rune(e164)},
		{"Ia5AB", MustAlphabet(IA5String, "AB"), SizeConstraint{}, []rune("BAAB")},
		{"Ia5One", MustAlphabet(IA5String, "A"), SizeConstraint{}, []rune("A")},
		{"Ia5Oct", MustAlphabet(IA5String, "01234567"), SizeConstraint{}, []rune("70123456")},
		{"Ia5Letters", MustAlphabet(IA5String, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), SizeConstraint{}, []rune("AzBy")},
		{"Num", MustAlphabet(NumericString, ""), SizeConstraint{}, []rune(numericChars)},
		{"NumR4", MustAlphabet(NumericString, ""), Size(1, 4), []rune("9 05")},
		{"NumF3", MustAlphabet(NumericString, ""), FixedSize(3), []rune("9 05")},
		{"Print", MustAlphabet(PrintableString, ""), SizeConstraint{}, []rune(printableChars)},
		{"PrintR", MustAlphabet(PrintableString, ""), Size(1, 64), []rune(printableChars)},
		{"Vis", MustAlphabet(VisibleString, ""), SizeConstraint{}, vis},
		{"VisF2", MustAlphabet(VisibleString, ""), FixedSize(2), vis},
		{"Bmp", MustAlphabet(BMPString, ""), SizeConstraint{}, bmp},
		{"BmpR", MustAlphabet(BMPString, ""), Size(1, 256), bmp},
		{"BmpF1", MustAlphabet(BMPString, ""), FixedSize(1), bmp},
		{"BmpF2", MustAlphabet(BMPString, ""), FixedSize(2), bmp},
		{"BmpAbc", MustAlphabet(BMPString, "abc"), SizeConstraint{}, []rune("cab")},
	}
}

// crossCases returns every value the Erlang cross-check encodes.
func crossCases() []xcase {
	var cs []xcase
	for _, it := range intTypes {
		for _, v := range interestingInts {
			if it.c.inRoot(v) || it.c.Extensible {
				cs = append(cs, intCase(it.typ, it.c, v))
			}
		}
	}
	for _, b := range []bool{false, true} {
		cs = append(cs, xcase{typ: "Bool", name: strconv.FormatBool(b), erl: strconv.FormatBool(b),
			enc: func(e *Encoder) error { e.WriteBool(b); return nil },
			check: func(d *Decoder) error {
				got, err := d.ReadBool()
				if err != nil {
					return err
				}
				return want(got, b)
			}})
	}
	cs = append(cs, enumCases()...)
	cs = append(cs, choiceCases()...)
	cs = append(cs, sequenceCases()...)
	cs = append(cs, bitStringCases()...)
	cs = append(cs, octetStringCases()...)
	cs = append(cs, stringCases()...)
	cs = append(cs, oidCases()...)
	cs = append(cs, sequenceOfCases()...)
	return cs
}

// enumCases covers ENUMERATED roots, value ordering and extensions.
func enumCases() []xcase {
	type ev struct {
		typ, atom  string
		idx, root  int
		extensible bool
	}
	vals := []ev{
		{"Enum1", "only", 0, 1, false},
		{"Enum3", "a", 0, 3, false}, {"Enum3", "b", 1, 3, false}, {"Enum3", "c", 2, 3, false},
		// Root values are indexed in ascending order of their numbers.
		{"EnumVal", "z", 0, 3, false}, {"EnumVal", "y", 1, 3, false}, {"EnumVal", "x", 2, 3, false},
		{"EnumExt", "a", 0, 3, true}, {"EnumExt", "c", 2, 3, true},
		{"EnumExt", "d", 3, 3, true}, {"EnumExt", "e", 4, 3, true},
		{"EnumExtBig", "r0", 0, 1, true},
	}
	for _, k := range []int{0, 1, 62, 63, 64, 65, 69} {
		vals = append(vals, ev{"EnumExtBig", "e" + strconv.Itoa(k), 1 + k, 1, true})
	}
	var cs []xcase
	for _, v := range vals {
		cs = append(cs, xcase{typ: v.typ, name: v.atom, erl: v.atom,
			enc: func(e *Encoder) error { return e.WriteEnumerated(v.idx, v.root, v.extensible) },
			check: func(d *Decoder) error {
				got, err := d.ReadEnumerated(v.root, v.extensible)
				if err != nil {
					return err
				}
				return want(got, v.idx)
			}})
	}
	return cs
}

// choiceCases covers CHOICE root and extension alternatives.
func choiceCases() []xcase {
	ia5 := MustAlphabet(IA5String, "")
	byte8 := IntRange(0, 255)
	type alt struct {
		typ, erl   string
		idx, root  int
		extensible bool
		enc        func(*Encoder) error
		check      func(*Decoder) error
	}
	none := func(*Encoder) error { return nil }
	noneCheck := func(*Decoder) error { return nil }
	boolEnc := func(b bool) func(*Encoder) error {
		return func(e *Encoder) error { e.WriteBool(b); return nil }
	}
	boolCheck := func(b bool) func(*Decoder) error {
		return func(d *Decoder) error {
			got, err := d.ReadBool()
			if err != nil {
				return err
			}
			return want(got, b)
		}
	}
	intEnc := func(v int64, c IntConstraint) func(*Encoder) error {
		return func(e *Encoder) error { return e.WriteInteger(v, c) }
	}
	intCheck := func(v int64, c IntConstraint) func(*Decoder) error {
		return func(d *Decoder) error {
			got, err := d.ReadInteger(c)
			if err != nil {
				return err
			}
			return want(got, v)
		}
	}
	alts := []alt{
		{"Ch3", "{a,'NULL'}", 0, 3, false, none, noneCheck},
		{"Ch3", "{b,true}", 1, 3, false, boolEnc(true), boolCheck(true)},
		{"Ch3", "{c,5}", 2, 3, false, intEnc(5, IntRange(0, 7)), intCheck(5, IntRange(0, 7))},
		{"ChExt", "{a,'NULL'}", 0, 2, true, none, noneCheck},
		{"ChExt", "{b,200}", 1, 2, true, intEnc(200, byte8), intCheck(200, byte8)},
		{"ChExt", "{c,true}", 2, 2, true, boolEnc(true), boolCheck(true)},
		{"ChExt", "{d,\"hello, open type\"}", 3, 2, true,
			func(e *Encoder) error { return e.WriteString("hello, open type", ia5, SizeConstraint{}) },
			func(d *Decoder) error {
				got, err := d.ReadString(ia5, SizeConstraint{})
				if err != nil {
					return err
				}
				return want(got, "hello, open type")
			}},
		{"Ch1Ext", "{only,false}", 0, 1, true, boolEnc(false), boolCheck(false)},
		{"Ch1Ext", "{x,-5}", 1, 1, true, intEnc(-5, IntConstraint{}), intCheck(-5, IntConstraint{})},
		{"ChBigExt", "{r0,true}", 0, 1, true, boolEnc(true), boolCheck(true)},
	}
	for _, k := range []int{0, 1, 63, 64, 65, 69} {
		v := int64(k * 3)
		alts = append(alts, alt{"ChBigExt", fmt.Sprintf("{x%d,%d}", k, v), 1 + k, 1, true,
			intEnc(v, byte8), intCheck(v, byte8)})
	}
	var cs []xcase
	for _, a := range alts {
		cs = append(cs, xcase{typ: a.typ, name: a.erl, erl: a.erl,
			enc: func(e *Encoder) error {
				if err := e.WriteChoiceIndex(a.idx, a.root, a.extensible); err != nil {
					return err
				}
				if a.idx < a.root {
					return a.enc(e)
				}
				sub := e.BeginOpenType()
				if err := a.enc(sub); err != nil {
					return err
				}
				return e.EndOpenType(sub)
			},
			check: func(d *Decoder) error {
				idx, err := d.ReadChoiceIndex(a.root, a.extensible)
				if err != nil {
					return err
				}
				if err := want(idx, a.idx); err != nil {
					return err
				}
				if idx < a.root {
					return a.check(d)
				}
				var sub Decoder
				if err := d.ReadOpenType(&sub); err != nil {
					return err
				}
				return a.check(&sub)
			}})
	}
	return cs
}

// bitStringCases covers BIT STRING size shapes and fragmentation.
func bitStringCases() []xcase {
	types := []struct {
		typ string
		c   SizeConstraint
	}{
		{"Bit", SizeConstraint{}}, {"BitF1", FixedSize(1)}, {"BitF16", FixedSize(16)},
		{"BitF17", FixedSize(17)}, {"BitR", Size(0, 20)}, {"BitR2", Size(1, 300)},
		{"BitExt", FixedSize(8).Ext()}, {"BitR64K", Size(0, 65535)},
	}
	var cs []xcase
	for _, t := range types {
		for _, n := range sizesFor(t.c, 1<<20) {
			if t.c.Extensible && n > 300 {
				continue
			}
			v := patternBits(n)
			c := xcase{typ: t.typ, name: fmt.Sprintf("%d bits", n), erl: erlPatternBits(n),
				enc: func(e *Encoder) error { return e.WriteBitString(v, t.c) },
				check: func(d *Decoder) error {
					got, err := d.ReadBitString(t.c)
					if err != nil {
						return err
					}
					if got.BitLength != n || !bytes.Equal(got.Bytes, v.Bytes) {
						return fmt.Errorf("got %d bits %s, want %d bits %s", got.BitLength, short(fmt.Sprintf("%x", got.Bytes)), n, short(fmt.Sprintf("%x", v.Bytes)))
					}
					return nil
				}}
			if t.typ == "BitR" && n == 0 {
				// p=1, length 0 in 5 bits (range 21), q=1: 1 00000 1 0.
				c = c.differs(erlangEmptyAligned, "82")
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// octetStringCases covers OCTET STRING size shapes and fragmentation.
func octetStringCases() []xcase {
	types := []struct {
		typ string
		c   SizeConstraint
	}{
		{"Oct", SizeConstraint{}}, {"OctF1", FixedSize(1)}, {"OctF2", FixedSize(2)},
		{"OctF3", FixedSize(3)}, {"OctR", Size(0, 10)}, {"OctR1", Size(1, 300)},
		{"OctBig", Size(0, 70000)}, {"OctExt", Size(1, 4).Ext()}, {"OctF64K", FixedSize(65536)},
		{"OctR64K", Size(1, 65535)},
	}
	var cs []xcase
	for _, t := range types {
		for _, n := range sizesFor(t.c, 1<<20) {
			if t.c.Extensible && n > 300 {
				continue
			}
			v := patternOctets(n)
			c := xcase{typ: t.typ, name: fmt.Sprintf("%d octets", n), erl: erlPatternOctets(n),
				enc: func(e *Encoder) error { return e.WriteOctetString(v, t.c) },
				check: func(d *Decoder) error {
					got, err := d.ReadOctetString(t.c)
					if err != nil {
						return err
					}
					if !bytes.Equal(got, v) {
						return fmt.Errorf("got %d octets, want %d", len(got), n)
					}
					return nil
				}}
			if t.typ == "OctR" && n == 0 {
				// p=1, length 0 in 4 bits (range 11), q=1: 1 0000 1 00.
				c = c.differs(erlangEmptyAligned, "84")
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// fixed16 holds the X.691 encodings (wrapper included) of the fixed-size
// strings of exactly 16 bits, which are not octet-aligned: p=1, the
// characters, q=1.
var fixed16 = map[string]string{
	"Ia5F2":  "8000c0", // 1 00000000 00000001 1: NUL, SOH
	"VisF2":  "9010c0", // 1 00100000 00100001 1: " !"
	"E164F4": "9a2b40", // 1 0011 0100 0101 0110 1: "0123" as indices 3..6
	"BmpF1":  "802d40", // 1 0000000001011010 1: "Z"
}

// stringCases covers known-multiplier strings with sizes and permitted
// alphabets, and the octet-length string types.
func stringCases() []xcase {
	var cs []xcase
	for _, t := range stringTypes() {
		for _, n := range sizesFor(t.c, 70000) {
			if t.c.Extensible && n > 300 {
				continue
			}
			s := patternString(t.cs, n)
			c := xcase{typ: t.typ, name: fmt.Sprintf("%d chars", n), erl: erlPatternString(t.cs, n, t.a.Kind() == BMPString),
				enc: func(e *Encoder) error { return e.WriteString(s, t.a, t.c) },
				check: func(d *Decoder) error {
					got, err := d.ReadString(t.a, t.c)
					if err != nil {
						return err
					}
					if got != s {
						return fmt.Errorf("got %q, want %q", short(got), short(s))
					}
					return nil
				}}
			if x, ok := fixed16[t.typ]; ok {
				c = c.differs(erlangFixed16, x)
			}
			cs = append(cs, c)
		}
	}
	utf := []rune("añ東€𝄞x")
	general := []rune("General string ")
	for _, n := range []int{0, 1, 5, 127, 128, 5000, 20000} {
		for _, typ := range []string{"Utf8", "General"} {
			s := patternString(utf, n)
			erl := fmt.Sprintf("unicode:characters_to_binary(%s)", erlPatternString(utf, n, false))
			if typ == "General" {
				s = patternString(general, n)
				erl = erlPatternString(general, n, false)
			}
			cs = append(cs, xcase{typ: typ, name: fmt.Sprintf("%d chars (%d octets)", n, len(s)), erl: erl,
				enc: func(e *Encoder) error { e.WriteUTF8String(s); return nil },
				check: func(d *Decoder) error {
					got, err := d.ReadUTF8String()
					if err != nil {
						return err
					}
					if got != s || !utf8.ValidString(got) {
						return fmt.Errorf("got %q, want %q", short(got), short(s))
					}
					return nil
				}})
		}
	}
	return cs
}

// oidCases covers OBJECT IDENTIFIER arcs of every size.
func oidCases() []xcase {
	var cs []xcase
	for _, s := range []string{
		"0.0.8.2250.0.4", "0.0.8.245.0.17", "1.2.840.113549.1.1.11", "2.999.3", "0.39",
		"1.0", "2.5", "2.47", "2.48.1", "2.4294967295.1", "1.3.6.1.4.1.4294967295.127.128.16383.16384",
	} {
		o, err := ParseOID(s)
		if err != nil {
			panic(err)
		}
		erl := "{" + strings.ReplaceAll(s, ".", ",") + "}"
		cs = append(cs, xcase{typ: "Oid", name: s, erl: erl,
			enc: func(e *Encoder) error { return e.WriteOID(o) },
			check: func(d *Decoder) error {
				got, err := d.ReadOID()
				if err != nil {
					return err
				}
				if !got.Equal(o) {
					return fmt.Errorf("got %s, want %s", got, o)
				}
				return nil
			}})
	}
	return cs
}

// sequenceOfCases covers SEQUENCE OF and SET OF counts and fragmentation.
func sequenceOfCases() []xcase {
	byte8 := IntRange(0, 255)
	var cs []xcase
	encBool := func(v *bool, e *Encoder) error { e.WriteBool(*v); return nil }
	decBool := func(v *bool, d *Decoder) (err error) { *v, err = d.ReadBool(); return err }
	ints := func(typ string, c SizeConstraint, n int, mod int64, ic IntConstraint) xcase {
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(i*37) % mod
		}
		slices.Sort(v) // SET OF values in order, as a canonical encoder sends them
		if typ != "SetOfI" {
			for i := range v {
				v[i] = int64(i*37) % mod
			}
		}
		parts := make([]string, n)
		for i, x := range v {
			parts[i] = strconv.FormatInt(x, 10)
		}
		erl := "[" + strings.Join(parts, ",") + "]"
		if n > 64 {
			erl = fmt.Sprintf("[(I*37) rem %d || I <- lists:seq(0, %d)]", mod, n-1)
		}
		enc := func(v *int64, e *Encoder) error { return e.WriteInteger(*v, ic) }
		dec := func(v *int64, d *Decoder) (err error) { *v, err = d.ReadInteger(ic); return err }
		return xcase{typ: typ, name: fmt.Sprintf("%d items", n), erl: erl,
			enc: func(e *Encoder) error { return EncodeSequenceOf(e, v, c, enc) },
			check: func(d *Decoder) error {
				got, err := DecodeSequenceOf(d, c, 1, dec)
				if err != nil {
					return err
				}
				if !slices.Equal(got, v) {
					return fmt.Errorf("got %d items, want %d", len(got), len(v))
				}
				return nil
			}}
	}
	for _, n := range []int{0, 1, 2, 127, 128, 16383, 16384, 16385, 70000} {
		cs = append(cs, ints("SeqOfI", SizeConstraint{}, n, 256, byte8))
	}
	cs = append(cs, ints("SeqOfF", FixedSize(3), 3, 8, IntRange(0, 7)))
	for _, n := range []int{0, 1, 300, 16384, 65535} {
		cs = append(cs, ints("SeqOfR64K", Size(0, 65535), n, 256, byte8))
	}
	for _, n := range []int{1, 2, 10} {
		cs = append(cs, ints("SetOfI", Size(1, 10), n, 65536, IntRange(0, 65535)))
	}
	bools := func(typ string, c SizeConstraint, n int) xcase {
		v := make([]bool, n)
		for i := range v {
			v[i] = i%3 == 1
		}
		erl := fmt.Sprintf("[I rem 3 =:= 1 || I <- lists:seq(0, %d)]", n-1)
		return xcase{typ: typ, name: fmt.Sprintf("%d items", n), erl: erl,
			enc: func(e *Encoder) error { return EncodeSequenceOf(e, v, c, encBool) },
			check: func(d *Decoder) error {
				got, err := DecodeSequenceOf(d, c, 1, decBool)
				if err != nil {
					return err
				}
				if !slices.Equal(got, v) {
					return fmt.Errorf("got %d items, want %d", len(got), len(v))
				}
				return nil
			}}
	}
	for n := range 8 {
		cs = append(cs, bools("SeqOfR", Size(0, 7), n))
	}
	for _, n := range []int{1, 4, 5, 100} {
		cs = append(cs, bools("SeqOfExt", Size(1, 4).Ext(), n))
	}
	for _, n := range []int{0, 1, 16384, 65536, 65537, 100000} {
		cs = append(cs, bools("SeqOfB", SizeConstraint{}, n))
	}
	return cs
}
