package rtpio

import (
	"fmt"
	"net"
	"testing"

	"github.com/switchyard/switchyard/call"
)

func TestAllocatorPairsAndExhaustion(t *testing.T) {
	a := newTestAllocator(t, 3, 0)
	var open []*Session
	for i := range 3 {
		s, err := a.Open()
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		open = append(open, s)
		port := s.LocalAddr().Port()
		if port%2 != 0 {
			t.Errorf("RTP port %d is odd", port)
		}
		if got := s.rtcpConn.LocalAddr().(*net.UDPAddr).Port; got != int(port)+1 {
			t.Errorf("RTCP port %d, want %d", got, port+1)
		}
		if !s.LocalAddr().Addr().IsLoopback() {
			t.Errorf("bound to %v, want 127.0.0.1", s.LocalAddr())
		}
	}
	if a.InUse() != 3 {
		t.Errorf("InUse = %d, want 3", a.InUse())
	}
	_, err := a.Open()
	if call.CauseOf(err) != call.Capacity {
		t.Fatalf("Open on a full range = %v, want a capacity error", err)
	}
	for _, s := range open {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil { // idempotent
			t.Fatal(err)
		}
	}
	if a.InUse() != 0 {
		t.Errorf("InUse after close = %d", a.InUse())
	}
}

func TestAllocatorRoundRobin(t *testing.T) {
	a := newTestAllocator(t, 3, 0)
	s1, err := a.Open()
	if err != nil {
		t.Fatal(err)
	}
	first := s1.LocalAddr().Port()
	_ = s1.Close()
	s2 := openSession(t, a)
	if s2.LocalAddr().Port() == first {
		t.Fatalf("port %d reused at once", first)
	}
	s3 := openSession(t, a)
	s4 := openSession(t, a) // the range's only free pair left is the first one
	if s4.LocalAddr().Port() != first {
		t.Fatalf("ports %d %d %d; want the released %d last", s2.LocalAddr().Port(), s3.LocalAddr().Port(), s4.LocalAddr().Port(), first)
	}
}

func TestAllocatorSkipsPortsInUse(t *testing.T) {
	a := newTestAllocator(t, 3, 0)
	// Another program holds the RTCP port of the first pair and the RTP port
	// of the second.
	first := int(a.free[0])
	for _, p := range []int{first + 1, first + 2} {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
		if err != nil {
			t.Skipf("port %d busy: %v", p, err)
		}
		defer c.Close()
	}
	s := openSession(t, a)
	if got := int(s.LocalAddr().Port()); got != first+4 {
		t.Fatalf("opened port %d, want %d", got, first+4)
	}
	if _, err := a.Open(); call.CauseOf(err) != call.Capacity {
		t.Fatalf("second Open = %v, want capacity (both other pairs are taken)", err)
	}
	if a.InUse() != 1 {
		t.Fatalf("InUse = %d", a.InUse())
	}
}

func TestNewAllocatorRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{{}, {RTPPorts: "10-20"}, {RTPPorts: "40000-40010", BindIP: "nope"}} {
		if _, err := NewAllocator(cfg); err == nil {
			t.Errorf("NewAllocator(%+v) succeeded", cfg)
		}
	}
	a, err := NewAllocator(Config{RTPPorts: fmt.Sprintf("%d-%d", 40001, 40006)})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.free) != 2 || a.free[0] != 40002 || a.free[1] != 40004 {
		t.Fatalf("pool = %v, want [40002 40004]", a.free)
	}
}
