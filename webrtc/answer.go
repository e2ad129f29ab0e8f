package webrtc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// gatherWait bounds the wait for our own candidates. With the ICE mux they
// are known at once; the bound only guards a misconfigured host.
const gatherWait = 3 * time.Second

// linePlan is what the answer does with one audio or video m-line.
type linePlan struct {
	line   offerLine
	stream call.Stream
	codec  webrtc.RTPCodecParameters
	dtmf   *call.Codec
	// send: we send media on the line (the offerer receives); recv: it sends.
	send, recv bool
	local      *localTrack
}

// Accept implements call.InboundLeg: it answers the far side's offer with,
// per stream, exactly the codec the gateway chose (the offerer's payload
// type and format), so that the bridge relays it unchanged. Lines the
// gateway did not accept are answered inactive.
func (l *leg) Accept(ctx context.Context, streams []call.Stream) error {
	l.mu.Lock()
	switch l.state {
	case stateOffered:
		l.state = stateAnswering
	case stateEnded:
		err := l.err
		l.mu.Unlock()
		return fmt.Errorf("accept: the %s leg has already ended: %w", l.kind, err)
	default:
		l.mu.Unlock()
		return fmt.Errorf("accept: the %s leg is already answered", l.kind)
	}
	l.mu.Unlock()
	if err := ctx.Err(); err != nil {
		l.end(call.LocalHangup, reasonNone, "the call was cancelled while answering", false)
		return fmt.Errorf("accept: %w", err)
	}
	plans, err := l.plan(streams)
	if err == nil {
		err = l.answer(plans)
	}
	if err != nil {
		cause := call.CauseOf(err)
		l.end(cause, reasonNone, err.Error(), false)
		return fmt.Errorf("accept %s leg: %w", l.kind, err)
	}
	return nil
}

// plan matches the accepted streams to the offer's lines.
func (l *leg) plan(streams []call.Stream) ([]*linePlan, error) {
	var plans []*linePlan
	offered := map[string]call.StreamOffer{}
	for _, so := range l.ro.offer.Streams {
		offered[so.ID] = so
	}
	for _, line := range l.ro.lines {
		so, ok := offered[line.mid]
		if !ok || so.Disabled {
			continue
		}
		for _, s := range streams {
			if s.ID != line.mid || s.Role != line.role || isTelephoneEvent(s.Codec.Name) {
				continue
			}
			p, err := planLine(line, so, s)
			if err != nil {
				return nil, err
			}
			plans = append(plans, p)
			break
		}
	}
	if len(plans) == 0 {
		return nil, call.Errorf(call.CodecMismatch, "no stream of the offer was accepted with a codec it offered")
	}
	return plans, nil
}

// planLine picks the offerer's own entry of the accepted format.
func planLine(line offerLine, so call.StreamOffer, s call.Stream) (*linePlan, error) {
	var chosen *call.Codec
	for i := range so.Codecs {
		if so.Codecs[i].SameFormat(s.Codec) && !isTelephoneEvent(so.Codecs[i].Name) {
			chosen = &so.Codecs[i]
			break
		}
	}
	if chosen == nil {
		return nil, call.Errorf(call.CodecMismatch, "stream %s: %s was not offered", s.ID, s.Codec)
	}
	spec, ok := supported(*chosen)
	if !ok {
		return nil, call.Errorf(call.CodecMismatch, "stream %s: %s is not a WebRTC codec", s.ID, chosen)
	}
	p := &linePlan{line: line, codec: codecParameters(*chosen, spec), send: line.dir.Receives(), recv: line.dir.Sends()}
	p.stream = call.Stream{ID: line.mid, Role: line.role, Codec: *chosen, Direction: line.dir, MaxBitrate: minNonZero(s.MaxBitrate, so.MaxBitrate)}
	if line.role == call.RoleAudio {
		p.dtmf = telephoneEventFor(so.Codecs, chosen.ClockRate)
	}
	return p, nil
}

// telephoneEventFor picks the offered telephone-event at the codec's clock
// rate, else at 8 kHz.
func telephoneEventFor(codecs []call.Codec, rate uint32) *call.Codec {
	var fallback *call.Codec
	for i := range codecs {
		c := &codecs[i]
		if !isTelephoneEvent(c.Name) {
			continue
		}
		if c.ClockRate == rate {
			return c
		}
		if c.ClockRate == 8000 {
			fallback = c
		}
	}
	return fallback
}

func minNonZero(a, b uint32) uint32 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// answer builds the peer connection and the answer for the plans.
func (l *leg) answer(plans []*linePlan) error {
	byMid := map[string]*linePlan{}
	tracks := map[string]*track{}
	var out []call.Stream
	for _, p := range plans {
		if p.send {
			p.local = newLocalTrack(l.id+"-"+p.line.mid, l.id, kindOf(p.line.kind), p.codec)
		}
		byMid[p.line.mid] = p
		tracks[p.line.mid] = newTrack(l, p.stream, p.dtmf, p.local)
		out = append(out, p.stream)
	}
	pc, err := l.srv.newPeerConnection()
	if err != nil {
		return call.Errorf(call.Internal, "create the peer connection: %w", err)
	}
	l.mu.Lock()
	if l.state == stateEnded {
		l.mu.Unlock()
		_ = pc.Close()
		return call.Errorf(call.CauseOf(l.err), "the leg ended while answering")
	}
	l.pc, l.tracks = pc, tracks
	l.mu.Unlock()
	l.watch(pc)

	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: l.ro.raw}); err != nil {
		return call.Errorf(call.BadRequest, "the offer was refused: %w", err)
	}
	if err := arrangeTransceivers(pc, byMid, l.ro.lines); err != nil {
		return call.Errorf(call.Internal, "arrange transceivers: %w", err)
	}
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return call.Errorf(call.CodecMismatch, "create the answer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		return call.Errorf(call.Internal, "set the answer: %w", err)
	}
	select {
	case <-gathered:
	case <-time.After(gatherWait):
		l.log.Warn("webrtc: candidate gathering did not complete; answering with what there is")
	}
	sdpText, err := limitVideoBitrate(pc.LocalDescription().SDP, l.videoCaps(plans))
	if err != nil {
		return call.Errorf(call.Internal, "%w", err)
	}

	l.mu.Lock()
	if l.state == stateEnded {
		l.mu.Unlock()
		return call.Errorf(call.CauseOf(l.err), "the leg ended while answering")
	}
	l.state = stateAnswered
	l.streams = out
	l.answerSDP = sdpText
	pending := l.pending
	l.pending = nil
	l.connTimer = time.AfterFunc(l.srv.cfg.ICE.ConnectTimeout, l.connectTimeout)
	l.startLoops(pc, byMid)
	l.mu.Unlock()
	for _, c := range pending {
		if err := pc.AddICECandidate(c); err != nil {
			l.log.Debug("webrtc: a trickled candidate was refused", "candidate", c.Candidate, "err", err)
		}
	}
	l.log.Info("webrtc: answered", "kind", l.kind.String(), "streams", describeStreams(out))
	if l.client != nil {
		l.client.add("answer", struct {
			SDP string `json:"sdp"`
		}{sdpText})
	}
	l.settle()
	return nil
}

// videoCaps are the b=AS caps of our answer's video lines, in bit/s.
func (l *leg) videoCaps(plans []*linePlan) map[string]uint32 {
	caps := map[string]uint32{}
	limit := uint32(l.srv.cfg.MaxBitrate) * 1000
	for _, p := range plans {
		if p.line.kind != "video" || !p.recv {
			continue
		}
		if c := minNonZero(limit, p.stream.MaxBitrate); c > 0 {
			caps[p.line.mid] = c
		}
	}
	return caps
}

func kindOf(media string) webrtc.RTPCodecType {
	if media == "audio" {
		return webrtc.RTPCodecTypeAudio
	}
	return webrtc.RTPCodecTypeVideo
}

// arrangeTransceivers gives each planned line its codec and, where we
// send, its local track, and makes the other lines inactive.
//
// pion attaches a track to the first free transceiver of its kind, so
// every free transceiver is given a track in m-line order: a real one, or
// a placeholder on a line we will not send on, which is stopped once all
// are placed.
func arrangeTransceivers(pc *webrtc.PeerConnection, plans map[string]*linePlan, lines []offerLine) error {
	dirs := map[string]call.Direction{}
	for _, ln := range lines {
		dirs[ln.mid] = ln.dir
	}
	var stop []*webrtc.RTPTransceiver
	for _, t := range pc.GetTransceivers() {
		p := plans[t.Mid()]
		if p != nil {
			prefs := []webrtc.RTPCodecParameters{p.codec}
			if p.dtmf != nil {
				if spec, ok := supported(*p.dtmf); ok {
					prefs = append(prefs, codecParameters(*p.dtmf, spec))
				}
			}
			if err := t.SetCodecPreferences(prefs); err != nil {
				return fmt.Errorf("mid %s: %w", t.Mid(), err)
			}
		} else {
			stop = append(stop, t)
		}
		if t.Sender() != nil || !dirs[t.Mid()].Receives() {
			continue
		}
		var tl webrtc.TrackLocal
		if p != nil && p.local != nil {
			tl = p.local
		} else {
			tl = newLocalTrack("unused-"+t.Mid(), "unused", t.Kind(), webrtc.RTPCodecParameters{})
			if p != nil {
				stop = append(stop, t)
			}
		}
		sender, err := pc.AddTrack(tl)
		if err != nil {
			return fmt.Errorf("mid %s: add track: %w", t.Mid(), err)
		}
		if t.Sender() != sender {
			return errors.New("mid " + t.Mid() + ": the track went to another transceiver")
		}
	}
	for _, t := range stop {
		if err := t.Stop(); err != nil {
			return fmt.Errorf("mid %s: stop: %w", t.Mid(), err)
		}
	}
	return nil
}

func describeStreams(ss []call.Stream) string {
	s := ""
	for i, st := range ss {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s=%s %s %s", st.ID, st.Role, st.Codec, st.Direction)
	}
	return s
}
