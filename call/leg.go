package call

import (
	"context"

	"github.com/pion/rtp"
)

// LegDirection says who placed a leg: the far side (inbound) or the gateway
// (outbound).
type LegDirection uint8

// Leg directions.
const (
	Inbound LegDirection = iota
	Outbound
)

// String returns "inbound" or "outbound".
func (d LegDirection) String() string {
	if d == Outbound {
		return "outbound"
	}
	return "inbound"
}

// Track is the media of one stream of a leg. ReadRTP and WriteRTP block; they
// return an error once the leg has ended. A Track does not allocate per
// packet: ReadRTP fills the caller's packet, whose payload stays valid until
// the next ReadRTP on the same track.
type Track interface {
	Stream() Stream
	ReadRTP(p *rtp.Packet) error
	WriteRTP(p *rtp.Packet) error
}

// Leg is one side of a call on one protocol. A leg owns its signalling and its
// sockets; the bridge sees only this interface and never the protocol behind it.
//
// A leg never renegotiates the other side of the call: it reports changes as
// events, and the bridge decides.
type Leg interface {
	// ID is unique within the gateway; logs and call records use it.
	ID() string
	Protocol() Protocol
	Direction() LegDirection
	// Remote is the far side's address as the protocol names it (a SIP URI, an
	// H.323 alias, a URL), for logs and records.
	Remote() string
	// Streams returns the streams negotiated so far.
	Streams() []Stream
	// Track returns the media of the stream with the given ID.
	Track(streamID string) (Track, bool)
	// Events delivers what the far side does. It is closed when the leg ends.
	Events() <-chan Event
	// Send asks the leg to carry an event to its far side.
	Send(ctx context.Context, ev Event) error
	// Hangup ends the leg with a cause, which the leg translates for its
	// protocol (a SIP status or BYE, an H.225 ReleaseComplete, an HTTP status).
	Hangup(ctx context.Context, cause Cause) error
	// Done is closed when the leg has ended and released all it held.
	Done() <-chan struct{}
	// Err returns why the leg ended (an *Error carrying its Cause), or nil
	// while it runs.
	Err() error
}
