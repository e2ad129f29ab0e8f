//go:build !linux || !(amd64 || arm64)

package rtpio

import (
	"errors"
	"net"
	"net/netip"
)

// rawSocket stands in for a descriptor outside Go's poller where there is
// no receive engine: sockets are never detached.
type rawSocket struct {
	fd int
	ok bool
}

func (r rawSocket) valid() bool { return r.ok }

func detachConn(*net.UDPConn) (rawSocket, error) { return rawSocket{}, errors.ErrUnsupported }

func (rawSocket) attach() (*net.UDPConn, error) { return nil, errors.ErrUnsupported }

func (rawSocket) close() error { return nil }

func (rawSocket) sendTo([]byte, netip.AddrPort) error { return errors.ErrUnsupported }
