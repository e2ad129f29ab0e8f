package interop

import (
	"bytes"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/rtpio"
)

// audioPcap builds what SIPp's play_pcap_audio sends: n G.711 µ-law
// packets of a 1 kHz tone, 20 ms apart, then, when digit is not 0, one RFC
// 4733 event (payload type 101: three updates and three end packets).
func audioPcap(t testing.TB, n int, digit byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("127.0.0.1:6000")
	dst := netip.MustParseAddrPort("127.0.0.1:6002")
	at := time.Unix(1_700_000_000, 0)
	seq, ts := uint16(1000), uint32(8000)
	write := func(p rtp.Packet) {
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteUDP(at, src, dst, b); err != nil {
			t.Fatal(err)
		}
		seq++
		at = at.Add(20 * time.Millisecond)
	}
	tone := toneFrame()
	for i := range n {
		write(rtp.Packet{Header: rtp.Header{Version: 2, Marker: i == 0, PayloadType: 0, SequenceNumber: seq,
			Timestamp: ts, SSRC: 0x5151}, Payload: tone})
		ts += 160
	}
	if digit != 0 {
		for i := range 6 {
			end := i >= 3
			dur := uint16(400 * (i + 1))
			if end {
				dur = 1280
			}
			pl := rtpio.AppendDTMF(nil, rtpio.DTMFEvent{Digit: digit, End: end, Volume: 10, Duration: dur})
			write(rtp.Packet{Header: rtp.Header{Version: 2, Marker: i == 0, PayloadType: 101, SequenceNumber: seq,
				Timestamp: ts, SSRC: 0x5151}, Payload: pl})
		}
	}
	return buf.Bytes()
}

// videoPcap builds what SIPp's play_pcap_video sends: n H.264 packets
// (payload type 96) 40 ms apart, one single-NAL-unit packet a frame: an
// IDR slice, then non-IDR slices. The slices are filler: the gateway
// relays them without decoding.
func videoPcap(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("127.0.0.1:6002")
	dst := netip.MustParseAddrPort("127.0.0.1:6004")
	at := time.Unix(1_700_000_000, 0)
	for i := range n {
		nal := byte(0x41) // nal_ref_idc 2, non-IDR slice
		if i == 0 {
			nal = 0x65 // IDR slice
		}
		payload := append([]byte{nal}, bytes.Repeat([]byte{0x9a, 0x3c}, 300)...)
		p := rtp.Packet{Header: rtp.Header{Version: 2, Marker: true, PayloadType: 96, SequenceNumber: uint16(2000 + i),
			Timestamp: uint32(90000 + 3600*i), SSRC: 0x7171}, Payload: payload}
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteUDP(at, src, dst, b); err != nil {
			t.Fatal(err)
		}
		at = at.Add(40 * time.Millisecond)
	}
	return buf.Bytes()
}

// toneFrame is 20 ms of a 1 kHz tone in G.711 µ-law (8 samples a period,
// so every frame is the same).
func toneFrame() []byte {
	out := make([]byte, 160)
	for i := range out {
		s := 8000 * math.Sin(2*math.Pi*float64(i)/8)
		out[i] = linearToULaw(int16(s))
	}
	return out
}

// linearToULaw is the G.711 µ-law encoder.
func linearToULaw(s int16) byte {
	const bias, clip = 0x84, 32635
	x := int(s)
	sign := 0
	if x < 0 {
		x, sign = -x, 0x80
	}
	x = min(x, clip) + bias
	exp := 7
	for mask := 0x4000; x&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (x >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}
