package call

import "fmt"

// EventKind says what an Event carries.
type EventKind uint8

// The kinds of event that travel between the legs of a call.
const (
	// EventDTMF is one digit (0-9, *, #, A-D, or 'F' for flash) with its duration.
	EventDTMF EventKind = iota + 1
	// EventFloorRequest asks for the content floor (BFCP FloorRequest, H.239
	// presentationTokenRequest, a browser starting a screen share).
	EventFloorRequest
	// EventFloorGranted says the floor was given to the side that asked.
	EventFloorGranted
	// EventFloorReleased says the content sender stopped.
	EventFloorReleased
	// EventFECC is a far-end camera control command.
	EventFECC
	// EventKeyframeRequest asks the sender of Stream for a new keyframe
	// (RTCP PLI/FIR, H.245 videoFastUpdatePicture, SIP INFO picture_fast_update).
	EventKeyframeRequest
	// EventBitrate asks the sender of Stream to keep under Bitrate bits/s
	// (REMB, TMMBR, H.245 flowControlCommand).
	EventBitrate
	// EventChat is a line of text.
	EventChat
	// EventHold says the far side put the call on hold; EventResume that it resumed.
	EventHold
	EventResume
	// EventRinging reports that the far side is alerting (180, Alerting).
	EventRinging
	// EventProgress reports early media from the far side (183, Progress).
	EventProgress
	// EventAnswered reports that the far side answered.
	EventAnswered
	// EventMediaChange reports that the leg's streams changed (re-INVITE,
	// logical channel opened or closed, track added or removed). The bridge
	// reads Leg.Streams() again.
	EventMediaChange
	// EventHangup reports that the far side ended the leg, with Cause.
	EventHangup
	// EventNACK reports packets of Stream that the far side did not receive
	// (RTCP generic NACK), by the sequence numbers this leg sent them with.
	EventNACK
)

var eventNames = map[EventKind]string{
	EventDTMF: "dtmf", EventFloorRequest: "floor-request", EventFloorGranted: "floor-granted",
	EventFloorReleased: "floor-released", EventFECC: "fecc", EventKeyframeRequest: "keyframe-request",
	EventBitrate: "bitrate", EventChat: "chat", EventHold: "hold", EventResume: "resume",
	EventRinging: "ringing", EventProgress: "progress", EventAnswered: "answered",
	EventMediaChange: "media-change", EventHangup: "hangup", EventNACK: "nack",
}

// String returns the event kind's name as logged.
func (k EventKind) String() string {
	if s, ok := eventNames[k]; ok {
		return s
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// FECCAction is an H.281 camera action.
type FECCAction uint8

// H.281 actions: start and continue a movement, stop it, select a video
// source, store or recall a preset.
const (
	FECCStart FECCAction = iota + 1
	FECCContinue
	FECCStop
	FECCSelectSource
	FECCStorePreset
	FECCActivatePreset
)

// FECCMove is the set of H.281 movements in one command, as bits.
type FECCMove uint8

// H.281 movement bits (pan, tilt, zoom, focus, each with a direction).
const (
	FECCPanLeft FECCMove = 1 << iota
	FECCPanRight
	FECCTiltUp
	FECCTiltDown
	FECCZoomIn
	FECCZoomOut
	FECCFocusIn
	FECCFocusOut
)

// FECC is one far-end camera control command.
type FECC struct {
	Action FECCAction
	Move   FECCMove
	// Timeout is the H.281 movement timeout in units of 50 ms (1..15).
	Timeout uint8
	// Preset or video source number for the preset and source actions.
	Number uint8
}

// Event is what is not media: it travels between the legs of a call through
// the bridge, which translates it for the other protocol.
type Event struct {
	Kind EventKind
	// Stream names the stream the event concerns (keyframe and bitrate requests,
	// content floor), by Stream.ID of the leg that emits or receives it.
	Stream string
	// Digit and Duration (milliseconds) for DTMF.
	Digit    byte
	Duration uint16
	// Bitrate in bits per second for EventBitrate.
	Bitrate uint32
	// FECC command for EventFECC.
	FECC FECC
	// Text for EventChat.
	Text string
	// Cause for EventHangup.
	Cause Cause
	// Seqs for EventNACK: the RTP sequence numbers reported lost.
	Seqs []uint16
}

// ValidDTMF reports whether d is a digit that RFC 4733, SIP INFO and H.245
// UserInputIndication can all carry.
func ValidDTMF(d byte) bool {
	switch {
	case d >= '0' && d <= '9', d == '*', d == '#', d >= 'A' && d <= 'D', d == 'F':
		return true
	}
	return false
}
