package per

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// seqExtGroup is the extension addition group [[ d, e ]] of SeqExt.
type seqExtGroup struct {
	d int64
	e *bool
}

// seqExt is PerTest's SeqExt written the way generated code would write
// it: SEQUENCE { a INTEGER (0..7), ..., b BOOLEAN, c IA5String (SIZE
// (1..4)), f OCTET STRING, [[ d INTEGER (0..255), e BOOLEAN OPTIONAL ]] }.
// known is how many of the four extension additions this version of the
// type knows; the others travel as RawExtension values.
type seqExt struct {
	known   int
	a       int64
	b       *bool
	c       *string
	f       []byte // nil when absent
	g       *seqExtGroup
	unknown []RawExtension
	// bitmapLen is the length of the received extension bitmap (0 when
	// none came), kept so that re-encoding reproduces it.
	bitmapLen int
}

// seqExtAdditions is the number of extension additions of SeqExt.
const seqExtAdditions = 4

func (v *seqExt) encode(e *Encoder) error {
	var bm ExtensionBitmap
	present := []bool{v.b != nil, v.c != nil, v.f != nil, v.g != nil}
	for i, p := range present[:v.known] {
		if p {
			bm.Set(i)
		}
	}
	for _, r := range v.unknown {
		bm.Set(r.Index)
	}
	e.WriteBit(bm.Any())
	if err := e.WriteConstrainedWholeNumber(v.a, 0, 7); err != nil {
		return fmt.Errorf("a: %w", err)
	}
	if !bm.Any() {
		return nil
	}
	n := v.known
	if v.bitmapLen > 0 {
		n = v.bitmapLen
	}
	bm.SetLen(max(n, bm.Len()))
	if err := e.WriteExtensionBitmap(&bm); err != nil {
		return err
	}
	for i := range v.known {
		if !present[i] {
			continue
		}
		sub := e.BeginOpenType()
		var err error
		switch i {
		case 0:
			sub.WriteBool(*v.b)
		case 1:
			err = sub.WriteString(*v.c, MustAlphabet(IA5String, ""), Size(1, 4))
		case 2:
			err = sub.WriteOctetString(v.f, SizeConstraint{})
		case 3:
			sub.WriteBit(v.g.e != nil)
			err = sub.WriteConstrainedWholeNumber(v.g.d, 0, 255)
			if v.g.e != nil {
				sub.WriteBool(*v.g.e)
			}
		}
		if err != nil {
			return fmt.Errorf("extension %d: %w", i, err)
		}
		if err := e.EndOpenType(sub); err != nil {
			return err
		}
	}
	for _, r := range v.unknown {
		if err := e.WriteRawExtension(r); err != nil {
			return err
		}
	}
	return nil
}

func (v *seqExt) decode(d *Decoder) error {
	if err := d.Enter(); err != nil {
		return err
	}
	defer d.Leave()
	known := v.known
	*v = seqExt{known: known}
	ext, err := d.ReadBit()
	if err != nil {
		return err
	}
	if v.a, err = d.ReadConstrainedWholeNumber(0, 7); err != nil {
		return fmt.Errorf("a: %w", err)
	}
	if !ext {
		return nil
	}
	var bm ExtensionBitmap
	if err := d.ReadExtensionBitmap(&bm); err != nil {
		return err
	}
	v.bitmapLen = bm.Len()
	for i := range bm.Len() {
		if !bm.Has(i) {
			continue
		}
		if i >= v.known {
			r, err := d.ReadRawExtension(i)
			if err != nil {
				return err
			}
			v.unknown = append(v.unknown, r)
			continue
		}
		var sub Decoder
		if err := d.ReadOpenType(&sub); err != nil {
			return err
		}
		switch i {
		case 0:
			b, err := sub.ReadBool()
			if err != nil {
				return err
			}
			v.b = &b
		case 1:
			s, err := sub.ReadString(MustAlphabet(IA5String, ""), Size(1, 4))
			if err != nil {
				return err
			}
			v.c = &s
		case 2:
			if v.f, err = sub.ReadOctetString(SizeConstraint{}); err != nil {
				return err
			}
			if v.f == nil {
				v.f = []byte{}
			}
		case 3:
			g := &seqExtGroup{}
			hasE, err := sub.ReadBit()
			if err != nil {
				return err
			}
			if g.d, err = sub.ReadConstrainedWholeNumber(0, 255); err != nil {
				return err
			}
			if hasE {
				e, err := sub.ReadBool()
				if err != nil {
					return err
				}
				g.e = &e
			}
			v.g = g
		}
	}
	return nil
}

// erl returns v as an Erlang record of SeqExt.
func (v *seqExt) erl() string {
	f := []string{strconv.FormatInt(v.a, 10), "asn1_NOVALUE", "asn1_NOVALUE", "asn1_NOVALUE", "asn1_NOVALUE", "asn1_NOVALUE"}
	if v.b != nil {
		f[1] = strconv.FormatBool(*v.b)
	}
	if v.c != nil {
		f[2] = strconv.Quote(*v.c)
	}
	if v.f != nil {
		f[3] = erlPatternOctets(len(v.f))
	}
	if v.g != nil {
		f[4] = strconv.FormatInt(v.g.d, 10)
		if v.g.e != nil {
			f[5] = strconv.FormatBool(*v.g.e)
		}
	}
	return "{'SeqExt'," + strings.Join(f, ",") + "}"
}

func ptr[T any](v T) *T { return &v }

// seqExtValues are the SeqExt values of the cross-check.
func seqExtValues() []seqExt {
	return []seqExt{
		{known: 4, a: 5},
		{known: 4, a: 1, b: ptr(true)},
		{known: 4, a: 7, c: ptr("ab")},
		{known: 4, a: 0, b: ptr(false), c: ptr("abcd"), f: patternOctets(3), g: &seqExtGroup{d: 3}},
		{known: 4, a: 2, b: ptr(true), c: ptr("x"), f: patternOctets(0), g: &seqExtGroup{d: 255, e: ptr(true)}},
		{known: 4, a: 3, f: patternOctets(20000)},
		{known: 4, a: 4, f: patternOctets(70000), g: &seqExtGroup{d: 1, e: ptr(false)}},
		{known: 4, a: 6, g: &seqExtGroup{d: 128}},
	}
}

// sequenceCases covers SEQUENCE preambles, extension bitmaps and
// extension additions (with groups and fragmented open types).
func sequenceCases() []xcase {
	var cs []xcase
	ia5 := MustAlphabet(IA5String, "")
	for _, a := range []*int64{nil, ptr(int64(6))} {
		for _, c := range []*string{nil, ptr("opt")} {
			for _, b := range []bool{false, true} {
				erl := fmt.Sprintf("{'SeqOpt',%s,%t,%s}", erlOpt(a, func(v int64) string { return strconv.FormatInt(v, 10) }), b,
					erlOpt(c, strconv.Quote))
				cs = append(cs, xcase{typ: "SeqOpt", name: erl, erl: erl,
					enc: func(e *Encoder) error {
						e.WriteBit(a != nil)
						e.WriteBit(c != nil)
						if a != nil {
							if err := e.WriteInteger(*a, IntRange(0, 7)); err != nil {
								return err
							}
						}
						e.WriteBool(b)
						if c != nil {
							return e.WriteString(*c, ia5, SizeConstraint{})
						}
						return nil
					},
					check: func(dec *Decoder) error {
						hasA, _ := dec.ReadBit()
						hasC, _ := dec.ReadBit()
						var gotA int64
						var gotC string
						var err error
						if hasA {
							if gotA, err = dec.ReadInteger(IntRange(0, 7)); err != nil {
								return err
							}
						}
						gotB, err := dec.ReadBool()
						if err != nil {
							return err
						}
						if hasC {
							if gotC, err = dec.ReadString(ia5, SizeConstraint{}); err != nil {
								return err
							}
						}
						if hasA != (a != nil) || hasC != (c != nil) || gotB != b ||
							(a != nil && gotA != *a) || (c != nil && gotC != *c) {
							return fmt.Errorf("got %t %d %t %t %q", hasA, gotA, gotB, hasC, gotC)
						}
						return nil
					}})
			}
		}
	}
	for _, v := range seqExtValues() {
		cs = append(cs, xcase{typ: "SeqExt", name: short(v.erl()), erl: v.erl(),
			enc: v.encode,
			check: func(d *Decoder) error {
				got := seqExt{known: 4}
				if err := got.decode(d); err != nil {
					return err
				}
				got.bitmapLen = 0
				if !reflect.DeepEqual(got, v) {
					return fmt.Errorf("got %+v, want %+v", got, v)
				}
				return nil
			}})
	}
	// SeqExtOpt: SEQUENCE { a BOOLEAN OPTIONAL, ..., b INTEGER OPTIONAL,
	// c OCTET STRING OPTIONAL }.
	type seqExtOpt struct {
		a *bool
		b *int64
		c []byte
	}
	for _, v := range []seqExtOpt{{}, {a: ptr(true)}, {b: ptr(int64(-129))}, {c: []byte{}}, {a: ptr(false), b: ptr(int64(1 << 40)), c: patternOctets(300)}} {
		erl := fmt.Sprintf("{'SeqExtOpt',%s,%s,%s}", erlOpt(v.a, strconv.FormatBool),
			erlOpt(v.b, func(x int64) string { return strconv.FormatInt(x, 10) }), "asn1_NOVALUE")
		if v.c != nil {
			erl = strings.TrimSuffix(erl, "asn1_NOVALUE}") + erlPatternOctets(len(v.c)) + "}"
		}
		cs = append(cs, xcase{typ: "SeqExtOpt", name: erl, erl: erl,
			enc: func(e *Encoder) error {
				var bm ExtensionBitmap
				bm.SetLen(2)
				if v.b != nil {
					bm.Set(0)
				}
				if v.c != nil {
					bm.Set(1)
				}
				e.WriteBit(bm.Any())
				e.WriteBit(v.a != nil)
				if v.a != nil {
					e.WriteBool(*v.a)
				}
				if !bm.Any() {
					return nil
				}
				if err := e.WriteExtensionBitmap(&bm); err != nil {
					return err
				}
				if v.b != nil {
					sub := e.BeginOpenType()
					sub.WriteUnconstrainedWholeNumber(*v.b)
					if err := e.EndOpenType(sub); err != nil {
						return err
					}
				}
				if v.c != nil {
					return EncodeOpenType(e, &v.c, func(p *[]byte, e *Encoder) error {
						return e.WriteOctetString(*p, SizeConstraint{})
					})
				}
				return nil
			},
			check: func(d *Decoder) error {
				var got seqExtOpt
				ext, _ := d.ReadBit()
				hasA, err := d.ReadBit()
				if err != nil {
					return err
				}
				if hasA {
					a, err := d.ReadBool()
					if err != nil {
						return err
					}
					got.a = &a
				}
				if ext {
					var bm ExtensionBitmap
					if err := d.ReadExtensionBitmap(&bm); err != nil {
						return err
					}
					if bm.Has(0) {
						var sub Decoder
						if err := d.ReadOpenType(&sub); err != nil {
							return err
						}
						b, err := sub.ReadUnconstrainedWholeNumber()
						if err != nil {
							return err
						}
						got.b = &b
					}
					if bm.Has(1) {
						err := DecodeOpenType(d, &got.c, func(p *[]byte, d *Decoder) (err error) {
							*p, err = d.AppendOctetString([]byte{}, SizeConstraint{})
							return err
						})
						if err != nil {
							return err
						}
					}
				}
				if !reflect.DeepEqual(got, v) {
					return fmt.Errorf("got %+v, want %+v", got, v)
				}
				return nil
			}})
	}
	// SeqExtMany: SEQUENCE { a BOOLEAN, ..., x0 .. x69 BOOLEAN OPTIONAL }:
	// a bitmap longer than 64 bits.
	// X.691 encodings: p=1 ext=1 a=1, the normally small length (1, 4 bits
	// of padding, 0x46 = 70), 70 bitmap bits and 2 of padding, each open
	// type (01 80 or 01 00), q=1.
	manyX691 := map[string]string{
		"[0]":  "f046" + "800000000000000000" + "0180" + "80",
		"[63]": "f046" + "000000000000000100" + "0100" + "80",
		"[64]": "f046" + "000000000000000080" + "0180" + "80",
		"[65]": "f046" + "000000000000000040" + "0100" + "80",
		"[69]": "f046" + "000000000000000004" + "0100" + "80",
		"[0 1 2 3 64 65 66 67 68 69]": "f046" + "f000000000000000fc" +
			"0180" + "0100" + "0180" + "0100" + "0180" + "0100" + "0180" + "0100" + "0180" + "0100" + "80",
	}
	for _, present := range [][]int{{}, {0}, {63}, {64}, {65}, {69}, {0, 1, 2, 3, 64, 65, 66, 67, 68, 69}} {
		fields := make([]string, 70)
		for i := range fields {
			fields[i] = "asn1_NOVALUE"
		}
		for _, i := range present {
			fields[i] = strconv.FormatBool(i%2 == 0)
		}
		erl := "{'SeqExtMany',true," + strings.Join(fields, ",") + "}"
		c := xcase{typ: "SeqExtMany", name: fmt.Sprint(present), erl: erl,
			enc: func(e *Encoder) error {
				var bm ExtensionBitmap
				for _, i := range present {
					bm.Set(i)
				}
				bm.SetLen(70)
				e.WriteBit(bm.Any())
				e.WriteBool(true)
				if !bm.Any() {
					return nil
				}
				if err := e.WriteExtensionBitmap(&bm); err != nil {
					return err
				}
				for _, i := range present {
					sub := e.BeginOpenType()
					sub.WriteBool(i%2 == 0)
					if err := e.EndOpenType(sub); err != nil {
						return err
					}
				}
				return nil
			},
			check: func(d *Decoder) error {
				ext, _ := d.ReadBit()
				if a, err := d.ReadBool(); err != nil || !a {
					return fmt.Errorf("a: %v %v", a, err)
				}
				var got []int
				if ext {
					var bm ExtensionBitmap
					if err := d.ReadExtensionBitmap(&bm); err != nil {
						return err
					}
					for i := range bm.Len() {
						if !bm.Has(i) {
							continue
						}
						raw, err := d.ReadOpenTypeBytes()
						if err != nil {
							return err
						}
						wantByte := byte(0)
						if i%2 == 0 {
							wantByte = 0x80
						}
						if !bytes.Equal(raw, []byte{wantByte}) {
							return fmt.Errorf("x%d: %x", i, raw)
						}
						got = append(got, i)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(present) && !(len(got) == 0 && len(present) == 0) {
					return fmt.Errorf("got %v, want %v", got, present)
				}
				return nil
			}}
		if x, ok := manyX691[fmt.Sprint(present)]; ok {
			c = c.differs(erlangNSLength, x)
		}
		cs = append(cs, c)
	}
	return cs
}

// erlOpt returns the Erlang form of an optional value.
func erlOpt[T any](v *T, f func(T) string) string {
	if v == nil {
		return "asn1_NOVALUE"
	}
	return f(*v)
}
