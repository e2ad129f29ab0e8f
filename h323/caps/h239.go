package caps

import (
	"fmt"

	"github.com/switchyard/switchyard/h323/h245"
)

// H239Kind is the subMessageIdentifier of an H.239 generic message.
type H239Kind uint8

// The H.239 messages (H.239 7.1 to 7.6). Flow control release and token
// requests are genericRequest, their answers genericResponse, the token
// release a genericCommand and the owner indication a genericIndication.
const (
	H239FlowControlReleaseRequest      H239Kind = 1
	H239FlowControlReleaseResponse     H239Kind = 2
	H239PresentationTokenRequest       H239Kind = 3
	H239PresentationTokenResponse      H239Kind = 4
	H239PresentationTokenRelease       H239Kind = 5
	H239PresentationTokenIndicateOwner H239Kind = 6
)

var h239Names = [...]string{
	H239FlowControlReleaseRequest: "flowControlReleaseRequest", H239FlowControlReleaseResponse: "flowControlReleaseResponse",
	H239PresentationTokenRequest: "presentationTokenRequest", H239PresentationTokenResponse: "presentationTokenResponse",
	H239PresentationTokenRelease: "presentationTokenRelease", H239PresentationTokenIndicateOwner: "presentationTokenIndicateOwner",
}

// String returns the H.239 name of the message.
func (k H239Kind) String() string {
	if k >= 1 && int(k) < len(h239Names) {
		return h239Names[k]
	}
	return fmt.Sprintf("H239Kind(%d)", uint8(k))
}

// H.239 generic parameter identifiers.
const (
	h239ParamBitRate          = 41
	h239ParamChannelID        = 42
	h239ParamSymmetryBreaking = 43
	h239ParamTerminalLabel    = 44
	h239ParamAcknowledge      = 126
	h239ParamReject           = 127
)

// H239 is one H.239 generic message (OID 0.0.8.239.2).
type H239 struct {
	Kind H239Kind
	// ChannelID is the logical channel of the content (channelId).
	ChannelID uint16
	// TerminalLabel identifies the terminal (terminalLabel), in token
	// messages.
	TerminalLabel uint16
	// SymmetryBreaking (1..127) settles simultaneous token requests.
	SymmetryBreaking uint8
	// BitRate is the flow control rate in units of 100 bit/s (bitRate),
	// in flow control messages; 0 leaves it out of a response.
	BitRate uint16
	// Reject answers a request negatively (reject instead of acknowledge),
	// in responses.
	Reject bool
}

// params returns the message's parameters in the order H.239 lists them.
func (h H239) params() ([]h245.GenericParameter, error) {
	var ps []h245.GenericParameter
	answer := func() {
		if h.Reject {
			ps = append(ps, paramLogical(h239ParamReject))
		} else {
			ps = append(ps, paramLogical(h239ParamAcknowledge))
		}
	}
	switch h.Kind {
	case H239FlowControlReleaseRequest:
		ps = append(ps, paramUnsignedMin(h239ParamChannelID, h.ChannelID), paramUnsignedMin(h239ParamBitRate, h.BitRate))
	case H239FlowControlReleaseResponse:
		answer()
		ps = append(ps, paramUnsignedMin(h239ParamChannelID, h.ChannelID))
		if h.BitRate != 0 {
			ps = append(ps, paramUnsignedMin(h239ParamBitRate, h.BitRate))
		}
	case H239PresentationTokenRequest:
		if h.SymmetryBreaking < 1 || h.SymmetryBreaking > 127 {
			return nil, fmt.Errorf("%w: H.239 symmetryBreaking %d (1..127)", ErrInvalid, h.SymmetryBreaking)
		}
		ps = append(ps, paramUnsignedMin(h239ParamTerminalLabel, h.TerminalLabel),
			paramUnsignedMin(h239ParamChannelID, h.ChannelID),
			paramUnsignedMin(h239ParamSymmetryBreaking, uint16(h.SymmetryBreaking)))
	case H239PresentationTokenResponse:
		answer()
		ps = append(ps, paramUnsignedMin(h239ParamTerminalLabel, h.TerminalLabel), paramUnsignedMin(h239ParamChannelID, h.ChannelID))
	case H239PresentationTokenRelease, H239PresentationTokenIndicateOwner:
		ps = append(ps, paramUnsignedMin(h239ParamTerminalLabel, h.TerminalLabel), paramUnsignedMin(h239ParamChannelID, h.ChannelID))
	default:
		return nil, fmt.Errorf("%w: H.239 message %v", ErrInvalid, h.Kind)
	}
	return ps, nil
}

// Message returns the H.239 message as the generic request, response,
// command or indication its kind calls for.
func (h H239) Message() (h245.MultimediaSystemControlMessage, error) {
	ps, err := h.params()
	if err != nil {
		return h245.MultimediaSystemControlMessage{}, err
	}
	g := &h245.GenericMessage{
		MessageIdentifier:    standardID(oidH239Message),
		SubMessageIdentifier: new(uint8(h.Kind)),
		MessageContent:       &ps,
	}
	switch h.Kind {
	case H239FlowControlReleaseRequest, H239PresentationTokenRequest:
		return Request(h245.RequestMessage{Choice: h245.RequestMessageChoiceGenericRequest, GenericRequest: g}), nil
	case H239FlowControlReleaseResponse, H239PresentationTokenResponse:
		return Response(h245.ResponseMessage{Choice: h245.ResponseMessageChoiceGenericResponse, GenericResponse: g}), nil
	case H239PresentationTokenRelease:
		return Command(h245.CommandMessage{Choice: h245.CommandMessageChoiceGenericCommand, GenericCommand: g}), nil
	}
	return Indication(h245.IndicationMessage{Choice: h245.IndicationMessageChoiceGenericIndication, GenericIndication: g}), nil
}

// genericMessage returns the generic message of msg, if it is one.
func genericMessage(msg *h245.MultimediaSystemControlMessage) *h245.GenericMessage {
	switch {
	case msg.Choice == h245.MultimediaSystemControlMessageChoiceRequest && msg.Request != nil &&
		msg.Request.Choice == h245.RequestMessageChoiceGenericRequest:
		return msg.Request.GenericRequest
	case msg.Choice == h245.MultimediaSystemControlMessageChoiceResponse && msg.Response != nil &&
		msg.Response.Choice == h245.ResponseMessageChoiceGenericResponse:
		return msg.Response.GenericResponse
	case msg.Choice == h245.MultimediaSystemControlMessageChoiceCommand && msg.Command != nil &&
		msg.Command.Choice == h245.CommandMessageChoiceGenericCommand:
		return msg.Command.GenericCommand
	case msg.Choice == h245.MultimediaSystemControlMessageChoiceIndication && msg.Indication != nil &&
		msg.Indication.Choice == h245.IndicationMessageChoiceGenericIndication:
		return msg.Indication.GenericIndication
	}
	return nil
}

// ParseH239 returns the H.239 message msg carries. A message that is not
// an H.239 generic message is ErrUnsupported; unknown parameters are
// ignored.
func ParseH239(msg *h245.MultimediaSystemControlMessage) (H239, error) {
	g := genericMessage(msg)
	if g == nil || !isStandard(&g.MessageIdentifier, oidH239Message) {
		return H239{}, fmt.Errorf("%w: not an H.239 message", ErrUnsupported)
	}
	if g.SubMessageIdentifier == nil {
		return H239{}, fmt.Errorf("%w: H.239 message without subMessageIdentifier", ErrInvalid)
	}
	h := H239{Kind: H239Kind(*g.SubMessageIdentifier)}
	if h.Kind < H239FlowControlReleaseRequest || h.Kind > H239PresentationTokenIndicateOwner {
		return H239{}, fmt.Errorf("%w: H.239 subMessageIdentifier %d", ErrUnsupported, h.Kind)
	}
	for _, p := range paramList(g.MessageContent) {
		id, ok := standardParam(&p)
		if !ok {
			continue
		}
		switch id {
		case h239ParamAcknowledge:
			h.Reject = false
			continue
		case h239ParamReject:
			h.Reject = true
			continue
		case h239ParamBitRate, h239ParamChannelID, h239ParamSymmetryBreaking, h239ParamTerminalLabel:
		default:
			continue
		}
		n, err := paramUint(&p)
		if err != nil {
			return H239{}, fmt.Errorf("H.239 %v parameter %d: %w", h.Kind, id, err)
		}
		v := uint16(min(n, 0xffff))
		switch id {
		case h239ParamBitRate:
			h.BitRate = v
		case h239ParamChannelID:
			h.ChannelID = v
		case h239ParamSymmetryBreaking:
			h.SymmetryBreaking = uint8(min(v, 255))
		case h239ParamTerminalLabel:
			h.TerminalLabel = v
		}
	}
	return h, nil
}
