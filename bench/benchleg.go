package bench

import (
	"context"
	"sync"

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
	events chan call.Event
	done   chan struct{}

	once sync.Once
	mu   sync.Mutex
	err  error
}

// benchTrack is the leg's only track: the session plus its stream.
type benchTrack struct {
	*rtpio.Session
	stream call.Stream
}

func (t benchTrack) Stream() call.Stream { return t.stream }

var pcmu = call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, PacketTime: 20}

func newBenchLeg(id string, sess *rtpio.Session) *benchLeg {
	return &benchLeg{
		id:     id,
		sess:   sess,
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
	return benchTrack{l.sess, l.stream}, true
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
