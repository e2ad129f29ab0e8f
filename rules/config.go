package rules

import (
	"fmt"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// Config is the dial plan as written in the configuration file, under the
// top-level key dialplan:. The zero Config is valid and routes nothing but
// the built-in services. Validate checks it; New compiles it.
type Config struct {
	// InternationalPrefix replaces the leading '+' of tel: numbers (for
	// example "00"); a trunk's own prefix overrides it. Empty: keep '+'.
	InternationalPrefix string `yaml:"international_prefix" json:"international_prefix,omitempty"`
	// LocalDomains are the host parts that mean "this gateway": a dialed
	// user@host whose host is one of them (or an IP literal, or
	// localhost) also matches services and aliases by its user part.
	LocalDomains []string `yaml:"local_domains" json:"local_domains,omitempty"`
	// Services are the gateway's own services, checked first. The
	// built-ins (see DefaultConfig) are present even when not listed.
	Services []Service `yaml:"services" json:"services,omitempty"`
	// Aliases map a name to a call string; checked after services and
	// before rules.
	Aliases []Alias `yaml:"aliases" json:"aliases,omitempty"`
	// Trunks are where outbound calls go: SIP proxies, gatekeepers, VoIP
	// servers. Rules and roles refer to them by name.
	Trunks []Trunk `yaml:"trunks" json:"trunks,omitempty"`
	// Rules are the routing rules, checked in priority order.
	Rules []Rule `yaml:"rules" json:"rules,omitempty"`
}

// Service is a local service reached by one of its aliases.
type Service struct {
	// Name is unique among services. A service named like a built-in
	// (echo, testsrc) replaces it; kind and aliases then default to the
	// built-in's.
	Name string      `yaml:"name" json:"name"`
	Kind ServiceKind `yaml:"kind" json:"kind"`
	// Aliases are matched case-insensitively.
	Aliases []string `yaml:"aliases" json:"aliases,omitempty"`
	// Enabled defaults to true.
	Enabled *bool `yaml:"enabled" json:"enabled,omitempty"`
}

// Alias is a name that stands for a call string.
type Alias struct {
	// Name is matched case-insensitively; at most MaxAliasNameLen
	// characters.
	Name string `yaml:"name" json:"name"`
	// Target is a call string (rtsp://..., sip:..., tel:...) or another
	// alias or service alias, or a plain alias for the rules.
	Target string `yaml:"target" json:"target"`
}

// MaxAliasNameLen is the longest alias name, in characters.
const MaxAliasNameLen = 64

// Trunk is a SIP trunk or proxy, or an H.323 gatekeeper, as the dial plan
// sees it: where calls go and with which defaults.
type Trunk struct {
	Name     string       `yaml:"name" json:"name"`
	Protocol ProtocolName `yaml:"protocol" json:"protocol"` // sip | h323
	Host     string       `yaml:"host" json:"host"`
	// Port 0 is the default: 5060 for SIP (5061 with tls), 1720 for H.323.
	Port int `yaml:"port" json:"port,omitempty"`
	// Transport is for SIP only: udp, tcp or tls. Empty: the address's own,
	// else UDP.
	Transport Transport `yaml:"transport" json:"transport,omitempty"`
	Roles     []Role    `yaml:"roles" json:"roles,omitempty"`
	// InternationalPrefix overrides Config.InternationalPrefix for tel:
	// numbers sent through this trunk.
	InternationalPrefix string `yaml:"international_prefix" json:"international_prefix,omitempty"`
}

// EffectivePort returns the trunk's port, or the protocol default.
func (t Trunk) EffectivePort() int {
	switch {
	case t.Port != 0:
		return t.Port
	case strings.EqualFold(string(t.Protocol), "h323"):
		return 1720
	case strings.EqualFold(string(t.Transport), "tls"):
		return 5061
	}
	return 5060
}

// Rule is one routing rule.
type Rule struct {
	// Name is unique and required.
	Name string `yaml:"name" json:"name"`
	// Priority orders the rules: lower first; ties keep file order.
	Priority int `yaml:"priority" json:"priority"`
	// Enabled defaults to true.
	Enabled *bool `yaml:"enabled" json:"enabled,omitempty"`
	// Match is an RE2 expression that must match the whole alias.
	Match string `yaml:"match" json:"match"`
	// MatchFullURI matches the dialed string as received (trimmed) instead
	// of StripAlias of it.
	MatchFullURI bool `yaml:"match_full_uri" json:"match_full_uri,omitempty"`
	// Replace is a template with $1..$9, ${n} and ${name}; empty keeps the
	// dialed string.
	Replace string `yaml:"replace" json:"replace,omitempty"`
	// FromProtocols restricts the inbound protocol; empty: any.
	FromProtocols []ProtocolName `yaml:"from_protocols" json:"from_protocols,omitempty"`
	// OnlyRegistered restricts the rule to registered callers.
	OnlyRegistered bool `yaml:"only_registered" json:"only_registered,omitempty"`
	// Directions defaults to [incoming].
	Directions []DirectionName `yaml:"directions" json:"directions,omitempty"`
	// Sources are CIDRs, IP addresses or trunk names; empty: any.
	Sources []string `yaml:"sources" json:"sources,omitempty"`
	// Target is the outbound protocol; empty: the scheme of the result.
	Target TargetKind `yaml:"target" json:"target,omitempty"`
	// Trunk is the trunk (proxy, gatekeeper) to send through.
	Trunk         string   `yaml:"trunk" json:"trunk,omitempty"`
	CallType      CallType `yaml:"call_type" json:"call_type,omitempty"`
	MaxBitrateIn  int      `yaml:"max_bitrate_in" json:"max_bitrate_in,omitempty"`
	MaxBitrateOut int      `yaml:"max_bitrate_out" json:"max_bitrate_out,omitempty"`
	Codecs        []Codec  `yaml:"codecs" json:"codecs,omitempty"`
	SRTP          SRTPMode `yaml:"srtp" json:"srtp,omitempty"`
	DTMF          DTMFMode `yaml:"dtmf" json:"dtmf,omitempty"`
	// Content and FECC default to true.
	Content   *bool     `yaml:"content" json:"content,omitempty"`
	FECC      *bool     `yaml:"fecc" json:"fecc,omitempty"`
	OnFailure OnFailure `yaml:"on_failure" json:"on_failure,omitempty"`
}

// DefaultConfig returns the dial plan with only the built-in services:
// echo (alias "echo") and testsrc (alias "testsrc").
func DefaultConfig() Config {
	return Config{Services: builtinServices()}
}

func builtinServices() []Service {
	return []Service{
		{Name: "echo", Kind: ServiceEcho, Aliases: []string{"echo"}},
		{Name: "testsrc", Kind: ServiceTestSrc, Aliases: []string{"testsrc"}},
	}
}

// Bool returns a pointer to b, for the optional booleans of the
// configuration.
func Bool(b bool) *bool { return &b }

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// ServiceKind is what a local service does.
type ServiceKind string

// The service kinds.
const (
	ServiceEcho    ServiceKind = "echo"    // plays the caller's media back
	ServiceTestSrc ServiceKind = "testsrc" // sends a test pattern and tone
)

// Valid reports whether k is a known kind.
func (k ServiceKind) Valid() bool {
	_, ok := canonical(k, ServiceEcho, ServiceTestSrc)
	return ok
}

// ProtocolName is a protocol as written in the configuration: sip, h323,
// webrtc, rtsp or rtmp (any case).
type ProtocolName string

// Protocol returns the protocol named, or an error.
func (p ProtocolName) Protocol() (call.Protocol, error) {
	proto, err := call.ParseProtocol(string(p))
	if err != nil || proto == call.ProtocolLocal {
		return call.ProtocolUnknown, fmt.Errorf("unknown protocol %q (want sip, h323, webrtc, rtsp or rtmp)", string(p))
	}
	return proto, nil
}

// Role is a trunk's default role. At most one trunk holds each role.
type Role string

// The roles.
const (
	// RoleDefaultSIPTrunk completes sip:user (no host); a SIP trunk.
	RoleDefaultSIPTrunk Role = "default_sip_trunk"
	// RoleDefaultGatekeeper completes h323:alias (no host); an H.323 trunk.
	RoleDefaultGatekeeper Role = "default_gatekeeper"
	// RoleDefaultVoIP carries tel: numbers; SIP or H.323.
	RoleDefaultVoIP Role = "default_voip"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	_, ok := canonical(r, RoleDefaultSIPTrunk, RoleDefaultGatekeeper, RoleDefaultVoIP)
	return ok
}

// Transport is a SIP transport: udp, tcp or tls.
type Transport string

// The SIP transports.
const (
	TransportUDP Transport = "udp"
	TransportTCP Transport = "tcp"
	TransportTLS Transport = "tls"
)

// Valid reports whether t is a known transport.
func (t Transport) Valid() bool {
	_, ok := canonical(t, TransportUDP, TransportTCP, TransportTLS)
	return ok
}

// DirectionName is a call direction as written in a rule: incoming (calls
// that arrive at the gateway) or outgoing (dial-outs requested through the
// API).
type DirectionName string

// The direction names.
const (
	DirectionNameIncoming DirectionName = "incoming"
	DirectionNameOutgoing DirectionName = "outgoing"
)

// Direction returns the direction named.
func (d DirectionName) Direction() (Direction, bool) {
	switch v, _ := canonical(d, DirectionNameIncoming, DirectionNameOutgoing); v {
	case DirectionNameIncoming:
		return DirectionIncoming, true
	case DirectionNameOutgoing:
		return DirectionOutgoing, true
	}
	return 0, false
}

// TargetKind is the outbound side of a rule.
type TargetKind string

// The targets.
const (
	TargetSIP    TargetKind = "sip"
	TargetH323   TargetKind = "h323"
	TargetWebRTC TargetKind = "webrtc"
	TargetRTSP   TargetKind = "rtsp"
	TargetRTMP   TargetKind = "rtmp"
	// TargetRegistered delivers to a contact registered with the gateway.
	TargetRegistered TargetKind = "registered"
)

// Valid reports whether t is a known target (the empty target is valid:
// the result's scheme decides).
func (t TargetKind) Valid() bool {
	if t == "" {
		return true
	}
	_, ok := canonical(t, TargetSIP, TargetH323, TargetWebRTC, TargetRTSP, TargetRTMP, TargetRegistered)
	return ok
}

// protocol returns the protocol of a target; Unknown for "" and registered.
func (t TargetKind) protocol() call.Protocol {
	switch v, _ := canonical(t, TargetSIP, TargetH323, TargetWebRTC, TargetRTSP, TargetRTMP); v {
	case TargetSIP:
		return call.ProtocolSIP
	case TargetH323:
		return call.ProtocolH323
	case TargetWebRTC:
		return call.ProtocolWebRTC
	case TargetRTSP:
		return call.ProtocolRTSP
	case TargetRTMP:
		return call.ProtocolRTMP
	}
	return call.ProtocolUnknown
}

// OnFailure says what the gateway does when the dial-out of a rule fails.
type OnFailure string

// The failure actions.
const (
	// OnFailureStop ends the call with the dial-out's cause (the default).
	OnFailureStop OnFailure = "stop"
	// OnFailureContinue tries the next matching rule.
	OnFailureContinue OnFailure = "continue"
)

// Valid reports whether o is a known action (empty means stop).
func (o OnFailure) Valid() bool {
	if o == "" {
		return true
	}
	_, ok := canonical(o, OnFailureStop, OnFailureContinue)
	return ok
}

// canonical finds v among the allowed values, in any case, and returns the
// allowed spelling.
func canonical[T ~string](v T, allowed ...T) (T, bool) {
	for _, a := range allowed {
		if strings.EqualFold(string(v), string(a)) {
			return a, true
		}
	}
	return "", false
}
