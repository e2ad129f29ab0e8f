package bridge

import (
	"sync/atomic"

	"github.com/switchyard/switchyard/call"
)

// Paths a stream can take through the bridge.
const (
	// PathRelay forwards packets with rewritten headers.
	PathRelay = "relay"
	// PathNone carries nothing: the other leg has no matching stream, or no
	// codec in common and no transcode path (see PathTranscode).
	PathNone = "none"
)

// StreamResult is what one direction of one stream carried.
type StreamResult struct {
	Role call.Role
	// From and To are the IDs of the legs media flowed from and to; To is
	// empty for a stream the other leg has no counterpart for.
	From, To string
	// Path is PathRelay, PathTranscode or PathNone.
	Path string
	// Codec is the From leg's codec; ToCodec the To leg's, set when the
	// path transcodes.
	Codec   call.Codec
	ToCodec call.Codec
	// Packets and Bytes (RTP payload) delivered to the To leg.
	Packets, Bytes uint64
	// Dropped counts packets read but not delivered: payload types the To
	// leg did not negotiate, or writes that failed.
	Dropped uint64
}

// Result is how a joined call ended and what it carried.
type Result struct {
	// Cause is why the call ended; EndedBy the ID of the leg that ended it
	// (empty when the call was ended from outside, or by the bridge itself).
	Cause   call.Cause
	EndedBy string
	// Streams has one entry per stream and direction.
	Streams []StreamResult
	// Unbridged lists the roles both legs have but that could not relay
	// (different codecs).
	Unbridged []call.Role
}

// relayCounters are one direction's running totals, read while the relay
// runs.
type relayCounters struct {
	packets, bytes, dropped atomic.Uint64
}
