//go:build linux && (amd64 || arm64)

package rtpio

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"unsafe"
)

// errSendBufferFull is what a detached socket's write returns when the
// kernel's send buffer is full: the datagram is dropped, as a relay must
// rather than wait. It is a constant error, so that dropping allocates
// nothing.
var errSendBufferFull = fmt.Errorf("rtpio: send RTP: socket send buffer full, datagram dropped: %w", syscall.EAGAIN)

// rawSocket is a UDP socket's descriptor outside Go's poller.
type rawSocket struct {
	fd int
	v6 bool // an AF_INET6 socket: IPv4 destinations go as v4-mapped
	ok bool
}

func (r rawSocket) valid() bool { return r.ok }

// detachConn duplicates c's descriptor and closes c, which removes the
// socket from Go's poller; the socket stays open (and its port bound)
// through the duplicate.
func detachConn(c *net.UDPConn) (rawSocket, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return rawSocket{}, fmt.Errorf("rtpio: detach RTP socket: %w", err)
	}
	fd, dupErr := -1, error(nil)
	if err := rc.Control(func(f uintptr) { fd, dupErr = dupCloexec(int(f)) }); err != nil {
		return rawSocket{}, fmt.Errorf("rtpio: detach RTP socket: %w", err)
	}
	if dupErr != nil {
		return rawSocket{}, fmt.Errorf("rtpio: detach RTP socket: %w", dupErr)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		_ = syscall.Close(fd)
		return rawSocket{}, fmt.Errorf("rtpio: detach RTP socket: %w", err)
	}
	_, v6 := sa.(*syscall.SockaddrInet6)
	// The descriptor is non-blocking already (the flag belongs to the open
	// file, which Go's poller set up), but say so rather than rely on it.
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return rawSocket{}, fmt.Errorf("rtpio: detach RTP socket: %w", err)
	}
	if err := c.Close(); err != nil {
		_ = syscall.Close(fd)
		return rawSocket{}, fmt.Errorf("rtpio: detach RTP socket: %w", err)
	}
	return rawSocket{fd: fd, v6: v6, ok: true}, nil
}

// attach hands the socket back to Go's poller as a new connection and
// closes the raw descriptor.
func (r rawSocket) attach() (*net.UDPConn, error) {
	f := os.NewFile(uintptr(r.fd), "rtp")
	pc, err := net.FilePacketConn(f) // registers a duplicate with the poller
	_ = f.Close()
	if err != nil {
		return nil, fmt.Errorf("rtpio: attach RTP socket: %w", err)
	}
	c, ok := pc.(*net.UDPConn)
	if !ok {
		_ = pc.Close()
		return nil, fmt.Errorf("rtpio: attach RTP socket: %T is not UDP", pc)
	}
	return c, nil
}

func (r rawSocket) close() error { return syscall.Close(r.fd) }

// sendTo sends b to dst with one sendto system call that never blocks.
// The call is raw (no scheduler hand-off): it returns at once on a
// non-blocking datagram socket.
func (r rawSocket) sendTo(b []byte, dst netip.AddrPort) error {
	if len(b) == 0 {
		return nil
	}
	var sa syscall.RawSockaddrInet6 // also holds a sockaddr_in
	n, err := fillSockaddr(&sa, dst, r.v6)
	if err != nil {
		return err
	}
	for {
		_, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(r.fd),
			uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0,
			uintptr(unsafe.Pointer(&sa)), n)
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return errSendBufferFull
		}
		return fmt.Errorf("rtpio: send RTP to %s: %w", dst, e)
	}
}

// fillSockaddr writes dst as a sockaddr_in (v6 false) or sockaddr_in6 and
// returns its length.
func fillSockaddr(sa *syscall.RawSockaddrInet6, dst netip.AddrPort, v6 bool) (uintptr, error) {
	addr := dst.Addr()
	port := dst.Port()
	if !v6 {
		if !addr.Is4() && !addr.Is4In6() {
			return 0, fmt.Errorf("rtpio: send RTP to %s: an IPv4 socket cannot reach an IPv6 address", dst)
		}
		sa4 := (*syscall.RawSockaddrInet4)(unsafe.Pointer(sa))
		sa4.Family = syscall.AF_INET
		putPort(&sa4.Port, port)
		sa4.Addr = addr.Unmap().As4()
		return syscall.SizeofSockaddrInet4, nil
	}
	sa.Family = syscall.AF_INET6
	putPort(&sa.Port, port)
	sa.Addr = addr.As16() // IPv4 as v4-mapped
	if z := addr.Zone(); z != "" {
		ifi, err := net.InterfaceByName(z)
		if err != nil {
			return 0, fmt.Errorf("rtpio: send RTP to %s: zone: %w", dst, err)
		}
		sa.Scope_id = uint32(ifi.Index)
	}
	return syscall.SizeofSockaddrInet6, nil
}

// sockaddrAddrPort reads a sockaddr_in or sockaddr_in6 the kernel filled in.
func sockaddrAddrPort(sa *syscall.RawSockaddrInet6, n uint32) netip.AddrPort {
	switch {
	case sa.Family == syscall.AF_INET && n >= syscall.SizeofSockaddrInet4:
		sa4 := (*syscall.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), getPort(&sa4.Port))
	case sa.Family == syscall.AF_INET6 && n >= syscall.SizeofSockaddrInet6:
		// Zones are left out: link-local media peers are not supported.
		return unmap(netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), getPort(&sa.Port)))
	}
	return netip.AddrPort{}
}

// putPort and getPort access a sockaddr's port, which is in network byte
// order whatever the machine's.
func putPort(p *uint16, port uint16) {
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(p))[:], port)
}

func getPort(p *uint16) uint16 { return binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(p))[:]) }

// dupCloexec duplicates fd with close-on-exec set.
func dupCloexec(fd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return -1, fmt.Errorf("dup: %w", e)
	}
	return int(r), nil
}

// errIsTemporary reports the errors a non-blocking receive shrugs off.
func errIsTemporary(e syscall.Errno) bool { return e == syscall.EAGAIN || e == syscall.EINTR }
