package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// Explanation is the outcome of a route together with the reasons: what
// `switchyard route` prints.
type Explanation struct {
	Request Request `json:"request"`
	// Subject is the dialed string as services, aliases and most rules
	// see it (StripAlias).
	Subject   string     `json:"subject"`
	Decisions []Decision `json:"decisions"`
	// Cause is the failure's cause name (no_route, invalid_transform,
	// bad_request), or "" when there are decisions.
	Cause  string `json:"cause"`
	Detail string `json:"detail,omitempty"`
	// Trace has one step per service, alias and rule looked at, in order.
	Trace []TraceStep `json:"trace"`
}

// TraceStep is one thing the dial plan looked at.
type TraceStep struct {
	// Kind is "service", "alias" or "rule".
	Kind string `json:"kind"`
	// Name is the service, alias or rule; "" for a lookup that found
	// nothing.
	Name     string `json:"name,omitempty"`
	Priority int    `json:"priority"`
	Matched  bool   `json:"matched"`
	Reason   string `json:"reason"`
}

// Explain routes the request like Route and says why: for services and
// aliases what was looked up, and for every rule up to the last one used,
// in priority order, why it matched or did not ("disabled", "protocol
// webrtc not in [sip]", "pattern did not match \"bob\"", ...). Explain
// allocates freely; it is for people, not for the call path.
func (e *Engine) Explain(req *Request) Explanation {
	var ex Explanation
	if req != nil {
		ex.Request = *req
		ex.Subject = StripAlias(req.Dialed)
	}
	tr := &tracer{}
	decisions, err := e.route(req, tr)
	ex.Decisions, ex.Trace = decisions, tr.steps
	if err != nil {
		ex.Cause = call.CauseOf(err).String()
		ex.Detail = err.Error()
		var ce *call.Error
		if errors.As(err, &ce) {
			ex.Detail = ce.Detail
		}
	}
	return ex
}

// String renders the explanation as text, one line per trace step.
func (ex Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dialed %q from %s (%s", ex.Request.Dialed, ex.Request.Protocol, ex.Request.Direction)
	if ex.Request.Registered {
		b.WriteString(", registered")
	}
	if ex.Request.Source.IsValid() {
		fmt.Fprintf(&b, ", source %s", ex.Request.Source)
	}
	if ex.Request.Trunk != "" {
		fmt.Fprintf(&b, ", trunk %s", ex.Request.Trunk)
	}
	fmt.Fprintf(&b, "), alias %q\n", ex.Subject)
	for _, s := range ex.Trace {
		mark := "  -"
		if s.Matched {
			mark = "  +"
		}
		name := s.Name
		if name == "" {
			name = "(none)"
		}
		if s.Kind == "rule" {
			fmt.Fprintf(&b, "%s rule %s (priority %d): %s\n", mark, name, s.Priority, s.Reason)
		} else {
			fmt.Fprintf(&b, "%s %s %s: %s\n", mark, s.Kind, name, s.Reason)
		}
	}
	for i, d := range ex.Decisions {
		fmt.Fprintf(&b, "decision %d: %s", i+1, d.Kind)
		if d.Kind == DecisionService {
			fmt.Fprintf(&b, " %s (%s)\n", d.ServiceName, d.Service)
			continue
		}
		fmt.Fprintf(&b, " %s %s", d.Target, d.Transformed)
		if d.ToRegistered {
			b.WriteString(" (registered contact)")
		}
		if d.Trunk != "" {
			fmt.Fprintf(&b, " via trunk %s", d.Trunk)
		}
		fmt.Fprintf(&b, ", on failure %s\n", d.OnFailure)
	}
	if ex.Cause != "" {
		fmt.Fprintf(&b, "cause %s: %s\n", ex.Cause, ex.Detail)
	}
	return b.String()
}

// tracer collects the steps of an explanation; a nil *tracer is Route's
// silent mode, and callers check for nil before formatting anything.
type tracer struct {
	steps []TraceStep
}

func (t *tracer) add(kind, name string, priority int, matched bool, reason string) {
	t.steps = append(t.steps, TraceStep{Kind: kind, Name: name, Priority: priority, Matched: matched, Reason: reason})
}

// reason says why a rule did not match.
func reason(r *rule, v verdict, req *Request, src netip.Addr, subject string) string {
	switch v {
	case verdictDisabled:
		return "disabled"
	case verdictDirection:
		var allowed []string
		for _, d := range []Direction{DirectionIncoming, DirectionOutgoing} {
			if r.dirMask&(1<<d) != 0 {
				allowed = append(allowed, d.String())
			}
		}
		return fmt.Sprintf("direction %s not allowed (the rule takes [%s])", req.Direction, strings.Join(allowed, " "))
	case verdictProtocol:
		return fmt.Sprintf("protocol %s not in [%s]", req.Protocol, strings.Join(r.protocols, " "))
	case verdictRegistered:
		return "caller not registered"
	case verdictSource:
		who := "unknown"
		if src.IsValid() {
			who = src.String()
		}
		if req.Trunk != "" {
			who += fmt.Sprintf(" (trunk %s)", req.Trunk)
		}
		return fmt.Sprintf("source %s not in [%s]", who, strings.Join(r.sources, " "))
	case verdictPattern:
		return fmt.Sprintf("pattern did not match %q", subject)
	}
	return "matched"
}
