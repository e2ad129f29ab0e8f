package rtpio

import (
	"net/netip"
	"time"
)

// Stats is a snapshot of a session's counters.
type Stats struct {
	// RTP packets and payload bytes sent and received (valid packets only).
	PacketsSent     uint64
	BytesSent       uint64
	PacketsReceived uint64
	BytesReceived   uint64
	// PacketsLost is the cumulative loss of the current remote source
	// (RFC 3550: expected minus received; negative with duplicates).
	PacketsLost int64
	// Jitter is the interarrival jitter of the received stream (RFC 3550
	// A.8); 0 when the stream's clock rate is unknown.
	Jitter time.Duration
	// RTT is the last round-trip time measured through RTCP; 0 until the far
	// side has answered one of our sender reports.
	RTT time.Duration
	// What the far side last reported about the stream we send: fraction
	// lost (0 to 1), cumulative loss and jitter.
	RemoteFractionLost float64
	RemotePacketsLost  int64
	RemoteJitter       time.Duration
	// Dropped counts datagrams discarded as malformed or from a source other
	// than the latched one.
	Dropped uint64
	// AuthFailures counts SRTP and SRTCP packets that failed authentication
	// or the replay check, and were dropped.
	AuthFailures uint64
	// RTCP compound packets sent and accepted.
	RTCPSent     uint64
	RTCPReceived uint64
	// RemoteSSRC is the SSRC of the stream being received; RemoteAddr is
	// where RTP is sent now (latched, or as signalled).
	RemoteSSRC uint32
	RemoteAddr netip.AddrPort
}

// counters are the running totals behind Stats, guarded by Session.mu.
type counters struct {
	packetsSent, bytesSent         uint64
	packetsReceived, bytesReceived uint64
	dropped, authFailures          uint64
	rtcpSent, rtcpReceived         uint64
}

// remoteView is what the far side's reception reports say about our stream.
type remoteView struct {
	fractionLost uint8
	lost         int64
	jitter       uint32 // timestamp units
	rtt          time.Duration
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		PacketsSent:        s.count.packetsSent,
		BytesSent:          s.count.bytesSent,
		PacketsReceived:    s.count.packetsReceived,
		BytesReceived:      s.count.bytesReceived,
		RTT:                s.remote.rtt,
		RemoteFractionLost: float64(s.remote.fractionLost) / 256,
		RemotePacketsLost:  s.remote.lost,
		Dropped:            s.count.dropped,
		AuthFailures:       s.count.authFailures,
		RTCPSent:           s.count.rtcpSent,
		RTCPReceived:       s.count.rtcpReceived,
		RemoteAddr:         s.rtpLatch.addr,
	}
	if clock := s.recvClock; clock > 0 {
		st.Jitter = ticks(uint64(s.recv.jitter), clock)
		st.RemoteJitter = ticks(uint64(s.remote.jitter), clock)
	}
	if s.recv.started {
		st.PacketsLost = s.recv.lost()
		st.RemoteSSRC = s.recv.ssrc
	}
	return st
}

// ticks converts RTP timestamp units to a duration.
func ticks(n uint64, clockRate uint32) time.Duration {
	return time.Duration(n * uint64(time.Second) / uint64(clockRate))
}
