package bridge

import (
	"slices"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// streamPair is the i-th stream of one role on each leg, or a stream that
// has no counterpart (the missing side's ID is empty).
type streamPair struct {
	role  call.Role
	a, b  call.Stream
	hasA  bool
	hasB  bool
	relay bool
	// transcode is set by planTranscodes when both directions run through
	// transcode paths.
	transcode bool
}

// planStreams pairs the streams of two legs by role, in order, and decides
// which pairs can relay: those whose codecs are the same format. Streams
// that carry only telephone-events are left out: DTMF is terminated in the
// legs and crosses the bridge as events.
func planStreams(a, b []call.Stream) []streamPair {
	var out []streamPair
	for _, role := range call.Roles() {
		as, bs := mediaStreams(a, role), mediaStreams(b, role)
		for i := range max(len(as), len(bs)) {
			p := streamPair{role: role}
			if i < len(as) {
				p.a, p.hasA = as[i], true
			}
			if i < len(bs) {
				p.b, p.hasB = bs[i], true
			}
			p.relay = p.hasA && p.hasB && p.a.Codec.SameFormat(p.b.Codec)
			out = append(out, p)
		}
	}
	return out
}

// mediaStreams returns the leg's streams of one role that carry media.
func mediaStreams(ss []call.Stream, role call.Role) []call.Stream {
	var out []call.Stream
	for _, s := range ss {
		if s.Role == role && !isTelephoneEvent(s.Codec) {
			out = append(out, s)
		}
	}
	return out
}

func isTelephoneEvent(c call.Codec) bool { return strings.EqualFold(c.Name, "telephone-event") }

// unbridged lists the roles of pairs that have both sides but neither relay
// nor transcode.
func unbridged(pairs []streamPair) []call.Role {
	var out []call.Role
	for _, p := range pairs {
		if p.hasA && p.hasB && !p.relay && !p.transcode && !slices.Contains(out, p.role) {
			out = append(out, p.role)
		}
	}
	return out
}
