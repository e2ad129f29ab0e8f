package h245_test

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// TestTsharkDecodesOurMessages writes every test message, as our codec
// encodes it, on an H.245 TCP connection (TPKT) and checks that tshark, an
// independent decoder, reads each one as H.245 without a malformed or
// expert mark.
func TestTsharkDecodesOurMessages(t *testing.T) {
	testpeer.Require(t, "tshark", "tshark")
	msgs := testMessages()
	a := netip.MustParseAddrPort("192.0.2.10:30008")
	b := netip.MustParseAddrPort("192.0.2.20:30009")
	var file bytes.Buffer
	w, err := pcap.NewWriter(&file, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	tm := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	next := func() time.Time { tm = tm.Add(10 * time.Millisecond); return tm }
	if err := w.TCPHandshake(next(), a, b); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		enc, err := m.msg.MarshalPER()
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		pkt, err := tpkt.Append(nil, enc)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTCP(next(), a, b, pkt); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.TCPClose(next(), a, b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "h245.pcap")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pkts := testpeer.Tshark(t, path, "-d", "tcp.port==30008,h245")
	var decoded int
	fields := make(map[string][]string)
	spot := map[string]string{
		"h245.statusDeterminationNumber":     "16440986",
		"h245.forwardLogicalChannelNumber":   "101",
		"h245.signalType":                    "#",
		"h245.subMessageIdentifier.standard": "3",
		"h245.dynamicRTPPayloadType":         "101",
		"h245.alphanumeric":                  "1",
	}
	for _, p := range pkts {
		for f := range spot {
			fields[f] = append(fields[f], testpeer.Strings(p, f)...)
		}
		for _, pr := range testpeer.ProblemsAtLeast(p, testpeer.SeverityChat) {
			if strings.HasPrefix(pr.Field, "tcp.") {
				continue // connection set-up and tear-down marks
			}
			t.Errorf("frame %v: %s", testpeer.Strings(p, "frame.number"), pr)
		}
		decoded += len(testpeer.Fields(p, "h245.pdu_type"))
	}
	if decoded != len(msgs) {
		t.Errorf("tshark decoded %d H.245 PDUs, want %d", decoded, len(msgs))
	}
	// Spot-check values tshark read from our encodings.
	for field, want := range spot {
		if got := fields[field]; !contains(got, want) {
			t.Errorf("tshark field %s = %v, want %s among them", field, got, want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
