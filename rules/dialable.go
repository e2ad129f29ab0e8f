package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/switchyard/switchyard/call"
)

// MaxH323AliasLen is the longest H.323 alias (h323-ID), in characters.
const MaxH323AliasLen = 128

// Validate reports whether the address can be dialed as it is on its
// protocol: a SIP, H.323, RTSP or RTMP address needs a valid host (host
// name labels or an IP literal), a port is 1..65535 when given, a SIP user
// part uses only the characters a SIP URI allows, an H.323 alias has at
// most 128 characters, a tel: number only digits, '*' and '#' after an
// optional '+', and a plain alias is non-empty. The error is a *call.Error
// with the cause BadRequest.
func (a Address) Validate() error {
	if err := a.validate(); err != nil {
		return &call.Error{Cause: call.BadRequest, Detail: fmt.Sprintf("address %q: %v", a.Redacted(), err), Err: err}
	}
	return nil
}

func (a Address) validate() error {
	if a.DTMF != "" && !isDTMF(a.DTMF) {
		return fmt.Errorf("DTMF suffix %q: only 0-9, '*', '#' and A-D are allowed", a.DTMF)
	}
	if a.Port < 0 || a.Port > 65535 {
		return fmt.Errorf("port %d out of range 1..65535", a.Port)
	}
	switch a.Scheme {
	case "":
		return checkPlainAlias(a.Alias)
	case "sip", "sips":
		if err := checkProtocol(a, call.ProtocolSIP); err != nil {
			return err
		}
		if err := checkHost(a.Host); err != nil {
			return err
		}
		if err := checkSIPUser(a.User); err != nil {
			return err
		}
		switch a.Transport {
		case "", "udp", "tcp", "tls":
		default:
			return fmt.Errorf("unsupported transport %q (want udp, tcp or tls)", a.Transport)
		}
		if a.Scheme == "sips" && a.Transport != "" && a.Transport != "tls" {
			return fmt.Errorf("sips: needs transport tls, not %s", a.Transport)
		}
		return nil
	case "h323":
		if err := checkProtocol(a, call.ProtocolH323); err != nil {
			return err
		}
		if err := checkHost(a.Host); err != nil {
			return err
		}
		if a.Transport != "" {
			return errors.New("an H.323 address has no transport parameter")
		}
		return checkH323Alias(a.User)
	case "tel":
		return checkNumber(a.User)
	case "rtsp", "rtsps":
		return checkURL(a, call.ProtocolRTSP)
	case "rtmp", "rtmps":
		return checkURL(a, call.ProtocolRTMP)
	}
	return fmt.Errorf("unknown scheme %q", a.Scheme)
}

func checkProtocol(a Address, want call.Protocol) error {
	if a.Protocol != want {
		return fmt.Errorf("scheme %s with protocol %s", a.Scheme, a.Protocol)
	}
	return nil
}

func checkURL(a Address, want call.Protocol) error {
	if err := checkProtocol(a, want); err != nil {
		return err
	}
	if err := checkHost(a.Host); err != nil {
		return err
	}
	if a.Path != "" && a.Path[0] != '/' && a.Path[0] != '?' {
		return fmt.Errorf("path %q must start with '/' or '?'", a.Path)
	}
	if strings.ContainsAny(a.Path, " \t") {
		return fmt.Errorf("path %q contains white space", a.Path)
	}
	if i, _ := controlChar(a.Path); i >= 0 {
		return fmt.Errorf("path %q contains a control character", a.Path)
	}
	return nil
}

// checkHost accepts an IP literal (no zone) or a DNS host name: labels of
// letters, digits, '-' and '_', 1..63 bytes each, at most 253 bytes, an
// optional final dot, and a last label that is not all digits.
func checkHost(h string) error {
	if h == "" {
		return errors.New("no host")
	}
	if strings.IndexByte(h, ':') >= 0 || looksLikeIPv4(h) {
		ip, err := netip.ParseAddr(h)
		if err != nil {
			return fmt.Errorf("host %q is not a valid IP address", h)
		}
		if ip.Zone() != "" {
			return fmt.Errorf("host %q: an IPv6 zone is not allowed", h)
		}
		return nil
	}
	name := strings.TrimSuffix(h, ".")
	if name == "" || len(name) > 253 {
		return fmt.Errorf("host name %q: want 1..253 bytes", h)
	}
	last := ""
	for rest := name; rest != ""; {
		var label string
		label, rest, _ = strings.Cut(rest, ".")
		if err := checkLabel(label); err != nil {
			return fmt.Errorf("host name %q: %w", h, err)
		}
		last = label
	}
	if allDigits(last) {
		return fmt.Errorf("host %q is neither an IP address nor a host name", h)
	}
	return nil
}

func checkLabel(l string) error {
	if l == "" {
		return errors.New("empty label")
	}
	if len(l) > 63 {
		return fmt.Errorf("label %q longer than 63 bytes", l)
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with '-'", l)
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("label %q: character %q not allowed (use punycode for international names)", l, rune(c))
		}
	}
	return nil
}

// isIPv6Literal reports whether s is an IPv6 address without a zone.
func isIPv6Literal(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && ip.Is6() && ip.Zone() == ""
}

// looksLikeIPv4 reports whether s is made of digits and dots only.
func looksLikeIPv4(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkSIPUser accepts the characters of the user part of a SIP URI
// (RFC 3261 §25.1): unreserved, user-unreserved and %HH escapes.
func checkSIPUser(u string) error {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0:
		case c == '%':
			if i+2 >= len(u) || !isHex(u[i+1]) || !isHex(u[i+2]) {
				return fmt.Errorf("SIP user %q: '%%' must start a %%HH escape", u)
			}
			i += 2
		default:
			r, _ := utf8.DecodeRuneInString(u[i:])
			return fmt.Errorf("SIP user %q: character %q must be %%-escaped", u, r)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// checkH323Alias accepts an empty alias (dial the host itself) or one of
// at most MaxH323AliasLen characters without '@' or control characters.
func checkH323Alias(u string) error {
	if n := utf8.RuneCountInString(u); n > MaxH323AliasLen {
		return fmt.Errorf("H.323 alias is %d characters long, the limit is %d", n, MaxH323AliasLen)
	}
	if strings.IndexByte(u, '@') >= 0 {
		return fmt.Errorf("H.323 alias %q contains '@'", u)
	}
	if !utf8.ValidString(u) {
		return errors.New("H.323 alias is not valid UTF-8")
	}
	if i, _ := controlChar(u); i >= 0 {
		return fmt.Errorf("H.323 alias %q contains a control character", u)
	}
	return nil
}

// checkPlainAlias accepts a non-empty alias without control characters,
// angle brackets or '^'.
func checkPlainAlias(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty alias")
	}
	if len(s) > MaxDialedLen {
		return fmt.Errorf("alias is %d bytes long, the limit is %d", len(s), MaxDialedLen)
	}
	if !utf8.ValidString(s) {
		return errors.New("alias is not valid UTF-8")
	}
	if i, _ := controlChar(s); i >= 0 {
		return fmt.Errorf("alias %q contains a control character", s)
	}
	if strings.ContainsAny(s, "<>^") {
		return fmt.Errorf("alias %q contains '<', '>' or '^'", s)
	}
	return nil
}
