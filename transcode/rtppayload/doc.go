// Package rtppayload turns coded media frames into RTP payloads and back:
// H.264 (RFC 6184, packetization modes 0 and 1 with STAP-A and FU-A), VP8
// (RFC 7741), H.263+ (RFC 4629), H.263 (RFC 2190 mode A, receiving all
// modes) and AAC (RFC 3640 AAC-hbr). Audio formats whose payload is the
// frame itself (G.711, G.722, Opus: RFC 3551, RFC 7587) need nothing here.
//
// It is not a codec: it reads only the few header bits that framing needs
// (NAL unit types, the VP8 payload descriptor, H.263 picture headers).
// Depacketizers take packets in sequence order (a jitter buffer's job) with
// a flag for loss before each; they never panic and never hold more than
// the packets they were given justify. Packetizers return views of the
// frame where the format allows it and reuse one scratch buffer otherwise.
package rtppayload

import (
	"errors"

	"github.com/pion/rtp"
)

// Frame is one coded picture or audio frame rebuilt from RTP payloads.
type Frame struct {
	// Data is the frame in the codec's own bitstream syntax (Annex B byte
	// stream for H.264). It is valid only during the emit call.
	Data      []byte
	Timestamp uint32
	// Keyframe reports a frame that decodes without earlier ones (an H.264
	// IDR picture, a VP8 key frame, an H.263 intra picture), as far as the
	// payload headers tell.
	Keyframe bool
	// Damaged reports that packets of this frame were lost or malformed:
	// what Data holds is incomplete.
	Damaged bool
}

// Depacketizer rebuilds frames from the payloads of one stream.
type Depacketizer interface {
	// Push takes the next packet in sequence order; lost reports that
	// packets are missing right before it. emit receives each frame that
	// completes. An error describes a malformed packet, which is dropped;
	// the frame it belonged to is then emitted as damaged.
	Push(p *rtp.Packet, lost bool, emit func(Frame) error) error
	// Reset drops any partial frame.
	Reset()
}

// Packetizer splits frames into RTP payloads of at most its MTU.
type Packetizer interface {
	// Packetize calls emit for each payload of frame, in order; marker is
	// set on the last. The payload is valid only during the call.
	Packetize(frame []byte, emit func(payload []byte, marker bool) error) error
}

// DefaultMTU is the largest payload packetizers produce unless told
// otherwise: room for IP, UDP, RTP, SRTP and a few header extensions in a
// 1500-byte Ethernet frame, with margin for tunnels.
const DefaultMTU = 1200

// MaxFrameSize bounds a rebuilt frame; a stream that claims more is
// malformed (a 4K intra picture stays well below it).
const MaxFrameSize = 4 << 20

// Errors that depacketizers report.
var (
	ErrTruncated   = errors.New("rtppayload: payload truncated")
	ErrMalformed   = errors.New("rtppayload: malformed payload")
	ErrUnsupported = errors.New("rtppayload: payload structure not supported")
	ErrFrameSize   = errors.New("rtppayload: frame larger than MaxFrameSize")
)

// assembler accumulates one frame's bytes and its state. Its buffer grows
// only with the data it is given.
type assembler struct {
	buf     []byte
	ts      uint32
	active  bool
	key     bool
	damaged bool
}

func (a *assembler) start(ts uint32) {
	a.buf = a.buf[:0]
	a.ts, a.active, a.key, a.damaged = ts, true, false, false
}

// add appends data; beyond MaxFrameSize the frame is marked damaged.
func (a *assembler) add(data ...[]byte) error {
	n := len(a.buf)
	for _, d := range data {
		n += len(d)
	}
	if n > MaxFrameSize {
		a.damaged = true
		return ErrFrameSize
	}
	for _, d := range data {
		a.buf = append(a.buf, d...)
	}
	return nil
}

// flush emits the frame in progress, if any, and ends it.
func (a *assembler) flush(emit func(Frame) error) error {
	if !a.active {
		return nil
	}
	a.active = false
	if len(a.buf) == 0 {
		return nil
	}
	return emit(Frame{Data: a.buf, Timestamp: a.ts, Keyframe: a.key, Damaged: a.damaged})
}

// begin handles frame boundaries common to every video format: a packet
// with a new timestamp ends the frame in progress (which lost its last
// packets if it saw no marker), and loss damages the frame it falls in.
func (a *assembler) begin(p *rtp.Packet, lost bool, emit func(Frame) error) error {
	if a.active && p.Timestamp != a.ts {
		if lost {
			a.damaged = true
		}
		if err := a.flush(emit); err != nil {
			return err
		}
	}
	if !a.active {
		a.start(p.Timestamp)
	}
	if lost {
		a.damaged = true
	}
	return nil
}
