package h225_test

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// h2250v7() is the protocolIdentifier of H.225.0 version 7, as the captured
// stack sends it.
func h2250v7() h225.ProtocolIdentifier { return h225.ProtocolIdentifier{0, 0, 8, 2250, 0, 7} }

func ip(a, b, c, d byte, port uint16) h225.TransportAddress {
	return h225.TransportAddress{Choice: h225.TransportAddressChoiceIPAddress,
		IPAddress: &h225.TransportAddressIPAddress{IP: []byte{a, b, c, d}, Port: port}}
}

func h323ID(s string) h225.AliasAddress {
	return h225.AliasAddress{Choice: h225.AliasAddressChoiceH323ID, H323ID: s}
}

func e164(s string) h225.AliasAddress {
	return h225.AliasAddress{Choice: h225.AliasAddressChoiceDialedDigits, DialedDigits: s}
}

func guid(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func callID() h225.CallIdentifier {
	return h225.CallIdentifier{GUID: guid("8035ae1608e4f111989602fc00000001")}
}

func confID() h225.ConferenceIdentifier {
	return h225.ConferenceIdentifier(guid("5f1e2d3c4b5a69788796a5b4c3d2e1f0"))
}

func vendor() h225.VendorIdentifier {
	return h225.VendorIdentifier{
		Vendor:    h225.H221NonStandard{T35CountryCode: 181, ManufacturerCode: 0x5359},
		ProductID: new([]byte("Switchyard")),
		VersionID: new([]byte("1.0")),
	}
}

func terminal() h225.EndpointType {
	return h225.EndpointType{Vendor: new(vendor()), Terminal: &h225.TerminalInfo{}}
}

func ras(m h225.RasMessage) *h225.RasMessage { return &m }

// withExtLen sets the extension bitmap length of the H323-UU-PDU, as the
// captured stack trims it.
func withExtLen(ui *h225.H323UserInformation, n int) *h225.H323UserInformation {
	ui.H323UuPdu.Ext.Len = n
	return ui
}

// encodeH245 encodes H.245 values for fastStart and h245Control elements.
func encodeH245(t *testing.T, vs ...interface{ Encode(*per.Encoder) error }) [][]byte {
	t.Helper()
	var out [][]byte
	for _, v := range vs {
		var e per.Encoder
		if err := v.Encode(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), e.Bytes()...))
	}
	return out
}

func fastStartOLC(channel h245.LogicalChannelNumber, reverse bool) *h245.OpenLogicalChannel {
	g711 := h245.DataType{Choice: h245.DataTypeChoiceAudioData,
		AudioData: &h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Ulaw64k, G711Ulaw64k: 20}}
	params := &h245.H2250LogicalChannelParameters{
		SessionID: 1,
		MediaControlChannel: &h245.TransportAddress{Choice: h245.TransportAddressChoiceUnicastAddress,
			UnicastAddress: &h245.UnicastAddress{Choice: h245.UnicastAddressChoiceIPAddress,
				IPAddress: &h245.UnicastAddressIPAddress{Network: []byte{192, 0, 2, 10}, TsapIdentifier: 40001}}},
	}
	olc := &h245.OpenLogicalChannel{ForwardLogicalChannelNumber: channel}
	if !reverse {
		olc.ForwardLogicalChannelParameters = h245.OpenLogicalChannelForwardLogicalChannelParameters{
			DataType: g711,
			MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
				Choice:                        h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
				H2250LogicalChannelParameters: params},
		}
		return olc
	}
	olc.ForwardLogicalChannelParameters = h245.OpenLogicalChannelForwardLogicalChannelParameters{
		DataType: h245.DataType{Choice: h245.DataTypeChoiceNullData},
		MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
			Choice: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceNone},
	}
	params.MediaChannel = &h245.TransportAddress{Choice: h245.TransportAddressChoiceUnicastAddress,
		UnicastAddress: &h245.UnicastAddress{Choice: h245.UnicastAddressChoiceIPAddress,
			IPAddress: &h245.UnicastAddressIPAddress{Network: []byte{192, 0, 2, 10}, TsapIdentifier: 40000}}}
	olc.ReverseLogicalChannelParameters = &h245.OpenLogicalChannelReverseLogicalChannelParameters{
		DataType: g711,
		MultiplexParameters: &h245.OpenLogicalChannelReverseLogicalChannelParametersMultiplexParameters{
			Choice:                        h245.OpenLogicalChannelReverseLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
			H2250LogicalChannelParameters: params},
	}
	return olc
}

func msd() *h245.MultimediaSystemControlMessage {
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceRequest,
		Request: &h245.RequestMessage{Choice: h245.RequestMessageChoiceMasterSlaveDetermination,
			MasterSlaveDetermination: &h245.MasterSlaveDetermination{TerminalType: 60, StatusDeterminationNumber: 12345}}}
}

func uu(body h225.H323UUPDUH323MessageBody, tunnel bool, control [][]byte) *h225.H323UserInformation {
	pdu := h225.H323UUPDU{H323MessageBody: body, H245Tunneling: new(tunnel)}
	if control != nil {
		pdu.H245Control = &control
	}
	return &h225.H323UserInformation{H323UuPdu: pdu}
}

// setupFastStart is a Setup with two fastStart proposals (G.711 transmit
// and receive), H.245 tunnelling and a tunnelled masterSlaveDetermination.
func setupFastStart(t *testing.T) *h225.H323UserInformation {
	fs := encodeH245(t, fastStartOLC(1, false), fastStartOLC(2, true))
	return uu(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceSetup,
		Setup: &h225.SetupUUIE{
			ProtocolIdentifier:      h2250v7(),
			SourceAddress:           new([]h225.AliasAddress{h323ID("gateway"), e164("1001")}),
			SourceInfo:              h225.EndpointType{Vendor: new(vendor()), Gateway: &h225.GatewayInfo{}},
			DestinationAddress:      new([]h225.AliasAddress{e164("2002")}),
			DestCallSignalAddress:   new(ip(192, 0, 2, 20, 1720)),
			ConferenceID:            confID(),
			ConferenceGoal:          h225.SetupUUIEConferenceGoal{Choice: h225.SetupUUIEConferenceGoalChoiceCreate},
			CallType:                h225.CallType{Choice: h225.CallTypeChoicePointToPoint},
			SourceCallSignalAddress: new(ip(192, 0, 2, 10, 1720)),
			CallIdentifier:          new(callID()),
			FastStart:               &fs,
			MediaWaitForConnect:     new(false),
			CanOverlapSend:          new(false),
			MultipleCalls:           new(false),
			MaintainConnection:      new(false),
		}}, true, encodeH245(t, msd()))
}

func h225Messages(t *testing.T) []struct {
	name string
	msg  interface {
		MarshalPER() ([]byte, error)
	}
	empty  func() interface{ UnmarshalPER([]byte) error }
	golden string
} {
	type tc = struct {
		name string
		msg  interface {
			MarshalPER() ([]byte, error)
		}
		empty  func() interface{ UnmarshalPER([]byte) error }
		golden string
	}
	newRAS := func() interface{ UnmarshalPER([]byte) error } { return new(h225.RasMessage) }
	newUU := func() interface{ UnmarshalPER([]byte) error } { return new(h225.H323UserInformation) }
	rasAddr := ip(192, 0, 2, 10, 1719)
	return []tc{
		{"GRQ", ras(h225.RasMessage{Choice: h225.RasMessageChoiceGatekeeperRequest, GatekeeperRequest: &h225.GatekeeperRequest{
			RequestSeqNum: 1, ProtocolIdentifier: h2250v7(), RasAddress: rasAddr, EndpointType: terminal(),
			EndpointAlias: new([]h225.AliasAddress{h323ID("gateway")}), SupportsAltGK: true}}), newRAS, ""},
		{"GCF", ras(h225.RasMessage{Choice: h225.RasMessageChoiceGatekeeperConfirm, GatekeeperConfirm: &h225.GatekeeperConfirm{
			RequestSeqNum: 28369, ProtocolIdentifier: h2250v7(), GatekeeperIdentifier: new(h225.GatekeeperIdentifier("TestGK")),
			RasAddress: ip(127, 0, 0, 1, 1719)}}), newRAS, "04806ed0060008914a00070a00540065007300740047004b007f00000106b7"},
		{"RRQ", ras(h225.RasMessage{Choice: h225.RasMessageChoiceRegistrationRequest, RegistrationRequest: &h225.RegistrationRequest{
			RequestSeqNum: 2, ProtocolIdentifier: h2250v7(), DiscoveryComplete: true,
			CallSignalAddress: []h225.TransportAddress{ip(192, 0, 2, 10, 1720)}, RasAddress: []h225.TransportAddress{rasAddr},
			TerminalType: terminal(), TerminalAlias: new([]h225.AliasAddress{h323ID("gateway"), e164("1001")}),
			GatekeeperIdentifier: new(h225.GatekeeperIdentifier("TestGK")), EndpointVendor: vendor(),
			TimeToLive: new(h225.TimeToLive(300)), KeepAlive: new(false), WillSupplyUUIEs: new(false),
			MaintainConnection: new(false), SupportsAltGK: true, MultipleCalls: new(true)}}), newRAS, ""},
		{"RCF", ras(h225.RasMessage{Choice: h225.RasMessageChoiceRegistrationConfirm, RegistrationConfirm: &h225.RegistrationConfirm{
			RequestSeqNum: 2, ProtocolIdentifier: h2250v7(), CallSignalAddress: []h225.TransportAddress{ip(192, 0, 2, 1, 1721)},
			TerminalAlias: new([]h225.AliasAddress{h323ID("gateway")}), GatekeeperIdentifier: new(h225.GatekeeperIdentifier("TestGK")),
			EndpointIdentifier: "1_endp", TimeToLive: new(h225.TimeToLive(300)), WillRespondToIRR: new(false),
			MaintainConnection: new(false)}}), newRAS, ""},
		{"ARQ", ras(h225.RasMessage{Choice: h225.RasMessageChoiceAdmissionRequest, AdmissionRequest: &h225.AdmissionRequest{
			RequestSeqNum: 3, CallType: h225.CallType{Choice: h225.CallTypeChoicePointToPoint},
			CallModel: &h225.CallModel{Choice: h225.CallModelChoiceGatekeeperRouted}, EndpointIdentifier: "1_endp",
			DestinationInfo: new([]h225.AliasAddress{e164("2002")}), SrcInfo: []h225.AliasAddress{h323ID("gateway"), e164("1001")},
			BandWidth: 1280, CallReferenceValue: 4242, ConferenceID: confID(), CallIdentifier: new(callID()),
			CanMapAlias: new(true), WillSupplyUUIEs: new(false)}}), newRAS, ""},
		{"ACF", ras(h225.RasMessage{Choice: h225.RasMessageChoiceAdmissionConfirm, AdmissionConfirm: &h225.AdmissionConfirm{
			RequestSeqNum: 3, BandWidth: 1280, CallModel: h225.CallModel{Choice: h225.CallModelChoiceGatekeeperRouted},
			DestCallSignalAddress: ip(192, 0, 2, 1, 1721), IrrFrequency: new(uint16(120)), WillRespondToIRR: new(false),
			UuiesRequested: &h225.UUIEsRequested{}}}), newRAS, ""},
		{"DRQ", ras(h225.RasMessage{Choice: h225.RasMessageChoiceDisengageRequest, DisengageRequest: &h225.DisengageRequest{
			RequestSeqNum: 4, EndpointIdentifier: "1_endp", ConferenceID: confID(), CallReferenceValue: 4242,
			DisengageReason: h225.DisengageReason{Choice: h225.DisengageReasonChoiceNormalDrop},
			CallIdentifier:  new(callID()), AnsweredCall: new(true)}}), newRAS, ""},
		{"DCF", ras(h225.RasMessage{Choice: h225.RasMessageChoiceDisengageConfirm,
			DisengageConfirm: &h225.DisengageConfirm{RequestSeqNum: 28372}}), newRAS, "406ed3"},
		{"URQ", ras(h225.RasMessage{Choice: h225.RasMessageChoiceUnregistrationRequest, UnregistrationRequest: &h225.UnregistrationRequest{
			RequestSeqNum: 28373, CallSignalAddress: []h225.TransportAddress{ip(127, 0, 0, 1, 1720)},
			EndpointAlias: new([]h225.AliasAddress{h323ID("bob"), e164("1001")}), EndpointIdentifier: new(h225.EndpointIdentifier("1707396457_endp")),
			GatekeeperIdentifier: new(h225.GatekeeperIdentifier("TestGK")), Ext: h225.Extensions{Len: 2}}}), newRAS,
			"1b406ed401007f00000106b80240020062006f0062018043341c0031003700300037003300390036003400350037005f0065006e0064007002800d0a00540065007300740047004b"},
		{"UCF", ras(h225.RasMessage{Choice: h225.RasMessageChoiceUnregistrationConfirm,
			UnregistrationConfirm: &h225.UnregistrationConfirm{RequestSeqNum: 28373}}), newRAS, "1c6ed4"},
		{"Setup with fastStart and h245Tunnelling", setupFastStart(t), newUU, ""},
		{"CallProceeding", uu(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceCallProceeding,
			CallProceeding: &h225.CallProceedingUUIE{ProtocolIdentifier: h2250v7(), DestinationInfo: terminal(),
				CallIdentifier: new(callID()), MultipleCalls: new(false), MaintainConnection: new(false)}}, true, nil), newUU, ""},
		{"Alerting", uu(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceAlerting,
			Alerting: &h225.AlertingUUIE{ProtocolIdentifier: h2250v7(), DestinationInfo: terminal(),
				CallIdentifier: new(callID()), MultipleCalls: new(false), MaintainConnection: new(false)}}, true, nil), newUU, ""},
		{"Connect with fastStart answer", uu(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceConnect,
			Connect: &h225.ConnectUUIE{ProtocolIdentifier: h2250v7(), DestinationInfo: terminal(), ConferenceID: confID(),
				CallIdentifier: new(callID()), FastStart: new(encodeH245(t, fastStartOLC(1, false))),
				MultipleCalls: new(false), MaintainConnection: new(false)}}, true, nil), newUU, ""},
		{"ReleaseComplete with endSessionCommand", withExtLen(uu(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceReleaseComplete,
			ReleaseComplete: &h225.ReleaseCompleteUUIE{ProtocolIdentifier: h2250v7(), CallIdentifier: new(callID()), Ext: h225.Extensions{Len: 1}}},
			true, [][]byte{{0x4a, 0x40}}), 3), newUU,
			"2580060008914a00070111008035ae1608e4f111989602fc0000000104c001800401024a40"},
		{"Facility startH245", withExtLen(uu(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceFacility,
			Facility: &h225.FacilityUUIE{ProtocolIdentifier: h2250v7(), Reason: h225.FacilityReason{Choice: h225.FacilityReasonChoiceStartH245},
				CallIdentifier: &h225.CallIdentifier{GUID: guid("3a02341e08e4f1119f3a02fc00000001")},
				H245Address:    new(ip(127, 0, 0, 1, 30008)), MultipleCalls: new(false), MaintainConnection: new(false),
				Ext: h225.Extensions{Len: 10}}}, false, nil), 2), newUU,
			"2680060008914a000781010013058011003a02341e08e4f1119f3a02fc0000000107007f00000175380100010002800100"},
	}
}

// TestMessagesRoundTrip builds the main RAS and call signalling messages,
// encodes them (comparing with the captured stack's bytes where there are
// some), decodes them and compares the values with reflect.DeepEqual.
func TestMessagesRoundTrip(t *testing.T) {
	for _, tc := range h225Messages(t) {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.msg.MarshalPER()
			if err != nil {
				t.Fatal(err)
			}
			if tc.golden != "" {
				want, _ := hex.DecodeString(tc.golden)
				if !bytes.Equal(b, want) {
					t.Errorf("encoding differs from the captured stack's\n got %x\nwant %x", b, want)
				}
			}
			got := tc.empty()
			if err := got.UnmarshalPER(b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.msg) {
				t.Errorf("decoded value differs\n got %+v\nwant %+v", got, tc.msg)
			}
			again, err := got.(interface{ MarshalPER() ([]byte, error) }).MarshalPER()
			if err != nil || !bytes.Equal(again, b) {
				t.Errorf("re-encoding differs (%v)", err)
			}
		})
	}
}

// TestFastStartElementsDecode checks that the OLCs inside the Setup's
// fastStart come back as the values that were put in.
func TestFastStartElementsDecode(t *testing.T) {
	b, err := setupFastStart(t).MarshalPER()
	if err != nil {
		t.Fatal(err)
	}
	var ui h225.H323UserInformation
	if err := ui.UnmarshalPER(b); err != nil {
		t.Fatal(err)
	}
	fs := *ui.H323UuPdu.H323MessageBody.Setup.FastStart
	for i, want := range []*h245.OpenLogicalChannel{fastStartOLC(1, false), fastStartOLC(2, true)} {
		var d per.Decoder
		d.Reset(fs[i])
		var got h245.OpenLogicalChannel
		if err := got.Decode(&d); err != nil {
			t.Fatalf("fastStart %d: %v", i, err)
		}
		if !reflect.DeepEqual(&got, want) {
			t.Errorf("fastStart %d: %+v, want %+v", i, got, *want)
		}
	}
}
