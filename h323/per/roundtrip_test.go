package per

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// roundTrip encodes lead bits, then enc, then the trailer 101; decodes the
// same and requires dec to succeed and the trailer to follow. Varying lead
// moves the value across every bit offset within an octet.
func roundTrip(t *testing.T, name string, lead int, enc func(*Encoder) error, dec func(*Decoder) error) {
	t.Helper()
	var e Encoder
	e.WriteBits(0x55, lead)
	if err := enc(&e); err != nil {
		t.Fatalf("%s: encode: %v", name, err)
	}
	e.WriteBits(0b101, 3)
	d := NewDecoder(e.Bytes())
	if v, err := d.ReadBits(lead); err != nil || v != 0x55&(1<<lead-1) {
		t.Fatalf("%s: lead bits %b %v", name, v, err)
	}
	if err := dec(d); err != nil {
		t.Fatalf("%s: decode %x: %v", name, short(fmt.Sprintf("%x", e.Bytes())), err)
	}
	if v, err := d.ReadBits(3); err != nil || v != 0b101 || d.BitsLeft() >= 8 {
		t.Fatalf("%s: trailer %b %v, %d bits left", name, v, err, d.BitsLeft())
	}
}

func mismatch(got, want any) error {
	return fmt.Errorf("got %v, want %v", got, want)
}

// randInt64 returns a value of a random magnitude, so that every octet
// count is drawn.
func randInt64(r *rand.Rand) int64 {
	v := int64(r.Uint64() >> uint(r.IntN(64)))
	if r.IntN(2) == 0 {
		v = -v
	}
	return v
}

func TestRoundTripIntegers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		lb := randInt64(r)
		span := uint64(r.Int64()) >> uint(r.IntN(64))
		ub := lb
		if uint64(math.MaxInt64-lb) >= span || lb < 0 {
			ub = int64(uint64(lb) + span)
			if ub < lb {
				ub = math.MaxInt64
			}
		}
		var c IntConstraint
		switch r.IntN(4) {
		case 0:
			c = IntRange(lb, ub)
		case 1:
			c = IntMin(lb)
		case 2:
			c = IntConstraint{}
		case 3:
			c = IntConstraint{Ub: ub, HasUb: true}
		}
		if r.IntN(3) == 0 {
			c = c.Ext()
		}
		v := randInt64(r)
		if !c.inRoot(v) && (!c.Extensible || r.IntN(2) == 0) {
			// Pick a value in the root instead.
			switch {
			case c.constrained():
				v = int64(uint64(lb) + r.Uint64N(span+1))
			case c.HasLb:
				v = lb + int64(r.Uint64N(uint64(math.MaxInt64-lb)+1))
			}
		}
		if !c.inRoot(v) && !c.Extensible {
			continue
		}
		name := fmt.Sprintf("#%d %d in %s", i, v, c)
		roundTrip(t, name, r.IntN(8),
			func(e *Encoder) error { return e.WriteInteger(v, c) },
			func(d *Decoder) error {
				got, err := d.ReadInteger(c)
				if err == nil && got != v {
					err = mismatch(got, v)
				}
				return err
			})
	}
}

func TestRoundTripIndices(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20000 {
		root := 1 + r.IntN(300)
		ext := r.IntN(2) == 0
		idx := r.IntN(root)
		if ext && r.IntN(2) == 0 {
			idx = root + r.IntN(1000)
		}
		n := r.IntN(100000)
		name := fmt.Sprintf("#%d index %d of %d ext %t", i, idx, root, ext)
		roundTrip(t, name, r.IntN(8),
			func(e *Encoder) error {
				if err := e.WriteEnumerated(idx, root, ext); err != nil {
					return err
				}
				if err := e.WriteChoiceIndex(idx, root, ext); err != nil {
					return err
				}
				return e.WriteNormallySmallNonNegative(n)
			},
			func(d *Decoder) error {
				a, err := d.ReadEnumerated(root, ext)
				if err != nil {
					return err
				}
				b, err := d.ReadChoiceIndex(root, ext)
				if err != nil {
					return err
				}
				m, err := d.ReadNormallySmallNonNegative()
				if err == nil && (a != idx || b != idx || m != n) {
					err = mismatch([]int{a, b, m}, []int{idx, idx, n})
				}
				return err
			})
	}
}

// randSize returns a size constraint and a size it allows (or, when
// extensible, possibly one outside its root).
func randSize(r *rand.Rand, maxN int) (SizeConstraint, int) {
	var c SizeConstraint
	switch r.IntN(4) {
	case 0:
		n := r.IntN(maxN + 1)
		c = FixedSize(n)
	case 1:
		lb := r.IntN(maxN/2 + 1)
		c = Size(lb, lb+r.IntN(maxN-lb+1))
	case 2:
		c = SizeMin(r.IntN(4))
	}
	if r.IntN(3) == 0 {
		c = c.Ext()
	}
	hi := maxN
	if c.HasUb {
		hi = c.Ub
	}
	n := c.Lb + r.IntN(hi-c.Lb+1)
	if c.Extensible && r.IntN(3) == 0 {
		n = r.IntN(maxN + 1)
	}
	return c, n
}

// bigSize returns, now and then, a size that needs fragmentation.
func bigSize(r *rand.Rand) int {
	if r.IntN(20) == 0 {
		return 16384*(1+r.IntN(9)) + r.IntN(3) - 1
	}
	return 300
}

func TestRoundTripLengthsAndLists(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 3000 {
		c, n := randSize(r, bigSize(r))
		if !c.inRoot(n) && !c.Extensible {
			continue
		}
		items := make([]int64, n)
		for j := range items {
			items[j] = int64(r.IntN(8))
		}
		enc := func(v *int64, e *Encoder) error { return e.WriteConstrainedWholeNumber(*v, 0, 7) }
		dec := func(v *int64, d *Decoder) (err error) { *v, err = d.ReadConstrainedWholeNumber(0, 7); return err }
		name := fmt.Sprintf("#%d %d items in %s", i, n, c)
		roundTrip(t, name, r.IntN(8),
			func(e *Encoder) error { return EncodeSequenceOf(e, items, c, enc) },
			func(d *Decoder) error {
				got, err := DecodeSequenceOf(d, c, 3, dec)
				if err == nil && !slices.Equal(got, items) {
					err = fmt.Errorf("got %d items, want %d", len(got), n)
				}
				return err
			})
	}
}

func TestRoundTripStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 3000 {
		lead := r.IntN(8)
		// OCTET STRING
		c, n := randSize(r, bigSize(r))
		if c.inRoot(n) || c.Extensible {
			p := make([]byte, n)
			for j := range p {
				p[j] = byte(r.Uint32())
			}
			roundTrip(t, fmt.Sprintf("#%d octets %d %s", i, n, c), lead,
				func(e *Encoder) error { return e.WriteOctetString(p, c) },
				func(d *Decoder) error {
					got, err := d.ReadOctetString(c)
					if err == nil && !bytes.Equal(got, p) {
						err = fmt.Errorf("got %d octets, want %d", len(got), n)
					}
					return err
				})
		}
		// BIT STRING
		c, n = randSize(r, bigSize(r)*3)
		if c.inRoot(n) || c.Extensible {
			b := patternBits(n)
			roundTrip(t, fmt.Sprintf("#%d bits %d %s", i, n, c), lead,
				func(e *Encoder) error { return e.WriteBitString(b, c) },
				func(d *Decoder) error {
					got, err := d.ReadBitString(c)
					if err == nil && (got.BitLength != n || !bytes.Equal(got.Bytes, b.Bytes)) {
						err = fmt.Errorf("got %d bits, want %d", got.BitLength, n)
					}
					return err
				})
		}
		// Known-multiplier string over a random alphabet.
		kind := []StringKind{IA5String, NumericString, PrintableString, VisibleString, BMPString}[r.IntN(5)]
		full := map[StringKind][]rune{
			IA5String: runesIn(0, 127), NumericString: []rune(numericChars),
			PrintableString: []rune(printableChars), VisibleString: runesIn(32, 126),
			BMPString: append(runesIn(0, 300), 0x4e00, 0x20ac, 0xd7ff, 0xe000, 0xfffd, 0xffff),
		}[kind]
		chars := full
		from := ""
		if r.IntN(2) == 0 {
			k := 1 + r.IntN(min(len(full), 40))
			chars = nil
			for _, j := range r.Perm(len(full))[:k] {
				chars = append(chars, full[j])
			}
			from = string(chars)
		}
		a, err := NewAlphabet(kind, from)
		if err != nil {
			t.Fatal(err)
		}
		c, n = randSize(r, bigSize(r))
		if c.inRoot(n) || c.Extensible {
			s := make([]rune, n)
			for j := range s {
				s[j] = chars[r.IntN(len(chars))]
			}
			str := string(s)
			roundTrip(t, fmt.Sprintf("#%d %s FROM %d chars, %d chars %s", i, kind, len(chars), n, c), lead,
				func(e *Encoder) error { return e.WriteString(str, a, c) },
				func(d *Decoder) error {
					got, err := d.ReadString(a, c)
					if err == nil && got != str {
						err = fmt.Errorf("got %q, want %q", short(got), short(str))
					}
					return err
				})
		}
	}
}

func TestRoundTripOIDsAndBitmaps(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 5000 {
		o := OID{uint32(r.IntN(3)), 0}
		if o[0] < 2 {
			o[1] = uint32(r.IntN(40))
		} else {
			o[1] = r.Uint32()
		}
		for range r.IntN(12) {
			o = append(o, r.Uint32()>>uint(r.IntN(32)))
		}
		var bm ExtensionBitmap
		bm.SetLen(1 + r.IntN(MaxExtensionAdditions))
		for j := range bm.Len() {
			if r.IntN(3) == 0 {
				bm.Set(j)
			}
		}
		roundTrip(t, fmt.Sprintf("#%d %s", i, o), r.IntN(8),
			func(e *Encoder) error {
				if err := e.WriteOID(o); err != nil {
					return err
				}
				return e.WriteExtensionBitmap(&bm)
			},
			func(d *Decoder) error {
				got, err := d.ReadOID()
				if err != nil {
					return err
				}
				if !got.Equal(o) {
					return mismatch(got, o)
				}
				var gb ExtensionBitmap
				if err := d.ReadExtensionBitmap(&gb); err != nil {
					return err
				}
				if gb != bm {
					return mismatch(gb, bm)
				}
				return nil
			})
	}
}
