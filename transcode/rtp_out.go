package transcode

import (
	"math/rand/v2"

	"github.com/pion/rtp"
)

// rtpOut numbers the packets a path sends: one SSRC, a sequence number and
// an RTP clock of its own, all starting at random values (RFC 3550). It
// reuses one packet, so sending does not allocate.
type rtpOut struct {
	pkt  rtp.Packet
	pt   uint8
	ssrc uint32
	seq  uint16
	ts   uint32 // the next timestamp, for sources that count it here
}

func (o *rtpOut) init(pt uint8, ssrc uint32) {
	if ssrc == 0 {
		ssrc = rand.Uint32() | 1
	}
	o.pt, o.ssrc = pt, ssrc
	o.seq = uint16(rand.Uint32())
	o.ts = rand.Uint32()
}

// send emits one packet with the given payload, marker and timestamp.
func (o *rtpOut) send(payload []byte, marker bool, ts uint32, emit func(*rtp.Packet) error) error {
	o.pkt.Header = rtp.Header{Version: 2, PayloadType: o.pt, SequenceNumber: o.seq, Timestamp: ts, SSRC: o.ssrc, Marker: marker}
	o.pkt.Payload = payload
	o.pkt.PaddingSize = 0
	o.seq++
	return emit(&o.pkt)
}
