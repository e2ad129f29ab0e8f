package pcap

import (
	"encoding/binary"
	"net/netip"
)

// sum16 adds b to a running one's-complement sum of 16-bit words.
func sum16(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

// fold finishes a one's-complement sum into a checksum.
func fold(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// pseudoSum is the sum of the IPv4 or IPv6 pseudo-header of a transport
// segment of length n.
func pseudoSum(src, dst netip.Addr, proto Proto, n int) uint32 {
	var sum uint32
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		sum = sum16(sum, s[:])
		sum = sum16(sum, d[:])
	} else {
		s, d := src.As16(), dst.As16()
		sum = sum16(sum, s[:])
		sum = sum16(sum, d[:])
	}
	sum += uint32(proto)
	sum += uint32(n>>16) + uint32(n&0xffff)
	return sum
}
