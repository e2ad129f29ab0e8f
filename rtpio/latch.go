package rtpio

import (
	"net/netip"
	"time"
)

// relatchAfter is how long the latched source must stay silent before a
// packet of the same stream from another address moves the latch there.
const relatchAfter = 2 * time.Second

// latch is the send address of one socket under symmetric RTP: the address
// the far side's SDP named, until the first valid packet arrives; then the
// address that packet came from.
type latch struct {
	set     bool           // the signalled address is known
	sdp     netip.AddrPort // as signalled
	addr    netip.AddrPort // where to send
	latched bool
	last    time.Duration // when a packet last arrived from addr
}

// reset sets the signalled address. An unchanged address keeps the latch
// (a re-INVITE that moves nothing must not undo NAT traversal).
func (l *latch) reset(sdp netip.AddrPort) {
	if l.set && sdp == l.sdp {
		return
	}
	l.set, l.sdp, l.addr, l.latched = true, sdp, sdp, false
	if !usable(sdp) {
		l.addr = netip.AddrPort{}
	}
}

// allows reports whether a packet from 'from' may be accepted. sameSource
// says that it belongs to the stream already being received (same SSRC);
// only such a packet may move the latch, and only after the latched
// address has been silent for relatchAfter.
func (l *latch) allows(from netip.AddrPort, sameSource bool, now time.Duration) bool {
	return !l.latched || from == l.addr || (sameSource && now-l.last >= relatchAfter)
}

// commit latches to 'from' after a packet from it proved valid.
func (l *latch) commit(from netip.AddrPort, now time.Duration) {
	l.addr, l.latched, l.last = from, true, now
}

// usable reports whether an address can be sent to: a hold with
// c=0.0.0.0 or port 0 means "send nothing".
func usable(a netip.AddrPort) bool {
	return a.IsValid() && !a.Addr().IsUnspecified() && a.Port() != 0
}

// unmap turns an IPv4-mapped IPv6 source into plain IPv4, so that
// addresses compare equal whichever socket family received them.
func unmap(a netip.AddrPort) netip.AddrPort {
	if a.Addr().Is4In6() {
		return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
	}
	return a
}
