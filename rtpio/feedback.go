package rtpio

import (
	"math"

	"github.com/pion/rtcp"
)

// maxNACKSeqs bounds the sequence numbers taken from one received NACK.
const maxNACKSeqs = 1024

// SendKeyframeRequest asks the far side for a keyframe of the stream it
// sends: an RTCP PLI, and a FIR too when SetFIR(true) said the far side
// negotiated ccm fir.
func (s *Session) SendKeyframeRequest() error {
	s.mu.Lock()
	if !s.recv.started {
		s.mu.Unlock()
		return ErrNoSource
	}
	sender, media := s.senderSSRCLocked(), s.recv.ssrc
	pkts := s.feedbackPrefixLocked(sender)
	pkts = append(pkts, &rtcp.PictureLossIndication{SenderSSRC: sender, MediaSSRC: media})
	if s.fir {
		s.firSeq++
		pkts = append(pkts, &rtcp.FullIntraRequest{SenderSSRC: sender, FIR: []rtcp.FIREntry{{SSRC: media, SequenceNumber: s.firSeq}}})
	}
	return s.sendFeedbackLocked(pkts)
}

// SendNACK reports the far side's packets with these sequence numbers lost
// (RTCP generic NACK, RFC 4585). The numbers are best given in ascending
// order; an empty list sends nothing.
func (s *Session) SendNACK(seqs []uint16) error {
	if len(seqs) == 0 {
		return nil
	}
	s.mu.Lock()
	if !s.recv.started {
		s.mu.Unlock()
		return ErrNoSource
	}
	sender, media := s.senderSSRCLocked(), s.recv.ssrc
	pkts := s.feedbackPrefixLocked(sender)
	pkts = append(pkts, &rtcp.TransportLayerNack{SenderSSRC: sender, MediaSSRC: media, Nacks: nackPairs(seqs)})
	return s.sendFeedbackLocked(pkts)
}

// SendBitrate asks the far side to keep its stream under bps bits per
// second (REMB).
func (s *Session) SendBitrate(bps uint32) error {
	s.mu.Lock()
	if !s.recv.started {
		s.mu.Unlock()
		return ErrNoSource
	}
	sender, media := s.senderSSRCLocked(), s.recv.ssrc
	pkts := s.feedbackPrefixLocked(sender)
	pkts = append(pkts, &rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: sender, Bitrate: float32(bps), SSRCs: []uint32{media}})
	return s.sendFeedbackLocked(pkts)
}

// feedbackPrefixLocked starts a compound feedback packet (RFC 4585 3.1): an
// empty receiver report and the SDES CNAME.
func (s *Session) feedbackPrefixLocked(sender uint32) []rtcp.Packet {
	return []rtcp.Packet{&rtcp.ReceiverReport{SSRC: sender}, s.sdesLocked(sender)}
}

// sendFeedbackLocked unlocks s.mu and sends pkts to the RTCP destination.
func (s *Session) sendFeedbackLocked(pkts []rtcp.Packet) error {
	if s.closed.Load() {
		s.mu.Unlock()
		return ErrClosed
	}
	dst, mux := s.rtcpDestLocked()
	s.mu.Unlock()
	if !usable(dst) || s.rtcpConn == nil {
		return nil
	}
	return s.sendRTCP(pkts, dst, mux)
}

// nackPairs packs sequence numbers into NACK pairs: a packet ID and a
// bitmap of the 16 that follow it.
func nackPairs(seqs []uint16) []rtcp.NackPair {
	var pairs []rtcp.NackPair
	for _, seq := range seqs {
		if n := len(pairs); n > 0 {
			last := &pairs[n-1]
			if d := seq - last.PacketID; d == 0 {
				continue
			} else if d <= 16 {
				last.LostPackets |= 1 << (d - 1)
				continue
			}
		}
		pairs = append(pairs, rtcp.NackPair{PacketID: seq})
	}
	return pairs
}

// nackSeqs lists the sequence numbers of received NACK pairs.
func nackSeqs(pairs []rtcp.NackPair) []uint16 {
	var out []uint16
	for i := range pairs {
		pairs[i].Range(func(seq uint16) bool {
			out = append(out, seq)
			return len(out) < maxNACKSeqs
		})
		if len(out) >= maxNACKSeqs {
			break
		}
	}
	return out
}

// clampBitrate turns a REMB bitrate into bits per second.
func clampBitrate(bps float64) uint32 {
	switch {
	case math.IsNaN(bps) || bps <= 0:
		return 0
	case bps >= math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(bps)
}

// parseTMMBR reads the first entry of an RTCP TMMBR (RFC 5104 4.2.1: a
// transport-layer feedback packet, FMT 3) and returns its bitrate.
func parseTMMBR(b []byte) (uint32, bool) {
	const fciOffset = 12
	if len(b) < fciOffset+8 || b[1] != uint8(rtcp.TypeTransportSpecificFeedback) || b[0]&0x1f != 3 {
		return 0, false
	}
	v := uint32(b[fciOffset+4])<<24 | uint32(b[fciOffset+5])<<16 | uint32(b[fciOffset+6])<<8 | uint32(b[fciOffset+7])
	exp := v >> 26
	mantissa := uint64(v>>9) & 0x1ffff
	bps := mantissa << exp
	if bps > math.MaxUint32 {
		return math.MaxUint32, true
	}
	return uint32(bps), true
}
