package webrtc

import (
	"errors"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// rtcpBufLen holds one compound RTCP packet.
const rtcpBufLen = 1500

// startLoops reads RTCP on every sender and receiver of the connection.
// Reading is what runs pion's interceptors (NACK responses, reports); what
// the far side asks of our senders (keyframes, bitrate) becomes events. The
// loops end when the connection closes. The caller holds l.mu.
func (l *leg) startLoops(pc *webrtc.PeerConnection, plans map[string]*linePlan) {
	for _, t := range pc.GetTransceivers() {
		p := plans[t.Mid()]
		if p == nil {
			continue
		}
		if s := t.Sender(); s != nil && p.send {
			l.loops.Add(1)
			go l.senderRTCP(s, p.stream.ID)
		}
		if r := t.Receiver(); r != nil && p.recv {
			l.loops.Add(1)
			go l.drainReceiver(r)
		}
	}
}

// senderRTCP turns the far side's feedback on one of our streams into
// events: PLI and FIR are keyframe requests, REMB a bitrate request. NACKs
// are answered by pion's responder from the packets we sent.
func (l *leg) senderRTCP(s *webrtc.RTPSender, streamID string) {
	defer l.loops.Done()
	buf := make([]byte, rtcpBufLen)
	for {
		n, _, err := s.Read(buf)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, p := range pkts {
			switch p := p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				l.emit(call.Event{Kind: call.EventKeyframeRequest, Stream: streamID})
			case *rtcp.ReceiverEstimatedMaximumBitrate:
				l.emit(call.Event{Kind: call.EventBitrate, Stream: streamID, Bitrate: uint32(min(p.Bitrate, 1<<32-1))})
			}
		}
	}
}

// drainReceiver reads the far side's RTCP for one of its streams (sender
// reports feed our receiver reports).
func (l *leg) drainReceiver(r *webrtc.RTPReceiver) {
	defer l.loops.Done()
	buf := make([]byte, rtcpBufLen)
	for {
		if _, _, err := r.Read(buf); err != nil {
			return
		}
	}
}

// errNoStream is returned when feedback names a stream the leg lacks.
var errNoStream = errors.New("no such stream")

// requestKeyframe sends a PLI for the far side's stream id (its first video
// stream when id is empty).
func (l *leg) requestKeyframe(id string) error {
	t, pc := l.videoTrack(id)
	if t == nil || pc == nil {
		return errNoStream
	}
	ssrc := t.remoteSSRC()
	if ssrc == 0 {
		return nil // nothing received yet: the first frame will be a keyframe
	}
	return pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
}

// sendNACK asks the far side to resend packets of stream id.
func (l *leg) sendNACK(id string, seqs []uint16) error {
	t, pc := l.videoTrack(id)
	if t == nil || pc == nil || len(seqs) == 0 {
		return errNoStream
	}
	ssrc := t.remoteSSRC()
	if ssrc == 0 {
		return nil
	}
	return pc.WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)}})
}

// videoTrack returns the track of stream id, or the first video track.
func (l *leg) videoTrack(id string) (*track, *webrtc.PeerConnection) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id != "" {
		return l.tracks[id], l.pc
	}
	for _, s := range l.streams {
		if s.Role == call.RoleVideo {
			return l.tracks[s.ID], l.pc
		}
	}
	return nil, l.pc
}
