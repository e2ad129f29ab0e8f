package sip

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// joinHostPort renders host:port, bracketing IPv6 literals.
func joinHostPort(host string, port int) string {
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), strconv.Itoa(port))
}

// parseAddrPort reads "ip:port" as sipgo reports sources; the zero value when
// it is not one.
func parseAddrPort(s string) netip.AddrPort {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// sourceIPFor returns the local address the kernel would use to reach
// dest (an IP or host:port), without sending anything. It falls back to
// the loopback address.
func sourceIPFor(dest string) netip.Addr {
	host := dest
	if h, _, err := net.SplitHostPort(dest); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	if ip.IsLoopback() {
		return ip.Unmap()
	}
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 9)))
	if err != nil {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	defer c.Close()
	if la, ok := c.LocalAddr().(*net.UDPAddr); ok {
		if a, ok := netip.AddrFromSlice(la.IP); ok {
			return a.Unmap()
		}
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}
