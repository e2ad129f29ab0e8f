package per

// Encoder writes an aligned-PER bit stream into a growable buffer.
//
// The zero value is ready to use. Reset empties it while keeping its
// buffer, so an Encoder reused for message after message does not
// allocate once its buffer has grown to the largest message. An Encoder
// is not safe for concurrent use.
type Encoder struct {
	buf   []byte // octets written; the last one may be partial
	nbits int    // bits written
	child *Encoder
}

// NewEncoder returns an Encoder that appends to buf[:0], reusing its
// capacity.
func NewEncoder(buf []byte) *Encoder {
	return &Encoder{buf: buf[:0]}
}

// Reset empties the Encoder, keeping its buffer for reuse.
func (e *Encoder) Reset() {
	e.buf = e.buf[:0]
	e.nbits = 0
}

// BitLen returns the number of bits written so far.
func (e *Encoder) BitLen() int { return e.nbits }

// Bytes returns the complete encoding written so far: the bits padded with
// zero bits to a whole octet, or the single octet 0x00 when nothing was
// written (X.691 §10.1.3). The slice aliases the Encoder's buffer and is
// valid until the next write or Reset.
func (e *Encoder) Bytes() []byte {
	if e.nbits == 0 {
		// Keep the octet outside the written length, so that the next
		// write overwrites it.
		if cap(e.buf) == 0 {
			e.buf = make([]byte, 0, 64)
		}
		b := e.buf[:1]
		b[0] = 0
		return b
	}
	return e.buf
}

// Align pads with zero bits to the next octet boundary.
func (e *Encoder) Align() {
	e.nbits = len(e.buf) * 8
}

// aligned reports whether the next bit starts an octet.
func (e *Encoder) aligned() bool { return e.nbits&7 == 0 }

// WriteBit writes one bit: 1 for true. It writes BOOLEAN values, the
// extension bit of extensible types and the presence bits of OPTIONAL and
// DEFAULT components.
func (e *Encoder) WriteBit(b bool) {
	var v uint64
	if b {
		v = 1
	}
	e.WriteBits(v, 1)
}

// WriteBool writes a BOOLEAN (X.691 §11): one bit.
func (e *Encoder) WriteBool(b bool) { e.WriteBit(b) }

// WriteBits writes the n low-order bits of v, most significant first.
// n must be between 0 and 64; bits of v above n are ignored.
func (e *Encoder) WriteBits(v uint64, n int) {
	if n <= 0 {
		return
	}
	if n > 64 {
		n = 64
	}
	if n < 64 {
		v &= 1<<uint(n) - 1
	}
	if used := e.nbits & 7; used != 0 {
		free := 8 - used
		last := len(e.buf) - 1
		if n <= free {
			e.buf[last] |= byte(v << uint(free-n))
			e.nbits += n
			return
		}
		e.buf[last] |= byte(v >> uint(n-free))
		n -= free
		e.nbits += free
	}
	for n >= 8 {
		n -= 8
		e.buf = append(e.buf, byte(v>>uint(n)))
		e.nbits += 8
	}
	if n > 0 {
		e.buf = append(e.buf, byte(v<<uint(8-n)))
		e.nbits += n
	}
}

// WriteOctets writes the octets of p at the current bit position, without
// aligning first.
func (e *Encoder) WriteOctets(p []byte) {
	if e.aligned() {
		e.buf = append(e.buf, p...)
		e.nbits += len(p) * 8
		return
	}
	for _, b := range p {
		e.WriteBits(uint64(b), 8)
	}
}

// WriteBitField writes the first n bits of p (most significant bit of p[0]
// first) at the current bit position, without aligning first.
func (e *Encoder) WriteBitField(p []byte, n int) {
	whole := n / 8
	if whole > len(p) {
		whole = len(p)
	}
	e.WriteOctets(p[:whole])
	if rem := n - whole*8; rem > 0 && whole < len(p) {
		e.WriteBits(uint64(p[whole]>>uint(8-rem)), rem)
	}
}
