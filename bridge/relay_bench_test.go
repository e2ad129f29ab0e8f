package bridge

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// genTrack produces limit packets as fast as they are read, then blocks
// until its leg ends; it counts what is written to it.
type genTrack struct {
	stream  call.Stream
	limit   int
	n       int
	payload []byte
	done    <-chan struct{}
	written atomic.Int64
	full    chan struct{} // closed when want packets were written
	want    int64
}

func (g *genTrack) Stream() call.Stream { return g.stream }

func (g *genTrack) ReadRTP(p *rtp.Packet) error {
	if g.n >= g.limit {
		<-g.done
		return errLegEnded
	}
	g.n++
	p.Version, p.PayloadType, p.SSRC = 2, g.stream.Codec.PayloadType, 0x5151
	p.SequenceNumber, p.Timestamp = uint16(g.n), uint32(g.n)*3000
	p.Payload = g.payload
	return nil
}

func (g *genTrack) WriteRTP(*rtp.Packet) error {
	if g.written.Add(1) == g.want {
		close(g.full)
	}
	return nil
}

// genLeg is a fake leg with one generator track.
type genLeg struct {
	*fakeLeg
	tr *genTrack
}

func newGenLeg(id string, s call.Stream, limit int, want int64) *genLeg {
	l := &genLeg{fakeLeg: newFakeLeg(id, s)}
	l.tr = &genTrack{stream: s, limit: limit, payload: make([]byte, 1200), done: l.done, full: make(chan struct{}), want: want}
	if want == 0 {
		close(l.tr.full)
	}
	return l
}

func (l *genLeg) Track(string) (call.Track, bool) { return l.tr, true }

// BenchmarkJoinRelay pushes b.N video packets through Join from one fake
// leg to the other.
func BenchmarkJoinRelay(b *testing.B) {
	src := newGenLeg("a", call.Stream{ID: "v", Role: call.RoleVideo, Codec: h264a}, b.N, 0)
	dst := newGenLeg("b", call.Stream{ID: "v", Role: call.RoleVideo, Codec: h264b}, 0, int64(b.N))
	b.ReportAllocs()
	b.SetBytes(int64(len(src.tr.payload)))
	b.ResetTimer()
	res := joinAsync(context.Background(), src, dst, JoinOptions{})
	select {
	case <-dst.tr.full:
	case <-time.After(time.Minute):
		b.Fatal("packets did not arrive")
	}
	b.StopTimer()
	src.end(call.Errorf(call.RemoteHangup, "done"))
	if r := <-res; r.Streams[0].Packets != uint64(b.N) {
		b.Fatalf("relayed %d of %d", r.Streams[0].Packets, b.N)
	}
}

// BenchmarkRelayForward is the relay's per-packet work: rewrite and write.
func BenchmarkRelayForward(b *testing.B) {
	dst := &genTrack{full: make(chan struct{}), want: -1}
	var seen atomic.Int64
	start := time.Now()
	r := newRelay(call.RoleVideo, "a", "b", 0, nil, dst,
		call.Stream{ID: "v", Codec: h264a}, call.Stream{ID: "v", Codec: h264b}, &seen, func() time.Duration { return time.Since(start) })
	p := &rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 9}, Payload: make([]byte, 1200)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		p.PayloadType, p.SSRC, p.SequenceNumber, p.Timestamp = 96, 9, uint16(i), uint32(i)*3000
		r.forward(p, r.clock())
	}
	if r.counters.packets.Load() == 0 {
		b.Fatal("nothing forwarded")
	}
}

// TestRelayForwardDoesNotAllocate holds the relay hot path to zero
// allocations per packet.
func TestRelayForwardDoesNotAllocate(t *testing.T) {
	dst := &genTrack{full: make(chan struct{}), want: -1}
	var seen atomic.Int64
	r := newRelay(call.RoleAudio, "a", "b", 0, nil, dst,
		call.Stream{ID: "0", Codec: pcmu}, call.Stream{ID: "0", Codec: pcmu}, &seen, func() time.Duration { return 0 })
	p := &rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 9}, Payload: make([]byte, 160)}
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		i++
		p.PayloadType, p.SSRC, p.SequenceNumber = 0, 9, uint16(i)
		r.forward(p, time.Duration(i)*20*time.Millisecond)
	}); n != 0 {
		t.Fatalf("%.1f allocations per packet", n)
	}
}
