package webrtc

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// legKind says what placed a leg.
type legKind uint8

const (
	// kindApp is a browser call from the web app's signalling API.
	kindApp legKind = iota
	// kindWHIP is a WHIP publisher (it sends, we receive).
	kindWHIP
	// kindWHEP is a WHEP player (we send, it receives).
	kindWHEP
	// kindDial is an outbound leg to a WHIP or WHEP server.
	kindDial
)

func (k legKind) String() string {
	switch k {
	case kindWHIP:
		return "whip"
	case kindWHEP:
		return "whep"
	case kindDial:
		return "dial-out"
	}
	return "web app"
}

// legState is where a leg is in its life.
type legState uint8

const (
	stateOffered   legState = iota // waiting for the gateway to answer
	stateAnswering                 // building the answer
	stateAnswered                  // answered; media may flow
	stateEnded
)

// eventQueueLen is how many events wait for the bridge before new ones are
// dropped.
const eventQueueLen = 64

// leg is one PeerConnection as a call.Leg. Inbound legs (web app, WHIP,
// WHEP) are call.InboundLegs: the far side's offer waits until the gateway
// accepts or rejects it; outbound legs (WHIP/WHEP dial-outs) are answered
// when Dial returns.
type leg struct {
	srv  *Server
	id   string
	kind legKind
	dir  call.LegDirection
	// remoteName is the far side as logs and records name it.
	remoteName string
	log        *slog.Logger
	inc        call.Incoming
	ro         *remoteOffer // inbound legs: the far side's offer

	events chan call.Event
	stop   chan struct{} // closed when the leg starts ending
	done   chan struct{} // closed when it has ended and released all
	// settled is closed once the leg is answered or has ended: the WHIP and
	// WHEP handlers wait on it.
	settled    chan struct{}
	settleOnce sync.Once
	client     *eventLog // web app legs: the event stream
	tok        *token    // web app legs

	mu          sync.Mutex
	state       legState
	err         error
	endReason   reason
	pc          *webrtc.PeerConnection
	streams     []call.Stream
	tracks      map[string]*track
	pending     []webrtc.ICECandidateInit // trickled before the connection exists
	trickled    int
	dc          *webrtc.DataChannel
	answerSDP   string
	connected   bool
	wasUp       bool
	connTimer   *time.Timer
	tokenTimer  *time.Timer
	resourceURL string // dial-outs: the WHIP/WHEP session to DELETE
	loops       sync.WaitGroup
}

func newLeg(srv *Server, id string, kind legKind, dir call.LegDirection, log *slog.Logger) *leg {
	return &leg{
		srv: srv, id: id, kind: kind, dir: dir, log: log.With("leg", id),
		events: make(chan call.Event, eventQueueLen), stop: make(chan struct{}),
		done: make(chan struct{}), settled: make(chan struct{}),
	}
}

// ID implements call.Leg.
func (l *leg) ID() string { return l.id }

// Protocol implements call.Leg.
func (l *leg) Protocol() call.Protocol { return call.ProtocolWebRTC }

// Direction implements call.Leg.
func (l *leg) Direction() call.LegDirection { return l.dir }

// Remote implements call.Leg.
func (l *leg) Remote() string { return l.remoteName }

// Streams implements call.Leg: the streams answered so far.
func (l *leg) Streams() []call.Stream {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]call.Stream(nil), l.streams...)
}

// Track implements call.Leg.
func (l *leg) Track(streamID string) (call.Track, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.tracks[streamID]
	if !ok {
		return nil, false
	}
	return t, true
}

// Events implements call.Leg.
func (l *leg) Events() <-chan call.Event { return l.events }

// Done implements call.Leg.
func (l *leg) Done() <-chan struct{} { return l.done }

// Err implements call.Leg.
func (l *leg) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Incoming implements call.InboundLeg.
func (l *leg) Incoming() call.Incoming { return l.inc }

// Offer implements call.InboundLeg: the far side's offer, with the codecs
// this leg can carry.
func (l *leg) Offer() call.Offer {
	if l.ro == nil {
		return call.Offer{}
	}
	o := call.Offer{Streams: make([]call.StreamOffer, len(l.ro.offer.Streams))}
	for i, s := range l.ro.offer.Streams {
		s.Codecs = append([]call.Codec(nil), s.Codecs...)
		o.Streams[i] = s
	}
	return o
}

// Ring implements call.InboundLeg: the web app shows that the far side rings.
func (l *leg) Ring(context.Context) error {
	if l.client != nil {
		l.client.add("ringing", struct{}{})
	}
	return nil
}

// Progress implements call.InboundLeg. WebRTC has no early media before the
// answer; the web app is told that the far side is progressing.
func (l *leg) Progress(context.Context, []call.Stream) error {
	if l.client != nil {
		l.client.add("progress", struct{}{})
	}
	return nil
}

// Reject implements call.InboundLeg: the client is told the cause (the web
// app's event stream, or the WHIP/WHEP response status).
func (l *leg) Reject(_ context.Context, cause call.Cause) error {
	if cause == call.CauseNone {
		cause = call.Internal
	}
	l.end(cause, reasonNone, "rejected by the gateway", false)
	return nil
}

// Hangup implements call.Leg.
func (l *leg) Hangup(_ context.Context, cause call.Cause) error {
	if cause == call.CauseNone {
		cause = call.LocalHangup
	}
	l.end(cause, reasonNone, "hung up by the gateway", false)
	return nil
}

// stopping reports whether the leg has started to end.
func (l *leg) stopping() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// emit passes an event to the bridge; when the bridge is not keeping up the
// event is dropped rather than blocking pion's goroutines.
func (l *leg) emit(ev call.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == stateEnded {
		return
	}
	select {
	case l.events <- ev:
	default:
		l.log.Warn("webrtc: event dropped, the bridge is not reading", "kind", ev.Kind)
	}
}

// end ends the leg once: it records the cause, tells the client, closes
// the connection and releases everything. fromFarSide says the end came
// from the client or the network (not from the gateway), so the bridge is
// told with EventHangup.
func (l *leg) end(cause call.Cause, r reason, detail string, fromFarSide bool) {
	l.mu.Lock()
	if l.state == stateEnded {
		l.mu.Unlock()
		return
	}
	wasAnswered := l.state == stateAnswered
	l.state = stateEnded
	l.err = call.Errorf(cause, "%s", detail)
	l.endReason = r
	pc, dc, resource := l.pc, l.dc, l.resourceURL
	for _, t := range []*time.Timer{l.connTimer, l.tokenTimer} {
		if t != nil {
			t.Stop()
		}
	}
	close(l.stop)
	if fromFarSide {
		select {
		case l.events <- call.Event{Kind: call.EventHangup, Cause: cause}:
		default:
		}
	}
	l.mu.Unlock()

	l.log.Info("webrtc: leg ended", "kind", l.kind.String(), "cause", cause.String(), "reason", string(r), "detail", detail)
	f := failureOf(cause, r)
	if l.client != nil {
		typ := "failed"
		if wasAnswered {
			typ = "hangup"
		}
		l.client.add(typ, f)
		l.client.close()
	}
	if dc != nil && wasAnswered {
		_ = sendClientMessage(dc, serverMessage{Type: "hangup", Cause: cause.String(), Message: f.Message})
	}
	if resource != "" {
		l.srv.deleteResource(resource, l.log)
	}
	if pc != nil {
		if err := pc.Close(); err != nil {
			l.log.Debug("webrtc: closing the peer connection", "err", err)
		}
	}
	l.loops.Wait()
	l.srv.forget(l)
	close(l.events)
	l.settle()
	close(l.done)
}

// settle marks the leg answered (or ended) for whoever waits on settled.
func (l *leg) settle() { l.settleOnce.Do(func() { close(l.settled) }) }
