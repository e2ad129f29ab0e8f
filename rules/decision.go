package rules

import (
	"fmt"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// DecisionKind says what a decision does with the call.
type DecisionKind uint8

// The kinds of decision.
const (
	DecisionNone DecisionKind = iota
	// DecisionService answers the call with a local service.
	DecisionService
	// DecisionGateway dials the destination on the target protocol and
	// bridges the two legs.
	DecisionGateway
)

// String returns "service", "gateway" or "none".
func (k DecisionKind) String() string {
	switch k {
	case DecisionService:
		return "service"
	case DecisionGateway:
		return "gateway"
	}
	return "none"
}

// MarshalText implements encoding.TextMarshaler.
func (k DecisionKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *DecisionKind) UnmarshalText(b []byte) error {
	for _, v := range []DecisionKind{DecisionNone, DecisionService, DecisionGateway} {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("unknown decision kind %q", b)
}

// Decision is one way to complete a call.
type Decision struct {
	Kind DecisionKind `json:"kind"`
	// Service is the service kind for DecisionService ("echo",
	// "testsrc"); ServiceName is the service's configured name.
	Service     string `json:"service,omitempty"`
	ServiceName string `json:"service_name,omitempty"`
	// Rule is the rule that matched; "" for aliases and services.
	Rule string `json:"rule,omitempty"`
	// Alias is the alias that matched (the first of a chain).
	Alias string `json:"alias,omitempty"`
	// Dialed is the dialed string as received.
	Dialed string `json:"dialed"`
	// Transformed is the destination after replace, alias and default
	// route expansion, with any URL password masked. Dial Destination,
	// not this string.
	Transformed string `json:"transformed,omitempty"`
	// Target is the outbound protocol (ProtocolLocal for a service;
	// ProtocolUnknown for a registered contact whose protocol the
	// registrar knows).
	Target call.Protocol `json:"target"`
	// ToRegistered delivers the call to a contact registered with the
	// gateway (target: registered).
	ToRegistered bool `json:"to_registered,omitempty"`
	// Destination is the address to dial.
	Destination Address `json:"destination"`
	// Trunk is the trunk (proxy, gatekeeper) the call goes through; ""
	// when the destination is dialed directly.
	Trunk     string      `json:"trunk,omitempty"`
	Policy    MediaPolicy `json:"policy"`
	OnFailure OnFailure   `json:"on_failure"`
}

func (e *Engine) serviceDecision(req *Request, svc *service, first string) Decision {
	return Decision{
		Kind:        DecisionService,
		Service:     string(svc.kind),
		ServiceName: svc.name,
		Alias:       first,
		Dialed:      req.Dialed,
		Transformed: string(svc.kind),
		Target:      call.ProtocolLocal,
		Policy:      DefaultPolicy(),
		OnFailure:   OnFailureStop,
	}
}

// ruleDecision transforms the dialed string with a rule that matched.
func (e *Engine) ruleDecision(r *rule, req *Request, dialed, subject string, ascii bool, first string) (Decision, error) {
	result := dialed
	switch {
	case r.replace == "":
	case r.literal:
		result = r.replace
	default:
		var groups [2 * maxFastGroups]int
		var m []int
		if r.fast != nil && ascii {
			m = groups[:2*len(r.fast.spans)]
			r.fast.match(subject, m)
		} else {
			m = r.re.FindStringSubmatchIndex(subject)
		}
		var buf [256]byte
		result = string(r.re.ExpandString(buf[:0], r.replace, subject, m))
	}
	d, err := e.destination(result, via{rule: r.name, target: r.target, trunk: r.trunk}, dtmfOf(dialed))
	if err != nil {
		return Decision{}, err
	}
	d.Rule, d.Alias, d.Dialed = r.name, first, req.Dialed
	d.Policy, d.OnFailure = r.policy, r.onFailure
	return d, nil
}

// via is what a destination is built for: a rule (with its target and
// trunk) or an alias.
type via struct {
	rule   string
	alias  string
	target TargetKind
	trunk  *trunk
}

func (v via) String() string {
	if v.rule != "" {
		return fmt.Sprintf("rule %q", v.rule)
	}
	return fmt.Sprintf("alias %q", v.alias)
}

// dtmfOf returns the ^DTMF suffix of a clean dialed string.
func dtmfOf(dialed string) string {
	if inner, ok := splitDisplay(dialed); ok {
		dialed = inner
	}
	if sc, _, ok := splitScheme(dialed); ok && sc.url {
		return ""
	}
	_, d := splitDTMF(dialed)
	return d
}

// destination turns a transform result into a dialable address: it parses
// the call string, applies the target protocol to a plain result, sends
// tel: numbers through the VoIP trunk, completes a missing host from the
// trunk or the default trunk of the protocol, fills port and transport
// from the trunk, and validates. Every failure is InvalidTransform.
func (e *Engine) destination(result string, v via, dtmf string) (Decision, error) {
	fail := func(format string, args ...any) error {
		return &call.Error{Cause: call.InvalidTransform,
			Detail: fmt.Sprintf("%s: result %q: %s", v, result, fmt.Sprintf(format, args...))}
	}
	addr, err := ParseCallString(result)
	if err != nil {
		return Decision{}, fail("not a call string: %s", detailOf(err))
	}
	d := Decision{Kind: DecisionGateway}
	tp := v.target.protocol()
	t := v.trunk
	fromTrunk := false

	switch {
	case addr.Scheme == "tel":
		if v.target == TargetRegistered || (v.target != "" && tp != call.ProtocolSIP && tp != call.ProtocolH323) {
			return Decision{}, fail("a tel: number cannot go to a %s target", v.target)
		}
		if t == nil {
			t = e.defaultVoIP
		}
		if t == nil {
			return Decision{}, fail("a tel: number needs the rule's trunk or a trunk with the default_voip role")
		}
		if tp != call.ProtocolUnknown && t.proto != tp {
			return Decision{}, fail("the target is %s but trunk %q is %s", v.target, t.name, t.proto)
		}
		addr = telAddress(addr, t, e.intlPrefix)
		fromTrunk = true
	case addr.Scheme == "":
		switch {
		case v.target == TargetRegistered:
			d.ToRegistered = true
		case tp == call.ProtocolWebRTC:
			d.Target = call.ProtocolWebRTC
		case tp == call.ProtocolRTSP || tp == call.ProtocolRTMP:
			return Decision{}, fail("a %s target needs a %s:// URL, not a plain alias", v.target, v.target)
		default:
			proto := tp
			if proto == call.ProtocolUnknown && t != nil {
				proto = t.proto
			}
			if proto == call.ProtocolUnknown {
				return Decision{}, fail("a plain alias needs a target protocol (the rule has no target and no trunk)")
			}
			scheme := "sip"
			if proto == call.ProtocolH323 {
				scheme = "h323"
			}
			plain := addr.String()
			if addr, err = ParseCallString(scheme + ":" + plain); err != nil {
				return Decision{}, fail("%s:%s is not a call string: %s", scheme, plain, detailOf(err))
			}
		}
	default:
		switch {
		case v.target == TargetRegistered:
			if addr.Protocol != call.ProtocolSIP && addr.Protocol != call.ProtocolH323 {
				return Decision{}, fail("a registered target needs a sip:, h323: or plain result, not %s:", addr.Scheme)
			}
			d.ToRegistered = true
		case v.target != "" && addr.Protocol != tp:
			return Decision{}, fail("the rule's target is %s but the result is a %s address", v.target, addr.Protocol)
		}
	}

	if !d.ToRegistered && (addr.Protocol == call.ProtocolSIP || addr.Protocol == call.ProtocolH323) {
		if t != nil && t.proto != addr.Protocol {
			return Decision{}, fail("trunk %q is %s but the result is a %s address", t.name, t.proto, addr.Protocol)
		}
		if t == nil {
			t = e.trunkAt(addr.Protocol, addr.Host)
		}
		if addr.Host == "" {
			if t == nil {
				t = e.defaultSIP
				role := RoleDefaultSIPTrunk
				if addr.Protocol == call.ProtocolH323 {
					t, role = e.defaultGK, RoleDefaultGatekeeper
				}
				if t == nil {
					return Decision{}, fail("no host, and no trunk has the %s role", role)
				}
			}
			addr.Host = t.host
			fromTrunk = true
		}
		if t != nil {
			if addr.Port == 0 && (fromTrunk || strings.EqualFold(addr.Host, t.host)) {
				addr.Port = t.port
			}
			if addr.Protocol == call.ProtocolSIP && addr.Transport == "" {
				addr.Transport = t.transport
			}
			d.Trunk = t.name
		}
	}
	if addr.DTMF == "" {
		addr.DTMF = dtmf
	}
	if err := addr.Validate(); err != nil {
		proto := addr.Protocol.String()
		if addr.Scheme == "" {
			proto = "plain"
		}
		return Decision{}, fail("not a valid %s destination: %s", proto, detailOf(err))
	}
	if d.Target == call.ProtocolUnknown {
		d.Target = addr.Protocol
	}
	d.Destination = addr
	d.Transformed = addr.Redacted()
	d.Policy, d.OnFailure = DefaultPolicy(), OnFailureStop
	return d, nil
}

// telAddress turns a tel: number into a SIP or H.323 address at the
// trunk, replacing a leading '+' with the trunk's international prefix (or
// the global one) when set.
func telAddress(tel Address, t *trunk, globalPrefix string) Address {
	num := tel.User
	if strings.HasPrefix(num, "+") {
		prefix := t.intlPrefix
		if prefix == "" {
			prefix = globalPrefix
		}
		if prefix != "" {
			num = prefix + num[1:]
		}
	}
	a := Address{Protocol: t.proto, User: num, Host: t.host, DTMF: tel.DTMF}
	if t.proto == call.ProtocolH323 {
		a.Scheme = "h323"
	} else {
		a.Scheme = "sip"
		a.User = strings.ReplaceAll(num, "#", "%23")
	}
	return a
}
