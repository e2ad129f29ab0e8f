package per

import "slices"

// BitString is a BIT STRING value: BitLength bits, the first in the most
// significant bit of Bytes[0]. Bits of the last octet beyond BitLength are
// ignored on encode and zero on decode.
type BitString struct {
	Bytes     []byte
	BitLength int
}

// At returns bit i (0 or 1), or 0 when i is out of range.
func (b BitString) At(i int) int {
	if i < 0 || i >= b.BitLength || i/8 >= len(b.Bytes) {
		return 0
	}
	return int(b.Bytes[i/8]>>(7-uint(i%8))) & 1
}

// contentAligned reports whether the contents of a sized list start on an
// octet boundary when a length determinant precedes them. A constrained
// length is a bit-field; the contents that follow it are octet-aligned in
// the ALIGNED variant (X.691 §16.11, §17.8), unless they are empty.
func contentAligned(s sizing) bool { return s.k > 0 }

// WriteBitString writes a BIT STRING under size constraint c (X.691 §16):
// no length for a fixed size below 64K (the bits unaligned up to 16 bits,
// aligned above), otherwise a length determinant and the bits, aligned.
// Trailing zero bits of a string with named bits are the caller's to trim.
func (e *Encoder) WriteBitString(b BitString, c SizeConstraint) error {
	n := b.BitLength
	if n < 0 || (n+7)/8 > len(b.Bytes) {
		return encodeErr("bit string", ErrConstraint, "%d bits in %d octets", n, len(b.Bytes))
	}
	s, err := e.writeSize("bit string", n, c)
	if err != nil {
		return err
	}
	if !s.hasLen {
		if n > 16 {
			e.Align()
		}
		e.WriteBitField(b.Bytes, n)
		return nil
	}
	off := 0
	for {
		if contentAligned(s) {
			e.Align()
		}
		e.WriteBitField(b.Bytes[off/8:], s.k)
		off += s.k
		if !s.more {
			return nil
		}
		s.k, s.more = e.WriteLengthNext(n - off)
	}
}

// ReadBitString reads a BIT STRING written by WriteBitString into a new
// slice (nil for an empty string).
func (d *Decoder) ReadBitString(c SizeConstraint) (BitString, error) {
	var b BitString
	err := d.ReadBitStringInto(&b, c)
	return b, err
}

// ReadBitStringInto is ReadBitString storing the string in *dst, reusing
// the capacity of dst.Bytes. On failure the length of dst.Bytes is
// unchanged but its octets are unspecified.
func (d *Decoder) ReadBitStringInto(dst *BitString, c SizeConstraint) error {
	const op = "bit string"
	start := d.pos
	s, err := d.readSize(op, c, 1)
	if err != nil {
		return err
	}
	out := dst.Bytes[:0]
	total := 0
	for {
		if (s.hasLen && contentAligned(s)) || (!s.hasLen && s.k > 16) {
			if err := d.Align(); err != nil {
				return d.failAt(op, start, ErrTruncated)
			}
		}
		if s.k > d.end-d.pos {
			return d.failAt(op, start, ErrTruncated)
		}
		// Fragments hold multiples of 16K bits, so total is a multiple
		// of 8 whenever another fragment follows.
		out = slices.Grow(out, (s.k+7)/8)[:len(out)+(s.k+7)/8]
		d.bitField(out[total/8:], s.k)
		total += s.k
		if !s.more {
			break
		}
		s.k, s.more, err = d.ReadLengthNext(1)
		if err != nil {
			return err
		}
	}
	if len(out) == 0 {
		out = nil
	}
	*dst = BitString{Bytes: out, BitLength: total}
	return nil
}
