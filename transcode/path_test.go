package transcode

import (
	"errors"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

func TestNewPathRejects(t *testing.T) {
	cases := []struct {
		name     string
		from, to call.Codec
	}{
		{"audio to video", pcmu, vp8},
		{"unknown codec", call.Codec{Name: "G729", ClockRate: 8000}, pcmu},
		{"opus at a wrong rate", call.Codec{Name: "OPUS", ClockRate: 16000}, pcmu},
		{"h264 interleaved", call.Codec{Name: "H264", ClockRate: 90000, FMTP: "packetization-mode=2"}, vp8},
		{"aac latm", call.Codec{Name: "MPEG4-GENERIC", ClockRate: 48000, FMTP: "mode=AAC-lbr"}, pcmu},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPath(tc.from, tc.to, PathOptions{})
			if err == nil || p != nil || !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v, %v", p, err)
			}
			if CanTranscode(tc.from, tc.to) {
				t.Fatal("CanTranscode says yes")
			}
		})
	}
}

func TestCloseIsSafe(t *testing.T) {
	for _, pair := range [][2]call.Codec{{pcmu, opus}, {h264, vp8}} {
		p, err := NewPath(pair[0], pair[1], PathOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		p.Close()
		p.Write(jbPkt(1, 0, 1), 0)
		if _, err := p.Process(time.Second, func(*rtp.Packet) error { return nil }); err == nil {
			t.Fatal("Process after Close succeeded")
		}
		if p.KeyframeNeeded() {
			t.Fatal("a closed path needs a keyframe")
		}
		_ = p.Stats()
	}
}

// audioRun feeds a tone of 20 ms PCMU packets (except those in drop) to a
// path for dur and returns its output.
func audioRun(t *testing.T, p *Path, dur time.Duration, drop func(i int) bool, shuffle bool) []timedPacket {
	t.Helper()
	in := sourcePackets(t, pcmu, 8000, dur, 1000)
	var kept []timedPacket
	for i, pk := range in {
		if drop == nil || !drop(i) {
			kept = append(kept, pk)
		}
	}
	if shuffle {
		for i := 0; i+1 < len(kept); i += 2 {
			kept[i].p, kept[i+1].p = kept[i+1].p, kept[i].p
		}
	}
	return chain(t, []*Path{p}, kept, dur+200*time.Millisecond, 5*time.Millisecond)
}

func continuous(t *testing.T, out []timedPacket, step uint32) {
	t.Helper()
	for i := 1; i < len(out); i++ {
		if out[i].p.SequenceNumber != out[i-1].p.SequenceNumber+1 || out[i].p.Timestamp != out[i-1].p.Timestamp+step {
			t.Fatalf("packet %d: seq %d ts %d after seq %d ts %d", i, out[i].p.SequenceNumber, out[i].p.Timestamp,
				out[i-1].p.SequenceNumber, out[i-1].p.Timestamp)
		}
	}
}

func TestAudioLossIsConcealed(t *testing.T) {
	p, err := NewPath(pcmu, pcma, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := audioRun(t, p, time.Second, func(i int) bool { return i%10 == 5 }, false)
	continuous(t, out, 160)
	s := p.Stats()
	if s.Concealed < 4 || s.Jitter.Lost < 4 || len(out) < 50 {
		t.Fatalf("%d packets out, stats %+v", len(out), s)
	}
	pcm, _ := decodeAll(t, pcma, out)
	if freq, snr := toneAnalysis(steady(pcm, 8000, 4000), 8000); freq < 990 || freq > 1010 || snr < 10 {
		t.Errorf("with 10%% loss: %.1f Hz, SNR %.1f dB", freq, snr)
	}
}

func TestAudioReorderIsUndone(t *testing.T) {
	p, err := NewPath(pcmu, g722, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := audioRun(t, p, time.Second, nil, true)
	continuous(t, out, 160)
	pcm, rate := decodeAll(t, g722, out)
	if freq, snr := toneAnalysis(steady(pcm, rate, rate/2), rate); freq < 990 || freq > 1010 || snr < 25 {
		t.Errorf("reordered input: %.1f Hz, SNR %.1f dB", freq, snr)
	}
}

func TestAudioKeepsClockWithoutInput(t *testing.T) {
	p, err := NewPath(pcmu, opus, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := chain(t, []*Path{p}, nil, time.Second, 5*time.Millisecond)
	if len(out) < 45 || len(out) > 52 {
		t.Fatalf("%d packets in one second of silence", len(out))
	}
	continuous(t, out, 960)
	pcm, _ := decodeAll(t, opus, out)
	for _, s := range pcm {
		if s > 100 || s < -100 {
			t.Fatalf("comfort noise reaches %d", s)
		}
	}
}

func TestOpusDTX(t *testing.T) {
	p, err := NewPath(pcmu, opus, PathOptions{DTX: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := chain(t, []*Path{p}, nil, 2*time.Second, 5*time.Millisecond)
	if len(out) < 5 || len(out) > 20 {
		t.Fatalf("%d packets in two silent seconds with DTX", len(out))
	}
}

// videoIn returns 640x360 H.264 packets of a clip encoded by us, and the
// clip.
func videoSource(t *testing.T, n int, codec call.Codec) ([]timedPacket, *clip) {
	c := makeClip(t, 640, 360, 30, n, "1M")
	return encodeClip(t, c, codec, PathOptions{KeyframeInterval: time.Hour}), c
}

func TestVideoLossWantsKeyframe(t *testing.T) {
	in, _ := videoSource(t, 30, h264)
	p, err := NewPath(h264, vp8, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Lose the first packet of picture 10.
	var kept []timedPacket
	pictures := 0
	for i, pk := range in {
		if i > 0 && pk.p.Timestamp != in[i-1].p.Timestamp {
			pictures++
			if pictures == 10 {
				continue
			}
		}
		kept = append(kept, pk)
	}
	var asked []time.Duration
	stages := [][]timedPacket{kept}
	next := 0
	var out []timedPacket
	for now := time.Duration(0); now < 1200*time.Millisecond; now += 5 * time.Millisecond {
		for next < len(stages[0]) && stages[0][next].at <= now {
			p.Write(&stages[0][next].p, stages[0][next].at)
			next++
		}
		if _, err := p.Process(now, func(pk *rtp.Packet) error {
			out = append(out, timedPacket{now, clonePacket(pk)})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if p.KeyframeNeeded() {
			asked = append(asked, now)
		}
	}
	s := p.Stats()
	// Requests after the loss, repeated while no keyframe comes (the
	// source here never sends one).
	if len(asked) < 2 || s.FramesWithheld < 15 || s.Jitter.Lost != 1 {
		t.Fatalf("asked at %v; stats %+v", asked, s)
	}
	if asked[0] < 300*time.Millisecond || asked[1]-asked[0] < keyframeAskEvery {
		t.Fatalf("requests at %v", asked)
	}
	if frames := decodeVideo(t, vp8, out); len(frames) < 9 || len(frames) > 11 {
		t.Fatalf("%d pictures shown, want the 10 before the loss", len(frames))
	}
}

func TestVideoKeyframeOnRequestAndBitrate(t *testing.T) {
	in, _ := videoSource(t, 60, vp8)
	p, err := NewPath(vp8, h264, PathOptions{KeyframeInterval: time.Hour, MaxBitrate: 1500000})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	next := 0
	bytesIn := [2]int{}
	for now := time.Duration(0); now < 2100*time.Millisecond; now += 5 * time.Millisecond {
		for next < len(in) && in[next].at <= now {
			p.Write(&in[next].p, in[next].at)
			next++
		}
		if now == 500*time.Millisecond {
			p.RequestKeyframe()
		}
		if now == time.Second {
			p.SetBitrate(200000)
		}
		if _, err := p.Process(now, func(pk *rtp.Packet) error {
			switch {
			case now >= 600*time.Millisecond && now < time.Second:
				bytesIn[0] += len(pk.Payload)
			case now >= 1600*time.Millisecond && now < 2*time.Second:
				bytesIn[1] += len(pk.Payload)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	s := p.Stats()
	if s.KeyframesOut != 2 {
		t.Fatalf("%d keyframes, want the first and the requested one", s.KeyframesOut)
	}
	if bytesIn[1] > bytesIn[0]/2 {
		t.Fatalf("bytes in 400 ms before and after %v: the lower bitrate did not take", bytesIn)
	}
}

func TestVideoScalesAndDropsFrames(t *testing.T) {
	c := makeClip(t, 1280, 720, 30, 30, "2M")
	in := c.rtpOf(t, h264)
	p, err := NewPath(h264, h264m0, PathOptions{MaxWidth: 640, MaxHeight: 640, MaxFrameRate: 15})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := chain(t, []*Path{p}, in, 1100*time.Millisecond, 5*time.Millisecond)
	frames := decodeVideo(t, h264m0, out)
	if len(frames) < 14 || len(frames) > 16 || frames[0].w != 640 || frames[0].h != 360 {
		t.Fatalf("%d frames of %dx%d", len(frames), frames[0].w, frames[0].h)
	}
	if s := p.Stats(); s.FramesDropped < 14 {
		t.Fatalf("stats %+v", s)
	}
	for _, pk := range out {
		if len(pk.p.Payload) > 1200 {
			t.Fatalf("mode 0 packet of %d bytes", len(pk.p.Payload))
		}
	}
}

func TestLevelLimitsSize(t *testing.T) {
	level30 := call.Codec{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01e;packetization-mode=1"}
	e, err := NewVideoEncoder(level30, 1280, 720, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if w, h := e.Size(); ((w+15)/16)*((h+15)/16) > 1620 || w < 640 {
		t.Fatalf("level 3.0 got %dx%d", w, h)
	}
	e2, err := NewVideoEncoder(h263, 1280, 720, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if w, h := e2.Size(); w != 352 || h != 288 {
		t.Fatalf("H.263 with CIF and QCIF got %dx%d", w, h)
	}
}
