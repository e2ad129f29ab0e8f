package rtppayload

import (
	"math/rand/v2"
	"testing"

	"github.com/pion/rtp"
)

func benchPacketize(b *testing.B, pz Packetizer, d Depacketizer, frame []byte) {
	p := &rtp.Packet{}
	frames := 0
	onFrame := func(Frame) error { frames++; return nil }
	emit := func(payload []byte, marker bool) error {
		p.Payload, p.Marker = payload, marker
		return d.Push(p, false, onFrame)
	}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		p.Timestamp += 3000
		if err := pz.Packetize(frame, emit); err != nil {
			b.Fatal(err)
		}
	}
	if frames != b.N {
		b.Fatalf("%d frames for %d", frames, b.N)
	}
}

// A 30 KB picture: a keyframe of 640x360 or a large 720p delta frame.
func BenchmarkH264Mode1(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	benchPacketize(b, &H264Packetizer{Mode: 1}, &H264Depacketizer{}, h264AU(r, [2]int{7, 12}, [2]int{8, 5}, [2]int{5, 30000}))
}

func BenchmarkVP8(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	frame := randBytes(r, 30000)
	benchPacketize(b, &VP8Packetizer{}, &VP8Depacketizer{}, frame)
}

func BenchmarkH263Plus(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 3))
	benchPacketize(b, &H263PPacketizer{}, &H263PDepacketizer{}, h263Frame(r, true, 3000, 3000, 3000, 3000, 3000))
}
