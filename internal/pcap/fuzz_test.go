package pcap

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/testpeer"
)

func FuzzReader(f *testing.F) {
	le, be := binary.LittleEndian, binary.BigEndian
	f.Add(classicFile(le, magicMicro, LinkEthernet, 1, 2, []byte{1, 2, 3}))
	f.Add(classicFile(be, magicNano, LinkRaw, 1, 2, udp4()))
	f.Add(classicFile(le, magicMicro, LinkRaw, 1, 2, tcp6()))
	f.Add(append(append(ngSHB(be), ngIDB(be, LinkRaw, 9)...), ngEPB(be, 0, 5, udp4())...))
	f.Add(append(append(ngSHB(le), ngIDB(le, LinkEthernet, 0)...), ngSPB(le, []byte{1})...))
	var buf bytes.Buffer
	if w, err := NewWriter(&buf, LinkEthernet); err == nil {
		c := netip.MustParseAddrPort("192.0.2.1:30000")
		s := netip.MustParseAddrPort("192.0.2.2:1720")
		_ = w.TCPHandshake(time.Unix(1, 0), c, s)
		_ = w.WriteTCP(time.Unix(2, 0), c, s, []byte{3, 0, 0, 5, 8})
		f.Add(buf.Bytes())
	}
	// The start of a real capture, when the reference data is present.
	if dir, err := testpeer.FindSharedDir(); err == nil {
		paths, _ := filepath.Glob(filepath.Join(dir, "captures", "*.pcap"))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b[:min(len(b), 2048)])
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		var pkts []Packet
		for range 1000 {
			rec, err := rd.Next()
			if err != nil {
				break
			}
			if len(rec.Data) > len(data) {
				t.Fatalf("record of %d bytes from %d bytes of input", len(rec.Data), len(data))
			}
			if p, err := Decode(rec.LinkType, rec.Data); err == nil {
				p.Payload = bytes.Clone(p.Payload)
				pkts = append(pkts, p)
			}
		}
		for _, c := range ReassembleTCP(pkts) {
			if len(c.ClientToServer.Data)+len(c.ServerToClient.Data) > len(data) {
				t.Fatalf("streams longer than the input")
			}
		}
	})
}
