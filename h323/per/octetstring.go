package per

import "slices"

// WriteOctetString writes an OCTET STRING under size constraint c (X.691
// §17): no length for a fixed size below 64K (unaligned up to 2 octets,
// aligned above), otherwise a length determinant and the octets, aligned.
func (e *Encoder) WriteOctetString(p []byte, c SizeConstraint) error {
	n := len(p)
	s, err := e.writeSize("octet string", n, c)
	if err != nil {
		return err
	}
	if !s.hasLen {
		if n > 2 {
			e.Align()
		}
		e.WriteOctets(p)
		return nil
	}
	off := 0
	for {
		if contentAligned(s) {
			e.Align()
		}
		e.WriteOctets(p[off : off+s.k])
		off += s.k
		if !s.more {
			return nil
		}
		s.k, s.more = e.WriteLengthNext(n - off)
	}
}

// ReadOctetString reads an OCTET STRING written by WriteOctetString into a
// new slice.
func (d *Decoder) ReadOctetString(c SizeConstraint) ([]byte, error) {
	return d.AppendOctetString(nil, c)
}

// ReadOctetStringInto is ReadOctetString storing the octets in *dst,
// reusing its capacity: decoding into a value that was decoded before does
// not allocate when the new string fits. An empty string leaves *dst nil,
// as ReadOctetString returns it. On failure the length of *dst is
// unchanged but its octets are unspecified.
func (d *Decoder) ReadOctetStringInto(dst *[]byte, c SizeConstraint) error {
	b, err := d.AppendOctetString((*dst)[:0], c)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		b = nil
	}
	*dst = b
	return nil
}

// AppendOctetString reads an OCTET STRING written by WriteOctetString and
// appends its octets to dst, so that a caller can reuse a buffer.
func (d *Decoder) AppendOctetString(dst []byte, c SizeConstraint) ([]byte, error) {
	const op = "octet string"
	start := d.pos
	s, err := d.readSize(op, c, 8)
	if err != nil {
		return dst, err
	}
	for {
		if (s.hasLen && contentAligned(s)) || (!s.hasLen && s.k > 2) {
			if err := d.Align(); err != nil {
				return dst, d.failAt(op, start, ErrTruncated)
			}
		}
		if s.k*8 > d.end-d.pos {
			return dst, d.failAt(op, start, ErrTruncated)
		}
		at := len(dst)
		dst = slices.Grow(dst, s.k)[:at+s.k]
		d.octets(dst[at:])
		if !s.more {
			return dst, nil
		}
		s.k, s.more, err = d.ReadLengthNext(8)
		if err != nil {
			return dst, err
		}
	}
}
