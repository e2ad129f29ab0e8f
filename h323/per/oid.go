package per

import (
	"fmt"
	"math/bits"
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
	return max(1, (bits.Len64(v)+6)/7)
}

// putSubid stores v in base 128 at the start of p, high groups first,
// with the top bit set on all but the last octet, and returns the number
// of octets.
func putSubid(p []byte, v uint64) int {
	if v < 0x80 {
		p[0] = byte(v)
		return 1
	}
	n := subidLen(v)
	for i := n - 1; i > 0; i-- {
		p[n-1-i] = byte(v>>(7*uint(i))) | 0x80
	}
	p[n-1] = byte(v) & 0x7f
	return n
}

// WriteOID writes an OBJECT IDENTIFIER (X.691 §24): an unconstrained
// length and the BER contents octets (X.690 §8.19: the first two arcs
// combined as 40*first+second, each subidentifier in base 128), aligned.
func (e *Encoder) WriteOID(o OID) error {
	if len(o) < 2 || o[0] > 2 || (o[0] < 2 && o[1] > 39) {
		return &EncodeError{Op: "object identifier", Detail: o.String(), Err: o.check()}
	}
	// Write the contents after a one-octet length, which holds any OID
	// of fewer than 128 octets: at most 5 octets per arc.
	e.Align()
	e.octetBuf()
	e.room(1 + 5*len(o))
	l := e.n
	p := e.buf[l+1:]
	n := 1
	if first := uint64(o[0])*40 + uint64(o[1]); first < 0x80 {
		p[0] = byte(first)
	} else {
		n = putSubid(p, first)
	}
	for _, arc := range o[2:] {
		if arc < 0x80 {
			p[n] = byte(arc)
			n++
			continue
		}
		n += putSubid(p[n:], uint64(arc))
	}
	if n < 128 {
		e.buf[l] = byte(n)
		e.n = l + 1 + n
		return nil
	}
	if n >= fragmentUnit {
		return encodeErr("object identifier", ErrUnsupported, "%d contents octets", n)
	}
	contents := append([]byte(nil), p[:n]...)
	return e.WriteOpenType(contents) // the same layout: a length and the octets
}

// ReadOID reads an OBJECT IDENTIFIER written by WriteOID. Subidentifiers
// with a redundant leading 0x80 octet, or arcs above 2^32-1, fail.
func (d *Decoder) ReadOID() (OID, error) {
	return d.appendOID(nil)
}

// ReadOIDInto is ReadOID storing the arcs in *dst, reusing its capacity.
// On failure the length of *dst is unchanged but its arcs are
// unspecified.
func (d *Decoder) ReadOIDInto(dst *OID) error {
	o, err := d.appendOID((*dst)[:0])
	if err != nil {
		return err
	}
	*dst = o
	return nil
}

// appendOID reads an OBJECT IDENTIFIER and appends its arcs to o.
func (d *Decoder) appendOID(o OID) (OID, error) {
	const op = "object identifier"
	start := d.pos
	data, err := d.readOctetList()
	if err != nil {
		return nil, err
	}
	if len(data) == 0 || data[len(data)-1]&0x80 != 0 {
		return nil, d.failAt(op, start, ErrMalformed)
	}
	// There is one arc per final octet (top bit clear), plus one for the
	// first subidentifier, which holds two: at most len(data)+1. Count
	// them only when o may not have the room.
	at := len(o)
	if cap(o)-at < len(data)+1 {
		arcs := 1
		for _, b := range data {
			arcs += int(^b >> 7)
		}
		if cap(o)-at < arcs {
			o = append(make(OID, 0, at+arcs), o...)
		}
	}
	arc := o[at:cap(o)]
	k := 0 // arcs stored
	for i := 0; i < len(data); {
		b := data[i]
		i++
		v := uint64(b)
		if b >= 0x80 {
			if b == 0x80 {
				return nil, d.failAt(op, start, ErrMalformed) // a redundant leading octet
			}
			v &= 0x7f
			for b >= 0x80 {
				b = data[i] // the last octet is final, so i stays in range
				i++
				v = v<<7 | uint64(b&0x7f)
				if v > 1<<32+80 {
					return nil, d.failAt(op, start, ErrUnsupported)
				}
			}
		}
		if k == 0 {
			switch {
			case v < 40:
				arc[0], arc[1] = 0, uint32(v)
			case v < 80:
				arc[0], arc[1] = 1, uint32(v-40)
			case v-80 <= 1<<32-1:
				arc[0], arc[1] = 2, uint32(v-80)
			default:
				return nil, d.failAt(op, start, ErrUnsupported)
			}
			k = 2
			continue
		}
		if v > 1<<32-1 {
			return nil, d.failAt(op, start, ErrUnsupported)
		}
		arc[k] = uint32(v)
		k++
	}
	return o[:at+k], nil
}
