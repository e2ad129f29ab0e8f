package per

import "slices"

// RawExtension is an extension the generated code does not know, kept as
// the contents of its open type so that it can be re-encoded byte for
// byte: an extension addition of a SEQUENCE or SET, or an extension
// alternative of a CHOICE.
type RawExtension struct {
	// Index is the zero-based position of the extension among the type's
	// extension additions: the bit of a SEQUENCE's extension bitmap, or the
	// normally small index of a CHOICE extension alternative (the CHOICE
	// index minus the number of root alternatives).
	Index int
	// Data is the complete encoding of the value, as carried inside the
	// open type (never empty: an empty encoding is the octet 0x00).
	Data []byte
}

// BeginOpenType returns an empty Encoder, owned by e, into which the caller
// encodes a value that travels as an open type (X.691 §10.2): a CHOICE
// extension alternative, a SEQUENCE extension addition, or an open type
// field. EndOpenType then writes it into e. Begin/End pairs nest (the
// returned Encoder has its own child), and the child buffers are reused,
// so open types do not allocate once warmed up.
func (e *Encoder) BeginOpenType() *Encoder {
	if e.child == nil {
		e.child = &Encoder{}
	}
	e.child.Reset()
	return e.child
}

// EndOpenType writes the complete encoding held by child, which must be
// the Encoder returned by the matching BeginOpenType, as an open type.
func (e *Encoder) EndOpenType(child *Encoder) error {
	if child == nil || child != e.child {
		return encodeErr("open type", ErrUnsupported, "EndOpenType without matching BeginOpenType")
	}
	e.writeOctetList(child.Bytes())
	return nil
}

// OpenTypeMark is where EnterOpenType reserved the length of an open type
// being encoded in place.
type OpenTypeMark struct {
	at int // index in buf of the reserved length octet
}

// EnterOpenType starts an open type whose value the caller encodes into e
// itself, then ends with LeaveOpenType: the cheaper form of
// BeginOpenType/EndOpenType, which needs no second Encoder and no copy
// for contents below 128 octets. Pairs nest.
func (e *Encoder) EnterOpenType() OpenTypeMark {
	e.Align()
	e.octetBuf()
	e.room(1)
	e.buf[e.n] = 0 // the length, for contents below 128 octets
	e.n++
	return OpenTypeMark{at: e.n - 1}
}

// LeaveOpenType completes the open type that m marks: it pads the value to
// an octet (an empty one becomes the octet 0x00) and writes its length,
// moving the contents when the length takes two octets or the contents
// must be fragmented.
func (e *Encoder) LeaveOpenType(m OpenTypeMark) error {
	e.Align()
	e.octetBuf()
	if m.at < 0 || m.at >= e.n {
		return encodeErr("open type", ErrUnsupported, "LeaveOpenType without matching EnterOpenType")
	}
	n := e.n - m.at - 1
	switch {
	case n == 0:
		e.room(1)
		e.buf[e.n] = 0
		e.n++
		e.buf[m.at] = 1
	case n < 128:
		e.buf[m.at] = byte(n)
	case n < fragmentUnit:
		e.room(1)
		copy(e.buf[m.at+2:e.n+1], e.buf[m.at+1:e.n])
		e.n++
		e.buf[m.at] = byte(0x80 | n>>8)
		e.buf[m.at+1] = byte(n)
	default:
		contents := append([]byte(nil), e.buf[m.at+1:e.n]...)
		e.n = m.at
		e.writeOctetList(contents)
	}
	return nil
}

// WriteOpenType writes data, a complete encoding, as an open type: an
// unconstrained length in octets (fragmented from 16K octets) and the
// octets, aligned. data is written as given; a complete encoding is never
// empty (an empty one is the single octet 0x00).
func (e *Encoder) WriteOpenType(data []byte) error {
	e.writeOctetList(data)
	return nil
}

// WriteRawExtension writes a kept extension back as the open type it came
// in. The caller has already written the bitmap bit or CHOICE index that
// r.Index stands for.
func (e *Encoder) WriteRawExtension(r RawExtension) error {
	return e.WriteOpenType(r.Data)
}

// writeOctetList writes p as unconstrained-length octets, fragmenting as
// X.691 §10.9.3.8 requires.
func (e *Encoder) writeOctetList(p []byte) {
	for {
		k, more := e.WriteLengthNext(len(p))
		e.WriteOctets(p[:k])
		p = p[k:]
		if !more {
			return
		}
	}
}

// readOctetList reads unconstrained-length octets. When they come in one
// fragment the result aliases the input; fragments are joined into a new
// slice.
func (d *Decoder) readOctetList() ([]byte, error) {
	data, _, err := d.readOctetListAt()
	return data, err
}

// readOctetListAt is readOctetList that also returns the index in d.buf
// of the octets read, or -1 when they were joined from fragments.
func (d *Decoder) readOctetListAt() ([]byte, int, error) {
	// The one-octet length form, with its octets present.
	if p := (d.pos + 7) &^ 7; p+8 <= d.end {
		i := p >> 3
		if n := int(d.buf[i]); n < 0x80 && p+8+n*8 <= d.end {
			d.pos = p + 8 + n*8
			return d.buf[i+1 : i+1+n : i+1+n], i + 1, nil
		}
	}
	n, more, err := d.ReadLengthNext(8)
	if err != nil {
		return nil, -1, err
	}
	i := d.pos >> 3
	first := d.buf[i : i+n : i+n]
	d.pos += n * 8
	if !more {
		return first, i, nil
	}
	out := append([]byte(nil), first...)
	for more {
		n, more, err = d.ReadLengthNext(8)
		if err != nil {
			return nil, -1, err
		}
		i := d.pos >> 3
		out = append(out, d.buf[i:i+n]...)
		d.pos += n * 8
	}
	// Room for word to read eight octets from any position.
	return slices.Grow(out, 8), -1, nil
}

// ReadOpenType reads an open type and points sub at its contents: sub
// decodes the enclosed value, reports bit offsets relative to the
// outermost input, and inherits d's depth and depth limit. The contents
// alias d's input unless they came in fragments. An empty open type (which
// a conforming encoder never sends) is accepted as an empty input.
func (d *Decoder) ReadOpenType(sub *Decoder) error {
	data, at, err := d.readOctetListAt()
	if err != nil {
		return err
	}
	if at >= 0 {
		// Let sub read ahead into the rest of d's input (see word).
		data = d.buf[at : at+len(data) : cap(d.buf)]
	}
	*sub = Decoder{
		buf:      data,
		end:      len(data) * 8,
		base:     d.BitPos() - int64(len(data))*8,
		depth:    d.depth,
		maxDepth: d.maxDepth,
		tail:     d.tail,
		tailAt:   d.tailAt - at, // unused with joined fragments
	}
	return nil
}

// OpenTypeScope is what a Decoder keeps of the enclosing encoding while
// it reads the contents of an open type in place (EnterOpenType). It is
// two words, so that entering and leaving cost no memory traffic.
type OpenTypeScope struct {
	end    int          // the enclosing end
	joined *joinedOuter // contents joined from fragments: the enclosing input
}

// joinedOuter is the enclosing input and the position after the open type
// while a Decoder reads contents that were joined from fragments.
type joinedOuter struct {
	buf  []byte
	pos  int
	base int64
}

// EnterOpenType reads the length of an open type and makes d read its
// contents, up to their end, until LeaveOpenType returns d to the
// enclosing encoding after the open type: the cheaper form of
// ReadOpenType, which needs no second Decoder. Bit offsets stay relative
// to the outermost input; depth is shared. Pairs nest. After a failure
// inside the contents, d is left inside them.
func (d *Decoder) EnterOpenType() (OpenTypeScope, error) {
	// The one-octet length form, with the contents present.
	if p := (d.pos + 7) &^ 7; p+8 <= d.end {
		if n := int(d.buf[p>>3]); n < 0x80 && p+8+n*8 <= d.end {
			s := OpenTypeScope{end: d.end}
			d.pos = p + 8
			d.end = d.pos + n*8
			return s, nil
		}
	}
	data, at, err := d.readOctetListAt()
	if err != nil {
		return OpenTypeScope{}, err
	}
	if at >= 0 {
		s := OpenTypeScope{end: d.end}
		d.end = d.pos
		d.pos = at * 8
		return s, nil
	}
	// The contents came in fragments (16K octets and more, which are
	// copied anyway): read them from their joined copy.
	s := OpenTypeScope{end: d.end, joined: &joinedOuter{buf: d.buf, pos: d.pos, base: d.base}}
	d.base = d.BitPos() - int64(len(data))*8
	d.buf, d.pos, d.end = data, 0, len(data)*8
	return s, nil
}

// LeaveOpenType skips what remains of the contents of the open type that
// s comes from and returns d to the enclosing encoding.
func (d *Decoder) LeaveOpenType(s OpenTypeScope) {
	if j := s.joined; j != nil {
		d.buf, d.pos, d.base = j.buf, j.pos, j.base
	} else {
		d.pos = d.end
	}
	d.end = s.end
}

// ReadOpenTypeBytes reads an open type and returns its contents, which
// alias d's input unless they came in fragments. It also skips an open
// type whose value is not needed.
func (d *Decoder) ReadOpenTypeBytes() ([]byte, error) {
	return d.readOctetList()
}

// ReadOpenTypeInto reads an open type and stores a copy of its contents
// in *dst, reusing its capacity (nil when the contents are empty). On
// failure *dst is unchanged.
func (d *Decoder) ReadOpenTypeInto(dst *[]byte) error {
	data, err := d.readOctetList()
	if err != nil {
		return err
	}
	*dst = copyInto(*dst, data)
	return nil
}

// copyInto returns a copy of src in the capacity of dst, or nil when src
// is empty.
func copyInto(dst, src []byte) []byte {
	if len(src) == 0 {
		return nil
	}
	return append(dst[:0], src...)
}

// ReadRawExtension reads an open type the caller does not know and keeps
// a copy of its contents under the given index (see RawExtension.Index).
func (d *Decoder) ReadRawExtension(index int) (RawExtension, error) {
	var r RawExtension
	err := d.ReadRawExtensionInto(&r, index)
	return r, err
}

// ReadRawExtensionInto is ReadRawExtension storing the extension in *dst,
// reusing the capacity of dst.Data. On failure *dst is unchanged.
func (d *Decoder) ReadRawExtensionInto(dst *RawExtension, index int) error {
	data, err := d.readOctetList()
	if err != nil {
		return err
	}
	dst.Index = index
	dst.Data = copyInto(dst.Data, data)
	return nil
}

// EncodeOpenType encodes v with enc into a nested Encoder and writes the
// result into e as an open type.
func EncodeOpenType[T any](e *Encoder, v *T, enc func(*T, *Encoder) error) error {
	m := e.EnterOpenType()
	if err := enc(v, e); err != nil {
		return err
	}
	return e.LeaveOpenType(m)
}

// DecodeOpenType reads an open type from d and decodes its contents into
// v with dec.
func DecodeOpenType[T any](d *Decoder, v *T, dec func(*T, *Decoder) error) error {
	s, err := d.EnterOpenType()
	if err != nil {
		return err
	}
	if err := dec(v, d); err != nil {
		return err
	}
	d.LeaveOpenType(s)
	return nil
}
