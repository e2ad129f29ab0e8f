package rtpio

import (
	"context"
	"net/netip"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// TestSIPpRTPEcho exchanges RTP with an independent endpoint: SIPp's RTP
// echo (-rtp_echo) returns every packet to its sender, so the session must
// send well-formed datagrams and accept what comes back from SIPp's port.
func TestSIPpRTPEcho(t *testing.T) {
	bin := testpeer.Require(t, "sipp", "sip-tester")
	ports := freeRange(t, 4) // SIPp binds the echo port and echo port + 2
	sipPort := freeRange(t, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-sn", "uas", "-i", "127.0.0.1", "-p", strconv.Itoa(sipPort),
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(ports), "-rtp_echo", "-nostdin", "-timeout", "15s", "-timeout_error")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sipp: %v", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	echo := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(ports))

	a := newTestAllocator(t, 1, 0)
	s := openSession(t, a)
	s.SetRemote(echo, netip.AddrPort{}, false)
	s.SetClockRate(8000)
	// SIPp needs a moment to bind; resend the first packet until it echoes.
	got := make(chan rtp.Packet, 32)
	go func() {
		var p rtp.Packet
		for s.ReadRTP(&p) == nil {
			got <- *p.Clone()
		}
	}()
	first := rtpPacket(0xec40, 8, 1, 0, []byte("ping"))
	deadline := time.Now().Add(5 * time.Second)
	for len(got) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("SIPp echoed nothing")
		}
		if err := s.WriteRTP(first); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for len(got) > 0 {
		<-got
	}
	const n = 20
	for i := range n {
		if err := s.WriteRTP(rtpPacket(0xec40, 8, uint16(2+i), uint32(160*(1+i)), []byte{byte(i)})); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			if p.SequenceNumber != uint16(2+i) || p.Payload[0] != byte(i) {
				t.Fatalf("echo %d came back as %v", i, p.Header)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("no echo of packet %d", i)
		}
	}
	if st := s.Stats(); st.RemoteAddr != echo || st.Dropped != 0 || st.PacketsLost != 0 {
		t.Errorf("stats %+v", st)
	}
}
