package rules

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// maxAliasDepth bounds alias chains (an alias whose target is another
// alias), which also stops cycles.
const maxAliasDepth = 8

// Engine is a compiled dial plan. It is immutable and safe for concurrent
// use; to change the plan, build a new Engine and swap it in.
type Engine struct {
	intlPrefix   string
	localDomains nameTable[struct{}]
	serviceAlias nameTable[*service]
	aliases      nameTable[*alias]
	trunks       map[string]*trunk
	sipHosts     nameTable[*trunk] // SIP trunks by host
	h323Hosts    nameTable[*trunk] // H.323 trunks by host
	defaultSIP   *trunk
	defaultGK    *trunk
	defaultVoIP  *trunk
	rules        []*rule // in priority order
	index        ruleIndex
}

type service struct {
	name    string
	kind    ServiceKind
	enabled bool
}

type alias struct {
	name   string
	target string
	addr   Address
}

// trunk is a validated Trunk.
type trunk struct {
	name       string
	proto      call.Protocol
	host       string
	ip         netip.Addr // host, when it is an IP literal
	port       int        // as configured; 0 is the protocol default
	transport  string
	intlPrefix string
}

// New validates the configuration and compiles it. The error is the
// validation error of Config.Validate: *FieldErrors joined.
func New(cfg Config) (*Engine, error) {
	cc, err := cfg.check()
	if err != nil {
		return nil, err
	}
	e := &Engine{intlPrefix: cfg.InternationalPrefix, trunks: map[string]*trunk{},
		sipHosts: newNameTable[*trunk](len(cfg.Trunks)), h323Hosts: newNameTable[*trunk](len(cfg.Trunks))}
	e.localDomains = newNameTable[struct{}](len(cfg.LocalDomains))
	for _, d := range cfg.LocalDomains {
		e.localDomains.put(strings.TrimSuffix(d, "."), struct{}{})
	}
	e.serviceAlias = newNameTable[*service](len(cc.services))
	for _, s := range cc.services {
		svc := &service{name: s.name, kind: s.kind, enabled: s.enabled}
		for _, a := range s.aliases {
			e.serviceAlias.put(a, svc)
		}
	}
	e.aliases = newNameTable[*alias](len(cfg.Aliases))
	for _, a := range cfg.Aliases {
		addr, _ := ParseCallString(a.Target) // validated
		e.aliases.put(a.Name, &alias{name: a.Name, target: a.Target, addr: addr})
	}
	for _, t := range cfg.Trunks {
		proto, _ := t.Protocol.Protocol()
		tr := &trunk{name: t.Name, proto: proto, host: t.Host, port: t.Port,
			transport: strings.ToLower(string(t.Transport)), intlPrefix: t.InternationalPrefix}
		if ip, err := netip.ParseAddr(t.Host); err == nil {
			tr.ip = ip.Unmap()
		}
		e.trunks[t.Name] = tr
		hosts := e.sipHosts
		if proto == call.ProtocolH323 {
			hosts = e.h323Hosts
		}
		if _, dup := hosts.get(strings.TrimSuffix(t.Host, ".")); !dup {
			hosts.put(strings.TrimSuffix(t.Host, "."), tr)
		}
		for _, r := range t.Roles {
			switch role, _ := canonical(r, RoleDefaultSIPTrunk, RoleDefaultGatekeeper, RoleDefaultVoIP); role {
			case RoleDefaultSIPTrunk:
				e.defaultSIP = tr
			case RoleDefaultGatekeeper:
				e.defaultGK = tr
			case RoleDefaultVoIP:
				e.defaultVoIP = tr
			}
		}
	}
	order := make([]int, len(cfg.Rules))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cfg.Rules[order[a]].Priority < cfg.Rules[order[b]].Priority })
	e.rules = make([]*rule, len(order))
	for ord, i := range order {
		e.rules[ord] = e.compileRule(&cfg.Rules[i], i, cc.matches[i])
	}
	e.index = buildIndex(e.rules, order, cc.matches)
	return e, nil
}

// Route decides where a call goes. It returns the candidate decisions in
// order (more than one when rules say on_failure: continue), or a
// *call.Error: BadRequest for a malformed dialed string, NoRoute when
// nothing matches, InvalidTransform when a match produces an address that
// cannot be dialed.
//
// Route does not allocate for services, aliases and rules that do not
// match.
func (e *Engine) Route(req *Request) ([]Decision, error) {
	return e.route(req, nil)
}

func (e *Engine) route(req *Request, tr *tracer) ([]Decision, error) {
	if req == nil {
		return nil, call.Errorf(call.BadRequest, "no request")
	}
	dialed, err := cleanInput(req.Dialed)
	if err != nil {
		return nil, err
	}
	return e.resolve(req, req.Source.Unmap().WithZone(""), dialed, "", 0, tr)
}

// resolve routes dialed (the dialed string, or an alias's target) through
// the services, the aliases and the rules. first is the alias the chain
// started with.
func (e *Engine) resolve(req *Request, src netip.Addr, dialed, first string, depth int, tr *tracer) ([]Decision, error) {
	stripped := StripAlias(dialed)
	user, local := e.localUser(stripped)

	if svc, key, ok := e.findService(stripped, user, local); ok {
		if svc.enabled {
			if tr != nil {
				tr.add("service", svc.name, 0, true, fmt.Sprintf("%q is an alias of service %s (%s)", key, svc.name, svc.kind))
			}
			return []Decision{e.serviceDecision(req, svc, first)}, nil
		}
		if tr != nil {
			tr.add("service", svc.name, 0, false, fmt.Sprintf("%q is an alias of service %s, which is disabled", key, svc.name))
		}
	} else if tr != nil {
		tr.add("service", "", 0, false, "no service alias equals "+quoteKeys(stripped, user, local))
	}

	if al, key, ok := e.findAlias(stripped, user, local); ok {
		if first == "" {
			first = al.name
		}
		if depth >= maxAliasDepth {
			return nil, call.Errorf(call.InvalidTransform, "alias %q: the chain of aliases from %q is longer than %d (is there a cycle?)", al.name, first, maxAliasDepth)
		}
		if tr != nil {
			tr.add("alias", al.name, 0, true, fmt.Sprintf("%q is an alias for %s", key, al.addr.Redacted()))
		}
		if al.addr.Scheme != "" {
			d, err := e.destination(al.target, via{alias: al.name}, dtmfOf(dialed))
			if err != nil {
				return nil, err
			}
			d.Dialed, d.Alias = req.Dialed, first
			return []Decision{d}, nil
		}
		next := al.target
		if d := dtmfOf(dialed); d != "" && dtmfOf(next) == "" {
			next += "^" + d // keep the caller's digits along the chain
		}
		return e.resolve(req, src, next, first, depth+1, tr)
	}
	if tr != nil {
		tr.add("alias", "", 0, false, "no alias named "+quoteKeys(stripped, user, local))
	}

	decisions, err := e.matchRules(req, src, dialed, stripped, first, tr)
	if err != nil || len(decisions) > 0 {
		return decisions, err
	}
	return nil, &call.Error{Cause: call.NoRoute, Detail: "no service, alias or rule matches \"" + stripped + "\""}
}

// matchRules runs the rules in priority order and collects the decisions:
// the first match, and after each match whose on_failure is continue, the
// next one.
func (e *Engine) matchRules(req *Request, src netip.Addr, dialed, stripped, first string, tr *tracer) ([]Decision, error) {
	var out []Decision
	in := newSubjects(stripped, dialed)
	if tr != nil {
		// Explain: every rule, in order, each with its reason.
		for _, r := range e.rules {
			subj, ascii := r.subject(&in)
			v := r.screen(req, src)
			if v == verdictMatch && !r.match(subj, ascii) {
				v = verdictPattern
			}
			if v != verdictMatch {
				tr.add("rule", r.name, r.priority, false, reason(r, v, req, src, subj))
				continue
			}
			d, err := e.ruleDecision(r, req, dialed, subj, ascii, first)
			if err != nil {
				tr.add("rule", r.name, r.priority, true, fmt.Sprintf("matched %q, but %s", subj, detailOf(err)))
				return nil, err
			}
			msg := fmt.Sprintf("matched %q → %s", subj, d.Transformed)
			if r.onFailure == OnFailureContinue {
				msg += "; on_failure continue: the next matching rule is the fallback"
			}
			tr.add("rule", r.name, r.priority, true, msg)
			out = append(out, d)
			if r.onFailure != OnFailureContinue {
				break
			}
		}
		return out, nil
	}
	var it candidates
	it.start(&e.index, stripped, dialed)
	for {
		ord, ok := it.next()
		if !ok {
			break
		}
		r := e.rules[ord]
		if r.screen(req, src) != verdictMatch {
			continue
		}
		subj, ascii := r.subject(&in)
		if !r.match(subj, ascii) {
			continue
		}
		d, err := e.ruleDecision(r, req, dialed, subj, ascii, first)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		if r.onFailure != OnFailureContinue {
			break
		}
	}
	return out, nil
}
