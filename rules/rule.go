package rules

import (
	"net/netip"
	"regexp"
	"strings"
)

// rule is a compiled Rule.
type rule struct {
	name      string
	priority  int
	index     int // in the configuration file
	enabled   bool
	re        *regexp.Regexp
	fast      *fastMatcher // nil: run re
	fullURI   bool
	replace   string
	literal   bool   // replace has no '$': it is the result as written
	protoMask uint32 // bit per call.Protocol; 0 = any
	protocols []string
	dirMask   uint8 // bit per Direction
	onlyReg   bool
	prefixes  []netip.Prefix
	srcTrunks []*trunk
	sources   []string
	target    TargetKind
	trunk     *trunk
	policy    MediaPolicy
	onFailure OnFailure
}

func (e *Engine) compileRule(c *Rule, index int, m compiledMatch) *rule {
	r := &rule{
		name:      c.Name,
		priority:  c.Priority,
		index:     index,
		enabled:   boolOr(c.Enabled, true),
		re:        m.re,
		fast:      newFastMatcher(m.tree),
		fullURI:   c.MatchFullURI,
		replace:   c.Replace,
		literal:   !strings.Contains(c.Replace, "$"),
		onlyReg:   c.OnlyRegistered,
		sources:   c.Sources,
		trunk:     e.trunks[c.Trunk],
		policy:    policyOf(c),
		onFailure: OnFailureStop,
	}
	r.target, _ = canonical(c.Target, TargetSIP, TargetH323, TargetWebRTC, TargetRTSP, TargetRTMP, TargetRegistered)
	if v, ok := canonical(c.OnFailure, OnFailureStop, OnFailureContinue); ok {
		r.onFailure = v
	}
	for _, p := range c.FromProtocols {
		proto, _ := p.Protocol()
		r.protoMask |= 1 << proto
		r.protocols = append(r.protocols, proto.String())
	}
	for _, d := range c.Directions {
		dir, _ := d.Direction()
		r.dirMask |= 1 << dir
	}
	if r.dirMask == 0 {
		r.dirMask = 1 << DirectionIncoming
	}
	for _, s := range c.Sources {
		if p, err := netip.ParsePrefix(s); err == nil {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits())
			if p.Addr().Is4() && p.Bits() > 32 {
				p = netip.PrefixFrom(p.Addr(), p.Bits()-96)
			}
			r.prefixes = append(r.prefixes, p.Masked())
		} else if ip, err := netip.ParseAddr(s); err == nil {
			ip = ip.Unmap().WithZone("")
			r.prefixes = append(r.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
		} else {
			r.srcTrunks = append(r.srcTrunks, e.trunks[s])
		}
	}
	return r
}

// verdict is why a rule did or did not match a request.
type verdict uint8

const (
	verdictMatch verdict = iota
	verdictDisabled
	verdictDirection
	verdictProtocol
	verdictRegistered
	verdictSource
	verdictPattern
)

// screen runs the cheap checks, in the order Explain reports them.
func (r *rule) screen(req *Request, src netip.Addr) verdict {
	switch {
	case !r.enabled:
		return verdictDisabled
	case r.dirMask&(1<<req.Direction) == 0:
		return verdictDirection
	case r.protoMask != 0 && (req.Protocol > 31 || r.protoMask&(1<<req.Protocol) == 0):
		return verdictProtocol
	case r.onlyReg && !req.Registered:
		return verdictRegistered
	case !r.sourceAllowed(req, src):
		return verdictSource
	}
	return verdictMatch
}

// sourceAllowed checks the caller's address against the rule's CIDRs and
// IPs, and the call's trunk against the rule's trunk names (a trunk whose
// host is an IP literal also matches calls from that address).
func (r *rule) sourceAllowed(req *Request, src netip.Addr) bool {
	if len(r.prefixes) == 0 && len(r.srcTrunks) == 0 {
		return true
	}
	if src.IsValid() {
		for _, p := range r.prefixes {
			if p.Contains(src) {
				return true
			}
		}
	}
	for _, t := range r.srcTrunks {
		if req.Trunk == t.name || (t.ip.IsValid() && src == t.ip) {
			return true
		}
	}
	return false
}

// subject is the string a rule's expression is matched against.
func (r *rule) subject(in *subjects) (string, bool) {
	if r.fullURI {
		return in.full, in.fullASCII
	}
	return in.stripped, in.strippedASCII
}

// subjects are the two forms of a dialed string that rules match.
type subjects struct {
	stripped, full           string
	strippedASCII, fullASCII bool
}

func newSubjects(stripped, full string) subjects {
	return subjects{stripped: stripped, full: full, strippedASCII: isASCII(stripped), fullASCII: isASCII(full)}
}

// match runs the rule's expression over its subject.
func (r *rule) match(subj string, ascii bool) bool {
	if r.fast != nil && ascii {
		return r.fast.match(subj, nil)
	}
	return r.re.MatchString(subj)
}
