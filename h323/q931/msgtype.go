package q931

import "fmt"

// MessageType is the Q.931 message type octet. Types this package does not
// name are kept as their numeric code.
type MessageType uint8

// Message types (Q.931 table 4-2). H.225.0 uses Setup, CallProceeding,
// Alerting, Progress, Connect, ReleaseComplete, Facility, Information,
// Notify, Status and StatusEnquiry (plus SetupAcknowledge for overlap
// sending).
const (
	Alerting           MessageType = 0x01
	CallProceeding     MessageType = 0x02
	Progress           MessageType = 0x03
	Setup              MessageType = 0x05
	Connect            MessageType = 0x07
	SetupAcknowledge   MessageType = 0x0d
	ConnectAcknowledge MessageType = 0x0f
	UserInformation    MessageType = 0x20
	SuspendReject      MessageType = 0x21
	ResumeReject       MessageType = 0x22
	Suspend            MessageType = 0x25
	Resume             MessageType = 0x26
	SuspendAcknowledge MessageType = 0x2d
	ResumeAcknowledge  MessageType = 0x2e
	Disconnect         MessageType = 0x45
	Restart            MessageType = 0x46
	Release            MessageType = 0x4d
	RestartAcknowledge MessageType = 0x4e
	ReleaseComplete    MessageType = 0x5a
	Segment            MessageType = 0x60
	Facility           MessageType = 0x62
	Notify             MessageType = 0x6e
	StatusEnquiry      MessageType = 0x75
	CongestionControl  MessageType = 0x79
	Information        MessageType = 0x7b
	Status             MessageType = 0x7d
)

// String returns the message type's name, or its code when unnamed.
func (t MessageType) String() string {
	if s, ok := messageTypeName(t); ok {
		return s
	}
	return fmt.Sprintf("MessageType(%#02x)", uint8(t))
}

func messageTypeName(t MessageType) (string, bool) {
	switch t {
	case Alerting:
		return "Alerting", true
	case CallProceeding:
		return "CallProceeding", true
	case Progress:
		return "Progress", true
	case Setup:
		return "Setup", true
	case Connect:
		return "Connect", true
	case SetupAcknowledge:
		return "SetupAcknowledge", true
	case ConnectAcknowledge:
		return "ConnectAcknowledge", true
	case UserInformation:
		return "UserInformation", true
	case SuspendReject:
		return "SuspendReject", true
	case ResumeReject:
		return "ResumeReject", true
	case Suspend:
		return "Suspend", true
	case Resume:
		return "Resume", true
	case SuspendAcknowledge:
		return "SuspendAcknowledge", true
	case ResumeAcknowledge:
		return "ResumeAcknowledge", true
	case Disconnect:
		return "Disconnect", true
	case Restart:
		return "Restart", true
	case Release:
		return "Release", true
	case RestartAcknowledge:
		return "RestartAcknowledge", true
	case ReleaseComplete:
		return "ReleaseComplete", true
	case Segment:
		return "Segment", true
	case Facility:
		return "Facility", true
	case Notify:
		return "Notify", true
	case StatusEnquiry:
		return "StatusEnquiry", true
	case CongestionControl:
		return "CongestionControl", true
	case Information:
		return "Information", true
	case Status:
		return "Status", true
	}
	return "", false
}
