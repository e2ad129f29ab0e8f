package webrtc

import (
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// telephoneEvent is the RTP encoding name of RFC 4733 events as call.Codec
// names it.
const telephoneEvent = "TELEPHONE-EVENT"

// codecSpec is one media format the WebRTC leg negotiates. Payload types
// are ours when we offer (dial-outs); in answers the offerer's are kept.
type codecSpec struct {
	name     string // call.Codec name, upper case
	mime     string
	kind     webrtc.RTPCodecType
	pt       uint8
	clock    uint32
	channels uint16
	fmtp     string
}

// codecTable lists what the leg can carry, in our order of preference for
// offers. It is read-only. H.264 comes in the profiles browsers and room
// systems use, each in both packetization modes, so that a SIP phone's
// H.264 relays to a browser without transcoding.
var codecTable = [...]codecSpec{
	{"OPUS", webrtc.MimeTypeOpus, webrtc.RTPCodecTypeAudio, 111, 48000, 2, "minptime=10;useinbandfec=1"},
	{"G722", webrtc.MimeTypeG722, webrtc.RTPCodecTypeAudio, 9, 8000, 1, ""},
	{"PCMU", webrtc.MimeTypePCMU, webrtc.RTPCodecTypeAudio, 0, 8000, 1, ""},
	{"PCMA", webrtc.MimeTypePCMA, webrtc.RTPCodecTypeAudio, 8, 8000, 1, ""},
	{telephoneEvent, "audio/telephone-event", webrtc.RTPCodecTypeAudio, 110, 48000, 1, "0-16"},
	{telephoneEvent, "audio/telephone-event", webrtc.RTPCodecTypeAudio, 126, 8000, 1, "0-16"},
	{"VP8", webrtc.MimeTypeVP8, webrtc.RTPCodecTypeVideo, 96, 90000, 0, ""},
	{"H264", webrtc.MimeTypeH264, webrtc.RTPCodecTypeVideo, 108, 90000, 0, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
	{"H264", webrtc.MimeTypeH264, webrtc.RTPCodecTypeVideo, 102, 90000, 0, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"},
	{"H264", webrtc.MimeTypeH264, webrtc.RTPCodecTypeVideo, 116, 90000, 0, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f"},
	{"H264", webrtc.MimeTypeH264, webrtc.RTPCodecTypeVideo, 112, 90000, 0, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f"},
	{"H264", webrtc.MimeTypeH264, webrtc.RTPCodecTypeVideo, 114, 90000, 0, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"},
	{"H264", webrtc.MimeTypeH264, webrtc.RTPCodecTypeVideo, 104, 90000, 0, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f"},
	{"H264", webrtc.MimeTypeH264, webrtc.RTPCodecTypeVideo, 39, 90000, 0, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f"},
	{"VP9", webrtc.MimeTypeVP9, webrtc.RTPCodecTypeVideo, 98, 90000, 0, "profile-id=0"},
}

// callCodec is the table entry as the call vocabulary describes it.
func (s codecSpec) callCodec() call.Codec {
	return call.Codec{Name: s.name, PayloadType: s.pt, ClockRate: s.clock, Channels: uint8(s.channels), FMTP: s.fmtp}
}

// parameters is the entry as pion registers it and as our offers carry it.
func (s codecSpec) parameters() webrtc.RTPCodecParameters {
	p := codecParameters(s.callCodec(), s)
	if s.kind == webrtc.RTPCodecTypeVideo {
		p.Channels = 0
	}
	return p
}

// supported finds the table entry with the same format as c (same name,
// clock rate, channels, and for H.264 profile and packetization mode).
func supported(c call.Codec) (codecSpec, bool) {
	for _, s := range codecTable {
		if isTelephoneEvent(c.Name) {
			if s.name == telephoneEvent && s.clock == c.ClockRate {
				return s, true
			}
			continue
		}
		if s.callCodec().SameFormat(c) && sameProfile(s, c) {
			return s, true
		}
	}
	return codecSpec{}, false
}

// sameProfile tells VP9 profiles apart (profile 2 is 10-bit; a relay to a
// profile 0 decoder would fail), which call.Codec.SameFormat does not.
func sameProfile(s codecSpec, c call.Codec) bool {
	if s.name != "VP9" {
		return true
	}
	return fmtpParam(c.FMTP, "profile-id", "0") == fmtpParam(s.fmtp, "profile-id", "0")
}

// fmtpParam returns one parameter of an fmtp string, or def.
func fmtpParam(fmtp, key, def string) string {
	for part := range strings.SplitSeq(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return def
}

// codecFeedback is the RTCP feedback we negotiate per kind: NACK, PLI and
// FIR for video, transport-wide congestion control feedback for both.
// pion keeps the part the offer also has.
func codecFeedback(kind webrtc.RTPCodecType) []webrtc.RTCPFeedback {
	if kind == webrtc.RTPCodecTypeVideo {
		return []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}, {Type: webrtc.TypeRTCPFBTransportCC}}
	}
	return []webrtc.RTCPFeedback{{Type: webrtc.TypeRTCPFBTransportCC}}
}

// codecParameters is c as pion needs it for codec preferences and local
// tracks: c's payload type, name and fmtp, with the table's MIME type and
// our feedback.
func codecParameters(c call.Codec, spec codecSpec) webrtc.RTPCodecParameters {
	channels := uint16(c.Channels)
	if spec.kind == webrtc.RTPCodecTypeVideo {
		channels = 0
	} else if channels == 0 {
		channels = spec.channels
	}
	var fb []webrtc.RTCPFeedback
	if !isTelephoneEvent(spec.name) {
		fb = codecFeedback(spec.kind)
	}
	return webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: spec.mime, ClockRate: c.ClockRate, Channels: channels, SDPFmtpLine: c.FMTP, RTCPFeedback: fb},
		PayloadType:        webrtc.PayloadType(c.PayloadType),
	}
}

// fromParameters converts a negotiated pion codec to the call vocabulary.
func fromParameters(p webrtc.RTPCodecParameters) call.Codec {
	name := p.MimeType
	if _, sub, ok := strings.Cut(name, "/"); ok {
		name = sub
	}
	name = strings.ToUpper(name)
	ch := uint8(p.Channels)
	if strings.HasPrefix(strings.ToLower(p.MimeType), "video/") {
		ch = 0
	}
	return call.Codec{Name: name, PayloadType: uint8(p.PayloadType), ClockRate: p.ClockRate, Channels: ch, FMTP: p.SDPFmtpLine}
}

func isTelephoneEvent(name string) bool { return strings.EqualFold(name, telephoneEvent) }

// allowedBy reports whether a rule's codec allow-list admits c. Names are
// the dial plan's: pcmu pcma g722 opus h264 h264-baseline h264-main
// h264-high vp8 vp9. Telephone-events are always allowed.
func allowedBy(allow []string, c call.Codec) bool {
	if len(allow) == 0 || isTelephoneEvent(c.Name) {
		return true
	}
	for _, a := range allow {
		a = strings.ToLower(a)
		switch {
		case a == strings.ToLower(c.Name):
			return true
		case strings.HasPrefix(a, "h264-") && strings.EqualFold(c.Name, "H264"):
			if a == "h264-"+h264ProfileName(c.FMTP) {
				return true
			}
		}
	}
	return false
}

// h264ProfileName names the profile of an H.264 fmtp: baseline, main or
// high (constrained baseline counts as baseline).
func h264ProfileName(fmtp string) string {
	plid := strings.ToLower(fmtpParam(fmtp, "profile-level-id", "42e01f"))
	switch {
	case strings.HasPrefix(plid, "4d"):
		return "main"
	case strings.HasPrefix(plid, "64"):
		return "high"
	}
	return "baseline"
}
