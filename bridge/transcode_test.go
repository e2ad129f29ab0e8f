package bridge

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/transcode"
	"github.com/switchyard/switchyard/transcode/rtppayload"
)

var opus = call.Codec{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2}

// feedTone sends n 20 ms packets of a 1 kHz PCMU tone into track tr in
// real time.
func feedTone(t *testing.T, tr *fakeTrack, n int) {
	t.Helper()
	enc, err := transcode.NewAudioEncoder(pcmu, 8000, 1, transcode.PathOptions{SSRC: 5})
	if err != nil {
		t.Error(err)
		return
	}
	defer enc.Close()
	pcm := make([]int16, 160)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := range n {
		for k := range pcm {
			pcm[k] = int16(12000 * math.Sin(2*math.Pi*1000*float64(i*160+k)/8000))
		}
		_ = enc.Write(pcm, func(p *rtp.Packet) error {
			select {
			case tr.in <- *p.Clone():
			case <-tr.done:
			}
			return nil
		})
		<-tick.C
	}
}

// drainTrack collects what the bridge writes to tr until stop closes.
func drainTrack(tr *fakeTrack, stop <-chan struct{}) <-chan []rtp.Packet {
	ch := make(chan []rtp.Packet, 1)
	go func() {
		var got []rtp.Packet
		for {
			select {
			case p := <-tr.out:
				got = append(got, p)
			case <-stop:
				ch <- got
				return
			}
		}
	}()
	return ch
}

func TestJoinTranscodesAudio(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a", call.Stream{ID: "a0", Role: call.RoleAudio, Codec: pcmu})
	b := newFakeLeg("b", call.Stream{ID: "b0", Role: call.RoleAudio, Codec: opus})
	limiter := transcode.NewLimiter(transcode.Config{MaxAudio: 2})
	ctx, cancel := context.WithCancel(context.Background())
	res := joinAsync(ctx, a, b, JoinOptions{Transcode: &TranscodeOptions{Limiter: limiter}})
	stop := make(chan struct{})
	toB, toA := drainTrack(b.track("b0"), stop), drainTrack(a.track("a0"), stop)
	feedTone(t, a.track("a0"), 40)
	if _, n := limiter.InUse(); n != 2 {
		t.Errorf("%d audio transcodes counted, want 2", n)
	}
	close(stop)
	cancel()
	r := waitResult(t, res)
	outB, outA := <-toB, <-toA

	// A's tone reaches B as Opus.
	d, err := transcode.NewAudioDecoder(opus)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var pcm []int16
	for i := range outB {
		if outB[i].PayloadType != opus.PayloadType {
			t.Fatalf("B got payload type %d", outB[i].PayloadType)
		}
		s, _, ch, err := d.Decode(&outB[i])
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < len(s); k += ch {
			pcm = append(pcm, s[k])
		}
	}
	loud := 0
	for _, s := range pcm {
		if s > 6000 || s < -6000 {
			loud++
		}
	}
	if len(outB) < 30 || loud < 48000/4 {
		t.Errorf("B got %d packets, %d loud samples", len(outB), loud)
	}
	// B sent nothing: A hears comfort noise on a steady clock.
	if len(outA) < 30 || outA[0].PayloadType != 0 {
		t.Errorf("A got %d packets", len(outA))
	}
	if len(r.Unbridged) != 0 {
		t.Errorf("unbridged %v", r.Unbridged)
	}
	n := 0
	for _, s := range r.Streams {
		if s.Path == PathTranscode {
			n++
			if s.From == "a" && (s.Codec.Name != "PCMU" || s.ToCodec.Name != "OPUS" || s.Packets < 30) {
				t.Errorf("result %+v", s)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d transcoded directions in %+v", n, r.Streams)
	}
	if v, au := limiter.InUse(); v != 0 || au != 0 {
		t.Errorf("limiter still counts %d/%d", v, au)
	}
}

func TestJoinTranscodeLimit(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a", call.Stream{ID: "a0", Role: call.RoleAudio, Codec: pcmu}, call.Stream{ID: "a1", Role: call.RoleVideo, Codec: vp8})
	b := newFakeLeg("b", call.Stream{ID: "b0", Role: call.RoleAudio, Codec: opus}, call.Stream{ID: "b1", Role: call.RoleVideo, Codec: vp8})
	limiter := transcode.NewLimiter(transcode.Config{MaxAudio: 1, MaxVideo: 4})
	ctx, cancel := context.WithCancel(context.Background())
	res := joinAsync(ctx, a, b, JoinOptions{Transcode: &TranscodeOptions{Limiter: limiter}})
	time.Sleep(30 * time.Millisecond)
	cancel()
	r := waitResult(t, res)
	if !slices.Equal(r.Unbridged, []call.Role{call.RoleAudio}) {
		t.Errorf("unbridged %v, want audio (only one of two directions fits)", r.Unbridged)
	}
	if _, au := limiter.InUse(); au != 0 {
		t.Errorf("limiter still counts %d", au)
	}
}

// videoPackets encodes n frames of a moving gradient as VP8 RTP packets.
func videoPackets(t *testing.T, n int) [][]rtp.Packet {
	t.Helper()
	e, err := transcode.NewVideoEncoder(vp8, 320, 240, transcode.PathOptions{KeyframeInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var frames [][]rtp.Packet
	for i := range n {
		img, err := e.Picture()
		if err != nil {
			t.Fatal(err)
		}
		for y := range img.Height {
			for x := range img.Width {
				img.Y[y*img.YStride+x] = byte(x + y + 4*i)
			}
		}
		for k := range img.Cb {
			img.Cb[k], img.Cr[k] = 128, 128
		}
		var pk []rtp.Packet
		if err := e.Encode(time.Duration(i)*33*time.Millisecond, func(p *rtp.Packet) error {
			pk = append(pk, *p.Clone())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, pk)
	}
	return frames
}

func TestJoinTranscodesVideoEvents(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a", call.Stream{ID: "a1", Role: call.RoleVideo, Codec: vp8})
	b := newFakeLeg("b", call.Stream{ID: "b1", Role: call.RoleVideo, Codec: h264a})
	ctx, cancel := context.WithCancel(context.Background())
	res := joinAsync(ctx, a, b, JoinOptions{Transcode: &TranscodeOptions{MaxBitrate: 500000}})
	stop := make(chan struct{})
	toB := drainTrack(b.track("b1"), stop)
	frames := videoPackets(t, 40)
	in := a.track("a1")
	for i, f := range frames {
		for k, p := range f {
			if i == 20 && k == 0 {
				continue // lost: the bridge must ask A for a keyframe
			}
			in.in <- p
		}
		if i == 10 {
			// B's receiver lost pictures: our encoder answers, A is not asked.
			b.emit(call.Event{Kind: call.EventKeyframeRequest, Stream: "b1"})
			b.emit(call.Event{Kind: call.EventBitrate, Stream: "b1", Bitrate: 300000})
		}
		time.Sleep(33 * time.Millisecond)
	}
	ev := a.nextSent(t)
	if ev.Kind != call.EventKeyframeRequest || ev.Stream != "a1" {
		t.Fatalf("A was sent %+v, want a keyframe request for a1 after the loss", ev)
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	cancel()
	waitResult(t, res)
	out := <-toB
	// Count IDR pictures in what B received: the first, and the one B asked for.
	idr := 0
	dep := &rtppayload.H264Depacketizer{}
	for i := range out {
		_ = dep.Push(&out[i], false, func(f rtppayload.Frame) error {
			if f.Keyframe {
				idr++
			}
			return nil
		})
	}
	if idr != 2 {
		t.Errorf("B received %d keyframes in %d packets, want 2", idr, len(out))
	}
}

func TestJoinTranscodeRenegotiates(t *testing.T) {
	defer checkGoroutines(t)()
	g722 := call.Codec{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1}
	a := newFakeLeg("a", call.Stream{ID: "a0", Role: call.RoleAudio, Codec: pcmu, Direction: call.SendRecv})
	b := newFakeLeg("b", call.Stream{ID: "b0", Role: call.RoleAudio, Codec: opus, Direction: call.SendRecv})
	limiter := transcode.NewLimiter(transcode.Config{MaxAudio: 2})
	ctx, cancel := context.WithCancel(context.Background())
	res := joinAsync(ctx, a, b, JoinOptions{Transcode: &TranscodeOptions{Limiter: limiter}})
	stop := make(chan struct{})
	toB := drainTrack(b.track("b0"), stop)
	feedTone(t, a.track("a0"), 10)
	b.setStreams(call.Stream{ID: "b0", Role: call.RoleAudio, Codec: g722, Direction: call.SendRecv})
	b.emit(call.Event{Kind: call.EventMediaChange})
	feedTone(t, a.track("a0"), 10)
	// Now B speaks PCMU like A: the stream relays, the transcoders park.
	b.setStreams(call.Stream{ID: "b0", Role: call.RoleAudio, Codec: pcmu, Direction: call.SendRecv})
	b.emit(call.Event{Kind: call.EventMediaChange})
	time.Sleep(50 * time.Millisecond)
	if _, n := limiter.InUse(); n != 0 {
		t.Errorf("%d audio transcodes counted after the switch to relay", n)
	}
	close(stop)
	cancel()
	r := waitResult(t, res)
	var pts []uint8
	for _, p := range <-toB {
		if len(pts) == 0 || pts[len(pts)-1] != p.PayloadType {
			pts = append(pts, p.PayloadType)
		}
	}
	if len(pts) < 2 || pts[0] != opus.PayloadType || pts[1] != g722.PayloadType {
		t.Errorf("B received payload types %v, want Opus then G.722", pts)
	}
	if len(r.Unbridged) != 0 {
		t.Errorf("unbridged %v", r.Unbridged)
	}
}
