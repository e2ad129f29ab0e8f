package per

import "math/bits"

// Fragment sizes of X.691 §10.9.3.8: a length of 16K items or more is sent
// as fragments of 16K, 32K, 48K or 64K items, each behind a one-octet
// length, and ends with a length determinant for the remainder (possibly 0).
const (
	fragmentUnit = 16384
	maxFragments = 4
)

// WriteLength writes the length determinant of a list of n items (bits,
// octets, characters or components) under constraint c (X.691 §10.9), and
// returns how many of those items the caller must write next (k) and
// whether another length determinant must follow them (more). Unless n is
// at least 16K and the length is not constrained below 64K, k is n and
// more is false. When more is true the caller writes the k items and then
// calls WriteLengthNext with the items that remain, until more is false.
//
// Without an extension marker nothing is written for a fixed size below
// 64K; a length below 64K is a constrained whole number; anything else is
// an unconstrained length. With an extension marker, an extension bit
// comes first, and a length outside the root is unconstrained.
func (e *Encoder) WriteLength(n int, c SizeConstraint) (k int, more bool, err error) {
	if !c.Extensible && n >= c.Lb {
		switch {
		case c.HasUb && n <= c.Ub && c.Ub-c.Lb < 255:
			// A bit-field (nothing for a fixed size).
			e.put(uint64(n-c.Lb), bits.Len64(uint64(c.Ub-c.Lb)))
			return n, false, nil
		case !c.HasUb && n < 128:
			e.Align()
			e.put(uint64(n), 8)
			return n, false, nil
		}
	}
	s, err := e.writeSize("length", n, c)
	return s.k, s.more, err
}

// sizing describes how writeSize or readSize laid out a length.
type sizing struct {
	k, n    int  // items in this fragment; items in all (n known when !more)
	more    bool // another length determinant follows the k items
	hasLen  bool // a length determinant was written (else a fixed size)
	outside bool // the extension bit was 1: the size is outside the root
}

// writeSize writes the extension bit and length determinant of a list of
// n items under c.
func (e *Encoder) writeSize(op string, n int, c SizeConstraint) (sizing, error) {
	if n < 0 {
		return sizing{}, encodeErr(op, ErrConstraint, "negative length %d", n)
	}
	if c.Extensible {
		if !c.inRoot(n) {
			e.WriteBit(true)
			k, more := e.WriteLengthNext(n)
			return sizing{k: k, n: n, more: more, hasLen: true, outside: true}, nil
		}
		e.WriteBit(false)
	} else if !c.inRoot(n) {
		return sizing{}, encodeErr(op, ErrConstraint, "size %d outside %s", n, c)
	}
	if c.bounded64K() {
		if c.fixed() {
			return sizing{k: n, n: n}, nil
		}
		e.writeConstrained(uint64(n-c.Lb), uint64(c.Ub-c.Lb))
		return sizing{k: n, n: n, hasLen: true}, nil
	}
	k, more := e.WriteLengthNext(n)
	return sizing{k: k, n: n, more: more, hasLen: true}, nil
}

// WriteLengthNext writes an unconstrained length determinant (X.691
// §10.9.3.5-8) for n remaining items, aligned: one octet below 128, two
// octets below 16K, else a fragment header for the largest multiple of 16K
// (at most 64K) not above n. It returns the items to write next and
// whether another length determinant follows them.
func (e *Encoder) WriteLengthNext(n int) (k int, more bool) {
	e.Align()
	switch {
	case n < 128:
		e.WriteBits(uint64(n), 8)
		return n, false
	case n < fragmentUnit:
		e.WriteBits(0x8000|uint64(n), 16)
		return n, false
	}
	m := min(n/fragmentUnit, maxFragments)
	e.WriteBits(0xc0|uint64(m), 8)
	return m * fragmentUnit, true
}

// WriteNormallySmallLength writes n >= 1 as a normally small length
// (X.691 §10.9.3.4): a 0 bit and n-1 in 6 bits when n <= 64, else a 1 bit
// and an unconstrained length. It prefixes the extension-addition bitmap
// of a SEQUENCE or SET.
func (e *Encoder) WriteNormallySmallLength(n int) error {
	switch {
	case n < 1 || n >= fragmentUnit:
		return encodeErr("normally small length", ErrConstraint, "%d not in 1..16383", n)
	case n <= 64:
		e.WriteBits(uint64(n-1), 7)
	default:
		e.WriteBit(true)
		e.WriteLengthNext(n)
	}
	return nil
}

// checkItems fails with ErrTruncated when n items of at least minItemBits
// bits each cannot fit in the remaining input.
func (d *Decoder) checkItems(op string, start, n, minItemBits int) error {
	if !d.fits(n, minItemBits) {
		return d.failAt(op, start, ErrTruncated)
	}
	return nil
}

// fits reports whether n items of at least minItemBits bits each can be
// in the remaining input. Lengths are below 2^17 and minItemBits is
// checked against the remaining bits first, so the product does not
// overflow (and no division is needed).
func (d *Decoder) fits(n, minItemBits int) bool {
	rem := d.end - d.pos
	return minItemBits <= 0 || n <= 0 || (minItemBits <= rem && n < 1<<20 && n*minItemBits <= rem)
}

// ReadLength reads the length determinant written by WriteLength and
// returns the number of items that follow it (n) and whether another
// length determinant follows those items (more; then call ReadLengthNext).
// minItemBits is the fewest bits one item can take (8 for octets, 1 for
// bits, the bits per character of a string, the minimum encoding of a
// component); a length whose items cannot fit in the remaining input fails
// with ErrTruncated before the caller allocates anything.
func (d *Decoder) ReadLength(c SizeConstraint, minItemBits int) (n int, more bool, err error) {
	if !c.Extensible && c.HasUb && c.Lb >= 0 && c.Ub-c.Lb < 255 && c.Ub-c.Lb >= 0 {
		// A bit-field length, read without the general path when it
		// and its items fit.
		rng := uint64(c.Ub - c.Lb)
		if w := bits.Len64(rng); w <= d.end-d.pos {
			start := d.pos
			if off := d.bits(w); off <= rng {
				n := c.Lb + int(off)
				if d.fits(n, minItemBits) {
					return n, false, nil
				}
			}
			d.pos = start
		}
	}
	if !c.Extensible && (!c.HasUb || c.Ub >= 65536) {
		// An unconstrained length.
		start := d.pos
		n, more, err := d.ReadLengthNext(minItemBits)
		if err == nil && (more || c.inRoot(n)) {
			return n, more, nil
		}
		d.pos = start
	}
	s, err := d.readSize("length", c, minItemBits)
	return s.k, s.more, err
}

// readSize reads what writeSize writes.
func (d *Decoder) readSize(op string, c SizeConstraint, minItemBits int) (sizing, error) {
	start := d.pos
	if c.Extensible {
		ext, err := d.ReadBit()
		if err != nil {
			return sizing{}, err
		}
		if ext {
			k, more, err := d.ReadLengthNext(minItemBits)
			return sizing{k: k, n: k, more: more, hasLen: true, outside: true}, err
		}
	}
	if c.bounded64K() {
		if c.Lb > c.Ub || c.Lb < 0 {
			return sizing{}, d.fail(op, ErrUnsupported)
		}
		s := sizing{hasLen: !c.fixed()}
		off, err := d.readConstrained(op, uint64(c.Ub-c.Lb))
		if err != nil {
			return sizing{}, err
		}
		s.k = c.Lb + int(off)
		s.n = s.k
		if err := d.checkItems(op, start, s.k, minItemBits); err != nil {
			return sizing{}, err
		}
		return s, nil
	}
	k, more, err := d.ReadLengthNext(minItemBits)
	if err != nil {
		return sizing{}, err
	}
	if !more && !c.inRoot(k) {
		return sizing{}, d.failAt(op, start, ErrConstraint)
	}
	return sizing{k: k, n: k, more: more, hasLen: true}, nil
}

// ReadLengthNext reads an unconstrained length determinant (X.691
// §10.9.3.5-8): the next fragment's item count and whether another length
// determinant follows it.
func (d *Decoder) ReadLengthNext(minItemBits int) (n int, more bool, err error) {
	// The one-octet form, read from its octet.
	if p := (d.pos + 7) &^ 7; p+8 <= d.end {
		if first := d.buf[p>>3]; first < 0x80 {
			d.pos = p + 8
			if d.fits(int(first), minItemBits) {
				return int(first), false, nil
			}
			d.pos -= 8
		}
	}
	return d.readLengthNext(minItemBits)
}

// readLengthNext is ReadLengthNext for the two-octet and fragment forms
// and for failures.
func (d *Decoder) readLengthNext(minItemBits int) (n int, more bool, err error) {
	const op = "length"
	start := d.pos
	if err := d.Align(); err != nil || d.end-d.pos < 8 {
		return 0, false, d.failAt(op, start, ErrTruncated)
	}
	first := int(d.bits(8))
	switch {
	case first&0x80 == 0:
		n = first
	case first&0x40 == 0:
		if d.end-d.pos < 8 {
			return 0, false, d.failAt(op, start, ErrTruncated)
		}
		n = (first&0x3f)<<8 | int(d.bits(8))
	default:
		m := first & 0x3f
		if m < 1 || m > maxFragments {
			return 0, false, d.failAt(op, start, ErrMalformed)
		}
		n, more = m*fragmentUnit, true
	}
	if err := d.checkItems(op, start, n, minItemBits); err != nil {
		return 0, false, err
	}
	return n, more, nil
}

// ReadNormallySmallLength reads a normally small length (X.691
// §11.9.3.4); it fails when the remaining input holds fewer than n bits,
// since the length always counts bits of an extension bitmap.
//
// Above 64, X.691 sends a 1 bit and an unconstrained length (at least 65,
// so never the octet 0x01 or 0x02). The H.323 reference stack and
// Wireshark send instead a normally small non-negative whole number n-1:
// a 1 bit and a semi-constrained whole number, whose length octet is 0x01
// or 0x02. Both forms are accepted.
func (d *Decoder) ReadNormallySmallLength() (int, error) {
	const op = "normally small length"
	start := d.pos
	if d.end-d.pos < 7 {
		return 0, d.fail(op, ErrTruncated)
	}
	var n int
	if !d.nextBit() {
		n = int(d.bits(6)) + 1
	} else {
		if err := d.Align(); err != nil || d.end-d.pos < 8 {
			return 0, d.failAt(op, start, ErrTruncated)
		}
		if first := d.buf[d.pos>>3]; first == 1 || first == 2 {
			v, err := d.readSemi(op)
			if err != nil {
				return 0, err
			}
			if v >= uint64(d.end-d.pos) {
				return 0, d.failAt(op, start, ErrTruncated)
			}
			n = int(v) + 1
		} else {
			var more bool
			var err error
			n, more, err = d.ReadLengthNext(1)
			if err != nil {
				return 0, err
			}
			if more || n == 0 {
				return 0, d.failAt(op, start, ErrUnsupported)
			}
		}
	}
	if n > d.end-d.pos {
		return 0, d.failAt(op, start, ErrTruncated)
	}
	return n, nil
}
