package bridge

import (
	"context"
	"errors"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// forwarder is a call.Track that can push its packets to a relay instead
// of being read with ReadRTP: its transport calls fn for every packet that
// ReadRTP would have returned, on the transport's own threads, as each
// arrives, which saves a goroutine wake-up and a system call per packet.
// fn rewrites the packet and writes it to dst.
//
// ForwardRTP blocks until ctx ends or the track fails, as a ReadRTP loop
// would run. It returns errors.ErrUnsupported at once, having consumed
// nothing, when it cannot forward: fn would block writing to dst (dst is
// not a track the forwarder knows to write without blocking), or its
// transport has no way to push. The track decides what it would filter
// out of ReadRTP (telephone-events, say) and filters the same here.
//
// It is optional: the bridge reads any other track with ReadRTP. Protocol
// packages implement it on their tracks; the bridge never imports them.
type forwarder interface {
	ForwardRTP(ctx context.Context, dst call.Track, fn func(p *rtp.Packet)) error
}

// forwardDirect relays through the source track's ForwardRTP when it has
// one; it reports false when the relay must read the track itself.
func (r *relay) forwardDirect(ctx context.Context) bool {
	f, ok := r.src.(forwarder)
	if !ok {
		return false
	}
	err := f.ForwardRTP(ctx, r.dst, r.forwardNow)
	return !errors.Is(err, errors.ErrUnsupported)
}

// forwardNow forwards one packet pushed by the source track, arriving now.
func (r *relay) forwardNow(p *rtp.Packet) { r.forward(p, r.clock()) }
