package transcode

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// Codecs the tests use, as a far side would negotiate them.
var (
	pcmu   = call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}
	pcma   = call.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}
	g722   = call.Codec{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1}
	opus   = call.Codec{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2, FMTP: "minptime=10;useinbandfec=1"}
	aac    = call.Codec{Name: "MPEG4-GENERIC", PayloadType: 98, ClockRate: 48000, Channels: 1, FMTP: "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1188"}
	h264   = call.Codec{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}
	h264m0 = call.Codec{Name: "H264", PayloadType: 97, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=0"}
	vp8    = call.Codec{Name: "VP8", PayloadType: 100, ClockRate: 90000}
	h263p  = call.Codec{Name: "H263-1998", PayloadType: 104, ClockRate: 90000, FMTP: "CIF=1;QCIF=1"}
	h263   = call.Codec{Name: "H263", PayloadType: 34, ClockRate: 90000, FMTP: "CIF=1;QCIF=1"}
)

// timedPacket is a packet copy with its arrival time.
type timedPacket struct {
	at time.Duration
	p  rtp.Packet
}

func clonePacket(p *rtp.Packet) rtp.Packet {
	c := *p
	c.Payload = bytes.Clone(p.Payload)
	c.CSRC = nil
	c.Extensions = nil
	return c
}

// chain runs packets through a series of paths on a simulated clock that
// advances in steps of tick; each path's output arrives at the next path
// at once. It returns the last path's packets.
func chain(t testing.TB, paths []*Path, in []timedPacket, until, tick time.Duration) []timedPacket {
	t.Helper()
	stages := make([][]timedPacket, len(paths)+1)
	stages[0] = in
	next := make([]int, len(paths))
	for now := time.Duration(0); now <= until; now += tick {
		for i, p := range paths {
			for next[i] < len(stages[i]) && stages[i][next[i]].at <= now {
				p.Write(&stages[i][next[i]].p, stages[i][next[i]].at)
				next[i]++
			}
			if _, err := p.Process(now, func(pkt *rtp.Packet) error {
				stages[i+1] = append(stages[i+1], timedPacket{now, clonePacket(pkt)})
				return nil
			}); err != nil {
				t.Fatalf("path %d (%s to %s): %v", i, p.From().Name, p.To().Name, err)
			}
		}
	}
	return stages[len(paths)]
}
