package pcap

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/testpeer"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC)

type exchange struct {
	client, server netip.AddrPort
	c2s, s2c       [][]byte
	udp            []byte
}

func exchangeFor(v6 bool) exchange {
	c := netip.MustParseAddrPort("192.0.2.1:30006")
	s := netip.MustParseAddrPort("192.0.2.2:1720")
	if v6 {
		c = netip.MustParseAddrPort("[2001:db8::1]:30006")
		s = netip.MustParseAddrPort("[2001:db8::2]:1720")
	}
	big := bytes.Repeat([]byte("0123456789"), 500) // split into segments
	return exchange{
		client: c, server: s,
		c2s: [][]byte{{3, 0, 0, 5, 0x08}, big},
		s2c: [][]byte{{3, 0, 0, 4}, []byte("odd"), {}},
		udp: []byte{0x01, 0x02, 0x03},
	}
}

func writeExchange(t *testing.T, link LinkType, ex exchange) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, link)
	if err != nil {
		t.Fatal(err)
	}
	tm := t0
	step := func() time.Time { tm = tm.Add(time.Millisecond); return tm }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.TCPHandshake(step(), ex.client, ex.server))
	for i := range max(len(ex.c2s), len(ex.s2c)) {
		if i < len(ex.c2s) {
			must(w.WriteTCP(step(), ex.client, ex.server, ex.c2s[i]))
		}
		if i < len(ex.s2c) {
			must(w.WriteTCP(step(), ex.server, ex.client, ex.s2c[i]))
		}
	}
	udpSrc := netip.AddrPortFrom(ex.client.Addr(), 1719)
	udpDst := netip.AddrPortFrom(ex.server.Addr(), 1719)
	must(w.WriteUDP(step(), udpSrc, udpDst, ex.udp))
	must(w.TCPClose(step(), ex.client, ex.server))
	must(w.TCPClose(step(), ex.server, ex.client))
	return buf.Bytes()
}

func TestWriterRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		link LinkType
		v6   bool
	}{
		{"ethernet-ipv4", LinkEthernet, false},
		{"ethernet-ipv6", LinkEthernet, true},
		{"raw-ipv4", LinkRaw, false},
		{"raw-ipv6", LinkRaw, true},
		{"ipv4", LinkIPv4, false},
		{"ipv6", LinkIPv6, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex := exchangeFor(tc.v6)
			file := writeExchange(t, tc.link, ex)
			rd, err := NewReader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if rd.Format() != FormatPcap || rd.LinkType() != tc.link {
				t.Fatalf("format %s link %s", rd.Format(), rd.LinkType())
			}
			recs, err := rd.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !recs[0].Time.Equal(t0.Add(time.Millisecond)) {
				t.Errorf("first record time %v", recs[0].Time)
			}
			pkts, err := DecodeAll(recs)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkts) != len(recs) {
				t.Fatalf("decoded %d of %d records", len(pkts), len(recs))
			}
			var udp int
			for i, rec := range recs {
				checkChecksums(t, i, tc.link, rec.Data)
				if pkts[i].Proto == ProtoUDP {
					udp++
					if !bytes.Equal(pkts[i].Payload, ex.udp) {
						t.Errorf("UDP payload % x", pkts[i].Payload)
					}
				}
			}
			if udp != 1 {
				t.Errorf("%d UDP datagrams, want 1", udp)
			}
			conns := ReassembleTCP(pkts)
			if len(conns) != 1 {
				t.Fatalf("%d connections, want 1", len(conns))
			}
			c := conns[0]
			if c.Client != ex.client || c.Server != ex.server {
				t.Errorf("client %s server %s", c.Client, c.Server)
			}
			if got, want := c.ClientToServer.Data, bytes.Join(ex.c2s, nil); !bytes.Equal(got, want) {
				t.Errorf("client stream: %d bytes, want %d", len(got), len(want))
			}
			if got, want := c.ServerToClient.Data, bytes.Join(ex.s2c, nil); !bytes.Equal(got, want) {
				t.Errorf("server stream: % x, want % x", got, want)
			}
			if !c.ClientToServer.FIN || !c.ServerToClient.FIN {
				t.Error("FIN not seen")
			}
		})
	}
}

// checkChecksums verifies the IPv4 header and transport checksums of a
// synthesized frame.
func checkChecksums(t *testing.T, i int, link LinkType, frame []byte) {
	t.Helper()
	ip, err := linkPayload(link, frame)
	if err != nil {
		t.Fatal(err)
	}
	var src, dst netip.Addr
	var proto Proto
	var seg []byte
	if ip[0]>>4 == 4 {
		if c := fold(sum16(0, ip[:20])); c != 0 {
			t.Errorf("record %d: IPv4 header checksum off by %#x", i+1, c)
		}
		src, dst = netip.AddrFrom4([4]byte(ip[12:16])), netip.AddrFrom4([4]byte(ip[16:20]))
		proto, seg = Proto(ip[9]), ip[20:]
	} else {
		src, dst = netip.AddrFrom16([16]byte(ip[8:24])), netip.AddrFrom16([16]byte(ip[24:40]))
		proto, seg = Proto(ip[6]), ip[40:]
	}
	if c := fold(sum16(pseudoSum(src, dst, proto, len(seg)), seg)); c != 0 {
		t.Errorf("record %d: %s checksum off by %#x", i+1, proto, c)
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, LinkLinuxSLL); err == nil {
		t.Error("NewWriter(LINUX_SLL): no error")
	}
	w, err := NewWriter(&bytes.Buffer{}, LinkIPv4)
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddrPort("192.0.2.1:1")
	v6 := netip.MustParseAddrPort("[2001:db8::1]:1")
	tests := []struct {
		name     string
		src, dst netip.AddrPort
		payload  []byte
	}{
		{"mixed families", v4, v6, nil},
		{"ipv6 on ipv4 link", v6, v6, nil},
		{"too big for IP", v4, v4, make([]byte, 70000)},
		{"invalid address", netip.AddrPort{}, v4, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := w.WriteUDP(t0, tc.src, tc.dst, tc.payload); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestWriterTshark has tshark check our frames, checksums included.
func TestWriterTshark(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "w.pcap")
		if err := os.WriteFile(path, writeExchange(t, LinkEthernet, exchangeFor(v6)), 0o644); err != nil {
			t.Fatal(err)
		}
		pkts := testpeer.Tshark(t, path,
			"-o", "ip.check_checksum:TRUE",
			"-o", "tcp.check_checksum:TRUE",
			"-o", "udp.check_checksum:TRUE",
			"-d", "tcp.port==1720,data", "-d", "udp.port==1719,data")
		if len(pkts) == 0 {
			t.Fatal("tshark decoded nothing")
		}
		for _, p := range pkts {
			frame := testpeer.Strings(p, "frame.number")
			for _, name := range []string{"ip.checksum.status", "tcp.checksum.status", "udp.checksum.status"} {
				for _, s := range testpeer.Strings(p, name) {
					if s != "1" { // 1: good
						t.Errorf("v6=%v frame %v: %s = %s", v6, frame, name, s)
					}
				}
			}
			for _, pr := range testpeer.ProblemsAtLeast(p, testpeer.SeverityNote) {
				if strings.HasPrefix(pr.Field, "tcp.connection.") {
					continue // FIN notes of a normal close
				}
				t.Errorf("v6=%v frame %v: %s", v6, frame, pr)
			}
		}
	}
}

func TestReassembleOrder(t *testing.T) {
	a := netip.MustParseAddrPort("192.0.2.1:1000")
	b := netip.MustParseAddrPort("192.0.2.2:1720")
	seg := func(src, dst netip.AddrPort, seq uint32, flags TCPFlags, data string) Packet {
		return Packet{Proto: ProtoTCP, Src: src, Dst: dst, Seq: seq, Flags: flags, Payload: []byte(data)}
	}
	const isn = 0xfffffff0 // wraps around inside the stream
	tests := []struct {
		name        string
		pkts        []Packet
		want        string
		wantMissing int
		wantConns   int
	}{
		{"in order", []Packet{
			seg(a, b, isn, FlagSYN, ""),
			seg(a, b, isn+1, FlagACK, "hello "),
			seg(a, b, isn+7, FlagACK, "world"),
		}, "hello world", 0, 1},
		{"reordered and retransmitted", []Packet{
			seg(a, b, isn, FlagSYN, ""),
			seg(a, b, isn+7, FlagACK, "world"),
			seg(a, b, isn+1, FlagACK, "hello "),
			seg(a, b, isn+1, FlagACK, "hello "),
			seg(a, b, isn+4, FlagACK, "lo wo"),
		}, "hello world", 0, 1},
		{"no SYN", []Packet{
			seg(a, b, 500, FlagACK, "lo"),
			seg(a, b, 497, FlagACK, "hel"),
		}, "hello", 0, 1},
		{"hole", []Packet{
			seg(a, b, 100, FlagSYN, ""),
			seg(a, b, 101, FlagACK, "ab"),
			seg(a, b, 105, FlagACK, "ef"),
		}, "abef", 2, 1},
		{"keep-alive before start", []Packet{
			seg(a, b, 100, FlagSYN, ""),
			seg(a, b, 101, FlagACK, "ab"),
			seg(a, b, 102, FlagACK, "b"),
		}, "ab", 0, 1},
		{"new connection on same tuple", []Packet{
			seg(a, b, 100, FlagSYN, ""),
			seg(a, b, 101, FlagACK, "first"),
			seg(a, b, 9000, FlagSYN, ""),
			seg(a, b, 9001, FlagACK, "second"),
		}, "second", 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conns := ReassembleTCP(tc.pkts)
			if len(conns) != tc.wantConns {
				t.Fatalf("%d connections, want %d", len(conns), tc.wantConns)
			}
			s := conns[len(conns)-1].ClientToServer
			if string(s.Data) != tc.want || s.Missing != tc.wantMissing {
				t.Errorf("stream %q missing %d, want %q missing %d", s.Data, s.Missing, tc.want, tc.wantMissing)
			}
		})
	}
}

func TestReassembleServerFirst(t *testing.T) {
	a := netip.MustParseAddrPort("192.0.2.1:1000")
	b := netip.MustParseAddrPort("192.0.2.2:1720")
	conns := ReassembleTCP([]Packet{
		{Proto: ProtoTCP, Src: b, Dst: a, Seq: 7, Flags: FlagSYN | FlagACK},
		{Proto: ProtoTCP, Src: b, Dst: a, Seq: 8, Flags: FlagACK, Payload: []byte("x")},
		{Proto: ProtoUDP, Src: a, Dst: b, Payload: []byte("ignored")},
	})
	if len(conns) != 1 || conns[0].Client != a || string(conns[0].ServerToClient.Data) != "x" {
		t.Fatalf("got %+v", conns)
	}
}
