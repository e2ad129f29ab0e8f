package tpkt

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	// Version is the TPKT version octet.
	Version = 3
	// HeaderLen is the size of the TPKT header.
	HeaderLen = 4
	// MaxLen is the largest packet the 16-bit length field can describe,
	// header included.
	MaxLen = 0xffff
	// MaxPayload is the largest payload of one packet.
	MaxPayload = MaxLen - HeaderLen
)

// Errors. Each error returned by this package wraps one of them.
var (
	// ErrVersion: the first octet is not 3 (the stream is not TPKT, or
	// framing was lost).
	ErrVersion = errors.New("tpkt: bad version")
	// ErrLength: the length field is below the header size.
	ErrLength = errors.New("tpkt: length below header size")
	// ErrTooLong: the packet exceeds the caller's maximum.
	ErrTooLong = errors.New("tpkt: packet exceeds maximum length")
	// ErrIncomplete: the buffer does not hold a whole packet yet.
	ErrIncomplete = errors.New("tpkt: incomplete packet")
)

// Header checks a TPKT header and returns the packet length it announces,
// header included. max bounds the length (values outside 4..MaxLen mean
// MaxLen). Reserved octets other than zero are tolerated.
func Header(h [HeaderLen]byte, max int) (int, error) {
	if h[0] != Version {
		return 0, versionError(h[0])
	}
	n := int(binary.BigEndian.Uint16(h[2:4]))
	if n < HeaderLen {
		return 0, fmt.Errorf("%w: length %d", ErrLength, n)
	}
	if max = clampMax(max); n > max {
		return 0, fmt.Errorf("%w: length %d, maximum %d", ErrTooLong, n, max)
	}
	return n, nil
}

func versionError(v byte) error {
	return fmt.Errorf("%w: %d", ErrVersion, v)
}

func clampMax(max int) int {
	if max < HeaderLen || max > MaxLen {
		return MaxLen
	}
	return max
}

// Split parses the first packet of buf: it returns the packet's payload
// (a sub-slice of buf) and the bytes that follow it. When buf holds only
// part of a packet it returns ErrIncomplete (read more and call again);
// other errors mean the stream is not valid TPKT. Split does not allocate
// on success or on ErrIncomplete.
func Split(buf []byte, max int) (payload, rest []byte, err error) {
	if len(buf) > 0 && buf[0] != Version {
		// Fail on a bad version before waiting for more bytes.
		return nil, buf, versionError(buf[0])
	}
	if len(buf) < HeaderLen {
		return nil, buf, ErrIncomplete
	}
	n, err := Header([HeaderLen]byte(buf[:HeaderLen]), max)
	if err != nil {
		return nil, buf, err
	}
	if len(buf) < n {
		return nil, buf, ErrIncomplete
	}
	return buf[HeaderLen:n:n], buf[n:], nil
}

// ScanPackets is a bufio.SplitFunc for TPKT streams (packets up to MaxLen):
// each token is one packet's payload, empty for a keep-alive.
func ScanPackets(data []byte, atEOF bool) (advance int, token []byte, err error) {
	payload, rest, err := Split(data, MaxLen)
	switch {
	case err == nil:
		return len(data) - len(rest), payload, nil
	case errors.Is(err, ErrIncomplete):
		if atEOF && len(data) > 0 {
			return 0, nil, fmt.Errorf("tpkt: stream ends inside a packet (%d bytes left)", len(data))
		}
		return 0, nil, nil
	}
	return 0, nil, err
}

// Append appends payload framed as one TPKT packet to dst.
func Append(dst, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return dst, fmt.Errorf("%w: payload of %d bytes", ErrTooLong, len(payload))
	}
	n := len(payload) + HeaderLen
	dst = append(dst, Version, 0, byte(n>>8), byte(n))
	return append(dst, payload...), nil
}
