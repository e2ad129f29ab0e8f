package wirecheck

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// field is one value tshark must show in a frame: the field name as tshark
// prints it in -T json, and the value.
type field struct{ name, value string }

func f(name string, value any) field { return field{name, fmt.Sprint(value)} }

// expectations lists, for each frame of the scenario, the fields and
// values that were set with package caps.
func expectations() map[string][]field {
	gw, gk, ep := gwIP.String(), gkIP.String(), epIP.String()
	aliasesGW := []field{f("h225.h323_ID", "switchyard-gw"), f("h225.dialledDigits", "4420")}
	vendorGW := []field{f("h225.t35CountryCode", 181), f("h225.manufacturerCode", 0x5359), f("h225.productId", "Switchyard"), f("h225.versionId", "0.1")}
	h264Baseline := []field{
		f("h245.standardOid", "0.0.8.241.0.0.1"), f("h264.par_profile.base", 1), f("h245.standard", 41),
		f("h245.standard", 42), f("h245.unsignedMin", 71),
	}
	h239Extended := []field{f("h245.standardOid", "0.0.8.239.1.2"), f("h245.booleanArray", 1)}
	tcs := []field{
		f("h245.request", 2), f("h245.sequenceNumber", 1), f("h245.protocolIdentifier", "0.0.8.245.0.15"),
		f("h245.maximumAudioDelayJitter", 250), f("h245.oid", "0.0.8.241.0.0.0.1"),
		f("h245.g711Ulaw64k", 20), f("h245.g711Alaw64k", 20), f("h245.g722_64k", 20),
		f("h245.standardOid", "0.0.7.7221.1.0"), f("h245.maxBitRate", 320),
		f("h245.dynamicRTPPayloadType", 101), f("h245.audioTelephoneEvent", "0-16"),
		// H.264 High level 4 with CustomMaxMBPS and CustomMaxFS, Baseline 3.1.
		f("h264.par_profile.high", 1), f("h245.unsignedMin", 85), f("h245.standard", 3), f("h245.unsignedMax", 491),
		f("h245.standard", 4), f("h245.unsignedMax", 32), f("h245.maxBitRate", 19200),
		f("h264.par_profile.base", 1), f("h245.unsignedMin", 71),
		f("h245.cif4MPI", 2), f("h245.cifMPI", 1), f("h245.qcifMPI", 1),
		// H.239: extended video (presentation) and the control capability.
		f("h245.standardOid", "0.0.8.239.1.2"), f("h245.booleanArray", 1), f("h245.maxBitRate", 10240),
		f("h245.standardOid", "0.0.8.239.1.1"),
		f("h245.h224", 3), f("h245.maxBitRate", 640),
		f("h245.capabilityTableEntryNumber", 14), f("h245.simultaneousCapabilities", 6),
	}
	msd := []field{f("h245.request", 1), f("h245.terminalType", 60), f("h245.statusDeterminationNumber", 0x5a5a5a)}
	olc := append([]field{
		f("h245.request", 3), f("h245.forwardLogicalChannelNumber", contentChan), f("h245.sessionID", 32),
		f("h245.ip4_network", gw), f("h245.tsapIdentifier", gwSlideRTCP.Port()), f("h245.dynamicRTPPayloadType", 98),
		f("h245.oid", "0.0.8.241.0.0.0.1"), f("h245.payloadType", 98), f("h245.maxBitRate", 10240),
	}, append(h264Baseline, h239Extended...)...)
	olcAck := []field{
		f("h245.response", 5), f("h245.forwardLogicalChannelNumber", contentChan), f("h245.sessionID", 32),
		f("h245.ip4_network", ep), f("h245.tsapIdentifier", epSlideRTP.Port()), f("h245.tsapIdentifier", epSlideRTCP.Port()),
		f("h245.dynamicRTPPayloadType", 98),
	}
	h239Req := []field{
		f("h245.request", 15), f("h245.standardOid", "0.0.8.239.2"), f("h245.subMessageIdentifier.standard", 3),
		f("h245.standard", 44), f("h245.standard", 42), f("h245.unsignedMin", contentChan), f("h245.standard", 43), f("h245.unsignedMin", 42),
	}
	return map[string][]field{
		"GRQ": append([]field{f("h225.RasMessage", 0), f("h225.requestSeqNum", 1), f("h225.ipV4", gw), f("h225.ipV4_port", 1719),
			f("h225.gatekeeperIdentifier", "Lab-GK"), f("h225.protocolIdentifier", "0.0.8.2250.0.7")}, append(aliasesGW, vendorGW...)...),
		"RRQ": append([]field{f("h225.RasMessage", 3), f("h225.requestSeqNum", 2), f("h225.discoveryComplete", 1),
			f("h225.ipV4", gw), f("h225.ipV4_port", 1720), f("h225.ipV4_port", 1719), f("h225.gatekeeperIdentifier", "Lab-GK"),
			f("h225.timeToLive", 300), f("h225.keepAlive", 0)}, append(aliasesGW, vendorGW...)...),
		"RCF": append([]field{f("h225.RasMessage", 4), f("h225.requestSeqNum", 2), f("h225.ipV4", gk), f("h225.ipV4_port", 1721),
			f("h225.endpointIdentifier", endpointID), f("h225.timeToLive", 300)}, aliasesGW...),
		"ARQ": append([]field{f("h225.RasMessage", 9), f("h225.requestSeqNum", 3), f("h225.endpointIdentifier", endpointID),
			f("h225.dialledDigits", "1001"), f("h225.ipV4", ep), f("h225.ipV4_port", 1720), f("h225.bandWidth", 7680),
			f("h225.callReferenceValue", callRefA), f("h225.conferenceID", confA), f("h225.guid", callA),
			f("h225.answerCall", 0), f("h225.canMapAlias", 1), f("h225.callType", 0)}, aliasesGW...),
		"ACF": {f("h225.RasMessage", 10), f("h225.requestSeqNum", 3), f("h225.bandWidth", 7680), f("h225.callModel", 0),
			f("h225.ipV4", ep), f("h225.ipV4_port", 1720), f("h225.irrFrequency", 240)},
		"DRQ": {f("h225.RasMessage", 15), f("h225.requestSeqNum", 4), f("h225.endpointIdentifier", endpointID),
			f("h225.conferenceID", confA), f("h225.guid", callA), f("h225.callReferenceValue", callRefA),
			f("h225.disengageReason", 1), f("h225.answeredCall", 1)},
		"URQ": append([]field{f("h225.RasMessage", 6), f("h225.requestSeqNum", 5), f("h225.endpointIdentifier", endpointID)}, aliasesGW...),
		"Setup A": append([]field{
			f("q931.message_type", "0x05"), f("q931.called_party_number.digits", "1001"), f("h225.h323_message_body", 0),
			f("h225.conferenceID", confA), f("h225.guid", callA), f("h225.h323_ID", "room-1001"), f("h225.dialledDigits", "1001"),
			f("h225.ipV4", ep), f("h225.ipV4_port", 1720), f("h225.ipV4_port", gwCallerA.Port()), f("h225.endpointIdentifier", endpointID),
			f("h225.h245Tunnelling", 1), f("h225.fastStart", 4),
			// The fast start proposals: G.711 µ-law and H.264 each way.
			f("h245.forwardLogicalChannelNumber", 1), f("h245.forwardLogicalChannelNumber", 2), f("h245.g711Ulaw64k", 20),
			f("h245.nullData_element", ""), f("h245.ip4_network", gw),
			f("h245.tsapIdentifier", gwAudioRTP.Port()), f("h245.tsapIdentifier", gwAudioRTCP.Port()),
			f("h245.tsapIdentifier", gwVideoRTP.Port()), f("h245.tsapIdentifier", gwVideoRTCP.Port()),
			f("h245.dynamicRTPPayloadType", 97), f("h245.oid", "0.0.8.241.0.0.0.1"),
		}, append(aliasesGW, h264Baseline...)...),
		"Connect A": {f("q931.message_type", "0x07"), f("h225.h323_message_body", 2), f("h225.conferenceID", confA), f("h225.guid", callA),
			f("h225.productId", "Room 1001"), f("h225.h245Tunnelling", 1), f("h225.fastStart", 2),
			f("h245.forwardLogicalChannelNumber", 1), f("h245.forwardLogicalChannelNumber", 11), f("h245.g711Ulaw64k", 20),
			f("h245.ip4_network", ep), f("h245.tsapIdentifier", epAudioRTP.Port()), f("h245.tsapIdentifier", epAudioRTCP.Port())},
		"TCS+MSD":         append(append([]field{f("q931.message_type", "0x62"), f("h225.h323_message_body", 8), f("h225.h245Tunnelling", 1), f("h225.h245Control", 2)}, tcs...), msd...),
		"TCSAck+MSDAck":   {f("h225.h245Control", 2), f("h245.response", 3), f("h245.sequenceNumber", 1), f("h245.response", 1), f("h245.decision", 1)},
		"H239Req+OLC":     append(append([]field{f("h225.h245Control", 2)}, h239Req...), olc...),
		"H239Resp+OLCAck": append([]field{f("h245.response", 24), f("h245.subMessageIdentifier.standard", 4), f("h245.standard", 126)}, olcAck...),
		"UII+VFU": {f("h245.indication", 13), f("h245.userInput", 3), f("h245.signalType", dtmfDigit), f("h245.duration", dtmfLength),
			f("h245.command", 6), f("h245.logicalChannelNumber", videoChan), f("h245.type", 5)},
		"CLC":               {f("h245.request", 4), f("h245.forwardLogicalChannelNumber", contentChan), f("h245.source", 0)},
		"ReleaseComplete A": {f("q931.message_type", "0x5a"), f("q931.cause_value", 16), f("h225.h323_message_body", 5), f("h225.reason", 11), f("h225.guid", callA)},
		"Setup B": {f("q931.message_type", "0x05"), f("h225.h245Ip", gw), f("h225.h245IpPort", gwH245B.Port()), f("h225.conferenceID", confB),
			f("h225.guid", callB), f("h225.h245Tunnelling", 0)},
		"Connect B":         {f("q931.message_type", "0x07"), f("h225.h245Ip", ep), f("h225.h245IpPort", h245Port), f("h225.guid", callB)},
		"B TCS":             tcs,
		"B MSD":             msd,
		"B TCSAck":          {f("h245.response", 3), f("h245.sequenceNumber", 1)},
		"B MSDAck":          {f("h245.response", 1), f("h245.decision", 1)},
		"B OLC":             olc,
		"B OLCAck":          olcAck,
		"B H239Req":         h239Req,
		"B UII":             {f("h245.userInput", 1), f("h245.alphanumeric", "1234#")},
		"B VFU":             {f("h245.command", 6), f("h245.logicalChannelNumber", videoChan), f("h245.type", 5)},
		"B EndSession":      {f("h245.command", 5), f("h245.endSessionCommand", 1)},
		"ReleaseComplete B": {f("q931.cause_value", 17), f("h225.reason", 10), f("h225.guid", callB)},
	}
}

// TestTsharkDecodesScenario writes the scenario into a pcap and requires
// tshark to decode every frame without a malformed or warning mark and to
// show each field with the value we set.
func TestTsharkDecodesScenario(t *testing.T) {
	testpeer.Require(t, "tshark", "tshark")
	c := writeScenario(t, buildScenario())
	path := c.save(t, t.TempDir())
	pkts := testpeer.Tshark(t, path, "-d", "udp.port==1719,h225", "-d", "tcp.port=="+strconv.Itoa(h245Port)+",h245")
	if len(pkts) != c.frames {
		t.Fatalf("tshark decoded %d frames, the capture has %d", len(pkts), c.frames)
	}
	for i, p := range pkts {
		if bad := testpeer.ProblemsAtLeast(p, testpeer.SeverityWarn); len(bad) > 0 {
			t.Errorf("frame %d: %v", i+1, bad)
		}
		if testpeer.Has(p, "_ws.malformed") {
			t.Errorf("frame %d: malformed", i+1)
		}
	}
	exp := expectations()
	checked := 0
	for _, name := range c.order {
		want, ok := exp[name]
		if !ok {
			t.Errorf("%s: no expectations", name)
			continue
		}
		p := pkts[c.frame[name]-1]
		for _, w := range want {
			got := testpeer.Strings(p, w.name)
			if !slices.Contains(got, w.value) {
				t.Errorf("%s (frame %d): %s = %q, want %q among them", name, c.frame[name], w.name, got, w.value)
			}
			checked++
		}
		if proto := protocols(p); !slices.Contains(proto, "h225") && !slices.Contains(proto, "h245") {
			t.Errorf("%s (frame %d): decoded as %v", name, c.frame[name], proto)
		}
	}
	t.Logf("%d frames, %d messages, %d field values checked", len(pkts), len(c.order), checked)
}

// protocols returns the layer names of a decoded packet.
func protocols(p testpeer.Packet) []string {
	var out []string
	for k := range p {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
