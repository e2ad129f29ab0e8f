package rtpload

import (
	"net"
	"net/netip"
)

// stream is one flow of the load: a sending socket, a receiving socket and
// the counters of both sides. The sending fields belong to the stream's
// sender goroutine, the receiving fields to its receiver goroutine; Run reads
// both only after those goroutines have stopped.
type stream struct {
	id       uint32
	ssrc     uint32
	phase    int64 // offset of the stream's send slot within a period, ns
	send     *net.UDPConn
	recv     recvSocket
	recvAddr netip.AddrPort
	to       netip.AddrPort

	tx sendCounters
	_  [64]byte // keep the two sides' counters on separate cache lines
	rx recvCounters
}

type sendCounters struct {
	seq      uint32 // next sequence number
	sent     uint64
	measured uint64
	late     uint64 // sent more than lateAfter after the slot
	errors   uint64
}

type recvCounters struct {
	received  uint64 // every probe packet of this stream, duplicates included
	measured  uint64 // distinct packets sent in the measurement window
	dups      uint64 // duplicate arrivals of window packets
	reordered uint64 // window packets that arrived after a later one
	misrouted uint64 // a probe of another stream
	malformed uint64 // not a probe at all
	rtcp      uint64 // RTCP packets (ignored)

	seen    bool
	highest uint32
	window  uint64 // bit i: highest-i has arrived
}

// accept notes the arrival of seq and says whether it is a duplicate or
// arrived after a later packet. Packets more than 64 behind the highest one
// count as reordered and cannot be checked for duplication.
func (c *recvCounters) accept(seq uint32) (dup, reordered bool) {
	if !c.seen {
		c.seen, c.highest, c.window = true, seq, 1
		return false, false
	}
	if seq > c.highest {
		if d := seq - c.highest; d >= 64 {
			c.window = 1
		} else {
			c.window = c.window<<d | 1
		}
		c.highest = seq
		return false, false
	}
	d := c.highest - seq
	if d >= 64 {
		return false, true
	}
	bit := uint64(1) << d
	if c.window&bit != 0 {
		return true, false
	}
	c.window |= bit
	return false, true
}
