package caps

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/h245"
)

// RTP session IDs of H.225.0 logical channels: 1 audio, 2 video, 3 data.
// H.239 content channels use a session above 31; 32 is the first.
const (
	SessionAudio   uint8 = 1
	SessionVideo   uint8 = 2
	SessionData    uint8 = 3
	SessionContent uint8 = 32
)

// DefaultSession returns the session ID of a stream role.
func DefaultSession(r call.Role) uint8 {
	switch r {
	case call.RoleVideo:
		return SessionVideo
	case call.RoleContent:
		return SessionContent
	case call.RoleFECC:
		return SessionData
	}
	return SessionAudio
}

// OLC is an OpenLogicalChannel with H.225.0 (RTP) parameters.
type OLC struct {
	// Number is the forwardLogicalChannelNumber (1..65535).
	Number uint16
	// Reverse marks a fast start proposal for media the receiver of the
	// OLC would send: the forward parameters say nullData and the media
	// and addresses travel in reverseLogicalChannelParameters.
	Reverse bool
	// Media is the channel's format.
	Media Media
	// SessionID is the RTP session; 0 means DefaultSession of the media's
	// role.
	SessionID uint8
	// RTP is mediaChannel, where RTP is to be sent: left out when zero (an
	// OLC for media its sender transmits normally names only RTCP; a
	// reverse proposal names where its sender receives).
	RTP netip.AddrPort
	// RTCP is mediaControlChannel, where the OLC's sender receives RTCP
	// (for a reverse proposal: RTCP of the media it will receive).
	RTCP netip.AddrPort
	// PayloadType is dynamicRTPPayloadType (96..127), 0 when the format's
	// static payload type applies. H.264, G.722.1 and H.224 need one.
	PayloadType uint8
	// SilenceSuppression is sent for forward audio channels.
	SilenceSuppression bool
}

// sessionID returns the session of the channel.
func (o OLC) sessionID() uint8 {
	if o.SessionID != 0 {
		return o.SessionID
	}
	return DefaultSession(o.Media.Role())
}

// h2250 returns the H.225.0 logical channel parameters of the channel.
func (o OLC) h2250() (*h245.H2250LogicalChannelParameters, error) {
	p := &h245.H2250LogicalChannelParameters{SessionID: o.sessionID()}
	var err error
	if p.MediaChannel, err = optH245Address(o.RTP); err != nil {
		return nil, fmt.Errorf("mediaChannel: %w", err)
	}
	if p.MediaControlChannel, err = optH245Address(o.RTCP); err != nil {
		return nil, fmt.Errorf("mediaControlChannel: %w", err)
	}
	if o.Media.Format.IsAudio() && !o.Reverse {
		p.SilenceSuppression = new(o.SilenceSuppression)
	}
	if o.PayloadType != 0 {
		if o.PayloadType < 96 || o.PayloadType > 127 {
			return nil, fmt.Errorf("%w: dynamic RTP payload type %d (96..127)", ErrInvalid, o.PayloadType)
		}
		p.DynamicRTPPayloadType = new(o.PayloadType)
	}
	if o.Media.Format == FormatH264 {
		oid := oidH264PacketizationSingleNAL
		if o.Media.H264.PacketizationMode == 1 {
			oid = oidH264PacketizationNonInterleaved
		}
		rtp := h245.RTPPayloadType{PayloadDescriptor: h245.RTPPayloadTypePayloadDescriptor{
			Choice: h245.RTPPayloadTypePayloadDescriptorChoiceOID, OID: slices.Clone(oid),
		}}
		if o.PayloadType != 0 {
			rtp.PayloadType = new(o.PayloadType)
		}
		p.MediaPacketization = &h245.H2250LogicalChannelParametersMediaPacketization{
			Choice:         h245.H2250LogicalChannelParametersMediaPacketizationChoiceRTPPayloadType,
			RTPPayloadType: &rtp,
		}
	}
	return p, nil
}

// OpenLogicalChannel returns the H.245 OpenLogicalChannel, as sent in an
// H.245 request or a fastStart element.
func (o OLC) OpenLogicalChannel() (h245.OpenLogicalChannel, error) {
	if o.Number == 0 {
		return h245.OpenLogicalChannel{}, fmt.Errorf("%w: logical channel number 0", ErrInvalid)
	}
	dt, err := o.Media.DataType()
	if err != nil {
		return h245.OpenLogicalChannel{}, fmt.Errorf("logical channel %d: %w", o.Number, err)
	}
	p, err := o.h2250()
	if err != nil {
		return h245.OpenLogicalChannel{}, fmt.Errorf("logical channel %d: %w", o.Number, err)
	}
	olc := h245.OpenLogicalChannel{ForwardLogicalChannelNumber: h245.LogicalChannelNumber(o.Number)}
	if !o.Reverse {
		olc.ForwardLogicalChannelParameters = h245.OpenLogicalChannelForwardLogicalChannelParameters{
			DataType: dt,
			MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
				Choice:                        h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
				H2250LogicalChannelParameters: p,
			},
		}
		return olc, nil
	}
	olc.ForwardLogicalChannelParameters = h245.OpenLogicalChannelForwardLogicalChannelParameters{
		DataType: h245.DataType{Choice: h245.DataTypeChoiceNullData},
		MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
			Choice: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceNone,
		},
	}
	olc.ReverseLogicalChannelParameters = &h245.OpenLogicalChannelReverseLogicalChannelParameters{
		DataType: dt,
		MultiplexParameters: &h245.OpenLogicalChannelReverseLogicalChannelParametersMultiplexParameters{
			Choice:                        h245.OpenLogicalChannelReverseLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
			H2250LogicalChannelParameters: p,
		},
	}
	return olc, nil
}

// Message returns the openLogicalChannel request.
func (o OLC) Message() (h245.MultimediaSystemControlMessage, error) {
	olc, err := o.OpenLogicalChannel()
	if err != nil {
		return h245.MultimediaSystemControlMessage{}, err
	}
	return Request(h245.RequestMessage{Choice: h245.RequestMessageChoiceOpenLogicalChannel, OpenLogicalChannel: &olc}), nil
}

// ParseOLC returns the channel an OpenLogicalChannel opens. A channel
// whose forward data type is nullData and which has reverse parameters is
// a Reverse proposal. Media this package does not describe are
// ErrUnsupported (the returned OLC still has its Number).
func ParseOLC(olc *h245.OpenLogicalChannel) (OLC, error) {
	o := OLC{Number: uint16(olc.ForwardLogicalChannelNumber)}
	fwd := &olc.ForwardLogicalChannelParameters
	dt := &fwd.DataType
	var p *h245.H2250LogicalChannelParameters
	if dt.Choice == h245.DataTypeChoiceNullData && olc.ReverseLogicalChannelParameters != nil {
		rev := olc.ReverseLogicalChannelParameters
		o.Reverse = true
		dt = &rev.DataType
		if mp := rev.MultiplexParameters; mp != nil &&
			mp.Choice == h245.OpenLogicalChannelReverseLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters {
			p = mp.H2250LogicalChannelParameters
		}
	} else if fwd.MultiplexParameters.Choice == h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters {
		p = fwd.MultiplexParameters.H2250LogicalChannelParameters
	}
	m, err := ParseDataType(dt)
	if err != nil {
		return OLC{Number: o.Number}, fmt.Errorf("logical channel %d: %w", o.Number, err)
	}
	if p == nil {
		return OLC{Number: o.Number}, fmt.Errorf("%w: logical channel %d without H.225.0 parameters", ErrUnsupported, o.Number)
	}
	o.Media, o.SessionID = m, p.SessionID
	if o.RTP, err = parseOptH245Address(p.MediaChannel); err != nil {
		return OLC{Number: o.Number}, fmt.Errorf("logical channel %d mediaChannel: %w", o.Number, err)
	}
	if o.RTCP, err = parseOptH245Address(p.MediaControlChannel); err != nil {
		return OLC{Number: o.Number}, fmt.Errorf("logical channel %d mediaControlChannel: %w", o.Number, err)
	}
	if p.SilenceSuppression != nil {
		o.SilenceSuppression = *p.SilenceSuppression
	}
	if p.DynamicRTPPayloadType != nil {
		o.PayloadType = *p.DynamicRTPPayloadType
	}
	if mp := p.MediaPacketization; mp != nil && o.Media.Format == FormatH264 &&
		mp.Choice == h245.H2250LogicalChannelParametersMediaPacketizationChoiceRTPPayloadType && mp.RTPPayloadType != nil {
		d := &mp.RTPPayloadType.PayloadDescriptor
		if d.Choice == h245.RTPPayloadTypePayloadDescriptorChoiceOID && d.OID.Equal(oidH264PacketizationNonInterleaved) {
			o.Media.H264.PacketizationMode = 1
		}
		if o.PayloadType == 0 && mp.RTPPayloadType.PayloadType != nil {
			o.PayloadType = *mp.RTPPayloadType.PayloadType
		}
	}
	return o, nil
}

// Codec returns the call.Codec the channel carries, with its payload type.
func (o OLC) Codec() (call.Codec, error) {
	m := o.Media
	if o.PayloadType != 0 {
		m.PayloadType = o.PayloadType
	}
	return m.Codec()
}

// OLCAck is an OpenLogicalChannelAck with H.225.0 parameters: where the
// acknowledging terminal receives the channel's RTP and RTCP.
type OLCAck struct {
	// Number is the forwardLogicalChannelNumber acknowledged.
	Number      uint16
	SessionID   uint8
	RTP         netip.AddrPort
	RTCP        netip.AddrPort
	PayloadType uint8
}

// OpenLogicalChannelAck returns the H.245 OpenLogicalChannelAck.
func (a OLCAck) OpenLogicalChannelAck() (h245.OpenLogicalChannelAck, error) {
	if a.Number == 0 {
		return h245.OpenLogicalChannelAck{}, fmt.Errorf("%w: logical channel number 0", ErrInvalid)
	}
	p := &h245.H2250LogicalChannelAckParameters{FlowControlToZero: new(false)}
	if a.SessionID != 0 {
		p.SessionID = new(a.SessionID)
	}
	var err error
	if p.MediaChannel, err = optH245Address(a.RTP); err != nil {
		return h245.OpenLogicalChannelAck{}, fmt.Errorf("mediaChannel: %w", err)
	}
	if p.MediaControlChannel, err = optH245Address(a.RTCP); err != nil {
		return h245.OpenLogicalChannelAck{}, fmt.Errorf("mediaControlChannel: %w", err)
	}
	if a.PayloadType != 0 {
		if a.PayloadType < 96 || a.PayloadType > 127 {
			return h245.OpenLogicalChannelAck{}, fmt.Errorf("%w: dynamic RTP payload type %d (96..127)", ErrInvalid, a.PayloadType)
		}
		p.DynamicRTPPayloadType = new(a.PayloadType)
	}
	return h245.OpenLogicalChannelAck{
		ForwardLogicalChannelNumber: h245.LogicalChannelNumber(a.Number),
		ForwardMultiplexAckParameters: &h245.OpenLogicalChannelAckForwardMultiplexAckParameters{
			Choice:                           h245.OpenLogicalChannelAckForwardMultiplexAckParametersChoiceH2250LogicalChannelAckParameters,
			H2250LogicalChannelAckParameters: p,
		},
	}, nil
}

// Message returns the openLogicalChannelAck response.
func (a OLCAck) Message() (h245.MultimediaSystemControlMessage, error) {
	ack, err := a.OpenLogicalChannelAck()
	if err != nil {
		return h245.MultimediaSystemControlMessage{}, err
	}
	return Response(h245.ResponseMessage{Choice: h245.ResponseMessageChoiceOpenLogicalChannelAck, OpenLogicalChannelAck: &ack}), nil
}

// ParseOLCAck returns the addresses an OpenLogicalChannelAck gives.
func ParseOLCAck(ack *h245.OpenLogicalChannelAck) (OLCAck, error) {
	a := OLCAck{Number: uint16(ack.ForwardLogicalChannelNumber)}
	fm := ack.ForwardMultiplexAckParameters
	if fm == nil || fm.Choice != h245.OpenLogicalChannelAckForwardMultiplexAckParametersChoiceH2250LogicalChannelAckParameters ||
		fm.H2250LogicalChannelAckParameters == nil {
		return a, nil // an acknowledgement without addresses (a reverse-only channel)
	}
	p := fm.H2250LogicalChannelAckParameters
	if p.SessionID != nil {
		a.SessionID = *p.SessionID
	}
	var err error
	if a.RTP, err = parseOptH245Address(p.MediaChannel); err != nil {
		return OLCAck{}, fmt.Errorf("logical channel %d ack mediaChannel: %w", a.Number, err)
	}
	if a.RTCP, err = parseOptH245Address(p.MediaControlChannel); err != nil {
		return OLCAck{}, fmt.Errorf("logical channel %d ack mediaControlChannel: %w", a.Number, err)
	}
	if p.DynamicRTPPayloadType != nil {
		a.PayloadType = *p.DynamicRTPPayloadType
	}
	return a, nil
}

// OLCReject returns the openLogicalChannelReject of channel number with an
// unspecified cause.
func OLCReject(number uint16) h245.MultimediaSystemControlMessage {
	return Response(h245.ResponseMessage{
		Choice: h245.ResponseMessageChoiceOpenLogicalChannelReject,
		OpenLogicalChannelReject: &h245.OpenLogicalChannelReject{
			ForwardLogicalChannelNumber: h245.LogicalChannelNumber(number),
			Cause:                       h245.OpenLogicalChannelRejectCause{Choice: h245.OpenLogicalChannelRejectCauseChoiceUnspecified},
		},
	})
}

// CloseLogicalChannel returns the closeLogicalChannel request of channel
// number, closed by the user (the terminal), for an unknown reason.
func CloseLogicalChannel(number uint16) h245.MultimediaSystemControlMessage {
	return Request(h245.RequestMessage{
		Choice: h245.RequestMessageChoiceCloseLogicalChannel,
		CloseLogicalChannel: &h245.CloseLogicalChannel{
			ForwardLogicalChannelNumber: h245.LogicalChannelNumber(number),
			Source:                      h245.CloseLogicalChannelSource{Choice: h245.CloseLogicalChannelSourceChoiceUser},
			Reason:                      &h245.CloseLogicalChannelReason{Choice: h245.CloseLogicalChannelReasonChoiceUnknown},
		},
	})
}

// ParseCloseLogicalChannel returns the channel a closeLogicalChannel
// request closes, and false when msg is another message.
func ParseCloseLogicalChannel(msg *h245.MultimediaSystemControlMessage) (uint16, bool) {
	if msg.Choice != h245.MultimediaSystemControlMessageChoiceRequest || msg.Request == nil ||
		msg.Request.Choice != h245.RequestMessageChoiceCloseLogicalChannel || msg.Request.CloseLogicalChannel == nil {
		return 0, false
	}
	return uint16(msg.Request.CloseLogicalChannel.ForwardLogicalChannelNumber), true
}

// CloseLogicalChannelAck returns the closeLogicalChannelAck of channel
// number.
func CloseLogicalChannelAck(number uint16) h245.MultimediaSystemControlMessage {
	return Response(h245.ResponseMessage{
		Choice:                 h245.ResponseMessageChoiceCloseLogicalChannelAck,
		CloseLogicalChannelAck: &h245.CloseLogicalChannelAck{ForwardLogicalChannelNumber: h245.LogicalChannelNumber(number)},
	})
}
