package service

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// ErrEnded is returned by a local leg's tracks once the leg has ended.
var ErrEnded = errors.New("local service leg ended")

// loopDepth is how many packets a stream may hold before the oldest are
// dropped: enough for a video keyframe burst, small enough to add no delay.
const loopDepth = 256

// DefaultOffer is what a local service proposes when the caller made no offer:
// G.711 µ-law audio and H.264 constrained baseline video.
func DefaultOffer() call.Offer {
	return call.Offer{Streams: []call.StreamOffer{
		{ID: "0", Role: call.RoleAudio, Codecs: []call.Codec{{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}}},
		{ID: "1", Role: call.RoleVideo, Codecs: []call.Codec{{Name: "H264", PayloadType: 96, ClockRate: 90000,
			FMTP: "profile-level-id=42e01f;packetization-mode=1"}}},
	}}
}

// Echo is a local leg that returns each stream's packets to the caller, and
// reflects keyframe requests and DTMF back to where they came from.
type Echo struct {
	id      string
	streams []call.Stream
	tracks  map[string]*loopTrack
	events  chan call.Event

	mu    sync.Mutex
	ended bool
	err   error
	done  chan struct{}
}

// NewEcho answers an offer: for each enabled audio and video stream it takes
// the first codec that is not telephone-event. Content and camera-control
// streams are not echoed.
func NewEcho(id string, offer call.Offer) *Echo {
	if offer.Empty() {
		offer = DefaultOffer()
	}
	e := &Echo{id: id, tracks: map[string]*loopTrack{}, events: make(chan call.Event, 16), done: make(chan struct{})}
	for _, so := range offer.Streams {
		if so.Disabled || (so.Role != call.RoleAudio && so.Role != call.RoleVideo) {
			continue
		}
		for _, c := range so.Codecs {
			if strings.EqualFold(c.Name, "telephone-event") {
				continue
			}
			st := call.Stream{ID: so.ID, Role: so.Role, Codec: c, Direction: call.SendRecv, MaxBitrate: so.MaxBitrate}
			e.streams = append(e.streams, st)
			e.tracks[so.ID] = newLoopTrack(st, e.done)
			break
		}
	}
	return e
}

// ID implements call.Leg.
func (e *Echo) ID() string { return e.id }

// Protocol implements call.Leg.
func (e *Echo) Protocol() call.Protocol { return call.ProtocolLocal }

// Direction implements call.Leg: a local service is dialed by the gateway.
func (e *Echo) Direction() call.LegDirection { return call.Outbound }

// Remote implements call.Leg.
func (e *Echo) Remote() string { return "service:echo" }

// Streams implements call.Leg.
func (e *Echo) Streams() []call.Stream { return e.streams }

// Track implements call.Leg.
func (e *Echo) Track(id string) (call.Track, bool) {
	t, ok := e.tracks[id]
	return t, ok
}

// Events implements call.Leg.
func (e *Echo) Events() <-chan call.Event { return e.events }

// Send reflects DTMF, chat and keyframe requests back to the caller: the
// caller is the source of what the echo sends.
func (e *Echo) Send(_ context.Context, ev call.Event) error {
	switch ev.Kind {
	case call.EventDTMF, call.EventChat, call.EventKeyframeRequest:
	default:
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended {
		return ErrEnded
	}
	select {
	case e.events <- ev:
	default: // the bridge is not reading; drop rather than block the caller
	}
	return nil
}

// Hangup implements call.Leg.
func (e *Echo) Hangup(_ context.Context, cause call.Cause) error {
	e.end(call.Errorf(cause, "echo service hung up"))
	return nil
}

func (e *Echo) end(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended {
		return
	}
	e.ended, e.err = true, err
	close(e.done)
	close(e.events)
}

// Done implements call.Leg.
func (e *Echo) Done() <-chan struct{} { return e.done }

// Err implements call.Leg.
func (e *Echo) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// loopTrack returns written packets to readers. Packet memory comes from a
// fixed ring of buffers, so looping does not allocate.
type loopTrack struct {
	stream call.Stream
	done   <-chan struct{}
	queue  chan int // indices into slots, in arrival order
	free   chan int
	slots  [loopDepth]loopSlot
	// reading is the slot the last ReadRTP returned; it is recycled on the
	// next ReadRTP.
	reading int
}

type loopSlot struct {
	hdr rtp.Header
	buf [1500]byte
	n   int
}

func newLoopTrack(st call.Stream, done <-chan struct{}) *loopTrack {
	t := &loopTrack{stream: st, done: done, queue: make(chan int, loopDepth), free: make(chan int, loopDepth), reading: -1}
	for i := range loopDepth {
		t.free <- i
	}
	return t
}

func (t *loopTrack) Stream() call.Stream { return t.stream }

// WriteRTP queues a copy of p; when the ring is full the packet is dropped.
func (t *loopTrack) WriteRTP(p *rtp.Packet) error {
	select {
	case <-t.done:
		return ErrEnded
	default:
	}
	if len(p.Payload) > len(t.slots[0].buf) {
		return nil // larger than any RTP packet on a 1500-byte path: drop
	}
	var i int
	select {
	case i = <-t.free:
	default:
		return nil
	}
	s := &t.slots[i]
	s.hdr = p.Header
	s.hdr.CSRC = nil
	s.hdr.Extensions = nil
	s.hdr.Extension = false
	s.n = copy(s.buf[:], p.Payload)
	t.queue <- i
	return nil
}

// ReadRTP returns the oldest queued packet; its payload stays valid until the
// next ReadRTP.
func (t *loopTrack) ReadRTP(p *rtp.Packet) error {
	if t.reading >= 0 {
		t.free <- t.reading
		t.reading = -1
	}
	select {
	case <-t.done:
		return ErrEnded
	case i := <-t.queue:
		s := &t.slots[i]
		p.Header = s.hdr
		p.Payload = s.buf[:s.n]
		p.PaddingSize = 0
		t.reading = i
		return nil
	}
}
