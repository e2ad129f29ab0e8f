package webrtc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// Limits on what a remote description may hold. An offer beyond them is a
// bad request, not something to allocate for.
const (
	maxSDPBytes   = 128 << 10
	maxMediaLines = 16
	maxCandidates = 64
)

// offerLine is what we keep of one m-line of a remote offer.
type offerLine struct {
	mid  string
	kind string // audio, video, application, or another media type
	role call.Role
	// dir is the offerer's a= direction (its own point of view).
	dir      call.Direction
	disabled bool
}

// remoteOffer is a parsed remote offer: the call vocabulary's view of it
// and what the leg needs besides.
type remoteOffer struct {
	raw        string
	offer      call.Offer
	lines      []offerLine
	candidates int
	ufrag      string
	data       bool // an m=application (data channel) line is present
}

// parseOffer reads an SDP offer. roles names the role of m-lines by mid (a
// web app marks its presentation transceiver as content); a video line
// with a=content:slides (RFC 4796) is content too. Codecs the leg cannot
// carry are left out; a line left with none is kept, disabled, so that
// m-line order is preserved. Every failure is a *call.Error with cause
// bad_request.
func parseOffer(raw string, roles map[string]call.Role) (*remoteOffer, error) {
	if len(raw) == 0 {
		return nil, call.Errorf(call.BadRequest, "the offer is empty")
	}
	if len(raw) > maxSDPBytes {
		return nil, call.Errorf(call.BadRequest, "the offer is larger than %d bytes", maxSDPBytes)
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(raw); err != nil {
		return nil, call.Errorf(call.BadRequest, "the offer is not valid SDP: %w", err)
	}
	if len(sd.MediaDescriptions) == 0 {
		return nil, call.Errorf(call.BadRequest, "the offer has no media line")
	}
	if len(sd.MediaDescriptions) > maxMediaLines {
		return nil, call.Errorf(call.BadRequest, "the offer has %d media lines (at most %d)", len(sd.MediaDescriptions), maxMediaLines)
	}
	ro := &remoteOffer{raw: raw}
	sessDir := call.SendRecv
	for _, a := range sd.Attributes {
		if d, ok := parseDirection(a.Key); ok {
			sessDir = d
		}
		switch a.Key {
		case "candidate":
			ro.candidates++
		case "ice-ufrag":
			ro.ufrag = a.Value
		}
	}
	mids := make(map[string]bool, len(sd.MediaDescriptions))
	for i, md := range sd.MediaDescriptions {
		line, so, err := parseMediaLine(i, md, sessDir, roles, ro)
		if err != nil {
			return nil, err
		}
		if mids[line.mid] {
			return nil, call.Errorf(call.BadRequest, "media line %d repeats mid %q", i, line.mid)
		}
		mids[line.mid] = true
		ro.lines = append(ro.lines, line)
		if so != nil {
			ro.offer.Streams = append(ro.offer.Streams, *so)
		}
	}
	if ro.candidates > maxCandidates {
		return nil, call.Errorf(call.BadRequest, "the offer has %d candidates (at most %d)", ro.candidates, maxCandidates)
	}
	return ro, nil
}

// parseMediaLine reads one m-line. It returns the stream offer for audio
// and video lines, nil for others.
func parseMediaLine(i int, md *sdp.MediaDescription, sessDir call.Direction, roles map[string]call.Role, ro *remoteOffer) (offerLine, *call.StreamOffer, error) {
	line := offerLine{kind: md.MediaName.Media, dir: sessDir, disabled: md.MediaName.Port.Value == 0}
	rtpmap := map[string]string{}
	fmtp := map[string]string{}
	slides := false
	for _, a := range md.Attributes {
		if d, ok := parseDirection(a.Key); ok {
			line.dir = d
			continue
		}
		switch a.Key {
		case "mid":
			line.mid = a.Value
		case "candidate":
			ro.candidates++
		case "ice-ufrag":
			if ro.ufrag == "" {
				ro.ufrag = a.Value
			}
		case "rtpmap":
			if pt, v, ok := strings.Cut(a.Value, " "); ok && len(rtpmap) < 128 {
				rtpmap[pt] = strings.TrimSpace(v)
			}
		case "fmtp":
			if pt, v, ok := strings.Cut(a.Value, " "); ok && len(fmtp) < 128 {
				fmtp[pt] = strings.TrimSpace(v)
			}
		case "content":
			slides = strings.Contains(a.Value, "slides")
		}
	}
	if line.mid == "" {
		return line, nil, call.Errorf(call.BadRequest, "media line %d has no a=mid (WebRTC needs BUNDLE with mids)", i)
	}
	if len(line.mid) > 32 {
		return line, nil, call.Errorf(call.BadRequest, "media line %d has a mid longer than 32 characters", i)
	}
	switch line.kind {
	case "audio":
		line.role = call.RoleAudio
	case "video":
		line.role = call.RoleVideo
		if r, ok := roles[line.mid]; (ok && r == call.RoleContent) || slides {
			line.role = call.RoleContent
		}
	case "application":
		ro.data = ro.data || !line.disabled
		return line, nil, nil
	default:
		line.disabled = true
		return line, nil, nil
	}
	so := &call.StreamOffer{ID: line.mid, Role: line.role, Direction: line.dir, Disabled: line.disabled, MaxBitrate: bandwidth(md.Bandwidth)}
	for _, f := range md.MediaName.Formats {
		c, ok := formatCodec(f, rtpmap, fmtp)
		if !ok {
			continue
		}
		if _, ok := supported(c); ok {
			so.Codecs = append(so.Codecs, c)
		}
	}
	if !hasMedia(so.Codecs) {
		so.Disabled = true
		line.disabled = true
	}
	return line, so, nil
}

// hasMedia reports whether codecs hold a format other than telephone-event.
func hasMedia(codecs []call.Codec) bool {
	for _, c := range codecs {
		if !isTelephoneEvent(c.Name) {
			return true
		}
	}
	return false
}

// staticFormat is the rtpmap of an RTP/AVP static payload type a WebRTC
// leg carries, for offers that omit it.
func staticFormat(pt string) (string, bool) {
	switch pt {
	case "0":
		return "PCMU/8000", true
	case "8":
		return "PCMA/8000", true
	case "9":
		return "G722/8000", true
	}
	return "", false
}

// formatCodec builds the codec of one payload type of an m-line.
func formatCodec(f string, rtpmap, fmtp map[string]string) (call.Codec, bool) {
	pt, err := strconv.ParseUint(f, 10, 7)
	if err != nil {
		return call.Codec{}, false
	}
	m, ok := rtpmap[f]
	if !ok {
		if m, ok = staticFormat(f); !ok {
			return call.Codec{}, false
		}
	}
	parts := strings.Split(m, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return call.Codec{}, false
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || rate == 0 {
		return call.Codec{}, false
	}
	c := call.Codec{Name: strings.ToUpper(parts[0]), PayloadType: uint8(pt), ClockRate: uint32(rate), FMTP: fmtp[f]}
	if len(parts) == 3 {
		ch, err := strconv.ParseUint(parts[2], 10, 8)
		if err != nil {
			return call.Codec{}, false
		}
		c.Channels = uint8(ch)
	} else if rate != 90000 {
		c.Channels = 1
	}
	return c, true
}

// bandwidth returns a media line's b=TIAS (bit/s) or b=AS (kbit/s) in bit/s.
func bandwidth(bs []sdp.Bandwidth) uint32 {
	var as, tias uint64
	for _, b := range bs {
		switch strings.ToUpper(b.Type) {
		case "AS":
			as = b.Bandwidth * 1000
		case "TIAS":
			tias = b.Bandwidth
		}
	}
	v := tias
	if v == 0 {
		v = as
	}
	if v > 1<<32-1 {
		v = 1<<32 - 1
	}
	return uint32(v)
}

func parseDirection(key string) (call.Direction, bool) {
	switch key {
	case "sendrecv":
		return call.SendRecv, true
	case "sendonly":
		return call.SendOnly, true
	case "recvonly":
		return call.RecvOnly, true
	case "inactive":
		return call.Inactive, true
	}
	return 0, false
}

// answerDirection is the direction our answer line takes when the offerer
// wrote offered: the complement.
func answerDirection(offered call.Direction) call.Direction { return offered.Reverse() }

// limitVideoBitrate adds b=AS (kbit/s) and b=TIAS to the video lines of an
// SDP whose mids are in caps, so that the browser keeps under them.
func limitVideoBitrate(raw string, caps map[string]uint32) (string, error) {
	if len(caps) == 0 {
		return raw, nil
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(raw); err != nil {
		return "", fmt.Errorf("parse our answer: %w", err)
	}
	changed := false
	for _, md := range sd.MediaDescriptions {
		mid, _ := md.Attribute("mid")
		bps, ok := caps[mid]
		if !ok || bps == 0 || md.MediaName.Port.Value == 0 {
			continue
		}
		md.Bandwidth = append(md.Bandwidth[:0],
			sdp.Bandwidth{Type: "AS", Bandwidth: uint64(bps+999) / 1000},
			sdp.Bandwidth{Type: "TIAS", Bandwidth: uint64(bps)})
		changed = true
	}
	if !changed {
		return raw, nil
	}
	b, err := sd.Marshal()
	if err != nil {
		return "", fmt.Errorf("write our answer: %w", err)
	}
	return string(b), nil
}

// sdpFragment is a trickle-ICE SDP fragment (RFC 8840), as WHIP and WHEP
// clients PATCH it.
type sdpFragment struct {
	ufrag, pwd string
	candidates []webrtc.ICECandidateInit
	end        bool
}

// parseFragment reads an application/trickle-ice-sdpfrag body. Candidates
// take the mid of the m-line above them; a fragment without m-lines gives
// them no mid (pion then uses the first transport, which is the only one
// under BUNDLE).
func parseFragment(body string) (*sdpFragment, error) {
	if len(body) > maxSDPBytes {
		return nil, fmt.Errorf("fragment larger than %d bytes", maxSDPBytes)
	}
	f := &sdpFragment{}
	var mid *string
	var index *uint16
	var lines uint16
	for raw := range strings.SplitSeq(body, "\n") {
		l := strings.TrimRight(raw, "\r")
		switch {
		case l == "":
		case strings.HasPrefix(l, "a=ice-ufrag:"):
			f.ufrag = strings.TrimPrefix(l, "a=ice-ufrag:")
		case strings.HasPrefix(l, "a=ice-pwd:"):
			f.pwd = strings.TrimPrefix(l, "a=ice-pwd:")
		case strings.HasPrefix(l, "m="):
			n := lines
			index, mid = &n, nil
			lines++
		case strings.HasPrefix(l, "a=mid:"):
			v := strings.TrimPrefix(l, "a=mid:")
			mid = &v
		case strings.HasPrefix(l, "a=candidate:"):
			if len(f.candidates) >= maxCandidates {
				return nil, fmt.Errorf("more than %d candidates", maxCandidates)
			}
			f.candidates = append(f.candidates, webrtc.ICECandidateInit{Candidate: strings.TrimPrefix(l, "a="), SDPMid: mid, SDPMLineIndex: index})
		case l == "a=end-of-candidates":
			f.end = true
		case len(l) < 2 || l[1] != '=':
			return nil, fmt.Errorf("line %q is not an SDP line", truncate(l, 40))
		}
	}
	return f, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
