package h225_test

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/q931"
	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// q931Type is the Q.931 message that carries a UUIE.
func q931Type(ui *h225.H323UserInformation) q931.MessageType {
	switch ui.H323UuPdu.H323MessageBody.Choice {
	case h225.H323UUPDUH323MessageBodyChoiceSetup:
		return q931.Setup
	case h225.H323UUPDUH323MessageBodyChoiceCallProceeding:
		return q931.CallProceeding
	case h225.H323UUPDUH323MessageBodyChoiceAlerting:
		return q931.Alerting
	case h225.H323UUPDUH323MessageBodyChoiceConnect:
		return q931.Connect
	case h225.H323UUPDUH323MessageBodyChoiceReleaseComplete:
		return q931.ReleaseComplete
	}
	return q931.Facility
}

// TestTsharkDecodesOurMessages writes the test messages as our codec
// encodes them, RAS on UDP 1719 and UUIEs in Q.931 over TPKT on TCP 1720,
// and checks that tshark decodes every one (with the fastStart and
// tunnelled H.245 inside) without a malformed or expert mark.
func TestTsharkDecodesOurMessages(t *testing.T) {
	testpeer.Require(t, "tshark", "tshark")
	ep := netip.MustParseAddrPort("192.0.2.10:1719")
	gk := netip.MustParseAddrPort("192.0.2.1:1719")
	caller := netip.MustParseAddrPort("192.0.2.10:30000")
	callee := netip.MustParseAddrPort("192.0.2.20:1720")
	var file bytes.Buffer
	w, err := pcap.NewWriter(&file, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	tm := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	next := func() time.Time { tm = tm.Add(10 * time.Millisecond); return tm }
	if err := w.TCPHandshake(next(), caller, callee); err != nil {
		t.Fatal(err)
	}
	var nRAS, nUUIE int
	for _, m := range h225Messages(t) {
		enc, err := m.msg.MarshalPER()
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if ui, ok := m.msg.(*h225.H323UserInformation); ok {
			nUUIE++
			msg := &q931.Message{Type: q931Type(ui), CallRef: 0x1234, FromDestination: q931Type(ui) != q931.Setup}
			if err := msg.SetH225(enc); err != nil {
				t.Fatal(err)
			}
			raw, err := msg.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			pkt, err := tpkt.Append(nil, raw)
			if err != nil {
				t.Fatal(err)
			}
			src, dst := caller, callee
			if msg.FromDestination {
				src, dst = callee, caller
			}
			if err := w.WriteTCP(next(), src, dst, pkt); err != nil {
				t.Fatal(err)
			}
			continue
		}
		nRAS++
		if err := w.WriteUDP(next(), ep, gk, enc); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.TCPClose(next(), caller, callee); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "h225.pcap")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pkts := testpeer.Tshark(t, path)
	var ras, bodies, msd, olcs []string
	for _, p := range pkts {
		for _, pr := range testpeer.ProblemsAtLeast(p, testpeer.SeverityChat) {
			if strings.HasPrefix(pr.Field, "tcp.") {
				continue // connection set-up and tear-down marks
			}
			t.Errorf("frame %v: %s", testpeer.Strings(p, "frame.number"), pr)
		}
		ras = append(ras, testpeer.Strings(p, "h225.RasMessage")...)
		bodies = append(bodies, testpeer.Strings(p, "h225.h323_message_body")...)
		msd = append(msd, testpeer.Strings(p, "h245.statusDeterminationNumber")...)
		olcs = append(olcs, testpeer.Strings(p, "h245.forwardLogicalChannelNumber")...)
	}
	if len(ras) != nRAS {
		t.Errorf("tshark decoded %d RAS messages %v, want %d", len(ras), ras, nRAS)
	}
	if len(bodies) != nUUIE {
		t.Errorf("tshark decoded %d UUIEs %v, want %d", len(bodies), bodies, nUUIE)
	}
	if !slices.Equal(msd, []string{"12345"}) {
		t.Errorf("tunnelled masterSlaveDetermination: %v", msd)
	}
	// fastStart: two proposals in the Setup, one answer in the Connect.
	if !slices.Equal(olcs, []string{"1", "2", "1"}) {
		t.Errorf("fastStart OpenLogicalChannels: %v", olcs)
	}
}
