package per

import (
	"fmt"
	"strconv"
	"strings"
)

// OID is an OBJECT IDENTIFIER value: its arcs, first to last.
type OID []uint32

// String returns the dotted form, such as "0.0.8.2250.0.4".
func (o OID) String() string {
	var sb strings.Builder
	for i, arc := range o {
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(strconv.FormatUint(uint64(arc), 10))
	}
	return sb.String()
}

// Equal reports whether o and p have the same arcs.
func (o OID) Equal(p OID) bool {
	if len(o) != len(p) {
		return false
	}
	for i := range o {
		if o[i] != p[i] {
			return false
		}
	}
	return true
}

// ParseOID parses the dotted form of an OBJECT IDENTIFIER.
func ParseOID(s string) (OID, error) {
	parts := strings.Split(s, ".")
	o := make(OID, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("per: parse object identifier %q: arc %d: %w", s, i, err)
		}
		o[i] = uint32(v)
	}
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("per: parse object identifier %q: %w", s, err)
	}
	return o, nil
}

// check reports whether o can be encoded (X.680 §32: at least two arcs,
// the first 0, 1 or 2, the second below 40 under 0 and 1).
func (o OID) check() error {
	if len(o) < 2 {
		return fmt.Errorf("%w: fewer than two arcs", ErrConstraint)
	}
	if o[0] > 2 || (o[0] < 2 && o[1] > 39) {
		return fmt.Errorf("%w: first arcs %d.%d", ErrConstraint, o[0], o[1])
	}
	return nil
}

// subidLen returns the octets of v in base 128.
func subidLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// writeSubid writes v in base 128, high groups first, with the top bit set
// on all but the last octet.
func (e *Encoder) writeSubid(v uint64) {
	for i := subidLen(v) - 1; i > 0; i-- {
		e.buf = append(e.buf, byte(v>>(7*uint(i)))|0x80)
	}
	e.buf = append(e.buf, byte(v)&0x7f)
	e.nbits = len(e.buf) * 8
}

// WriteOID writes an OBJECT IDENTIFIER (X.691 §24): an unconstrained
// length and the BER contents octets (X.690 §8.19: the first two arcs
// combined as 40*first+second, each subidentifier in base 128), aligned.
func (e *Encoder) WriteOID(o OID) error {
	if err := o.check(); err != nil {
		return &EncodeError{Op: "object identifier", Detail: o.String(), Err: err}
	}
	n := subidLen(uint64(o[0])*40 + uint64(o[1]))
	for _, arc := range o[2:] {
		n += subidLen(uint64(arc))
	}
	if n >= fragmentUnit {
		return encodeErr("object identifier", ErrUnsupported, "%d contents octets", n)
	}
	e.WriteLengthNext(n)
	e.writeSubid(uint64(o[0])*40 + uint64(o[1]))
	for _, arc := range o[2:] {
		e.writeSubid(uint64(arc))
	}
	return nil
}

// ReadOID reads an OBJECT IDENTIFIER written by WriteOID. Subidentifiers
// with a redundant leading 0x80 octet, or arcs above 2^32-1, fail.
func (d *Decoder) ReadOID() (OID, error) {
	const op = "object identifier"
	start := d.pos
	data, err := d.readOctetList()
	if err != nil {
		return nil, err
	}
	if len(data) == 0 || data[len(data)-1]&0x80 != 0 {
		return nil, d.failAt(op, start, ErrMalformed)
	}
	arcs := 1 // the first subidentifier holds two arcs
	for _, b := range data {
		if b&0x80 == 0 {
			arcs++
		}
	}
	o := make(OID, 0, arcs)
	var v uint64
	first := true
	for i, b := range data {
		if v == 0 && b == 0x80 && (i == 0 || data[i-1]&0x80 == 0) {
			return nil, d.failAt(op, start, ErrMalformed)
		}
		v = v<<7 | uint64(b&0x7f)
		if v > 1<<32+80 {
			return nil, d.failAt(op, start, ErrUnsupported)
		}
		if b&0x80 != 0 {
			continue
		}
		if first {
			first = false
			switch {
			case v < 40:
				o = append(o, 0, uint32(v))
			case v < 80:
				o = append(o, 1, uint32(v-40))
			case v-80 <= 1<<32-1:
				o = append(o, 2, uint32(v-80))
			default:
				return nil, d.failAt(op, start, ErrUnsupported)
			}
		} else {
			if v > 1<<32-1 {
				return nil, d.failAt(op, start, ErrUnsupported)
			}
			o = append(o, uint32(v))
		}
		v = 0
	}
	return o, nil
}
