package transcode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/transcode/internal/av"
)

// format is what the transcoder needs to know about a negotiated codec.
type format struct {
	codec    call.Codec
	name     string // upper-case RTP encoding name
	video    bool
	av       av.Codec // 0 for G.711
	alaw     bool     // G.711 A-law (else µ-law), when av is 0
	rate     int      // audio sample rate of the codec itself
	channels int      // audio channels to encode with
	// H.264: packetization mode and profile-level-id.
	h264Mode    int
	h264Profile string // "baseline", "main", "high"
	h264Level   int    // level_idc, e.g. 31
	// maxFS is the receiver's max-fs (largest picture in macroblocks,
	// RFC 6184 and RFC 7741), 0 when not given.
	maxFS int
}

// ErrUnsupported reports a codec the transcoder cannot handle.
var ErrUnsupported = fmt.Errorf("transcode: codec not supported")

// parseFormat classifies a codec; unsupported codecs are errors.
func parseFormat(c call.Codec) (format, error) {
	f := format{codec: c, name: strings.ToUpper(c.Name), channels: 1}
	switch f.name {
	case "PCMU", "PCMA":
		if c.ClockRate != 8000 {
			return f, fmt.Errorf("%w: %s at %d Hz", ErrUnsupported, f.name, c.ClockRate)
		}
		f.rate, f.alaw = 8000, f.name == "PCMA"
	case "G722":
		f.av, f.rate = av.G722, 16000
	case "OPUS":
		if c.ClockRate != 48000 {
			return f, fmt.Errorf("%w: Opus at %d Hz", ErrUnsupported, c.ClockRate)
		}
		f.av, f.rate = av.Opus, 48000
		if fmtpValue(c.FMTP, "stereo", "0") == "1" {
			f.channels = 2
		}
	case "MPEG4-GENERIC":
		if !strings.EqualFold(fmtpValue(c.FMTP, "mode", ""), "AAC-hbr") {
			return f, fmt.Errorf("%w: MPEG4-GENERIC mode %q (only AAC-hbr)", ErrUnsupported, fmtpValue(c.FMTP, "mode", ""))
		}
		if c.ClockRate < 8000 || c.ClockRate > 96000 {
			return f, fmt.Errorf("%w: AAC at %d Hz", ErrUnsupported, c.ClockRate)
		}
		f.av, f.rate = av.AAC, int(c.ClockRate)
		if c.Channels == 2 {
			f.channels = 2
		}
	case "H264":
		f.video, f.av = true, av.H264
		mode, err := strconv.Atoi(fmtpValue(c.FMTP, "packetization-mode", "0"))
		if err != nil || mode < 0 || mode > 1 {
			return f, fmt.Errorf("%w: H.264 packetization-mode %q", ErrUnsupported, fmtpValue(c.FMTP, "packetization-mode", ""))
		}
		f.h264Mode = mode
		f.h264Profile, f.h264Level = parseProfileLevel(fmtpValue(c.FMTP, "profile-level-id", "42e01f"))
	case "VP8":
		f.video, f.av = true, av.VP8
	case "H263":
		f.video, f.av = true, av.H263
	case "H263-1998", "H263-2000":
		f.video, f.av = true, av.H263P
	default:
		return f, fmt.Errorf("%w: %s", ErrUnsupported, c.Name)
	}
	if f.video {
		if v, err := strconv.Atoi(fmtpValue(c.FMTP, "max-fs", "0")); err == nil && v > 0 {
			f.maxFS = v
		}
	}
	if f.video && c.ClockRate != 90000 {
		return f, fmt.Errorf("%w: %s at %d Hz", ErrUnsupported, f.name, c.ClockRate)
	}
	if f.av != 0 && !f.av.Available() {
		return f, fmt.Errorf("%w: this build's FFmpeg lacks %s", ErrUnsupported, f.av)
	}
	return f, nil
}

// parseProfileLevel reads an H.264 profile-level-id: the profile we encode
// (constrained baseline for anything baseline-like) and level_idc.
func parseProfileLevel(v string) (profile string, level int) {
	profile, level = "baseline", 31
	if len(v) != 6 {
		return
	}
	b, err := strconv.ParseUint(v, 16, 32)
	if err != nil {
		return
	}
	idc, constraints := byte(b>>16), byte(b>>8)
	level = int(byte(b))
	if level == 11 && constraints&0x10 != 0 && idc == 66 {
		level = 10 // level 1b in baseline
	}
	switch {
	case idc == 77 || idc == 88:
		profile = "main"
	case idc >= 100:
		profile = "high"
	}
	return profile, level
}

// h264MaxMacroblocks returns MaxFS of an H.264 level (Table A-1).
func h264MaxMacroblocks(level int) int {
	switch {
	case level <= 10:
		return 99
	case level <= 20:
		return 396
	case level == 21:
		return 792
	case level <= 30:
		return 1620
	case level == 31:
		return 3600
	case level == 32:
		return 5120
	case level <= 42:
		return 8192
	case level == 50:
		return 22080
	}
	return 36864
}

// fmtpValue returns the value of one key in an fmtp string, or def.
func fmtpValue(fmtp, key, def string) string {
	for part := range strings.SplitSeq(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v)
		}
	}
	return def
}

// Supported reports whether the transcoder can decode and encode c.
func Supported(c call.Codec) bool {
	_, err := parseFormat(c)
	return err == nil
}

// CanTranscode reports whether a Path from one codec to the other can be
// built: both supported and both audio or both video.
func CanTranscode(from, to call.Codec) bool {
	a, err1 := parseFormat(from)
	b, err2 := parseFormat(to)
	return err1 == nil && err2 == nil && a.video == b.video
}

// Video reports whether a supported codec is a video codec.
func Video(c call.Codec) bool {
	f, err := parseFormat(c)
	return err == nil && f.video
}

// transcodable lists, per role, the codecs Extend offers after the
// caller's, in preference order, with the payload types they take when
// free.
var (
	extraAudio = []call.Codec{
		{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2, FMTP: "minptime=10;useinbandfec=1"},
		{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1},
		{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1},
		{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1},
	}
	extraVideo = []call.Codec{
		{Name: "H264", PayloadType: 102, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1"},
		{Name: "VP8", PayloadType: 97, ClockRate: 90000},
		{Name: "H264", PayloadType: 103, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=0;level-asymmetry-allowed=1"},
		{Name: "H263-1998", PayloadType: 104, ClockRate: 90000, FMTP: "CIF=1;QCIF=1"},
		{Name: "H263", PayloadType: 34, ClockRate: 90000, FMTP: "CIF=1;QCIF=1"},
	}
)

// Extend returns a copy of offer in which every enabled audio and video
// stream that holds at least one codec the gateway can transcode also lists,
// after the caller's own codecs, the codecs the gateway can transcode to
// that the stream lacks. The far side may then answer with one of them and
// the bridge transcodes; when it picks one of the caller's codecs, media
// relays as before. Payload types are the usual ones where free, else the
// lowest free dynamic ones.
func Extend(offer call.Offer) call.Offer {
	out := call.Offer{Streams: make([]call.StreamOffer, len(offer.Streams))}
	for i, so := range offer.Streams {
		so.Codecs = append([]call.Codec(nil), so.Codecs...)
		out.Streams[i] = so
		if so.Disabled {
			continue
		}
		var extra []call.Codec
		switch so.Role {
		case call.RoleAudio:
			extra = extraAudio
		case call.RoleVideo, call.RoleContent:
			extra = extraVideo
		default:
			continue
		}
		decodable := false
		for _, c := range so.Codecs {
			if Supported(c) {
				decodable = true
				break
			}
		}
		if !decodable {
			continue
		}
		used := map[uint8]bool{}
		for _, c := range so.Codecs {
			used[c.PayloadType] = true
		}
		for _, c := range extra {
			if hasFormat(out.Streams[i].Codecs, c) || !Supported(c) {
				continue
			}
			if used[c.PayloadType] {
				pt, ok := freeDynamic(used)
				if !ok {
					break
				}
				c.PayloadType = pt
			}
			used[c.PayloadType] = true
			out.Streams[i].Codecs = append(out.Streams[i].Codecs, c)
		}
	}
	return out
}

func hasFormat(cs []call.Codec, c call.Codec) bool {
	for _, x := range cs {
		if x.SameFormat(c) {
			return true
		}
	}
	return false
}

func freeDynamic(used map[uint8]bool) (uint8, bool) {
	for pt := uint8(96); pt < 128; pt++ {
		if !used[pt] {
			return pt, true
		}
	}
	return 0, false
}

// TranscodableFrom returns the first of the caller's codecs (in its order)
// that the transcoder can convert to or from 'other': what a gateway answers
// the caller with when the far side chose 'other' and the caller does not
// have it. Telephone-events and other non-media formats are skipped.
func TranscodableFrom(callerCodecs []call.Codec, other call.Codec) (call.Codec, bool) {
	for _, c := range callerCodecs {
		if CanTranscode(c, other) && CanTranscode(other, c) {
			return c, true
		}
	}
	return call.Codec{}, false
}
