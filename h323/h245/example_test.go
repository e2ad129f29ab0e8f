package h245_test

import (
	"fmt"

	"github.com/switchyard/switchyard/h323/h245"
)

// Build an OpenLogicalChannel for G.711 µ-law with its RTCP address,
// encode it, and read it back.
func Example_openLogicalChannel() {
	msg := h245.MultimediaSystemControlMessage{
		Choice: h245.MultimediaSystemControlMessageChoiceRequest,
		Request: &h245.RequestMessage{
			Choice: h245.RequestMessageChoiceOpenLogicalChannel,
			OpenLogicalChannel: &h245.OpenLogicalChannel{
				ForwardLogicalChannelNumber: 1,
				ForwardLogicalChannelParameters: h245.OpenLogicalChannelForwardLogicalChannelParameters{
					DataType: h245.DataType{
						Choice:    h245.DataTypeChoiceAudioData,
						AudioData: &h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Ulaw64k, G711Ulaw64k: 20},
					},
					MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
						Choice: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
						H2250LogicalChannelParameters: &h245.H2250LogicalChannelParameters{
							SessionID: 1,
							MediaControlChannel: &h245.TransportAddress{
								Choice: h245.TransportAddressChoiceUnicastAddress,
								UnicastAddress: &h245.UnicastAddress{
									Choice:    h245.UnicastAddressChoiceIPAddress,
									IPAddress: &h245.UnicastAddressIPAddress{Network: []byte{192, 0, 2, 10}, TsapIdentifier: 40001},
								},
							},
						},
					},
				},
			},
		},
	}
	b, err := msg.MarshalPER()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x\n", b)

	var got h245.MultimediaSystemControlMessage
	if err := got.UnmarshalPER(b); err != nil {
		fmt.Println(err)
		return
	}
	olc := got.Request.OpenLogicalChannel
	fmt.Println(got.Choice, got.Request.Choice, olc.ForwardLogicalChannelNumber,
		olc.ForwardLogicalChannelParameters.DataType.AudioData.Choice)
	// Output:
	// 030000000c6013800a04000100c000020a9c41
	// request openLogicalChannel 1 g711Ulaw64k
}
