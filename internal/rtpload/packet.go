package rtpload

import (
	"encoding/binary"
	"errors"
)

// Packet layout. The RTP header is the usual 12 bytes (version 2, no CSRCs,
// no extension). The payload starts with a probe that the receiver reads
// back; relays may rewrite the RTP header (SSRC, sequence number, timestamp,
// payload type) but must carry the payload untouched.
//
//	offset  size  field
//	0       4     magic "SYLD"
//	4       4     stream id
//	8       4     sequence number within the stream, from 0
//	12      8     send time, nanoseconds on the generator's monotonic clock
//	20      1     flags (flagMeasured)
const (
	rtpHeaderLen = 12
	probeLen     = 21
	// MinPacketSize is the smallest packet the generator builds: an RTP
	// header and the probe.
	MinPacketSize = rtpHeaderLen + probeLen
	// MaxPacketSize bounds the packets the generator builds and the buffer
	// the receiver reads into.
	MaxPacketSize = 1500

	flagMeasured = 1 << 0
)

var probeMagic = [4]byte{'S', 'Y', 'L', 'D'}

// Probe is what a packet's payload tells the receiver.
type Probe struct {
	Stream   uint32
	Seq      uint32
	SentNano int64
	Measured bool
}

// Errors of ParsePacket.
var (
	ErrShort    = errors.New("rtpload: packet too short")
	ErrNotRTP   = errors.New("rtpload: not an RTP version 2 packet")
	ErrNotProbe = errors.New("rtpload: payload carries no probe")
)

// writeHeader fills the RTP header of buf for a stream's packet.
func writeHeader(buf []byte, pt uint8, ssrc uint32, seq uint16, ts uint32) {
	buf[0] = 0x80
	buf[1] = pt & 0x7f
	binary.BigEndian.PutUint16(buf[2:], seq)
	binary.BigEndian.PutUint32(buf[4:], ts)
	binary.BigEndian.PutUint32(buf[8:], ssrc)
}

// writeProbe fills the probe of a packet whose RTP header is rtpHeaderLen
// bytes long. buf must be at least MinPacketSize bytes.
func writeProbe(buf []byte, p Probe) {
	b := buf[rtpHeaderLen:]
	copy(b, probeMagic[:])
	binary.BigEndian.PutUint32(b[4:], p.Stream)
	binary.BigEndian.PutUint32(b[8:], p.Seq)
	binary.BigEndian.PutUint64(b[12:], uint64(p.SentNano))
	var flags byte
	if p.Measured {
		flags |= flagMeasured
	}
	b[20] = flags
}

// BuildPacket writes a complete packet of len(buf) bytes (at least
// MinPacketSize) carrying probe p, with RTP sequence number and timestamp
// derived from p.Seq for a 20 ms, 8 kHz stream. It is exported for tests of
// relays that want to produce probe packets themselves.
func BuildPacket(buf []byte, pt uint8, ssrc uint32, p Probe) error {
	if len(buf) < MinPacketSize {
		return ErrShort
	}
	writeHeader(buf, pt, ssrc, uint16(p.Seq), p.Seq*160)
	writeProbe(buf, p)
	return nil
}

// IsRTCP reports whether b looks like an RTCP packet (version 2, packet
// type 192-223), which a relay may send on the RTP port with rtcp-mux (RFC
// 5761 section 4).
func IsRTCP(b []byte) bool { return len(b) >= 8 && b[0]>>6 == 2 && b[1] >= 192 && b[1] <= 223 }

// ParsePacket reads the probe out of a received packet. It accepts any RTP
// header a relay may produce (CSRCs, a header extension) and never reads
// beyond b.
func ParsePacket(b []byte) (Probe, error) {
	if len(b) < rtpHeaderLen {
		return Probe{}, ErrShort
	}
	if b[0]>>6 != 2 {
		return Probe{}, ErrNotRTP
	}
	off := rtpHeaderLen + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 { // header extension: 4-byte head, then length words
		if len(b) < off+4 {
			return Probe{}, ErrShort
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	if len(b) < off+probeLen {
		return Probe{}, ErrShort
	}
	p := b[off : off+probeLen]
	if [4]byte(p[:4]) != probeMagic {
		return Probe{}, ErrNotProbe
	}
	return Probe{
		Stream:   binary.BigEndian.Uint32(p[4:]),
		Seq:      binary.BigEndian.Uint32(p[8:]),
		SentNano: int64(binary.BigEndian.Uint64(p[12:])),
		Measured: p[20]&flagMeasured != 0,
	}, nil
}
