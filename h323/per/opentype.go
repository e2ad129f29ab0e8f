package per

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
	n, more, err := d.ReadLengthNext(8)
	if err != nil {
		return nil, err
	}
	i := d.pos >> 3
	first := d.buf[i : i+n : i+n]
	d.pos += n * 8
	if !more {
		return first, nil
	}
	out := append([]byte(nil), first...)
	for more {
		n, more, err = d.ReadLengthNext(8)
		if err != nil {
			return nil, err
		}
		i := d.pos >> 3
		out = append(out, d.buf[i:i+n]...)
		d.pos += n * 8
	}
	return out, nil
}

// ReadOpenType reads an open type and points sub at its contents: sub
// decodes the enclosed value, reports bit offsets relative to the
// outermost input, and inherits d's depth and depth limit. The contents
// alias d's input unless they came in fragments. An empty open type (which
// a conforming encoder never sends) is accepted as an empty input.
func (d *Decoder) ReadOpenType(sub *Decoder) error {
	data, err := d.readOctetList()
	if err != nil {
		return err
	}
	*sub = Decoder{
		buf:      data,
		end:      len(data) * 8,
		base:     d.BitPos() - int64(len(data))*8,
		depth:    d.depth,
		maxDepth: d.maxDepth,
	}
	return nil
}

// ReadOpenTypeBytes reads an open type and returns its contents, which
// alias d's input unless they came in fragments. It also skips an open
// type whose value is not needed.
func (d *Decoder) ReadOpenTypeBytes() ([]byte, error) {
	return d.readOctetList()
}

// ReadRawExtension reads an open type the caller does not know and keeps
// a copy of its contents under the given index (see RawExtension.Index).
func (d *Decoder) ReadRawExtension(index int) (RawExtension, error) {
	data, err := d.readOctetList()
	if err != nil {
		return RawExtension{}, err
	}
	return RawExtension{Index: index, Data: append([]byte(nil), data...)}, nil
}

// EncodeOpenType encodes v with enc into a nested Encoder and writes the
// result into e as an open type.
func EncodeOpenType[T any](e *Encoder, v *T, enc func(*T, *Encoder) error) error {
	sub := e.BeginOpenType()
	if err := enc(v, sub); err != nil {
		return err
	}
	return e.EndOpenType(sub)
}

// DecodeOpenType reads an open type from d and decodes its contents into
// v with dec.
func DecodeOpenType[T any](d *Decoder, v *T, dec func(*T, *Decoder) error) error {
	var sub Decoder
	if err := d.ReadOpenType(&sub); err != nil {
		return err
	}
	return dec(v, &sub)
}
