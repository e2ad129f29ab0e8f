package service

import (
	"bytes"
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/transcode"
)

// readFor collects a track's packets for d.
func readFor(t *testing.T, tr call.Track, d time.Duration) []rtp.Packet {
	t.Helper()
	var out []rtp.Packet
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		var p rtp.Packet
		if err := tr.ReadRTP(&p); err != nil {
			break
		}
		c := p
		c.Payload = bytes.Clone(p.Payload)
		out = append(out, c)
	}
	return out
}

// zeroCrossingFreq measures a tone's frequency from its rising zero
// crossings.
func zeroCrossingFreq(pcm []int16, rate int) float64 {
	var first, last float64
	n := 0
	for i := 1; i < len(pcm); i++ {
		a, b := float64(pcm[i-1]), float64(pcm[i])
		if a < 0 && b >= 0 {
			x := float64(i-1) - a/(b-a)
			if n == 0 {
				first = x
			}
			last = x
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return float64(n-1) * float64(rate) / (last - first)
}

// boxX finds the left edge of the white box in the band below the bars.
func boxX(img transcode.Image) int {
	row := img.Height * 66 / 100
	for x := range img.Width {
		if img.Y[row*img.YStride+x] > 150 {
			return x
		}
	}
	return -1
}

func TestTestSourceSendsPatternAndTone(t *testing.T) {
	cases := []struct {
		name         string
		audio, video call.Codec
	}{
		{"pcmu+h264", call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1},
			call.Codec{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}},
		{"opus+vp8", call.Codec{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2},
			call.Codec{Name: "VP8", PayloadType: 97, ClockRate: 90000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			offer := call.Offer{Streams: []call.StreamOffer{
				{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{{Name: "telephone-event", PayloadType: 101, ClockRate: 8000}, tc.audio}},
				{ID: "v", Role: call.RoleVideo, Codecs: []call.Codec{{Name: "H261", PayloadType: 31, ClockRate: 90000}, tc.video}},
				{ID: "c", Role: call.RoleContent, Codecs: []call.Codec{tc.video}},
			}}
			src, err := NewTestSource("ts-1", offer)
			if err != nil {
				t.Fatal(err)
			}
			st := src.Streams()
			if len(st) != 2 || st[0].Codec.Name != tc.audio.Name || st[1].Codec.Name != tc.video.Name {
				t.Fatalf("streams %+v", st)
			}
			var audio, video []rtp.Packet
			var wg sync.WaitGroup
			at, _ := src.Track("a")
			vt, _ := src.Track("v")
			wg.Go(func() { audio = readFor(t, at, 1200*time.Millisecond) })
			wg.Go(func() {
				video = readFor(t, vt, 300*time.Millisecond)
				_ = src.Send(context.Background(), call.Event{Kind: call.EventKeyframeRequest, Stream: "v"})
				video = append(video, readFor(t, vt, 900*time.Millisecond)...)
			})
			wg.Wait()
			_ = src.Hangup(context.Background(), call.LocalHangup)
			if err := vt.WriteRTP(&rtp.Packet{}); err == nil {
				t.Error("a track of an ended source accepts packets")
			}

			// The tone.
			ad, err := transcode.NewAudioDecoder(tc.audio)
			if err != nil {
				t.Fatal(err)
			}
			defer ad.Close()
			var pcm []int16
			rate := 0
			for i := range audio {
				s, r, ch, err := ad.Decode(&audio[i])
				if err != nil {
					t.Fatal(err)
				}
				rate = r
				for k := 0; k < len(s); k += ch {
					pcm = append(pcm, s[k])
				}
			}
			if len(audio) < 40 || len(pcm) < rate*3/4 {
				t.Fatalf("%d audio packets, %d samples", len(audio), len(pcm))
			}
			if f := zeroCrossingFreq(pcm[rate/10:], rate); math.Abs(f-1000) > 10 {
				t.Errorf("tone at %.1f Hz", f)
			}
			loud, quiet := 0, 0
			for _, s := range pcm {
				switch {
				case s > 12000 || s < -12000:
					loud++
				case s > 2000 || s < -2000:
					quiet++
				}
			}
			if loud == 0 || quiet < loud {
				t.Errorf("no beep over the tone: %d loud, %d quiet samples", loud, quiet)
			}

			// The pattern moves.
			vd, err := transcode.NewVideoDecoder(tc.video)
			if err != nil {
				t.Fatal(err)
			}
			defer vd.Close()
			var xs []int
			var clocks [][]byte
			keys := 0
			for i := range video {
				if err := vd.Decode(&video[i], false, 0, func(img transcode.Image, _ uint32) error {
					xs = append(xs, boxX(img))
					row := img.Height * 86 / 100
					clocks = append(clocks, bytes.Clone(img.Y[row*img.YStride:row*img.YStride+img.Width]))
					if img.Width != 1280 || img.Height != 720 {
						t.Errorf("picture %dx%d", img.Width, img.Height)
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range video {
				if isKey(tc.video, video[i].Payload) {
					keys++
				}
			}
			if len(xs) < 10 { // 36 in 1.2 s on an idle machine; a loaded one skips frames
				t.Fatalf("%d pictures in 1.2 s", len(xs))
			}
			if xs[0] < 0 || xs[len(xs)-1] <= xs[0]+50 {
				t.Errorf("box at x=%d then x=%d: it should move right", xs[0], xs[len(xs)-1])
			}
			if bytes.Equal(clocks[0], clocks[len(clocks)-1]) {
				t.Error("the clock did not change")
			}
			if keys < 2 {
				t.Errorf("%d keyframes: the request was not served", keys)
			}
		})
	}
}

// isKey spots the first packet of a keyframe (H.264 IDR, VP8 key frame).
func isKey(c call.Codec, p []byte) bool {
	if len(p) < 2 {
		return false
	}
	if c.Name == "VP8" {
		i := 1
		if p[0]&0x80 != 0 {
			i = 2
			if p[1]&0x80 != 0 {
				i += 1 + int(p[i]>>7)
			}
		}
		return p[0]&0x10 != 0 && p[0]&7 == 0 && i < len(p) && p[i]&1 == 0
	}
	switch p[0] & 0x1F {
	case 5:
		return true
	case 24:
		for rest := p[1:]; len(rest) > 2; {
			n := int(rest[0])<<8 | int(rest[1])
			if n == 0 || n > len(rest)-2 {
				return false
			}
			if rest[2]&0x1F == 5 {
				return true
			}
			rest = rest[2+n:]
		}
	case 28:
		return p[1]&0x80 != 0 && p[1]&0x1F == 5
	}
	return false
}

func TestTestSourceRefusesUnencodableOffer(t *testing.T) {
	_, err := NewTestSource("ts-2", call.Offer{Streams: []call.StreamOffer{
		{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{{Name: "G729", PayloadType: 18, ClockRate: 8000}}},
	}})
	if call.CauseOf(err) != call.CodecMismatch {
		t.Fatalf("got %v", err)
	}
}

// TestTestSourceClocksFollowAStall: a reader that stalls for longer than the
// source lets itself fall behind makes it skip ahead; the RTP timestamps of
// audio and video both jump by the time skipped, so that the two streams
// stay in sync and a receiver sees the gap.
func TestTestSourceClocksFollowAStall(t *testing.T) {
	offer := call.Offer{Streams: []call.StreamOffer{
		{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}}},
		{ID: "v", Role: call.RoleVideo, Codecs: []call.Codec{{Name: "VP8", PayloadType: 97, ClockRate: 90000}}},
	}}
	src, err := NewTestSource("ts-3", offer)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = src.Hangup(context.Background(), call.LocalHangup) }()
	tests := []struct {
		id   string
		rate float64
	}{
		{"a", 8000},
		{"v", 90000},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			tr, _ := src.Track(tc.id)
			before := readFor(t, tr, 200*time.Millisecond)
			const stall = 600 * time.Millisecond
			time.Sleep(stall)
			if len(before) == 0 {
				t.Fatal("no packet before the stall")
			}
			// The first packet after the stall of a new frame (the rest of
			// a picture may still be queued).
			last := before[len(before)-1].Timestamp
			var p rtp.Packet
			for range 100 {
				if err := tr.ReadRTP(&p); err != nil {
					t.Fatal(err)
				}
				if p.Timestamp != last {
					break
				}
			}
			jump := time.Duration(float64(p.Timestamp-last) / tc.rate * float64(time.Second))
			// The source skips once it is maxLag behind: the clock moves by
			// at least the stall less that.
			if jump < stall-maxLag || jump > stall+300*time.Millisecond {
				t.Fatalf("timestamps moved %v over a %v stall, want about the stall", jump, stall)
			}
		})
	}
}
