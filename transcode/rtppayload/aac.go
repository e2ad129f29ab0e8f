package rtppayload

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pion/rtp"
)

// AACPacketizer puts AAC access units into RFC 3640 payloads in AAC-hbr
// mode (sizeLength=13, indexLength=3, indexDeltaLength=3): one access unit
// per packet, fragmented over several packets when it exceeds the MTU.
type AACPacketizer struct {
	MTU int // largest payload; DefaultMTU when 0
	buf []byte
}

// Packetize implements Packetizer.
func (p *AACPacketizer) Packetize(au []byte, emit func([]byte, bool) error) error {
	if len(au) >= 1<<13 {
		return fmt.Errorf("%w: AAC access unit of %d bytes", ErrUnsupported, len(au))
	}
	mtu := p.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	mtu = max(mtu, 8)
	if cap(p.buf) < mtu {
		p.buf = make([]byte, 0, mtu)
	}
	// AU-headers-length (16 bits, in bits), then one AU-header: size (13
	// bits, the whole unit's even in fragments) and index 0 (3 bits).
	hdr := [4]byte{0, 16, byte(len(au) >> 5), byte(len(au) << 3)}
	for first := true; first || len(au) > 0; first = false {
		n := min(mtu-4, len(au))
		pkt := append(p.buf[:0], hdr[:]...)
		pkt = append(pkt, au[:n]...)
		au = au[n:]
		if err := emit(pkt, len(au) == 0); err != nil {
			return err
		}
	}
	return nil
}

// AACDepacketizer rebuilds AAC access units from RFC 3640 AAC-hbr
// payloads, including several units per packet and fragmented units.
type AACDepacketizer struct {
	a    assembler
	want int // the size of the fragmented unit being rebuilt; 0 when none
}

// Reset implements Depacketizer.
func (d *AACDepacketizer) Reset() { d.a.active, d.want = false, 0 }

// Push implements Depacketizer. Each access unit of a packet is emitted
// with the packet's timestamp advanced by 1024 samples per unit.
func (d *AACDepacketizer) Push(p *rtp.Packet, lost bool, emit func(Frame) error) error {
	b := p.Payload
	if lost && d.want > 0 {
		d.a.active, d.want = false, 0
	}
	if len(b) < 2 {
		return ErrTruncated
	}
	bits := int(b[0])<<8 | int(b[1])
	if bits%16 != 0 {
		return fmt.Errorf("%w: AAC AU-headers-length %d (AAC-hbr uses 16-bit headers)", ErrUnsupported, bits)
	}
	n := bits / 16
	hdrEnd := 2 + bits/8
	if n == 0 || hdrEnd > len(b) {
		return ErrTruncated
	}
	data := b[hdrEnd:]
	if d.want > 0 {
		// A continuation of a fragmented unit.
		if n != 1 {
			d.a.active, d.want = false, 0
			return fmt.Errorf("%w: AAC fragment with %d headers", ErrMalformed, n)
		}
		if err := d.a.add(data); err != nil {
			d.a.active, d.want = false, 0
			return err
		}
		if len(d.a.buf) >= d.want || p.Marker {
			d.a.damaged = d.a.damaged || len(d.a.buf) != d.want
			d.want = 0
			return d.a.flush(emit)
		}
		return nil
	}
	ts := p.Timestamp
	for i := range n {
		size := int(b[2+2*i])<<5 | int(b[3+2*i])>>3
		if size == 0 {
			return fmt.Errorf("%w: empty AAC access unit", ErrMalformed)
		}
		if size > len(data) {
			if n == 1 {
				// The first fragment of a unit that continues in the next
				// packets.
				d.a.start(ts)
				d.a.key, d.a.damaged = true, lost
				if err := d.a.add(data); err != nil {
					return err
				}
				d.want = size
				return nil
			}
			return ErrTruncated
		}
		if err := emit(Frame{Data: data[:size], Timestamp: ts, Keyframe: true, Damaged: lost && i == 0}); err != nil {
			return err
		}
		data = data[size:]
		ts += 1024
	}
	return nil
}

// AACConfig decodes the AudioSpecificConfig of an RFC 3640 fmtp
// ("config=1190"), or nil.
func AACConfig(fmtp string) []byte {
	for part := range strings.SplitSeq(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "config") {
			b, err := hex.DecodeString(strings.TrimSpace(v))
			if err != nil || len(b) == 0 || len(b) > 64 {
				return nil
			}
			return b
		}
	}
	return nil
}

// AACFMTP renders the fmtp of an AAC-hbr stream with the given
// AudioSpecificConfig.
func AACFMTP(config []byte) string {
	return "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=" + hex.EncodeToString(config)
}
