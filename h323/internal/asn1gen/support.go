package main

// supportSource is the body of the support file generated into every
// package: the Extensions type, error constructors and the BMPString codec.
const supportSource = `
// Extensions keeps what a decoder read beyond the extension additions of a
// SEQUENCE that this package knows, so that a decoded value re-encodes byte
// for byte. Leave it zero when building a value.
type Extensions struct {
	// Unknown holds the present extension additions unknown to this
	// version, in ascending Index order.
	Unknown []per.RawExtension
	// Len is the length of the extension bitmap as received when it
	// differs from the number of additions this version knows (X.691 has
	// encoders send one bit per addition of their own version; some stacks
	// trim absent trailing additions). 0 means the known number.
	Len int
}

// wrapErr prefixes err with the ASN.1 name of the component being coded.
func wrapErr(component string, err error) error {
	return fmt.Errorf("%s: %w", component, err)
}

func errNoChoice(c int) error {
	return &per.EncodeError{Op: "CHOICE", Detail: fmt.Sprintf("no known alternative %d", c), Err: per.ErrConstraint}
}

func errNoValue(alt string) error {
	return &per.EncodeError{Op: "CHOICE", Detail: "alternative " + alt + " has no value", Err: per.ErrConstraint}
}

func errUnknownIndex(i int) error {
	return &per.EncodeError{Op: "SEQUENCE", Detail: fmt.Sprintf("unknown extension index %d is known or out of order", i), Err: per.ErrConstraint}
}

func errGroupMember(name string) error {
	return &per.EncodeError{Op: "SEQUENCE", Detail: "mandatory " + name + " missing from its extension addition group", Err: per.ErrConstraint}
}

// writeBMPString writes a BMPString without a permitted-alphabet constraint
// (X.691 30.5: 16 bits per character). s is UTF-8; characters above U+FFFF
// are written as UTF-16 surrogate pairs, and a lone surrogate that a
// decoder kept as its three-byte form is written back as that code unit,
// so that decoded strings re-encode exactly.
func writeBMPString(e *per.Encoder, s string, c per.SizeConstraint) error {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	n := len(s) // code units
	if !ascii {
		n = 0
		for i := 0; i < len(s); {
			r, size, ok := nextBMPUnit(s[i:])
			if !ok {
				return &per.EncodeError{Op: "BMPString", Detail: fmt.Sprintf("invalid UTF-8 at byte %d", i), Err: per.ErrConstraint}
			}
			if r > 0xffff {
				n += 2
			} else {
				n++
			}
			i += size
		}
	}
	outside := c.Extensible && (n < c.Lb || (c.HasUb && n > c.Ub))
	if c.Extensible {
		e.WriteBit(outside)
		c.Extensible = false
	}
	var k int
	var more bool
	if outside {
		k, more = e.WriteLengthNext(n)
	} else {
		var err error
		if k, more, err = e.WriteLength(n, c); err != nil {
			return err
		}
	}
	fixed := !outside && c.HasUb && c.Lb == c.Ub && c.Ub < 65536
	aligned := outside || !c.HasUb || c.Ub*16 > 16
	if fixed {
		aligned = n*16 > 16
	}
	var pending uint16 // the low half of a surrogate pair still to write
	for i := 0; ; {
		if aligned {
			e.Align()
		}
		if ascii {
			// One code unit per octet of s, three units per write.
			w := 0
			for ; w+3 <= k; w += 3 {
				e.WriteBits(uint64(s[i])<<32|uint64(s[i+1])<<16|uint64(s[i+2]), 48)
				i += 3
			}
			for ; w < k; w++ {
				e.WriteBits(uint64(s[i]), 16)
				i++
			}
		}
		for w := 0; !ascii && w < k; w++ {
			if pending != 0 {
				e.WriteBits(uint64(pending), 16)
				pending = 0
				continue
			}
			r, size, _ := nextBMPUnit(s[i:])
			i += size
			if r > 0xffff {
				r -= 0x10000
				e.WriteBits(uint64(0xd800+(r>>10)), 16)
				pending = uint16(0xdc00 + r&0x3ff)
				continue
			}
			e.WriteBits(uint64(r), 16)
		}
		if !more {
			return nil
		}
		n -= k
		k, more = e.WriteLengthNext(n)
	}
}

// nextBMPUnit decodes the first character of s: a UTF-8 rune, or the
// three-byte form of a surrogate code unit (0xD800-0xDFFF).
func nextBMPUnit(s string) (rune, int, bool) {
	if len(s) >= 3 && s[0] == 0xed && s[1] >= 0xa0 && s[1] <= 0xbf && s[2]&0xc0 == 0x80 {
		return rune(0xd000 | rune(s[1]&0x3f)<<6 | rune(s[2]&0x3f)), 3, true
	}
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		return r, size, false
	}
	return r, size, true
}

// readBMPString reads a BMPString written by writeBMPString into *dst,
// which is kept when it already holds the decoded string. Surrogate pairs
// become one character; a lone surrogate is kept in its three-byte form so
// that the string re-encodes exactly. On failure *dst is unchanged.
func readBMPString(d *per.Decoder, dst *string, c per.SizeConstraint) error {
	outside := false
	if c.Extensible {
		bit, err := d.ReadBit()
		if err != nil {
			return err
		}
		outside = bit
		c.Extensible = false
	}
	var n int
	var more bool
	var err error
	if outside {
		n, more, err = d.ReadLengthNext(16)
	} else {
		n, more, err = d.ReadLength(c, 16)
	}
	if err != nil {
		return err
	}
	fixed := !outside && c.HasUb && c.Lb == c.Ub && c.Ub < 65536
	aligned := outside || !c.HasUb || c.Ub*16 > 16
	if fixed {
		aligned = n*16 > 16
	}
	var stack [128]byte
	buf := stack[:0]
	var high uint16
	for {
		if aligned {
			if err := d.Align(); err != nil {
				return err
			}
		}
		if n*16 > d.BitsLeft() {
			return &per.DecodeError{Op: "BMPString", Bit: d.BitPos(), Err: per.ErrTruncated}
		}
		if len(buf)+3*n > cap(buf) {
			buf = slices.Grow(buf, 3*n)
		}
		var word uint64 // up to three code units read at once
		for j := range n {
			if j%3 == 0 {
				k := min(3, n-j)
				if word, err = d.ReadBits(16 * k); err != nil {
					return err
				}
				word <<= 16 * uint(3-k)
			}
			unit := uint16(word >> 32)
			word <<= 16
			switch {
			case unit < 0x80 && high == 0:
				buf = append(buf, byte(unit))
				continue
			case unit >= 0xdc00 && unit <= 0xdfff && high != 0:
				buf = utf8.AppendRune(buf, 0x10000+(rune(high)-0xd800)<<10+(rune(unit)-0xdc00))
				high = 0
				continue
			case high != 0:
				buf = appendBMPUnit(buf, high)
				high = 0
			}
			if unit >= 0xd800 && unit <= 0xdbff {
				high = unit
				continue
			}
			buf = appendBMPUnit(buf, unit)
		}
		if !more {
			break
		}
		if n, more, err = d.ReadLengthNext(16); err != nil {
			return err
		}
	}
	if high != 0 {
		buf = appendBMPUnit(buf, high)
	}
	if string(buf) != *dst {
		*dst = string(buf)
	}
	return nil
}

// appendBMPUnit appends one code unit: a character, or a lone surrogate
// in its three-byte form.
func appendBMPUnit(buf []byte, u uint16) []byte {
	if u >= 0xd800 && u <= 0xdfff {
		return append(buf, 0xed, byte(0x80|(u>>6)&0x3f), byte(0x80|u&0x3f))
	}
	return utf8.AppendRune(buf, rune(u))
}
`
