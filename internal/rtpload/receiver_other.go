//go:build !linux

package rtpload

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// Elsewhere than Linux each receive socket is a net.UDPConn read by a
// goroutine of its own.
type recvSocket = *net.UDPConn

func openRecv(addr netip.Addr, bufSize int) (recvSocket, netip.AddrPort, error) {
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, 0)))
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	if err := c.SetReadBuffer(bufSize); err != nil {
		c.Close()
		return nil, netip.AddrPort{}, err
	}
	return c, c.LocalAddr().(*net.UDPAddr).AddrPort(), nil
}

func closeRecv(s recvSocket) error {
	if s == nil {
		return nil
	}
	return s.Close()
}

// readRecv reads one datagram, waiting at most a moment.
func readRecv(s recvSocket, buf []byte) (int, error) {
	_ = s.SetReadDeadline(time.Now().Add(time.Second))
	return s.Read(buf)
}

func (g *Generator) startReceivers() (stop func(), err error) {
	var wg sync.WaitGroup
	for _, st := range g.streams {
		if err := st.recv.SetReadDeadline(time.Time{}); err != nil {
			return nil, err
		}
		wg.Go(func() {
			buf := make([]byte, MaxPacketSize)
			for {
				n, err := st.recv.Read(buf)
				if err != nil {
					if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed) {
						return
					}
					continue
				}
				g.arrived(st, buf[:n], g.now())
			}
		})
	}
	return func() {
		for _, st := range g.streams {
			_ = st.recv.SetReadDeadline(time.Now())
		}
		wg.Wait()
	}, nil
}
