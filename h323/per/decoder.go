package per

import "encoding/binary"

// DefaultMaxDepth is the nesting limit of a Decoder unless SetMaxDepth
// changes it.
const DefaultMaxDepth = 64

// Decoder reads an aligned-PER bit stream from a byte slice.
//
// Every method checks the remaining input before reading or allocating and
// returns a *DecodeError carrying the bit offset on failure; no input makes
// a Decoder panic. Decoded byte slices are copies unless a method says it
// aliases the input. A Decoder is not safe for concurrent use.
type Decoder struct {
	buf      []byte
	pos      int   // bit offset in buf
	end      int   // bit length of buf
	base     int64 // bit offset of buf[0] in the outermost input
	depth    int
	maxDepth int
	// tail holds the octets of the outermost input from index tailAt of
	// buf on (its last eight, or all of a shorter input), padded with
	// zeros, for word near the end of the input. tailAt is negative in a
	// sub-decoder whose buf starts after the tail does.
	tail   [16]byte
	tailAt int
}

// NewDecoder returns a Decoder over data.
func NewDecoder(data []byte) *Decoder {
	d := &Decoder{}
	d.Reset(data)
	return d
}

// Reset makes d read data from its start, with depth 0 and the default
// depth limit.
func (d *Decoder) Reset(data []byte) {
	*d = Decoder{buf: data[:len(data):len(data)], end: len(data) * 8}
	d.tailAt = max(0, len(data)-8)
	copy(d.tail[:], data[d.tailAt:])
}

// SetMaxDepth sets the nesting limit checked by Enter (DefaultMaxDepth
// when n <= 0).
func (d *Decoder) SetMaxDepth(n int) { d.maxDepth = n }

// Enter records one more level of nesting; generated code calls it on
// entering a constructed type and Leave on leaving it. It fails with
// ErrTooDeep beyond the depth limit, which bounds the recursion a hostile
// message can cause.
func (d *Decoder) Enter() error {
	limit := d.maxDepth
	if limit <= 0 {
		limit = DefaultMaxDepth
	}
	if d.depth >= limit {
		return d.fail("nesting", ErrTooDeep)
	}
	d.depth++
	return nil
}

// Leave undoes one Enter.
func (d *Decoder) Leave() {
	if d.depth > 0 {
		d.depth--
	}
}

// Depth returns the current nesting level.
func (d *Decoder) Depth() int { return d.depth }

// BitPos returns the offset of the next bit, counted from the start of
// the outermost input.
func (d *Decoder) BitPos() int64 { return d.base + int64(d.pos) }

// BitsLeft returns the number of unread bits.
func (d *Decoder) BitsLeft() int { return d.end - d.pos }

// fail returns a *DecodeError at the current position.
func (d *Decoder) fail(op string, cause error) error {
	return &DecodeError{Op: op, Bit: d.BitPos(), Err: cause}
}

// failAt returns a *DecodeError at bit offset pos of this Decoder.
func (d *Decoder) failAt(op string, pos int, cause error) error {
	return &DecodeError{Op: op, Bit: d.base + int64(pos), Err: cause}
}

// Align skips to the next octet boundary. Padding bits are not checked.
// It fails only when the boundary lies beyond the input.
func (d *Decoder) Align() error {
	p := (d.pos + 7) &^ 7
	if p > d.end {
		return d.fail("alignment", ErrTruncated)
	}
	d.pos = p
	return nil
}

// ReadBit reads one bit: true for 1.
func (d *Decoder) ReadBit() (bool, error) {
	if d.pos >= d.end {
		return false, d.fail("bit", ErrTruncated)
	}
	b := d.buf[d.pos>>3] >> (7 - uint(d.pos&7)) & 1
	d.pos++
	return b == 1, nil
}

// ReadBool reads a BOOLEAN (X.691 §11).
func (d *Decoder) ReadBool() (bool, error) { return d.ReadBit() }

// ReadBits reads n bits (0 to 64), most significant first, into the low
// bits of the result.
func (d *Decoder) ReadBits(n int) (uint64, error) {
	if uint(n) <= 57 && n <= d.end-d.pos {
		return d.bits(n), nil
	}
	if n < 0 || n > 64 {
		return 0, d.fail("bit field", ErrUnsupported)
	}
	if n > d.end-d.pos {
		return 0, d.fail("bit field", ErrTruncated)
	}
	return d.wideBits(n), nil
}

// word returns the eight octets of input from the octet holding the
// current bit, as a big-endian word. It may read octets of the enclosing
// message beyond the end of an open type's contents (cap(buf) reaches to
// the end of the outermost input, never beyond it); octets beyond that
// read as zero, from the padded tail. Callers check that the bits they
// use are within end.
func (d *Decoder) word() uint64 {
	i := d.pos >> 3
	if i+8 <= cap(d.buf) {
		return binary.BigEndian.Uint64(d.buf[i : i+8])
	}
	return binary.BigEndian.Uint64(d.tail[i-d.tailAt:])
}

// bits reads n bits (0 to 57) that are known to be present.
func (d *Decoder) bits(n int) uint64 {
	v := d.word() << uint(d.pos&7) >> (64 - uint(n))
	d.pos += n
	return v
}

// wideBits reads n bits (0 to 64) that are known to be present.
func (d *Decoder) wideBits(n int) uint64 {
	if n <= 57 {
		return d.bits(n)
	}
	hi := d.bits(n - 32)
	return hi<<32 | d.bits(32)
}

// ReadOctets reads len(p) octets at the current bit position, without
// aligning first, into p.
func (d *Decoder) ReadOctets(p []byte) error {
	if len(p)*8 > d.end-d.pos {
		return d.fail("octets", ErrTruncated)
	}
	d.octets(p)
	return nil
}

// octets fills p from the input, known to hold enough bits.
func (d *Decoder) octets(p []byte) {
	if d.pos&7 == 0 {
		i := d.pos >> 3
		copy(p, d.buf[i:i+len(p)])
		d.pos += len(p) * 8
		return
	}
	for k := range p {
		p[k] = byte(d.bits(8))
	}
}

// ReadBitField reads n bits at the current position, without aligning
// first, into p (most significant bit of p[0] first; unused low bits of
// the last octet are zero). p must hold at least (n+7)/8 octets.
func (d *Decoder) ReadBitField(p []byte, n int) error {
	if n < 0 || (n+7)/8 > len(p) {
		return d.fail("bit field", ErrUnsupported)
	}
	if n > d.end-d.pos {
		return d.fail("bit field", ErrTruncated)
	}
	d.bitField(p, n)
	return nil
}

// bitField fills p with n bits known to be present.
func (d *Decoder) bitField(p []byte, n int) {
	whole := n / 8
	d.octets(p[:whole])
	if rem := n - whole*8; rem > 0 {
		p[whole] = byte(d.bits(rem) << uint(8-rem))
	}
}
