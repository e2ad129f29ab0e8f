package transcode

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// benchAudioPath measures one 20 ms frame through a path: packet in, jitter
// buffer, decode, resample, encode, packet out.
func benchAudioPath(b *testing.B, from, to call.Codec, rate int) {
	in := sourcePackets(b, from, rate, 2*time.Second, 1000)
	p, err := NewPath(from, to, PathOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	out := 0
	emit := func(*rtp.Packet) error { out++; return nil }
	step := uint32(from.ClockRate / 50)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		pk := &in[i%len(in)].p
		pk.SequenceNumber = uint16(i)
		pk.Timestamp = uint32(i) * step
		at := time.Duration(i) * 20 * time.Millisecond
		p.Write(pk, at)
		if _, err := p.Process(at+20*time.Millisecond, emit); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if out < b.N/2 {
		b.Fatalf("%d packets out of %d", out, b.N)
	}
}

func BenchmarkAudioPathPCMUToOpus(b *testing.B) { benchAudioPath(b, pcmu, opus, 8000) }
func BenchmarkAudioPathOpusToPCMU(b *testing.B) { benchAudioPath(b, opus, pcmu, 48000) }
func BenchmarkAudioPathOpusToG722(b *testing.B) { benchAudioPath(b, opus, g722, 48000) }
func BenchmarkAudioPathPCMUToPCMA(b *testing.B) { benchAudioPath(b, pcmu, pcma, 8000) }

// BenchmarkVideoPathCIF measures one CIF picture through an H.264 → VP8
// path (depacketize, decode, encode, packetize); per-picture Go
// allocations should be zero.
func BenchmarkVideoPathCIF(b *testing.B) {
	c := makeClip(b, 352, 288, 30, 60, "800k")
	in := c.rtpOf(b, h264)
	var frames [][]rtp.Packet
	for i := 0; i < len(in); {
		k := i
		for k < len(in) && in[k].p.Timestamp == in[i].p.Timestamp {
			k++
		}
		var f []rtp.Packet
		for _, tp := range in[i:k] {
			f = append(f, tp.p)
		}
		frames = append(frames, f)
		i = k
	}
	p, err := NewPath(h264, vp8, PathOptions{KeyframeInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	out := 0
	emit := func(*rtp.Packet) error { out++; return nil }
	seq := uint16(0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Loop the clip from its second picture (P pictures only after the
		// first round), as one continuous stream.
		f := frames[1+i%(len(frames)-1)]
		if i == 0 {
			f = frames[0]
		}
		at := time.Duration(i) * time.Second / 30
		for k := range f {
			f[k].SequenceNumber, f[k].Timestamp = seq, uint32(i*3000)
			seq++
			p.Write(&f[k], at)
		}
		if _, err := p.Process(at, emit); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if out < b.N {
		b.Fatalf("%d packets for %d pictures", out, b.N)
	}
}
