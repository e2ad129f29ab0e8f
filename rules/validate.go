package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/switchyard/switchyard/call"
)

// FieldError is a configuration error at one field of the dial plan.
// Field is the path inside the dialplan section, indexing lists as they
// are written in the file: "rules[3].match", "trunks[1].roles",
// "aliases[0].target".
type FieldError struct {
	Field string
	Err   error
}

// Error renders "field: reason".
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldPath returns the path of the field inside the dialplan section.
func (e *FieldError) FieldPath() string { return e.Field }

// Validate checks the configuration: unique rule, alias, service and trunk
// names; no alias equal to a service alias; alias names of at most 64
// characters; alias targets that parse; expressions that compile; replace
// templates that refer only to existing groups; known enum values, codecs
// and protocols; trunk references that exist; sources that are CIDRs, IP
// addresses or trunk names; at most one trunk per role, with a SIP trunk
// as default_sip_trunk and an H.323 trunk as default_gatekeeper;
// non-negative bitrates; digits-only international prefixes. Every
// problem is a *FieldError; several are joined with errors.Join.
func (c Config) Validate() error {
	_, err := c.check()
	return err
}

// checked is what validation learns and compilation reuses.
type checked struct {
	services []serviceEntry
	matches  []compiledMatch // by rule index in the file; zero if invalid
}

// compiledMatch is a rule's anchored expression and the parse tree of the
// expression as written, which the index reads literals from.
type compiledMatch struct {
	re   *regexp.Regexp
	tree *syntax.Regexp
}

// serviceEntry is a service with its defaults applied.
type serviceEntry struct {
	name    string
	kind    ServiceKind
	aliases []string
	enabled bool
	index   int // in Config.Services; -1 for a built-in not listed
}

type validator struct {
	errs []error
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Field: field, Err: fmt.Errorf(format, args...)})
}

func (c Config) check() (*checked, error) {
	v := &validator{}
	if err := checkPrefix(c.InternationalPrefix); err != nil {
		v.add("international_prefix", "%v", err)
	}
	for i, d := range c.LocalDomains {
		if err := checkHost(d); err != nil {
			v.add(fmt.Sprintf("local_domains[%d]", i), "%v", err)
		}
	}
	trunks := v.checkTrunks(c.Trunks)
	cc := &checked{}
	cc.services = v.checkServices(c)
	v.checkAliases(c, cc.services)
	cc.matches = v.checkRules(c.Rules, trunks)
	return cc, errors.Join(v.errs...)
}

// checkPrefix accepts an empty prefix or digits.
func checkPrefix(p string) error {
	if p != "" && !allDigits(p) {
		return fmt.Errorf("international prefix %q: digits only", p)
	}
	return nil
}

// checkTrunks validates the trunks and returns them by name.
func (v *validator) checkTrunks(trunks []Trunk) map[string]*Trunk {
	byName := make(map[string]*Trunk, len(trunks))
	firstIndex := make(map[string]int, len(trunks))
	holder := map[Role]int{}
	for i := range trunks {
		t := &trunks[i]
		at := func(f string) string { return fmt.Sprintf("trunks[%d].%s", i, f) }
		switch {
		case t.Name == "":
			v.add(at("name"), "required")
		case byName[t.Name] != nil:
			v.add(at("name"), "duplicate trunk name %q (also trunks[%d])", t.Name, firstIndex[t.Name])
		default:
			byName[t.Name] = t
			firstIndex[t.Name] = i
		}
		proto, err := t.Protocol.Protocol()
		if t.Protocol == "" {
			v.add(at("protocol"), "required (sip or h323)")
		} else if err != nil || (proto != call.ProtocolSIP && proto != call.ProtocolH323) {
			v.add(at("protocol"), "trunk protocol %q: want sip or h323", string(t.Protocol))
		}
		if err := checkHost(t.Host); err != nil {
			v.add(at("host"), "%v", err)
		}
		if t.Port < 0 || t.Port > 65535 {
			v.add(at("port"), "port %d out of range 1..65535", t.Port)
		}
		if t.Transport != "" {
			if proto == call.ProtocolH323 {
				v.add(at("transport"), "an H.323 trunk has no transport")
			} else if !t.Transport.Valid() {
				v.add(at("transport"), "unknown transport %q (want udp, tcp or tls)", string(t.Transport))
			}
		}
		if err := checkPrefix(t.InternationalPrefix); err != nil {
			v.add(at("international_prefix"), "%v", err)
		}
		seen := map[Role]bool{}
		for _, r := range t.Roles {
			role, ok := canonical(r, RoleDefaultSIPTrunk, RoleDefaultGatekeeper, RoleDefaultVoIP)
			switch {
			case !ok:
				v.add(at("roles"), "unknown role %q (want default_sip_trunk, default_gatekeeper or default_voip)", string(r))
				continue
			case seen[role]:
				v.add(at("roles"), "role %s listed twice", role)
				continue
			}
			seen[role] = true
			if role == RoleDefaultSIPTrunk && proto != call.ProtocolSIP {
				v.add(at("roles"), "default_sip_trunk must be a sip trunk, %q is %s", t.Name, string(t.Protocol))
			}
			if role == RoleDefaultGatekeeper && proto != call.ProtocolH323 {
				v.add(at("roles"), "default_gatekeeper must be an h323 trunk, %q is %s", t.Name, string(t.Protocol))
			}
			if j, dup := holder[role]; dup {
				v.add(at("roles"), "role %s is held by both trunk %q (trunks[%d]) and trunk %q (trunks[%d]); only one trunk may hold it",
					role, trunks[j].Name, j, t.Name, i)
				continue
			}
			holder[role] = i
		}
	}
	return byName
}

// checkServices validates the services and returns them with defaults
// applied and the built-ins that the file does not list.
func (v *validator) checkServices(c Config) []serviceEntry {
	var out []serviceEntry
	names := map[string]int{}
	owner := map[string]string{} // lower-case alias → field that claims it
	builtins := builtinServices()
	for i, s := range c.Services {
		at := func(f string) string { return fmt.Sprintf("services[%d].%s", i, f) }
		e := serviceEntry{name: s.Name, kind: s.Kind, aliases: s.Aliases, enabled: boolOr(s.Enabled, true), index: i}
		for _, b := range builtins {
			if strings.EqualFold(b.Name, s.Name) {
				if e.kind == "" {
					e.kind = b.Kind
				}
				if s.Aliases == nil {
					e.aliases = b.Aliases
				}
			}
		}
		key := strings.ToLower(s.Name)
		switch j, dup := names[key]; {
		case s.Name == "":
			v.add(at("name"), "required")
		case dup:
			v.add(at("name"), "duplicate service name %q (also services[%d])", s.Name, j)
		default:
			names[key] = i
		}
		if kind, ok := canonical(e.kind, ServiceEcho, ServiceTestSrc); ok {
			e.kind = kind
		} else if e.kind == "" {
			v.add(at("kind"), "required (echo or testsrc)")
		} else {
			v.add(at("kind"), "unknown service kind %q (want echo or testsrc)", string(e.kind))
		}
		for k, a := range e.aliases {
			field := fmt.Sprintf("services[%d].aliases[%d]", i, k)
			if s.Aliases == nil {
				field = at("name")
			}
			if err := checkName(a); err != nil {
				v.add(field, "%v", err)
				continue
			}
			if prev, dup := owner[strings.ToLower(a)]; dup {
				v.add(field, "alias %q is already used by %s", a, prev)
				continue
			}
			owner[strings.ToLower(a)] = field
		}
		out = append(out, e)
	}
	// Built-ins not listed are present; their default aliases yield to
	// any alias the file gives to a service or an alias.
	for _, a := range c.Aliases {
		owner[strings.ToLower(a.Name)] = "an alias"
	}
	for _, b := range builtins {
		if _, listed := names[strings.ToLower(b.Name)]; listed {
			continue
		}
		e := serviceEntry{name: b.Name, kind: b.Kind, enabled: true, index: -1}
		for _, a := range b.Aliases {
			if _, taken := owner[strings.ToLower(a)]; !taken {
				e.aliases = append(e.aliases, a)
			}
		}
		out = append(out, e)
	}
	return out
}

// checkName accepts a service alias or alias name: 1..64 characters, no
// control characters, no leading or trailing space.
func checkName(n string) error {
	switch {
	case n == "":
		return errors.New("empty name")
	case !utf8.ValidString(n):
		return errors.New("name is not valid UTF-8")
	case utf8.RuneCountInString(n) > MaxAliasNameLen:
		return fmt.Errorf("name %q is longer than %d characters", n, MaxAliasNameLen)
	case strings.TrimSpace(n) != n:
		return fmt.Errorf("name %q has leading or trailing space", n)
	}
	if i, _ := controlChar(n); i >= 0 {
		return fmt.Errorf("name %q contains a control character", n)
	}
	return nil
}

func (v *validator) checkAliases(c Config, services []serviceEntry) {
	serviceAlias := map[string]string{}
	for _, s := range services {
		if s.index < 0 {
			continue
		}
		for _, a := range s.aliases {
			serviceAlias[strings.ToLower(a)] = s.name
		}
	}
	names := map[string]int{}
	for i, a := range c.Aliases {
		at := func(f string) string { return fmt.Sprintf("aliases[%d].%s", i, f) }
		key := strings.ToLower(a.Name)
		if err := checkName(a.Name); err != nil {
			v.add(at("name"), "%v", err)
		} else if j, dup := names[key]; dup {
			v.add(at("name"), "duplicate alias name %q (also aliases[%d])", a.Name, j)
		} else if svc, taken := serviceAlias[key]; taken {
			v.add(at("name"), "alias %q is also an alias of service %q", a.Name, svc)
		} else {
			names[key] = i
		}
		if a.Target == "" {
			v.add(at("target"), "required")
			continue
		}
		addr, err := ParseCallString(a.Target)
		if err != nil {
			v.add(at("target"), "%v", detailOf(err))
			continue
		}
		if addr.Scheme != "" {
			if addr.Host == "" && addr.Scheme != "tel" {
				// Completed from a default trunk when routed; check the
				// rest now.
				addr.Host = "trunk.invalid"
			}
			if err := addr.Validate(); err != nil {
				v.add(at("target"), "%v", detailOf(err))
			}
		}
	}
}

// detailOf returns the detail of a *call.Error, or the error text.
func detailOf(err error) string {
	var ce *call.Error
	if errors.As(err, &ce) && ce.Detail != "" {
		return ce.Detail
	}
	return err.Error()
}

// compileMatch anchors a rule's expression so that it must match the
// whole subject.
func compileMatch(m string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + m + `)$`)
}

func (v *validator) checkRules(rules []Rule, trunks map[string]*Trunk) []compiledMatch {
	res := make([]compiledMatch, len(rules))
	names := map[string]int{}
	for i := range rules {
		r := &rules[i]
		at := func(f string) string { return fmt.Sprintf("rules[%d].%s", i, f) }
		switch j, dup := names[r.Name]; {
		case r.Name == "":
			v.add(at("name"), "required")
		case dup:
			v.add(at("name"), "duplicate rule name %q (also rules[%d])", r.Name, j)
		default:
			names[r.Name] = i
		}
		if r.Match == "" {
			v.add(at("match"), "required")
		} else if tree, err := syntax.Parse(r.Match, syntax.Perl); err != nil {
			// Parsed alone first, so that "a)|(b" cannot escape the anchors.
			v.add(at("match"), "%v", err)
		} else if re, err := compileMatch(r.Match); err != nil {
			v.add(at("match"), "%v", err)
		} else {
			res[i] = compiledMatch{re: re, tree: tree}
			if err := checkTemplate(r.Replace, re); err != nil {
				v.add(at("replace"), "%v", err)
			}
		}
		for j, p := range r.FromProtocols {
			if _, err := p.Protocol(); err != nil {
				v.add(fmt.Sprintf("rules[%d].from_protocols[%d]", i, j), "%v", err)
			}
		}
		for j, d := range r.Directions {
			if _, ok := d.Direction(); !ok {
				v.add(fmt.Sprintf("rules[%d].directions[%d]", i, j), "unknown direction %q (want incoming or outgoing)", string(d))
			}
		}
		for j, s := range r.Sources {
			if _, err := netip.ParsePrefix(s); err == nil {
				continue
			}
			if _, err := netip.ParseAddr(s); err == nil {
				continue
			}
			if trunks[s] != nil {
				continue
			}
			v.add(fmt.Sprintf("rules[%d].sources[%d]", i, j), "%q is not a CIDR, an IP address or a trunk name", s)
		}
		target, okTarget := canonical(r.Target, TargetSIP, TargetH323, TargetWebRTC, TargetRTSP, TargetRTMP, TargetRegistered)
		if r.Target != "" && !okTarget {
			v.add(at("target"), "unknown target %q (want sip, h323, webrtc, rtsp, rtmp or registered)", string(r.Target))
		}
		if r.Trunk != "" {
			t := trunks[r.Trunk]
			switch {
			case t == nil:
				v.add(at("trunk"), "no trunk named %q", r.Trunk)
			case target == TargetSIP || target == TargetH323:
				if p, _ := t.Protocol.Protocol(); p != target.protocol() {
					v.add(at("trunk"), "trunk %q is %s but the rule's target is %s", r.Trunk, string(t.Protocol), target)
				}
			case okTarget && r.Target != "":
				v.add(at("trunk"), "a %s target does not go through a trunk", target)
			}
		}
		if !r.CallType.Valid() {
			v.add(at("call_type"), "unknown call type %q (want audio, video or video+content)", string(r.CallType))
		}
		if r.MaxBitrateIn < 0 {
			v.add(at("max_bitrate_in"), "negative bitrate %d", r.MaxBitrateIn)
		}
		if r.MaxBitrateOut < 0 {
			v.add(at("max_bitrate_out"), "negative bitrate %d", r.MaxBitrateOut)
		}
		for j, c := range r.Codecs {
			if !c.Valid() {
				v.add(fmt.Sprintf("rules[%d].codecs[%d]", i, j), "unknown codec %q", string(c))
			}
		}
		if !r.SRTP.Valid() {
			v.add(at("srtp"), "unknown SRTP mode %q (want off, best-effort or required)", string(r.SRTP))
		}
		if !r.DTMF.Valid() {
			v.add(at("dtmf"), "unknown DTMF mode %q (want rfc4733, info or inband)", string(r.DTMF))
		}
		if !r.OnFailure.Valid() {
			v.add(at("on_failure"), "unknown on_failure %q (want stop or continue)", string(r.OnFailure))
		}
	}
	return res
}
