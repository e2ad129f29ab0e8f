package transcode

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/internal/testpeer"
	"github.com/switchyard/switchyard/transcode/rtppayload"
)

// clip is a test sequence made by the ffmpeg CLI: raw I420 frames and the
// same frames coded with H.264.
type clip struct {
	w, h, fps int
	frames    [][]byte // I420, tightly packed
	aus       [][]byte // H.264 access units, Annex B
}

// makeClip renders n frames of lavfi's testsrc2 at w×h.
func makeClip(t testing.TB, w, h, fps, n int, bitrate string) *clip {
	t.Helper()
	ffmpeg := testpeer.Require(t, "ffmpeg", "ffmpeg")
	dir := t.TempDir()
	src := fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps)
	raw, es := filepath.Join(dir, "src.yuv"), filepath.Join(dir, "src.h264")
	run := func(args ...string) {
		cmd := exec.Command(ffmpeg, append([]string{"-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", src, "-frames:v", fmt.Sprint(n)}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	run("-pix_fmt", "yuv420p", "-f", "rawvideo", raw)
	run("-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-threads", "1",
		"-bf", "0", "-g", "60", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-f", "h264", es)
	c := &clip{w: w, h: h, fps: fps}
	data, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	size := w * h * 3 / 2
	for len(data) >= size {
		c.frames = append(c.frames, data[:size])
		data = data[size:]
	}
	stream, err := os.ReadFile(es)
	if err != nil {
		t.Fatal(err)
	}
	c.aus = splitAUs(stream)
	if len(c.frames) != n || len(c.aus) != n {
		t.Fatalf("clip: %d raw frames, %d access units, want %d", len(c.frames), len(c.aus), n)
	}
	return c
}

// splitAUs cuts an Annex B stream (one slice per picture) into access
// units: parameter sets and SEI travel with the slice that follows.
func splitAUs(b []byte) [][]byte {
	var aus [][]byte
	var cur []byte
	for rest := b; ; {
		var nal []byte
		nal, rest = rtppayload.NextNAL(rest)
		if nal == nil {
			break
		}
		if len(nal) == 0 {
			continue
		}
		cur = append(cur, 0, 0, 0, 1)
		cur = append(cur, nal...)
		if t := nal[0] & 0x1F; t == 1 || t == 5 {
			aus = append(aus, cur)
			cur = nil
		}
	}
	return aus
}

// rtpOf packetizes the clip's access units as a sender at fps would, one
// picture every 1/fps.
func (c *clip) rtpOf(t testing.TB, codec call.Codec) []timedPacket {
	t.Helper()
	pz := &rtppayload.H264Packetizer{Mode: 1}
	var out []timedPacket
	seq := uint16(1000)
	for i, au := range c.aus {
		at := time.Duration(i) * time.Second / time.Duration(c.fps)
		ts := uint32(i * 90000 / c.fps)
		if err := pz.Packetize(au, func(b []byte, m bool) error {
			out = append(out, timedPacket{at, rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: codec.PayloadType,
				SequenceNumber: seq, Timestamp: ts, SSRC: 77, Marker: m}, Payload: bytes.Clone(b)}})
			seq++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// decodedFrame is one picture that came out, tightly packed I420.
type decodedFrame struct {
	ts   uint32
	data []byte
	w, h int
}

func decodeVideo(t testing.TB, codec call.Codec, pkts []timedPacket) []decodedFrame {
	t.Helper()
	d, err := NewVideoDecoder(codec)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out []decodedFrame
	for i := range pkts {
		lost := i > 0 && pkts[i].p.SequenceNumber != pkts[i-1].p.SequenceNumber+1
		if err := d.Decode(&pkts[i].p, lost, pkts[i].at, func(img Image, ts uint32) error {
			out = append(out, decodedFrame{ts: ts, data: packI420(img), w: img.Width, h: img.Height})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func packI420(img Image) []byte {
	out := make([]byte, 0, img.Width*img.Height*3/2)
	for r := range img.Height {
		out = append(out, img.Y[r*img.YStride:r*img.YStride+img.Width]...)
	}
	cw, ch := (img.Width+1)/2, (img.Height+1)/2
	for _, p := range [][]byte{img.Cb, img.Cr} {
		for r := range ch {
			out = append(out, p[r*img.CStride:r*img.CStride+cw]...)
		}
	}
	return out
}

// psnr returns the PSNR of Y, U and V planes and of all samples together.
func psnr(a, b []byte, w, h int) (y, u, v, all float64) {
	ys, cs := w*h, (w/2)*(h/2)
	mse := func(x, z []byte) float64 {
		var s float64
		for i := range x {
			d := float64(x[i]) - float64(z[i])
			s += d * d
		}
		return s / float64(len(x))
	}
	my, mu, mv := mse(a[:ys], b[:ys]), mse(a[ys:ys+cs], b[ys:ys+cs]), mse(a[ys+cs:], b[ys+cs:])
	db := func(m float64) float64 { return 10 * math.Log10(255*255/max(m, 1e-10)) }
	return db(my), db(mu), db(mv), db((4*my + mu + mv) / 6)
}

func TestVideoQualityH264VP8H264(t *testing.T) {
	if testing.Short() {
		t.Skip("720p transcoding chain")
	}
	const n = 45
	c := makeClip(t, 1280, 720, 30, n, "4M")
	var paths []*Path
	for _, hop := range [][2]call.Codec{{h264, vp8}, {vp8, h264}} {
		p, err := NewPath(hop[0], hop[1], PathOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		paths = append(paths, p)
	}
	out := chain(t, paths, c.rtpOf(t, h264), time.Duration(n+5)*time.Second/30, 5*time.Millisecond)
	frames := decodeVideo(t, h264, out)
	if len(frames) < n-3 {
		t.Fatalf("%d of %d frames came out", len(frames), n)
	}
	// Align: the output clock is its own; find the source frame of the
	// first output picture, then follow the timestamps.
	best, bestOff := -1.0, 0
	for off := range 4 {
		if _, _, _, all := psnr(c.frames[off], frames[0].data, c.w, c.h); all > best {
			best, bestOff = all, off
		}
	}
	var sumY, sumU, sumV, sumAll, minAll float64
	minAll = 1000
	for _, f := range frames {
		if f.w != c.w || f.h != c.h {
			t.Fatalf("picture %dx%d, want %dx%d", f.w, f.h, c.w, c.h)
		}
		k := bestOff + int(math.Round(float64(f.ts-frames[0].ts)*float64(c.fps)/90000))
		if k >= len(c.frames) {
			t.Fatalf("timestamp %d maps past the clip", f.ts)
		}
		y, u, v, all := psnr(c.frames[k], f.data, c.w, c.h)
		sumY, sumU, sumV, sumAll = sumY+y, sumU+u, sumV+v, sumAll+all
		minAll = min(minAll, all)
	}
	m := float64(len(frames))
	t.Logf("H.264 → VP8 → H.264 720p: %d frames, offset %d, PSNR Y %.2f U %.2f V %.2f all %.2f dB (min %.2f)",
		len(frames), bestOff, sumY/m, sumU/m, sumV/m, sumAll/m, minAll)
	if sumAll/m < 30 || sumY/m < 30 {
		t.Errorf("PSNR below 30 dB")
	}
	for i, p := range paths {
		s := p.Stats()
		t.Logf("path %d: %+v", i, s)
	}
}
