package per

import (
	"math"
	"math/bits"
)

// octetsFor returns the number of octets of the minimal non-negative
// binary integer encoding of v (at least 1).
func octetsFor(v uint64) int {
	if v == 0 {
		return 1
	}
	return (bits.Len64(v) + 7) / 8
}

// signedOctetsFor returns the number of octets of the minimal 2's
// complement encoding of v (at least 1).
func signedOctetsFor(v int64) int {
	if v < 0 {
		v = ^v
	}
	return bits.Len64(uint64(v))/8 + 1
}

// writeConstrained writes off, known to be in 0..rng, as a constrained
// whole number whose range is rng+1 (X.691 §10.5.7, aligned variant).
func (e *Encoder) writeConstrained(off, rng uint64) {
	switch {
	case rng == 0: // range 1: empty
	case rng < 255: // range <= 255: the bit-field case
		e.put(off, bits.Len64(rng))
	case rng == 255: // range 256: the one-octet case
		e.Align()
		e.put(off, 8)
	case rng < 65536: // range <= 64K: the two-octet case
		e.Align()
		e.put(off, 16)
	default: // the indefinite length case
		n := octetsFor(off)
		e.put(uint64(n-1), bits.Len64(uint64(octetsFor(rng)-1)))
		e.Align()
		e.WriteBits(off, n*8)
	}
}

// WriteConstrainedWholeNumber writes v in lb..ub as a constrained whole
// number (X.691 §10.5.7): nothing for a range of 1, a minimal bit-field for
// a range up to 255, one aligned octet for 256, two aligned octets up to
// 64K, and otherwise a bit-field length (1..octets of the range) followed
// by the minimal aligned octets of v-lb.
func (e *Encoder) WriteConstrainedWholeNumber(v, lb, ub int64) error {
	if lb > ub || v < lb || v > ub {
		return encodeErr("constrained whole number", ErrConstraint, "%d not in %d..%d", v, lb, ub)
	}
	off, rng := uint64(v)-uint64(lb), uint64(ub)-uint64(lb)
	if rng < 255 {
		// The bit-field case, into the accumulator (put, inlined).
		n := bits.Len64(rng)
		if m := e.accN + n; m < 64 {
			e.acc = e.acc<<uint(n) | off
			e.accN = m
		} else {
			e.putFlushed(off, n)
		}
		return nil
	}
	e.writeConstrained(off, rng)
	return nil
}

// WriteSemiConstrainedWholeNumber writes v >= lb as a semi-constrained
// whole number (X.691 §10.7): an unconstrained length, then the minimal
// aligned octets of v-lb.
func (e *Encoder) WriteSemiConstrainedWholeNumber(v, lb int64) error {
	if v < lb {
		return encodeErr("semi-constrained whole number", ErrConstraint, "%d < %d", v, lb)
	}
	e.writeSemi(uint64(v) - uint64(lb))
	return nil
}

// writeSemi writes off as a semi-constrained whole number.
func (e *Encoder) writeSemi(off uint64) {
	n := octetsFor(off)
	e.Align()
	e.WriteBits(uint64(n), 8)
	e.WriteBits(off, n*8)
}

// WriteUnconstrainedWholeNumber writes v as an unconstrained whole number
// (X.691 §10.8): an unconstrained length, then the minimal aligned 2's
// complement octets of v.
func (e *Encoder) WriteUnconstrainedWholeNumber(v int64) {
	n := signedOctetsFor(v)
	e.Align()
	e.WriteBits(uint64(n), 8)
	e.WriteBits(uint64(v), n*8)
}

// WriteNormallySmallNonNegative writes n >= 0 as a normally small
// non-negative whole number (X.691 §10.6): a 0 bit and 6 bits when n < 64,
// else a 1 bit and a semi-constrained whole number. It carries the index
// of a CHOICE extension alternative and of an ENUMERATED extension value.
func (e *Encoder) WriteNormallySmallNonNegative(n int) error {
	if n < 0 {
		return encodeErr("normally small number", ErrConstraint, "%d < 0", n)
	}
	if n < 64 {
		e.WriteBits(uint64(n), 7)
		return nil
	}
	e.WriteBit(true)
	e.writeSemi(uint64(n))
	return nil
}

// WriteInteger writes an INTEGER with its effective constraint (X.691
// §12): an extension bit when c is extensible (1 and an unconstrained
// whole number when v is outside the root), then a constrained,
// semi-constrained or unconstrained whole number as c's bounds dictate.
func (e *Encoder) WriteInteger(v int64, c IntConstraint) error {
	if c.Extensible {
		if !c.inRoot(v) {
			e.WriteBit(true)
			e.WriteUnconstrainedWholeNumber(v)
			return nil
		}
		e.WriteBit(false)
	} else if !c.inRoot(v) {
		return encodeErr("integer", ErrConstraint, "%d outside %s", v, c)
	}
	switch {
	case c.constrained():
		return e.WriteConstrainedWholeNumber(v, c.Lb, c.Ub)
	case c.HasLb:
		return e.WriteSemiConstrainedWholeNumber(v, c.Lb)
	}
	e.WriteUnconstrainedWholeNumber(v)
	return nil
}

// readConstrained reads a constrained whole number offset in 0..rng.
func (d *Decoder) readConstrained(op string, rng uint64) (uint64, error) {
	start := d.pos
	switch {
	case rng < 255:
		// The bit-field case.
		if n := bits.Len64(rng); n <= d.end-d.pos {
			if off := d.bits(n); off <= rng {
				return off, nil
			}
		}
	case rng < 65536:
		// One or two aligned octets.
		d.pos = (d.pos + 7) &^ 7
		n := 8
		if rng > 255 {
			n = 16
		}
		if n <= d.end-d.pos {
			if off := d.bits(n); off <= rng {
				return off, nil
			}
		}
	}
	d.pos = start
	return d.readConstrainedSlow(op, rng)
}

// readConstrainedSlow is readConstrained for ranges above 64K (a length
// and up to eight octets) and for failures.
func (d *Decoder) readConstrainedSlow(op string, rng uint64) (uint64, error) {
	start := d.pos
	var off uint64
	switch {
	case rng == 0:
		return 0, nil
	case rng < 255:
		n := bits.Len64(rng)
		if n > d.end-d.pos {
			return 0, d.fail(op, ErrTruncated)
		}
		off = d.bits(n)
	case rng < 65536:
		n := 8
		if rng > 255 {
			n = 16
		}
		if err := d.Align(); err != nil {
			return 0, d.failAt(op, start, ErrTruncated)
		}
		if n > d.end-d.pos {
			return 0, d.failAt(op, start, ErrTruncated)
		}
		off = d.bits(n)
	default:
		lbits := bits.Len64(uint64(octetsFor(rng) - 1))
		if lbits > d.end-d.pos {
			return 0, d.fail(op, ErrTruncated)
		}
		n := int(d.bits(lbits)) + 1
		if n > octetsFor(rng) {
			return 0, d.failAt(op, start, ErrMalformed)
		}
		if err := d.Align(); err != nil || n*8 > d.end-d.pos {
			return 0, d.failAt(op, start, ErrTruncated)
		}
		off = d.wideBits(n * 8)
	}
	if off > rng {
		return 0, d.failAt(op, start, ErrConstraint)
	}
	return off, nil
}

// ReadConstrainedWholeNumber reads a constrained whole number in lb..ub
// (X.691 §10.5.7).
func (d *Decoder) ReadConstrainedWholeNumber(lb, ub int64) (int64, error) {
	rng := uint64(ub) - uint64(lb)
	if lb <= ub {
		start := d.pos
		n := bits.Len64(rng)
		if rng >= 255 && rng < 65536 {
			// One or two aligned octets.
			d.pos = (d.pos + 7) &^ 7
			n = 8
			if rng > 255 {
				n = 16
			}
		}
		if rng < 65536 && n <= d.end-d.pos {
			if off := d.bits(n); off <= rng {
				return int64(uint64(lb) + off), nil
			}
		}
		d.pos = start
	}
	if lb > ub {
		return 0, d.fail("constrained whole number", ErrUnsupported)
	}
	off, err := d.readConstrained("constrained whole number", rng)
	if err != nil {
		return 0, err
	}
	return int64(uint64(lb) + off), nil
}

// readOctetCount reads the unconstrained length that precedes the octets
// of a semi-constrained or unconstrained whole number, and checks that
// that many octets remain.
func (d *Decoder) readOctetCount(op string) (int, error) {
	start := d.pos
	if err := d.Align(); err != nil || d.end-d.pos < 8 {
		return 0, d.failAt(op, start, ErrTruncated)
	}
	first := d.bits(8)
	var n int
	switch {
	case first&0x80 == 0:
		n = int(first)
	case first&0x40 == 0:
		if d.end-d.pos < 8 {
			return 0, d.failAt(op, start, ErrTruncated)
		}
		n = int(first&0x3f)<<8 | int(d.bits(8))
	default: // a fragmented length: no whole number fits 16K octets
		return 0, d.failAt(op, start, ErrUnsupported)
	}
	if n == 0 {
		return 0, d.failAt(op, start, ErrMalformed)
	}
	if n*8 > d.end-d.pos {
		return 0, d.failAt(op, start, ErrTruncated)
	}
	return n, nil
}

// ReadSemiConstrainedWholeNumber reads a semi-constrained whole number
// with lower bound lb (X.691 §10.7).
func (d *Decoder) ReadSemiConstrainedWholeNumber(lb int64) (int64, error) {
	const op = "semi-constrained whole number"
	start := d.pos
	off, err := d.readSemi(op)
	if err != nil {
		return 0, err
	}
	if off > uint64(math.MaxInt64)-uint64(lb) {
		return 0, d.failAt(op, start, ErrUnsupported)
	}
	return int64(uint64(lb) + off), nil
}

// readSemi reads the non-negative offset of a semi-constrained whole
// number.
func (d *Decoder) readSemi(op string) (uint64, error) {
	start := d.pos
	n, err := d.readOctetCount(op)
	if err != nil {
		return 0, err
	}
	var off uint64
	for ; n > 8; n-- {
		if d.bits(8) != 0 {
			return 0, d.failAt(op, start, ErrUnsupported)
		}
	}
	off = d.wideBits(n * 8)
	return off, nil
}

// ReadUnconstrainedWholeNumber reads an unconstrained whole number (X.691
// §10.8).
func (d *Decoder) ReadUnconstrainedWholeNumber() (int64, error) {
	const op = "unconstrained whole number"
	start := d.pos
	n, err := d.readOctetCount(op)
	if err != nil {
		return 0, err
	}
	if n > 8 {
		return 0, d.failAt(op, start, ErrUnsupported)
	}
	v := d.wideBits(n * 8)
	if shift := uint(64 - n*8); shift < 64 {
		return int64(v<<shift) >> shift, nil // sign-extend
	}
	return int64(v), nil
}

// ReadNormallySmallNonNegative reads a normally small non-negative whole
// number (X.691 §10.6).
func (d *Decoder) ReadNormallySmallNonNegative() (int, error) {
	const op = "normally small number"
	start := d.pos
	if d.end-d.pos < 7 {
		return 0, d.fail(op, ErrTruncated)
	}
	if !d.nextBit() {
		return int(d.bits(6)), nil
	}
	off, err := d.readSemi(op)
	if err != nil {
		return 0, err
	}
	if off > math.MaxInt32 {
		return 0, d.failAt(op, start, ErrUnsupported)
	}
	return int(off), nil
}

// nextBit reads one bit known to be present.
func (d *Decoder) nextBit() bool { return d.bits(1) == 1 }

// ReadInteger reads an INTEGER with its effective constraint (X.691 §12).
func (d *Decoder) ReadInteger(c IntConstraint) (int64, error) {
	if c.Extensible {
		ext, err := d.ReadBit()
		if err != nil {
			return 0, err
		}
		if ext {
			return d.ReadUnconstrainedWholeNumber()
		}
	}
	switch {
	case c.constrained():
		return d.ReadConstrainedWholeNumber(c.Lb, c.Ub)
	case c.HasLb:
		return d.ReadSemiConstrainedWholeNumber(c.Lb)
	}
	return d.ReadUnconstrainedWholeNumber()
}
