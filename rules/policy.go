package rules

import "strings"

// MediaPolicy is what a rule allows on the call it routes.
type MediaPolicy struct {
	CallType CallType `json:"call_type"`
	// MaxBitrateIn and MaxBitrateOut cap the media bitrate in kbit/s,
	// towards the gateway and towards the far side; 0 means no cap.
	MaxBitrateIn  int `json:"max_bitrate_in"`
	MaxBitrateOut int `json:"max_bitrate_out"`
	// Codecs is the allow-list; empty allows every codec. It is shared
	// between decisions and must not be modified.
	Codecs []Codec  `json:"codecs,omitempty"`
	SRTP   SRTPMode `json:"srtp"`
	DTMF   DTMFMode `json:"dtmf"`
	// Content (presentation) and FECC (far-end camera control) are
	// effective values: false when the call type has no content, or no
	// video, even if the rule left them on.
	Content bool `json:"content"`
	FECC    bool `json:"fecc"`
}

// DefaultPolicy is the policy of aliases and of rules that set nothing:
// video with content, no bitrate cap, every codec, SRTP when the far side
// offers it, RFC 4733 DTMF, content and FECC on.
func DefaultPolicy() MediaPolicy {
	return MediaPolicy{
		CallType: CallTypeVideoContent,
		SRTP:     SRTPBestEffort,
		DTMF:     DTMFRFC4733,
		Content:  true,
		FECC:     true,
	}
}

// CallType is which media a call may carry.
type CallType string

// The call types.
const (
	CallTypeAudio        CallType = "audio"
	CallTypeVideo        CallType = "video"
	CallTypeVideoContent CallType = "video+content"
)

// Valid reports whether c is a known call type (empty means the default).
func (c CallType) Valid() bool {
	if c == "" {
		return true
	}
	_, ok := canonical(c, CallTypeAudio, CallTypeVideo, CallTypeVideoContent)
	return ok
}

// SRTPMode is the media encryption policy.
type SRTPMode string

// The SRTP modes.
const (
	SRTPOff        SRTPMode = "off"
	SRTPBestEffort SRTPMode = "best-effort"
	SRTPRequired   SRTPMode = "required"
)

// Valid reports whether m is a known mode (empty means the default).
func (m SRTPMode) Valid() bool {
	if m == "" {
		return true
	}
	_, ok := canonical(m, SRTPOff, SRTPBestEffort, SRTPRequired)
	return ok
}

// DTMFMode is how DTMF digits are sent on the outbound leg.
type DTMFMode string

// The DTMF modes.
const (
	DTMFRFC4733 DTMFMode = "rfc4733"
	DTMFInfo    DTMFMode = "info"
	DTMFInband  DTMFMode = "inband"
)

// Valid reports whether m is a known mode (empty means the default).
func (m DTMFMode) Valid() bool {
	if m == "" {
		return true
	}
	_, ok := canonical(m, DTMFRFC4733, DTMFInfo, DTMFInband)
	return ok
}

// Codec names a codec in a rule's allow-list.
type Codec string

// The codec names.
const (
	CodecPCMU         Codec = "pcmu"
	CodecPCMA         Codec = "pcma"
	CodecG722         Codec = "g722"
	CodecG7221        Codec = "g7221"
	CodecOpus         Codec = "opus"
	CodecAAC          Codec = "aac"
	CodecH264         Codec = "h264"
	CodecH264Baseline Codec = "h264-baseline"
	CodecH264Main     Codec = "h264-main"
	CodecH264High     Codec = "h264-high"
	CodecVP8          Codec = "vp8"
	CodecVP9          Codec = "vp9"
	CodecH263         Codec = "h263"
	CodecH2631998     Codec = "h263-1998"
	CodecH261         Codec = "h261"
)

// Codecs lists every codec name a rule may use.
func Codecs() []Codec {
	return []Codec{CodecPCMU, CodecPCMA, CodecG722, CodecG7221, CodecOpus, CodecAAC,
		CodecH264, CodecH264Baseline, CodecH264Main, CodecH264High,
		CodecVP8, CodecVP9, CodecH263, CodecH2631998, CodecH261}
}

// Valid reports whether c is a known codec name.
func (c Codec) Valid() bool {
	_, ok := canonical(c, Codecs()...)
	return ok
}

// policyOf applies a rule's media settings over the defaults. The rule
// must have passed validation.
func policyOf(r *Rule) MediaPolicy {
	p := DefaultPolicy()
	if v, ok := canonical(r.CallType, CallTypeAudio, CallTypeVideo, CallTypeVideoContent); ok {
		p.CallType = v
	}
	if v, ok := canonical(r.SRTP, SRTPOff, SRTPBestEffort, SRTPRequired); ok {
		p.SRTP = v
	}
	if v, ok := canonical(r.DTMF, DTMFRFC4733, DTMFInfo, DTMFInband); ok {
		p.DTMF = v
	}
	p.MaxBitrateIn, p.MaxBitrateOut = r.MaxBitrateIn, r.MaxBitrateOut
	for _, c := range r.Codecs {
		p.Codecs = append(p.Codecs, Codec(strings.ToLower(string(c))))
	}
	p.Content = boolOr(r.Content, true) && p.CallType == CallTypeVideoContent
	p.FECC = boolOr(r.FECC, true) && p.CallType != CallTypeAudio
	return p
}
