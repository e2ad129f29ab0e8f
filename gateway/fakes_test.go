package gateway

import (
	"context"
	"errors"
	"net/netip"
	"sync"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

var errFakeEnded = errors.New("fake leg ended")

// fakeTrack is a channel-backed call.Track.
type fakeTrack struct {
	stream call.Stream
	in     chan rtp.Packet // what the far side sends us (ReadRTP)
	out    chan rtp.Packet // what we send the far side (WriteRTP)
	done   <-chan struct{}
}

func (t *fakeTrack) Stream() call.Stream { return t.stream }
func (t *fakeTrack) ReadRTP(p *rtp.Packet) error {
	select {
	case <-t.done:
		return errFakeEnded
	case q := <-t.in:
		*p = q
		return nil
	}
}
func (t *fakeTrack) WriteRTP(p *rtp.Packet) error {
	select {
	case <-t.done:
		return errFakeEnded
	case t.out <- rtp.Packet{Header: p.Header, Payload: append([]byte(nil), p.Payload...)}:
	default:
	}
	return nil
}

// fakeLeg is an inbound or outbound call.Leg driven by the test.
type fakeLeg struct {
	id      string
	proto   call.Protocol
	dir     call.LegDirection
	inc     call.Incoming
	offer   call.Offer
	streams []call.Stream
	tracks  map[string]*fakeTrack
	events  chan call.Event

	mu       sync.Mutex
	accepted []call.Stream
	rejected call.Cause
	rang     int
	hungUp   call.Cause
	ended    bool
	done     chan struct{}
	answered chan struct{}
}

func newFakeLeg(id string, dir call.LegDirection, streams []call.Stream) *fakeLeg {
	l := &fakeLeg{id: id, proto: call.ProtocolSIP, dir: dir, streams: streams, tracks: map[string]*fakeTrack{},
		events: make(chan call.Event, 8), done: make(chan struct{}), answered: make(chan struct{})}
	for _, s := range streams {
		l.tracks[s.ID] = &fakeTrack{stream: s, in: make(chan rtp.Packet, 64), out: make(chan rtp.Packet, 64), done: l.done}
	}
	return l
}

func (l *fakeLeg) ID() string                             { return l.id }
func (l *fakeLeg) Protocol() call.Protocol                { return l.proto }
func (l *fakeLeg) Direction() call.LegDirection           { return l.dir }
func (l *fakeLeg) Remote() string                         { return "fake:" + l.id }
func (l *fakeLeg) Streams() []call.Stream                 { return l.streams }
func (l *fakeLeg) Events() <-chan call.Event              { return l.events }
func (l *fakeLeg) Done() <-chan struct{}                  { return l.done }
func (l *fakeLeg) Incoming() call.Incoming                { return l.inc }
func (l *fakeLeg) Offer() call.Offer                      { return l.offer }
func (l *fakeLeg) Send(context.Context, call.Event) error { return nil }
func (l *fakeLeg) Track(id string) (call.Track, bool) {
	t, ok := l.tracks[id]
	return t, ok
}
func (l *fakeLeg) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ended {
		return nil
	}
	return call.Errorf(l.hungUp, "ended")
}
func (l *fakeLeg) end(c call.Cause) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	l.ended, l.hungUp = true, c
	close(l.done)
}
func (l *fakeLeg) Hangup(_ context.Context, c call.Cause) error { l.end(c); return nil }
func (l *fakeLeg) Ring(context.Context) error {
	l.mu.Lock()
	l.rang++
	l.mu.Unlock()
	return nil
}
func (l *fakeLeg) Progress(context.Context, []call.Stream) error { return nil }
func (l *fakeLeg) Accept(_ context.Context, s []call.Stream) error {
	l.mu.Lock()
	l.accepted = s
	l.mu.Unlock()
	close(l.answered)
	return nil
}
func (l *fakeLeg) Reject(_ context.Context, c call.Cause) error {
	l.mu.Lock()
	l.rejected = c
	l.mu.Unlock()
	l.end(c)
	return nil
}

// fakeDialer answers or fails per destination URI.
type fakeDialer struct {
	mu      sync.Mutex
	targets []call.Target
	fail    map[string]call.Cause // URI → cause
	legs    chan *fakeLeg
	// block makes Dial wait for its context (a far side that only rings).
	block bool
	// pickLast makes the far side choose the last codec offered per stream
	// (one the gateway added by transcoding) instead of the first.
	pickLast bool
	canceled chan struct{}
}

func (d *fakeDialer) Dial(ctx context.Context, t call.Target, offer call.Offer, progress func(call.Event)) (call.Leg, error) {
	d.mu.Lock()
	d.targets = append(d.targets, t)
	cause, fails := d.fail[t.URI]
	d.mu.Unlock()
	if progress != nil {
		progress(call.Event{Kind: call.EventRinging})
	}
	if d.block {
		<-ctx.Done()
		close(d.canceled)
		return nil, call.Errorf(call.LocalHangup, "dial cancelled: %v", ctx.Err())
	}
	if fails {
		return nil, call.Errorf(cause, "far side refused %s", t.URI)
	}
	var streams []call.Stream
	for _, so := range offer.Streams {
		if !so.Disabled && len(so.Codecs) > 0 {
			c := so.Codecs[0]
			if d.pickLast {
				c = so.Codecs[len(so.Codecs)-1]
			}
			c.PayloadType = 100 + c.PayloadType%20 // the far side numbers payloads its own way
			streams = append(streams, call.Stream{ID: "out-" + so.ID, Role: so.Role, Codec: c})
		}
	}
	l := newFakeLeg("out", call.Outbound, streams)
	d.legs <- l
	return l, nil
}

func sipIncoming(dialed string) call.Incoming {
	return call.Incoming{Protocol: call.ProtocolSIP, Source: netip.MustParseAddrPort("192.0.2.1:5060"),
		Caller: "sip:alice@192.0.2.1", Dialed: dialed, CallID: "abc"}
}
