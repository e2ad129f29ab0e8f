package rtppayload

import (
	"github.com/pion/rtp"
)

// VP8Packetizer splits VP8 frames into RFC 7741 payloads. Each payload
// descriptor carries a 15-bit picture ID, which receivers use to detect
// lost frames.
type VP8Packetizer struct {
	MTU       int    // largest payload; DefaultMTU when 0
	PictureID uint16 // of the next frame; it advances by one per frame
	buf       []byte
}

// Packetize implements Packetizer.
func (p *VP8Packetizer) Packetize(frame []byte, emit func([]byte, bool) error) error {
	mtu := p.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	mtu = max(mtu, 8)
	if cap(p.buf) < mtu {
		p.buf = make([]byte, 0, mtu)
	}
	id := p.PictureID & 0x7FFF
	p.PictureID = (id + 1) & 0x7FFF
	const hdr = 4
	for first := true; first || len(frame) > 0; first = false {
		n := min(mtu-hdr, len(frame))
		b0 := byte(0x80) // X
		if first {
			b0 |= 0x10 // S, partition 0
		}
		pkt := append(p.buf[:0], b0, 0x80, 0x80|byte(id>>8), byte(id))
		pkt = append(pkt, frame[:n]...)
		frame = frame[n:]
		if err := emit(pkt, len(frame) == 0); err != nil {
			return err
		}
	}
	return nil
}

// VP8Depacketizer rebuilds VP8 frames from RFC 7741 payloads. A frame
// begins at a packet with S set and partition index 0 and ends at the
// marker bit or a new timestamp.
type VP8Depacketizer struct {
	a assembler
}

// Reset implements Depacketizer.
func (d *VP8Depacketizer) Reset() { d.a.active = false }

// Push implements Depacketizer.
func (d *VP8Depacketizer) Push(p *rtp.Packet, lost bool, emit func(Frame) error) error {
	if err := d.a.begin(p, lost, emit); err != nil {
		return err
	}
	data, start, err := vp8Payload(p.Payload)
	if err == nil {
		switch {
		case start:
			if len(d.a.buf) > 0 {
				// A second frame start under one timestamp: the first one
				// lost its end.
				d.a.damaged = true
				if err := d.a.flush(emit); err != nil {
					return err
				}
				d.a.start(p.Timestamp)
			}
			// Bit 0 of the frame tag is 0 for key frames.
			d.a.key = len(data) > 0 && data[0]&0x01 == 0
			err = d.a.add(data)
		case len(d.a.buf) == 0:
			d.a.damaged = true // continuation of a frame whose start was lost
		default:
			err = d.a.add(data)
		}
	}
	if err != nil {
		d.a.damaged = true
	}
	if p.Marker {
		if ferr := d.a.flush(emit); ferr != nil {
			return ferr
		}
	}
	return err
}

// vp8Payload skips the payload descriptor and reports whether the packet
// starts a frame (S set, partition index 0).
func vp8Payload(b []byte) (data []byte, start bool, err error) {
	if len(b) < 1 {
		return nil, false, ErrTruncated
	}
	i := 1
	if b[0]&0x80 != 0 { // X: extension byte
		if len(b) < 2 {
			return nil, false, ErrTruncated
		}
		x := b[1]
		i = 2
		if x&0x80 != 0 { // I: picture ID, 7 or 15 bits
			if len(b) <= i {
				return nil, false, ErrTruncated
			}
			if b[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if x&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if x&0x30 != 0 { // T or K: TID/Y/KEYIDX
			i++
		}
	}
	if i > len(b) {
		return nil, false, ErrTruncated
	}
	return b[i:], b[0]&0x10 != 0 && b[0]&0x07 == 0, nil
}
