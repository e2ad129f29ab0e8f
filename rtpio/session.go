package rtpio

import (
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/call"
)

// Buffer sizes. RTP and RTCP datagrams larger than these are dropped.
const (
	rtpBufSize   = 4096
	rtcpBufSize  = 2048
	srtpOverhead = 16 + 128 // the longest auth tag (GCM) plus the longest MKI
)

// ErrClosed is returned by ReadRTP, WriteRTP and the feedback senders once
// the session is closed. It is net.ErrClosed, so either test matches.
var ErrClosed = net.ErrClosed

// ErrNoSource is returned by the feedback senders before any RTP has
// arrived: feedback names the stream it is about, and there is none yet.
var ErrNoSource = errors.New("rtpio: no RTP received yet: feedback has no media source")

// Session is the transport of one media stream: an RTP socket and an RTCP
// socket (RTCP moves to the RTP socket with rtcp-mux).
//
// ReadRTP is for one goroutine at a time; every other method is safe for
// concurrent use. The session runs two goroutines of its own, the RTCP
// reader and the report timer (a report every 5 s on average, randomized
// 0.5-1.5x); Close stops them and returns the ports to the allocator.
type Session struct {
	alloc          *Allocator
	port           uint16
	rtp            rtpSocket
	rtcpConn       *net.UDPConn
	local          netip.AddrPort
	start          time.Time // the session clock's origin (monotonic)
	cname          string
	localSSRC      uint32 // sender SSRC of reports before any RTP is sent
	reportInterval time.Duration

	closeOnce sync.Once
	closed    atomic.Bool
	done      chan struct{}
	wg        sync.WaitGroup

	fwdMu sync.Mutex  // guards fwd: starting, stopping and closing
	fwd   *forwarding // the running Forward, if any

	srtp     atomic.Pointer[srtpState]
	feedback atomic.Pointer[func(call.Event)]

	rbuf []byte // the ReadRTP caller's datagram buffer
	cbuf []byte // the RTCP reader's datagram buffer

	wmu  sync.Mutex // serializes WriteRTP
	wbuf []byte

	reportMu sync.Mutex // serializes periodic reports and guards reports
	reports  reportWriter

	mu         sync.Mutex // guards everything below
	rtpLatch   latch
	rtcpLatch  latch
	rtcpMux    bool
	clockRate  uint32 // as set; 0: from the payload type when static
	recvClock  uint32
	sendClock  uint32
	fir        bool
	firSeq     uint8
	lastFIR    int // sequence number of the last FIR received, -1 for none
	recv       recvStats
	send       sendState
	remote     remoteView
	count      counters
	gotPacket  bool
	lastPacket time.Duration
}

// sendState follows the stream this side sends, for sender reports.
type sendState struct {
	have            bool
	ssrc            uint32
	packets, octets uint32
	lastTS          uint32
	lastAt          time.Duration
	sentSinceReport bool
}

// newSession wraps two bound sockets and starts the RTCP goroutines.
func newSession(a *Allocator, port uint16, rtpConn, rtcpConn *net.UDPConn, interval time.Duration) *Session {
	s := newSessionState(interval)
	s.alloc, s.port, s.rtp.conn, s.rtcpConn = a, port, rtpConn, rtcpConn
	if ua, ok := rtpConn.LocalAddr().(*net.UDPAddr); ok {
		s.local = unmap(ua.AddrPort())
	}
	s.wg.Add(2)
	go s.reportLoop()
	go s.rtcpReadLoop()
	return s
}

// newSessionState builds a session without sockets or goroutines.
func newSessionState(interval time.Duration) *Session {
	return &Session{
		start:          time.Now(),
		cname:          rand.Text()[:16],
		localSSRC:      mrand.Uint32(),
		reportInterval: interval,
		done:           make(chan struct{}),
		rbuf:           make([]byte, rtpBufSize),
		cbuf:           make([]byte, rtcpBufSize),
		wbuf:           make([]byte, 1500+srtpOverhead),
		lastFIR:        -1,
	}
}

// now is the session clock: time since the session opened, monotonic.
func (s *Session) now() time.Duration { return time.Since(s.start) }

// LocalAddr returns the RTP socket's address; RTCP is on the next port
// unless rtcp-mux was negotiated. With an empty bind_ip the address is the
// unspecified one: signalling writes its own address into SDP.
func (s *Session) LocalAddr() netip.AddrPort { return s.local }

// SetRemote sets where the far side said it receives, from its SDP: the RTP
// address, the RTCP address (invalid: RTP port + 1) and whether RTCP is
// multiplexed on the RTP port. Until a valid packet arrives, media goes to
// these addresses; then to where the packets come from (symmetric RTP).
// Setting the same addresses again keeps what was latched. An unspecified
// address or port 0 (hold) stops sending.
func (s *Session) SetRemote(rtpAddr, rtcpAddr netip.AddrPort, rtcpMux bool) {
	rtpAddr, rtcpAddr = unmap(rtpAddr), unmap(rtcpAddr)
	switch {
	case rtcpMux:
		rtcpAddr = rtpAddr
	case !rtcpAddr.IsValid() && rtpAddr.IsValid() && rtpAddr.Port() < 65535:
		rtcpAddr = netip.AddrPortFrom(rtpAddr.Addr(), rtpAddr.Port()+1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rtcpMux = rtcpMux
	s.rtpLatch.reset(rtpAddr)
	s.rtcpLatch.reset(rtcpAddr)
}

// SetClockRate sets the RTP clock rate of the stream's codec, for jitter
// and sender report timestamps. Without it, static payload types use their
// RFC 3551 rate and dynamic ones report no jitter.
func (s *Session) SetClockRate(hz uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clockRate = hz
}

// SetFIR says whether the far side negotiated a=rtcp-fb ccm fir, so that
// SendKeyframeRequest sends a FIR along with the PLI.
func (s *Session) SetFIR(enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fir = enabled
}

// SetFeedbackHandler sets the function that receives the far side's RTCP
// feedback as events: EventKeyframeRequest (PLI, FIR), EventNACK (generic
// NACK, with the sequence numbers) and EventBitrate (REMB, TMMBR). Event.Stream
// is empty: the leg fills it in. The handler runs on the goroutine that
// read the packet (the RTCP reader, or ReadRTP's caller with rtcp-mux): it
// must not block and must not call Close. nil removes it.
func (s *Session) SetFeedbackHandler(h func(call.Event)) {
	if h == nil {
		s.feedback.Store(nil)
		return
	}
	s.feedback.Store(&h)
}

// LastReceived returns when the last valid RTP or RTCP packet arrived, or
// when the session opened if none has. RTCP counts so that a call on hold,
// which sends reports but no media, is not taken for dead.
func (s *Session) LastReceived() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.gotPacket {
		return s.start
	}
	return s.start.Add(s.lastPacket)
}

// Close sends an RTCP BYE, stops the session's goroutines and any Forward,
// closes both sockets and returns the ports to the allocator. It is
// idempotent.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		_ = s.sendReport(true)
		s.closed.Store(true)
		close(s.done)
		s.endForward()
		_ = s.rtp.close()
		if s.rtcpConn != nil {
			_ = s.rtcpConn.Close()
		}
		s.wg.Wait()
		if s.alloc != nil {
			s.alloc.release(s.port)
		}
	})
	return nil
}

// jittered returns d randomized to 0.5-1.5 times its value (RFC 3550 6.3.1).
func jittered(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Second
	}
	return d/2 + mrand.N(d)
}
