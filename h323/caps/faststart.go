package caps

import (
	"errors"
	"fmt"

	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// EncodeFastStart encodes logical channels as the OCTET STRING elements of
// a fastStart field (H.225.0 Setup, CallProceeding, Alerting, Progress,
// Facility and Connect): each element is one aligned-PER
// OpenLogicalChannel.
func EncodeFastStart(olcs []h245.OpenLogicalChannel) ([][]byte, error) {
	out := make([][]byte, 0, len(olcs))
	var e per.Encoder
	for i := range olcs {
		e.Reset()
		if err := olcs[i].Encode(&e); err != nil {
			return nil, fmt.Errorf("fastStart element %d: %w", i, err)
		}
		out = append(out, append([]byte(nil), e.Bytes()...))
	}
	return out, nil
}

// DecodeFastStart decodes the elements of a fastStart field. An element
// that does not decode, or that holds more than one OpenLogicalChannel, is
// an error naming its index.
func DecodeFastStart(elems [][]byte) ([]h245.OpenLogicalChannel, error) {
	out := make([]h245.OpenLogicalChannel, len(elems))
	var d per.Decoder
	for i, b := range elems {
		d.Reset(b)
		if err := out[i].Decode(&d); err != nil {
			return nil, fmt.Errorf("fastStart element %d: %w", i, err)
		}
		if d.BitsLeft() >= 8 {
			return nil, fmt.Errorf("%w: fastStart element %d has %d octets after its OpenLogicalChannel", ErrInvalid, i, d.BitsLeft()/8)
		}
	}
	return out, nil
}

// FastStart builds the fastStart elements of a list of channels (forward
// channels the sender will transmit, Reverse proposals for what it will
// receive).
func FastStart(channels ...OLC) ([][]byte, error) {
	olcs := make([]h245.OpenLogicalChannel, 0, len(channels))
	for _, c := range channels {
		olc, err := c.OpenLogicalChannel()
		if err != nil {
			return nil, err
		}
		olcs = append(olcs, olc)
	}
	return EncodeFastStart(olcs)
}

// ParseFastStart decodes fastStart elements and parses each channel.
// Channels with media this package does not describe are left out and
// their indices returned in skipped; a malformed element is an error.
func ParseFastStart(elems [][]byte) (channels []OLC, skipped []int, err error) {
	olcs, err := DecodeFastStart(elems)
	if err != nil {
		return nil, nil, err
	}
	for i := range olcs {
		o, err := ParseOLC(&olcs[i])
		if errors.Is(err, ErrUnsupported) {
			skipped = append(skipped, i)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("fastStart element %d: %w", i, err)
		}
		channels = append(channels, o)
	}
	return channels, skipped, nil
}
