package rtppayload

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pion/rtp"
)

// H.264 NAL unit types that framing looks at (RFC 6184 section 5.2).
const (
	naluIDR   = 5
	naluSPS   = 7
	naluPPS   = 8
	naluAUD   = 9
	naluFill  = 12
	naluSTAPA = 24
	naluSTAPB = 25
	naluMTA16 = 26
	naluMTA24 = 27
	naluFUA   = 28
	naluFUB   = 29
)

var startCode = []byte{0, 0, 0, 1}

// NextNAL returns the first NAL unit of an Annex B byte stream and the rest
// of the stream after it; nal is nil when b holds no more units.
func NextNAL(b []byte) (nal, rest []byte) {
	i := startCodeEnd(b, 0)
	if i < 0 {
		return nil, nil
	}
	// The unit runs to the next start code (its leading zeros excluded).
	j := bytes.Index(b[i:], startCode[1:])
	if j < 0 {
		return b[i:], nil
	}
	j += i
	end := j
	for end > i && b[end-1] == 0 {
		end--
	}
	return b[i:end], b[j:]
}

// startCodeEnd returns the index after the first 00 00 01 at or after
// from, or -1.
func startCodeEnd(b []byte, from int) int {
	j := bytes.Index(b[from:], startCode[1:])
	if j < 0 {
		return -1
	}
	return from + j + 3
}

// H264Packetizer splits Annex B access units into RTP payloads.
//
// Mode 1 (non-interleaved) aggregates consecutive small NAL units (SPS,
// PPS, SEI) into STAP-A packets and fragments large ones with FU-A. Mode 0
// sends each NAL unit as one packet: the encoder must keep slices under the
// MTU (x264's slice-max-size); a larger unit is still sent whole, since mode
// 0 has no fragmentation.
type H264Packetizer struct {
	MTU  int // largest payload; DefaultMTU when 0
	Mode int // packetization-mode: 0 or 1
	buf  []byte
}

func (p *H264Packetizer) mtu() int {
	if p.MTU <= 0 {
		return DefaultMTU
	}
	return max(p.MTU, 16)
}

// Packetize implements Packetizer. Access unit delimiters and filler data
// are not sent.
func (p *H264Packetizer) Packetize(au []byte, emit func([]byte, bool) error) error {
	mtu := p.mtu()
	if cap(p.buf) < mtu {
		p.buf = make([]byte, 0, mtu)
	}
	var pending []byte // the NAL unit waiting to be sent: it might be the last
	stap := p.buf[:0]  // STAP-A being built (mode 1), holding NAL units before pending
	stapN := 0
	flushStap := func(last bool) error {
		switch stapN {
		case 0:
			return nil
		case 1: // a lone unit goes as a single NAL unit packet
			n := stap[1:]
			n = n[2:]
			stapN, stap = 0, p.buf[:0]
			return emit(n, last)
		}
		err := emit(stap, last)
		stapN, stap = 0, p.buf[:0]
		return err
	}
	send := func(nal []byte, last bool) error {
		if p.Mode == 0 || len(nal) <= mtu {
			if p.Mode != 0 {
				// Aggregate when the unit fits next to what is waiting.
				if stapN > 0 && len(stap)+2+len(nal) <= mtu {
					stap = append(stap, byte(len(nal)>>8), byte(len(nal)))
					stap = append(stap, nal...)
					stapN++
					stap[0] = max(stap[0]&0x60, nal[0]&0x60) | naluSTAPA
					if last {
						return flushStap(true)
					}
					return nil
				}
				if err := flushStap(false); err != nil {
					return err
				}
				if !last && 1+2+len(nal) <= mtu {
					stap = append(stap[:0], nal[0]&0x60|naluSTAPA, byte(len(nal)>>8), byte(len(nal)))
					stap = append(stap, nal...)
					stapN = 1
					return nil
				}
			}
			return emit(nal, last)
		}
		if err := flushStap(false); err != nil {
			return err
		}
		// FU-A: indicator (F, NRI, type 28), header (S, E, type), then data.
		ind := nal[0]&0xE0 | naluFUA
		typ := nal[0] & 0x1F
		data := nal[1:]
		chunk := mtu - 2
		for first := true; len(data) > 0; first = false {
			n := min(chunk, len(data))
			h := typ
			if first {
				h |= 0x80
			}
			end := n == len(data)
			if end {
				h |= 0x40
			}
			pkt := append(p.buf[:0], ind, h)
			pkt = append(pkt, data[:n]...)
			if err := emit(pkt, last && end); err != nil {
				return err
			}
			data = data[n:]
		}
		return nil
	}
	for rest := au; ; {
		var nal []byte
		nal, rest = NextNAL(rest)
		if nal == nil {
			break
		}
		if len(nal) == 0 {
			continue
		}
		if t := nal[0] & 0x1F; t == naluAUD || t == naluFill {
			continue
		}
		if pending != nil {
			if err := send(pending, false); err != nil {
				return err
			}
		}
		pending = nal
	}
	if pending != nil {
		return send(pending, true)
	}
	return flushStap(true)
}

// H264Depacketizer rebuilds Annex B access units from single NAL unit,
// STAP-A and FU-A packets (packetization modes 0 and 1). An access unit
// ends at the marker bit or when the timestamp changes.
type H264Depacketizer struct {
	a    assembler
	inFU bool // an FU-A unit is open in the frame
}

// Reset implements Depacketizer.
func (d *H264Depacketizer) Reset() {
	d.a.active, d.inFU = false, false
}

// Push implements Depacketizer.
func (d *H264Depacketizer) Push(p *rtp.Packet, lost bool, emit func(Frame) error) error {
	if err := d.a.begin(p, lost, emit); err != nil {
		return err
	}
	if lost {
		d.inFU = false
	}
	err := d.payload(p.Payload)
	if err != nil {
		d.a.damaged = true
	}
	if p.Marker {
		d.inFU = false
		if ferr := d.a.flush(emit); ferr != nil {
			return ferr
		}
	}
	return err
}

func (d *H264Depacketizer) payload(b []byte) error {
	if len(b) < 1 {
		return ErrTruncated
	}
	t := b[0] & 0x1F
	if t != naluFUA && d.inFU {
		// The open fragment never saw its end.
		d.inFU = false
		d.a.damaged = true
	}
	switch {
	case t >= 1 && t <= 23:
		return d.nal(b)
	case t == naluSTAPA:
		for rest := b[1:]; len(rest) > 0; {
			if len(rest) < 2 {
				return ErrTruncated
			}
			n := int(rest[0])<<8 | int(rest[1])
			if n == 0 || n > len(rest)-2 {
				return fmt.Errorf("%w: STAP-A unit of %d bytes with %d left", ErrMalformed, n, len(rest)-2)
			}
			if err := d.nal(rest[2 : 2+n]); err != nil {
				return err
			}
			rest = rest[2+n:]
		}
		return nil
	case t == naluFUA:
		if len(b) < 3 {
			return ErrTruncated
		}
		start, end := b[1]&0x80 != 0, b[1]&0x40 != 0
		typ := b[1] & 0x1F
		switch {
		case start:
			if d.inFU {
				d.a.damaged = true
			}
			if err := d.a.add(startCode, []byte{b[0]&0xE0 | typ}, b[2:]); err != nil {
				return err
			}
			if typ == naluIDR {
				d.a.key = true
			}
			d.inFU = !end
		case d.inFU:
			if err := d.a.add(b[2:]); err != nil {
				return err
			}
			d.inFU = !end
		default:
			// A middle or end fragment whose start was lost.
			d.a.damaged = true
		}
		return nil
	case t == naluSTAPB || t == naluMTA16 || t == naluMTA24 || t == naluFUB:
		return fmt.Errorf("%w: H.264 NAL unit type %d (interleaved mode)", ErrUnsupported, t)
	}
	return fmt.Errorf("%w: H.264 NAL unit type %d", ErrMalformed, t)
}

func (d *H264Depacketizer) nal(n []byte) error {
	if n[0]&0x1F == naluIDR {
		d.a.key = true
	}
	return d.a.add(startCode, n)
}

// H264ParameterSets decodes an fmtp's sprop-parameter-sets (base64 SPS and
// PPS, comma separated) into an Annex B byte stream, or nil.
func H264ParameterSets(fmtp string) []byte {
	var v string
	for part := range strings.SplitSeq(fmtp, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "sprop-parameter-sets") {
			v = strings.TrimSpace(val)
		}
	}
	if v == "" {
		return nil
	}
	var out []byte
	for s := range strings.SplitSeq(v, ",") {
		nal, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil || len(nal) == 0 || len(nal) > 4096 {
			continue
		}
		out = append(out, startCode...)
		out = append(out, nal...)
	}
	return out
}

// H264Keyframe reports whether an Annex B access unit holds an IDR slice.
func H264Keyframe(au []byte) bool {
	for rest := au; ; {
		var nal []byte
		nal, rest = NextNAL(rest)
		if nal == nil {
			return false
		}
		if len(nal) > 0 && nal[0]&0x1F == naluIDR {
			return true
		}
	}
}
