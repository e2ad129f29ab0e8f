package caps

import (
	"fmt"
	"net/netip"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
)

// H245Address returns the H.245 unicast transport address of a (an IPv4 or
// IPv6 address and port), as used in logical channel parameters.
func H245Address(a netip.AddrPort) (h245.TransportAddress, error) {
	ip := a.Addr().Unmap()
	switch {
	case ip.Is4():
		b := ip.As4()
		return h245.TransportAddress{
			Choice: h245.TransportAddressChoiceUnicastAddress,
			UnicastAddress: &h245.UnicastAddress{
				Choice:    h245.UnicastAddressChoiceIPAddress,
				IPAddress: &h245.UnicastAddressIPAddress{Network: b[:], TsapIdentifier: a.Port()},
			},
		}, nil
	case ip.Is6():
		b := ip.As16()
		return h245.TransportAddress{
			Choice: h245.TransportAddressChoiceUnicastAddress,
			UnicastAddress: &h245.UnicastAddress{
				Choice:     h245.UnicastAddressChoiceIP6Address,
				IP6Address: &h245.UnicastAddressIP6Address{Network: b[:], TsapIdentifier: a.Port()},
			},
		}, nil
	}
	return h245.TransportAddress{}, fmt.Errorf("%w: H.245 transport address %v", ErrInvalid, a)
}

// ParseH245Address returns the IP address and port of an H.245 unicast
// transport address. Other address kinds are ErrUnsupported.
func ParseH245Address(t *h245.TransportAddress) (netip.AddrPort, error) {
	if t == nil {
		return netip.AddrPort{}, fmt.Errorf("%w: no transport address", ErrInvalid)
	}
	if t.Choice != h245.TransportAddressChoiceUnicastAddress || t.UnicastAddress == nil {
		return netip.AddrPort{}, fmt.Errorf("%w: H.245 transport address kind %v", ErrUnsupported, t.Choice)
	}
	u := t.UnicastAddress
	switch {
	case u.Choice == h245.UnicastAddressChoiceIPAddress && u.IPAddress != nil:
		ip, ok := netip.AddrFromSlice(u.IPAddress.Network)
		if !ok || !ip.Is4() {
			return netip.AddrPort{}, fmt.Errorf("%w: IPv4 address of %d octets", ErrInvalid, len(u.IPAddress.Network))
		}
		return netip.AddrPortFrom(ip, u.IPAddress.TsapIdentifier), nil
	case u.Choice == h245.UnicastAddressChoiceIP6Address && u.IP6Address != nil:
		ip, ok := netip.AddrFromSlice(u.IP6Address.Network)
		if !ok || !ip.Is6() {
			return netip.AddrPort{}, fmt.Errorf("%w: IPv6 address of %d octets", ErrInvalid, len(u.IP6Address.Network))
		}
		return netip.AddrPortFrom(ip, u.IP6Address.TsapIdentifier), nil
	}
	return netip.AddrPort{}, fmt.Errorf("%w: H.245 unicast address kind %v", ErrUnsupported, u.Choice)
}

// H225Address returns the H.225.0 transport address of a (RAS, call
// signalling and H.245 addresses).
func H225Address(a netip.AddrPort) (h225.TransportAddress, error) {
	ip := a.Addr().Unmap()
	switch {
	case ip.Is4():
		b := ip.As4()
		return h225.TransportAddress{
			Choice:    h225.TransportAddressChoiceIPAddress,
			IPAddress: &h225.TransportAddressIPAddress{IP: b[:], Port: a.Port()},
		}, nil
	case ip.Is6():
		b := ip.As16()
		return h225.TransportAddress{
			Choice:     h225.TransportAddressChoiceIP6Address,
			IP6Address: &h225.TransportAddressIP6Address{IP: b[:], Port: a.Port()},
		}, nil
	}
	return h225.TransportAddress{}, fmt.Errorf("%w: H.225.0 transport address %v", ErrInvalid, a)
}

// ParseH225Address returns the IP address and port of an H.225.0
// transport address. Other address kinds are ErrUnsupported.
func ParseH225Address(t *h225.TransportAddress) (netip.AddrPort, error) {
	if t == nil {
		return netip.AddrPort{}, fmt.Errorf("%w: no transport address", ErrInvalid)
	}
	switch {
	case t.Choice == h225.TransportAddressChoiceIPAddress && t.IPAddress != nil:
		ip, ok := netip.AddrFromSlice(t.IPAddress.IP)
		if !ok || !ip.Is4() {
			return netip.AddrPort{}, fmt.Errorf("%w: IPv4 address of %d octets", ErrInvalid, len(t.IPAddress.IP))
		}
		return netip.AddrPortFrom(ip, t.IPAddress.Port), nil
	case t.Choice == h225.TransportAddressChoiceIP6Address && t.IP6Address != nil:
		ip, ok := netip.AddrFromSlice(t.IP6Address.IP)
		if !ok || !ip.Is6() {
			return netip.AddrPort{}, fmt.Errorf("%w: IPv6 address of %d octets", ErrInvalid, len(t.IP6Address.IP))
		}
		return netip.AddrPortFrom(ip, t.IP6Address.Port), nil
	}
	return netip.AddrPort{}, fmt.Errorf("%w: H.225.0 transport address kind %v", ErrUnsupported, t.Choice)
}

// optH245Address returns a pointer to the H.245 address of a, or nil when a
// is the zero AddrPort (the address is left out).
func optH245Address(a netip.AddrPort) (*h245.TransportAddress, error) {
	if !a.IsValid() {
		return nil, nil
	}
	t, err := H245Address(a)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// optH225Address is optH245Address for H.225.0 addresses.
func optH225Address(a netip.AddrPort) (*h225.TransportAddress, error) {
	if !a.IsValid() {
		return nil, nil
	}
	t, err := H225Address(a)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// parseOptH245Address returns the zero AddrPort for a nil address.
func parseOptH245Address(t *h245.TransportAddress) (netip.AddrPort, error) {
	if t == nil {
		return netip.AddrPort{}, nil
	}
	return ParseH245Address(t)
}

// parseOptH225Address returns the zero AddrPort for a nil address.
func parseOptH225Address(t *h225.TransportAddress) (netip.AddrPort, error) {
	if t == nil {
		return netip.AddrPort{}, nil
	}
	return ParseH225Address(t)
}
