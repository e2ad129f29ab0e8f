package rtpio

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

func TestSessionLoopback(t *testing.T) {
	for _, mode := range []string{"plain", "srtp", "srtp-mux"} {
		t.Run(mode, func(t *testing.T) {
			a := newTestAllocator(t, 4, 0)
			x, y := pair(t, a, mode == "srtp-mux")
			if mode != "plain" {
				_, kx, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
				_, ky, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
				if err := x.SetSRTP(kx, ky); err != nil {
					t.Fatal(err)
				}
				if err := y.SetSRTP(ky, kx); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 5 {
				p := rtpPacket(0x1111, 0, uint16(100+i), uint32(160*i), []byte{byte(i), 2, 3})
				p.Marker = i == 0
				if err := x.WriteRTP(p); err != nil {
					t.Fatal(err)
				}
				got := readWithin(t, y, 2*time.Second)
				if got.SSRC != 0x1111 || got.SequenceNumber != uint16(100+i) || got.Timestamp != uint32(160*i) ||
					got.Marker != (i == 0) || !bytes.Equal(got.Payload, []byte{byte(i), 2, 3}) {
					t.Fatalf("packet %d arrived as %v", i, got)
				}
			}
			st := y.Stats()
			if st.PacketsReceived != 5 || st.BytesReceived != 15 || st.PacketsLost != 0 || st.RemoteSSRC != 0x1111 || st.AuthFailures != 0 {
				t.Errorf("receiver stats %+v", st)
			}
			if st := x.Stats(); st.PacketsSent != 5 || st.BytesSent != 15 || st.RemoteAddr != y.LocalAddr() {
				t.Errorf("sender stats %+v", st)
			}
			if since := time.Since(y.LastReceived()); since > time.Second {
				t.Errorf("LastReceived %v ago", since)
			}
		})
	}
}

func TestSessionSymmetricLatching(t *testing.T) {
	a := newTestAllocator(t, 2, 0)
	s := openSession(t, a)
	signalled := newUDPPeer(t) // the address the SDP named
	natted := newUDPPeer(t)    // where the far side really sends from
	other := newUDPPeer(t)
	s.SetRemote(signalled.addr(), netip.AddrPort{}, false)

	// Before any packet arrives, media goes to the signalled address.
	if err := s.WriteRTP(rtpPacket(9, 0, 1, 0, []byte{1})); err != nil {
		t.Fatal(err)
	}
	if signalled.recv(time.Second) == nil {
		t.Fatal("nothing sent to the signalled address")
	}
	natted.send(s.LocalAddr(), marshal(t, rtpPacket(0xaaaa, 0, 10, 0, []byte{1})))
	readWithin(t, s, time.Second)
	if err := s.WriteRTP(rtpPacket(9, 0, 2, 160, []byte{2})); err != nil {
		t.Fatal(err)
	}
	if natted.recv(time.Second) == nil {
		t.Fatal("send address did not latch to the packets' source")
	}

	// Another source is dropped: a different stream, or the same stream
	// while the latched address is alive.
	other.send(s.LocalAddr(), marshal(t, rtpPacket(0xbbbb, 0, 11, 160, []byte{9})))
	other.send(s.LocalAddr(), marshal(t, rtpPacket(0xaaaa, 0, 11, 160, []byte{9})))
	natted.send(s.LocalAddr(), marshal(t, rtpPacket(0xaaaa, 0, 12, 320, []byte{3})))
	if p := readWithin(t, s, time.Second); p.SequenceNumber != 12 {
		t.Fatalf("read seq %d from the wrong source, want 12", p.SequenceNumber)
	}
	if d := s.Stats().Dropped; d != 2 {
		t.Fatalf("Dropped = %d, want 2", d)
	}

	// After two silent seconds the same stream may move.
	s.mu.Lock()
	s.rtpLatch.last -= 3 * time.Second
	s.mu.Unlock()
	other.send(s.LocalAddr(), marshal(t, rtpPacket(0xbbbb, 0, 13, 480, []byte{9})))
	other.send(s.LocalAddr(), marshal(t, rtpPacket(0xaaaa, 0, 13, 480, []byte{4})))
	if p := readWithin(t, s, time.Second); p.SSRC != 0xaaaa || p.SequenceNumber != 13 {
		t.Fatalf("after re-latch read %v", p)
	}
	if err := s.WriteRTP(rtpPacket(9, 0, 3, 320, []byte{3})); err != nil {
		t.Fatal(err)
	}
	if other.recv(time.Second) == nil {
		t.Fatal("send address did not move after re-latch")
	}

	// The same SDP again keeps the latch; a new address resets it.
	s.SetRemote(signalled.addr(), netip.AddrPort{}, false)
	if s.Stats().RemoteAddr != other.addr() {
		t.Fatal("unchanged SDP undid the latch")
	}
	s.SetRemote(natted.addr(), netip.AddrPort{}, false)
	if s.Stats().RemoteAddr != natted.addr() {
		t.Fatal("new SDP address not used")
	}
}

func TestLatch(t *testing.T) {
	a := netip.MustParseAddrPort("192.0.2.1:4000")
	b := netip.MustParseAddrPort("198.51.100.7:5000")
	var l latch
	l.reset(a)
	if l.addr != a || !l.allows(b, false, 0) {
		t.Fatal("unlatched must allow any source")
	}
	l.commit(b, time.Second)
	tests := []struct {
		from netip.AddrPort
		same bool
		at   time.Duration
		want bool
	}{
		{b, false, 2 * time.Second, true},
		{a, false, 10 * time.Second, false},
		{a, true, 2 * time.Second, false},
		{a, true, 3 * time.Second, true},
	}
	for i, tt := range tests {
		if got := l.allows(tt.from, tt.same, tt.at); got != tt.want {
			t.Errorf("%d: allows(%v, %v, %v) = %v", i, tt.from, tt.same, tt.at, got)
		}
	}
	l.reset(netip.MustParseAddrPort("0.0.0.0:4000"))
	if l.addr.IsValid() {
		t.Error("hold address is usable")
	}
}

func TestSessionHoldSendsNothing(t *testing.T) {
	a := newTestAllocator(t, 1, 0)
	s := openSession(t, a)
	peer := newUDPPeer(t)
	s.SetRemote(netip.AddrPortFrom(netip.IPv4Unspecified(), peer.addr().Port()), netip.AddrPort{}, false)
	if err := s.WriteRTP(rtpPacket(1, 0, 1, 0, []byte{1})); err != nil {
		t.Fatal(err)
	}
	if s.Stats().PacketsSent != 0 {
		t.Fatal("sent to an unspecified address")
	}
}

func TestSessionSRTPAuthFailureIsDropped(t *testing.T) {
	a := newTestAllocator(t, 1, 0)
	s := openSession(t, a)
	_, local, _ := GenerateCrypto(1, SuiteAES128SHA1_32)
	_, remote, _ := GenerateCrypto(1, SuiteAES128SHA1_32)
	if err := s.SetSRTP(local, remote); err != nil {
		t.Fatal(err)
	}
	sender := newSessionState(time.Hour)
	if err := sender.SetSRTP(remote, local); err != nil {
		t.Fatal(err)
	}
	peer := newUDPPeer(t)
	enc := func(seq uint16) []byte {
		b := marshal(t, rtpPacket(5, 0, seq, uint32(seq)*160, []byte("audio")))
		out, err := sender.srtp.Load().encryptRTP(append(b, make([]byte, srtpOverhead)...), len(b))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	bad := enc(1)
	bad[len(bad)-1] ^= 1
	peer.send(s.LocalAddr(), bad)
	peer.send(s.LocalAddr(), marshal(t, rtpPacket(5, 0, 2, 320, []byte("plain")))) // plain RTP on an SRTP session
	good := enc(3)
	peer.send(s.LocalAddr(), good)
	peer.send(s.LocalAddr(), good) // a replay
	peer.send(s.LocalAddr(), enc(4))
	if p := readWithin(t, s, time.Second); p.SequenceNumber != 3 || string(p.Payload) != "audio" {
		t.Fatalf("first accepted packet %v", p)
	}
	if p := readWithin(t, s, time.Second); p.SequenceNumber != 4 {
		t.Fatalf("second accepted packet %v", p)
	}
	if st := s.Stats(); st.AuthFailures != 3 || st.PacketsReceived != 2 {
		t.Fatalf("stats %+v, want 3 auth failures and 2 packets", st)
	}
	if err := s.SetSRTP(local, nil); err == nil {
		t.Error("SetSRTP with one side's keys accepted")
	}
	if err := s.SetSRTP(&Keys{Suite: SuiteAES128SHA1_80, Key: []byte{1}}, remote); err == nil {
		t.Error("SetSRTP with a short key accepted")
	}
	if err := s.SetSRTP(nil, nil); err != nil || s.SRTP() {
		t.Error("SetSRTP(nil, nil) did not return to plain RTP")
	}
}

// libsrtp's srtp_validate vectors (AES_CM_128_HMAC_SHA1_80 and _32, SSRC
// 0xcafebabe): an independent implementation's known answers.
var (
	libsrtpKey = []byte{
		0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
		0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
	}
	libsrtpCiphertext = []byte{
		0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c,
		0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc,
		0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb,
	}
	libsrtcpPlaintext = []byte{
		0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
		0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	}
	libsrtcpCiphertext = []byte{
		0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0x71, 0x28, 0x03, 0x5b, 0xe4, 0x87, 0xb9, 0xbd,
		0xbe, 0xf8, 0x90, 0x41, 0xf9, 0x77, 0xa5, 0xa8, 0x80, 0x00, 0x00, 0x01, 0x99, 0x3e, 0x08, 0xcd,
		0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98,
	}
)

func TestSRTPKnownAnswer(t *testing.T) {
	line := "1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(libsrtpKey)
	_, keys, err := ParseCrypto(line)
	if err != nil {
		t.Fatal(err)
	}
	plain := rtpPacket(0xcafebabe, 15, 0x1234, 0xdecafbad, bytes.Repeat([]byte{0xab}, 16))
	tests := []struct {
		suite string
		want  []byte
	}{
		{SuiteAES128SHA1_80, libsrtpCiphertext},
		{SuiteAES128SHA1_32, libsrtpCiphertext[:32]},
	}
	for _, tt := range tests {
		t.Run(tt.suite, func(t *testing.T) {
			k := &Keys{Suite: tt.suite, Key: keys.Key}
			a := newTestAllocator(t, 1, 0)
			s := openSession(t, a)
			if err := s.SetSRTP(k, k); err != nil {
				t.Fatal(err)
			}
			peer := newUDPPeer(t)
			s.SetRemote(peer.addr(), netip.AddrPort{}, false)
			if err := s.WriteRTP(plain); err != nil {
				t.Fatal(err)
			}
			if got := peer.recv(time.Second); !bytes.Equal(got, tt.want) {
				t.Fatalf("SRTP sent\n% x\nwant\n% x", got, tt.want)
			}
			peer.send(s.LocalAddr(), tt.want)
			if got := readWithin(t, s, time.Second); !bytes.Equal(got.Payload, plain.Payload) || got.SequenceNumber != 0x1234 {
				t.Fatalf("decrypted %v", got)
			}
		})
	}
	t.Run("srtcp", func(t *testing.T) {
		s := newSessionState(time.Hour)
		if err := s.SetSRTP(keys, keys); err != nil {
			t.Fatal(err)
		}
		enc, err := s.srtp.Load().encryptRTCP(nil, libsrtcpPlaintext)
		if err != nil || !bytes.Equal(enc, libsrtcpCiphertext) {
			t.Fatalf("SRTCP sent % x (%v)\nwant % x", enc, err, libsrtcpCiphertext)
		}
		dec, err := s.srtp.Load().decryptRTCP(slices.Clone(libsrtcpCiphertext))
		if err != nil || !bytes.Equal(dec, libsrtcpPlaintext) {
			t.Fatalf("SRTCP decrypted % x (%v)", dec, err)
		}
	})
}

// feedbackRecorder collects feedback events.
type feedbackRecorder struct {
	mu     sync.Mutex
	events []call.Event
}

func (r *feedbackRecorder) handle(ev call.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *feedbackRecorder) snapshot() []call.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func TestSessionFeedback(t *testing.T) {
	for _, mux := range []bool{false, true} {
		name := "rtcp-port"
		if mux {
			name = "rtcp-mux"
		}
		t.Run(name, func(t *testing.T) {
			a := newTestAllocator(t, 4, 0)
			x, y := pair(t, a, mux)
			_, kx, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
			_, ky, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
			if err := x.SetSRTP(kx, ky); err != nil {
				t.Fatal(err)
			}
			if err := y.SetSRTP(ky, kx); err != nil {
				t.Fatal(err)
			}
			var rec feedbackRecorder
			x.SetFeedbackHandler(rec.handle)
			if err := y.SendKeyframeRequest(); !errors.Is(err, ErrNoSource) {
				t.Fatalf("feedback before media: %v, want ErrNoSource", err)
			}
			if err := x.WriteRTP(rtpPacket(0x77, 96, 1, 0, []byte{1})); err != nil {
				t.Fatal(err)
			}
			readWithin(t, y, time.Second)
			// With rtcp-mux the feedback arrives on x's RTP socket: keep reading it.
			if mux {
				go func() {
					var p rtp.Packet
					for x.ReadRTP(&p) == nil {
					}
				}()
			}
			y.SetFIR(true)
			for _, send := range []func() error{
				y.SendKeyframeRequest,
				func() error { return y.SendNACK([]uint16{5, 6, 8, 30, 65535, 2}) },
				func() error { return y.SendBitrate(512000) },
			} {
				if err := send(); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 2*time.Second, "three feedback events", func() bool { return len(rec.snapshot()) >= 3 })
			time.Sleep(20 * time.Millisecond)
			evs := rec.snapshot()
			if len(evs) != 3 {
				t.Fatalf("events %+v, want 3 (PLI and FIR in one compound count once)", evs)
			}
			if evs[0].Kind != call.EventKeyframeRequest {
				t.Errorf("event 0 = %v", evs[0].Kind)
			}
			if evs[1].Kind != call.EventNACK || !slices.Equal(evs[1].Seqs, []uint16{5, 6, 8, 30, 65535, 2}) {
				t.Errorf("event 1 = %v %v", evs[1].Kind, evs[1].Seqs)
			}
			if evs[2].Kind != call.EventBitrate || evs[2].Bitrate < 510000 || evs[2].Bitrate > 514000 {
				t.Errorf("event 2 = %v %d", evs[2].Kind, evs[2].Bitrate)
			}
		})
	}
}

func TestSessionReportsLossJitterRTT(t *testing.T) {
	a := newTestAllocator(t, 2, 40*time.Millisecond)
	x, y := pair(t, a, false)
	x.SetClockRate(8000)
	y.SetClockRate(8000)
	var wg sync.WaitGroup
	for _, s := range []*Session{x, y} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p rtp.Packet
			for s.ReadRTP(&p) == nil {
			}
		}()
	}
	// x sends 40 packets and skips 4 of them; y sends back.
	for i := range 40 {
		if i%10 != 5 {
			if err := x.WriteRTP(rtpPacket(0x1, 0, uint16(i), uint32(i*160), make([]byte, 160))); err != nil {
				t.Fatal(err)
			}
		}
		if err := y.WriteRTP(rtpPacket(0x2, 0, uint16(i), uint32(i*160), make([]byte, 160))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	waitFor(t, 3*time.Second, "RTT and loss reports", func() bool {
		st := x.Stats()
		return st.RTT > 0 && st.RemotePacketsLost == 4 && y.Stats().RTT > 0
	})
	st, sy := x.Stats(), y.Stats()
	if sy.PacketsLost != 4 || st.PacketsLost != 0 {
		t.Errorf("lost: x %d, y %d", st.PacketsLost, sy.PacketsLost)
	}
	if st.RTT > 500*time.Millisecond || st.RTCPSent == 0 || st.RTCPReceived == 0 {
		t.Errorf("x stats %+v", st)
	}
	if sy.Jitter > 100*time.Millisecond {
		t.Errorf("jitter %v", sy.Jitter)
	}
	_ = x.Close()
	_ = y.Close()
	wg.Wait()
}

func TestSessionCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	a := newTestAllocator(t, 2, 10*time.Millisecond)
	s, err := a.Open()
	if err != nil {
		t.Fatal(err)
	}
	peer := newUDPPeer(t)
	s.SetRemote(peer.addr(), peer.addr(), true)
	if err := s.WriteRTP(rtpPacket(3, 0, 1, 0, []byte{1})); err != nil {
		t.Fatal(err)
	}
	peer.recv(time.Second)
	errc := make(chan error, 1)
	go func() {
		var p rtp.Packet
		errc <- s.ReadRTP(&p)
	}()
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) || !errors.Is(err, net.ErrClosed) {
			t.Fatalf("ReadRTP after Close = %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not unblock ReadRTP")
	}
	if err := s.WriteRTP(rtpPacket(3, 0, 2, 160, nil)); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteRTP after Close = %v", err)
	}
	// Close sent a BYE (after the RTCP reports) to the muxed address.
	sawBye := false
	for b := peer.recv(200 * time.Millisecond); b != nil; b = peer.recv(200 * time.Millisecond) {
		if pkts, err := rtcp.Unmarshal(b); err == nil {
			for _, p := range pkts {
				if _, ok := p.(*rtcp.Goodbye); ok {
					sawBye = true
				}
			}
		}
	}
	if !sawBye {
		t.Error("no RTCP BYE on Close")
	}
	if a.InUse() != 0 {
		t.Errorf("InUse = %d after Close", a.InUse())
	}
	waitFor(t, 2*time.Second, "session goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestRepeatedFIRIsOneRequest(t *testing.T) {
	s := newSessionState(time.Hour)
	var rec feedbackRecorder
	s.SetFeedbackHandler(rec.handle)
	from := netip.MustParseAddrPort("127.0.0.1:9")
	for _, seq := range []uint8{1, 1, 2, 2, 2, 3} {
		b, err := rtcp.Marshal([]rtcp.Packet{&rtcp.FullIntraRequest{SenderSSRC: 1, FIR: []rtcp.FIREntry{{SSRC: 2, SequenceNumber: seq}}}})
		if err != nil {
			t.Fatal(err)
		}
		s.receiveRTCP(b, from, false)
	}
	if n := len(rec.snapshot()); n != 3 {
		t.Fatalf("%d keyframe requests from FIRs numbered 1 1 2 2 2 3, want 3", n)
	}
}

func TestParseTMMBR(t *testing.T) {
	// RTPFB FMT 3, length 4: sender SSRC, media SSRC 0, one FCI entry for SSRC
	// 0x01020304 with exponent 4, mantissa 31250 (500 kbit/s), overhead 40.
	v := uint32(4)<<26 | uint32(31250)<<9 | 40
	b := []byte{0x83, 205, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0, 1, 2, 3, 4, byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	if bps, ok := parseTMMBR(b); !ok || bps != 500000 {
		t.Fatalf("parseTMMBR = %d, %v", bps, ok)
	}
	if _, ok := parseTMMBR(b[:16]); ok {
		t.Error("short TMMBR accepted")
	}
	b[0] = 0x84 // TMMBN
	if _, ok := parseTMMBR(b); ok {
		t.Error("TMMBN taken for TMMBR")
	}
	// Through the receive path: a TMMBR becomes EventBitrate.
	s := newSessionState(time.Hour)
	var rec feedbackRecorder
	s.SetFeedbackHandler(rec.handle)
	b[0] = 0x83
	s.receiveRTCP(slices.Clone(b), netip.MustParseAddrPort("127.0.0.1:9"), false)
	if evs := rec.snapshot(); len(evs) != 1 || evs[0].Kind != call.EventBitrate || evs[0].Bitrate != 500000 {
		t.Fatalf("events %+v", evs)
	}
}

func TestNACKPairs(t *testing.T) {
	seqs := []uint16{5, 6, 8, 21, 22, 40, 40, 65535, 0, 3}
	var got []uint16
	for _, p := range nackPairs(seqs) {
		p.Range(func(s uint16) bool { got = append(got, s); return true })
	}
	want := []uint16{5, 6, 8, 21, 22, 40, 65535, 0, 3}
	if !slices.Equal(got, want) {
		t.Fatalf("round trip %v, want %v", got, want)
	}
}
