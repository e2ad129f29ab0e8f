package rtppayload

import (
	"bytes"
	"fmt"

	"github.com/pion/rtp"
)

// nextH263Start returns the offset of the first byte-aligned start code
// (picture, GOB or slice: 00 00 then a byte with its top bit set) at or
// after from, or -1.
func nextH263Start(b []byte, from int) int {
	for from+2 < len(b) {
		j := bytes.Index(b[from:], zeroPair)
		if j < 0 || from+j+2 >= len(b) {
			return -1
		}
		k := from + j
		if b[k+2]&0x80 != 0 {
			return k
		}
		from = k + 1
	}
	return -1
}

var zeroPair = []byte{0, 0}

// h263Picture reads the fields of an H.263 picture header that payload
// headers repeat. b starts at the picture start code.
type h263Picture struct {
	tr       byte
	format   byte // source format, 1..5; 7 means PLUSPTYPE follows
	intra    bool
	umv, sac bool
	ap       bool
}

func parseH263Picture(b []byte) (h263Picture, bool) {
	var br bitReader
	br.b = b
	if br.read(22) != 0x20 { // PSC: 0000 0000 0000 0000 1000 00
		return h263Picture{}, false
	}
	p := h263Picture{tr: byte(br.read(8))}
	if br.read(2) != 2 { // PTYPE bits 1-2: always "10"
		return h263Picture{}, false
	}
	br.read(3) // split screen, document camera, freeze release
	p.format = byte(br.read(3))
	if p.format == 7 {
		// PLUSPTYPE: UFEP, then the optional part when UFEP is 001, then
		// the mandatory part whose first three bits code the picture type.
		ufep := br.read(3)
		if ufep == 1 {
			br.read(18)
		}
		p.intra = br.read(3) == 0
	} else {
		p.intra = br.read(1) == 0
		p.umv = br.read(1) == 1
		p.sac = br.read(1) == 1
		p.ap = br.read(1) == 1
	}
	if br.err {
		return h263Picture{}, false
	}
	return p, true
}

// bitReader reads big-endian bit fields; reading past the end sets err
// and returns zeros.
type bitReader struct {
	b   []byte
	pos int
	err bool
}

func (r *bitReader) read(n int) uint32 {
	var v uint32
	for range n {
		i := r.pos >> 3
		if i >= len(r.b) {
			r.err = true
			return 0
		}
		v = v<<1 | uint32(r.b[i]>>(7-r.pos&7))&1
		r.pos++
	}
	return v
}

// H263PPacketizer splits H.263 / H.263+ pictures into RFC 4629 payloads.
// Packets begin at picture, GOB or slice start codes where the MTU allows
// (their two leading zero bytes are then implied by the P bit); a segment
// longer than the MTU continues in follow-on packets.
type H263PPacketizer struct {
	MTU int // largest payload; DefaultMTU when 0
	buf []byte
}

// Packetize implements Packetizer.
func (p *H263PPacketizer) Packetize(frame []byte, emit func([]byte, bool) error) error {
	mtu := p.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	mtu = max(mtu, 8)
	if cap(p.buf) < mtu {
		p.buf = make([]byte, 0, mtu)
	}
	return packH263(frame, mtu-2, 2, func(seg []byte, atStart bool, last bool) error {
		hdr := byte(0)
		if atStart {
			hdr = 0x04 // P
			seg = seg[2:]
		}
		pkt := append(p.buf[:0], hdr, 0)
		pkt = append(pkt, seg...)
		return emit(pkt, last)
	})
}

// packH263 groups the start-code segments of a picture into runs and
// calls fn with each. A run costs its length, less drop bytes when it begins
// at a start code (RFC 4629's P bit implies two zero bytes); runs cost at
// most room. A segment that alone exceeds room is cut into pieces; only the
// first piece begins at a start code.
func packH263(frame []byte, room, drop int, fn func(run []byte, atStart, last bool) error) error {
	if room < 1 {
		return fmt.Errorf("%w: MTU too small", ErrMalformed)
	}
	isStart := func(off int) bool {
		return off+2 < len(frame) && frame[off] == 0 && frame[off+1] == 0 && frame[off+2]&0x80 != 0
	}
	cost := func(a, b int) int {
		if isStart(a) {
			return b - a - drop
		}
		return b - a
	}
	begin, pos := 0, 0 // the run being built is frame[begin:pos]
	step := func(end int) error {
		if cost(begin, end) <= room {
			pos = end
			return nil
		}
		if pos > begin {
			if err := fn(frame[begin:pos], isStart(begin), false); err != nil {
				return err
			}
			begin = pos
		}
		for cost(begin, end) > room {
			cut := begin + room
			if isStart(begin) {
				cut += drop
			}
			if err := fn(frame[begin:cut], isStart(begin), false); err != nil {
				return err
			}
			begin = cut
		}
		pos = end
		return nil
	}
	for off := nextH263Start(frame, 1); off > 0; off = nextH263Start(frame, off+3) {
		if err := step(off); err != nil {
			return err
		}
	}
	if err := step(len(frame)); err != nil {
		return err
	}
	if pos > begin {
		return fn(frame[begin:pos], isStart(begin), true)
	}
	return nil
}

// H263PDepacketizer rebuilds H.263 / H.263+ pictures from RFC 4629
// payloads.
type H263PDepacketizer struct {
	a assembler
}

// Reset implements Depacketizer.
func (d *H263PDepacketizer) Reset() { d.a.active = false }

// Push implements Depacketizer.
func (d *H263PDepacketizer) Push(p *rtp.Packet, lost bool, emit func(Frame) error) error {
	if err := d.a.begin(p, lost, emit); err != nil {
		return err
	}
	err := d.payload(p.Payload)
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

func (d *H263PDepacketizer) payload(b []byte) error {
	if len(b) < 2 {
		return ErrTruncated
	}
	pbit, vbit := b[0]&0x04 != 0, b[0]&0x02 != 0
	plen := int(b[0]&0x01)<<5 | int(b[1]>>3)
	i := 2
	if vbit {
		i++
	}
	i += plen
	if i > len(b) {
		return ErrTruncated
	}
	data := b[i:]
	if len(d.a.buf) == 0 {
		if !pbit || len(data) < 1 || data[0]&0xFC != 0x80 {
			// The picture's first packet is missing.
			d.a.damaged = true
		} else {
			var hdr [14]byte // the picture header with its implied zero bytes
			n := copy(hdr[2:], data)
			if pic, ok := parseH263Picture(hdr[:2+n]); ok {
				d.a.key = pic.intra
			}
		}
	}
	if pbit {
		return d.a.add([]byte{0, 0}, data)
	}
	return d.a.add(data)
}

// H263Packetizer splits H.263 (1996) pictures into RFC 2190 mode A
// payloads, one or more GOBs per packet. Mode A may only break at GOB
// boundaries; a GOB larger than the MTU is still split (at a byte
// boundary), which common receivers accept but the RFC does not foresee.
// Encoders should insert GOB headers often (FFmpeg's -ps) to avoid it.
type H263Packetizer struct {
	MTU int // largest payload; DefaultMTU when 0
	buf []byte
}

// Packetize implements Packetizer. frame must begin with a picture start
// code.
func (p *H263Packetizer) Packetize(frame []byte, emit func([]byte, bool) error) error {
	pic, ok := parseH263Picture(frame)
	if !ok || pic.format == 7 || pic.format == 0 {
		return fmt.Errorf("%w: not an H.263 baseline picture", ErrMalformed)
	}
	mtu := p.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	mtu = max(mtu, 8)
	if cap(p.buf) < mtu {
		p.buf = make([]byte, 0, mtu)
	}
	b1 := pic.format << 5
	if !pic.intra {
		b1 |= 0x10
	}
	if pic.umv {
		b1 |= 0x08
	}
	if pic.sac {
		b1 |= 0x04
	}
	if pic.ap {
		b1 |= 0x02
	}
	return packH263(frame, mtu-4, 0, func(run []byte, _, last bool) error {
		pkt := append(p.buf[:0], 0, b1, 0, pic.tr)
		pkt = append(pkt, run...)
		return emit(pkt, last)
	})
}

// H263Depacketizer rebuilds H.263 pictures from RFC 2190 payloads in any
// of its three modes, merging the partial bytes that SBIT and EBIT mark.
type H263Depacketizer struct {
	a    assembler
	ebit byte // unused low bits of the last byte appended
}

// Reset implements Depacketizer.
func (d *H263Depacketizer) Reset() { d.a.active, d.ebit = false, 0 }

// Push implements Depacketizer.
func (d *H263Depacketizer) Push(p *rtp.Packet, lost bool, emit func(Frame) error) error {
	if err := d.a.begin(p, lost, emit); err != nil {
		return err
	}
	if len(d.a.buf) == 0 {
		d.ebit = 0
	}
	err := d.payload(p.Payload)
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

func (d *H263Depacketizer) payload(b []byte) error {
	if len(b) < 4 {
		return ErrTruncated
	}
	f, pb := b[0]&0x80 != 0, b[0]&0x40 != 0
	sbit, ebit := (b[0]>>3)&0x07, b[0]&0x07
	hdr, inter := 4, b[1]&0x10 != 0
	switch {
	case f && !pb:
		hdr = 8
	case f && pb:
		hdr = 12
	}
	if len(b) < hdr {
		return ErrTruncated
	}
	if hdr > 4 {
		inter = b[4]&0x80 != 0
	}
	data := b[hdr:]
	if len(data) == 0 {
		return nil
	}
	if len(d.a.buf) == 0 {
		if len(data) < 3 || data[0] != 0 || data[1] != 0 || data[2]&0xFC != 0x80 {
			d.a.damaged = true // the picture's first packet is missing
		}
		d.a.key = !inter
	}
	if sbit != 0 && len(d.a.buf) > 0 {
		// The first byte completes the last byte of the previous packet.
		if d.ebit+sbit != 8 {
			d.a.damaged = true
		}
		last := len(d.a.buf) - 1
		d.a.buf[last] |= data[0] & (0xFF >> sbit)
		data = data[1:]
	}
	if err := d.a.add(data); err != nil {
		return err
	}
	d.ebit = 0
	if len(d.a.buf) > 0 && ebit != 0 {
		d.a.buf[len(d.a.buf)-1] &= 0xFF << ebit
		d.ebit = ebit
	}
	return nil
}
