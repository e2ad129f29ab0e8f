package rtpio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// forwardSupported skips tests of the receive engine where there is none.
func forwardSupported(t testing.TB) {
	t.Helper()
	if !haveEngine {
		t.Skip("no receive engine on this platform")
	}
}

// relayLine is a phone, a gateway session facing it, a gateway session
// facing a second phone, and that phone: what arrives from phone A on in
// is forwarded out to phone B.
type relayLine struct {
	alloc   *Allocator
	phoneA  *udpPeer
	in, out *Session
	phoneB  *udpPeer
}

func newRelayLine(t testing.TB, a *Allocator, mux bool) *relayLine {
	t.Helper()
	l := &relayLine{alloc: a, phoneA: newUDPPeer(t), phoneB: newUDPPeer(t)}
	l.in, l.out = openSession(t, a), openSession(t, a)
	l.in.SetRemote(l.phoneA.addr(), netip.AddrPort{}, mux)
	l.out.SetRemote(l.phoneB.addr(), netip.AddrPort{}, mux)
	return l
}

// forward runs in.Forward, writing every packet to out with its payload
// type changed to 8, until the returned stop is called; stop returns
// Forward's error.
func (l *relayLine) forward(t testing.TB, count *atomic.Int64) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- l.in.Forward(ctx, func(p *rtp.Packet) {
			p.PayloadType = 8
			if l.out.WriteRTP(p) == nil && count != nil {
				count.Add(1)
			}
		})
	}()
	waitFor(t, 2*time.Second, "the socket to be detached", l.in.rtp.detached)
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(2 * time.Second):
				err = errors.New("Forward did not return")
			}
		})
		return err
	}
}

func TestForwardRelaysPackets(t *testing.T) {
	forwardSupported(t)
	for _, mode := range []string{"plain", "srtp"} {
		t.Run(mode, func(t *testing.T) {
			a := newTestAllocator(t, 4, 0)
			l := newRelayLine(t, a, false)
			var keyA *Keys
			if mode == "srtp" {
				_, kGW, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
				_, kA, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
				if err := l.in.SetSRTP(kGW, kA); err != nil {
					t.Fatal(err)
				}
				keyA = kA
			}
			var count atomic.Int64
			stop := l.forward(t, &count)
			defer stop()

			var enc *Session // phone A's encryption, for SRTP
			if keyA != nil {
				enc = newSessionState(time.Hour)
				_, other, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
				if err := enc.SetSRTP(keyA, other); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 20 {
				p := rtpPacket(0xabc, 0, uint16(500+i), uint32(160*i), []byte(fmt.Sprintf("voice %d", i)))
				b := marshal(t, p)
				if enc != nil {
					var err error
					if b, err = enc.srtp.Load().encryptRTP(append(b, make([]byte, srtpOverhead)...), len(b)); err != nil {
						t.Fatal(err)
					}
				}
				l.phoneA.send(l.in.LocalAddr(), b)
				got := l.phoneB.recv(2 * time.Second)
				if got == nil {
					t.Fatalf("packet %d not forwarded", i)
				}
				var q rtp.Packet
				if err := q.Unmarshal(got); err != nil {
					t.Fatal(err)
				}
				if q.PayloadType != 8 || q.SequenceNumber != uint16(500+i) || q.SSRC != 0xabc || string(q.Payload) != fmt.Sprintf("voice %d", i) {
					t.Fatalf("packet %d forwarded as %v %q", i, q.Header, q.Payload)
				}
			}
			// Receive bookkeeping happened on the way: statistics, latching,
			// the media-timeout clock.
			st := l.in.Stats()
			if st.PacketsReceived != 20 || st.RemoteSSRC != 0xabc || st.RemoteAddr != l.phoneA.addr() || st.AuthFailures != 0 {
				t.Errorf("in stats %+v", st)
			}
			if since := time.Since(l.in.LastReceived()); since > time.Second {
				t.Errorf("LastReceived %v ago", since)
			}
			// The last packet's bookkeeping may still run as phone B reads it.
			waitFor(t, 2*time.Second, "the sender's statistics", func() bool {
				return l.out.Stats().PacketsSent == 20 && count.Load() == 20
			})
			// Datagrams that are not RTP, or that fail SRTP, are dropped.
			l.phoneA.send(l.in.LocalAddr(), []byte{1, 2, 3})
			waitFor(t, 2*time.Second, "the junk to be dropped", func() bool { return l.in.Stats().Dropped == 1 })
			if err := stop(); !errors.Is(err, context.Canceled) {
				t.Errorf("Forward returned %v, want context.Canceled", err)
			}
		})
	}
}

// TestForwardHandsBackToReadRTP checks that ReadRTP is refused while
// Forward runs and works again after, on the same socket.
func TestForwardHandsBackToReadRTP(t *testing.T) {
	forwardSupported(t)
	a := newTestAllocator(t, 4, 0)
	l := newRelayLine(t, a, false)
	stop := l.forward(t, nil)
	var p rtp.Packet
	if err := l.in.ReadRTP(&p); !errors.Is(err, errForwarding) {
		t.Errorf("ReadRTP while forwarding = %v", err)
	}
	if err := l.in.Forward(context.Background(), func(*rtp.Packet) {}); err == nil || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("a second Forward = %v", err)
	}
	l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(7, 0, 1, 0, []byte("a"))))
	if l.phoneB.recv(2*time.Second) == nil {
		t.Fatal("not forwarded")
	}
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Forward = %v", err)
	}
	if l.in.rtp.detached() {
		t.Fatal("socket still detached after Forward returned")
	}
	l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(7, 0, 2, 160, []byte("b"))))
	if got := readWithin(t, l.in, 2*time.Second); string(got.Payload) != "b" || got.SequenceNumber != 2 {
		t.Fatalf("ReadRTP after Forward: %v %q", got.Header, got.Payload)
	}
	// And the session writes through Go's poller again.
	if err := l.in.WriteRTP(rtpPacket(9, 0, 1, 0, []byte("back"))); err != nil {
		t.Fatal(err)
	}
	if got := l.phoneA.recv(2 * time.Second); !bytes.HasSuffix(got, []byte("back")) {
		t.Fatalf("phone A got %q", got)
	}
	// A second Forward on the same session works too.
	stop = l.forward(t, nil)
	l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(7, 0, 3, 320, []byte("c"))))
	if got := l.phoneB.recv(2 * time.Second); !bytes.HasSuffix(got, []byte("c")) {
		t.Fatalf("phone B got %q", got)
	}
	_ = stop()
}

// TestForwardMuxedRTCP checks that RTCP on the RTP port is terminated as
// ReadRTP would, not handed to the callback.
func TestForwardMuxedRTCP(t *testing.T) {
	forwardSupported(t)
	a := newTestAllocator(t, 4, 0)
	l := newRelayLine(t, a, true)
	var rec feedbackRecorder
	l.in.SetFeedbackHandler(rec.handle)
	var count atomic.Int64
	stop := l.forward(t, &count)
	defer stop()
	l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(0x77, 0, 1, 0, []byte("x"))))
	if l.phoneB.recv(2*time.Second) == nil {
		t.Fatal("not forwarded")
	}
	pli, err := rtcp.Marshal([]rtcp.Packet{&rtcp.PictureLossIndication{SenderSSRC: 0x77, MediaSSRC: 1}})
	if err != nil {
		t.Fatal(err)
	}
	l.phoneA.send(l.in.LocalAddr(), pli)
	waitFor(t, 2*time.Second, "the PLI", func() bool { return len(rec.snapshot()) == 1 })
	if ev := rec.snapshot()[0]; ev.Kind != call.EventKeyframeRequest {
		t.Errorf("event %+v", ev)
	}
	waitFor(t, 2*time.Second, "the count", func() bool { return count.Load() == 1 })
	if st := l.in.Stats(); st.RTCPReceived != 1 || st.PacketsReceived != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestForwardEndsOnClose checks that closing a forwarding session ends
// Forward with ErrClosed, and that the engine stops with its last session.
func TestForwardEndsOnClose(t *testing.T) {
	forwardSupported(t)
	before := runtime.NumGoroutine()
	a := newTestAllocator(t, 4, 0)
	l := newRelayLine(t, a, false)
	errc := make(chan error, 1)
	go func() { errc <- l.in.Forward(context.Background(), func(p *rtp.Packet) { _ = l.out.WriteRTP(p) }) }()
	waitFor(t, 2*time.Second, "the socket to be detached", l.in.rtp.detached)
	_ = l.in.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Forward = %v, want ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Forward did not return on Close")
	}
	var p rtp.Packet
	if err := l.in.ReadRTP(&p); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadRTP after Close = %v", err)
	}
	if err := l.in.Forward(context.Background(), func(*rtp.Packet) {}); !errors.Is(err, ErrClosed) {
		t.Errorf("Forward after Close = %v", err)
	}
	_ = l.out.Close()
	a.eng.wait()
	if a.InUse() != 0 {
		t.Errorf("InUse = %d", a.InUse())
	}
	waitFor(t, 2*time.Second, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
	// The ports are free again.
	s := openSession(t, a)
	_ = s.Close()
}

// TestForwardPanicIsRaisedByForward checks that a panicking callback ends
// the forwarding and panics on the goroutine that called Forward, where the
// caller's recovery can see it.
func TestForwardPanicIsRaisedByForward(t *testing.T) {
	forwardSupported(t)
	a := newTestAllocator(t, 4, 0)
	l := newRelayLine(t, a, false)
	got := make(chan any, 1)
	go func() {
		defer func() { got <- recover() }()
		_ = l.in.Forward(context.Background(), func(*rtp.Packet) { panic("boom") })
	}()
	waitFor(t, 2*time.Second, "the socket to be detached", l.in.rtp.detached)
	l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(7, 0, 1, 0, []byte("a"))))
	select {
	case v := <-got:
		err, ok := v.(error)
		if !ok || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "forward_test.go") {
			t.Fatalf("recovered %v", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Forward did not panic")
	}
	// The session reads again.
	l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(7, 0, 2, 160, []byte("b"))))
	readWithin(t, l.in, 2*time.Second)
}

func TestForwardUnsupportedWithoutSockets(t *testing.T) {
	s := newSessionState(time.Hour)
	if err := s.Forward(context.Background(), func(*rtp.Packet) {}); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Forward = %v", err)
	}
}

// TestForwardManySessions runs many forwarding sessions at once over the
// engine's pollers, both directions of each line, then closes them all.
func TestForwardManySessions(t *testing.T) {
	forwardSupported(t)
	const lines = 24
	a := newTestAllocator(t, 2*lines+8, 0) // slack: the phones may take ports of the range
	a.eng = newEngine(3)
	var ls []*relayLine
	var stops []func() error
	var count atomic.Int64
	for range lines {
		l := newRelayLine(t, a, false)
		ls = append(ls, l)
		stops = append(stops, l.forward(t, &count))
		// The other direction, phone B to phone A.
		back := &relayLine{in: l.out, out: l.in}
		stops = append(stops, back.forward(t, &count))
	}
	const perLine = 10
	for i := range perLine {
		for _, l := range ls {
			l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(1, 0, uint16(i), uint32(160*i), []byte("ab"))))
			l.phoneB.send(l.out.LocalAddr(), marshal(t, rtpPacket(2, 0, uint16(i), uint32(160*i), []byte("ba"))))
		}
	}
	for _, l := range ls {
		for i := range perLine {
			if b := l.phoneB.recv(2 * time.Second); !bytes.HasSuffix(b, []byte("ab")) {
				t.Fatalf("phone B, packet %d: %q", i, b)
			}
			if b := l.phoneA.recv(2 * time.Second); !bytes.HasSuffix(b, []byte("ba")) {
				t.Fatalf("phone A, packet %d: %q", i, b)
			}
		}
	}
	waitFor(t, 2*time.Second, "the count", func() bool { return count.Load() == 2*lines*perLine })
	if busy := a.eng.running(); busy != 3 {
		t.Errorf("%d pollers ran, want 3", busy)
	}
	for _, stop := range stops {
		if err := stop(); !errors.Is(err, context.Canceled) {
			t.Errorf("Forward = %v", err)
		}
	}
	a.eng.wait()
}

// TestForwardDualStackSocket forwards between sessions bound to every
// interface (IPv6 sockets that also carry IPv4): replies go out as
// v4-mapped addresses.
func TestForwardDualStackSocket(t *testing.T) {
	forwardSupported(t)
	first := freeRange(t, 8)
	a, err := NewAllocator(Config{RTPPorts: fmt.Sprintf("%d-%d", first, first+7)})
	if err != nil {
		t.Fatal(err)
	}
	l := &relayLine{alloc: a, phoneA: newUDPPeer(t), phoneB: newUDPPeer(t)}
	l.in, l.out = openSession(t, a), openSession(t, a)
	l.out.SetRemote(l.phoneB.addr(), netip.AddrPort{}, false)
	stop := l.forward(t, nil)
	defer stop()
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), l.in.LocalAddr().Port())
	l.phoneA.send(to, marshal(t, rtpPacket(7, 0, 1, 0, []byte("dual"))))
	if got := l.phoneB.recv(2 * time.Second); !bytes.HasSuffix(got, []byte("dual")) {
		t.Fatalf("phone B got %q", got)
	}
	if st := l.in.Stats(); st.RemoteAddr != l.phoneA.addr() {
		t.Errorf("latched to %v, want %v", st.RemoteAddr, l.phoneA.addr())
	}
}

// TestForwardDoesNotAllocate checks the relay path's promise: no
// allocation per packet, in this process, from the phone's send to the
// other phone's receive.
func TestForwardDoesNotAllocate(t *testing.T) {
	forwardSupported(t)
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, secure := range []bool{false, true} {
		a := newTestAllocator(t, 4, 0)
		l := newRelayLine(t, a, false)
		if secure {
			_, k1, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
			_, k2, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
			if err := l.out.SetSRTP(k1, k2); err != nil {
				t.Fatal(err)
			}
		}
		stop := l.forward(t, nil)
		step := newForwardStep(t, l)
		for range 10 {
			step()
		}
		if n := testing.AllocsPerRun(500, step); n != 0 {
			t.Errorf("SRTP out %v: %.2f allocations per packet, want 0", secure, n)
		}
		_ = stop()
	}
}

// newForwardStep returns a function that sends one packet from phone A and
// waits for it at phone B, without allocating.
func newForwardStep(tb testing.TB, l *relayLine) func() {
	p := rtpPacket(0x1234, 0, 0, 0, make([]byte, 160))
	buf := make([]byte, 0, 256)
	in := make([]byte, 4096)
	to := l.in.LocalAddr()
	i := 0
	return func() {
		i++
		p.SequenceNumber, p.Timestamp = uint16(i), uint32(i)*160
		b, err := p.Header.MarshalTo(buf[:cap(buf)])
		if err != nil {
			tb.Fatal(err)
		}
		out := append(buf[:b], p.Payload...)
		if _, err := l.phoneA.conn.WriteToUDPAddrPort(out, to); err != nil {
			tb.Fatal(err)
		}
		if _, _, err := l.phoneB.conn.ReadFromUDPAddrPort(in); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkForward is one packet from a phone through a forwarding
// session to another session and out to a second phone, over 127.0.0.1,
// one packet in flight at a time.
func BenchmarkForward(b *testing.B) {
	forwardSupported(b)
	a := newTestAllocator(b, 4, 0)
	l := newRelayLine(b, a, false)
	stop := l.forward(b, nil)
	defer stop()
	step := newForwardStep(b, l)
	for range 10 {
		step()
	}
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// BenchmarkReadWriteRelay is the same path with a goroutine calling
// ReadRTP and WriteRTP instead of Forward, for comparison.
func BenchmarkReadWriteRelay(b *testing.B) {
	a := newTestAllocator(b, 4, 0)
	l := newRelayLine(b, a, false)
	go func() {
		var p rtp.Packet
		for l.in.ReadRTP(&p) == nil {
			p.PayloadType = 8
			_ = l.out.WriteRTP(&p)
		}
	}()
	step := newForwardStep(b, l)
	for range 10 {
		step()
	}
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// TestForwardDrainsBursts holds the engine while a burst queues up on one
// socket: edge-triggered, the socket is reported once, and the engine must
// read it to the end over several rounds without another packet arriving.
func TestForwardDrainsBursts(t *testing.T) {
	forwardSupported(t)
	a := newTestAllocator(t, 4, 0)
	l := newRelayLine(t, a, false)
	var count atomic.Int64
	stop := l.forward(t, &count)
	defer stop()
	const burst = 10*recvBatchForTest + 3
	unhold := holdEngine(l.in)
	for i := range burst {
		l.phoneA.send(l.in.LocalAddr(), marshal(t, rtpPacket(5, 0, uint16(i), uint32(160*i), []byte("burst"))))
	}
	unhold()
	for i := range burst {
		if b := l.phoneB.recv(2 * time.Second); b == nil {
			t.Fatalf("%d of %d packets of the burst arrived", i, burst)
		}
	}
	waitFor(t, 2*time.Second, "the count", func() bool { return count.Load() == burst })
}
