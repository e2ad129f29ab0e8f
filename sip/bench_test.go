package sip

import (
	"context"
	"net/netip"
	"testing"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// trackPair is two rtpio sessions sending to each other, with a track on
// the first.
func trackPair(b *testing.B) (*track, *rtpio.Session, func()) {
	b.Helper()
	a := testAllocator(b, 0)
	s1, err := a.Open()
	if err != nil {
		b.Fatal(err)
	}
	s2, err := a.Open()
	if err != nil {
		b.Fatal(err)
	}
	lo := netip.MustParseAddr("127.0.0.1")
	s1.SetRemote(netip.AddrPortFrom(lo, s2.LocalAddr().Port()), netip.AddrPort{}, false)
	s2.SetRemote(netip.AddrPortFrom(lo, s1.LocalAddr().Port()), netip.AddrPort{}, false)
	l := &leg{events: make(chan call.Event, eventBuffer)}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	tr := newTrack(l, s1, call.Stream{ID: "a", Role: call.RoleAudio, Codec: call.Codec{Name: "PCMU", ClockRate: 8000}})
	tr.setStream(tr.Stream(), []call.Codec{{Name: telephoneEvent, PayloadType: 101, ClockRate: 8000}})
	return tr, s2, func() {
		l.cancel()
		_ = s1.Close()
		_ = s2.Close()
	}
}

func BenchmarkTrackWriteRTP(b *testing.B) {
	tr, peer, stop := trackPair(b)
	defer stop()
	go func() {
		var p rtp.Packet
		for peer.ReadRTP(&p) == nil {
		}
	}()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 1}, Payload: make([]byte, 160)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p.SequenceNumber = uint16(i)
		p.Timestamp = uint32(i * 160)
		if err := tr.WriteRTP(&p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrackReadRTP(b *testing.B) {
	tr, peer, stop := trackPair(b)
	defer stop()
	out := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 2}, Payload: make([]byte, 160)}
	var in rtp.Packet
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		out.SequenceNumber = uint16(i)
		if err := peer.WriteRTP(&out); err != nil {
			b.Fatal(err)
		}
		if err := tr.ReadRTP(&in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSDP(b *testing.B) {
	body := []byte(roomOffer)
	b.ReportAllocs()
	for range b.N {
		if _, err := parseSDP(body); err != nil {
			b.Fatal(err)
		}
	}
}
