package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Proto is an IP protocol number.
type Proto uint8

// Transport protocols Decode understands.
const (
	ProtoTCP Proto = 6
	ProtoUDP Proto = 17
)

// String names the protocol.
func (p Proto) String() string {
	switch p {
	case ProtoTCP:
		return "TCP"
	case ProtoUDP:
		return "UDP"
	}
	return fmt.Sprintf("proto(%d)", uint8(p))
}

// TCPFlags are the flag bits of a TCP header.
type TCPFlags uint8

// TCP flag bits.
const (
	FlagFIN TCPFlags = 0x01
	FlagSYN TCPFlags = 0x02
	FlagRST TCPFlags = 0x04
	FlagPSH TCPFlags = 0x08
	FlagACK TCPFlags = 0x10
	FlagURG TCPFlags = 0x20
)

// Packet is a decoded UDP datagram or TCP segment.
type Packet struct {
	// Time is the capture time (set by DecodeRecord, zero from Decode).
	Time  time.Time
	Proto Proto
	Src   netip.AddrPort
	Dst   netip.AddrPort
	// Seq, Ack and Flags are the TCP header fields (zero for UDP).
	Seq   uint32
	Ack   uint32
	Flags TCPFlags
	// Payload is the transport payload; it aliases the frame.
	Payload []byte
	// Truncated is set when the capture cut the frame short of what the
	// IP or UDP length fields announce: Payload holds what was captured.
	Truncated bool
}

// Decode errors. Frames that are not IP, not UDP/TCP, or IP fragments are
// reported with ErrUnsupported so that callers can skip them.
var (
	ErrUnsupported = errors.New("pcap: unsupported frame")
	ErrTruncated   = errors.New("pcap: frame truncated")
)

// Ethernet types.
const (
	etherIPv4  = 0x0800
	etherIPv6  = 0x86dd
	etherVLAN  = 0x8100
	etherQinQ  = 0x88a8
	etherVLAN2 = 0x9100
)

// DecodeRecord decodes a record and stamps the packet with its time.
func DecodeRecord(rec Record) (Packet, error) {
	p, err := Decode(rec.LinkType, rec.Data)
	p.Time = rec.Time
	return p, err
}

// Decode parses a frame of the given link type down to its UDP or TCP
// payload. It never panics; the Payload aliases frame.
func Decode(link LinkType, frame []byte) (Packet, error) {
	ip, err := linkPayload(link, frame)
	if err != nil {
		return Packet{}, err
	}
	return decodeIP(ip)
}

// linkPayload strips the link-layer header and returns the IP packet.
func linkPayload(link LinkType, frame []byte) ([]byte, error) {
	switch link {
	case LinkEthernet:
		if len(frame) < 14 {
			return nil, fmt.Errorf("%w: ethernet header of %d bytes", ErrTruncated, len(frame))
		}
		typ := binary.BigEndian.Uint16(frame[12:14])
		rest := frame[14:]
		for typ == etherVLAN || typ == etherQinQ || typ == etherVLAN2 {
			if len(rest) < 4 {
				return nil, fmt.Errorf("%w: VLAN tag", ErrTruncated)
			}
			typ = binary.BigEndian.Uint16(rest[2:4])
			rest = rest[4:]
		}
		return etherIP(typ, rest)
	case LinkLinuxSLL:
		if len(frame) < 16 {
			return nil, fmt.Errorf("%w: Linux cooked header of %d bytes", ErrTruncated, len(frame))
		}
		return etherIP(binary.BigEndian.Uint16(frame[14:16]), frame[16:])
	case LinkLinuxSLL2:
		if len(frame) < 20 {
			return nil, fmt.Errorf("%w: Linux cooked v2 header of %d bytes", ErrTruncated, len(frame))
		}
		return etherIP(binary.BigEndian.Uint16(frame[0:2]), frame[20:])
	case LinkNull, LinkLoop:
		// The address family is in host (NULL) or network (LOOP) byte
		// order and its IPv6 value differs between systems: trust the
		// IP version nibble instead.
		if len(frame) < 4 {
			return nil, fmt.Errorf("%w: loopback header of %d bytes", ErrTruncated, len(frame))
		}
		return frame[4:], nil
	case LinkRaw, LinkIPv4, LinkIPv6:
		return frame, nil
	}
	return nil, fmt.Errorf("%w: link type %s", ErrUnsupported, link)
}

func etherIP(typ uint16, b []byte) ([]byte, error) {
	if typ != etherIPv4 && typ != etherIPv6 {
		return nil, fmt.Errorf("%w: ethertype %#04x", ErrUnsupported, typ)
	}
	return b, nil
}

func decodeIP(b []byte) (Packet, error) {
	if len(b) < 1 {
		return Packet{}, fmt.Errorf("%w: empty IP packet", ErrTruncated)
	}
	switch b[0] >> 4 {
	case 4:
		return decodeIPv4(b)
	case 6:
		return decodeIPv6(b)
	}
	return Packet{}, fmt.Errorf("%w: IP version %d", ErrUnsupported, b[0]>>4)
}

func decodeIPv4(b []byte) (Packet, error) {
	if len(b) < 20 {
		return Packet{}, fmt.Errorf("%w: IPv4 header of %d bytes", ErrTruncated, len(b))
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || ihl > len(b) {
		return Packet{}, fmt.Errorf("%w: IPv4 header length %d of %d bytes", ErrTruncated, ihl, len(b))
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if total < ihl {
		return Packet{}, fmt.Errorf("%w: IPv4 total length %d below header length %d", ErrTruncated, total, ihl)
	}
	truncated := false
	if total > len(b) {
		truncated = true
		total = len(b)
	}
	if frag := binary.BigEndian.Uint16(b[6:8]); frag&0x3fff != 0 {
		return Packet{}, fmt.Errorf("%w: IPv4 fragment", ErrUnsupported)
	}
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	p, err := decodeTransport(Proto(b[9]), src, dst, b[ihl:total])
	p.Truncated = p.Truncated || truncated
	return p, err
}

// IPv6 extension headers Decode steps over.
const (
	ipv6HopByHop = 0
	ipv6Routing  = 43
	ipv6Fragment = 44
	ipv6AH       = 51
	ipv6DestOpts = 60
)

func decodeIPv6(b []byte) (Packet, error) {
	if len(b) < 40 {
		return Packet{}, fmt.Errorf("%w: IPv6 header of %d bytes", ErrTruncated, len(b))
	}
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	next := b[6]
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	rest := b[40:]
	truncated := false
	if plen != 0 { // 0: jumbogram, the rest of the frame
		if plen > len(rest) {
			truncated = true
		} else {
			rest = rest[:plen]
		}
	}
	for {
		var hlen int
		switch next {
		case ipv6HopByHop, ipv6Routing, ipv6DestOpts:
			if len(rest) < 2 {
				return Packet{}, fmt.Errorf("%w: IPv6 extension header", ErrTruncated)
			}
			hlen = (int(rest[1]) + 1) * 8
		case ipv6AH:
			if len(rest) < 2 {
				return Packet{}, fmt.Errorf("%w: IPv6 authentication header", ErrTruncated)
			}
			hlen = (int(rest[1]) + 2) * 4
		case ipv6Fragment:
			return Packet{}, fmt.Errorf("%w: IPv6 fragment", ErrUnsupported)
		default:
			p, err := decodeTransport(Proto(next), src, dst, rest)
			p.Truncated = p.Truncated || truncated
			return p, err
		}
		if hlen > len(rest) {
			return Packet{}, fmt.Errorf("%w: IPv6 extension header of %d bytes", ErrTruncated, hlen)
		}
		next = rest[0]
		rest = rest[hlen:]
	}
}

func decodeTransport(proto Proto, src, dst netip.Addr, b []byte) (Packet, error) {
	p := Packet{Proto: proto}
	switch proto {
	case ProtoUDP:
		if len(b) < 8 {
			return Packet{}, fmt.Errorf("%w: UDP header of %d bytes", ErrTruncated, len(b))
		}
		ulen := int(binary.BigEndian.Uint16(b[4:6]))
		if ulen < 8 && ulen != 0 { // 0: IPv6 jumbogram
			return Packet{}, fmt.Errorf("%w: UDP length %d", ErrTruncated, ulen)
		}
		payload := b[8:]
		if ulen > len(b) {
			p.Truncated = true
		} else if ulen != 0 {
			payload = b[8:ulen]
		}
		p.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(b[0:2]))
		p.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:4]))
		p.Payload = payload
		return p, nil
	case ProtoTCP:
		if len(b) < 20 {
			return Packet{}, fmt.Errorf("%w: TCP header of %d bytes", ErrTruncated, len(b))
		}
		off := int(b[12]>>4) * 4
		if off < 20 || off > len(b) {
			return Packet{}, fmt.Errorf("%w: TCP data offset %d of %d bytes", ErrTruncated, off, len(b))
		}
		p.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(b[0:2]))
		p.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:4]))
		p.Seq = binary.BigEndian.Uint32(b[4:8])
		p.Ack = binary.BigEndian.Uint32(b[8:12])
		p.Flags = TCPFlags(b[13])
		p.Payload = b[off:]
		return p, nil
	}
	return Packet{}, fmt.Errorf("%w: IP protocol %d", ErrUnsupported, uint8(proto))
}

// ReadPackets reads the capture file at path and decodes every UDP and TCP
// packet in it, skipping frames Decode reports as unsupported. Payloads
// are private copies.
func ReadPackets(path string) ([]Packet, error) {
	recs, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeAll(recs)
}

// DecodeAll decodes records (see ReadAll), skipping unsupported frames.
// Packets alias the records' data.
func DecodeAll(recs []Record) ([]Packet, error) {
	out := make([]Packet, 0, len(recs))
	for i, rec := range recs {
		p, err := DecodeRecord(rec)
		if errors.Is(err, ErrUnsupported) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("record %d: %w", i+1, err)
		}
		out = append(out, p)
	}
	return out, nil
}
