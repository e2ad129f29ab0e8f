package webrtc

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// errLegEnded is what a track returns once its leg has ended.
var errLegEnded = errors.New("webrtc: leg ended")

// errReceiveOnly is what a track returns to a packet written on a stream
// the far side only sends (a WHIP publisher's): the packet is dropped, and
// the bridge counts it as such.
var errReceiveOnly = errors.New("webrtc: the far side does not receive this stream")

// maxReadErrors is how many failed reads in a row end a track's reader: a
// transport that fails without closing must not spin the reader forever.
const maxReadErrors = 64

// track is the media of one stream of a leg. Reading waits for the far
// side's first packet (pion's OnTrack); writing goes to our local track,
// which drops packets until pion has bound it to the connection.
type track struct {
	leg    *leg
	stream call.Stream
	// dtmfPT is the telephone-event payload type received on this stream,
	// -1 for none. Such packets become EventDTMF and are not passed on.
	dtmfPT   int16
	dtmfRate uint32
	local    *localTrack // nil: we do not send on this stream

	ready  chan struct{} // closed when remote is set
	once   sync.Once
	remote atomic.Pointer[webrtc.TrackRemote]

	// The reader's state: one reader at a time, as call.Track says.
	buf         [1600]byte
	haveEvent   bool
	lastEventTS uint32
}

func newTrack(l *leg, s call.Stream, dtmf *call.Codec, local *localTrack) *track {
	t := &track{leg: l, stream: s, dtmfPT: -1, local: local, ready: make(chan struct{})}
	if dtmf != nil {
		t.dtmfPT, t.dtmfRate = int16(dtmf.PayloadType), dtmf.ClockRate
	}
	return t
}

// setRemote hands the track the far side's stream once pion knows it.
func (t *track) setRemote(r *webrtc.TrackRemote) {
	t.once.Do(func() {
		t.remote.Store(r)
		close(t.ready)
	})
}

// Stream implements call.Track.
func (t *track) Stream() call.Stream { return t.stream }

// ReadRTP implements call.Track. The packet's payload points into the
// track's buffer and stays valid until the next ReadRTP. Telephone-events
// are consumed and reported as EventDTMF, one per digit.
func (t *track) ReadRTP(p *rtp.Packet) error {
	select {
	case <-t.ready:
	case <-t.leg.stop:
		return errLegEnded
	}
	r := t.remote.Load()
	for fails := 0; ; {
		n, _, err := r.Read(t.buf[:])
		if err != nil {
			if t.leg.stopping() {
				return errLegEnded
			}
			// An unknown payload type or a short packet: skip it, but not
			// forever if the transport itself is failing.
			if fails++; fails >= maxReadErrors {
				return err
			}
			continue
		}
		fails = 0
		if err := p.Unmarshal(t.buf[:n]); err != nil {
			continue
		}
		if t.dtmfPT >= 0 && int16(p.PayloadType) == t.dtmfPT {
			t.onTelephoneEvent(p)
			continue
		}
		return nil
	}
}

// eventDigits are the DTMF digits of RFC 4733 events 0 to 16.
const eventDigits = "0123456789*#ABCDF"

// onTelephoneEvent reports a digit once, when its end packet arrives
// (RFC 4733 repeats the end packet three times). A payload is event code,
// E bit and volume, and a 16-bit duration in timestamp units.
func (t *track) onTelephoneEvent(p *rtp.Packet) {
	b := p.Payload
	if len(b) < 4 || int(b[0]) >= len(eventDigits) || b[1]&0x80 == 0 {
		return
	}
	if t.haveEvent && t.lastEventTS == p.Timestamp {
		return
	}
	t.haveEvent, t.lastEventTS = true, p.Timestamp
	rate := t.dtmfRate
	if rate == 0 {
		rate = 8000
	}
	ms := min((uint32(b[2])<<8|uint32(b[3]))*1000/rate, 0xffff)
	t.leg.emit(call.Event{Kind: call.EventDTMF, Stream: t.stream.ID, Digit: eventDigits[b[0]], Duration: uint16(ms)})
}

// WriteRTP implements call.Track: it sends p to the far side; it drops p
// when we are not connected yet, and refuses it (errReceiveOnly) on a
// stream the far side does not receive.
func (t *track) WriteRTP(p *rtp.Packet) error {
	if t.leg.stopping() {
		return errLegEnded
	}
	if t.local == nil {
		return errReceiveOnly
	}
	return t.local.write(p)
}

// remoteSSRC returns the SSRC the far side sends this stream with, 0 when
// none has arrived.
func (t *track) remoteSSRC() uint32 {
	if r := t.remote.Load(); r != nil {
		return uint32(r.SSRC())
	}
	return 0
}

// localTrack is our side of a stream: a pion TrackLocal that writes the
// packets it is given with the SSRC and payload type of its binding. It
// copies no payload and strips the far side's header extensions, whose IDs
// mean nothing on this connection.
type localTrack struct {
	id, streamID string
	kind         webrtc.RTPCodecType
	codec        webrtc.RTPCodecParameters

	mu    sync.Mutex
	bound bool
	ssrc  uint32
	pt    uint8
	w     webrtc.TrackLocalWriter
	hdr   rtp.Header // scratch, under mu
}

func newLocalTrack(id, streamID string, kind webrtc.RTPCodecType, codec webrtc.RTPCodecParameters) *localTrack {
	return &localTrack{id: id, streamID: streamID, kind: kind, codec: codec}
}

// Bind implements webrtc.TrackLocal: it takes the negotiated codec that is
// ours (same payload type and format; a connection may have negotiated
// several H.264 profiles on one line), or, for a track made before the
// far side answered, the first codec negotiated that is not a
// telephone-event.
func (t *localTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	c, ok := t.match(ctx.CodecParameters())
	if !ok {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	t.mu.Lock()
	t.bound, t.ssrc, t.pt, t.w = true, uint32(ctx.SSRC()), uint8(c.PayloadType), ctx.WriteStream()
	t.mu.Unlock()
	return c, nil
}

// match picks our codec among the negotiated ones.
func (t *localTrack) match(codecs []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool) {
	media := codecs[:0:0]
	for _, c := range codecs {
		if !strings.EqualFold(c.MimeType, "audio/telephone-event") {
			media = append(media, c)
		}
	}
	if t.codec.MimeType == "" {
		if len(media) > 0 {
			return media[0], true
		}
		return webrtc.RTPCodecParameters{}, false
	}
	for _, c := range media {
		if c.PayloadType == t.codec.PayloadType && strings.EqualFold(c.MimeType, t.codec.MimeType) {
			return c, true
		}
	}
	want := fromParameters(t.codec)
	for _, c := range media {
		if strings.EqualFold(c.MimeType, t.codec.MimeType) && fromParameters(c).SameFormat(want) {
			return c, true
		}
	}
	return webrtc.RTPCodecParameters{}, false
}

// Unbind implements webrtc.TrackLocal.
func (t *localTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.bound, t.w = false, nil
	t.mu.Unlock()
	return nil
}

// ID implements webrtc.TrackLocal.
func (t *localTrack) ID() string { return t.id }

// RID implements webrtc.TrackLocal.
func (t *localTrack) RID() string { return "" }

// StreamID implements webrtc.TrackLocal.
func (t *localTrack) StreamID() string { return t.streamID }

// Kind implements webrtc.TrackLocal.
func (t *localTrack) Kind() webrtc.RTPCodecType { return t.kind }

// write sends one packet; it does not allocate. Padding-only packets (a
// sender's bandwidth probes) are sent on too: dropping them would leave
// holes in the sequence numbers that the receiver counts as loss.
func (t *localTrack) write(p *rtp.Packet) error {
	padding := p.Header.PaddingSize
	if padding == 0 {
		padding = p.PaddingSize //nolint:staticcheck // older writers set only this
	}
	if len(p.Payload) == 0 && padding == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.bound {
		return nil
	}
	t.hdr = p.Header
	t.hdr.SSRC = t.ssrc
	t.hdr.PayloadType = t.pt
	t.hdr.Extension, t.hdr.Extensions, t.hdr.ExtensionProfile = false, nil, 0
	t.hdr.CSRC = nil
	t.hdr.Padding, t.hdr.PaddingSize = padding > 0, padding
	_, err := t.w.WriteRTP(&t.hdr, p.Payload)
	return err
}
