package q931

import "fmt"

// CodingStandard is the coding standard field of several elements.
type CodingStandard uint8

// Coding standards.
const (
	CodingITUT            CodingStandard = 0
	CodingISO             CodingStandard = 1
	CodingNational        CodingStandard = 2
	CodingNetworkSpecific CodingStandard = 3
)

// Location says where a cause or progress indication was generated.
type Location uint8

// Locations (Q.931 4.5.12).
const (
	LocationUser                    Location = 0
	LocationPrivateLocal            Location = 1 // private network serving the local user
	LocationPublicLocal             Location = 2 // public network serving the local user
	LocationTransit                 Location = 3
	LocationPublicRemote            Location = 4 // public network serving the remote user
	LocationPrivateRemote           Location = 5 // private network serving the remote user
	LocationInternational           Location = 7
	LocationBeyondInterworkingPoint Location = 10
)

// CauseValue is a Q.931 cause value (7 bits).
type CauseValue uint8

// Cause values (Q.850).
const (
	CauseUnallocatedNumber              CauseValue = 1
	CauseNoRouteToNetwork               CauseValue = 2
	CauseNoRouteToDestination           CauseValue = 3
	CauseNormalClearing                 CauseValue = 16
	CauseUserBusy                       CauseValue = 17
	CauseNoUserResponding               CauseValue = 18
	CauseNoAnswer                       CauseValue = 19
	CauseSubscriberAbsent               CauseValue = 20
	CauseCallRejected                   CauseValue = 21
	CauseNumberChanged                  CauseValue = 22
	CauseDestinationOutOfOrder          CauseValue = 27
	CauseInvalidNumberFormat            CauseValue = 28
	CauseFacilityRejected               CauseValue = 29
	CauseNormalUnspecified              CauseValue = 31
	CauseNoCircuitAvailable             CauseValue = 34
	CauseNetworkOutOfOrder              CauseValue = 38
	CauseTemporaryFailure               CauseValue = 41
	CauseSwitchingEquipmentCongestion   CauseValue = 42
	CauseRequestedCircuitNotAvailable   CauseValue = 44
	CauseResourceUnavailable            CauseValue = 47
	CauseQualityOfServiceNotAvailable   CauseValue = 49
	CauseBearerCapabilityNotAuthorized  CauseValue = 57
	CauseBearerCapabilityNotAvailable   CauseValue = 58
	CauseServiceNotAvailable            CauseValue = 63
	CauseBearerCapabilityNotImplemented CauseValue = 65
	CauseFacilityNotImplemented         CauseValue = 69
	CauseServiceNotImplemented          CauseValue = 79
	CauseInvalidCallReference           CauseValue = 81
	CauseIncompatibleDestination        CauseValue = 88
	CauseInvalidMessage                 CauseValue = 95
	CauseMandatoryIEMissing             CauseValue = 96
	CauseMessageTypeNonexistent         CauseValue = 97
	CauseMessageNotCompatible           CauseValue = 98
	CauseIENonexistent                  CauseValue = 99
	CauseInvalidIEContents              CauseValue = 100
	CauseMessageNotCompatibleWithState  CauseValue = 101
	CauseRecoveryOnTimerExpiry          CauseValue = 102
	CauseProtocolError                  CauseValue = 111
	CauseInterworkingUnspecified        CauseValue = 127
)

// String returns the Q.850 name of the cause value.
func (v CauseValue) String() string {
	switch v {
	case CauseUnallocatedNumber:
		return "unallocated number"
	case CauseNoRouteToNetwork:
		return "no route to specified transit network"
	case CauseNoRouteToDestination:
		return "no route to destination"
	case CauseNormalClearing:
		return "normal call clearing"
	case CauseUserBusy:
		return "user busy"
	case CauseNoUserResponding:
		return "no user responding"
	case CauseNoAnswer:
		return "no answer from user"
	case CauseSubscriberAbsent:
		return "subscriber absent"
	case CauseCallRejected:
		return "call rejected"
	case CauseNumberChanged:
		return "number changed"
	case CauseDestinationOutOfOrder:
		return "destination out of order"
	case CauseInvalidNumberFormat:
		return "invalid number format"
	case CauseFacilityRejected:
		return "facility rejected"
	case CauseNormalUnspecified:
		return "normal, unspecified"
	case CauseNoCircuitAvailable:
		return "no circuit/channel available"
	case CauseNetworkOutOfOrder:
		return "network out of order"
	case CauseTemporaryFailure:
		return "temporary failure"
	case CauseSwitchingEquipmentCongestion:
		return "switching equipment congestion"
	case CauseRequestedCircuitNotAvailable:
		return "requested circuit/channel not available"
	case CauseResourceUnavailable:
		return "resource unavailable, unspecified"
	case CauseQualityOfServiceNotAvailable:
		return "quality of service not available"
	case CauseBearerCapabilityNotAuthorized:
		return "bearer capability not authorized"
	case CauseBearerCapabilityNotAvailable:
		return "bearer capability not presently available"
	case CauseServiceNotAvailable:
		return "service or option not available, unspecified"
	case CauseBearerCapabilityNotImplemented:
		return "bearer capability not implemented"
	case CauseFacilityNotImplemented:
		return "requested facility not implemented"
	case CauseServiceNotImplemented:
		return "service or option not implemented, unspecified"
	case CauseInvalidCallReference:
		return "invalid call reference value"
	case CauseIncompatibleDestination:
		return "incompatible destination"
	case CauseInvalidMessage:
		return "invalid message, unspecified"
	case CauseMandatoryIEMissing:
		return "mandatory information element is missing"
	case CauseMessageTypeNonexistent:
		return "message type non-existent or not implemented"
	case CauseMessageNotCompatible:
		return "message not compatible with call state or message type non-existent"
	case CauseIENonexistent:
		return "information element non-existent or not implemented"
	case CauseInvalidIEContents:
		return "invalid information element contents"
	case CauseMessageNotCompatibleWithState:
		return "message not compatible with call state"
	case CauseRecoveryOnTimerExpiry:
		return "recovery on timer expiry"
	case CauseProtocolError:
		return "protocol error, unspecified"
	case CauseInterworkingUnspecified:
		return "interworking, unspecified"
	}
	return fmt.Sprintf("cause %d", uint8(v))
}

// Cause is the Cause element (0x08).
type Cause struct {
	CodingStandard CodingStandard
	Location       Location
	// Recommendation is octet 3a, present when HasRecommendation.
	HasRecommendation bool
	Recommendation    uint8
	Value             CauseValue
	// Diagnostics are the octets after the cause value, if any.
	Diagnostics []byte
}

// ParseCause decodes the contents of a Cause element.
func ParseCause(data []byte) (Cause, error) {
	var c Cause
	if len(data) < 2 {
		return c, fmt.Errorf("%w: cause of %d bytes", ErrInvalidIE, len(data))
	}
	c.CodingStandard = CodingStandard(data[0] >> 5 & 0x03)
	c.Location = Location(data[0] & 0x0f)
	i := 1
	if data[0]&0x80 == 0 {
		c.HasRecommendation = true
		c.Recommendation = data[1] & 0x7f
		if data[1]&0x80 == 0 {
			return c, fmt.Errorf("%w: cause octet 3a not last in its group", ErrInvalidIE)
		}
		i = 2
	}
	if i >= len(data) {
		return c, fmt.Errorf("%w: cause without value", ErrInvalidIE)
	}
	if data[i]&0x80 == 0 {
		return c, fmt.Errorf("%w: cause value octet without extension bit", ErrInvalidIE)
	}
	c.Value = CauseValue(data[i] & 0x7f)
	if i+1 < len(data) {
		c.Diagnostics = data[i+1:]
	}
	return c, nil
}

// IE encodes the Cause element.
func (c Cause) IE() (IE, error) {
	if c.CodingStandard > 3 || c.Location > 0x0f || c.Recommendation > 0x7f || c.Value > 0x7f {
		return IE{}, fmt.Errorf("%w: cause field out of range: %+v", ErrInvalidIE, c)
	}
	if len(c.Diagnostics) > 0xff-3 {
		return IE{}, fmt.Errorf("%w: cause diagnostics of %d bytes", ErrTooLong, len(c.Diagnostics))
	}
	b := make([]byte, 0, 3+len(c.Diagnostics))
	o3 := byte(c.CodingStandard)<<5 | byte(c.Location)
	if c.HasRecommendation {
		b = append(b, o3, 0x80|c.Recommendation)
	} else {
		b = append(b, 0x80|o3)
	}
	b = append(b, 0x80|byte(c.Value))
	b = append(b, c.Diagnostics...)
	return IE{ID: IECause, Data: b}, nil
}

// String formats the cause for logs.
func (c Cause) String() string {
	return fmt.Sprintf("%s (%d), location %d", c.Value, uint8(c.Value), uint8(c.Location))
}

// Cause returns the message's Cause element.
func (m *Message) Cause() (Cause, error) {
	d, err := m.data(IECause)
	if err != nil {
		return Cause{}, err
	}
	return ParseCause(d)
}

// SetCause sets the message's Cause element.
func (m *Message) SetCause(c Cause) error {
	ie, err := c.IE()
	if err != nil {
		return err
	}
	m.Set(ie)
	return nil
}
