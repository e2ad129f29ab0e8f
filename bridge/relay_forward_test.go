package bridge

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// pushTrack is a fakeTrack that can push its packets (a forwarder): its
// ForwardRTP hands what the far side sends to fn until the call ends.
type pushTrack struct {
	*fakeTrack
	mode     string // "": forward; "unsupported": refuse; "panic": panic
	forwards atomic.Int32
	reads    atomic.Int32
	dst      call.Track
}

func (t *pushTrack) ForwardRTP(ctx context.Context, dst call.Track, fn func(*rtp.Packet)) error {
	t.forwards.Add(1)
	t.dst = dst
	switch t.mode {
	case "unsupported":
		return errors.ErrUnsupported
	case "panic":
		panic("engine exploded")
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.done:
			return errLegEnded
		case pk := <-t.in:
			fn(&pk)
		}
	}
}

func (t *pushTrack) ReadRTP(p *rtp.Packet) error {
	t.reads.Add(1)
	return t.fakeTrack.ReadRTP(p)
}

// pushLeg is a fakeLeg whose tracks are pushTracks.
type pushLeg struct {
	*fakeLeg
	mu     sync.Mutex
	pushes map[string]*pushTrack
	mode   string
}

func newPushLeg(id, mode string, streams ...call.Stream) *pushLeg {
	return &pushLeg{fakeLeg: newFakeLeg(id, streams...), pushes: map[string]*pushTrack{}, mode: mode}
}

func (l *pushLeg) Track(id string) (call.Track, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.pushes[id]; ok {
		return t, true
	}
	ft := l.track(id)
	if ft == nil {
		return nil, false
	}
	t := &pushTrack{fakeTrack: ft, mode: l.mode}
	l.pushes[id] = t
	return t, true
}

func (l *pushLeg) push(id string) *pushTrack {
	tr, _ := l.Track(id)
	return tr.(*pushTrack)
}

// TestJoinRelaysThroughForwarder checks that a track that can push its
// packets is not read: the relay rewrites what it pushes, counts it, and
// the push ends with the call.
func TestJoinRelaysThroughForwarder(t *testing.T) {
	defer checkGoroutines(t)()
	a := newPushLeg("a", "", call.Stream{ID: "v", Role: call.RoleVideo, Codec: h264a})
	b := newFakeLeg("b", call.Stream{ID: "video", Role: call.RoleVideo, Codec: h264b})
	res := joinAsync(context.Background(), a, b, JoinOptions{})
	av, bv := a.push("v"), b.track("video")
	for i := range 3 {
		av.push(0x1111, 96, uint16(10+i), uint32(3000*i))
	}
	av.push(0x1111, 101, 13, 9000) // not negotiated by b: dropped
	for i := range 3 {
		p := bv.pop(t)
		if p.PayloadType != 100 || p.SSRC == 0x1111 || p.SequenceNumber != uint16(10+i) || p.Timestamp != uint32(3000*i) {
			t.Fatalf("packet %d arrived as %v", i, p.Header)
		}
	}
	a.remoteHangup(call.RemoteHangup)
	r := waitResult(t, res)
	if av.forwards.Load() != 1 || av.reads.Load() != 0 {
		t.Errorf("ForwardRTP called %d times, ReadRTP %d times", av.forwards.Load(), av.reads.Load())
	}
	if av.dst != b.track("video") {
		t.Errorf("ForwardRTP was given %v as its destination", av.dst)
	}
	for _, s := range r.Streams {
		if s.From == "a" && (s.Packets != 3 || s.Dropped != 1 || s.Bytes != 6) {
			t.Errorf("a to b %+v", s)
		}
	}
}

// TestJoinReadsWhenForwardUnsupported checks the fall-back: a track that
// refuses to push is read.
func TestJoinReadsWhenForwardUnsupported(t *testing.T) {
	defer checkGoroutines(t)()
	a := newPushLeg("a", "unsupported", call.Stream{ID: "0", Role: call.RoleAudio, Codec: pcmu})
	b := newFakeLeg("b", call.Stream{ID: "0", Role: call.RoleAudio, Codec: pcmu})
	res := joinAsync(context.Background(), a, b, JoinOptions{})
	at := a.push("0")
	at.push(7, 0, 1, 160)
	if p := b.track("0").pop(t); p.SequenceNumber != 1 {
		t.Fatalf("arrived as %v", p.Header)
	}
	b.remoteHangup(call.RemoteHangup)
	waitResult(t, res)
	if at.forwards.Load() != 1 || at.reads.Load() == 0 {
		t.Errorf("ForwardRTP called %d times, ReadRTP %d times", at.forwards.Load(), at.reads.Load())
	}
}

// TestJoinRecoversForwarderPanic checks that a panic raised by ForwardRTP
// (rtpio raises there what its engine recovered) ends the call as a panic
// in a relay goroutine does.
func TestJoinRecoversForwarderPanic(t *testing.T) {
	defer checkGoroutines(t)()
	a := newPushLeg("a", "panic", call.Stream{ID: "0", Role: call.RoleAudio, Codec: pcmu})
	b := newFakeLeg("b", call.Stream{ID: "0", Role: call.RoleAudio, Codec: pcmu})
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	r := waitResult(t, joinAsync(context.Background(), a, b, JoinOptions{Log: log}))
	if r.Cause != call.Internal {
		t.Fatalf("cause %v, want internal", r.Cause)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "engine exploded") {
		t.Errorf("panic not logged:\n%s", logs.String())
	}
}
