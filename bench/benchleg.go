package bench

import (
	"context"
	"errors"
	"sync"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// benchLeg is the least a call.Leg can be for the relay benchmark: one
// answered PCMU audio stream carried by an rtpio session, no signalling. It
// stands where the SIP or H.323 leg of a real call stands, so that
// bridge.Join relays exactly as it does for a gateway call.
type benchLeg struct {
	id     string
	sess   *rtpio.Session
	stream call.Stream
	// read makes the bridge read the track with ReadRTP (a goroutine per
	// direction) instead of having the session forward through rtpio's
	// receive engine.
	read   bool
	events chan call.Event
	done   chan struct{}

	once sync.Once
	mu   sync.Mutex
	err  error
}

// benchTrack is the leg's only track: the session plus its stream. It
// filters nothing out of what the session receives.
type benchTrack struct {
	*rtpio.Session
	stream call.Stream
}

func (t benchTrack) Stream() call.Stream { return t.stream }

// forwardTrack is a benchTrack that lets the bridge relay through the
// session's receive engine (rtpio.Session.Forward), as a leg's track does
// when it filters nothing the bridge must not see.
type forwardTrack struct{ benchTrack }

// RTPSession says that WriteRTP is the session's own (rtpio.SessionTrack).
func (t forwardTrack) RTPSession() *rtpio.Session { return t.Session }

// ForwardRTP pushes every packet to fn from the receive engine when fn
// writes to a track that does not block.
func (t forwardTrack) ForwardRTP(ctx context.Context, dst call.Track, fn func(*rtp.Packet)) error {
	if !rtpio.CanForwardTo(dst) {
		return errors.ErrUnsupported
	}
	return t.Session.Forward(ctx, fn)
}

var pcmu = call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, PacketTime: 20}

func newBenchLeg(id string, sess *rtpio.Session, read bool) *benchLeg {
	return &benchLeg{
		id:     id,
		sess:   sess,
		read:   read,
		stream: call.Stream{ID: "audio", Role: call.RoleAudio, Codec: pcmu, Direction: call.SendRecv},
		events: make(chan call.Event),
		done:   make(chan struct{}),
	}
}

func (l *benchLeg) ID() string                   { return l.id }
func (l *benchLeg) Protocol() call.Protocol      { return call.ProtocolSIP }
func (l *benchLeg) Direction() call.LegDirection { return call.Inbound }
func (l *benchLeg) Remote() string               { return "rtp:" + l.sess.LocalAddr().String() }
func (l *benchLeg) Streams() []call.Stream       { return []call.Stream{l.stream} }
func (l *benchLeg) Events() <-chan call.Event    { return l.events }
func (l *benchLeg) Done() <-chan struct{}        { return l.done }

func (l *benchLeg) Track(id string) (call.Track, bool) {
	if id != l.stream.ID {
		return nil, false
	}
	t := benchTrack{l.sess, l.stream}
	if l.read {
		return t, true
	}
	return forwardTrack{t}, true
}

// Send drops events: the benchmark carries media only.
func (l *benchLeg) Send(context.Context, call.Event) error { return nil }

// Hangup closes the session, which makes its track fail, and ends the leg.
func (l *benchLeg) Hangup(_ context.Context, cause call.Cause) error {
	l.end(cause)
	return nil
}

func (l *benchLeg) end(cause call.Cause) {
	l.once.Do(func() {
		_ = l.sess.Close()
		l.mu.Lock()
		l.err = call.Errorf(cause, "bench leg %s ended", l.id)
		l.mu.Unlock()
		close(l.events)
		close(l.done)
	})
}

func (l *benchLeg) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}
