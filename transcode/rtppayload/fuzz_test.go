package rtppayload

import (
	"testing"

	"github.com/pion/rtp"
)

func newDepacketizer(kind byte) Depacketizer {
	switch kind % 5 {
	case 0:
		return &H264Depacketizer{}
	case 1:
		return &VP8Depacketizer{}
	case 2:
		return &H263PDepacketizer{}
	case 3:
		return &H263Depacketizer{}
	}
	return &AACDepacketizer{}
}

// FuzzDepacketize feeds arbitrary packet sequences to every depacketizer:
// data[0] picks the format, then each packet is a length byte, a flags byte
// (marker, loss before it, new timestamp) and the payload.
func FuzzDepacketize(f *testing.F) {
	f.Add([]byte{0, 3, 0x01, 0x65, 0x88, 0x84})
	f.Add([]byte{0, 5, 0x00, 0x7C, 0x85, 1, 2, 3, 4, 0x01, 0x7C, 0x45, 9})
	f.Add([]byte{0, 9, 0x01, 0x18, 0, 2, 0x67, 1, 0, 1, 0x68})
	f.Add([]byte{1, 6, 0x01, 0x90, 0x80, 0x80, 0x01, 0x00, 0x9d})
	f.Add([]byte{2, 6, 0x01, 0x04, 0x00, 0x80, 0x02, 0x0A, 0x1F})
	f.Add([]byte{3, 8, 0x01, 0x00, 0x60, 0x00, 0x05, 0x00, 0x00, 0x80, 0x02})
	f.Add([]byte{3, 12, 0x01, 0x80, 0x60, 0, 0, 0x80, 0, 0, 0, 1, 2, 3, 4})
	f.Add([]byte{4, 7, 0x01, 0x00, 0x10, 0x00, 0x18, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		d := newDepacketizer(data[0])
		rest := data[1:]
		var ts uint32
		total := 0
		for len(rest) >= 2 {
			n, flags := int(rest[0]), rest[1]
			rest = rest[2:]
			n = min(n, len(rest))
			if flags&0x04 != 0 {
				ts += 3000
			}
			p := &rtp.Packet{Header: rtp.Header{Marker: flags&0x01 != 0, Timestamp: ts}, Payload: rest[:n]}
			rest = rest[n:]
			total += n
			_ = d.Push(p, flags&0x02 != 0, func(fr Frame) error {
				if len(fr.Data) > 2*total+64 {
					t.Fatalf("frame of %d bytes from %d bytes of payload", len(fr.Data), total)
				}
				return nil
			})
		}
		d.Reset()
	})
}

// FuzzPacketize splits arbitrary frames with every packetizer and checks
// the MTU and that the depacketizer takes the result back without error.
func FuzzPacketize(f *testing.F) {
	f.Add(byte(0), uint16(100), []byte{0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x65, 5, 6, 7})
	f.Add(byte(1), uint16(20), []byte{0x10, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	f.Add(byte(2), uint16(30), []byte{0, 0, 0x80, 0x02, 0x0A, 0, 0, 0x84, 1, 2, 3})
	f.Add(byte(3), uint16(30), []byte{0, 0, 0x80, 0x02, 0x0C, 0x08, 0, 0, 0x84, 1, 2, 3})
	f.Add(byte(4), uint16(9), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Fuzz(func(t *testing.T, kind byte, mtu uint16, frame []byte) {
		m := int(mtu%1500) + 16
		var pz Packetizer
		switch kind % 6 {
		case 0:
			pz = &H264Packetizer{MTU: m, Mode: 1}
		case 1:
			pz = &VP8Packetizer{MTU: m}
		case 2:
			pz = &H263PPacketizer{MTU: m}
		case 3:
			pz = &H263Packetizer{MTU: m}
		case 4:
			pz = &AACPacketizer{MTU: m}
		default:
			pz = &H264Packetizer{MTU: m, Mode: 0}
		}
		d := newDepacketizer(kind)
		if kind%6 == 5 {
			d = &H264Depacketizer{}
		}
		_ = pz.Packetize(frame, func(b []byte, marker bool) error {
			if len(b) > m && kind%6 != 5 {
				t.Fatalf("payload of %d bytes over MTU %d", len(b), m)
			}
			_ = d.Push(&rtp.Packet{Header: rtp.Header{Marker: marker}, Payload: b}, false, func(Frame) error { return nil })
			return nil
		})
	})
}
