package q931

import "fmt"

// IEID is an information element identifier. For a single-octet element
// it is the whole octet (the high bit set), contents included: a
// non-locking shift to codeset 6 is IEID(0x9e).
type IEID uint8

// Information element identifiers of codeset 0.
const (
	// Single-octet elements.
	IEShift           IEID = 0x90 // low nibble: bit 4 non-locking, bits 3-1 codeset
	IEMoreData        IEID = 0xa0
	IESendingComplete IEID = 0xa1
	IECongestionLevel IEID = 0xb0 // low nibble: level
	IERepeatIndicator IEID = 0xd0 // low nibble: indication

	// Variable-length elements.
	IESegmented                 IEID = 0x00
	IEBearerCapability          IEID = 0x04
	IECause                     IEID = 0x08
	IECallIdentity              IEID = 0x10
	IECallState                 IEID = 0x14
	IEChannelIdentification     IEID = 0x18
	IEFacility                  IEID = 0x1c
	IEProgressIndicator         IEID = 0x1e
	IENetworkSpecificFacilities IEID = 0x20
	IENotificationIndicator     IEID = 0x27
	IEDisplay                   IEID = 0x28
	IEDateTime                  IEID = 0x29
	IEKeypadFacility            IEID = 0x2c
	IESignal                    IEID = 0x34
	IEInformationRate           IEID = 0x40
	IEConnectedNumber           IEID = 0x4c
	IECallingPartyNumber        IEID = 0x6c
	IECallingPartySubaddress    IEID = 0x6d
	IECalledPartyNumber         IEID = 0x70
	IECalledPartySubaddress     IEID = 0x71
	IERedirectingNumber         IEID = 0x74
	IETransitNetworkSelection   IEID = 0x78
	IERestartIndicator          IEID = 0x79
	IELowLayerCompatibility     IEID = 0x7c
	IEHighLayerCompatibility    IEID = 0x7d
	IEUserUser                  IEID = 0x7e
)

// SingleOctet reports whether the identifier is a single-octet element.
func (id IEID) SingleOctet() bool { return id&0x80 != 0 }

// String names the element (codeset 0 meaning).
func (id IEID) String() string {
	if s, ok := ieName(id); ok {
		return s
	}
	switch id & 0xf0 {
	case IEShift:
		if id&0x08 != 0 {
			return fmt.Sprintf("NonLockingShift(%d)", id&0x07)
		}
		return fmt.Sprintf("LockingShift(%d)", id&0x07)
	case IECongestionLevel:
		return fmt.Sprintf("CongestionLevel(%d)", id&0x0f)
	case IERepeatIndicator:
		return fmt.Sprintf("RepeatIndicator(%d)", id&0x0f)
	}
	return fmt.Sprintf("IE(%#02x)", uint8(id))
}

// IE is one information element as it appears in a message.
type IE struct {
	// ID identifies the element; for a single-octet element it is the
	// whole octet.
	ID IEID
	// Codeset is the codeset the element was decoded in (0 unless a shift
	// element preceded it). Marshal does not read it: it follows the
	// shift elements in the message.
	Codeset uint8
	// Data holds the contents after the length field (nil for a
	// single-octet element). After Unmarshal it aliases the input.
	Data []byte
}

// String formats the element for logs.
func (ie IE) String() string {
	if ie.Codeset != 0 {
		return fmt.Sprintf("codeset%d/IE(%#02x)[%d]", ie.Codeset, uint8(ie.ID), len(ie.Data))
	}
	if ie.ID.SingleOctet() {
		return ie.ID.String()
	}
	return fmt.Sprintf("%s[%d]", ie.ID, len(ie.Data))
}

// maxLen is the largest content length of the element in its codeset:
// the User-user element of codeset 0 has a two-octet length in H.225.0.
func maxLen(id IEID, codeset uint8) int {
	if id == IEUserUser && codeset == 0 {
		return 0xffff
	}
	return 0xff
}

// Shift returns a shift element to codeset (1-7); a non-locking shift
// applies to the next element only.
func Shift(codeset uint8, locking bool) IE {
	id := IEShift | IEID(codeset&0x07)
	if !locking {
		id |= 0x08
	}
	return IE{ID: id}
}

func ieName(id IEID) (string, bool) {
	switch id {
	case IEMoreData:
		return "MoreData", true
	case IESendingComplete:
		return "SendingComplete", true
	case IESegmented:
		return "SegmentedMessage", true
	case IEBearerCapability:
		return "BearerCapability", true
	case IECause:
		return "Cause", true
	case IECallIdentity:
		return "CallIdentity", true
	case IECallState:
		return "CallState", true
	case IEChannelIdentification:
		return "ChannelIdentification", true
	case IEFacility:
		return "Facility", true
	case IEProgressIndicator:
		return "ProgressIndicator", true
	case IENetworkSpecificFacilities:
		return "NetworkSpecificFacilities", true
	case IENotificationIndicator:
		return "NotificationIndicator", true
	case IEDisplay:
		return "Display", true
	case IEDateTime:
		return "DateTime", true
	case IEKeypadFacility:
		return "KeypadFacility", true
	case IESignal:
		return "Signal", true
	case IEInformationRate:
		return "InformationRate", true
	case IEConnectedNumber:
		return "ConnectedNumber", true
	case IECallingPartyNumber:
		return "CallingPartyNumber", true
	case IECallingPartySubaddress:
		return "CallingPartySubaddress", true
	case IECalledPartyNumber:
		return "CalledPartyNumber", true
	case IECalledPartySubaddress:
		return "CalledPartySubaddress", true
	case IERedirectingNumber:
		return "RedirectingNumber", true
	case IETransitNetworkSelection:
		return "TransitNetworkSelection", true
	case IERestartIndicator:
		return "RestartIndicator", true
	case IELowLayerCompatibility:
		return "LowLayerCompatibility", true
	case IEHighLayerCompatibility:
		return "HighLayerCompatibility", true
	case IEUserUser:
		return "UserUser", true
	}
	return "", false
}
