package per

import "encoding/binary"

// Encoder writes an aligned-PER bit stream into a growable buffer.
//
// The zero value is ready to use. Reset empties it while keeping its
// buffer, so an Encoder reused for message after message does not
// allocate once its buffer has grown to the largest message. An Encoder
// is not safe for concurrent use.
type Encoder struct {
	// buf is used in full (len(buf) == cap(buf)); its first n octets
	// are written.
	buf []byte
	n   int
	// acc holds the bits written after those octets in its low accN bits
	// (0 to 63, or 64 after Align), most significant first: fields of a
	// few bits are gathered here and stored eight octets at a time.
	acc   uint64
	accN  int
	child *Encoder
}

// NewEncoder returns an Encoder that writes into buf's memory, reusing its
// capacity.
func NewEncoder(buf []byte) *Encoder {
	return &Encoder{buf: buf[:cap(buf)]}
}

// Reset empties the Encoder, keeping its buffer for reuse.
func (e *Encoder) Reset() {
	e.n = 0
	e.acc, e.accN = 0, 0
}

// BitLen returns the number of bits written so far.
func (e *Encoder) BitLen() int { return e.n*8 + e.accN }

// Bytes returns the complete encoding written so far: the bits padded with
// zero bits to a whole octet, or the single octet 0x00 when nothing was
// written (X.691 §10.1.3). The slice aliases the Encoder's buffer and is
// valid until the next write or Reset.
func (e *Encoder) Bytes() []byte {
	e.flush()
	if e.accN == 0 && e.n > 0 {
		return e.buf[:e.n]
	}
	// The last octet, partial or the 0x00 of an empty encoding, stays
	// outside the written length, so that the next write continues it.
	e.room(1)
	e.buf[e.n] = byte(e.acc << uint(8-e.accN))
	return e.buf[:e.n+1]
}

// flush moves the whole octets of the accumulator into buf, leaving at
// most 7 bits in it.
func (e *Encoder) flush() {
	k := e.accN >> 3
	if k == 0 {
		return
	}
	n := e.n
	if n+8 > len(e.buf) {
		e.grow(n + 8)
	}
	binary.BigEndian.PutUint64(e.buf[n:n+8], e.acc<<uint(64-e.accN))
	e.n = n + k
	e.accN &= 7
	e.acc &= 1<<uint(e.accN) - 1
}

// room makes buf hold at least k octets beyond the written ones.
func (e *Encoder) room(k int) {
	if e.n+k > len(e.buf) {
		e.grow(e.n + k)
	}
}

// grow makes buf hold at least n octets, keeping the written ones.
func (e *Encoder) grow(n int) {
	nb := make([]byte, max(n, 2*len(e.buf), 64))
	copy(nb, e.buf[:e.n])
	e.buf = nb
}

// octetBuf flushes an aligned Encoder, so that octets can be added to buf
// directly.
func (e *Encoder) octetBuf() {
	if e.accN != 0 {
		e.flush()
	}
}

// appendOctets adds p to the octets of an aligned, flushed Encoder.
func (e *Encoder) appendOctets(p []byte) {
	e.room(len(p))
	e.n += copy(e.buf[e.n:], p)
}

// appendString adds the octets of s to an aligned, flushed Encoder.
func (e *Encoder) appendString(s string) {
	e.room(len(s))
	e.n += copy(e.buf[e.n:], s)
}

// Align pads with zero bits to the next octet boundary.
func (e *Encoder) Align() {
	if r := e.accN & 7; r != 0 {
		e.acc <<= uint(8 - r)
		e.accN += 8 - r
	}
}

// aligned reports whether the next bit starts an octet.
func (e *Encoder) aligned() bool { return e.accN&7 == 0 }

// WriteBit writes one bit: 1 for true. It writes BOOLEAN values, the
// extension bit of extensible types and the presence bits of OPTIONAL and
// DEFAULT components.
func (e *Encoder) WriteBit(b bool) {
	var v uint64
	if b {
		v = 1
	}
	e.put(v, 1)
}

// WriteBool writes a BOOLEAN (X.691 §11): one bit.
func (e *Encoder) WriteBool(b bool) { e.WriteBit(b) }

// WriteBits writes the n low-order bits of v, most significant first.
// n must be between 0 and 64; bits of v above n are ignored.
func (e *Encoder) WriteBits(v uint64, n int) {
	if m := e.accN + n; uint(n) <= 56 && m < 64 {
		e.acc = e.acc<<uint(n) | v&(1<<uint(n)-1)
		e.accN = m
		return
	}
	e.writeBitsSlow(v, n)
}

// writeBitsSlow is WriteBits when the accumulator must be flushed first,
// or for fields of 0 or more than 56 bits.
func (e *Encoder) writeBitsSlow(v uint64, n int) {
	switch {
	case n <= 0:
	case n <= 56:
		e.putFlushed(v&(1<<uint(n)-1), n)
	default:
		n = min(n, 64)
		// Write the high bits first, then the low 32.
		e.put(v<<uint(64-n)>>uint(96-n), n-32)
		e.put(v&(1<<32-1), 32)
	}
}

// put writes the n (0 to 56) low-order bits of v, whose other bits are
// zero.
func (e *Encoder) put(v uint64, n int) {
	if m := e.accN + n; m < 64 {
		e.acc = e.acc<<uint(n&63) | v
		e.accN = m
		return
	}
	e.putFlushed(v, n)
}

// putFlushed is put when the accumulator is full: it stores its whole
// octets (flush, inlined) and then adds the n bits.
func (e *Encoder) putFlushed(v uint64, n int) {
	if k := e.accN >> 3; k > 0 {
		o := e.n
		if o+8 > len(e.buf) {
			e.grow(o + 8)
		}
		binary.BigEndian.PutUint64(e.buf[o:o+8], e.acc<<uint(64-e.accN))
		e.n = o + k
		e.accN &= 7
		e.acc &= 1<<uint(e.accN) - 1
	}
	e.acc = e.acc<<uint(n) | v
	e.accN += n
}

// WriteOctets writes the octets of p at the current bit position, without
// aligning first.
func (e *Encoder) WriteOctets(p []byte) {
	if e.aligned() {
		e.octetBuf()
		e.appendOctets(p)
		return
	}
	for ; len(p) >= 7; p = p[7:] {
		w := uint64(p[0])<<48 | uint64(p[1])<<40 | uint64(p[2])<<32 | uint64(p[3])<<24 |
			uint64(p[4])<<16 | uint64(p[5])<<8 | uint64(p[6])
		e.WriteBits(w, 56)
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
