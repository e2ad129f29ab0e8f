package webrtc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// Dialer places outbound WebRTC legs to WHIP and WHEP servers. The target
// URI names the server and the direction:
//
//	whip+https://host/path   publish the caller's media to a WHIP endpoint
//	whep+https://host/path   play what a WHEP endpoint sends, to the caller
//	https://host/path        the same as whip+https
//
// Dial offers the caller's codecs (so that media relays), posts the offer,
// applies the answer and waits until media can flow. A failure is an
// *call.Error with the cause of the server's HTTP status (FromHTTPStatus),
// dial_out_failed when the server cannot be reached, or ice_failed.
type Dialer struct{ srv *Server }

// dialMode is what a dial-out does.
type dialMode uint8

const (
	dialWHIP dialMode = iota
	dialWHEP
)

// parseDialURI splits a target URI into mode and HTTP URL.
func parseDialURI(uri string) (dialMode, *url.URL, error) {
	mode := dialWHIP
	rest := uri
	switch {
	case strings.HasPrefix(strings.ToLower(uri), "whip+"):
		rest = uri[5:]
	case strings.HasPrefix(strings.ToLower(uri), "whep+"):
		mode, rest = dialWHEP, uri[5:]
	}
	u, err := url.Parse(rest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, nil, fmt.Errorf("%q is not a whip+https:// or whep+https:// URL", uri)
	}
	return mode, u, nil
}

// Dial implements call.Dialer.
func (d *Dialer) Dial(ctx context.Context, t call.Target, offer call.Offer, _ func(call.Event)) (call.Leg, error) {
	mode, u, err := parseDialURI(t.URI)
	if err != nil {
		return nil, call.Errorf(call.DialOutFailed, "webrtc dial-out: %v", err)
	}
	s := d.srv
	id, err := s.newLegID()
	if err != nil {
		return nil, call.Errorf(call.Internal, "%w", err)
	}
	l := newLeg(s, id, kindDial, call.Outbound, s.log)
	l.remoteName = u.String()
	l.log = l.log.With("url", u.Redacted())
	pc, err := s.newPeerConnection()
	if err != nil {
		return nil, call.Errorf(call.Unavailable, "webrtc dial-out: %w", err)
	}
	l.pc = pc
	s.remember(l)
	leg, err := d.dial(ctx, l, pc, mode, u, t, offer)
	if err != nil {
		cause := call.CauseOf(err)
		l.end(cause, reasonNone, err.Error(), false)
		return nil, err
	}
	return leg, nil
}

// dialLine is one transceiver of our offer.
type dialLine struct {
	so    call.StreamOffer
	t     *webrtc.RTPTransceiver
	local *localTrack
}

func (d *Dialer) dial(ctx context.Context, l *leg, pc *webrtc.PeerConnection, mode dialMode, u *url.URL, t call.Target, offer call.Offer) (*leg, error) {
	s := d.srv
	var lines []dialLine
	for _, so := range offer.Streams {
		if so.Disabled || (so.Role != call.RoleAudio && so.Role != call.RoleVideo) || (t.AudioOnly && so.Role == call.RoleVideo) {
			continue
		}
		prefs := dialCodecs(so.Codecs, t.Codecs)
		if len(prefs) == 0 {
			continue
		}
		kind := webrtc.RTPCodecTypeAudio
		if so.Role == call.RoleVideo {
			kind = webrtc.RTPCodecTypeVideo
		}
		dl := dialLine{so: so}
		var err error
		if mode == dialWHIP {
			dl.local = newLocalTrack(l.id+"-"+so.ID, l.id, kind, webrtc.RTPCodecParameters{})
			dl.t, err = pc.AddTransceiverFromTrack(dl.local, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		} else {
			dl.t, err = pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly})
		}
		if err != nil {
			return nil, call.Errorf(call.Internal, "webrtc dial-out: add %s transceiver: %w", so.Role, err)
		}
		if err := dl.t.SetCodecPreferences(prefs); err != nil {
			return nil, call.Errorf(call.Internal, "webrtc dial-out: %s codecs: %w", so.Role, err)
		}
		lines = append(lines, dl)
	}
	if len(lines) == 0 {
		return nil, call.Errorf(call.CodecMismatch, "webrtc dial-out: the caller offered no audio or video codec WebRTC carries")
	}
	l.watch(pc)
	sdpOffer, err := pc.CreateOffer(nil)
	if err != nil {
		return nil, call.Errorf(call.Internal, "webrtc dial-out: create the offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(sdpOffer); err != nil {
		return nil, call.Errorf(call.Internal, "webrtc dial-out: set the offer: %w", err)
	}
	select {
	case <-gathered:
	case <-time.After(gatherWait):
	case <-ctx.Done():
		return nil, call.Errorf(call.LocalHangup, "webrtc dial-out cancelled: %w", ctx.Err())
	}
	answer, location, err := s.post(ctx, u, pc.LocalDescription().SDP)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.resourceURL = location
	l.mu.Unlock()
	ans, err := parseOffer(answer, nil)
	if err != nil {
		return nil, call.Errorf(call.DialOutFailed, "webrtc dial-out: the answer: %w", err)
	}
	// The streams (and so the codec each local track binds to) come from
	// the answer, before pion binds the tracks in SetRemoteDescription.
	streams, tracks, plans := dialStreams(l, lines, ans)
	if len(streams) == 0 {
		return nil, call.Errorf(call.CodecMismatch, "webrtc dial-out: the server accepted no stream")
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return nil, call.Errorf(call.DialOutFailed, "webrtc dial-out: the answer was refused: %w", err)
	}
	l.mu.Lock()
	l.streams, l.tracks, l.state = streams, tracks, stateAnswered
	l.startLoops(pc, plans)
	l.mu.Unlock()
	l.settle()
	if err := l.waitConnected(ctx, s.cfg.ICE.ConnectTimeout); err != nil {
		return nil, err
	}
	l.log.Info("webrtc: dial-out connected", "streams", describeStreams(streams))
	return l, nil
}

// dialCodecs are the caller's codecs that WebRTC carries and the rule
// allows, as our codec table registers them (our payload types), without
// repeats.
func dialCodecs(codecs []call.Codec, allow []string) []webrtc.RTPCodecParameters {
	var out []webrtc.RTPCodecParameters
	seen := map[uint8]bool{}
	for _, c := range codecs {
		spec, ok := supported(c)
		if !ok || seen[spec.pt] || !allowedBy(allow, c) {
			continue
		}
		seen[spec.pt] = true
		out = append(out, spec.parameters())
	}
	return out
}

// dialStreams reads the negotiated streams from the server's answer.
func dialStreams(l *leg, lines []dialLine, ans *remoteOffer) ([]call.Stream, map[string]*track, map[string]*linePlan) {
	answered := map[string]call.StreamOffer{}
	for _, so := range ans.offer.Streams {
		answered[so.ID] = so
	}
	var streams []call.Stream
	tracks := map[string]*track{}
	plans := map[string]*linePlan{}
	for _, dl := range lines {
		so, ok := answered[dl.t.Mid()]
		if !ok || so.Disabled {
			continue
		}
		var codec *call.Codec
		for i := range so.Codecs {
			if !isTelephoneEvent(so.Codecs[i].Name) {
				codec = &so.Codecs[i]
				break
			}
		}
		if codec == nil {
			continue
		}
		st := call.Stream{ID: dl.t.Mid(), Role: dl.so.Role, Codec: *codec, Direction: so.Direction, MaxBitrate: so.MaxBitrate}
		var dtmf *call.Codec
		if dl.so.Role == call.RoleAudio {
			dtmf = telephoneEventFor(so.Codecs, codec.ClockRate)
		}
		streams = append(streams, st)
		if dl.local != nil {
			if spec, ok := supported(*codec); ok {
				dl.local.codec = codecParameters(*codec, spec)
			}
		}
		tracks[st.ID] = newTrack(l, st, dtmf, dl.local)
		plans[st.ID] = &linePlan{stream: st, send: dl.local != nil, recv: dl.local == nil}
	}
	return streams, tracks, plans
}

// waitConnected waits until ICE has connected, the leg ends, or the
// timeout passes.
func (l *leg) waitConnected(ctx context.Context, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		l.mu.Lock()
		up, ended, err := l.wasUp, l.state == stateEnded, l.err
		l.mu.Unlock()
		switch {
		case up:
			return nil
		case ended:
			return err
		}
		select {
		case <-ctx.Done():
			return call.Errorf(call.LocalHangup, "webrtc dial-out cancelled: %w", ctx.Err())
		case <-deadline.C:
			return call.Errorf(call.ICEFailed, "webrtc dial-out: not connected %s after the answer", timeout)
		case <-tick.C:
		}
	}
}

// post sends our offer and returns the answer and the session URL.
func (s *Server) post(ctx context.Context, u *url.URL, offer string) (string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(offer))
	if err != nil {
		return "", "", call.Errorf(call.DialOutFailed, "webrtc dial-out: %w", err)
	}
	req.Header.Set("Content-Type", mimeSDP)
	if tok := s.outboundToken(u.String()); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", call.Errorf(call.LocalHangup, "webrtc dial-out cancelled: %w", ctx.Err())
		}
		return "", "", call.Errorf(call.DialOutFailed, "webrtc dial-out to %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSDPBytes+1))
	if err != nil {
		return "", "", call.Errorf(call.DialOutFailed, "webrtc dial-out: read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		c := call.FromHTTPStatus(resp.StatusCode)
		if c == call.CauseNone {
			c = call.DialOutFailed
		}
		return "", "", call.Errorf(c, "webrtc dial-out to %s: %s: %s", u.Redacted(), resp.Status, truncate(string(bytes.TrimSpace(body)), 200))
	}
	if len(body) > maxSDPBytes {
		return "", "", call.Errorf(call.DialOutFailed, "webrtc dial-out: the answer is larger than %d bytes", maxSDPBytes)
	}
	location := ""
	if loc := resp.Header.Get("Location"); loc != "" {
		if lu, err := u.Parse(loc); err == nil {
			location = lu.String()
		}
	}
	return string(body), location, nil
}

// outboundToken finds the configured bearer token for a URL.
func (s *Server) outboundToken(u string) string {
	best, tok := 0, ""
	for _, o := range s.cfg.Outbound {
		if strings.HasPrefix(u, o.URLPrefix) && len(o.URLPrefix) > best {
			best, tok = len(o.URLPrefix), o.Token
		}
	}
	return tok
}

// deleteResource ends a WHIP/WHEP session at the server, briefly.
func (s *Server) deleteResource(u string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return
	}
	if tok := s.outboundToken(u); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		log.Debug("webrtc: ending the session at the server failed", "err", err)
		return
	}
	_ = resp.Body.Close()
}
