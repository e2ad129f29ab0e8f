package interop

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/cmplx"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// What a test learns about captured media by handing it to the ffmpeg
// command-line tools: the RTP payloads are unpacked into a file ffmpeg
// reads (raw G.711 and G.722, Ogg Opus, H.264 Annex B, VP8 in IVF), and
// ffmpeg decodes it to PCM or to grey pictures.

// tcAudioRate is the rate ffmpeg resamples decoded audio to.
const tcAudioRate = 16000

// tcDecodeAudio decodes an audio stream with ffmpeg into mono samples at
// tcAudioRate.
func tcDecodeAudio(t *testing.T, c call.Codec, pkts []rtp.Packet) ([]int16, error) {
	t.Helper()
	dir := t.TempDir()
	var in []string
	var data []byte
	switch strings.ToUpper(c.Name) {
	case "PCMU":
		in, data = []string{"-f", "mulaw", "-ar", "8000", "-ac", "1"}, tcConcat(pkts, 0xff)
	case "PCMA":
		in, data = []string{"-f", "alaw", "-ar", "8000", "-ac", "1"}, tcConcat(pkts, 0xd5)
	case "G722":
		in, data = []string{"-f", "g722"}, tcConcat(pkts, -1)
	case "OPUS":
		// libopus, the reference decoder: FFmpeg 5.1's own Opus decoder
		// distorts stereo SILK frames (a 50 Hz comb over a tone).
		in, data = []string{"-f", "ogg", "-c:a", "libopus"}, tcOggOpus(pkts)
	default:
		return nil, fmt.Errorf("no ffmpeg input for %s", c.Name)
	}
	file := filepath.Join(dir, "audio.in")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return nil, err
	}
	args := append(append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, in...),
		"-i", file, "-ac", "1", "-ar", strconv.Itoa(tcAudioRate), "-f", "s16le", "pipe:1")
	out, err := tcRun(t, "ffmpeg", args...)
	if err != nil {
		return nil, err
	}
	pcm := make([]int16, len(out)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(out[2*i:]))
	}
	return pcm, nil
}

// tcFrame is one decoded picture: its luma, scaled to tcFrameWidth.
type tcFrame struct {
	w, h int
	y    []byte
}

// tcFrameWidth is the width ffmpeg scales decoded pictures to, to keep a
// few seconds of HD video small.
const tcFrameWidth = 320

// tcVideo is what ffmpeg made of a video stream.
type tcVideo struct {
	// width and height of the coded pictures, as ffprobe reports them.
	width, height int
	frames        []tcFrame
	// errors are the lines ffmpeg's decoder complained with.
	errors []string
}

// tcDecodeVideo decodes a video stream with ffmpeg into grey pictures.
func tcDecodeVideo(t *testing.T, c call.Codec, pkts []rtp.Packet) (tcVideo, error) {
	t.Helper()
	var v tcVideo
	var format string
	var data []byte
	switch strings.ToUpper(c.Name) {
	case "H264":
		format, data = "h264", tcH264AnnexB(pkts)
	case "VP8":
		format, data = "ivf", tcVP8IVF(pkts)
	default:
		return v, fmt.Errorf("no ffmpeg input for %s", c.Name)
	}
	if len(data) == 0 {
		return v, fmt.Errorf("no %s picture in %d packets", c.Name, len(pkts))
	}
	file := filepath.Join(t.TempDir(), "video."+format)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return v, err
	}
	size, err := tcRun(t, "ffprobe", "-v", "error", "-f", format, "-select_streams", "v:0",
		"-show_entries", "stream=width,height", "-of", "csv=p=0", file)
	if err != nil {
		return v, err
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(string(size)), "%d,%d", &v.width, &v.height); err != nil {
		return v, fmt.Errorf("ffprobe size %q: %w", size, err)
	}
	var stderr bytes.Buffer
	out, err := tcRunErr(t, &stderr, "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", format, "-i", file,
		"-fps_mode", "passthrough", "-vf", fmt.Sprintf("scale=%d:-2", tcFrameWidth), "-pix_fmt", "gray",
		"-c:v", "pgm", "-f", "image2pipe", "pipe:1")
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if l != "" {
			v.errors = append(v.errors, l)
		}
	}
	if err != nil {
		return v, err
	}
	v.frames, err = tcParsePGMs(out)
	return v, err
}

// tcRun runs an ffmpeg tool (bounded to 30 s) and returns its output.
func tcRun(t *testing.T, tool string, args ...string) ([]byte, error) {
	t.Helper()
	var stderr bytes.Buffer
	out, err := tcRunErr(t, &stderr, tool, args...)
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, tcTail(stderr.String(), 2000))
	}
	return out, nil
}

func tcRunErr(t *testing.T, stderr *bytes.Buffer, tool string, args ...string) ([]byte, error) {
	t.Helper()
	bin := testpeer.Require(t, tool, "ffmpeg")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", tool, strings.Join(args, " "), err)
	}
	return stdout.Bytes(), nil
}

// tcParsePGMs splits ffmpeg's image2pipe output into binary PGM pictures.
func tcParsePGMs(b []byte) ([]tcFrame, error) {
	var out []tcFrame
	for len(b) > 0 {
		var fields [4]string
		rest := b
		for i := range fields {
			rest = bytes.TrimLeft(rest, " \t\r\n")
			end := bytes.IndexAny(rest, " \t\r\n")
			if end < 0 {
				return out, fmt.Errorf("PGM header cut short after %d pictures", len(out))
			}
			fields[i], rest = string(rest[:end]), rest[end:]
		}
		rest = rest[1:] // the single white space before the pixels
		w, err1 := strconv.Atoi(fields[1])
		h, err2 := strconv.Atoi(fields[2])
		if fields[0] != "P5" || err1 != nil || err2 != nil || fields[3] != "255" ||
			w <= 0 || h <= 0 || w > 1<<15 || h > 1<<15 || w*h > len(rest) {
			return out, fmt.Errorf("bad PGM picture %d: %q", len(out), fields)
		}
		out = append(out, tcFrame{w: w, h: h, y: rest[:w*h]})
		b = rest[w*h:]
	}
	return out, nil
}

// tcMaxGap bounds the silence put in for a jump of the RTP timestamps
// (5 s), in units of the 8 kHz RTP clock of G.711 and G.722.
const tcMaxGap = 5 * 8000

// tcConcat joins the payloads of a codec that sends a byte per tick of
// its 8 kHz RTP clock (G.711, G.722), on the RTP timeline: a jump of the
// timestamps (the sender skipped ahead) becomes silence of the byte
// 'silence' (up to tcMaxGap), or nothing when silence is negative.
func tcConcat(pkts []rtp.Packet, silence int) []byte {
	var b []byte
	for i, p := range pkts {
		if i > 0 && silence >= 0 {
			gap := int64(int32(p.Timestamp - pkts[i-1].Timestamp - uint32(len(pkts[i-1].Payload))))
			for range min(max(gap, 0), tcMaxGap) {
				b = append(b, byte(silence))
			}
		}
		b = append(b, p.Payload...)
	}
	return b
}

// tcH264AnnexB unpacks RFC 6184 payloads (single NAL units, STAP-A, FU-A)
// into an Annex B byte stream. A fragmented unit with a packet missing is
// dropped.
func tcH264AnnexB(pkts []rtp.Packet) []byte {
	var out, fu []byte
	inFU := false
	var lastSeq uint16
	for i, p := range pkts {
		b := p.Payload
		if inFU && (i == 0 || p.SequenceNumber != lastSeq+1) {
			inFU, fu = false, fu[:0]
		}
		lastSeq = p.SequenceNumber
		if len(b) < 1 {
			continue
		}
		switch typ := b[0] & 0x1f; {
		case typ >= 1 && typ <= 23:
			out = append(append(out, 0, 0, 0, 1), b...)
		case typ == 24: // STAP-A
			for r := b[1:]; len(r) >= 2; {
				n := int(binary.BigEndian.Uint16(r))
				if n == 0 || n > len(r)-2 {
					break
				}
				out = append(append(out, 0, 0, 0, 1), r[2:2+n]...)
				r = r[2+n:]
			}
		case typ == 28: // FU-A
			if len(b) < 2 {
				continue
			}
			start, end := b[1]&0x80 != 0, b[1]&0x40 != 0
			if start {
				fu = append(fu[:0], b[0]&0xe0|b[1]&0x1f)
				inFU = true
			}
			if !inFU {
				continue
			}
			fu = append(fu, b[2:]...)
			if end {
				out = append(append(out, 0, 0, 0, 1), fu...)
				inFU, fu = false, fu[:0]
			}
		}
	}
	return out
}

// tcVP8IVF unpacks RFC 7741 payloads into an IVF file: a frame runs from
// a packet that starts partition 0 to the packet with the marker bit;
// frames with a packet missing are dropped.
func tcVP8IVF(pkts []rtp.Packet) []byte {
	var frames [][]byte
	var cur []byte
	var ts uint32
	var lastSeq uint16
	open := false
	for _, p := range pkts {
		b := p.Payload
		if open && (p.SequenceNumber != lastSeq+1 || p.Timestamp != ts) {
			open = false
		}
		lastSeq = p.SequenceNumber
		hdr, start, ok := tcVP8Descriptor(b)
		if !ok {
			open = false
			continue
		}
		if start {
			cur, ts, open = cur[:0], p.Timestamp, true
		}
		if !open {
			continue
		}
		cur = append(cur, b[hdr:]...)
		if p.Marker {
			frames = append(frames, slices.Clone(cur))
			open = false
		}
	}
	var w, h uint16
	for _, f := range frames {
		if len(f) >= 10 && f[0]&1 == 0 && f[3] == 0x9d && f[4] == 0x01 && f[5] == 0x2a {
			w, h = binary.LittleEndian.Uint16(f[6:])&0x3fff, binary.LittleEndian.Uint16(f[8:])&0x3fff
			break
		}
	}
	if len(frames) == 0 {
		return nil
	}
	le := binary.LittleEndian
	out := make([]byte, 32, 32+len(frames)*1024)
	copy(out, "DKIF")
	le.PutUint16(out[6:], 32)
	copy(out[8:], "VP80")
	le.PutUint16(out[12:], w)
	le.PutUint16(out[14:], h)
	le.PutUint32(out[16:], 30) // time base 1/30: a frame a tick
	le.PutUint32(out[20:], 1)
	le.PutUint32(out[24:], uint32(len(frames)))
	for i, f := range frames {
		var fh [12]byte
		le.PutUint32(fh[:], uint32(len(f)))
		le.PutUint64(fh[4:], uint64(i))
		out = append(append(out, fh[:]...), f...)
	}
	return out
}

// tcVP8Descriptor reads an RFC 7741 payload descriptor: its length, and
// whether the packet starts a frame (S=1, partition 0).
func tcVP8Descriptor(b []byte) (n int, start, ok bool) {
	if len(b) < 1 {
		return 0, false, false
	}
	n = 1
	if b[0]&0x80 != 0 { // X
		if len(b) < 2 {
			return 0, false, false
		}
		x := b[1]
		n = 2
		if x&0x80 != 0 { // I: picture ID, 7 or 15 bits
			if len(b) <= n {
				return 0, false, false
			}
			if b[n]&0x80 != 0 {
				n++
			}
			n++
		}
		if x&0x40 != 0 { // L: TL0PICIDX
			n++
		}
		if x&0x30 != 0 { // T or K: TID/Y/KEYIDX
			n++
		}
	}
	if n > len(b) {
		return 0, false, false
	}
	return n, b[0]&0x10 != 0 && b[0]&0x07 == 0, true
}

// tcOggOpus puts Opus packets in an Ogg stream (RFC 7845), one packet a
// page, with granule positions from the RTP timestamps. Where the
// timestamps jump by more than a packet's 20 ms (up to 5 s), packets
// of a lone TOC byte stand in for the missing 20 ms frames: the decoder
// conceals them, so that what it decodes stays on the RTP timeline.
func tcOggOpus(pkts []rtp.Packet) []byte {
	var out []byte
	seq := uint32(0)
	page := func(flags byte, granule uint64, packet []byte) {
		var lacing []byte
		n := len(packet)
		for n >= 255 {
			lacing = append(lacing, 255)
			n -= 255
		}
		lacing = append(lacing, byte(n))
		if len(lacing) > 255 {
			return // larger than one page holds; never for Opus
		}
		h := make([]byte, 27, 27+len(lacing)+len(packet))
		copy(h, "OggS")
		h[5] = flags
		binary.LittleEndian.PutUint64(h[6:], granule)
		binary.LittleEndian.PutUint32(h[14:], 0x5357_4954) // serial
		binary.LittleEndian.PutUint32(h[18:], seq)
		h[26] = byte(len(lacing))
		h = append(append(h, lacing...), packet...)
		binary.LittleEndian.PutUint32(h[22:], tcOggCRC(h))
		out = append(out, h...)
		seq++
	}
	head := make([]byte, 19)
	copy(head, "OpusHead")
	head[8], head[9] = 1, 2 // version, channels
	binary.LittleEndian.PutUint32(head[12:], 48000)
	page(0x02, 0, head)
	page(0, 0, append([]byte("OpusTags"), 0, 0, 0, 0, 0, 0, 0, 0))
	if len(pkts) == 0 {
		return out
	}
	ts0 := pkts[0].Timestamp
	for i, p := range pkts {
		if i > 0 && len(pkts[i-1].Payload) > 0 {
			gap := int64(int32(p.Timestamp-pkts[i-1].Timestamp)) - 960
			toc := []byte{pkts[i-1].Payload[0] & 0xfc}
			for k := int64(1); k*960 <= min(gap, 5*48000); k++ {
				page(0, uint64(pkts[i-1].Timestamp-ts0)+uint64(k+1)*960, toc)
			}
		}
		flags := byte(0)
		if i == len(pkts)-1 {
			flags = 0x04
		}
		page(flags, uint64(p.Timestamp-ts0)+960, p.Payload)
	}
	return out
}

// tcOggCRC is Ogg's page checksum: CRC-32, polynomial 0x04c11db7, not
// reflected, initial value 0.
func tcOggCRC(b []byte) uint32 {
	var crc uint32
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// tcLevel is the RMS level of samples in dBFS (-inf for silence).
func tcLevel(pcm []int16) float64 {
	if len(pcm) == 0 {
		return math.Inf(-1)
	}
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	return 10 * math.Log10(sum/float64(len(pcm))/(32768*32768))
}

// tcPeakFrequency estimates the strongest frequency of up to the 32768
// samples in the middle of pcm: Hann window, FFT, and a parabola through
// the peak bin's log magnitude and its neighbours.
func tcPeakFrequency(pcm []int16, rate int) float64 {
	n := 1
	for n*2 <= len(pcm) && n < 32768 {
		n *= 2
	}
	if n < 64 {
		return 0
	}
	off := (len(pcm) - n) / 2
	x := make([]complex128, n)
	for i := range x {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
		x[i] = complex(w*float64(pcm[off+i]), 0)
	}
	tcFFT(x)
	lo := max(1, 20*n/rate) // above 20 Hz
	k := lo
	for i := lo; i < n/2-1; i++ {
		if cmplx.Abs(x[i]) > cmplx.Abs(x[k]) {
			k = i
		}
	}
	a, b, c := math.Log(cmplx.Abs(x[k-1])+1e-9), math.Log(cmplx.Abs(x[k])+1e-9), math.Log(cmplx.Abs(x[k+1])+1e-9)
	d := 0.0
	if den := a - 2*b + c; den != 0 {
		d = 0.5 * (a - c) / den
	}
	return (float64(k) + d) * float64(rate) / float64(n)
}

// tcFFT is an in-place radix-2 FFT; len(x) is a power of two.
func tcFFT(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				u, v := x[start+k], x[start+k+size/2]*w
				x[start+k], x[start+k+size/2] = u+v, u-v
				w *= step
			}
		}
	}
}

// tcToneSNR measures how clean a tone of hz is: in each 100 ms window, the
// power of the best-fitting sine at hz (least squares, with an offset)
// against the power of what is left, in dB; it returns the given
// percentile (0..100) of the windows. Distortion that repeats with the
// 20 ms packet rhythm, which a tone of 1 kHz would hide (a whole number of
// periods per packet), spoils every window and shows up here with tones
// such as 440 or 660 Hz; a passing glitch (a late packet concealed)
// spoils only a few.
func tcToneSNR(pcm []int16, rate int, hz, percentile float64) float64 {
	win := rate / 10
	var snrs []float64
	for off := 0; off+win <= len(pcm); off += win {
		var ss, sc, cc, s1, c1, ys, yc, y1 float64
		for i, v := range pcm[off : off+win] {
			w := 2 * math.Pi * hz * float64(i) / float64(rate)
			s, c, y := math.Sin(w), math.Cos(w), float64(v)
			ss, sc, cc, s1, c1 = ss+s*s, sc+s*c, cc+c*c, s1+s, c1+c
			ys, yc, y1 = ys+y*s, yc+y*c, y1+y
		}
		// Solve the 3x3 normal equations by Gaussian elimination.
		m := [3][4]float64{{ss, sc, s1, ys}, {sc, cc, c1, yc}, {s1, c1, float64(win), y1}}
		for col := range 3 {
			for r := col + 1; r < 3; r++ {
				f := m[r][col] / m[col][col]
				for k := col; k < 4; k++ {
					m[r][k] -= f * m[col][k]
				}
			}
		}
		var x [3]float64
		for r := 2; r >= 0; r-- {
			v := m[r][3]
			for k := r + 1; k < 3; k++ {
				v -= m[r][k] * x[k]
			}
			x[r] = v / m[r][r]
		}
		var sig, noise float64
		for i, v := range pcm[off : off+win] {
			w := 2 * math.Pi * hz * float64(i) / float64(rate)
			fit := x[0]*math.Sin(w) + x[1]*math.Cos(w)
			sig += fit * fit
			d := float64(v) - fit - x[2]
			noise += d * d
		}
		snrs = append(snrs, 10*math.Log10(sig/max(noise, 1e-9)))
	}
	if len(snrs) == 0 {
		return math.Inf(-1)
	}
	slices.Sort(snrs)
	return snrs[min(int(percentile/100*float64(len(snrs))), len(snrs)-1)]
}

// tcBeeps finds the louder bursts of a tone: the start times of runs of
// 10 ms windows at least 8 dB above the median window.
func tcBeeps(pcm []int16, rate int) []time.Duration {
	win := rate / 100
	var levels []float64
	for i := 0; i+win <= len(pcm); i += win {
		levels = append(levels, tcLevel(pcm[i:i+win]))
	}
	if len(levels) == 0 {
		return nil
	}
	sorted := slices.Clone(levels)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	var out []time.Duration
	in := false
	for i, l := range levels {
		loud := l > median+8
		if loud && !in {
			out = append(out, time.Duration(i)*10*time.Millisecond)
		}
		in = loud
	}
	return out
}

// tcChanged counts the pixels of rows [y0, y1) (fractions of the height)
// whose luma differs by more than 48 between two pictures of one size.
func tcChanged(a, b tcFrame, y0, y1 float64) (changed, total int) {
	if a.w != b.w || a.h != b.h {
		return 0, 0
	}
	for row := int(y0 * float64(a.h)); row < int(y1*float64(a.h)); row++ {
		for x := range a.w {
			d := int(a.y[row*a.w+x]) - int(b.y[row*b.w+x])
			if d > 48 || d < -48 {
				changed++
			}
			total++
		}
	}
	return changed, total
}
