package rtpio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtcp"

	"github.com/switchyard/switchyard/call"
)

// maxRTT bounds a plausible round-trip time; larger values come from clock
// trouble or a bogus report and are ignored.
const maxRTT = 60 * time.Second

// rtcpReadLoop reads the RTCP socket until the session closes.
func (s *Session) rtcpReadLoop() {
	defer s.wg.Done()
	for {
		n, from, err := s.rtcpConn.ReadFromUDPAddrPort(s.cbuf)
		if err != nil {
			if s.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if n == len(s.cbuf) {
			s.dropped()
			continue
		}
		s.receiveRTCP(s.cbuf[:n], unmap(from), false)
	}
}

// reportLoop sends a report at randomized intervals until the session closes.
func (s *Session) reportLoop() {
	defer s.wg.Done()
	t := time.NewTimer(jittered(s.reportInterval))
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		_ = s.sendReport(false)
		t.Reset(jittered(s.reportInterval))
	}
}

// receiveRTCP handles one compound RTCP datagram; onRTPPort says it came
// multiplexed on the RTP socket.
func (s *Session) receiveRTCP(buf []byte, from netip.AddrPort, onRTPPort bool) {
	if len(buf) < 8 || buf[0]>>6 != 2 || !isRTCP(buf) {
		s.dropped()
		return
	}
	now := s.now()
	ssrc := binary.BigEndian.Uint32(buf[4:8])
	s.mu.Lock()
	l := &s.rtcpLatch
	if onRTPPort {
		l = &s.rtpLatch
	}
	ok := l.allows(from, s.recv.started && s.recv.ssrc == ssrc, now)
	s.mu.Unlock()
	if !ok {
		s.dropped()
		return
	}
	if st := s.srtp.Load(); st != nil {
		out, err := st.decryptRTCP(buf)
		if err != nil {
			s.authFailed()
			return
		}
		buf = out
	}
	pkts, err := rtcp.Unmarshal(buf)
	if err != nil {
		s.dropped()
		return
	}
	wall := time.Now()
	var events []call.Event
	s.mu.Lock()
	l.commit(from, now)
	s.count.rtcpReceived++
	s.gotPacket, s.lastPacket = true, now
	for _, pk := range pkts {
		events = s.noteRTCPLocked(pk, now, wall, events)
	}
	s.mu.Unlock()
	h := s.feedback.Load()
	if h == nil {
		return
	}
	keyframe := false
	for _, ev := range events {
		if ev.Kind == call.EventKeyframeRequest {
			// A PLI and a FIR in one compound ask for one keyframe.
			if keyframe {
				continue
			}
			keyframe = true
		}
		(*h)(ev)
	}
}

// noteRTCPLocked takes in one received RTCP packet and appends the
// feedback events it carries.
func (s *Session) noteRTCPLocked(pk rtcp.Packet, now time.Duration, wall time.Time, events []call.Event) []call.Event {
	switch v := pk.(type) {
	case *rtcp.SenderReport:
		if s.recv.started && v.SSRC == s.recv.ssrc {
			s.recv.haveSR, s.recv.lsr, s.recv.lsrAt = true, uint32(v.NTPTime>>16), now
		}
		s.noteBlocksLocked(v.Reports, wall)
	case *rtcp.ReceiverReport:
		s.noteBlocksLocked(v.Reports, wall)
	case *rtcp.PictureLossIndication:
		events = append(events, call.Event{Kind: call.EventKeyframeRequest})
	case *rtcp.FullIntraRequest:
		// A FIR repeated with the same sequence number asks for the same
		// keyframe again (RFC 5104 4.3.1.2): pass it once.
		for _, e := range v.FIR {
			if int(e.SequenceNumber) != s.lastFIR {
				s.lastFIR = int(e.SequenceNumber)
				events = append(events, call.Event{Kind: call.EventKeyframeRequest})
				break
			}
		}
	case *rtcp.TransportLayerNack:
		if seqs := nackSeqs(v.Nacks); len(seqs) > 0 {
			events = append(events, call.Event{Kind: call.EventNACK, Seqs: seqs})
		}
	case *rtcp.ReceiverEstimatedMaximumBitrate:
		events = append(events, call.Event{Kind: call.EventBitrate, Bitrate: clampBitrate(float64(v.Bitrate))})
	case *rtcp.RawPacket:
		if bps, ok := parseTMMBR(*v); ok {
			events = append(events, call.Event{Kind: call.EventBitrate, Bitrate: bps})
		}
	}
	return events
}

// noteBlocksLocked reads the report blocks about the stream we send.
func (s *Session) noteBlocksLocked(blocks []rtcp.ReceptionReport, wall time.Time) {
	for _, rr := range blocks {
		if !s.send.have || rr.SSRC != s.send.ssrc {
			continue
		}
		s.remote.fractionLost = rr.FractionLost
		s.remote.lost = int64(int32(rr.TotalLost<<8) >> 8) // 24-bit signed
		s.remote.jitter = rr.Jitter
		if rr.LastSenderReport == 0 {
			continue
		}
		rtt := uint32(ntpTime(wall)>>16) - rr.LastSenderReport - rr.Delay
		if d := time.Duration(uint64(rtt) * uint64(time.Second) / 65536); d < maxRTT {
			s.remote.rtt = d
		}
	}
}

// sendReport sends a sender report (when RTP went out since the last one)
// or a receiver report, with SDES CNAME, and a BYE when bye is set.
func (s *Session) sendReport(bye bool) error {
	wall := time.Now()
	now := wall.Sub(s.start)
	s.mu.Lock()
	dst, mux := s.rtcpDestLocked()
	if !usable(dst) || s.rtcpConn == nil {
		s.mu.Unlock()
		return nil
	}
	ssrc := s.senderSSRCLocked()
	c := reportContent{ssrc: ssrc, cname: s.cname, bye: bye}
	var block rtcp.ReceptionReport
	if s.recv.started {
		block = s.recv.report(now)
		c.block = &block
	}
	if s.send.sentSinceReport {
		rtpTime := s.send.lastTS
		if s.sendClock > 0 {
			rtpTime += uint32(int64((now-s.send.lastAt)/time.Microsecond) * int64(s.sendClock) / 1e6)
		}
		c.sender, c.ntp, c.rtpTS, c.pkts, c.octets = true, ntpTime(wall), rtpTime, s.send.packets, s.send.octets
		s.send.sentSinceReport = false
	}
	s.mu.Unlock()

	// Reports are built and encrypted in buffers the session keeps, so that
	// periodic reporting allocates nothing.
	s.reportMu.Lock()
	defer s.reportMu.Unlock()
	buf := s.reports.build(&c)
	if st := s.srtp.Load(); st != nil {
		var err error
		if buf, err = st.encryptRTCP(s.reports.enc[:0], buf); err != nil {
			return fmt.Errorf("rtpio: encrypt RTCP: %w", err)
		}
	}
	return s.writeRTCP(buf, dst, mux)
}

// sendRTCP marshals, encrypts and sends one compound packet.
func (s *Session) sendRTCP(pkts []rtcp.Packet, dst netip.AddrPort, mux bool) error {
	buf, err := rtcp.Marshal(pkts)
	if err != nil {
		return fmt.Errorf("rtpio: marshal RTCP: %w", err)
	}
	if st := s.srtp.Load(); st != nil {
		if buf, err = st.encryptRTCP(nil, buf); err != nil {
			return fmt.Errorf("rtpio: encrypt RTCP: %w", err)
		}
	}
	return s.writeRTCP(buf, dst, mux)
}

// writeRTCP sends one finished (and, with SRTP, encrypted) RTCP packet,
// from the RTP socket when mux is set.
func (s *Session) writeRTCP(buf []byte, dst netip.AddrPort, mux bool) error {
	var err error
	if mux {
		err = s.rtp.writeTo(buf, dst)
	} else {
		_, err = s.rtcpConn.WriteToUDPAddrPort(buf, dst)
	}
	if err != nil {
		if s.closed.Load() || errors.Is(err, net.ErrClosed) {
			return ErrClosed
		}
		return fmt.Errorf("rtpio: send RTCP to %s: %w", dst, err)
	}
	s.mu.Lock()
	s.count.rtcpSent++
	s.mu.Unlock()
	return nil
}

// rtcpDestLocked returns where RTCP goes and whether it leaves from the
// RTP socket (rtcp-mux).
func (s *Session) rtcpDestLocked() (netip.AddrPort, bool) {
	if s.rtcpMux {
		return s.rtpLatch.addr, true
	}
	return s.rtcpLatch.addr, false
}

// senderSSRCLocked is the SSRC our RTCP speaks as: the stream we send, or a
// random one of our own before we send any.
func (s *Session) senderSSRCLocked() uint32 {
	if s.send.have {
		return s.send.ssrc
	}
	return s.localSSRC
}

func (s *Session) sdesLocked(ssrc uint32) *rtcp.SourceDescription {
	return &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: ssrc,
		Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: s.cname}},
	}}}
}

// ntpEpochOffset is the number of seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// ntpTime converts a wall-clock time to the 64-bit NTP format.
func ntpTime(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}
