package rules

import (
	"fmt"
	"net/netip"

	"github.com/switchyard/switchyard/call"
)

// Direction says who asked for the call.
type Direction uint8

// The directions. The zero value is DirectionIncoming.
const (
	// DirectionIncoming is a call that arrived at one of the gateway's
	// listeners.
	DirectionIncoming Direction = iota
	// DirectionOutgoing is a dial-out requested through the API.
	DirectionOutgoing
)

// String returns "incoming" or "outgoing".
func (d Direction) String() string {
	switch d {
	case DirectionIncoming:
		return string(DirectionNameIncoming)
	case DirectionOutgoing:
		return string(DirectionNameOutgoing)
	}
	return fmt.Sprintf("direction(%d)", uint8(d))
}

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Direction) UnmarshalText(b []byte) error {
	v, ok := DirectionName(b).Direction()
	if !ok {
		return fmt.Errorf("unknown direction %q (want incoming or outgoing)", b)
	}
	*d = v
	return nil
}

// Request is a call to route, as a protocol listener (or the API) sees it.
type Request struct {
	// Protocol is the inbound leg's protocol.
	Protocol  call.Protocol `json:"protocol"`
	Direction Direction     `json:"direction"`
	// Source is the caller's address; the zero Addr when unknown.
	Source netip.Addr `json:"source"`
	// Trunk is the trunk the call came from, if known.
	Trunk string `json:"trunk,omitempty"`
	// Caller is the calling party, for logs and records.
	Caller string `json:"caller,omitempty"`
	// Dialed is the destination as received.
	Dialed string `json:"dialed"`
	// Registered says the caller is an endpoint registered with the
	// gateway.
	Registered bool `json:"registered"`
}
