package rtpio

import (
	"encoding/binary"

	"github.com/pion/rtcp"
)

// reportWriter builds the periodic compound RTCP packet (SR or RR with at most
// one report block, SDES CNAME, optionally BYE) into a buffer it keeps, so
// that reporting allocates nothing. The layouts are RFC 3550 §6.4–6.6.
type reportWriter struct {
	buf [256]byte
	enc [256 + srtpOverhead]byte
}

// reportContent is what one report says.
type reportContent struct {
	ssrc   uint32
	sender bool // SR when true, RR otherwise
	ntp    uint64
	rtpTS  uint32
	pkts   uint32
	octets uint32
	block  *rtcp.ReceptionReport // nil: no report block
	cname  string
	bye    bool
}

// build returns the compound packet in the writer's buffer. A CNAME longer
// than 255 bytes is cut (the caller's CNAMEs are 16 bytes).
func (w *reportWriter) build(c *reportContent) []byte {
	b := w.buf[:0]
	rc := 0
	if c.block != nil {
		rc = 1
	}
	// Sender or receiver report.
	pt, words := uint8(rtcp.TypeReceiverReport), 1+6*rc
	if c.sender {
		pt, words = uint8(rtcp.TypeSenderReport), 6+6*rc
	}
	b = append(b, 0x80|uint8(rc), pt)
	b = binary.BigEndian.AppendUint16(b, uint16(words))
	b = binary.BigEndian.AppendUint32(b, c.ssrc)
	if c.sender {
		b = binary.BigEndian.AppendUint64(b, c.ntp)
		b = binary.BigEndian.AppendUint32(b, c.rtpTS)
		b = binary.BigEndian.AppendUint32(b, c.pkts)
		b = binary.BigEndian.AppendUint32(b, c.octets)
	}
	if r := c.block; r != nil {
		b = binary.BigEndian.AppendUint32(b, r.SSRC)
		lost := r.TotalLost & 0xffffff
		b = append(b, r.FractionLost, byte(lost>>16), byte(lost>>8), byte(lost))
		b = binary.BigEndian.AppendUint32(b, r.LastSequenceNumber)
		b = binary.BigEndian.AppendUint32(b, r.Jitter)
		b = binary.BigEndian.AppendUint32(b, r.LastSenderReport)
		b = binary.BigEndian.AppendUint32(b, r.Delay)
	}
	// SDES with one chunk: SSRC, CNAME item, END, padding to 32 bits.
	cname := c.cname
	if len(cname) > 255 {
		cname = cname[:255]
	}
	chunk := 4 + 2 + len(cname) + 1
	chunk += (4 - chunk%4) % 4
	b = append(b, 0x81, uint8(rtcp.TypeSourceDescription))
	b = binary.BigEndian.AppendUint16(b, uint16(chunk/4))
	b = binary.BigEndian.AppendUint32(b, c.ssrc)
	b = append(b, uint8(rtcp.SDESCNAME), uint8(len(cname)))
	b = append(b, cname...)
	for pad := chunk - (4 + 2 + len(cname)); pad > 0; pad-- {
		b = append(b, 0)
	}
	if c.bye {
		b = append(b, 0x81, uint8(rtcp.TypeGoodbye), 0, 1)
		b = binary.BigEndian.AppendUint32(b, c.ssrc)
	}
	return b
}
