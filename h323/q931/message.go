package q931

import (
	"fmt"
	"strings"
)

// ProtocolDiscriminator is the first octet of every Q.931 message.
const ProtocolDiscriminator = 0x08

// callRefLen is the call reference length H.225.0 uses.
const callRefLen = 2

// headerLen is protocol discriminator, call reference length, two octets
// of call reference and the message type.
const headerLen = 3 + callRefLen

// MaxCallRef is the largest call reference value (15 bits).
const MaxCallRef = 0x7fff

// Message is one Q.931 message. Its elements are kept raw and in order;
// the typed accessors (Cause, CalledPartyNumber, ...) decode them on
// demand and the Set methods replace or insert them.
type Message struct {
	// CallRef is the call reference value (15 bits).
	CallRef uint16
	// FromDestination is the call reference flag: false in messages sent
	// by the side that originated the call reference, true in messages
	// sent to it.
	FromDestination bool
	// Type is the message type.
	Type MessageType
	// IEs are the information elements in message order.
	IEs []IE
}

// Unmarshal decodes a message. It reuses m.IEs, and the elements' Data
// alias b: keep b unchanged while m is in use, or Clone m. Decoding into a
// reused Message does not allocate.
func (m *Message) Unmarshal(b []byte) error {
	if len(b) < headerLen {
		return fmt.Errorf("%w: message of %d bytes", ErrTruncated, len(b))
	}
	if b[0] != ProtocolDiscriminator {
		return fmt.Errorf("%w: protocol discriminator %#02x", ErrProtocol, b[0])
	}
	if b[1] != callRefLen {
		return fmt.Errorf("%w: call reference length octet %#02x", ErrCallReference, b[1])
	}
	m.FromDestination = b[2]&0x80 != 0
	m.CallRef = uint16(b[2]&0x7f)<<8 | uint16(b[3])
	m.Type = MessageType(b[4])
	m.IEs = m.IEs[:0]

	rest := b[headerLen:]
	var locked, codeset uint8 // codeset: the one for the next element
	for len(rest) > 0 {
		id := IEID(rest[0])
		if id.SingleOctet() {
			m.IEs = append(m.IEs, IE{ID: id, Codeset: codeset})
			rest = rest[1:]
			codeset = locked
			if id&0xf0 == IEShift {
				if id&0x08 != 0 {
					codeset = uint8(id & 0x07) // this one next element only
				} else {
					locked = uint8(id & 0x07)
					codeset = locked
				}
			}
			continue
		}
		hdr, n := 2, 0
		if len(rest) < 2 {
			return fmt.Errorf("%w: element %s has no length", ErrTruncated, id)
		}
		if maxLen(id, codeset) > 0xff {
			if len(rest) < 3 {
				return fmt.Errorf("%w: element %s has no length", ErrTruncated, id)
			}
			hdr, n = 3, int(rest[1])<<8|int(rest[2])
		} else {
			n = int(rest[1])
		}
		if n > len(rest)-hdr {
			return fmt.Errorf("%w: element %s of %d bytes, %d left", ErrTruncated, id, n, len(rest)-hdr)
		}
		m.IEs = append(m.IEs, IE{ID: id, Codeset: codeset, Data: rest[hdr : hdr+n : hdr+n]})
		rest = rest[hdr+n:]
		codeset = locked
	}
	return nil
}

// Unmarshal decodes a message into a new Message whose elements alias b.
func Unmarshal(b []byte) (*Message, error) {
	m := new(Message)
	if err := m.Unmarshal(b); err != nil {
		return nil, err
	}
	return m, nil
}

// Marshal encodes the message into a new slice of exactly its size.
func (m *Message) Marshal() ([]byte, error) {
	n, err := m.size()
	if err != nil {
		return nil, err
	}
	return m.appendTo(make([]byte, 0, n)), nil
}

// AppendBinary appends the encoded message to dst; with a dst of enough
// capacity it does not allocate.
func (m *Message) AppendBinary(dst []byte) ([]byte, error) {
	if _, err := m.size(); err != nil {
		return dst, err
	}
	return m.appendTo(dst), nil
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (m *Message) MarshalBinary() ([]byte, error) { return m.Marshal() }

// UnmarshalBinary implements encoding.BinaryUnmarshaler; unlike Unmarshal
// it copies b, so the message does not alias it.
func (m *Message) UnmarshalBinary(b []byte) error {
	return m.Unmarshal(append([]byte(nil), b...))
}

// size validates the message and returns its encoded length.
func (m *Message) size() (int, error) {
	if m.CallRef > MaxCallRef {
		return 0, fmt.Errorf("%w: value %#x exceeds 15 bits", ErrCallReference, m.CallRef)
	}
	n := headerLen
	var locked, codeset uint8
	for i, ie := range m.IEs {
		if ie.ID.SingleOctet() {
			if len(ie.Data) != 0 {
				return 0, fmt.Errorf("%w: single-octet element %s (#%d) has %d bytes of data", ErrInvalidIE, ie.ID, i, len(ie.Data))
			}
			n++
			codeset = locked
			if ie.ID&0xf0 == IEShift {
				if ie.ID&0x08 != 0 {
					codeset = uint8(ie.ID & 0x07)
				} else {
					locked = uint8(ie.ID & 0x07)
					codeset = locked
				}
			}
			continue
		}
		max := maxLen(ie.ID, codeset)
		if len(ie.Data) > max {
			return 0, fmt.Errorf("%w: %s (#%d) of %d bytes, at most %d", ErrTooLong, ie.ID, i, len(ie.Data), max)
		}
		n += 2 + len(ie.Data)
		if max > 0xff {
			n++
		}
		codeset = locked
	}
	return n, nil
}

// appendTo encodes a message that size has validated.
func (m *Message) appendTo(dst []byte) []byte {
	cr0 := byte(m.CallRef >> 8)
	if m.FromDestination {
		cr0 |= 0x80
	}
	dst = append(dst, ProtocolDiscriminator, callRefLen, cr0, byte(m.CallRef), byte(m.Type))
	var locked, codeset uint8
	for _, ie := range m.IEs {
		if ie.ID.SingleOctet() {
			dst = append(dst, byte(ie.ID))
			codeset = locked
			if ie.ID&0xf0 == IEShift {
				if ie.ID&0x08 != 0 {
					codeset = uint8(ie.ID & 0x07)
				} else {
					locked = uint8(ie.ID & 0x07)
					codeset = locked
				}
			}
			continue
		}
		if maxLen(ie.ID, codeset) > 0xff {
			dst = append(dst, byte(ie.ID), byte(len(ie.Data)>>8), byte(len(ie.Data)))
		} else {
			dst = append(dst, byte(ie.ID), byte(len(ie.Data)))
		}
		dst = append(dst, ie.Data...)
		codeset = locked
	}
	return dst
}

// Clone returns a deep copy of the message that aliases nothing.
func (m *Message) Clone() *Message {
	c := *m
	c.IEs = make([]IE, len(m.IEs))
	for i, ie := range m.IEs {
		c.IEs[i] = ie
		if ie.Data != nil {
			c.IEs[i].Data = append([]byte(nil), ie.Data...)
		}
	}
	return &c
}

// String summarizes the message for logs.
func (m *Message) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s callRef=%d", m.Type, m.CallRef)
	if m.FromDestination {
		b.WriteString(" fromDestination")
	}
	for _, ie := range m.IEs {
		b.WriteByte(' ')
		b.WriteString(ie.String())
	}
	return b.String()
}
