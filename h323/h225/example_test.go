package h225_test

import (
	"fmt"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// Build a Setup with H.245 tunnelling and one fastStart proposal (an
// OpenLogicalChannel encoded with package h245), as the user-user
// information of a Q.931 SETUP.
func Example_setup() {
	olc := h245.OpenLogicalChannel{
		ForwardLogicalChannelNumber: 1,
		ForwardLogicalChannelParameters: h245.OpenLogicalChannelForwardLogicalChannelParameters{
			DataType: h245.DataType{Choice: h245.DataTypeChoiceAudioData,
				AudioData: &h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Alaw64k, G711Alaw64k: 20}},
			MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
				Choice:                        h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
				H2250LogicalChannelParameters: &h245.H2250LogicalChannelParameters{SessionID: 1},
			},
		},
	}
	var e per.Encoder
	if err := olc.Encode(&e); err != nil {
		fmt.Println(err)
		return
	}
	fastStart := [][]byte{append([]byte(nil), e.Bytes()...)}

	setup := h225.H323UserInformation{
		H323UuPdu: h225.H323UUPDU{
			H323MessageBody: h225.H323UUPDUH323MessageBody{
				Choice: h225.H323UUPDUH323MessageBodyChoiceSetup,
				Setup: &h225.SetupUUIE{
					ProtocolIdentifier: h225.ProtocolIdentifier{0, 0, 8, 2250, 0, 7},
					SourceAddress:      new([]h225.AliasAddress{{Choice: h225.AliasAddressChoiceH323ID, H323ID: "gateway"}}),
					SourceInfo:         h225.EndpointType{Gateway: &h225.GatewayInfo{}},
					DestinationAddress: new([]h225.AliasAddress{{Choice: h225.AliasAddressChoiceDialedDigits, DialedDigits: "2002"}}),
					ConferenceID:       make(h225.ConferenceIdentifier, 16),
					ConferenceGoal:     h225.SetupUUIEConferenceGoal{Choice: h225.SetupUUIEConferenceGoalChoiceCreate},
					CallType:           h225.CallType{Choice: h225.CallTypeChoicePointToPoint},
					// Extension additions are pointers; those that H.225.0
					// makes mandatory must be set.
					CallIdentifier:      &h225.CallIdentifier{GUID: make([]byte, 16)},
					FastStart:           &fastStart,
					MediaWaitForConnect: new(false),
					CanOverlapSend:      new(false),
					MultipleCalls:       new(false),
					MaintainConnection:  new(false),
				},
			},
			H245Tunneling: new(true),
		},
	}
	b, err := setup.MarshalPER()
	if err != nil {
		fmt.Println(err)
		return
	}
	var got h225.H323UserInformation
	if err := got.UnmarshalPER(b); err != nil {
		fmt.Println(err)
		return
	}
	s := got.H323UuPdu.H323MessageBody.Setup
	fmt.Println(got.H323UuPdu.H323MessageBody.Choice, (*s.SourceAddress)[0].H323ID, (*s.DestinationAddress)[0].DialedDigits,
		len(*s.FastStart), *got.H323UuPdu.H245Tunneling)
	// Output:
	// setup gateway 2002 1 true
}
