package rtpio

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/pion/rtp"
)

// WriteRTP sends p to the far side (encrypted when SRTP is on). It drops the
// packet silently while no usable remote address is known (no SDP yet, or
// hold with c=0.0.0.0). p is not modified. In steady state WriteRTP does not
// allocate.
func (s *Session) WriteRTP(p *rtp.Packet) error {
	if s.closed.Load() || s.rtcpConn == nil {
		return ErrClosed
	}
	s.mu.Lock()
	dst := s.rtpLatch.addr
	s.mu.Unlock()
	if !usable(dst) {
		return nil
	}

	s.wmu.Lock()
	defer s.wmu.Unlock()
	if need := p.MarshalSize() + srtpOverhead; len(s.wbuf) < need {
		s.wbuf = make([]byte, need)
	}
	n, err := p.MarshalTo(s.wbuf)
	if err != nil {
		return fmt.Errorf("rtpio: marshal RTP: %w", err)
	}
	out := s.wbuf[:n]
	if st := s.srtp.Load(); st != nil {
		if out, err = st.encryptRTP(s.wbuf, n); err != nil {
			return fmt.Errorf("rtpio: encrypt RTP: %w", err)
		}
	}
	if err := s.rtp.writeTo(out, dst); err != nil {
		if s.closed.Load() || errors.Is(err, net.ErrClosed) {
			return ErrClosed
		}
		if errors.Is(err, syscall.EAGAIN) {
			return err // a constant error: dropping allocates nothing
		}
		return fmt.Errorf("rtpio: send RTP to %s: %w", dst, err)
	}

	now := s.now()
	s.mu.Lock()
	if !s.send.have || s.send.ssrc != p.SSRC {
		s.send = sendState{have: true, ssrc: p.SSRC}
	}
	s.send.packets++
	s.send.octets += uint32(len(p.Payload))
	s.send.lastTS, s.send.lastAt, s.send.sentSinceReport = p.Timestamp, now, true
	if s.clockRate != 0 {
		s.sendClock = s.clockRate
	} else {
		s.sendClock = staticClockRate(p.PayloadType)
	}
	s.count.packetsSent++
	s.count.bytesSent += uint64(len(p.Payload))
	s.mu.Unlock()
	return nil
}
