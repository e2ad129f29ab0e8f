package webrtc

import (
	"github.com/switchyard/switchyard/call"
)

// reason refines a cause for WebRTC clients: the catalogue says what
// happened in general, a reason says which WebRTC failure it was and what
// the person can do about it.
type reason string

// Reasons a WebRTC leg ends with besides its cause.
const (
	reasonNone reason = ""
	// reasonNoCandidates: ICE never started because the client offered no
	// address and sent no connectivity check (ice_failed).
	reasonNoCandidates reason = "no_candidates"
	// reasonICEFailed: candidates were exchanged but no pair worked
	// (ice_failed).
	reasonICEFailed reason = "ice_failed"
	// reasonConnectionLost: a connected leg lost connectivity (media_timeout).
	reasonConnectionLost reason = "connection_lost"
	// reasonTokenExpired: the client stopped refreshing its token (timeout).
	reasonTokenExpired reason = "token_expired"
	// reasonClientHangup: the client hung up (remote_hangup).
	reasonClientHangup reason = "client_hangup"
)

// hint is what the web app shows under the cause's user message.
func (r reason) hint() string {
	switch r {
	case reasonNoCandidates:
		return "Your browser offered no network address for media. A privacy extension or a browser setting may hide them; allow this site to use them, or try another browser."
	case reasonICEFailed:
		return "No network path for media could be found. A firewall may block UDP and TCP to the gateway's media port, or a TURN server is needed."
	case reasonConnectionLost:
		return "The network connection to the gateway was lost."
	case reasonTokenExpired:
		return "The call's session expired because the page stopped refreshing it (the tab was suspended or the network was down)."
	}
	return ""
}

// failure is a leg's end as the web app and WHIP/WHEP clients see it.
type failure struct {
	Cause   call.Cause `json:"cause"`
	Message string     `json:"message"`
	Reason  reason     `json:"reason,omitempty"`
	Hint    string     `json:"hint,omitempty"`
	Status  int        `json:"status"`
}

func failureOf(c call.Cause, r reason) failure {
	return failure{Cause: c, Message: c.Entry().User, Reason: r, Hint: r.hint(), Status: c.HTTPStatus()}
}

// iceFailure is the cause and reason of a leg that did not connect in
// time or whose checks failed.
func iceFailure(offered, trickled int, connectedOnce bool) (call.Cause, reason) {
	switch {
	case connectedOnce:
		return call.MediaTimeout, reasonConnectionLost
	case offered+trickled == 0:
		return call.ICEFailed, reasonNoCandidates
	}
	return call.ICEFailed, reasonICEFailed
}
