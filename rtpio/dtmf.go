package rtpio

import (
	"errors"
	"fmt"
)

// DTMFEvent is one RFC 4733 telephone-event payload.
type DTMFEvent struct {
	// Digit is '0'-'9', '*', '#', 'A'-'D', or 'F' for flash (event 16).
	Digit byte
	// End marks the final packets of the event (the E bit).
	End bool
	// Volume is the power level in -dBm0, 0 (loudest) to 63.
	Volume uint8
	// Duration is the event's length so far in RTP timestamp units.
	Duration uint16
}

// dtmfPayloadLen is the size of one telephone-event payload.
const dtmfPayloadLen = 4

// eventDigits maps RFC 4733 event codes 0-16 to digits.
const eventDigits = "0123456789*#ABCDF"

// ErrDTMFEvent reports a telephone-event payload that is not a DTMF digit.
var ErrDTMFEvent = errors.New("rtpio: telephone-event is not a DTMF digit")

// ParseDTMF decodes the first event of a telephone-event payload. Events
// other than the 16 DTMF digits and flash are reported as ErrDTMFEvent.
func ParseDTMF(payload []byte) (DTMFEvent, error) {
	if len(payload) < dtmfPayloadLen {
		return DTMFEvent{}, fmt.Errorf("rtpio: telephone-event payload of %d bytes, want %d", len(payload), dtmfPayloadLen)
	}
	code := payload[0]
	if int(code) >= len(eventDigits) {
		return DTMFEvent{}, fmt.Errorf("%w: event %d", ErrDTMFEvent, code)
	}
	return DTMFEvent{
		Digit:    eventDigits[code],
		End:      payload[1]&0x80 != 0,
		Volume:   payload[1] & 0x3f,
		Duration: uint16(payload[2])<<8 | uint16(payload[3]),
	}, nil
}

// AppendDTMF appends the telephone-event payload of ev to dst. A digit that
// RFC 4733 cannot carry appends nothing; a volume above 63 is sent as 63.
func AppendDTMF(dst []byte, ev DTMFEvent) []byte {
	code, ok := dtmfCode(ev.Digit)
	if !ok {
		return dst
	}
	b1 := min(ev.Volume, 63)
	if ev.End {
		b1 |= 0x80
	}
	return append(dst, code, b1, byte(ev.Duration>>8), byte(ev.Duration))
}

func dtmfCode(d byte) (byte, bool) {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	for i := range len(eventDigits) {
		if eventDigits[i] == d {
			return byte(i), true
		}
	}
	return 0, false
}
