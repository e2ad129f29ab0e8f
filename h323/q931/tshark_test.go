package q931

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// capturedH225 returns the H.225 PDU of the first message of type typ in
// call1.pcap, to stand in for the PDUs our H.225 codec will produce.
func capturedH225(t *testing.T, typ MessageType) []byte {
	t.Helper()
	path := testpeer.SharedFile(t, "captures", "call1.pcap")
	var m Message
	for _, c := range captureMessages(t, path) {
		if err := m.Unmarshal(c.raw); err != nil {
			t.Fatal(err)
		}
		if m.Type == typ {
			pdu, err := m.H225()
			if err != nil {
				t.Fatal(err)
			}
			return bytes.Clone(pdu)
		}
	}
	t.Fatalf("no %s in %s", typ, path)
	return nil
}

// TestTsharkDecodesOurMessages writes a Setup, Connect and ReleaseComplete
// built by this package into a pcap (TPKT over TCP port 1720) and checks
// what tshark makes of them.
func TestTsharkDecodesOurMessages(t *testing.T) {
	testpeer.Require(t, "tshark", "tshark")
	const callRef = 0x1234

	setup := &Message{Type: Setup, CallRef: callRef}
	connect := &Message{Type: Connect, CallRef: callRef, FromDestination: true}
	release := &Message{Type: ReleaseComplete, CallRef: callRef}
	for _, err := range []error{
		setup.SetBearerCapability(BearerCapability{TransferCapability: TransferUnrestrictedDigital, TransferRate: Rate384k, Layer1: Layer1H221}),
		setup.SetDisplay("Switchyard"),
		setup.SetCallingPartyNumber(PartyNumber{Type: NumberNational, Plan: PlanE164, HasPresentation: true, Screening: ScreeningNetwork, Digits: "2001"}),
		setup.SetCalledPartyNumber(PartyNumber{Type: NumberNational, Plan: PlanE164, Digits: "1001"}),
		setup.SetH225(capturedH225(t, Setup)),
		connect.SetDisplay("Room 1001"),
		connect.SetConnectedNumber(PartyNumber{Plan: PlanE164, HasPresentation: true, Digits: "1001"}),
		connect.SetH225(capturedH225(t, Connect)),
		release.SetCause(Cause{Location: LocationPublicRemote, Value: CauseUserBusy}),
		release.SetH225(capturedH225(t, ReleaseComplete)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	setup.SetSendingComplete(true)

	client := netip.MustParseAddrPort("127.0.0.1:30006")
	server := netip.MustParseAddrPort("127.0.0.1:1720")
	var file bytes.Buffer
	w, err := pcap.NewWriter(&file, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	tm := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	next := func() time.Time { tm = tm.Add(10 * time.Millisecond); return tm }
	if err := w.TCPHandshake(next(), client, server); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		m        *Message
		src, dst netip.AddrPort
	}{
		{setup, client, server},
		{connect, server, client},
		{release, client, server},
	} {
		raw, err := step.m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		pkt, err := tpkt.Append(nil, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteTCP(next(), step.src, step.dst, pkt); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.TCPClose(next(), client, server); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "q931.pcap")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	pkts := testpeer.Tshark(t, path, "-o", "tcp.check_checksum:TRUE")
	var types, bodies []string
	var q931 []testpeer.Packet
	for _, p := range pkts {
		for _, pr := range testpeer.ProblemsAtLeast(p, testpeer.SeverityChat) {
			if strings.HasPrefix(pr.Field, "tcp.connection.") {
				continue // SYN and FIN marks of the handshake and close
			}
			t.Errorf("frame %v: %s", testpeer.Strings(p, "frame.number"), pr)
		}
		if mt := testpeer.Strings(p, "q931.message_type"); len(mt) > 0 {
			types = append(types, mt...)
			bodies = append(bodies, testpeer.Strings(p, "h225.h323_message_body")...)
			q931 = append(q931, p)
		}
	}
	if want := []string{"0x05", "0x07", "0x5a"}; !slices.Equal(types, want) {
		t.Fatalf("tshark message types %v, want %v", types, want)
	}
	// h323-message-body CHOICE indexes: setup 0, connect 2, releaseComplete 5.
	if want := []string{"0", "2", "5"}; !slices.Equal(bodies, want) {
		t.Errorf("tshark H.225 bodies %v, want %v", bodies, want)
	}
	expect := []struct {
		pkt   int
		field string
		want  string
	}{
		{0, "q931.call_ref", fmt.Sprintf("%02x:%02x", callRef>>8, callRef&0xff)},
		{0, "q931.called_party_number.digits", "1001"},
		{0, "q931.calling_party_number.digits", "2001"},
		{0, "q931.display_information", "Switchyard"},
		{0, "q931.uil1", "0x05"},
		{0, "q931.information_transfer_rate", "0x13"},
		{1, "q931.call_ref_flag", "1"},
		{1, "q931.connected_number.digits", "1001"},
		{2, "q931.cause_value", "17"},
		{2, "q931.cause_location", "4"},
	}
	for _, e := range expect {
		got := testpeer.Strings(q931[e.pkt], e.field)
		if !slices.Contains(got, e.want) {
			t.Errorf("%s in message %d: %q, want %q", e.field, e.pkt+1, got, e.want)
		}
	}
	if !testpeer.Has(q931[0], "q931.sending_complete") {
		t.Error("tshark saw no Sending complete in the Setup")
	}
}

// TestTsharkFlagsBrokenMessage makes sure the clean-decode assertion above
// can fail: tshark must report a message whose element overruns it.
func TestTsharkFlagsBrokenMessage(t *testing.T) {
	testpeer.Require(t, "tshark", "tshark")
	broken := []byte{0x08, 0x02, 0x00, 0x01, 0x5a, 0x08, 0x09, 0x80} // cause claims 9 bytes, has 1
	pkt, err := tpkt.Append(nil, broken)
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	w, err := pcap.NewWriter(&file, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	client := netip.MustParseAddrPort("127.0.0.1:30006")
	server := netip.MustParseAddrPort("127.0.0.1:1720")
	if err := w.WriteTCP(time.Unix(1, 0), client, server, pkt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "broken.pcap")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var problems []testpeer.Problem
	for _, p := range testpeer.Tshark(t, path) {
		problems = append(problems, testpeer.ProblemsAtLeast(p, testpeer.SeverityWarn)...)
	}
	if len(problems) == 0 {
		t.Fatal("tshark reported nothing for a truncated Cause element")
	}
	t.Logf("tshark: %v", problems)
}
