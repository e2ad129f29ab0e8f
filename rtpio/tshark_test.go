package rtpio

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// TestWireDecodesInTshark sends RTP, RFC 4733 events, reports, feedback
// and a BYE to plain sockets, writes what arrived to a pcap file and has
// tshark, an independent decoder, read it back.
func TestWireDecodesInTshark(t *testing.T) {
	testpeer.Require(t, "tshark", "tshark")
	a := newTestAllocator(t, 1, time.Hour)
	s := openSession(t, a)
	rtpPeer, rtcpPeer := newUDPPeer(t), newUDPPeer(t)
	s.SetRemote(rtpPeer.addr(), rtcpPeer.addr(), false)
	s.SetClockRate(8000)
	s.SetFIR(true)

	for i := range 3 {
		if err := s.WriteRTP(rtpPacket(0x5eed, 0, uint16(i), uint32(i*160), make([]byte, 160))); err != nil {
			t.Fatal(err)
		}
	}
	for i, end := range []bool{false, false, true} {
		ev := DTMFEvent{Digit: '#', End: end, Volume: 10, Duration: uint16(160 * (i + 1))}
		p := rtpPacket(0x5eed, 101, uint16(3+i), 480, AppendDTMF(nil, ev))
		p.Marker = i == 0
		if err := s.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
	}
	// The far side sends one packet so that feedback has a media source.
	rtpPeer.send(s.LocalAddr(), marshal(t, rtpPacket(0xfa11, 0, 1, 0, make([]byte, 160))))
	readWithin(t, s, time.Second)
	if err := s.sendReport(false); err != nil { // SR + SDES
		t.Fatal(err)
	}
	for _, send := range []func() error{
		s.SendKeyframeRequest,
		func() error { return s.SendNACK([]uint16{7, 9}) },
		func() error { return s.SendBitrate(1_500_000) },
		func() error { return s.sendReport(false) }, // RR: nothing sent since the SR
	} {
		if err := send(); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close() // SR/RR + SDES + BYE

	path := filepath.Join(t.TempDir(), "wire.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcap.NewWriter(f, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	src := s.LocalAddr()
	at := time.Now()
	for _, peer := range []*udpPeer{rtpPeer, rtcpPeer} {
		from := src
		if peer == rtcpPeer {
			from = netip.AddrPortFrom(src.Addr(), src.Port()+1)
		}
		for b := peer.recv(300 * time.Millisecond); b != nil; b = peer.recv(100 * time.Millisecond) {
			at = at.Add(time.Millisecond)
			if err := w.WriteUDP(at, from, peer.addr(), b); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	pkts := testpeer.Tshark(t, path,
		"-d", "udp.port=="+strconv.Itoa(int(rtpPeer.addr().Port()))+",rtp",
		"-d", "udp.port=="+strconv.Itoa(int(rtcpPeer.addr().Port()))+",rtcp",
		"-o", "rtpevent.event_payload_type_value:101")
	var rtpPTs, events, rtcpTypes, fbFormats []string
	for i, p := range pkts {
		if probs := testpeer.ProblemsAtLeast(p, testpeer.SeverityWarn); len(probs) > 0 {
			t.Errorf("packet %d: %v", i+1, probs)
		}
		rtpPTs = append(rtpPTs, testpeer.Strings(p, "rtp.p_type")...)
		events = append(events, testpeer.Strings(p, "rtpevent.event_id")...)
		rtcpTypes = append(rtcpTypes, testpeer.Strings(p, "rtcp.pt")...)
		fbFormats = append(fbFormats, testpeer.Strings(p, "rtcp.psfb.fmt")...)
		fbFormats = append(fbFormats, testpeer.Strings(p, "rtcp.rtpfb.fmt")...)
	}
	t.Logf("rtp %v events %v rtcp %v feedback %v", rtpPTs, events, rtcpTypes, fbFormats)
	if want := []string{"0", "0", "0", "101", "101", "101"}; !slices.Equal(rtpPTs, want) {
		t.Errorf("RTP payload types %v, want %v", rtpPTs, want)
	}
	if len(events) != 3 || events[0] != "11" {
		t.Errorf("telephone events %v, want three of event 11 (#)", events)
	}
	for _, want := range []string{"200", "201", "202", "203", "205", "206"} {
		if !slices.Contains(rtcpTypes, want) {
			t.Errorf("no RTCP packet type %s among %v", want, rtcpTypes)
		}
	}
	for _, want := range []string{"1", "4", "15"} { // PLI and NACK (1), FIR (4), REMB (15)
		if !slices.Contains(fbFormats, want) {
			t.Errorf("no feedback format %s among %v", want, fbFormats)
		}
	}
}
