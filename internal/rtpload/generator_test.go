package rtpload

import (
	"context"
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestAcceptWindow(t *testing.T) {
	tests := []struct {
		name          string
		seqs          []uint32
		dups, reorder int
	}{
		{"in order", []uint32{0, 1, 2, 3}, 0, 0},
		{"gap", []uint32{0, 1, 5, 6}, 0, 0},
		{"duplicate", []uint32{0, 1, 1, 2}, 1, 0},
		{"duplicate of the first", []uint32{7, 7}, 1, 0},
		{"swap", []uint32{0, 2, 1, 3}, 0, 1},
		{"late then duplicate", []uint32{0, 2, 1, 1}, 1, 1},
		{"far behind", []uint32{100, 1}, 0, 1},
		{"jump clears window", []uint32{0, 1, 200, 1}, 0, 1},
		{"edge of window", []uint32{0, 63, 0}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c recvCounters
			var dups, reorder int
			for _, s := range tt.seqs {
				d, r := c.accept(s)
				if d {
					dups++
				}
				if r {
					reorder++
				}
			}
			if dups != tt.dups || reorder != tt.reorder {
				t.Errorf("dups %d reordered %d, want %d %d", dups, reorder, tt.dups, tt.reorder)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{Streams: 1}, true},
		{"no streams", Config{}, false},
		{"small packet", Config{Streams: 1, Size: 20}, false},
		{"huge packet", Config{Streams: 1, Size: 9000}, false},
		{"negative rate", Config{Streams: 1, Rate: -1}, false},
		{"negative drain", Config{Streams: 1, Drain: -time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.cfg.withDefaults()
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (c.Rate != 50 || c.Size != 172 || c.Senders < 1 || !c.Addr.IsValid()) {
				t.Errorf("defaults not applied: %+v", c)
			}
		})
	}
}

// quickConfig is a short run: 80 measured slots per stream.
func quickConfig(streams int) Config {
	return Config{
		Streams:  streams,
		Rate:     200,
		Warmup:   100 * time.Millisecond,
		Duration: 400 * time.Millisecond,
		Drain:    150 * time.Millisecond,
	}
}

func TestRunLoopback(t *testing.T) {
	cfg := quickConfig(16)
	var windows []bool
	cfg.OnWindow = func(begin bool) { windows = append(windows, begin) }
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.Loopback()
	r, err := g.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := uint64(16 * 80)
	if r.Sent != want || r.Delivered != want || r.Lost != 0 {
		t.Errorf("sent %d delivered %d lost %d, want %d %d 0", r.Sent, r.Delivered, r.Lost, want, want)
	}
	if r.Misrouted != 0 || r.Malformed != 0 || r.Duplicates != 0 || r.SendErrors != 0 {
		t.Errorf("unexpected counts: %v", r)
	}
	if r.Latency.Count != want || r.Latency.P50 <= 0 || r.Latency.Max < r.Latency.P99 {
		t.Errorf("latency %+v", r.Latency)
	}
	if len(windows) != 2 || !windows[0] || windows[1] {
		t.Errorf("OnWindow calls %v, want [true false]", windows)
	}
	if r.SentPPS() != 16*200 {
		t.Errorf("sent pps %v, want %d", r.SentPPS(), 16*200)
	}
	t.Log(r)
}

// echoRelay forwards every packet arriving on one socket per stream to the
// stream's receive socket, dropping and duplicating some on the way.
type echoRelay struct {
	conns []*net.UDPConn
	wg    sync.WaitGroup
}

func startEchoRelay(t *testing.T, g *Generator, drop, dup func(seq uint32) bool) *echoRelay {
	t.Helper()
	r := &echoRelay{}
	for i := range g.Streams() {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		r.conns = append(r.conns, c)
		g.SetTarget(i, c.LocalAddr().(*net.UDPAddr).AddrPort())
		to := g.RecvAddr(i)
		r.wg.Go(func() {
			buf := make([]byte, 2048)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				p, err := ParsePacket(buf[:n])
				if err != nil || drop(p.Seq) {
					continue
				}
				buf[8] ^= 0xff // a relay may rewrite the SSRC
				_, _ = c.WriteToUDPAddrPort(buf[:n], to)
				if dup(p.Seq) {
					_, _ = c.WriteToUDPAddrPort(buf[:n], to)
				}
			}
		})
	}
	t.Cleanup(func() {
		for _, c := range r.conns {
			c.Close()
		}
		r.wg.Wait()
	})
	return r
}

func TestRunThroughLossyRelay(t *testing.T) {
	const streams = 8
	g, err := New(quickConfig(streams))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	startEchoRelay(t, g,
		func(seq uint32) bool { return seq%10 == 5 },
		func(seq uint32) bool { return seq%7 == 0 })
	r, err := g.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Measured slots are sequence numbers 20..99 of every stream (100 ms
	// of warm-up at 5 ms per packet): 8 of them end in 5, and 11 of the
	// others are multiples of 7 (21, 28, 42, ..., 98; 35 is dropped).
	if want := uint64(streams * 80); r.Sent != want {
		t.Fatalf("sent %d, want %d", r.Sent, want)
	}
	if want := uint64(streams * 8); r.Lost != want || r.StreamsWithLoss != streams || r.WorstStreamLoss != 8 {
		t.Errorf("lost %d in %d streams, want %d in %d", r.Lost, r.StreamsWithLoss, want, streams)
	}
	if want := uint64(streams * 11); r.Duplicates != want {
		t.Errorf("duplicates %d, want %d", r.Duplicates, want)
	}
	if r.Misrouted != 0 || r.Malformed != 0 {
		t.Errorf("misrouted %d malformed %d", r.Misrouted, r.Malformed)
	}
	t.Log(r)
}

func TestRunMisroutedAndMalformed(t *testing.T) {
	g, err := New(quickConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	// Stream 0 sends to stream 1's receiver and stream 1 to stream 0's.
	g.SetTarget(0, g.RecvAddr(1))
	g.SetTarget(1, g.RecvAddr(0))
	junk, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(g.RecvAddr(0)))
	if err != nil {
		t.Fatal(err)
	}
	defer junk.Close()
	cfg := g.Config()
	ctx := context.Background()
	go func() {
		time.Sleep(cfg.Warmup)
		_, _ = junk.Write([]byte("not rtp"))
		_, _ = junk.Write([]byte{0x80, 200, 0, 6, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	}()
	r, err := g.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Delivered != 0 || r.Lost != r.Sent || r.Misrouted == 0 || r.Malformed != 1 || r.RTCP != 1 {
		t.Errorf("crossed streams: %v", r)
	}
}

func TestRunCancelled(t *testing.T) {
	g, err := New(Config{Streams: 2, Warmup: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.Loopback()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := g.Run(ctx); err == nil {
		t.Fatal("Run returned no error after cancel")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v to stop", d)
	}
}

func TestRunNeedsTargets(t *testing.T) {
	g, err := New(Config{Streams: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := g.Run(context.Background()); err == nil {
		t.Fatal("Run without targets succeeded")
	}
}

// BenchmarkSendPacket measures one paced send: building the packet and the
// sendto system call.
func BenchmarkSendPacket(b *testing.B) {
	g, err := New(Config{Streams: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	st := g.streams[0]
	st.to = sink.LocalAddr().(*net.UDPAddr).AddrPort()
	buf := make([]byte, g.cfg.Size)
	go func() { // keep the sink's buffer from filling
		rb := make([]byte, 2048)
		for {
			if _, err := sink.Read(rb); err != nil {
				return
			}
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		g.sendOne(st, buf, 160, true, false)
	}
	if st.tx.errors != 0 {
		b.Fatalf("%d send errors", st.tx.errors)
	}
}

// BenchmarkReceivePacket measures the receiving side's accounting of one
// packet (parse, sequence window, latency histogram).
func BenchmarkReceivePacket(b *testing.B) {
	g, err := New(Config{Streams: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	st := g.streams[0]
	buf := make([]byte, 172)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = BuildPacket(buf, 0, 1, Probe{Stream: 0, Seq: uint32(i), SentNano: g.now(), Measured: true})
		g.arrived(st, buf, g.now())
	}
}

// BenchmarkLoopbackPacket measures a packet's whole path through the
// generator's own sockets: send, kernel loopback, receive, accounting.
func BenchmarkLoopbackPacket(b *testing.B) {
	g, err := New(Config{Streams: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	g.Loopback()
	st := g.streams[0]
	sbuf := make([]byte, g.cfg.Size)
	rbuf := make([]byte, MaxPacketSize)
	b.ReportAllocs()
	for b.Loop() {
		g.sendOne(st, sbuf, 160, true, false)
		n, err := readRecv(st.recv, rbuf)
		for err == syscall.EAGAIN { // not delivered yet
			runtime.Gosched()
			n, err = readRecv(st.recv, rbuf)
		}
		if err != nil {
			b.Fatal(err)
		}
		g.arrived(st, rbuf[:n], g.now())
	}
	if st.rx.measured != st.tx.measured {
		b.Fatalf("received %d of %d", st.rx.measured, st.tx.measured)
	}
}
