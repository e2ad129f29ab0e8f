package bridge

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

var errLegEnded = errors.New("leg ended")

// fakeLeg is a call.Leg whose tracks are channels: the test plays the far
// side, pushing packets in and reading what the bridge writes out.
type fakeLeg struct {
	id     string
	events chan call.Event
	sent   chan call.Event // what the bridge asked the leg to Send
	done   chan struct{}

	mu      sync.Mutex
	streams []call.Stream
	tracks  map[string]*fakeTrack
	err     error
	hungUp  []call.Cause
	endOnce sync.Once
}

func newFakeLeg(id string, streams ...call.Stream) *fakeLeg {
	l := &fakeLeg{
		id:     id,
		events: make(chan call.Event, 16),
		sent:   make(chan call.Event, 64),
		done:   make(chan struct{}),
		tracks: map[string]*fakeTrack{},
	}
	l.setStreams(streams...)
	return l
}

// setStreams replaces the negotiated streams, keeping tracks of known IDs.
func (l *fakeLeg) setStreams(streams ...call.Stream) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.streams = streams
	for _, s := range streams {
		if tr, ok := l.tracks[s.ID]; ok {
			tr.stream = s
			continue
		}
		l.tracks[s.ID] = &fakeTrack{stream: s, in: make(chan rtp.Packet, 256), out: make(chan rtp.Packet, 256), done: l.done}
	}
}

func (l *fakeLeg) track(id string) *fakeTrack {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tracks[id]
}

func (l *fakeLeg) ID() string                   { return l.id }
func (l *fakeLeg) Protocol() call.Protocol      { return call.ProtocolSIP }
func (l *fakeLeg) Direction() call.LegDirection { return call.Inbound }
func (l *fakeLeg) Remote() string               { return "sip:" + l.id + "@example.net" }
func (l *fakeLeg) Events() <-chan call.Event    { return l.events }
func (l *fakeLeg) Done() <-chan struct{}        { return l.done }

func (l *fakeLeg) Streams() []call.Stream {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]call.Stream(nil), l.streams...)
}

func (l *fakeLeg) Track(id string) (call.Track, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tr, ok := l.tracks[id]
	return tr, ok
}

func (l *fakeLeg) Send(ctx context.Context, ev call.Event) error {
	select {
	case l.sent <- ev:
		return nil
	case <-l.done:
		return errLegEnded
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *fakeLeg) Hangup(_ context.Context, cause call.Cause) error {
	l.mu.Lock()
	l.hungUp = append(l.hungUp, cause)
	l.mu.Unlock()
	l.end(call.Errorf(cause, "hung up by the bridge"))
	return nil
}

func (l *fakeLeg) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// end marks the leg ended: Done and Events close, tracks fail.
func (l *fakeLeg) end(err error) {
	l.endOnce.Do(func() {
		l.mu.Lock()
		l.err = err
		l.mu.Unlock()
		close(l.done)
		close(l.events)
	})
}

// emit delivers an event from the far side (the test must not emit after
// the leg ended).
func (l *fakeLeg) emit(ev call.Event) { l.events <- ev }

// remoteHangup is the far side ending the leg with a cause.
func (l *fakeLeg) remoteHangup(cause call.Cause) {
	l.emit(call.Event{Kind: call.EventHangup, Cause: cause})
	l.end(call.Errorf(cause, "far side hung up"))
}

func (l *fakeLeg) hangups() []call.Cause {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]call.Cause(nil), l.hungUp...)
}

// fakeTrack is one stream's media as two channels.
type fakeTrack struct {
	stream call.Stream
	in     chan rtp.Packet // from the far side: ReadRTP returns these
	out    chan rtp.Packet // to the far side: WriteRTP puts copies here
	done   <-chan struct{}
	// panicOnRead makes ReadRTP panic, to test recovery.
	panicOnRead bool
}

func (t *fakeTrack) Stream() call.Stream { return t.stream }

func (t *fakeTrack) ReadRTP(p *rtp.Packet) error {
	if t.panicOnRead {
		panic("track exploded")
	}
	select {
	case pk := <-t.in:
		*p = pk
		return nil
	case <-t.done:
		return errLegEnded
	}
}

func (t *fakeTrack) WriteRTP(p *rtp.Packet) error {
	select {
	case t.out <- *p.Clone():
		return nil
	case <-t.done:
		return errLegEnded
	}
}

// push sends a packet from the far side.
func (t *fakeTrack) push(ssrc uint32, pt uint8, seq uint16, ts uint32) {
	t.in <- rtp.Packet{Header: rtp.Header{Version: 2, SSRC: ssrc, PayloadType: pt, SequenceNumber: seq, Timestamp: ts}, Payload: []byte{byte(seq), 0xaa}}
}

// pop returns the next packet the bridge wrote, failing after a second.
func (t *fakeTrack) pop(tb testing.TB) rtp.Packet {
	tb.Helper()
	select {
	case p := <-t.out:
		return p
	case <-time.After(time.Second):
		tb.Fatalf("no packet written to stream %s", t.stream.ID)
		return rtp.Packet{}
	}
}

// nextSent returns the next event the bridge sent to the leg.
func (l *fakeLeg) nextSent(tb testing.TB) call.Event {
	tb.Helper()
	select {
	case ev := <-l.sent:
		return ev
	case <-time.After(time.Second):
		tb.Fatalf("no event sent to %s", l.id)
		return call.Event{}
	}
}

// joinAsync runs Join on a goroutine and returns its result channel.
func joinAsync(ctx context.Context, a, b call.Leg, opts JoinOptions) <-chan Result {
	ch := make(chan Result, 1)
	go func() { ch <- Join(ctx, a, b, opts) }()
	return ch
}

func waitResult(tb testing.TB, ch <-chan Result) Result {
	tb.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		tb.Fatal("Join did not return")
		return Result{}
	}
}

// checkGoroutines fails the test if goroutines outlive it: call at the
// start, defer the returned function.
func checkGoroutines(tb testing.TB) func() {
	before := runtime.NumGoroutine()
	return func() {
		tb.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				tb.Fatalf("%d goroutines left behind (had %d):\n%s", runtime.NumGoroutine()-before, before, buf[:runtime.Stack(buf, true)])
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

var (
	pcmu  = call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}
	h264a = call.Codec{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}
	h264b = call.Codec{Name: "H264", PayloadType: 100, ClockRate: 90000, FMTP: "packetization-mode=1;profile-level-id=42e028"}
	vp8   = call.Codec{Name: "VP8", PayloadType: 97, ClockRate: 90000}
	tevt  = call.Codec{Name: "TELEPHONE-EVENT", PayloadType: 101, ClockRate: 8000}
)

func rtpPacketValue(ssrc uint32, pt uint8, seq uint16) rtp.Packet {
	return rtp.Packet{Header: rtp.Header{Version: 2, SSRC: ssrc, PayloadType: pt, SequenceNumber: seq, Timestamp: uint32(seq) * 160}, Payload: []byte{1}}
}
