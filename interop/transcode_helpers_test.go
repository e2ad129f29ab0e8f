package interop

import (
	"bytes"
	"encoding/binary"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/internal/pcap"
)

// The measuring tools of the transcoding tests, checked on media whose
// answer is known, so that a failure of the interop tests points at the
// gateway rather than at the ruler.

func tcSine(hz float64, rate, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return out
}

func TestTcPeakFrequency(t *testing.T) {
	tests := []struct {
		hz   float64
		rate int
	}{
		{440, 16000}, {660, 16000}, {1000, 16000}, {1000, 8000}, {3000, 48000},
	}
	for _, tc := range tests {
		got := tcPeakFrequency(tcSine(tc.hz, tc.rate, tc.rate*2, 8000), tc.rate)
		if math.Abs(got-tc.hz) > tc.hz/1000 {
			t.Errorf("%.0f Hz at %d Hz: measured %.2f Hz", tc.hz, tc.rate, got)
		}
	}
}

func TestTcToneSNR(t *testing.T) {
	const rate = 16000
	clean := tcSine(440, rate, rate, 8000)
	// The same tone with every 20 ms packet starting over at phase 0: the
	// kind of damage a broken packetizer or clock does, inaudible in the
	// level and the peak frequency.
	restarted := make([]int16, rate)
	for i := range restarted {
		restarted[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i%(rate/50))/rate))
	}
	tests := []struct {
		name   string
		pcm    []int16
		lo, hi float64
	}{
		{"clean", clean, 60, math.Inf(1)},
		{"restarted every packet", restarted, math.Inf(-1), 10},
	}
	for _, tc := range tests {
		if got := tcToneSNR(tc.pcm, rate, 440, 75); got < tc.lo || got > tc.hi {
			t.Errorf("%s: SNR %.1f dB, want within [%v, %v]", tc.name, got, tc.lo, tc.hi)
		}
	}
}

func TestTcBeeps(t *testing.T) {
	const rate = 16000
	pcm := tcSine(1000, rate, 4*rate, 3000)
	for s := range 4 {
		for i := s*rate + rate/4; i < s*rate+rate/4+rate/10; i++ {
			pcm[i] *= 5
		}
	}
	got := tcBeeps(pcm, rate)
	want := []time.Duration{250 * time.Millisecond, 1250 * time.Millisecond, 2250 * time.Millisecond, 3250 * time.Millisecond}
	if len(got) != len(want) {
		t.Fatalf("beeps at %v, want %v", got, want)
	}
	for i := range want {
		if d := got[i] - want[i]; d < -10*time.Millisecond || d > 10*time.Millisecond {
			t.Fatalf("beeps at %v, want %v", got, want)
		}
	}
}

// TestTcOggCRC: Ogg's checksum is CRC-32 with polynomial 0x04c11db7, not
// reflected, starting at 0 and not inverted at the end: the POSIX cksum
// CRC without its final inversion.
func TestTcOggCRC(t *testing.T) {
	if got, want := tcOggCRC([]byte("123456789")), ^uint32(0x765e7680); got != want {
		t.Fatalf("CRC %#08x, want %#08x", got, want)
	}
}

func tcRTPs(payloads ...[]byte) []rtp.Packet {
	out := make([]rtp.Packet, len(payloads))
	for i, p := range payloads {
		out[i] = rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(100 + i), Timestamp: 9000, Marker: i == len(payloads)-1}, Payload: p}
	}
	return out
}

func TestTcH264AnnexB(t *testing.T) {
	sps, pps := []byte{0x67, 1, 2, 3}, []byte{0x68, 4}
	idr := append([]byte{0x65}, bytes.Repeat([]byte{7}, 10)...)
	start := []byte{0, 0, 0, 1}
	annexB := func(nals ...[]byte) []byte {
		var b []byte
		for _, n := range nals {
			b = append(append(b, start...), n...)
		}
		return b
	}
	stap := []byte{0x78, 0, byte(len(sps))}
	stap = append(append(append(stap, sps...), 0, byte(len(pps))), pps...)
	fuStart := append([]byte{0x7c, 0x85}, idr[1:5]...)
	fuMid := append([]byte{0x7c, 0x05}, idr[5:8]...)
	fuEnd := append([]byte{0x7c, 0x45}, idr[8:]...)
	tests := []struct {
		name string
		pkts []rtp.Packet
		want []byte
	}{
		{"single NAL units", tcRTPs(sps, pps, idr), annexB(sps, pps, idr)},
		{"STAP-A then FU-A", tcRTPs(stap, fuStart, fuMid, fuEnd), annexB(sps, pps, idr)},
		{"FU-A with a fragment lost", append(tcRTPs(stap, fuStart), tcRTPs(nil, nil, nil, fuEnd)[3]), annexB(sps, pps)},
		{"STAP-A with a length past its end", tcRTPs([]byte{0x78, 0, 9, 0x67}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tcH264AnnexB(tc.pkts); !bytes.Equal(got, tc.want) {
				t.Fatalf("got % x\nwant % x", got, tc.want)
			}
		})
	}
}

func TestTcVP8IVF(t *testing.T) {
	// A key frame header: frame tag (key frame bit 0 clear), start code,
	// 320x240.
	key := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0xaa, 0xbb}
	tests := []struct {
		name   string
		pkts   []rtp.Packet
		frames int
		first  []byte
	}{
		{"one packet, short descriptor", tcRTPs(append([]byte{0x10}, key...)), 1, key},
		{"two packets, 15-bit picture ID", tcRTPs(append([]byte{0x90, 0x80, 0x81, 0x23}, key[:6]...), append([]byte{0x80, 0x80, 0x81, 0x23}, key[6:]...)), 1, key},
		{"all extensions", tcRTPs(append([]byte{0x90, 0xf0, 0x05, 0x07, 0x20}, key...)), 1, key},
		{"no start of frame", tcRTPs(append([]byte{0x00}, key...)), 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ivf := tcVP8IVF(tc.pkts)
			if tc.frames == 0 {
				if ivf != nil {
					t.Fatalf("IVF of %d bytes, want none", len(ivf))
				}
				return
			}
			if len(ivf) < 44 || string(ivf[:4]) != "DKIF" || string(ivf[8:12]) != "VP80" {
				t.Fatalf("not an IVF file: % x", ivf)
			}
			if w, h := binary.LittleEndian.Uint16(ivf[12:]), binary.LittleEndian.Uint16(ivf[14:]); w != 320 || h != 240 {
				t.Fatalf("IVF says %dx%d, want 320x240", w, h)
			}
			if n := binary.LittleEndian.Uint32(ivf[24:]); int(n) != tc.frames {
				t.Fatalf("%d frames, want %d", n, tc.frames)
			}
			size := binary.LittleEndian.Uint32(ivf[32:])
			if got := ivf[44 : 44+size]; !bytes.Equal(got, tc.first) {
				t.Fatalf("frame % x, want % x", got, tc.first)
			}
		})
	}
}

func TestTcConcatFillsTimestampGaps(t *testing.T) {
	pkts := []rtp.Packet{
		{Header: rtp.Header{Timestamp: 0}, Payload: bytes.Repeat([]byte{1}, 160)},
		{Header: rtp.Header{Timestamp: 160}, Payload: bytes.Repeat([]byte{2}, 160)},
		{Header: rtp.Header{Timestamp: 640}, Payload: bytes.Repeat([]byte{3}, 160)}, // 320 ticks skipped
	}
	got := tcConcat(pkts, 0xff)
	if len(got) != 800 || got[320] != 0xff || got[639] != 0xff || got[640] != 3 {
		t.Fatalf("%d bytes, [320]=%#x [639]=%#x [640]=%#x; want 800 with 320 of silence before the third packet", len(got), got[320], got[639], got[640])
	}
	if got := tcConcat(pkts, -1); len(got) != 480 {
		t.Fatalf("without silence: %d bytes, want 480", len(got))
	}
}

func TestTcParseWAV(t *testing.T) {
	wav := tcToneWAV(440, 8000, 2, time.Second)
	pcm, rate, err := tcParseWAV(wav)
	if err != nil || rate != 8000 || len(pcm) != 8000 {
		t.Fatalf("%d samples at %d Hz, %v; want 8000 at 8000 Hz", len(pcm), rate, err)
	}
	if f := tcPeakFrequency(pcm, rate); math.Abs(f-440) > 1 {
		t.Fatalf("the tone file holds %.1f Hz, want 440", f)
	}
	// A data chunk whose size was never written runs to the end.
	binary.LittleEndian.PutUint32(wav[40:], 0)
	if pcm, _, err := tcParseWAV(wav); err != nil || len(pcm) != 8000 {
		t.Fatalf("unfinished file: %d samples, %v", len(pcm), err)
	}
}

func TestTcSDPPorts(t *testing.T) {
	msg := "SIP/2.0 200 OK\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\n"
	pkts := []pcap.Packet{
		{Proto: pcap.ProtoUDP, Src: netip.MustParseAddrPort("127.0.0.1:5070"), Payload: []byte(msg)},
		{Proto: pcap.ProtoUDP, Src: netip.MustParseAddrPort("127.0.0.1:5060"), Payload: []byte("INVITE x SIP/2.0\r\n\r\nv=0\r\nm=audio 9 RTP/AVP 0\r\n")},
	}
	got := tcSDPPorts(pkts, 5070)
	if len(got) != 2 || got["audio"] != 4000 || got["video"] != 4002 {
		t.Fatalf("ports %v, want audio 4000 and video 4002", got)
	}
}

func TestTcParsePGMs(t *testing.T) {
	in := append([]byte("P5\n2 2\n255\n"), 1, 2, 3, 4)
	in = append(append(in, "P5 1 1 255 "...), 9)
	frames, err := tcParsePGMs(in)
	if err != nil || len(frames) != 2 || frames[0].w != 2 || frames[1].y[0] != 9 {
		t.Fatalf("%+v, %v", frames, err)
	}
	if _, err := tcParsePGMs([]byte("P5\n99999999 99999999\n255\n")); err == nil {
		t.Fatal("a picture larger than the data was accepted")
	}
}

// FuzzTcMediaParsers: the unpackers and parsers of the transcoding tests
// read what peers and tools produced; none may panic on any input.
func FuzzTcMediaParsers(f *testing.F) {
	f.Add([]byte{0x78, 0, 2, 0x67, 1, 0x7c, 0x85, 1, 2}, uint16(1))
	f.Add([]byte{0x90, 0xf0, 0x05, 0x07, 0x20, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}, uint16(0))
	f.Add(tcToneWAV(440, 8000, 1, 10*time.Millisecond), uint16(3))
	f.Add([]byte("P5\n2 2\n255\n\x01\x02\x03\x04"), uint16(2))
	f.Add([]byte("SIP/2.0 200 OK\r\n\r\nv=0\r\nm=audio 4000 RTP/AVP 0\r\nm=video x\r\n"), uint16(5))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		// Cut the input into RTP payloads at every 'split' bytes.
		step := int(split%64) + 1
		var pkts []rtp.Packet
		for i := 0; i < len(data); i += step {
			pkts = append(pkts, rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(i / step), Timestamp: uint32(i * 7), Marker: i%3 == 0},
				Payload: data[i:min(i+step, len(data))]})
		}
		_ = tcH264AnnexB(pkts)
		_ = tcVP8IVF(pkts)
		_ = tcOggOpus(pkts)
		_ = tcConcat(pkts, 0xff)
		_, _, _ = tcVP8Descriptor(data)
		_, _, _ = tcParseWAV(data)
		_, _ = tcParsePGMs(data)
		_ = tcSDPPorts([]pcap.Packet{{Proto: pcap.ProtoUDP, Src: netip.MustParseAddrPort("127.0.0.1:1"), Payload: data}}, 1)
		_ = tcStreamsOf([]pcap.Packet{{Proto: pcap.ProtoUDP, Payload: data}}, func(netip.AddrPort, netip.AddrPort) bool { return true })
	})
}
