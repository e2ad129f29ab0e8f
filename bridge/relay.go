package bridge

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// relay carries one direction of one stream from a leg's track to the
// other leg's track, rewriting each packet (payload type, SSRC, continuity)
// on the way. Its loop does not allocate per packet: one rtp.Packet is
// reused for every read.
type relay struct {
	role         call.Role
	from, to     string // leg IDs
	fromIdx      int    // the source leg's index in the join
	srcID, dstID string // stream IDs on the source and destination legs
	src, dst     call.Track
	counters     relayCounters
	seen         *atomic.Int64 // the source leg's last packet, join clock
	clock        func() time.Duration
	enabled      atomic.Bool // false: packets are read and dropped
	running      atomic.Bool // a goroutine runs the loop

	mu        sync.Mutex // guards what follows: the loop rewrites, events map NACKs
	rw        *Rewriter
	srcStream call.Stream
	dstStream call.Stream
}

// newRelay prepares a relay from stream s of leg 'from' to stream d of leg
// 'to'. It sends as a fresh random SSRC.
func newRelay(role call.Role, from, to string, fromIdx int, src, dst call.Track, s, d call.Stream, seen *atomic.Int64, clock func() time.Duration) *relay {
	r := &relay{
		role: role, from: from, to: to, fromIdx: fromIdx, srcID: s.ID, dstID: d.ID,
		src: src, dst: dst, seen: seen, clock: clock,
		rw: NewRewriter(rand.Uint32(), s.Codec.ClockRate), srcStream: s, dstStream: d,
	}
	r.rw.Map(s.Codec.PayloadType, d.Codec.PayloadType)
	r.enabled.Store(true)
	return r
}

// remap follows a renegotiation: packets of the source's (new) payload type
// go out as the destination's. Numbering continues across it.
func (r *relay) remap(s, d call.Stream) {
	r.mu.Lock()
	r.rw.Map(s.Codec.PayloadType, d.Codec.PayloadType)
	r.srcStream, r.dstStream = s, d
	r.mu.Unlock()
	r.enabled.Store(true)
}

// run reads and forwards until the source track fails (its leg ended) or
// ctx ends. A source track that can push its packets (forwarder) does so.
func (r *relay) run(ctx context.Context) {
	if r.forwardDirect(ctx) {
		return
	}
	var p rtp.Packet
	for {
		if err := r.src.ReadRTP(&p); err != nil {
			return
		}
		if ctx.Err() != nil {
			return
		}
		r.forward(&p, r.clock())
	}
}

// forward rewrites and writes one packet that arrived at 'at'.
func (r *relay) forward(p *rtp.Packet, at time.Duration) {
	r.seen.Store(int64(at))
	n := uint64(len(p.Payload))
	if !r.enabled.Load() {
		r.counters.dropped.Add(1)
		return
	}
	r.mu.Lock()
	ok := r.rw.Rewrite(p, at)
	r.mu.Unlock()
	if !ok {
		r.counters.dropped.Add(1)
		return
	}
	if err := r.dst.WriteRTP(p); err != nil {
		r.counters.dropped.Add(1)
		return
	}
	r.counters.packets.Add(1)
	r.counters.bytes.Add(n)
}

// inboundSeqs maps sequence numbers as the destination leg saw them back to
// the source's numbering, for a NACK from the destination's far side.
func (r *relay) inboundSeqs(out []uint16) []uint16 {
	in := make([]uint16, len(out))
	r.mu.Lock()
	for i, s := range out {
		in[i] = r.rw.InboundSeq(s)
	}
	r.mu.Unlock()
	return in
}

// result reports what the relay carried.
func (r *relay) result() StreamResult {
	r.mu.Lock()
	codec := r.srcStream.Codec
	r.mu.Unlock()
	return StreamResult{
		Role: r.role, From: r.from, To: r.to, Path: PathRelay, Codec: codec,
		Packets: r.counters.packets.Load(), Bytes: r.counters.bytes.Load(), Dropped: r.counters.dropped.Load(),
	}
}
