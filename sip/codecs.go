package sip

import (
	"strings"

	"github.com/switchyard/switchyard/call"
)

// staticCodec is a payload type that RFC 3551 assigns, usable without a=rtpmap.
type staticCodec struct {
	name     string
	rate     uint32
	channels uint8
	video    bool
}

// staticPayloads lists the RFC 3551 static payload types a SIP peer may use
// without a=rtpmap.
var staticPayloads = map[uint8]staticCodec{
	0:  {"PCMU", 8000, 1, false},
	3:  {"GSM", 8000, 1, false},
	4:  {"G723", 8000, 1, false},
	8:  {"PCMA", 8000, 1, false},
	9:  {"G722", 8000, 1, false},
	13: {"CN", 8000, 1, false},
	15: {"G728", 8000, 1, false},
	18: {"G729", 8000, 1, false},
	26: {"JPEG", 90000, 0, true},
	31: {"H261", 90000, 0, true},
	34: {"H263", 90000, 0, true},
}

// trimmablePayloads are the static payload types whose a=rtpmap trim_sdp drops.
func trimmablePayload(pt uint8) bool { return pt == 0 || pt == 8 || pt == 9 || pt == 18 }

const telephoneEvent = "TELEPHONE-EVENT"

// auxiliaryCodec reports formats that are not media codecs a gateway can
// choose: comfort noise, DTMF events, redundancy, FEC and retransmission.
func auxiliaryCodec(name string) bool {
	switch strings.ToUpper(name) {
	case "CN", telephoneEvent, "RED", "ULPFEC", "FLEXFEC", "FLEXFEC-03", "RTX":
		return true
	}
	return false
}

// allowList names the codec names of dial-plan rules (pcmu, h264-main, ...).
var allowListNames = []string{"pcmu", "pcma", "g722", "g7221", "opus", "aac",
	"h264", "h264-baseline", "h264-main", "h264-high", "vp8", "vp9", "h263", "h263-1998", "h261"}

func knownCodecName(name string) bool {
	for _, n := range allowListNames {
		if strings.EqualFold(n, strings.TrimSpace(name)) {
			return true
		}
	}
	return false
}

// codecAllowed reports whether the codec passes an allow-list of rule codec
// names; an empty list allows every codec. DTMF events and comfort noise
// always pass.
func codecAllowed(c call.Codec, allow []string) bool {
	if len(allow) == 0 || auxiliaryCodec(c.Name) {
		return true
	}
	for _, a := range allow {
		if codecMatchesName(c, a) {
			return true
		}
	}
	return false
}

func codecMatchesName(c call.Codec, name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	enc := strings.ToUpper(c.Name)
	switch n {
	case "pcmu", "pcma", "g722", "opus", "vp8", "vp9", "h261", "h263", "h263-1998":
		return enc == strings.ToUpper(n)
	case "g7221":
		return enc == "G7221"
	case "aac":
		return enc == "MP4A-LATM" || enc == "MPEG4-GENERIC"
	case "h264":
		return enc == "H264"
	case "h264-baseline", "h264-main", "h264-high":
		if enc != "H264" {
			return false
		}
		return h264ProfileName(c.FMTP) == strings.TrimPrefix(n, "h264-")
	}
	return false
}

// h264ProfileName classifies an H.264 fmtp's profile-level-id as baseline
// (including constrained baseline), main or high. A missing
// profile-level-id means baseline (RFC 6184).
func h264ProfileName(fmtp string) string {
	v := ""
	for part := range strings.SplitSeq(fmtp, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "profile-level-id") {
			v = strings.ToLower(strings.TrimSpace(val))
		}
	}
	if len(v) < 2 {
		return "baseline"
	}
	switch v[:2] {
	case "42":
		return "baseline"
	case "4d":
		return "main"
	case "58":
		return "extended"
	case "64", "6e", "7a", "f4":
		return "high"
	}
	return "other"
}

// filterCodecs returns the codecs that pass both allow-lists, in order.
func filterCodecs(cs []call.Codec, lists ...[]string) []call.Codec {
	out := make([]call.Codec, 0, len(cs))
	for _, c := range cs {
		ok := true
		for _, l := range lists {
			if !codecAllowed(c, l) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}
