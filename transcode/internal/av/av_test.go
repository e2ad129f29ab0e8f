package av

import (
	"math"
	"testing"
)

func fillGradient(t *testing.T, e *VideoEncoder, n int) {
	t.Helper()
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	p := e.Input()
	w, h := p.Width(), p.Height()
	y, u, v := p.Plane(0), p.Plane(1), p.Plane(2)
	for r := range h {
		for c := range w {
			y[r*p.Stride(0)+c] = byte(c + r + 3*n)
		}
	}
	for r := range h / 2 {
		for c := range w / 2 {
			u[r*p.Stride(1)+c] = byte(128 + c/4)
			v[r*p.Stride(2)+c] = byte(128 - r/4)
		}
	}
}

func TestVideoRoundTrip(t *testing.T) {
	cases := []struct {
		codec Codec
		w, h  int
	}{
		{H264, 320, 240}, {VP8, 320, 240}, {H263, 352, 288}, {H263P, 320, 240},
	}
	for _, tc := range cases {
		t.Run(tc.codec.String(), func(t *testing.T) {
			if !tc.codec.Available() {
				t.Skipf("%s not in this FFmpeg", tc.codec)
			}
			e, err := NewVideoEncoder(VideoEncoderConfig{Codec: tc.codec, Width: tc.w, Height: tc.h, FrameRate: 30, Bitrate: 800000, MaxSliceBytes: 1100})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			d, err := NewVideoDecoder(tc.codec, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			decoded, keys := 0, 0
			for n := range 10 {
				fillGradient(t, e, n)
				err := e.Encode(e.Input(), int64(n), n == 5, func(data []byte, key bool) error {
					if key {
						keys++
					}
					return d.Decode(data, int64(n), func(p *Picture) error {
						decoded++
						if p.Width() != tc.w || p.Height() != tc.h || !p.I420() {
							t.Errorf("decoded %dx%d i420=%v", p.Width(), p.Height(), p.I420())
						}
						return nil
					})
				})
				if err != nil {
					t.Fatal(err)
				}
				if n == 3 {
					if err := e.SetBitrate(400000); err != nil {
						t.Fatal(err)
					}
				}
			}
			if decoded < 9 || keys < 2 {
				t.Fatalf("decoded %d pictures, %d keyframes", decoded, keys)
			}
			e.Close()
			d.Close()
		})
	}
}

func TestAudioRoundTrip(t *testing.T) {
	cases := []struct {
		codec          Codec
		rate, channels int
	}{
		{G722, 16000, 1}, {Opus, 48000, 2}, {Opus, 8000, 1}, {AAC, 48000, 1},
	}
	for _, tc := range cases {
		t.Run(tc.codec.String(), func(t *testing.T) {
			e, err := NewAudioEncoder(AudioEncoderConfig{Codec: tc.codec, Rate: tc.rate, Channels: tc.channels, FEC: true})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			d, err := NewAudioDecoder(tc.codec, tc.rate, tc.channels, e.ExtraData())
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			pcm := make([]int16, e.FrameSize()*tc.channels)
			total := 0
			for n := range 50 {
				for i := range e.FrameSize() {
					s := int16(8000 * math.Sin(2*math.Pi*1000*float64(n*e.FrameSize()+i)/float64(tc.rate)))
					for c := range tc.channels {
						pcm[i*tc.channels+c] = s
					}
				}
				if err := e.Encode(pcm, func(data []byte) error {
					out, err := d.Decode(data)
					total += len(out)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			if total == 0 {
				t.Fatal("nothing decoded")
			}
			t.Logf("%s: frame %d, decoded %d samples at %d Hz/%d", tc.codec, e.FrameSize(), total, d.Rate(), d.Channels())
		})
	}
}

func TestResampler(t *testing.T) {
	r, err := NewResampler(8000, 1, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	in := make([]int16, 160)
	got := 0
	for range 10 {
		out, err := r.Convert(in)
		if err != nil {
			t.Fatal(err)
		}
		got += len(out)
	}
	if got < 2*960*9 {
		t.Fatalf("got %d samples", got)
	}
	r.Close()
	r.Close()
}
