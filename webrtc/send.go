package webrtc

import (
	"context"

	"github.com/switchyard/switchyard/call"
)

// Send implements call.Leg: it carries what the other side of the call did
// to this leg's client. DTMF and chat go over the data channel (or the
// event stream); keyframe requests and NACKs become RTCP to the client's
// sender; content floor changes tell the web app to show or hide the
// presentation.
func (l *leg) Send(_ context.Context, ev call.Event) error {
	if l.stopping() {
		return errLegEnded
	}
	switch ev.Kind {
	case call.EventDTMF:
		l.notify(serverMessage{Type: "dtmf", Digit: string(ev.Digit), Duration: ev.Duration})
	case call.EventChat:
		l.notify(serverMessage{Type: "chat", Text: ev.Text})
	case call.EventKeyframeRequest:
		return l.requestKeyframe(ev.Stream)
	case call.EventNACK:
		return l.sendNACK(ev.Stream, ev.Seqs)
	case call.EventFloorRequest:
		// The far side presents: show its content.
		active := true
		l.notify(serverMessage{Type: "content", Active: &active})
	case call.EventFloorGranted:
		// Our client's request for the floor was granted.
		l.notify(serverMessage{Type: "floor-granted"})
	case call.EventFloorReleased:
		active := false
		l.notify(serverMessage{Type: "content", Active: &active})
	case call.EventHold, call.EventResume:
		l.notify(serverMessage{Type: ev.Kind.String()})
	}
	return nil
}
