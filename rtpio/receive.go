package rtpio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"
)

// ReadRTP blocks until the next valid RTP packet arrives and unmarshals it
// into p. The payload and header extensions point into the session's
// buffer and stay valid until the next ReadRTP. Datagrams that are not
// valid RTP, come from a source other than the latched one, or fail SRTP
// authentication are counted and skipped. RTCP multiplexed on the RTP port
// is handled on the way. After Close, ReadRTP returns ErrClosed; while
// Forward runs, it returns an error at once.
//
// In steady state ReadRTP does not allocate.
func (s *Session) ReadRTP(p *rtp.Packet) error {
	conn := s.rtp.reader()
	if conn == nil {
		return s.noReader()
	}
	for {
		n, from, err := conn.ReadFromUDPAddrPort(s.rbuf)
		if err != nil {
			if s.closed.Load() {
				return ErrClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return s.noReader()
			}
			return fmt.Errorf("rtpio: read RTP on port %d: %w", s.port, err)
		}
		if n == len(s.rbuf) {
			s.dropped() // truncated: larger than any RTP packet we carry
			continue
		}
		if s.receiveOnRTPPort(s.rbuf[:n], unmap(from), p, s.now()) {
			return nil
		}
	}
}

// noReader says why there is no connection to read RTP from.
func (s *Session) noReader() error {
	if !s.closed.Load() && s.rtp.detached() {
		return errForwarding
	}
	return ErrClosed
}

// isRTCP tells RTCP from RTP on a shared port (RFC 5761 section 4): RTCP
// packet types 192-223 fall where RTP payload types 64-95 with the marker
// bit would be.
func isRTCP(b []byte) bool { return len(b) >= 2 && b[1] >= 192 && b[1] <= 223 }

// receiveOnRTPPort handles one datagram from the RTP socket that arrived at
// now on the session clock. It returns true when buf held a valid RTP
// packet, now unmarshalled into p.
func (s *Session) receiveOnRTPPort(buf []byte, from netip.AddrPort, p *rtp.Packet, now time.Duration) bool {
	if isRTCP(buf) {
		s.receiveRTCP(buf, from, true)
		return false
	}
	if len(buf) < 12 || buf[0]>>6 != 2 {
		s.dropped()
		return false
	}
	ssrc := binary.BigEndian.Uint32(buf[8:12])
	s.mu.Lock()
	ok := s.rtpLatch.allows(from, s.recv.started && s.recv.ssrc == ssrc, now)
	s.mu.Unlock()
	if !ok {
		s.dropped()
		return false
	}
	if st := s.srtp.Load(); st != nil {
		out, err := st.decryptRTP(buf)
		if err != nil {
			s.authFailed()
			return false
		}
		buf = out
	}
	if err := p.Unmarshal(buf); err != nil {
		s.dropped()
		return false
	}
	s.mu.Lock()
	s.rtpLatch.commit(from, now)
	clock := s.clockRate
	if clock == 0 {
		clock = staticClockRate(p.PayloadType)
	}
	s.recvClock = clock
	s.recv.update(&p.Header, now, clock)
	s.count.packetsReceived++
	s.count.bytesReceived += uint64(len(p.Payload))
	s.gotPacket, s.lastPacket = true, now
	s.mu.Unlock()
	return true
}

func (s *Session) dropped() {
	s.mu.Lock()
	s.count.dropped++
	s.mu.Unlock()
}

func (s *Session) authFailed() {
	s.mu.Lock()
	s.count.authFailures++
	s.mu.Unlock()
}
