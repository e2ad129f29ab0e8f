package transcode

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// encodeClip turns the clip's raw frames into RTP of codec c with our own
// encoder, as a sender at the clip's frame rate.
func encodeClip(t testing.TB, c *clip, codec call.Codec, opts PathOptions) []timedPacket {
	t.Helper()
	e, err := NewVideoEncoder(codec, c.w, c.h, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	w, h := e.Size()
	if w != c.w || h != c.h {
		t.Fatalf("encoder size %dx%d for a %dx%d clip", w, h, c.w, c.h)
	}
	var out []timedPacket
	for i, f := range c.frames {
		img, err := e.Picture()
		if err != nil {
			t.Fatal(err)
		}
		unpackI420(f, img)
		at := time.Duration(i) * time.Second / time.Duration(c.fps)
		if err := e.Encode(at, func(p *rtp.Packet) error {
			out = append(out, timedPacket{at, clonePacket(p)})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func unpackI420(f []byte, img Image) {
	w, h := img.Width, img.Height
	for r := range h {
		copy(img.Y[r*img.YStride:], f[r*w:(r+1)*w])
	}
	cw, ch := w/2, h/2
	u, v := f[w*h:w*h+cw*ch], f[w*h+cw*ch:]
	for r := range ch {
		copy(img.Cb[r*img.CStride:], u[r*cw:(r+1)*cw])
		copy(img.Cr[r*img.CStride:], v[r*cw:(r+1)*cw])
	}
}

func TestVideoPairs(t *testing.T) {
	c := makeClip(t, 352, 288, 30, 20, "1M")
	codecs := []call.Codec{h264, h264m0, vp8, h263p, h263}
	for _, from := range codecs {
		in := encodeClip(t, c, from, PathOptions{})
		for _, to := range codecs {
			if from.SameFormat(to) {
				continue
			}
			t.Run(from.Name+"-"+to.Name+"-"+to.FMTP, func(t *testing.T) {
				p, err := NewPath(from, to, PathOptions{MTU: 1000})
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				out := chain(t, []*Path{p}, in, time.Second, 5*time.Millisecond)
				for _, pk := range out {
					if len(pk.p.Payload) > 1000 {
						t.Fatalf("payload of %d bytes", len(pk.p.Payload))
					}
				}
				frames := decodeVideo(t, to, out)
				if len(frames) < 18 {
					t.Fatalf("%d frames out of 20; stats %+v", len(frames), p.Stats())
				}
				var sum float64
				for i, f := range frames {
					_, _, _, all := psnr(c.frames[i], f.data, c.w, c.h)
					sum += all
				}
				if avg := sum / float64(len(frames)); avg < 28 {
					t.Errorf("PSNR %.1f dB", avg)
				}
			})
		}
	}
}
