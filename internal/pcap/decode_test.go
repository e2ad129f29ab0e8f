package pcap

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// udp4 is an IPv4 UDP packet 10.0.0.1:5000 → 10.0.0.2:1719 carrying "hi".
func udp4() []byte {
	b := []byte{
		0x45, 0, 0, 30, 0, 1, 0x40, 0, 64, 17, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,
		0x13, 0x88, 0x06, 0xb7, 0, 10, 0, 0,
		'h', 'i',
	}
	return b
}

// tcp6 is an IPv6 TCP segment behind a destination-options header.
func tcp6() []byte {
	b := make([]byte, 40+8+20+3)
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:6], 8+20+3)
	b[6] = ipv6DestOpts
	b[23], b[39] = 1, 2
	b[40] = byte(ProtoTCP) // next header after the options
	tcp := b[48:]
	binary.BigEndian.PutUint16(tcp[0:2], 30000)
	binary.BigEndian.PutUint16(tcp[2:4], 1720)
	binary.BigEndian.PutUint32(tcp[4:8], 42)
	tcp[12] = 5 << 4
	tcp[13] = byte(FlagACK | FlagPSH)
	copy(tcp[20:], "abc")
	return b
}

func prefix(p []byte, b []byte) []byte { return append(append([]byte{}, p...), b...) }

func TestDecode(t *testing.T) {
	eth := func(typ uint16) []byte {
		h := make([]byte, 14)
		binary.BigEndian.PutUint16(h[12:], typ)
		return h
	}
	vlan := append(eth(etherVLAN), 0, 5, 0x08, 0x00)
	sll := make([]byte, 16)
	binary.BigEndian.PutUint16(sll[14:], etherIPv6)
	sll2 := make([]byte, 20)
	binary.BigEndian.PutUint16(sll2[0:], etherIPv4)
	padded := append(prefix(eth(etherIPv4), udp4()), 0, 0, 0, 0) // Ethernet padding
	frag := udp4()
	frag[6] = 0x20 // more fragments
	trunc := udp4()[:29]
	v4 := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

	tests := []struct {
		name    string
		link    LinkType
		frame   []byte
		wantErr error
		src     netip.AddrPort
		payload string
		trunc   bool
	}{
		{"ethernet udp", LinkEthernet, prefix(eth(etherIPv4), udp4()), nil, v4("10.0.0.1:5000"), "hi", false},
		{"ethernet padding trimmed", LinkEthernet, padded, nil, v4("10.0.0.1:5000"), "hi", false},
		{"vlan", LinkEthernet, prefix(vlan, udp4()), nil, v4("10.0.0.1:5000"), "hi", false},
		{"raw v4", LinkRaw, udp4(), nil, v4("10.0.0.1:5000"), "hi", false},
		{"ipv4 link", LinkIPv4, udp4(), nil, v4("10.0.0.1:5000"), "hi", false},
		{"null", LinkNull, prefix([]byte{2, 0, 0, 0}, udp4()), nil, v4("10.0.0.1:5000"), "hi", false},
		{"loop", LinkLoop, prefix([]byte{0, 0, 0, 2}, udp4()), nil, v4("10.0.0.1:5000"), "hi", false},
		{"sll2", LinkLinuxSLL2, prefix(sll2, udp4()), nil, v4("10.0.0.1:5000"), "hi", false},
		{"sll ipv6 tcp", LinkLinuxSLL, prefix(sll, tcp6()), nil, netip.MustParseAddrPort("[::1]:30000"), "abc", false},
		{"raw v6 tcp", LinkRaw, tcp6(), nil, netip.MustParseAddrPort("[::1]:30000"), "abc", false},
		{"truncated capture", LinkRaw, trunc, nil, v4("10.0.0.1:5000"), "h", true},
		{"arp", LinkEthernet, prefix(eth(0x0806), make([]byte, 28)), ErrUnsupported, netip.AddrPort{}, "", false},
		{"fragment", LinkRaw, frag, ErrUnsupported, netip.AddrPort{}, "", false},
		{"icmp", LinkRaw, func() []byte { b := udp4(); b[9] = 1; return b }(), ErrUnsupported, netip.AddrPort{}, "", false},
		{"unknown link", LinkType(147), udp4(), ErrUnsupported, netip.AddrPort{}, "", false},
		{"short ethernet", LinkEthernet, []byte{1, 2, 3}, ErrTruncated, netip.AddrPort{}, "", false},
		{"short ip", LinkRaw, udp4()[:12], ErrTruncated, netip.AddrPort{}, "", false},
		{"bad ihl", LinkRaw, func() []byte { b := udp4(); b[0] = 0x4f; return b }(), ErrTruncated, netip.AddrPort{}, "", false},
		{"short udp", LinkRaw, udp4()[:24], ErrTruncated, netip.AddrPort{}, "", false},
		{"empty", LinkRaw, nil, ErrTruncated, netip.AddrPort{}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decode(tc.link, tc.frame)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Src != tc.src || string(p.Payload) != tc.payload || p.Truncated != tc.trunc {
				t.Errorf("got src %s payload %q truncated %v", p.Src, p.Payload, p.Truncated)
			}
		})
	}
}
