package per

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
	*d = Decoder{buf: data, end: len(data) * 8}
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
	if n < 0 || n > 64 {
		return 0, d.fail("bit field", ErrUnsupported)
	}
	if n > d.end-d.pos {
		return 0, d.fail("bit field", ErrTruncated)
	}
	return d.bits(n), nil
}

// bits reads n bits (0 to 64) that are known to be present.
func (d *Decoder) bits(n int) uint64 {
	var v uint64
	for n > 0 {
		i := d.pos >> 3
		off := d.pos & 7
		avail := 8 - off
		cur := uint64(d.buf[i]) & (1<<uint(avail) - 1)
		if n < avail {
			v = v<<uint(n) | cur>>uint(avail-n)
			d.pos += n
			return v
		}
		v = v<<uint(avail) | cur
		d.pos += avail
		n -= avail
	}
	return v
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
