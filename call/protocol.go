package call

import (
	"fmt"
	"strings"
)

// Protocol is the signalling protocol of a leg, or the local services.
type Protocol uint8

// The protocols a leg can speak. ProtocolLocal is the gateway's own services
// (echo, test pattern) and never appears on the wire.
const (
	ProtocolUnknown Protocol = iota
	ProtocolSIP
	ProtocolH323
	ProtocolWebRTC
	ProtocolRTSP
	ProtocolRTMP
	ProtocolLocal
)

var protocolNames = [...]string{
	ProtocolUnknown: "unknown",
	ProtocolSIP:     "sip",
	ProtocolH323:    "h323",
	ProtocolWebRTC:  "webrtc",
	ProtocolRTSP:    "rtsp",
	ProtocolRTMP:    "rtmp",
	ProtocolLocal:   "local",
}

// Protocols lists every protocol a leg can use on the wire, in a stable order.
func Protocols() []Protocol {
	return []Protocol{ProtocolSIP, ProtocolH323, ProtocolWebRTC, ProtocolRTSP, ProtocolRTMP}
}

// String returns the lower-case name used in configuration and logs.
func (p Protocol) String() string {
	if int(p) < len(protocolNames) {
		return protocolNames[p]
	}
	return fmt.Sprintf("protocol(%d)", uint8(p))
}

// ParseProtocol accepts the configuration names of the protocols, in any case.
func ParseProtocol(s string) (Protocol, error) {
	for p, name := range protocolNames {
		if p != int(ProtocolUnknown) && strings.EqualFold(s, name) {
			return Protocol(p), nil
		}
	}
	return ProtocolUnknown, fmt.Errorf("unknown protocol %q (want sip, h323, webrtc, rtsp, rtmp or local)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (p Protocol) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Protocol) UnmarshalText(b []byte) error {
	v, err := ParseProtocol(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
