package webrtc

import (
	"errors"
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// errTooManyCandidates refuses a client that trickles without end.
var errTooManyCandidates = errors.New("too many candidates")

// newPeerConnection makes a connection from the server's API: one BUNDLE
// transport, RTCP multiplexed, no ICE servers of its own (the gateway has
// host candidates on its ICE port; browsers bring STUN and TURN).
func (s *Server) newPeerConnection() (*webrtc.PeerConnection, error) {
	eng := s.engine()
	if eng == nil {
		return nil, errors.New("the WebRTC server is not running")
	}
	return eng.api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
}

// watch connects the peer connection's callbacks to the leg.
func (l *leg) watch(pc *webrtc.PeerConnection) {
	pc.OnTrack(func(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		mid := ""
		for _, t := range pc.GetTransceivers() {
			if t.Receiver() == recv {
				mid = t.Mid()
				break
			}
		}
		l.mu.Lock()
		t := l.tracks[mid]
		l.mu.Unlock()
		if t == nil {
			l.log.Debug("webrtc: media on a line the call does not use", "mid", mid)
			return
		}
		l.log.Debug("webrtc: media arriving", "mid", mid, "codec", remote.Codec().MimeType, "ssrc", remote.SSRC())
		t.setRemote(remote)
	})
	pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		l.log.Debug("webrtc: ICE state", "state", st.String())
		switch st {
		case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
			l.mu.Lock()
			first := !l.wasUp
			l.connected, l.wasUp = true, true
			if l.connTimer != nil {
				l.connTimer.Stop()
			}
			l.mu.Unlock()
			if first && l.client != nil {
				l.client.add("connected", struct{}{})
			}
		case webrtc.ICEConnectionStateDisconnected:
			l.mu.Lock()
			l.connected = false
			l.mu.Unlock()
		case webrtc.ICEConnectionStateFailed:
			// Ending closes the connection, which must not happen on
			// pion's own callback goroutine.
			go l.failICE("ICE connectivity checks failed")
		}
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		l.log.Debug("webrtc: connection state", "state", st.String())
		switch st {
		case webrtc.PeerConnectionStateFailed:
			go l.failICE("the connection failed (ICE or DTLS)")
		case webrtc.PeerConnectionStateClosed:
			go l.end(call.RemoteHangup, reasonClientHangup, "the far side closed the connection", true)
		}
	})
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		if dc.Label() != dataChannelLabel {
			l.log.Debug("webrtc: ignoring a data channel", "label", dc.Label())
			return
		}
		l.attachDataChannel(dc)
	})
}

// failICE ends the leg with the cause that fits what ICE did so far.
func (l *leg) failICE(detail string) {
	l.mu.Lock()
	offered, trickled, wasUp := l.offeredCandidates(), l.trickled, l.wasUp
	l.mu.Unlock()
	cause, r := iceFailure(offered, trickled, wasUp)
	l.end(cause, r, detail, true)
}

// connectTimeout ends an answered leg that has not connected in time.
func (l *leg) connectTimeout() {
	l.mu.Lock()
	up := l.wasUp || l.state == stateEnded
	l.mu.Unlock()
	if !up {
		l.failICE(fmt.Sprintf("not connected %s after the answer", l.srv.cfg.ICE.ConnectTimeout))
	}
}

func (l *leg) offeredCandidates() int {
	if l.ro == nil {
		return 1 // an outbound leg's peer answered with its own candidates
	}
	return l.ro.candidates
}

// addCandidate applies a trickled candidate, or keeps it until the
// connection exists.
func (l *leg) addCandidate(c webrtc.ICECandidateInit) error {
	l.mu.Lock()
	if l.state == stateEnded {
		l.mu.Unlock()
		return errLegEnded
	}
	if l.trickled >= maxCandidates {
		l.mu.Unlock()
		return errTooManyCandidates
	}
	l.trickled++
	if l.state != stateAnswered {
		l.pending = append(l.pending, c)
		l.mu.Unlock()
		return nil
	}
	pc := l.pc
	l.mu.Unlock()
	return pc.AddICECandidate(c)
}
