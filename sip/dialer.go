package sip

import (
	"context"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// Dialer places outbound SIP legs (call.Dialer).
type Dialer struct{ srv *Server }

// Dial places a SIP call to t and blocks until it is answered, fails, times
// out (invite_timeout: CANCEL, cause timeout) or ctx ends (CANCEL, cause
// local_hangup). The returned leg is a *Leg.
func (d *Dialer) Dial(ctx context.Context, t call.Target, offer call.Offer, progress func(call.Event)) (call.Leg, error) {
	if d == nil || d.srv == nil {
		return nil, &call.Error{Cause: call.Internal, Detail: "sip dialer without a server"}
	}
	l, err := d.srv.dial(ctx, t, offer, progress)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// destination is where an outbound INVITE goes and how.
type destination struct {
	uri       sip.Uri // Request-URI
	transport string  // UDP, TCP, TLS
	dest      string  // host:port of the first hop
	proxy     *sip.Uri
}

// resolveTarget works out the Request-URI, transport and first hop of a
// target with its trunk's options.
func resolveTarget(t call.Target, trunk *Trunk) (destination, error) {
	var d destination
	raw := strings.TrimSpace(t.URI)
	if raw == "" && t.Host != "" {
		raw = "sip:" + t.Host
	}
	u, err := parseURI(raw)
	if err != nil {
		return d, &call.Error{Cause: call.BadRequest, Detail: "target URI", Err: err}
	}
	d.uri = u
	switch {
	case t.Transport != "":
		d.transport = transportName(t.Transport)
	case u.UriParams != nil && u.UriParams.Has("transport"):
		v, _ := u.UriParams.Get("transport")
		d.transport = transportName(v)
	case strings.EqualFold(u.Scheme, "sips"):
		d.transport = "TLS"
	case trunk != nil && trunk.Transport != "":
		d.transport = transportName(trunk.Transport)
	default:
		d.transport = "UDP"
	}
	if trunk != nil && trunk.OutboundProxy != "" {
		p, err := parseURI(trunk.OutboundProxy)
		if err != nil {
			return d, &call.Error{Cause: call.DialOutFailed, Detail: "trunk outbound proxy", Err: err}
		}
		if p.UriParams == nil {
			p.UriParams = sip.NewParams()
		}
		if !p.UriParams.Has("lr") {
			p.UriParams.Add("lr", "")
		}
		if p.UriParams.Has("transport") {
			v, _ := p.UriParams.Get("transport")
			d.transport = transportName(v)
		}
		d.proxy = &p
		d.dest = hostPort(p, d.transport)
		return d, nil
	}
	if t.Host != "" {
		port := t.Port
		if port == 0 {
			port = defaultPort(d.transport)
		}
		d.dest = joinHostPort(t.Host, port)
		return d, nil
	}
	d.dest = hostPort(u, d.transport)
	return d, nil
}

// effectiveSRTP combines the rule's SRTP mode with the trunk's: a trunk
// set to required insists, a trunk set to off turns best-effort off.
func effectiveSRTP(rule call.SRTPMode, trunk *Trunk) call.SRTPMode {
	if trunk == nil {
		return rule
	}
	switch trunk.SRTP {
	case SRTPRequired:
		return call.SRTPRequired
	case SRTPBestEffort:
		if rule == call.SRTPOff {
			return call.SRTPBestEffort
		}
	default:
		if rule == call.SRTPBestEffort {
			return call.SRTPOff
		}
	}
	return rule
}

// callerURI is our From: the caller's user part at the trunk's from_domain,
// else the configured domain, else our own address.
func callerURI(t call.Target, trunk *Trunk, cfg *Config, host string) sip.Uri {
	user := strings.TrimSpace(t.Caller)
	if u, err := parseURI(user); err == nil && strings.Contains(user, ":") {
		user = u.User
	} else if at := strings.IndexByte(user, '@'); at >= 0 {
		user = user[:at]
	}
	user = strings.TrimPrefix(strings.TrimPrefix(user, "sip:"), "sips:")
	if user == "" || strings.ContainsAny(user, " \t<>\";") {
		user = "anonymous"
	}
	if trunk != nil && trunk.Username != "" && t.Caller == "" {
		user = trunk.Username
	}
	domain := host
	switch {
	case trunk != nil && trunk.FromDomain != "":
		domain = trunk.FromDomain
	case cfg.Domain != "":
		domain = cfg.Domain
	}
	return sip.Uri{Scheme: "sip", User: user, Host: domain}
}

func (d destination) String() string {
	return fmt.Sprintf("%s via %s/%s", d.uri.String(), d.dest, d.transport)
}
