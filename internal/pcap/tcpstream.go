package pcap

import (
	"net/netip"
	"slices"
	"time"
)

// Stream is the bytes one side of a TCP connection sent, in sequence order.
type Stream struct {
	Src, Dst netip.AddrPort
	// Data holds the payload bytes in sequence order, retransmissions
	// removed.
	Data []byte
	// Missing counts payload bytes the capture never showed (holes in the
	// sequence space). Data closes each hole up, so a stream with Missing
	// bytes is not what the peer received.
	Missing int
	// First is the capture time of the first segment carrying data.
	First time.Time
	// FIN is set when the sender closed its side.
	FIN bool
}

// Conn is one TCP connection of a capture.
type Conn struct {
	// Client sent the first SYN (or, without one in the capture, the first
	// segment seen); Server is the other end.
	Client, Server netip.AddrPort
	// ClientToServer and ServerToClient are the two directions.
	ClientToServer, ServerToClient Stream
}

type segment struct {
	seq  uint32
	data []byte
	time time.Time
	idx  int // capture order, to keep sorting stable
}

type direction struct {
	src, dst netip.AddrPort
	isn      uint32
	haveISN  bool
	segs     []segment
	fin      bool
}

type conn struct {
	client, server netip.AddrPort
	c2s, s2c       direction
}

type tuple struct{ a, b netip.AddrPort }

// ReassembleTCP groups the TCP packets of a capture into connections and
// returns, for each connection in order of first appearance, the byte
// stream of each direction. Segments are placed by sequence number, so
// retransmissions and reordering are handled; lost segments leave holes
// counted in Stream.Missing. A SYN with a new initial sequence number on a
// 4-tuple already seen starts a new connection. UDP packets are ignored.
func ReassembleTCP(pkts []Packet) []Conn {
	var conns []*conn
	current := make(map[tuple]*conn)
	for i, p := range pkts {
		if p.Proto != ProtoTCP {
			continue
		}
		key := tuple{p.Src, p.Dst}
		if lessAddrPort(p.Dst, p.Src) {
			key = tuple{p.Dst, p.Src}
		}
		c := current[key]
		isSYN := p.Flags&FlagSYN != 0 && p.Flags&FlagACK == 0
		if c != nil && isSYN && c.client == p.Src && c.c2s.haveISN && c.c2s.isn != p.Seq {
			c = nil // the 4-tuple is reused by a new connection
		}
		if c == nil {
			c = &conn{client: p.Src, server: p.Dst}
			if !isSYN && p.Flags&FlagSYN != 0 {
				// First seen a SYN-ACK: its sender is the server.
				c.client, c.server = p.Dst, p.Src
			}
			c.c2s.src, c.c2s.dst = c.client, c.server
			c.s2c.src, c.s2c.dst = c.server, c.client
			current[key] = c
			conns = append(conns, c)
		}
		d := &c.c2s
		if p.Src != c.client {
			d = &c.s2c
		}
		if p.Flags&FlagSYN != 0 {
			d.isn, d.haveISN = p.Seq, true
		}
		if p.Flags&FlagFIN != 0 {
			d.fin = true
		}
		if len(p.Payload) > 0 {
			seq := p.Seq
			if p.Flags&FlagSYN != 0 {
				seq++ // data on a SYN follows the SYN's sequence number
			}
			d.segs = append(d.segs, segment{seq: seq, data: p.Payload, time: p.Time, idx: i})
		}
	}
	out := make([]Conn, 0, len(conns))
	for _, c := range conns {
		out = append(out, Conn{
			Client:         c.client,
			Server:         c.server,
			ClientToServer: c.c2s.stream(),
			ServerToClient: c.s2c.stream(),
		})
	}
	return out
}

// stream orders the segments of one direction and concatenates them.
func (d *direction) stream() Stream {
	s := Stream{Src: d.src, Dst: d.dst, FIN: d.fin}
	if len(d.segs) == 0 {
		return s
	}
	base := d.segs[0].seq
	if d.haveISN {
		base = d.isn + 1
	} else {
		// No SYN: start at the lowest sequence number seen.
		for _, sg := range d.segs {
			if int32(sg.seq-base) < 0 {
				base = sg.seq
			}
		}
	}
	rel := func(sg segment) int64 { return int64(int32(sg.seq - base)) }
	slices.SortStableFunc(d.segs, func(a, b segment) int {
		ra, rb := rel(a), rel(b)
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return a.idx - b.idx
	})
	var end int64
	for _, sg := range d.segs {
		r := rel(sg)
		data := sg.data
		if r > end {
			s.Missing += int(r - end)
			end = r
		}
		if r+int64(len(data)) <= end {
			continue // retransmission of bytes already placed
		}
		data = data[end-r:]
		if len(s.Data) == 0 {
			s.First = sg.time
		}
		s.Data = append(s.Data, data...)
		end += int64(len(data))
	}
	return s
}

func lessAddrPort(a, b netip.AddrPort) bool {
	return a.Compare(b) < 0
}
