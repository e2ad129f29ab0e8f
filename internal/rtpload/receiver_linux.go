package rtpload

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
)

// On Linux the receive sockets are plain non-blocking file descriptors
// outside Go's network poller, watched by a few epoll loops (one per sender
// goroutine): one epoll_wait serves every socket that has data, and each
// datagram costs one read(2), with no goroutine wake-up per packet. That
// keeps the generator's own CPU use low on the cores it shares with the
// relay under test.
type recvSocket int

const noSocket recvSocket = -1

// openRecv opens a non-blocking UDP socket bound to addr:0 with a receive
// buffer of bufSize bytes.
func openRecv(addr netip.Addr, bufSize int) (recvSocket, netip.AddrPort, error) {
	if !addr.Is4() {
		return noSocket, netip.AddrPort{}, fmt.Errorf("receive sockets bind IPv4 only, not %s", addr)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return noSocket, netip.AddrPort{}, fmt.Errorf("socket: %w", err)
	}
	fail := func(what string, err error) (recvSocket, netip.AddrPort, error) {
		_ = syscall.Close(fd)
		return noSocket, netip.AddrPort{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, bufSize); err != nil {
		return fail("SO_RCVBUF", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: addr.As4()}); err != nil {
		return fail("bind", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		return fail("getsockname", errors.New("not an IPv4 address"))
	}
	return recvSocket(fd), netip.AddrPortFrom(netip.AddrFrom4(in4.Addr), uint16(in4.Port)), nil
}

// closeRecv closes a receive socket. A stream whose socket was never opened
// holds the zero value; descriptor 0 is standard input, never ours.
func closeRecv(s recvSocket) error {
	if s == noSocket || s == 0 {
		return nil
	}
	return syscall.Close(int(s))
}

// readRecv reads one datagram; it fails with EAGAIN when none is queued.
func readRecv(s recvSocket, buf []byte) (int, error) {
	for {
		n, err := syscall.Read(int(s), buf)
		if err == syscall.EINTR {
			continue
		}
		return n, err
	}
}

// pollTimeoutMS is how often an idle epoll loop looks at its stop flag.
const pollTimeoutMS = 20

// startReceivers starts the epoll loops; the returned function stops them
// and waits until they have.
func (g *Generator) startReceivers() (stop func(), err error) {
	loops := max(1, min(g.cfg.Senders, len(g.streams)))
	var (
		stopFlag atomic.Bool
		wg       sync.WaitGroup
		epfds    []int
	)
	closeAll := func() {
		for _, fd := range epfds {
			_ = syscall.Close(fd)
		}
	}
	for k := range loops {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("rtpload: epoll: %w", err)
		}
		epfds = append(epfds, epfd)
		for i := k; i < len(g.streams); i += loops {
			// The event's data carries the stream index.
			ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(i)}
			if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, int(g.streams[i].recv), &ev); err != nil {
				closeAll()
				return nil, fmt.Errorf("rtpload: epoll add stream %d: %w", i, err)
			}
		}
	}
	for _, epfd := range epfds {
		wg.Go(func() { g.epollLoop(epfd, &stopFlag) })
	}
	return func() {
		stopFlag.Store(true)
		wg.Wait()
		closeAll()
	}, nil
}

// epollLoop reads every ready socket, one datagram per readiness report
// (epoll is level-triggered: a socket with more queued comes back at once).
func (g *Generator) epollLoop(epfd int, stop *atomic.Bool) {
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, MaxPacketSize)
	for !stop.Load() {
		n, err := syscall.EpollWait(epfd, events, pollTimeoutMS)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return
		}
		for _, ev := range events[:n] {
			st := g.streams[ev.Fd]
			m, err := readRecv(st.recv, buf)
			if err != nil || m <= 0 {
				continue
			}
			g.arrived(st, buf[:m], g.now())
		}
	}
}
