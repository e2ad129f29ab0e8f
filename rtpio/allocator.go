package rtpio

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/switchyard/switchyard/call"
)

// defaultReportInterval is the mean interval between RTCP reports.
const defaultReportInterval = 5 * time.Second

// Allocator opens media sessions on port pairs from the configured range.
// Ports go back to the pool when their session closes and are reused
// round-robin, so a port just closed is not handed out again at once (late
// packets of the old call do not reach the new one). It is safe for
// concurrent use.
type Allocator struct {
	cfg     Config
	network string     // "udp4", "udp6" or "udp" (both)
	bindIP  netip.Addr // invalid: every interface

	// reportInterval is the mean RTCP report interval of new sessions.
	reportInterval time.Duration
	// eng reads the RTP sockets of sessions that Forward.
	eng *engine

	mu    sync.Mutex
	free  []uint16 // ring of free RTP ports, oldest first
	head  int
	count int
	inUse int
}

// NewAllocator checks cfg and prepares the pool of port pairs. It binds
// nothing until Open.
func NewAllocator(cfg Config) (*Allocator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("rtpio: media config: %w", err)
	}
	first, last, _ := ParsePortRange(cfg.RTPPorts)
	a := &Allocator{cfg: cfg, network: "udp", reportInterval: defaultReportInterval, eng: newEngine(runtime.GOMAXPROCS(0))}
	if cfg.BindIP != "" {
		a.bindIP, _ = parseBindIP(cfg.BindIP)
		if a.bindIP.Is4() {
			a.network = "udp4"
		} else {
			a.network = "udp6"
		}
	}
	for p := int(firstEven(first)); p+1 <= int(last); p += 2 {
		a.free = append(a.free, uint16(p))
	}
	a.count = len(a.free)
	return a, nil
}

// Config returns the configuration the allocator was made with (legs read
// MediaTimeout from it).
func (a *Allocator) Config() Config { return a.cfg }

// InUse returns the number of open sessions.
func (a *Allocator) InUse() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inUse
}

// Open binds the next free even RTP port and the odd RTCP port after it and
// returns a session on them. Ports that another program holds are skipped.
// When no pair can be bound the error carries call.Capacity.
func (a *Allocator) Open() (*Session, error) {
	a.mu.Lock()
	attempts := a.count
	a.mu.Unlock()
	for range attempts {
		port, ok := a.take()
		if !ok {
			break
		}
		rtpConn, rtcpConn, err := a.bind(port)
		if err != nil {
			a.put(port)
			if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES) {
				continue
			}
			return nil, fmt.Errorf("rtpio: open media ports: %w", err)
		}
		a.mu.Lock()
		a.inUse++
		interval := a.reportInterval
		a.mu.Unlock()
		return newSession(a, port, rtpConn, rtcpConn, interval), nil
	}
	return nil, call.Errorf(call.Capacity, "rtpio: no free RTP port pair in %s (%d sessions open)", a.cfg.RTPPorts, a.InUse())
}

// take removes the oldest free port from the ring.
func (a *Allocator) take() (uint16, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.count == 0 {
		return 0, false
	}
	p := a.free[a.head]
	a.head = (a.head + 1) % len(a.free)
	a.count--
	return p, true
}

// put appends a port to the ring's end.
func (a *Allocator) put(port uint16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.free[(a.head+a.count)%len(a.free)] = port
	a.count++
}

// release returns a closed session's port pair.
func (a *Allocator) release(port uint16) {
	a.mu.Lock()
	a.inUse--
	a.mu.Unlock()
	a.put(port)
}

// bind opens the RTP and RTCP sockets of one pair.
func (a *Allocator) bind(port uint16) (rtpConn, rtcpConn *net.UDPConn, err error) {
	addr := func(p uint16) *net.UDPAddr {
		ua := &net.UDPAddr{Port: int(p)}
		if a.bindIP.IsValid() {
			ua.IP = a.bindIP.AsSlice()
			ua.Zone = a.bindIP.Zone()
		}
		return ua
	}
	rtpConn, err = net.ListenUDP(a.network, addr(port))
	if err != nil {
		return nil, nil, fmt.Errorf("bind RTP port %d: %w", port, err)
	}
	rtcpConn, err = net.ListenUDP(a.network, addr(port+1))
	if err != nil {
		_ = rtpConn.Close()
		return nil, nil, fmt.Errorf("bind RTCP port %d: %w", port+1, err)
	}
	return rtpConn, rtcpConn, nil
}
