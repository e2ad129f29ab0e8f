package bridge

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
)

func TestJoinRelaysAndRewrites(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a",
		call.Stream{ID: "0", Role: call.RoleAudio, Codec: pcmu},
		call.Stream{ID: "1", Role: call.RoleVideo, Codec: h264a})
	b := newFakeLeg("b",
		call.Stream{ID: "audio", Role: call.RoleAudio, Codec: pcmu},
		call.Stream{ID: "video", Role: call.RoleVideo, Codec: h264b})
	res := joinAsync(context.Background(), a, b, JoinOptions{})

	// A to B: video PT 96 becomes 100; the SSRC is the relay's own.
	av, bv := a.track("1"), b.track("video")
	for i := range 3 {
		av.push(0x1111, 96, uint16(500+i), uint32(9000*i))
	}
	var outSSRC uint32
	for i := range 3 {
		p := bv.pop(t)
		if p.PayloadType != 100 || p.SequenceNumber != uint16(500+i) || p.Timestamp != uint32(9000*i) {
			t.Fatalf("video packet %d arrived as %v", i, p.Header)
		}
		if i == 0 {
			outSSRC = p.SSRC
		} else if p.SSRC != outSSRC {
			t.Fatalf("SSRC changed within a stream: %x then %x", outSSRC, p.SSRC)
		}
		if p.Payload[0] != byte(500+i) {
			t.Fatalf("payload not carried: % x", p.Payload)
		}
	}
	if outSSRC == 0x1111 {
		t.Error("relay kept the sender's SSRC")
	}
	// A payload type B did not negotiate is dropped (here a stray telephone-event).
	av.push(0x1111, 101, 503, 27000)
	av.push(0x1111, 96, 504, 36000)
	if p := bv.pop(t); p.SequenceNumber != 504 {
		t.Fatalf("seq %d arrived; the unmapped packet was not dropped", p.SequenceNumber)
	}
	// B to A: audio keeps PT 0 with a new SSRC.
	b.track("audio").push(0x2222, 0, 7, 160)
	if p := a.track("0").pop(t); p.PayloadType != 0 || p.SSRC == 0x2222 || p.SequenceNumber != 7 {
		t.Fatalf("audio B to A arrived as %v", p.Header)
	}

	a.remoteHangup(call.Busy)
	r := waitResult(t, res)
	if r.Cause != call.Busy || r.EndedBy != "a" {
		t.Errorf("result cause %v ended by %q", r.Cause, r.EndedBy)
	}
	if got := b.hangups(); !slices.Equal(got, []call.Cause{call.Busy}) {
		t.Errorf("b hung up with %v, want [busy]", got)
	}
	if got := a.hangups(); len(got) != 0 {
		t.Errorf("a, which ended itself, was hung up with %v", got)
	}
	if len(r.Unbridged) != 0 {
		t.Errorf("unbridged %v", r.Unbridged)
	}
	var videoAB *StreamResult
	for i, s := range r.Streams {
		if s.Path != PathRelay {
			t.Errorf("stream %+v not relayed", s)
		}
		if s.Role == call.RoleVideo && s.From == "a" {
			videoAB = &r.Streams[i]
		}
	}
	if len(r.Streams) != 4 || videoAB == nil || videoAB.To != "b" || videoAB.Packets != 4 || videoAB.Bytes != 8 || videoAB.Dropped != 1 || videoAB.Codec.PayloadType != 96 {
		t.Errorf("streams %+v", r.Streams)
	}
}

func TestJoinPlansByRole(t *testing.T) {
	tests := []struct {
		name      string
		a, b      []call.Stream
		relays    int // relayed stream directions
		none      int // stream results with path none
		unbridged []call.Role
	}{
		{
			name:   "telephone-event streams take no part",
			a:      []call.Stream{{ID: "a0", Role: call.RoleAudio, Codec: pcmu}, {ID: "a1", Role: call.RoleAudio, Codec: tevt}},
			b:      []call.Stream{{ID: "b0", Role: call.RoleAudio, Codec: pcmu}},
			relays: 2,
		},
		{
			name:      "different video codecs",
			a:         []call.Stream{{ID: "a0", Role: call.RoleAudio, Codec: pcmu}, {ID: "a1", Role: call.RoleVideo, Codec: vp8}},
			b:         []call.Stream{{ID: "b0", Role: call.RoleAudio, Codec: pcmu}, {ID: "b1", Role: call.RoleVideo, Codec: h264b}},
			relays:    2,
			none:      2,
			unbridged: []call.Role{call.RoleVideo},
		},
		{
			name:   "content on one side only",
			a:      []call.Stream{{ID: "a0", Role: call.RoleAudio, Codec: pcmu}, {ID: "a2", Role: call.RoleContent, Codec: h264a}},
			b:      []call.Stream{{ID: "b0", Role: call.RoleAudio, Codec: pcmu}},
			relays: 2,
			none:   1,
		},
		{
			name: "h264 packetization modes differ",
			a:    []call.Stream{{ID: "a1", Role: call.RoleVideo, Codec: h264a}},
			b:    []call.Stream{{ID: "b1", Role: call.RoleVideo, Codec: call.Codec{Name: "H264", PayloadType: 98, ClockRate: 90000}}},
			none: 2, unbridged: []call.Role{call.RoleVideo},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer checkGoroutines(t)()
			a, b := newFakeLeg("a", tt.a...), newFakeLeg("b", tt.b...)
			ctx, cancel := context.WithCancel(context.Background())
			res := joinAsync(ctx, a, b, JoinOptions{})
			time.Sleep(20 * time.Millisecond)
			cancel()
			r := waitResult(t, res)
			if r.Cause != call.LocalHangup || r.EndedBy != "" {
				t.Errorf("cancelled join: cause %v ended by %q", r.Cause, r.EndedBy)
			}
			if !slices.Equal(a.hangups(), []call.Cause{call.LocalHangup}) || !slices.Equal(b.hangups(), []call.Cause{call.LocalHangup}) {
				t.Errorf("hangups a %v b %v, want local_hangup on both", a.hangups(), b.hangups())
			}
			relays, none := 0, 0
			for _, s := range r.Streams {
				switch s.Path {
				case PathRelay:
					relays++
				case PathNone:
					none++
				}
				if isTelephoneEvent(s.Codec) {
					t.Errorf("telephone-event stream in results: %+v", s)
				}
			}
			if relays != tt.relays || none != tt.none || !slices.Equal(r.Unbridged, tt.unbridged) {
				t.Errorf("relays %d none %d unbridged %v; want %d %d %v (%+v)", relays, none, r.Unbridged, tt.relays, tt.none, tt.unbridged, r.Streams)
			}
		})
	}
}

func TestJoinEvents(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a",
		call.Stream{ID: "a-audio", Role: call.RoleAudio, Codec: pcmu},
		call.Stream{ID: "a-video", Role: call.RoleVideo, Codec: h264a},
		call.Stream{ID: "a-slides", Role: call.RoleContent, Codec: h264a})
	b := newFakeLeg("b",
		call.Stream{ID: "b-audio", Role: call.RoleAudio, Codec: pcmu},
		call.Stream{ID: "b-video", Role: call.RoleVideo, Codec: h264b},
		call.Stream{ID: "b-slides", Role: call.RoleContent, Codec: h264b})
	res := joinAsync(context.Background(), a, b, JoinOptions{})

	tests := []struct {
		from, to *fakeLeg
		in       call.Event
		want     call.Event
	}{
		{a, b, call.Event{Kind: call.EventDTMF, Digit: '5', Duration: 100}, call.Event{Kind: call.EventDTMF, Digit: '5', Duration: 100}},
		{b, a, call.Event{Kind: call.EventDTMF, Digit: '#', Stream: "b-audio"}, call.Event{Kind: call.EventDTMF, Digit: '#', Stream: "a-audio"}},
		{a, b, call.Event{Kind: call.EventChat, Text: "hello"}, call.Event{Kind: call.EventChat, Text: "hello"}},
		{b, a, call.Event{Kind: call.EventKeyframeRequest, Stream: "b-video"}, call.Event{Kind: call.EventKeyframeRequest, Stream: "a-video"}},
		{b, a, call.Event{Kind: call.EventKeyframeRequest}, call.Event{Kind: call.EventKeyframeRequest, Stream: "a-video"}},
		{a, b, call.Event{Kind: call.EventKeyframeRequest, Stream: "a-slides"}, call.Event{Kind: call.EventKeyframeRequest, Stream: "b-slides"}},
		{a, b, call.Event{Kind: call.EventBitrate, Stream: "a-video", Bitrate: 768000}, call.Event{Kind: call.EventBitrate, Stream: "b-video", Bitrate: 768000}},
		{a, b, call.Event{Kind: call.EventFloorRequest, Stream: "a-slides"}, call.Event{Kind: call.EventFloorRequest, Stream: "b-slides"}},
		{b, a, call.Event{Kind: call.EventFloorGranted}, call.Event{Kind: call.EventFloorGranted}},
		{a, b, call.Event{Kind: call.EventFloorReleased, Stream: "a-slides"}, call.Event{Kind: call.EventFloorReleased, Stream: "b-slides"}},
		{a, b, call.Event{Kind: call.EventFECC, FECC: call.FECC{Action: call.FECCStart, Move: call.FECCPanLeft, Timeout: 5}}, call.Event{Kind: call.EventFECC, FECC: call.FECC{Action: call.FECCStart, Move: call.FECCPanLeft, Timeout: 5}}},
		{a, b, call.Event{Kind: call.EventHold}, call.Event{Kind: call.EventHold}},
		{a, b, call.Event{Kind: call.EventResume}, call.Event{Kind: call.EventResume}},
	}
	for i, tt := range tests {
		tt.from.emit(tt.in)
		got := tt.to.nextSent(t)
		if got.Kind != tt.want.Kind || got.Stream != tt.want.Stream || got.Digit != tt.want.Digit || got.Duration != tt.want.Duration ||
			got.Text != tt.want.Text || got.Bitrate != tt.want.Bitrate || got.FECC != tt.want.FECC {
			t.Errorf("%d: %s sent %+v, want %+v", i, tt.in.Kind, got, tt.want)
		}
	}
	// Progress events mean nothing once joined.
	a.emit(call.Event{Kind: call.EventRinging})
	a.emit(call.Event{Kind: call.EventAnswered})
	select {
	case ev := <-b.sent:
		t.Errorf("b was sent %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
	b.remoteHangup(call.CauseNone)
	r := waitResult(t, res)
	if r.Cause != call.RemoteHangup || r.EndedBy != "b" || !slices.Equal(a.hangups(), []call.Cause{call.RemoteHangup}) {
		t.Errorf("plain hangup: %v by %q, a hung up with %v", r.Cause, r.EndedBy, a.hangups())
	}
}

func TestJoinMapsNACKs(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a", call.Stream{ID: "av", Role: call.RoleVideo, Codec: h264a})
	b := newFakeLeg("b", call.Stream{ID: "bv", Role: call.RoleVideo, Codec: h264b})
	res := joinAsync(context.Background(), a, b, JoinOptions{})
	av, bv := a.track("av"), b.track("bv")
	// A's sender switches source mid-stream: the relay renumbers the new
	// source to follow on, so B's numbers differ from A's.
	for i := range 3 {
		av.push(1, 96, uint16(100+i), uint32(3000*i))
	}
	for i := range 3 {
		av.push(2, 96, uint16(9000+i), uint32(50000+3000*i))
	}
	var outSeqs []uint16
	for range 6 {
		outSeqs = append(outSeqs, bv.pop(t).SequenceNumber)
	}
	if want := []uint16{100, 101, 102, 103, 104, 105}; !slices.Equal(outSeqs, want) {
		t.Fatalf("B saw %v, want %v", outSeqs, want)
	}
	// B's far side lost 104 and 105: A's sender knows them as 9001 and 9002.
	b.emit(call.Event{Kind: call.EventNACK, Stream: "bv", Seqs: []uint16{104, 105}})
	got := a.nextSent(t)
	if got.Kind != call.EventNACK || got.Stream != "av" || !slices.Equal(got.Seqs, []uint16{9001, 9002}) {
		t.Fatalf("A was sent %+v, want NACK of 9001 9002 on av", got)
	}
	// A NACK for a stream with no relay into it goes nowhere.
	b.emit(call.Event{Kind: call.EventNACK, Stream: "nope", Seqs: []uint16{1}})
	select {
	case ev := <-a.sent:
		t.Errorf("A was sent %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
	a.end(call.Errorf(call.Unavailable, "gone"))
	r := waitResult(t, res)
	if r.Cause != call.Unavailable || r.EndedBy != "a" || !slices.Equal(b.hangups(), []call.Cause{call.Unavailable}) {
		t.Errorf("leg end without event: %v by %q, b hung up %v", r.Cause, r.EndedBy, b.hangups())
	}
}

func TestJoinMediaTimeout(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a", call.Stream{ID: "a0", Role: call.RoleAudio, Codec: pcmu})
	b := newFakeLeg("b", call.Stream{ID: "b0", Role: call.RoleAudio, Codec: pcmu})
	res := joinAsync(context.Background(), a, b, JoinOptions{MediaTimeout: 150 * time.Millisecond})
	// B talks throughout, A only until it holds; on hold nothing times out.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-b.done:
				return
			case <-tick.C:
				select {
				case b.track("b0").in <- rtpPacketValue(5, 0, uint16(i)):
				default:
				}
				select { // drain what reaches A
				case <-a.track("a0").out:
				default:
				}
			}
		}
	}()
	a.track("a0").push(6, 0, 1, 0)
	b.track("b0").pop(t)
	a.emit(call.Event{Kind: call.EventHold})
	b.nextSent(t)
	select {
	case r := <-res:
		t.Fatalf("call on hold ended: %+v", r)
	case <-time.After(400 * time.Millisecond):
	}
	a.emit(call.Event{Kind: call.EventResume})
	start := time.Now()
	r := waitResult(t, res)
	close(stop)
	wg.Wait()
	if r.Cause != call.MediaTimeout || r.EndedBy != "a" {
		t.Fatalf("result %v by %q, want media_timeout by a", r.Cause, r.EndedBy)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("timed out %v after resume", d)
	}
	if !slices.Equal(a.hangups(), []call.Cause{call.MediaTimeout}) || !slices.Equal(b.hangups(), []call.Cause{call.MediaTimeout}) {
		t.Errorf("hangups a %v b %v", a.hangups(), b.hangups())
	}
}

func TestJoinRecoversPanic(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a", call.Stream{ID: "a0", Role: call.RoleAudio, Codec: pcmu})
	b := newFakeLeg("b", call.Stream{ID: "b0", Role: call.RoleAudio, Codec: pcmu})
	a.track("a0").panicOnRead = true
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	r := waitResult(t, joinAsync(context.Background(), a, b, JoinOptions{Log: log}))
	if r.Cause != call.Internal || r.EndedBy != "" {
		t.Fatalf("result %v by %q, want internal", r.Cause, r.EndedBy)
	}
	if !slices.Equal(a.hangups(), []call.Cause{call.Internal}) || !slices.Equal(b.hangups(), []call.Cause{call.Internal}) {
		t.Errorf("hangups a %v b %v", a.hangups(), b.hangups())
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "track exploded") || !strings.Contains(out, "goroutine") {
		t.Errorf("panic not logged with its stack:\n%s", out)
	}
}

func TestJoinMediaChange(t *testing.T) {
	defer checkGoroutines(t)()
	a := newFakeLeg("a", call.Stream{ID: "a0", Role: call.RoleAudio, Codec: pcmu})
	b := newFakeLeg("b", call.Stream{ID: "b0", Role: call.RoleAudio, Codec: pcmu})
	res := joinAsync(context.Background(), a, b, JoinOptions{})
	a.track("a0").push(1, 0, 10, 0)
	first := b.track("b0").pop(t)

	// A re-INVITE: B keeps PCMU under a dynamic payload type, and video is
	// added on both sides.
	b.setStreams(
		call.Stream{ID: "b0", Role: call.RoleAudio, Codec: call.Codec{Name: "PCMU", PayloadType: 112, ClockRate: 8000}},
		call.Stream{ID: "b1", Role: call.RoleVideo, Codec: h264b})
	a.setStreams(
		call.Stream{ID: "a0", Role: call.RoleAudio, Codec: pcmu},
		call.Stream{ID: "a1", Role: call.RoleVideo, Codec: h264a})
	b.emit(call.Event{Kind: call.EventMediaChange})
	time.Sleep(20 * time.Millisecond)
	a.track("a0").push(1, 0, 11, 160)
	if p := b.track("b0").pop(t); p.PayloadType != 112 || p.SequenceNumber != first.SequenceNumber+1 || p.SSRC != first.SSRC {
		t.Fatalf("after renegotiation audio arrived as %v (first %v)", p.Header, first.Header)
	}
	a.track("a1").push(3, 96, 1, 0)
	if p := b.track("b1").pop(t); p.PayloadType != 100 {
		t.Fatalf("added video arrived as %v", p.Header)
	}
	// Video becomes VP8 on B: it can no longer relay.
	b.setStreams(
		call.Stream{ID: "b0", Role: call.RoleAudio, Codec: call.Codec{Name: "PCMU", PayloadType: 112, ClockRate: 8000}},
		call.Stream{ID: "b1", Role: call.RoleVideo, Codec: vp8})
	b.emit(call.Event{Kind: call.EventMediaChange})
	time.Sleep(20 * time.Millisecond)
	a.track("a1").push(3, 96, 2, 3000)
	select {
	case p := <-b.track("b1").out:
		t.Fatalf("video relayed after the codecs diverged: %v", p.Header)
	case <-time.After(50 * time.Millisecond):
	}
	a.remoteHangup(call.RemoteHangup)
	r := waitResult(t, res)
	if !slices.Equal(r.Unbridged, []call.Role{call.RoleVideo}) {
		t.Errorf("unbridged %v", r.Unbridged)
	}
}

// lockedWriter serializes writes to a buffer shared with the test.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
