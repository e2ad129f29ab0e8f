package transcode

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/internal/testpeer"
	"github.com/switchyard/switchyard/transcode/rtppayload"
)

// The comparison benchmarks take minutes of CPU: they run only with
// SWITCHYARD_BENCH=1 (make bench).
func requireBench(b *testing.B) string {
	b.Helper()
	if os.Getenv("SWITCHYARD_BENCH") != "1" {
		b.Skip("set SWITCHYARD_BENCH=1 to compare with the ffmpeg CLI (minutes of CPU)")
	}
	return testpeer.Require(b, "ffmpeg", "ffmpeg")
}

// cpuTime is this process's user+system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ffmpegCPU runs the ffmpeg CLI and returns its user+system CPU time, less
// that of the same command stopped after its first frames (start-up: codec
// initialisation, probing).
func ffmpegCPU(b *testing.B, ffmpeg string, input []string, output []string) time.Duration {
	b.Helper()
	run := func(extra ...string) time.Duration {
		args := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1"}, input...)
		args = append(args, extra...)
		args = append(args, "-threads", "1")
		args = append(args, output...)
		args = append(args, "-f", "null", "-")
		cmd := exec.Command(ffmpeg, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	full := run()
	startup := run("-t", "0.1")
	return full - startup
}

// genMedia makes an input file with the ffmpeg CLI.
func genMedia(b *testing.B, ffmpeg, path string, args ...string) {
	b.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	cmd := exec.Command(ffmpeg, append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), path)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// readIVF returns the frames of an IVF file (VP8 elementary stream).
func readIVF(b *testing.B, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil || len(data) < 32 || string(data[:4]) != "DKIF" {
		b.Fatalf("ivf %s: %v", path, err)
	}
	hdr := int(binary.LittleEndian.Uint16(data[6:]))
	data = data[hdr:]
	var frames [][]byte
	for len(data) >= 12 {
		n := int(binary.LittleEndian.Uint32(data))
		if 12+n > len(data) {
			break
		}
		frames = append(frames, data[12:12+n])
		data = data[12+n:]
	}
	return frames
}

// readOggOpus returns the audio packets of an Ogg Opus file.
func readOggOpus(b *testing.B, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var packets [][]byte
	var cur []byte
	for len(data) >= 27 && string(data[:4]) == "OggS" {
		nseg := int(data[26])
		segs := data[27 : 27+nseg]
		body := data[27+nseg:]
		for _, s := range segs {
			cur = append(cur, body[:s]...)
			body = body[s:]
			if s < 255 {
				packets = append(packets, cur)
				cur = nil
			}
		}
		total := 27 + nseg
		for _, s := range segs {
			total += int(s)
		}
		data = data[total:]
	}
	if len(packets) < 2 {
		b.Fatalf("ogg %s: %d packets", path, len(packets))
	}
	return packets[2:] // OpusHead, OpusTags
}

// pathRun is the measurement of one path over a whole input.
type pathRun struct {
	cpu       time.Duration
	media     time.Duration
	latencies []time.Duration // per output frame: wall time from the input frame's last packet to its output
	work      []time.Duration // the same in this thread's CPU time (without time the machine gave to others)
	framesOut int
}

// threadCPU is the calling thread's CPU time (the goroutine is locked to
// its thread while measuring).
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// runFrames pushes frames (each a burst of packets at its media time)
// through a path as fast as the CPU allows and measures it.
func runFrames(b *testing.B, p *Path, frames [][]rtp.Packet, step, delay time.Duration) pathRun {
	b.Helper()
	var r pathRun
	var lastEmit time.Time
	var lastWork time.Duration
	emit := func(pk *rtp.Packet) error {
		lastEmit, lastWork = time.Now(), threadCPU()
		if pk.Marker || !p.Video() {
			r.framesOut++
		}
		return nil
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := cpuTime(b)
	for i, f := range frames {
		at := time.Duration(i) * step
		for k := range f {
			p.Write(&f[k], at)
		}
		lastEmit = time.Time{}
		t0, w0 := time.Now(), threadCPU()
		if _, err := p.Process(at+delay, emit); err != nil {
			b.Fatal(err)
		}
		if !lastEmit.IsZero() {
			r.latencies = append(r.latencies, lastEmit.Sub(t0))
			r.work = append(r.work, lastWork-w0)
		}
	}
	r.cpu = cpuTime(b) - start
	r.media = time.Duration(len(frames)) * step
	return r
}

func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

// report logs and records one comparison.
func report(b *testing.B, name string, r pathRun, ff time.Duration) {
	ratio := float64(r.cpu) / float64(ff)
	perCore := float64(r.media) / float64(r.cpu)
	b.ReportMetric(float64(r.cpu.Milliseconds())*1000/float64(r.media.Milliseconds()), "cpu-ms/media-s")
	b.ReportMetric(float64(ff.Milliseconds())*1000/float64(r.media.Milliseconds()), "ffmpeg-cpu-ms/media-s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(perCore, "streams/core")
	b.ReportMetric(float64(percentile(r.latencies, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(r.latencies, 0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(percentile(r.work, 0.99).Microseconds())/1000, "p99-cpu-ms")
	fmt.Fprintf(os.Stderr, "%-20s ours %6.1f ms CPU per media second, ffmpeg %6.1f, ratio %.2f, %.1f streams/core; "+
		"latency p50 %v p99 %v max %v (CPU p50 %v p99 %v), %d frames\n",
		name, float64(r.cpu.Microseconds())/1000/r.media.Seconds(), float64(ff.Microseconds())/1000/r.media.Seconds(),
		ratio, perCore, percentile(r.latencies, 0.5).Round(10*time.Microsecond), percentile(r.latencies, 0.99).Round(10*time.Microsecond),
		percentile(r.latencies, 1).Round(10*time.Microsecond),
		percentile(r.work, 0.5).Round(10*time.Microsecond), percentile(r.work, 0.99).Round(10*time.Microsecond), r.framesOut)
}

// benchDir keeps generated inputs between runs of one process.
func benchDir(b *testing.B) string {
	dir := filepath.Join(os.TempDir(), "switchyard-transcode-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

const benchFrames = 300 // 10 s at 30 fps

// x264Args are the ffmpeg CLI's equivalent of our H.264 encoder settings
// for a constrained baseline level 3.1 receiver at the default bitrate.
func x264Args(bitrate int) []string {
	br := strconv.Itoa(bitrate)
	return []string{"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "baseline", "-level", "3.1",
		"-b:v", br, "-maxrate", br, "-bufsize", strconv.Itoa(bitrate / 2), "-g", "300", "-bf", "0",
		"-forced-idr", "1", "-x264-params", "repeat-headers=1:aud=0"}
}

func vp8Args(bitrate int) []string {
	br := strconv.Itoa(bitrate)
	return []string{"-c:v", "libvpx", "-b:v", br, "-minrate", br, "-maxrate", br, "-bufsize", br, "-g", "300",
		"-deadline", "realtime", "-cpu-used", "8", "-error-resilient", "default", "-lag-in-frames", "0",
		"-auto-alt-ref", "0", "-qmin", "4", "-qmax", "56", "-max-intra-rate", "300", "-drop-threshold", "0"}
}

func h264Frames(b *testing.B, path string, codec call.Codec) [][]rtp.Packet {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	pz := &rtppayload.H264Packetizer{Mode: 1}
	var frames [][]rtp.Packet
	seq := uint16(0)
	for i, au := range splitAUs(data) {
		var f []rtp.Packet
		_ = pz.Packetize(au, func(p []byte, m bool) error {
			f = append(f, rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: codec.PayloadType, SequenceNumber: seq,
				Timestamp: uint32(i * 3000), SSRC: 1, Marker: m}, Payload: slices.Clone(p)})
			seq++
			return nil
		})
		frames = append(frames, f)
	}
	return frames
}

func vp8Frames(b *testing.B, path string) [][]rtp.Packet {
	pz := &rtppayload.VP8Packetizer{}
	var frames [][]rtp.Packet
	seq := uint16(0)
	for i, fr := range readIVF(b, path) {
		var f []rtp.Packet
		_ = pz.Packetize(fr, func(p []byte, m bool) error {
			f = append(f, rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: vp8.PayloadType, SequenceNumber: seq,
				Timestamp: uint32(i * 3000), SSRC: 1, Marker: m}, Payload: slices.Clone(p)})
			seq++
			return nil
		})
		frames = append(frames, f)
	}
	return frames
}

// BenchmarkCompareFFmpeg measures the CPU time of each transcode path over
// a whole input against the ffmpeg CLI doing the same conversion with the
// same encoder settings on the same input, single-threaded, in the same
// run. Latency is the wall time from an input frame's last packet to its
// last output packet (decode, scale, encode, packetize), at full speed.
func BenchmarkCompareFFmpeg(b *testing.B) {
	ffmpeg := requireBench(b)
	dir := benchDir(b)
	in720 := filepath.Join(dir, "testsrc2-720p30.h264")
	in1080 := filepath.Join(dir, "testsrc2-1080p30.h264")
	in720vp8 := filepath.Join(dir, "testsrc2-720p30.ivf")
	inUlaw := filepath.Join(dir, "sine-600s.ul")
	inOpus := filepath.Join(dir, "sine-600s.opus")
	src := func(size string) []string {
		return []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30", "-frames:v", strconv.Itoa(benchFrames), "-pix_fmt", "yuv420p"}
	}
	genMedia(b, ffmpeg, in720, append(src("1280x720"), "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-bf", "0", "-g", "60", "-b:v", "4M", "-threads", "1", "-f", "h264")...)
	genMedia(b, ffmpeg, in1080, append(src("1920x1080"), "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-bf", "0", "-g", "60", "-b:v", "8M", "-threads", "1", "-f", "h264")...)
	genMedia(b, ffmpeg, in720vp8, append(src("1280x720"), "-c:v", "libvpx", "-b:v", "4M", "-deadline", "realtime", "-cpu-used", "8", "-g", "60", "-f", "ivf")...)
	genMedia(b, ffmpeg, inUlaw, "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=8000", "-t", "600", "-c:a", "pcm_mulaw", "-f", "mulaw")
	genMedia(b, ffmpeg, inOpus, "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "600", "-c:a", "libopus", "-b:a", "32000", "-frame_duration", "20", "-application", "voip")

	br720 := defaultVideoBitrate(1280, 720, 30)
	b.Run("h264-720p30-to-vp8", func(b *testing.B) {
		frames := h264Frames(b, in720, h264)
		for b.Loop() {
			p, err := NewPath(h264, vp8, PathOptions{})
			if err != nil {
				b.Fatal(err)
			}
			r := runFrames(b, p, frames, time.Second/30, 0)
			p.Close()
			report(b, "H.264→VP8 720p30", r, ffmpegCPU(b, ffmpeg, []string{"-i", in720}, vp8Args(br720)))
		}
	})
	b.Run("vp8-720p30-to-h264", func(b *testing.B) {
		frames := vp8Frames(b, in720vp8)
		for b.Loop() {
			p, err := NewPath(vp8, h264, PathOptions{})
			if err != nil {
				b.Fatal(err)
			}
			r := runFrames(b, p, frames, time.Second/30, 0)
			p.Close()
			report(b, "VP8→H.264 720p30", r, ffmpegCPU(b, ffmpeg, []string{"-i", in720vp8}, x264Args(br720)))
		}
	})
	b.Run("h264-1080p30-to-h264-720p30", func(b *testing.B) {
		frames := h264Frames(b, in1080, h264)
		for b.Loop() {
			p, err := NewPath(h264, h264m0, PathOptions{MaxWidth: 1280, MaxHeight: 720})
			if err != nil {
				b.Fatal(err)
			}
			r := runFrames(b, p, frames, time.Second/30, 0)
			p.Close()
			args := append([]string{"-vf", "scale=1280:720:flags=bilinear"}, x264Args(br720)...)
			args[len(args)-1] += ":slice-max-size=1180"
			report(b, "H.264 1080p→720p30", r, ffmpegCPU(b, ffmpeg, []string{"-i", in1080}, args))
		}
	})
	b.Run("pcmu-to-opus", func(b *testing.B) {
		data, err := os.ReadFile(inUlaw)
		if err != nil {
			b.Fatal(err)
		}
		var frames [][]rtp.Packet
		for i := 0; (i+1)*160 <= len(data); i++ {
			frames = append(frames, []rtp.Packet{{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i),
				Timestamp: uint32(i * 160), SSRC: 1}, Payload: data[i*160 : (i+1)*160]}})
		}
		for b.Loop() {
			p, err := NewPath(pcmu, opus, PathOptions{})
			if err != nil {
				b.Fatal(err)
			}
			r := runFrames(b, p, frames, 20*time.Millisecond, 20*time.Millisecond)
			p.Close()
			report(b, "G.711→Opus", r, ffmpegCPU(b, ffmpeg, []string{"-f", "mulaw", "-ar", "8000", "-ac", "1", "-i", inUlaw},
				[]string{"-c:a", "libopus", "-b:a", "32000", "-compression_level", strconv.Itoa(defaultOpusComplexity), "-application", "voip",
					"-frame_duration", "20", "-vbr", "on", "-fec", "1", "-packet_loss", "10"}))
		}
	})
	b.Run("opus-to-g722", func(b *testing.B) {
		var frames [][]rtp.Packet
		for i, pk := range readOggOpus(b, inOpus) {
			frames = append(frames, []rtp.Packet{{Header: rtp.Header{Version: 2, PayloadType: opus.PayloadType, SequenceNumber: uint16(i),
				Timestamp: uint32(i * 960), SSRC: 1}, Payload: pk}})
		}
		for b.Loop() {
			p, err := NewPath(opus, g722, PathOptions{})
			if err != nil {
				b.Fatal(err)
			}
			r := runFrames(b, p, frames, 20*time.Millisecond, 20*time.Millisecond)
			p.Close()
			report(b, "Opus→G.722", r, ffmpegCPU(b, ffmpeg, []string{"-c:a", "libopus", "-i", inOpus},
				[]string{"-ar", "16000", "-c:a", "g722"}))
		}
	})
	b.Run("opus-to-pcmu", func(b *testing.B) {
		var frames [][]rtp.Packet
		for i, pk := range readOggOpus(b, inOpus) {
			frames = append(frames, []rtp.Packet{{Header: rtp.Header{Version: 2, PayloadType: opus.PayloadType, SequenceNumber: uint16(i),
				Timestamp: uint32(i * 960), SSRC: 1}, Payload: pk}})
		}
		for b.Loop() {
			p, err := NewPath(opus, pcmu, PathOptions{})
			if err != nil {
				b.Fatal(err)
			}
			r := runFrames(b, p, frames, 20*time.Millisecond, 20*time.Millisecond)
			p.Close()
			report(b, "Opus→G.711", r, ffmpegCPU(b, ffmpeg, []string{"-c:a", "libopus", "-i", inOpus},
				[]string{"-ar", "8000", "-c:a", "pcm_mulaw"}))
		}
	})
}
