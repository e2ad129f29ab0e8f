package testpeer

import (
	"fmt"
	"strconv"
)

// Severity is a Wireshark expert-info severity (the numeric values of
// epan/proto.h, as printed in "_ws.expert.severity").
type Severity int

// Wireshark expert-info severities.
const (
	SeverityComment Severity = 0x00100000
	SeverityChat    Severity = 0x00200000
	SeverityNote    Severity = 0x00400000
	SeverityWarn    Severity = 0x00600000
	SeverityError   Severity = 0x00800000
)

// String returns Wireshark's name of the severity.
func (s Severity) String() string {
	switch s {
	case SeverityComment:
		return "comment"
	case SeverityChat:
		return "chat"
	case SeverityNote:
		return "note"
	case SeverityWarn:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("severity(%#x)", int(s))
}

// Problem is one "_ws.malformed" or "_ws.expert" entry of a decoded packet.
type Problem struct {
	// Kind is "_ws.malformed" or "_ws.expert".
	Kind string
	// Field is the expert field that raised the entry (for example
	// "tcp.connection.syn"), when tshark names one.
	Field string
	// Message is the human-readable text, when present.
	Message string
	// Severity is the expert severity; malformed entries without one are
	// reported as SeverityError.
	Severity Severity
}

// String formats the problem for a test failure message.
func (p Problem) String() string {
	return fmt.Sprintf("%s [%s] %s: %s", p.Kind, p.Severity, p.Field, p.Message)
}

// Problems returns every "_ws.malformed" and "_ws.expert" entry anywhere in
// v (usually a Packet). Tests that expect a clean decode assert that the
// result is empty, or that no entry reaches a severity they care about
// (TCP marks connection set-up and tear-down with "chat" entries).
func Problems(v any) []Problem {
	var out []Problem
	walkPrune(v, func(key string, val any) bool {
		if key != "_ws.malformed" && key != "_ws.expert" {
			return true
		}
		entries := []any{val}
		if arr, ok := val.([]any); ok {
			entries = arr
		}
		for _, e := range entries {
			out = append(out, problemOf(key, e))
		}
		return false // an entry's own fields are not further entries
	})
	return out
}

// ProblemsAtLeast returns the entries of Problems(v) whose severity is at
// least min.
func ProblemsAtLeast(v any, min Severity) []Problem {
	var out []Problem
	for _, p := range Problems(v) {
		if p.Severity >= min {
			out = append(out, p)
		}
	}
	return out
}

func problemOf(kind string, v any) Problem {
	p := Problem{Kind: kind}
	if kind == "_ws.malformed" {
		p.Severity = SeverityError
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if s, ok := v.(string); ok {
			p.Message = s
		}
		return p
	}
	// tshark nests a malformed mark's expert entry one level down, as
	// "_ws.expert" (4.x) or "_ws.malformed.expert" (older releases), next
	// to a "_ws.malformed" text.
	text, _ := obj["_ws.malformed"].(string)
	for _, key := range []string{"_ws.expert", "_ws.malformed.expert"} {
		if inner, ok := obj[key].(map[string]any); ok {
			obj = inner
			break
		}
	}
	for k, val := range obj {
		s, _ := val.(string)
		switch k {
		case "_ws.expert.message":
			p.Message = s
		case "_ws.expert.severity":
			if n, err := strconv.ParseInt(s, 0, 64); err == nil {
				p.Severity = Severity(n)
			}
		case "_ws.expert.group":
		default:
			if p.Field == "" || k < p.Field {
				p.Field = k
			}
		}
	}
	if p.Message == "" {
		p.Message = text
	}
	return p
}
