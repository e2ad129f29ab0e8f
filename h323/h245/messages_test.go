package h245_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// h239Message is the H.239 generic message identifier {itu-t(0)
// recommendation(0) h(8) 239 generic-message(2)}.
func h239Message() per.OID { return per.OID{0, 0, 8, 239, 2} }

func request(r h245.RequestMessage) *h245.MultimediaSystemControlMessage {
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceRequest, Request: &r}
}

func response(r h245.ResponseMessage) *h245.MultimediaSystemControlMessage {
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceResponse, Response: &r}
}

func command(c h245.CommandMessage) *h245.MultimediaSystemControlMessage {
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceCommand, Command: &c}
}

func indication(i h245.IndicationMessage) *h245.MultimediaSystemControlMessage {
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceIndication, Indication: &i}
}

func unsignedMin(id uint8, v uint16) h245.GenericParameter {
	return h245.GenericParameter{
		ParameterIdentifier: h245.ParameterIdentifier{Choice: h245.ParameterIdentifierChoiceStandard, Standard: id},
		ParameterValue:      h245.ParameterValue{Choice: h245.ParameterValueChoiceUnsignedMin, UnsignedMin: v},
	}
}

func logical(id uint8) h245.GenericParameter {
	return h245.GenericParameter{
		ParameterIdentifier: h245.ParameterIdentifier{Choice: h245.ParameterIdentifierChoiceStandard, Standard: id},
		ParameterValue:      h245.ParameterValue{Choice: h245.ParameterValueChoiceLogical},
	}
}

// h239Generic builds an H.239 generic message: sub-message sub with the
// given parameters.
func h239Generic(sub uint8, params ...h245.GenericParameter) *h245.GenericMessage {
	return &h245.GenericMessage{
		MessageIdentifier:    h245.CapabilityIdentifier{Choice: h245.CapabilityIdentifierChoiceStandard, Standard: h239Message()},
		SubMessageIdentifier: new(sub),
		MessageContent:       new(params),
	}
}

func ipv4(a, b, c, d byte, port uint16) *h245.TransportAddress {
	return &h245.TransportAddress{
		Choice: h245.TransportAddressChoiceUnicastAddress,
		UnicastAddress: &h245.UnicastAddress{
			Choice:    h245.UnicastAddressChoiceIPAddress,
			IPAddress: &h245.UnicastAddressIPAddress{Network: []byte{a, b, c, d}, TsapIdentifier: port},
		},
	}
}

func audioCap(c h245.AudioCapability) *h245.Capability {
	return &h245.Capability{Choice: h245.CapabilityChoiceReceiveAudioCapability, ReceiveAudioCapability: &c}
}

func videoCap(c h245.VideoCapability) *h245.Capability {
	return &h245.Capability{Choice: h245.CapabilityChoiceReceiveVideoCapability, ReceiveVideoCapability: &c}
}

func genericCap(oid per.OID, maxBitRate uint32, params ...h245.GenericParameter) *h245.GenericCapability {
	g := &h245.GenericCapability{
		CapabilityIdentifier: h245.CapabilityIdentifier{Choice: h245.CapabilityIdentifierChoiceStandard, Standard: oid},
		MaxBitRate:           new(maxBitRate),
	}
	if len(params) > 0 {
		g.Collapsing = new(params)
	}
	return g
}

// terminalCapabilitySet builds a TCS with 20 capabilities: audio codecs,
// H.261, H.263, H.264, H.239 extended video, H.224 FECC, user input and
// RFC 4733 telephone events.
func terminalCapabilitySet() *h245.MultimediaSystemControlMessage {
	caps := []*h245.Capability{
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Alaw64k, G711Alaw64k: 20}),
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Ulaw64k, G711Ulaw64k: 20}),
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG72264k, G72264k: 20}),
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG7231, G7231: &h245.AudioCapabilityG7231{MaxAlSduAudioFrames: 4, SilenceSuppression: true}}),
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG729, G729: 2}),
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG729AnnexA, G729AnnexA: 2}),
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG728, G728: 20}),
		// G.722.1 (generic audio, 24 kbit/s)
		audioCap(h245.AudioCapability{Choice: h245.AudioCapabilityChoiceGenericAudioCapability,
			GenericAudioCapability: genericCap(per.OID{0, 0, 7, 7221, 1, 0}, 240, unsignedMin(1, 1))}),
		videoCap(h245.VideoCapability{Choice: h245.VideoCapabilityChoiceH261VideoCapability,
			H261VideoCapability: &h245.H261VideoCapability{QcifMPI: new(uint8(1)), CifMPI: new(uint8(1)), MaxBitRate: 3840}}),
		videoCap(h245.VideoCapability{Choice: h245.VideoCapabilityChoiceH263VideoCapability,
			H263VideoCapability: &h245.H263VideoCapability{QcifMPI: new(uint8(1)), CifMPI: new(uint8(1)), MaxBitRate: 3840,
				ErrorCompensation: new(false)}}),
		// H.264 baseline, level 3.1
		videoCap(h245.VideoCapability{Choice: h245.VideoCapabilityChoiceGenericVideoCapability,
			GenericVideoCapability: genericCap(per.OID{0, 0, 8, 241, 0, 0, 1}, 19200, unsignedMin(41, 64), unsignedMin(42, 71))}),
		// H.239 content channel: extendedVideoCapability with H.263 and the role label
		videoCap(h245.VideoCapability{Choice: h245.VideoCapabilityChoiceExtendedVideoCapability,
			ExtendedVideoCapability: &h245.ExtendedVideoCapability{
				VideoCapability: []h245.VideoCapability{{Choice: h245.VideoCapabilityChoiceH263VideoCapability,
					H263VideoCapability: &h245.H263VideoCapability{CifMPI: new(uint8(1)), MaxBitRate: 3840}}},
				VideoCapabilityExtension: new([]h245.GenericCapability{*genericCap(per.OID{0, 0, 8, 239, 1, 1}, 0)}),
			}}),
		// H.239 control capability
		{Choice: h245.CapabilityChoiceGenericControlCapability, GenericControlCapability: genericCap(per.OID{0, 0, 8, 239, 1, 1}, 0)},
		// H.224 (far-end camera control) over an HDLC-framed data channel
		{Choice: h245.CapabilityChoiceReceiveAndTransmitDataApplicationCapability,
			ReceiveAndTransmitDataApplicationCapability: &h245.DataApplicationCapability{
				Application: h245.DataApplicationCapabilityApplication{Choice: h245.DataApplicationCapabilityApplicationChoiceH224,
					H224: &h245.DataProtocolCapability{Choice: h245.DataProtocolCapabilityChoiceHdlcFrameTunnelling}},
				MaxBitRate: 48}},
		{Choice: h245.CapabilityChoiceReceiveUserInputCapability,
			ReceiveUserInputCapability: &h245.UserInputCapability{Choice: h245.UserInputCapabilityChoiceBasicString}},
		{Choice: h245.CapabilityChoiceReceiveUserInputCapability,
			ReceiveUserInputCapability: &h245.UserInputCapability{Choice: h245.UserInputCapabilityChoiceDTMF}},
		{Choice: h245.CapabilityChoiceTransmitUserInputCapability,
			TransmitUserInputCapability: &h245.UserInputCapability{Choice: h245.UserInputCapabilityChoiceHookflash}},
		{Choice: h245.CapabilityChoiceReceiveAndTransmitUserInputCapability,
			ReceiveAndTransmitUserInputCapability: &h245.UserInputCapability{Choice: h245.UserInputCapabilityChoiceIA5String}},
		{Choice: h245.CapabilityChoiceReceiveRTPAudioTelephonyEventCapability,
			ReceiveRTPAudioTelephonyEventCapability: &h245.AudioTelephonyEventCapability{DynamicRTPPayloadType: 101, AudioTelephoneEvent: "0-16"}},
		{Choice: h245.CapabilityChoiceConferenceCapability,
			ConferenceCapability: &h245.ConferenceCapability{ChairControlCapability: false}},
	}
	var table []h245.CapabilityTableEntry
	var audio, video, other h245.AlternativeCapabilitySet
	for i, c := range caps {
		n := h245.CapabilityTableEntryNumber(i + 1)
		table = append(table, h245.CapabilityTableEntry{CapabilityTableEntryNumber: n, Capability: c})
		switch {
		case i < 8:
			audio = append(audio, n)
		case i < 11:
			video = append(video, n)
		default:
			other = append(other, n)
		}
	}
	noMulti := h245.MultipointCapability{MediaDistributionCapability: []h245.MediaDistributionCapability{{}}}
	return request(h245.RequestMessage{Choice: h245.RequestMessageChoiceTerminalCapabilitySet,
		TerminalCapabilitySet: &h245.TerminalCapabilitySet{
			SequenceNumber:     1,
			ProtocolIdentifier: per.OID{0, 0, 8, 245, 0, 17},
			MultiplexCapability: &h245.MultiplexCapability{Choice: h245.MultiplexCapabilityChoiceH2250Capability,
				H2250Capability: &h245.H2250Capability{
					MaximumAudioDelayJitter:                250,
					ReceiveMultipointCapability:            noMulti,
					TransmitMultipointCapability:           noMulti,
					ReceiveAndTransmitMultipointCapability: noMulti,
					MediaPacketizationCapability:           h245.MediaPacketizationCapability{H261aVideoPacketization: false},
				}},
			CapabilityTable: &table,
			CapabilityDescriptors: new([]h245.CapabilityDescriptor{{
				CapabilityDescriptorNumber: 0,
				SimultaneousCapabilities:   new([]h245.AlternativeCapabilitySet{audio, video, other}),
			}}),
		}})
}

func openLogicalChannelG711() *h245.MultimediaSystemControlMessage {
	return request(h245.RequestMessage{Choice: h245.RequestMessageChoiceOpenLogicalChannel,
		OpenLogicalChannel: &h245.OpenLogicalChannel{
			ForwardLogicalChannelNumber: 101,
			ForwardLogicalChannelParameters: h245.OpenLogicalChannelForwardLogicalChannelParameters{
				DataType: h245.DataType{Choice: h245.DataTypeChoiceAudioData,
					AudioData: &h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Alaw64k, G711Alaw64k: 20}},
				MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
					Choice: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
					H2250LogicalChannelParameters: &h245.H2250LogicalChannelParameters{
						SessionID:               1,
						MediaGuaranteedDelivery: new(false),
						MediaControlChannel:     ipv4(127, 0, 0, 1, 40003),
						SilenceSuppression:      new(false),
					},
				},
			},
		}})
}

// testMessages are the H.245 messages a gateway sends and receives. Where
// the captured H323Plus stack sent the same message, golden is its
// encoding (hex); Ext.Len mirrors that stack's trimmed extension bitmaps.
func testMessages() []struct {
	name   string
	msg    *h245.MultimediaSystemControlMessage
	golden string
} {
	return []struct {
		name   string
		msg    *h245.MultimediaSystemControlMessage
		golden string
	}{
		{"terminalCapabilitySet", terminalCapabilitySet(), ""},
		{"terminalCapabilitySetAck", response(h245.ResponseMessage{Choice: h245.ResponseMessageChoiceTerminalCapabilitySetAck,
			TerminalCapabilitySetAck: &h245.TerminalCapabilitySetAck{SequenceNumber: 1}}), "218001"},
		{"masterSlaveDetermination", request(h245.RequestMessage{Choice: h245.RequestMessageChoiceMasterSlaveDetermination,
			MasterSlaveDetermination: &h245.MasterSlaveDetermination{TerminalType: 50, StatusDeterminationNumber: 16440986}}), "01003280fade9a"},
		{"masterSlaveDeterminationAck", response(h245.ResponseMessage{Choice: h245.ResponseMessageChoiceMasterSlaveDeterminationAck,
			MasterSlaveDeterminationAck: &h245.MasterSlaveDeterminationAck{
				Decision: h245.MasterSlaveDeterminationAckDecision{Choice: h245.MasterSlaveDeterminationAckDecisionChoiceSlave}}}), "20a0"},
		{"openLogicalChannel", openLogicalChannelG711(), ""},
		{"openLogicalChannelAck", response(h245.ResponseMessage{Choice: h245.ResponseMessageChoiceOpenLogicalChannelAck,
			OpenLogicalChannelAck: &h245.OpenLogicalChannelAck{
				ForwardLogicalChannelNumber: 101,
				ForwardMultiplexAckParameters: &h245.OpenLogicalChannelAckForwardMultiplexAckParameters{
					Choice: h245.OpenLogicalChannelAckForwardMultiplexAckParametersChoiceH2250LogicalChannelAckParameters,
					H2250LogicalChannelAckParameters: &h245.H2250LogicalChannelAckParameters{
						SessionID:           new(uint8(1)),
						MediaChannel:        ipv4(127, 0, 0, 1, 40002),
						MediaControlChannel: ipv4(127, 0, 0, 1, 40003),
						FlowControlToZero:   new(false),
						Ext:                 h245.Extensions{Len: 1},
					}},
				Ext: h245.Extensions{Len: 2},
			}}), "22c000640280135c00007f0000019c42007f0000019c43010100"},
		{"closeLogicalChannel", request(h245.RequestMessage{Choice: h245.RequestMessageChoiceCloseLogicalChannel,
			CloseLogicalChannel: &h245.CloseLogicalChannel{ForwardLogicalChannelNumber: 101,
				Source: h245.CloseLogicalChannelSource{Choice: h245.CloseLogicalChannelSourceChoiceUser},
				Reason: &h245.CloseLogicalChannelReason{Choice: h245.CloseLogicalChannelReasonChoiceUnknown}}}), ""},
		{"closeLogicalChannelAck", response(h245.ResponseMessage{Choice: h245.ResponseMessageChoiceCloseLogicalChannelAck,
			CloseLogicalChannelAck: &h245.CloseLogicalChannelAck{ForwardLogicalChannelNumber: 101}}), ""},
		{"userInputIndication alphanumeric", indication(h245.IndicationMessage{Choice: h245.IndicationMessageChoiceUserInput,
			UserInput: &h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceAlphanumeric, Alphanumeric: "1"}}), "6d400131"},
		{"userInputIndication signal", indication(h245.IndicationMessage{Choice: h245.IndicationMessageChoiceUserInput,
			UserInput: &h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceSignal,
				Signal: &h245.UserInputIndicationSignal{SignalType: "#", Duration: new(uint16(250))}}}), ""},
		{"videoFastUpdatePicture", command(h245.CommandMessage{Choice: h245.CommandMessageChoiceMiscellaneousCommand,
			MiscellaneousCommand: &h245.MiscellaneousCommand{LogicalChannelNumber: 102,
				Type: h245.MiscellaneousCommandType{Choice: h245.MiscellaneousCommandTypeChoiceVideoFastUpdatePicture}}}), "4c006528"},
		// H.239 presentationTokenRequest: terminalLabel(44), channelId(42), symmetryBreaking(43)
		{"genericRequest H.239 presentationTokenRequest", request(h245.RequestMessage{Choice: h245.RequestMessageChoiceGenericRequest,
			GenericRequest: h239Generic(3, unsignedMin(44, 0), unsignedMin(42, 104), unsignedMin(43, 6))}),
			"10801560050008816f02060302c2000002a2006802b20006"},
		// presentationTokenResponse: acknowledge(126), terminalLabel, channelId
		{"genericResponse H.239 presentationTokenResponse", response(h245.ResponseMessage{Choice: h245.ResponseMessageChoiceGenericResponse,
			GenericResponse: h239Generic(4, logical(126), unsignedMin(44, 0), unsignedMin(42, 104))}),
			"30a01360050008816f02080307e002c2000002a20068"},
		// presentationTokenIndicateOwner: terminalLabel, channelId
		{"genericIndication H.239 presentationTokenIndicateOwner", indication(h245.IndicationMessage{Choice: h245.IndicationMessageChoiceGenericIndication,
			GenericIndication: h239Generic(6, unsignedMin(44, 0), unsignedMin(42, 104))}),
			"71201160050008816f020c0202c2000002a20068"},
		{"endSessionCommand", command(h245.CommandMessage{Choice: h245.CommandMessageChoiceEndSessionCommand,
			EndSessionCommand: &h245.EndSessionCommand{Choice: h245.EndSessionCommandChoiceDisconnect}}), "4a40"},
	}
}

// TestMessagesRoundTrip builds each message, encodes it (comparing with
// the captured stack's bytes where there are some), decodes it and
// compares the values with reflect.DeepEqual.
func TestMessagesRoundTrip(t *testing.T) {
	for _, tc := range testMessages() {
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
			var got h245.MultimediaSystemControlMessage
			if err := got.UnmarshalPER(b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&got, tc.msg) {
				t.Errorf("decoded value differs\n got %+v\nwant %+v", got, *tc.msg)
			}
			again, err := got.MarshalPER()
			if err != nil || !bytes.Equal(again, b) {
				t.Errorf("re-encoding differs (%v)", err)
			}
		})
	}
}

// TestEncodeErrors checks that values outside their constraints or with
// an unset CHOICE are refused with per.ErrConstraint.
func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  *h245.MultimediaSystemControlMessage
	}{
		{"no alternative", &h245.MultimediaSystemControlMessage{}},
		{"alternative without value", &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceRequest}},
		{"channel number 0", request(h245.RequestMessage{Choice: h245.RequestMessageChoiceCloseLogicalChannel,
			CloseLogicalChannel: &h245.CloseLogicalChannel{Source: h245.CloseLogicalChannelSource{Choice: h245.CloseLogicalChannelSourceChoiceUser}}})},
		{"signal type outside alphabet", indication(h245.IndicationMessage{Choice: h245.IndicationMessageChoiceUserInput,
			UserInput: &h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceSignal,
				Signal: &h245.UserInputIndicationSignal{SignalType: "x"}}})},
		{"signal type too long", indication(h245.IndicationMessage{Choice: h245.IndicationMessageChoiceUserInput,
			UserInput: &h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceSignal,
				Signal: &h245.UserInputIndicationSignal{SignalType: "12"}}})},
		{"empty capability table", request(h245.RequestMessage{Choice: h245.RequestMessageChoiceTerminalCapabilitySet,
			TerminalCapabilitySet: &h245.TerminalCapabilitySet{ProtocolIdentifier: per.OID{0, 0, 8, 245, 0, 17},
				CapabilityTable: new([]h245.CapabilityTableEntry{})}})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.msg.MarshalPER()
			if err == nil {
				t.Fatal("encoded")
			}
			if !errors.Is(err, per.ErrConstraint) {
				t.Errorf("error %v does not wrap per.ErrConstraint", err)
			}
		})
	}
}
