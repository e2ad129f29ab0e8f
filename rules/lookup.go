package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// quoteKeys renders the names a lookup tried, for a trace.
func quoteKeys(stripped, user string, local bool) string {
	if local {
		return fmt.Sprintf("%q or %q", stripped, user)
	}
	return fmt.Sprintf("%q", stripped)
}

// findService looks a service up by the stripped alias, then by its local
// user part.
func (e *Engine) findService(stripped, user string, local bool) (*service, string, bool) {
	if s, ok := e.serviceAlias.get(stripped); ok {
		return s, stripped, true
	}
	if local {
		if s, ok := e.serviceAlias.get(user); ok {
			return s, user, true
		}
	}
	return nil, "", false
}

// findAlias looks an alias up by the stripped alias, then by its local
// user part.
func (e *Engine) findAlias(stripped, user string, local bool) (*alias, string, bool) {
	if a, ok := e.aliases.get(stripped); ok {
		return a, stripped, true
	}
	if local {
		if a, ok := e.aliases.get(user); ok {
			return a, user, true
		}
	}
	return nil, "", false
}

// localUser returns the user part of user@host or host##user when the host
// means this gateway: one of the local domains, an IP literal, or
// localhost.
func (e *Engine) localUser(s string) (string, bool) {
	var user, host string
	if i := strings.Index(s, "##"); i > 0 {
		host, user = s[:i], s[i+2:]
	} else if at := strings.LastIndexByte(s, '@'); at > 0 {
		user, host = s[:at], s[at+1:]
	} else {
		return "", false
	}
	if user == "" {
		return "", false
	}
	host = hostOnly(host)
	switch {
	case host == "":
		return "", false
	case strings.EqualFold(host, "localhost"):
		return user, true
	case (strings.IndexByte(host, ':') >= 0 || looksLikeIPv4(host)) && isIPLiteral(host):
		return user, true
	}
	_, ok := e.localDomains.get(strings.TrimSuffix(host, "."))
	return user, ok
}

// hostOnly removes a port and IPv6 brackets from host[:port].
func hostOnly(hp string) string {
	if len(hp) > 0 && hp[0] == '[' {
		if end := strings.IndexByte(hp, ']'); end > 0 {
			return hp[1:end]
		}
		return ""
	}
	if strings.Count(hp, ":") == 1 {
		return hp[:strings.IndexByte(hp, ':')]
	}
	return hp
}

func isIPLiteral(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && ip.Zone() == ""
}

// trunkAt returns the first trunk of the protocol whose host is host: a
// destination at a trunk's host goes through that trunk, with its port
// and transport.
func (e *Engine) trunkAt(p call.Protocol, host string) *trunk {
	hosts := e.sipHosts
	if p == call.ProtocolH323 {
		hosts = e.h323Hosts
	}
	t, _ := hosts.get(strings.TrimSuffix(host, "."))
	return t
}

// nameTable maps names to values, case-insensitively.
type nameTable[V any] struct {
	m map[string]V
}

func newNameTable[V any](n int) nameTable[V] {
	return nameTable[V]{m: make(map[string]V, n)}
}

func (t nameTable[V]) put(name string, v V) { t.m[strings.ToLower(name)] = v }

// get looks name up without allocating when it is ASCII and short.
func (t nameTable[V]) get(name string) (V, bool) {
	var zero V
	if len(t.m) == 0 {
		return zero, false
	}
	lower, ascii := true, true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			lower = false
		}
	}
	if ascii && lower {
		v, ok := t.m[name]
		return v, ok
	}
	if ascii && len(name) <= 128 {
		var buf [128]byte
		n := copy(buf[:], name)
		for i := 0; i < n; i++ {
			if c := buf[i]; c >= 'A' && c <= 'Z' {
				buf[i] = c + 'a' - 'A'
			}
		}
		v, ok := t.m[string(buf[:n])]
		return v, ok
	}
	v, ok := t.m[strings.ToLower(name)]
	return v, ok
}
