package bridge

import (
	"time"

	"github.com/pion/rtp"
)

// noMapping marks a payload type that the outbound leg did not negotiate.
const noMapping = -1

// Rewriter turns the packets one leg sends on a stream into packets the other
// leg can accept: payload types mapped to the other leg's numbers, one
// constant SSRC, and sequence numbers and timestamps that stay continuous when
// the source changes (a new SSRC after a re-INVITE, a transfer, or a switch
// between senders). Within one source, gaps and reordering pass through
// unchanged, so receivers still see loss and NACKs can be mapped back.
//
// A Rewriter serves one direction of one stream and is not safe for
// concurrent use. Rewrite does not allocate.
type Rewriter struct {
	ssrc      uint32
	clockRate uint32
	ptMap     [128]int16

	started   bool
	inSSRC    uint32
	seqOffset uint16
	tsOffset  uint32

	lastOutSeq uint16
	lastOutTS  uint32
	lastAt     time.Duration
}

// NewRewriter returns a rewriter that sends as ssrc, for a stream whose RTP
// clock runs at clockRate Hz. Until Map is called every payload type is dropped.
func NewRewriter(ssrc, clockRate uint32) *Rewriter {
	r := &Rewriter{ssrc: ssrc, clockRate: clockRate}
	for i := range r.ptMap {
		r.ptMap[i] = noMapping
	}
	return r
}

// Map sends inbound payload type in as outbound payload type out.
func (r *Rewriter) Map(in, out uint8) {
	if in < 128 && out < 128 {
		r.ptMap[in] = int16(out)
	}
}

// SSRC returns the SSRC the rewriter sends as.
func (r *Rewriter) SSRC() uint32 { return r.ssrc }

// Rewrite rewrites p in place for the outbound leg; at is the packet's arrival
// time on a monotonic clock. It returns false when the packet must be dropped
// (a payload type the other leg did not negotiate).
func (r *Rewriter) Rewrite(p *rtp.Packet, at time.Duration) bool {
	if p.PayloadType >= 128 {
		return false
	}
	out := r.ptMap[p.PayloadType]
	if out == noMapping {
		return false
	}
	if !r.started || p.SSRC != r.inSSRC {
		r.switchSource(p, at)
	}
	p.PayloadType = uint8(out)
	p.SSRC = r.ssrc
	p.SequenceNumber += r.seqOffset
	p.Timestamp += r.tsOffset
	if seqNewer(p.SequenceNumber, r.lastOutSeq) {
		r.lastOutSeq = p.SequenceNumber
		r.lastOutTS = p.Timestamp
		r.lastAt = at
	}
	return true
}

// switchSource starts a new inbound source so that its first packet follows
// the last packet sent: the next sequence number, and a timestamp advanced by
// the wall-clock time since that packet (at least one tick).
func (r *Rewriter) switchSource(p *rtp.Packet, at time.Duration) {
	if !r.started {
		r.started = true
		r.inSSRC = p.SSRC
		// Keep the first source's numbering; only the SSRC changes.
		r.seqOffset, r.tsOffset = 0, 0
		r.lastOutSeq = p.SequenceNumber - 1
		r.lastOutTS = p.Timestamp
		r.lastAt = at
		return
	}
	r.inSSRC = p.SSRC
	elapsed := at - r.lastAt
	ticks := uint32(1)
	if elapsed > 0 {
		if t := uint64(elapsed) * uint64(r.clockRate) / uint64(time.Second); t > 0 {
			ticks = uint32(t)
		}
	}
	r.seqOffset = (r.lastOutSeq + 1) - p.SequenceNumber
	r.tsOffset = (r.lastOutTS + ticks) - p.Timestamp
}

// InboundSeq maps an outbound sequence number back to the inbound one of the
// current source, to translate NACKs from the receiving leg.
func (r *Rewriter) InboundSeq(out uint16) uint16 { return out - r.seqOffset }

// seqNewer reports whether a follows b in RTP sequence order (RFC 3550 A.1).
func seqNewer(a, b uint16) bool { return a != b && a-b < 0x8000 }
