package sip

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// This file holds the SDP offer/answer decisions (RFC 3264) as pure
// functions: which m-lines are accepted, with which codec, direction and
// crypto. The leg applies them to its media sessions.

// lineDecision is what we do with one m-line.
type lineDecision struct {
	Accept bool
	// Stream is the negotiated stream, directions seen from the far side.
	Stream call.Stream
	// Codecs are the formats we list on our m-line: one chosen codec in an
	// answer, the candidates in an offer.
	Codecs []call.Codec
	Events []call.Codec
	// Dir is our own a= direction attribute.
	Dir     call.Direction
	RTCPMux bool
	// RemoteCrypto is the far side's chosen a=crypto value ("" for plain RTP);
	// LocalCrypto is ours.
	RemoteCrypto string
	LocalCrypto  string
	Content      string
	MaxBitrate   uint32
}

// answerDirection is our a= attribute for an offer line whose sender wrote
// offered, when we would like want (our own point of view).
func answerDirection(offered, want call.Direction) call.Direction {
	send := offered.Receives() && want.Sends()
	recv := offered.Sends() && want.Receives()
	switch {
	case send && recv:
		return call.SendRecv
	case send:
		return call.SendOnly
	case recv:
		return call.RecvOnly
	}
	return call.Inactive
}

// matchCodec finds the codec of offered that has the same format as c, and
// returns it with the offerer's payload type (and c's fmtp when c has one).
func matchCodec(offered []call.Codec, c call.Codec) (call.Codec, bool) {
	for _, o := range offered {
		if o.SameFormat(c) {
			if c.FMTP != "" {
				o.FMTP = c.FMTP
			}
			if c.PacketTime != 0 && o.PacketTime == 0 {
				o.PacketTime = c.PacketTime
			}
			return o, true
		}
	}
	return call.Codec{}, false
}

// eventsFor picks the telephone-event formats that go with codec: the one
// with the codec's clock rate, else the 8 kHz one.
func eventsFor(events []call.Codec, codec call.Codec) []call.Codec {
	for _, e := range events {
		if e.ClockRate == codec.ClockRate {
			return []call.Codec{e}
		}
	}
	for _, e := range events {
		if e.ClockRate == 8000 {
			return []call.Codec{e}
		}
	}
	return nil
}

// supportedCrypto picks the first a=crypto value whose suite and key
// parameters rtpio implements.
func supportedCrypto(attrs []string) string {
	for _, a := range attrs {
		if _, _, err := rtpio.ParseCrypto(a); err == nil {
			return a
		}
	}
	return ""
}

// planAnswer decides the answer to a remote offer given the streams the
// gateway accepts. A stream matches the m-line with its ID, else the first
// unmatched m-line of its role. With srtp off, a=crypto on RTP/AVP lines is
// declined; best-effort takes it; required refuses lines without it. An
// RTP/SAVP line without a usable a=crypto is always refused.
func planAnswer(remote *sessionDesc, streams []call.Stream, srtp call.SRTPMode) ([]lineDecision, error) {
	out := make([]lineDecision, len(remote.Media))
	used := make([]bool, len(streams))
	streamFor := func(m *mediaDesc) (call.Stream, bool) {
		for i, s := range streams {
			if !used[i] && s.ID == m.ID {
				used[i] = true
				return s, true
			}
		}
		for i, s := range streams {
			if !used[i] && s.Role == m.Role && !idInOffer(remote, s.ID) {
				used[i] = true
				return s, true
			}
		}
		return call.Stream{}, false
	}
	accepted := 0
	for i := range remote.Media {
		m := &remote.Media[i]
		if m.Disabled() || !m.Carried {
			continue
		}
		s, ok := streamFor(m)
		if !ok {
			continue
		}
		codec, ok := matchCodec(m.Codecs, s.Codec)
		if !ok {
			continue
		}
		d := lineDecision{Codecs: []call.Codec{codec}, Content: m.Content, RTCPMux: m.RTCPMux}
		if m.Role == call.RoleAudio {
			d.Events = eventsFor(m.Events, codec)
		}
		if len(m.Crypto) > 0 && (srtp != call.SRTPOff || m.Secure()) {
			d.RemoteCrypto = supportedCrypto(m.Crypto)
		}
		if (m.Secure() || srtp == call.SRTPRequired) && d.RemoteCrypto == "" {
			continue
		}
		d.Dir = answerDirection(m.Dir, s.Direction.Reverse())
		d.MaxBitrate = s.MaxBitrate
		d.Stream = call.Stream{ID: m.ID, Role: m.Role, Codec: codec, Direction: d.Dir.Reverse(), MaxBitrate: minNonZero(s.MaxBitrate, m.MaxBitrate)}
		d.Accept = true
		out[i] = d
		accepted++
	}
	if accepted == 0 {
		return out, &call.Error{Cause: call.CodecMismatch, Detail: "no offered stream has a codec the call can use"}
	}
	return out, nil
}

func idInOffer(d *sessionDesc, id string) bool {
	for i := range d.Media {
		if d.Media[i].ID == id {
			return true
		}
	}
	return false
}

// planAnswerOwn answers a remote offer when the gateway gave no streams
// (a delayed offer arriving in a 2xx): each carried line takes its first
// codec allowed by the lists.
func planAnswerOwn(remote *sessionDesc, srtp call.SRTPMode, allow ...[]string) ([]lineDecision, error) {
	streams := make([]call.Stream, 0, len(remote.Media))
	for i := range remote.Media {
		m := &remote.Media[i]
		if m.Disabled() || !m.Carried {
			continue
		}
		cs := filterCodecs(m.Codecs, allow...)
		if len(cs) == 0 {
			continue
		}
		streams = append(streams, call.Stream{ID: m.ID, Role: m.Role, Codec: cs[0], Direction: m.Dir})
	}
	return planAnswer(remote, streams, srtp)
}

// offerPolicy is what shapes an offer we make.
type offerPolicy struct {
	Allow     [][]string // codec allow-lists, all of which a codec must pass
	RFC4733   bool       // add telephone-event to audio
	AudioOnly bool
	Content   bool
	FECC      bool
	// MaxBitrate caps what we ask to receive, bits/s; 0 none.
	MaxBitrate uint32
}

// planOffer turns a call.Offer into the m-lines of our offer. Disabled
// streams and those the policy excludes are left out; payload types of the
// offer are kept unless two codecs share one.
func planOffer(o call.Offer, p offerPolicy) ([]lineDecision, error) {
	var out []lineDecision
	for _, so := range o.Streams {
		if so.Disabled {
			continue
		}
		switch so.Role {
		case call.RoleVideo:
			if p.AudioOnly {
				continue
			}
		case call.RoleContent:
			if p.AudioOnly || !p.Content {
				continue
			}
		case call.RoleFECC:
			// H.224 over RTP is not carried by this package.
			continue
		}
		codecs := filterCodecs(so.Codecs, p.Allow...)
		var events []call.Codec
		media := codecs[:0:0]
		for _, c := range codecs {
			switch {
			case strings.EqualFold(c.Name, telephoneEvent):
				events = append(events, c)
			case auxiliaryCodec(c.Name):
			default:
				media = append(media, c)
			}
		}
		if len(media) == 0 {
			continue
		}
		if so.Role == call.RoleAudio && p.RFC4733 && len(events) == 0 {
			events = append(events, call.Codec{Name: telephoneEvent, ClockRate: 8000, FMTP: "0-16"})
			for _, c := range media {
				if c.ClockRate == 48000 {
					events = append(events, call.Codec{Name: telephoneEvent, ClockRate: 48000, FMTP: "0-16"})
					break
				}
			}
		}
		if so.Role != call.RoleAudio {
			events = nil
		}
		d := lineDecision{
			Accept:     true,
			Codecs:     media,
			Events:     events,
			Dir:        so.Direction.Reverse(),
			MaxBitrate: minNonZero(p.MaxBitrate, so.MaxBitrate),
		}
		if so.Role == call.RoleContent {
			d.Content = "slides"
		}
		d.Stream = call.Stream{ID: so.ID, Role: so.Role, Codec: media[0], Direction: so.Direction}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, &call.Error{Cause: call.CodecMismatch, Detail: "no stream of the offer has a codec allowed for this destination"}
	}
	if p.Content {
		for i := range out {
			if out[i].Stream.Role == call.RoleVideo && hasRole(out, call.RoleContent) {
				out[i].Content = "main"
			}
		}
	}
	assignPayloadTypes(out)
	return out, nil
}

func hasRole(ds []lineDecision, r call.Role) bool {
	for _, d := range ds {
		if d.Stream.Role == r {
			return true
		}
	}
	return false
}

// assignPayloadTypes keeps each codec's payload type unless an earlier codec
// of the same m-line already uses it, or a dynamic type is needed (events,
// codecs without one); those get the lowest free dynamic type (96-127,
// preferring 101 for telephone-event).
func assignPayloadTypes(ds []lineDecision) {
	for i := range ds {
		used := map[uint8]bool{}
		fix := func(c *call.Codec, prefer uint8) {
			_, static := staticPayloads[c.PayloadType]
			staticOK := static && staticPayloads[c.PayloadType].name == strings.ToUpper(c.Name)
			if !used[c.PayloadType] && (c.PayloadType >= 96 || staticOK) {
				used[c.PayloadType] = true
				return
			}
			if st, ok := staticFor(*c); ok && !used[st] {
				c.PayloadType = st
				used[st] = true
				return
			}
			if prefer != 0 && !used[prefer] {
				c.PayloadType = prefer
				used[prefer] = true
				return
			}
			for pt := uint8(96); pt <= 127; pt++ {
				if !used[pt] {
					c.PayloadType = pt
					used[pt] = true
					return
				}
			}
		}
		for j := range ds[i].Codecs {
			fix(&ds[i].Codecs[j], 0)
		}
		for j := range ds[i].Events {
			prefer := uint8(101)
			if ds[i].Events[j].ClockRate != 8000 {
				prefer = 0
			}
			fix(&ds[i].Events[j], prefer)
		}
		if len(ds[i].Codecs) > 0 {
			ds[i].Stream.Codec = ds[i].Codecs[0]
		}
	}
}

// staticFor returns the static payload type of a codec, if RFC 3551 gives one.
func staticFor(c call.Codec) (uint8, bool) {
	for pt, st := range staticPayloads {
		if st.name == strings.ToUpper(c.Name) && st.rate == c.ClockRate {
			return pt, true
		}
	}
	return 0, false
}

// applyAnswer reads the far side's answer to our offer. offered are the
// decisions we offered, in m-line order. It returns the negotiated lines.
func applyAnswer(offered []lineDecision, answer *sessionDesc, srtpRequired bool) ([]lineDecision, error) {
	if len(answer.Media) != len(offered) {
		return nil, &call.Error{Cause: call.BadRequest, Detail: fmt.Sprintf("answer has %d m-lines, the offer had %d", len(answer.Media), len(offered))}
	}
	out := make([]lineDecision, len(offered))
	accepted := 0
	for i := range answer.Media {
		m := &answer.Media[i]
		o := offered[i]
		if !o.Accept || m.Disabled() || !m.Carried {
			continue
		}
		var codec call.Codec
		found := false
		for _, rc := range m.Codecs {
			for _, oc := range o.Codecs {
				if oc.SameFormat(rc) {
					codec, found = rc, true
					if codec.FMTP == "" {
						codec.FMTP = oc.FMTP
					}
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			continue
		}
		d := lineDecision{Accept: true, Codecs: []call.Codec{codec}, Content: o.Content, RTCPMux: m.RTCPMux}
		if o.Stream.Role == call.RoleAudio {
			d.Events = eventsFor(m.Events, codec)
		}
		if o.LocalCrypto != "" {
			d.RemoteCrypto = supportedCrypto(m.Crypto)
			if d.RemoteCrypto != "" {
				d.LocalCrypto = o.LocalCrypto
			}
		}
		if srtpRequired && d.RemoteCrypto == "" {
			return nil, &call.Error{Cause: call.CodecMismatch, Detail: "SRTP is required but the answer has no usable a=crypto on m-line " + strconv.Itoa(i)}
		}
		d.Dir = o.Dir
		d.Stream = call.Stream{ID: o.Stream.ID, Role: o.Stream.Role, Codec: codec, Direction: m.Dir, MaxBitrate: minNonZero(o.MaxBitrate, m.MaxBitrate)}
		d.MaxBitrate = o.MaxBitrate
		out[i] = d
		accepted++
	}
	if accepted == 0 {
		return out, &call.Error{Cause: call.CodecMismatch, Detail: "the answer accepts no stream"}
	}
	return out, nil
}

func minNonZero(a, b uint32) uint32 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	case a < b:
		return a
	}
	return b
}
