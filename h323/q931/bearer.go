package q931

import "fmt"

// Information transfer capabilities of the Bearer capability element.
const (
	TransferSpeech                   = 0x00
	TransferUnrestrictedDigital      = 0x08
	TransferRestrictedDigital        = 0x09
	Transfer3_1kHzAudio              = 0x10
	TransferUnrestrictedDigitalTones = 0x11
	TransferVideo                    = 0x18
)

// Transfer modes.
const (
	ModeCircuit = 0
	ModePacket  = 2
)

// Information transfer rates.
const (
	RatePacketMode = 0x00
	Rate64k        = 0x10
	Rate2x64k      = 0x11
	Rate384k       = 0x13
	Rate1536k      = 0x15
	Rate1920k      = 0x17
	RateMultirate  = 0x18 // octet 4.1 carries the multiplier of 64 kbit/s
)

// User information layer 1 protocols.
const (
	Layer1V110     = 0x01
	Layer1G711ULaw = 0x02
	Layer1G711ALaw = 0x03
	Layer1G721     = 0x04
	Layer1H221     = 0x05 // H.221 and H.242: what H.323 endpoints send
	Layer1H223     = 0x06
	Layer1NonITU   = 0x07
	Layer1V120     = 0x08
	Layer1X31      = 0x09
)

// BearerCapability is the Bearer capability element (0x04).
type BearerCapability struct {
	CodingStandard     CodingStandard
	TransferCapability uint8 // Transfer* constants
	TransferMode       uint8 // ModeCircuit or ModePacket
	TransferRate       uint8 // Rate* constants
	// RateMultiplier is octet 4.1, present when TransferRate is
	// RateMultirate.
	RateMultiplier uint8
	// Layer1 is the user information layer 1 protocol (octet 5); zero
	// means octet 5 is absent.
	Layer1 uint8
	// Layer1Extra are octets 5a-5d (rate adaption details), raw.
	Layer1Extra []byte
	// Rest are the layer 2 and layer 3 octets (6, 7 and their
	// extensions), raw.
	Rest []byte
}

// ParseBearerCapability decodes the contents of a Bearer capability
// element.
func ParseBearerCapability(data []byte) (BearerCapability, error) {
	var b BearerCapability
	if len(data) < 2 {
		return b, fmt.Errorf("%w: bearer capability of %d bytes", ErrInvalidIE, len(data))
	}
	if data[0]&0x80 == 0 || data[1]&0x80 == 0 {
		return b, fmt.Errorf("%w: bearer capability octet 3 or 4 extended", ErrInvalidIE)
	}
	b.CodingStandard = CodingStandard(data[0] >> 5 & 0x03)
	b.TransferCapability = data[0] & 0x1f
	b.TransferMode = data[1] >> 5 & 0x03
	b.TransferRate = data[1] & 0x1f
	rest := data[2:]
	if b.TransferRate == RateMultirate {
		if len(rest) == 0 || rest[0]&0x80 == 0 {
			return b, fmt.Errorf("%w: bearer capability multirate without octet 4.1", ErrInvalidIE)
		}
		b.RateMultiplier = rest[0] & 0x7f
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0]>>5&0x03 == 1 { // layer 1 identifier
		b.Layer1 = rest[0] & 0x1f
		if b.Layer1 == 0 {
			return b, fmt.Errorf("%w: bearer capability layer 1 protocol 0", ErrInvalidIE)
		}
		ext := rest[0]&0x80 == 0
		rest = rest[1:]
		n := 0
		for ext {
			if n >= len(rest) {
				return b, fmt.Errorf("%w: bearer capability octet 5 group truncated", ErrInvalidIE)
			}
			ext = rest[n]&0x80 == 0
			n++
		}
		if n > 0 {
			b.Layer1Extra = rest[:n]
		}
		rest = rest[n:]
	}
	if len(rest) > 0 {
		b.Rest = rest
	}
	return b, nil
}

// IE encodes the Bearer capability element.
func (b BearerCapability) IE() (IE, error) {
	if b.CodingStandard > 3 || b.TransferCapability > 0x1f || b.TransferMode > 3 || b.TransferRate > 0x1f ||
		b.RateMultiplier > 0x7f || b.Layer1 > 0x1f || (b.Layer1 == 0 && len(b.Layer1Extra) > 0) {
		return IE{}, fmt.Errorf("%w: bearer capability field out of range: %+v", ErrInvalidIE, b)
	}
	d := make([]byte, 0, 4+len(b.Layer1Extra)+len(b.Rest))
	d = append(d, 0x80|byte(b.CodingStandard)<<5|b.TransferCapability, 0x80|b.TransferMode<<5|b.TransferRate)
	if b.TransferRate == RateMultirate {
		d = append(d, 0x80|b.RateMultiplier)
	}
	if b.Layer1 != 0 {
		o5 := byte(0x20) | b.Layer1
		if len(b.Layer1Extra) == 0 {
			o5 |= 0x80
		}
		d = append(d, o5)
		d = append(d, b.Layer1Extra...)
	}
	d = append(d, b.Rest...)
	if len(d) > 0xff {
		return IE{}, fmt.Errorf("%w: bearer capability of %d bytes", ErrTooLong, len(d))
	}
	return IE{ID: IEBearerCapability, Data: d}, nil
}

// BearerCapability returns the message's Bearer capability element.
func (m *Message) BearerCapability() (BearerCapability, error) {
	d, err := m.data(IEBearerCapability)
	if err != nil {
		return BearerCapability{}, err
	}
	return ParseBearerCapability(d)
}

// SetBearerCapability sets the message's Bearer capability element.
func (m *Message) SetBearerCapability(b BearerCapability) error {
	ie, err := b.IE()
	if err != nil {
		return err
	}
	m.Set(ie)
	return nil
}
