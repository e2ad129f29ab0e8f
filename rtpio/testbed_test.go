package rtpio

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// newTestAllocator returns an allocator on 127.0.0.1 over a random range of
// the given number of port pairs, with RTCP reports every interval.
func newTestAllocator(t testing.TB, pairs int, interval time.Duration) *Allocator {
	t.Helper()
	first := freeRange(t, 2*pairs)
	a, err := NewAllocator(Config{RTPPorts: fmt.Sprintf("%d-%d", first, first+2*pairs-1), BindIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if interval > 0 {
		a.reportInterval = interval
	}
	return a
}

// freeRange finds n consecutive UDP ports on 127.0.0.1, starting at an
// even one, that nothing holds right now.
func freeRange(t testing.TB, n int) int {
	t.Helper()
	for range 50 {
		first := 20000 + 2*rand.IntN(15000)
		var held []*net.UDPConn
		for p := first; p < first+n; p++ {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
			if err != nil {
				break
			}
			held = append(held, c)
		}
		ok := len(held) == n
		for _, c := range held {
			_ = c.Close()
		}
		if ok {
			return first
		}
	}
	t.Fatalf("no %d free consecutive UDP ports", n)
	return 0
}

// openSession opens a session that is closed when the test ends.
func openSession(t testing.TB, a *Allocator) *Session {
	t.Helper()
	s, err := a.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// pair returns two sessions that send to each other.
func pair(t testing.TB, a *Allocator, mux bool) (*Session, *Session) {
	t.Helper()
	x, y := openSession(t, a), openSession(t, a)
	x.SetRemote(y.LocalAddr(), netip.AddrPort{}, mux)
	y.SetRemote(x.LocalAddr(), netip.AddrPort{}, mux)
	return x, y
}

// udpPeer is a plain UDP socket on loopback playing the far side.
type udpPeer struct {
	t    testing.TB
	conn *net.UDPConn
}

func newUDPPeer(t testing.TB) *udpPeer {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &udpPeer{t: t, conn: c}
}

func (u *udpPeer) addr() netip.AddrPort {
	return u.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

func (u *udpPeer) send(to netip.AddrPort, b []byte) {
	u.t.Helper()
	if _, err := u.conn.WriteToUDPAddrPort(b, to); err != nil {
		u.t.Fatal(err)
	}
}

// recv returns the next datagram, or nil after the timeout.
func (u *udpPeer) recv(timeout time.Duration) []byte {
	u.t.Helper()
	buf := make([]byte, 4096)
	_ = u.conn.SetReadDeadline(time.Now().Add(timeout))
	n, _, err := u.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

func rtpPacket(ssrc uint32, pt uint8, seq uint16, ts uint32, payload []byte) *rtp.Packet {
	return &rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc},
		Payload: payload,
	}
}

func marshal(t testing.TB, p *rtp.Packet) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readWithin reads one packet from s, failing the test after timeout.
func readWithin(t testing.TB, s *Session, timeout time.Duration) *rtp.Packet {
	t.Helper()
	type result struct {
		p   *rtp.Packet
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var p rtp.Packet
		err := s.ReadRTP(&p)
		if err == nil {
			p = *p.Clone()
		}
		ch <- result{&p, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("ReadRTP: %v", r.err)
		}
		return r.p
	case <-time.After(timeout):
		t.Fatalf("no RTP packet within %v", timeout)
		return nil
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
