package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// Address is a parsed call string: where a call goes, on which protocol.
//
// Which fields are set depends on the scheme: SIP and H.323 use User, Host,
// Port (and SIP Transport and Params), tel: uses User for the number, the
// URL schemes (RTSP, RTMP) use User, Password, Host, Port and Path, and a
// plain alias only Alias. The zero Port means the protocol's default.
type Address struct {
	// Protocol is the protocol the address is dialed with; ProtocolUnknown
	// for a plain alias and for tel:, whose protocol the trunk decides.
	Protocol call.Protocol `json:"protocol"`
	// Scheme is the canonical lower-case scheme: sip, sips, h323, tel,
	// rtsp, rtsps, rtmp, rtmps, or "" for a plain alias. A host##alias
	// string has the scheme h323.
	Scheme string `json:"scheme,omitempty"`
	// User is the SIP user, the H.323 alias, the tel: number (visual
	// separators removed) or the URL user name.
	User string `json:"user,omitempty"`
	// Password is the URL password (rtsp://user:pass@host). It is never
	// written to JSON; String keeps it and Redacted masks it.
	Password string `json:"-"`
	// Host is a host name or an IP literal (IPv6 without brackets).
	Host string `json:"host,omitempty"`
	// Port is 1..65535, or 0 for the protocol's default.
	Port int `json:"port,omitempty"`
	// Transport is "", "udp", "tcp" or "tls" (SIP only; sips: is tls).
	Transport string `json:"transport,omitempty"`
	// Params holds the other ;k=v URI parameters verbatim and in order,
	// without the leading ';'.
	Params string `json:"params,omitempty"`
	// Path is the URL path and query, e.g. "/live/stream?x=1".
	Path string `json:"path,omitempty"`
	// DTMF holds the digits of a trailing ^digits suffix, to be sent once
	// the call is answered.
	DTMF string `json:"dtmf,omitempty"`
	// Alias is a plain alias (no scheme), to be matched by the dial plan.
	Alias string `json:"alias,omitempty"`
}

// scheme describes one call-string scheme.
type scheme struct {
	name  string
	proto call.Protocol
	url   bool // scheme://authority/path
}

// lookupScheme recognises a scheme name in any case.
func lookupScheme(s string) (scheme, bool) {
	switch len(s) {
	case 3:
		switch {
		case strings.EqualFold(s, "sip"):
			return scheme{"sip", call.ProtocolSIP, false}, true
		case strings.EqualFold(s, "tel"):
			return scheme{"tel", call.ProtocolUnknown, false}, true
		}
	case 4:
		switch {
		case strings.EqualFold(s, "sips"):
			return scheme{"sips", call.ProtocolSIP, false}, true
		case strings.EqualFold(s, "h323"):
			return scheme{"h323", call.ProtocolH323, false}, true
		case strings.EqualFold(s, "rtsp"):
			return scheme{"rtsp", call.ProtocolRTSP, true}, true
		case strings.EqualFold(s, "rtmp"):
			return scheme{"rtmp", call.ProtocolRTMP, true}, true
		}
	case 5:
		switch {
		case strings.EqualFold(s, "rtsps"):
			return scheme{"rtsps", call.ProtocolRTSP, true}, true
		case strings.EqualFold(s, "rtmps"):
			return scheme{"rtmps", call.ProtocolRTMP, true}, true
		}
	}
	return scheme{}, false
}

// splitScheme finds a known scheme at the start of s, with or without the
// TrueConf-style '#' in front, and returns it with the text after ':'.
func splitScheme(s string) (scheme, string, bool) {
	t := s
	if len(t) > 0 && t[0] == '#' {
		t = t[1:]
	}
	i := strings.IndexByte(t, ':')
	if i < 3 || i > 5 {
		return scheme{}, s, false
	}
	sc, ok := lookupScheme(t[:i])
	if !ok {
		return scheme{}, s, false
	}
	return sc, t[i+1:], true
}

// splitDisplay returns the address inside the angle brackets of a
// `Display Name <address>` form.
func splitDisplay(s string) (string, bool) {
	if len(s) == 0 || s[len(s)-1] != '>' {
		return s, false
	}
	i := strings.LastIndexByte(s, '<')
	if i < 0 {
		return s, false
	}
	return trimAddress(s[i+1 : len(s)-1]), true
}

// splitDTMF splits a trailing ^digits suffix off s.
func splitDTMF(s string) (rest, dtmf string) {
	i := strings.LastIndexByte(s, '^')
	if i < 0 || i == len(s)-1 || !isDTMF(s[i+1:]) {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// isDTMF reports whether s is made only of DTMF symbols: 0-9 * # A-D.
func isDTMF(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '*' || c == '#' || c >= 'A' && c <= 'D') {
			return false
		}
	}
	return true
}

// cutByte splits s at the first c.
func cutByte(s string, c byte) (before, after string) {
	if i := strings.IndexByte(s, c); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

var errCaret = errors.New("'^' is only allowed once, before trailing DTMF digits (0-9 * # A-D)")

// ParseCallString parses a dialed string or a configured call string.
//
// Accepted forms (scheme prefixes in any case, each also with a leading
// '#' as TrueConf writes them):
//
//	sip:user@host[:port][;transport=udp|tcp|tls][;other]   sips:...
//	sip:user (no host)   sip:@host (no user)
//	h323:alias@host[:port]   h323:alias   h323:@host   host##alias
//	tel:+number (visual separators - . ( ) and spaces are removed)
//	rtsp://[user:pass@]host[:port]/path   rtsps://   rtmp://   rtmps://
//	alias (a plain alias, matched by the dial plan)
//
// IPv6 literals are written in brackets, [2001:db8::1]:5060. A trailing
// ^digits suffix (SIP, H.323, tel: and plain aliases) holds DTMF digits to
// send after connect. A display name and angle brackets around the address
// are dropped. Leading spaces and trailing spaces and slashes are trimmed.
//
// Empty input, input longer than MaxDialedLen bytes, invalid UTF-8 and
// control characters are rejected first. Every error is a *call.Error with
// the cause BadRequest. ParseCallString never panics, and a successful
// parse prints back with String to a string that parses to the same
// Address.
func ParseCallString(s string) (Address, error) {
	t, err := cleanInput(s)
	if err != nil {
		return Address{}, err
	}
	a, err := parseClean(t)
	if err != nil {
		return Address{}, &call.Error{Cause: call.BadRequest, Detail: fmt.Sprintf("call string %q: %v", t, err), Err: err}
	}
	return a, nil
}

// parseClean parses a string that passed cleanInput.
func parseClean(s string) (Address, error) {
	if inner, ok := splitDisplay(s); ok {
		if inner == "" {
			return Address{}, errors.New("nothing inside <>")
		}
		if strings.ContainsAny(inner, "<>") {
			return Address{}, errors.New("unbalanced angle brackets")
		}
		s = inner
	}
	sc, rest, ok := splitScheme(s)
	if !ok {
		if i := strings.Index(s, "##"); i >= 0 {
			return parseHostHashAlias(s)
		}
		return parsePlain(s)
	}
	a := Address{Protocol: sc.proto, Scheme: sc.name}
	var err error
	switch {
	case sc.url:
		err = parseURL(&a, rest)
	case sc.name == "tel":
		err = parseTel(&a, rest)
	default:
		err = parseUserHost(&a, rest)
	}
	if err != nil {
		return Address{}, err
	}
	return a, nil
}

func parsePlain(s string) (Address, error) {
	rest, dtmf := splitDTMF(s)
	if rest == "" {
		return Address{}, errors.New("empty alias before '^'")
	}
	if strings.IndexByte(rest, '^') >= 0 {
		return Address{}, errCaret
	}
	return Address{Alias: rest, DTMF: dtmf}, nil
}

// parseHostHashAlias parses the H.323 form host##alias.
func parseHostHashAlias(s string) (Address, error) {
	rest, dtmf := splitDTMF(s)
	if strings.IndexByte(rest, '^') >= 0 {
		return Address{}, errCaret
	}
	i := strings.Index(rest, "##")
	if i < 0 {
		return Address{}, errors.New("'##' without an alias after it")
	}
	hostport, alias := rest[:i], rest[i+2:]
	if hostport == "" {
		return Address{}, errors.New("no host before '##'")
	}
	if alias == "" {
		return Address{}, errors.New("no alias after '##'")
	}
	if strings.IndexByte(alias, '@') >= 0 {
		return Address{}, errors.New("'@' in the alias after '##'")
	}
	host, port, err := parseHostPort(hostport)
	if err != nil {
		return Address{}, err
	}
	return Address{Protocol: call.ProtocolH323, Scheme: "h323", User: alias, Host: host, Port: port, DTMF: dtmf}, nil
}

// parseUserHost parses the part after "sip:", "sips:" or "h323:".
func parseUserHost(a *Address, rest string) error {
	rest, a.DTMF = splitDTMF(rest)
	if strings.IndexByte(rest, '^') >= 0 {
		return errCaret
	}
	var user, params string
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		user = rest[:at]
		if strings.IndexByte(user, '@') >= 0 {
			return errors.New("more than one '@'")
		}
		var hostport string
		hostport, params = cutByte(rest[at+1:], ';')
		if hostport == "" {
			return errors.New("no host after '@'")
		}
		host, port, err := parseHostPort(hostport)
		if err != nil {
			return err
		}
		a.Host, a.Port = host, port
	} else {
		user, params = cutByte(rest, ';')
	}
	if user == "" && a.Host == "" {
		return errors.New("no user and no host")
	}
	a.User = user
	if a.Protocol != call.ProtocolSIP {
		a.Params = params
		return nil
	}
	tr, other, err := splitTransport(params)
	if err != nil {
		return err
	}
	a.Transport, a.Params = tr, other
	if a.Scheme == "sips" {
		if tr == "udp" {
			return errors.New("sips: cannot use transport=udp")
		}
		a.Transport = "tls"
		// String leaves out the implied transport; what precedes it must
		// not end in a character that trimming would remove.
		last := a.User
		if a.Params != "" {
			last = a.Params
		} else if a.Host != "" {
			last = a.Host
		}
		if tr != "" && a.DTMF == "" && last != "" && (last[len(last)-1] == '/' || last[len(last)-1] == ' ') {
			return errors.New("sips: address ends with '/' or a space before the transport parameter")
		}
	}
	return nil
}

// splitTransport takes the transport parameter out of a SIP URI's
// parameters and returns it lower-cased, with the other parameters as
// written.
func splitTransport(params string) (transport, other string, err error) {
	start, end := -1, -1
	for pos := 0; pos <= len(params); {
		segEnd := strings.IndexByte(params[pos:], ';')
		if segEnd < 0 {
			segEnd = len(params)
		} else {
			segEnd += pos
		}
		key, val, ok := strings.Cut(params[pos:segEnd], "=")
		if ok && strings.EqualFold(key, "transport") {
			if start >= 0 {
				return "", "", errors.New("more than one transport parameter")
			}
			switch {
			case strings.EqualFold(val, "udp"):
				transport = "udp"
			case strings.EqualFold(val, "tcp"):
				transport = "tcp"
			case strings.EqualFold(val, "tls"):
				transport = "tls"
			default:
				return "", "", fmt.Errorf("unsupported transport %q (want udp, tcp or tls)", val)
			}
			start, end = pos, segEnd
		}
		pos = segEnd + 1
	}
	switch {
	case start < 0:
		return "", params, nil
	case start == 0 && end == len(params):
		return transport, "", nil
	case start == 0:
		return transport, params[end+1:], nil
	case end == len(params):
		return transport, params[:start-1], nil
	default:
		return transport, params[:start] + params[end+1:], nil
	}
}

// parseHostPort parses host, host:port, [v6] or [v6]:port. An IPv6
// literal without brackets is accepted when there is no port.
func parseHostPort(hp string) (string, int, error) {
	if hp == "" {
		return "", 0, errors.New("empty host")
	}
	if strings.ContainsAny(hp, "@;^/ ") {
		return "", 0, fmt.Errorf("host %q contains '@', ';', '^', '/' or a space", hp)
	}
	if hp[0] == '[' {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", 0, fmt.Errorf("host %q: missing ']'", hp)
		}
		host := hp[1:end]
		if !isIPv6Literal(host) {
			return "", 0, fmt.Errorf("host %q: not an IPv6 address inside []", hp)
		}
		rest := hp[end+1:]
		if rest == "" {
			return host, 0, nil
		}
		if rest[0] != ':' {
			return "", 0, fmt.Errorf("host %q: unexpected text after ']'", hp)
		}
		port, err := parsePort(rest[1:])
		return host, port, err
	}
	if strings.Count(hp, ":") > 1 {
		if isIPv6Literal(hp) {
			return hp, 0, nil
		}
		return "", 0, fmt.Errorf("host %q: an IPv6 address must be written in [] (and a host name has no ':')", hp)
	}
	host, port := hp, 0
	if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		var err error
		host = hp[:i]
		if port, err = parsePort(hp[i+1:]); err != nil {
			return "", 0, err
		}
	}
	if host == "" {
		return "", 0, errors.New("empty host")
	}
	return host, port, nil
}

// parsePort parses a decimal port 1..65535.
func parsePort(s string) (int, error) {
	if s == "" || len(s) > 5 {
		return 0, fmt.Errorf("port %q: want 1..65535", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("port %q: not a number", s)
		}
		n = n*10 + int(s[i]-'0')
	}
	if n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %d out of range 1..65535", n)
	}
	return n, nil
}

// parseURL parses the part after "rtsp:", "rtmp:" and friends.
func parseURL(a *Address, rest string) error {
	switch {
	case strings.HasPrefix(rest, "//"):
		rest = rest[2:]
	case len(rest) >= 6 && strings.EqualFold(rest[:6], "%2f%2f"):
		rest = rest[6:]
	}
	auth := rest
	if end := strings.IndexAny(rest, "/?"); end >= 0 {
		auth, a.Path = rest[:end], rest[end:]
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		a.User, a.Password, _ = strings.Cut(auth[:at], ":")
		auth = auth[at+1:]
	}
	if auth == "" {
		return fmt.Errorf("%s URL has no host", a.Scheme)
	}
	host, port, err := parseHostPort(auth)
	if err != nil {
		return err
	}
	a.Host, a.Port = host, port
	return nil
}

// parseTel parses the part after "tel:".
func parseTel(a *Address, rest string) error {
	rest, a.DTMF = splitDTMF(rest)
	if strings.IndexByte(rest, '^') >= 0 {
		return errCaret
	}
	num, params := cutByte(rest, ';')
	num = stripVisual(num)
	if err := checkNumber(num); err != nil {
		return err
	}
	a.User, a.Params = num, params
	return nil
}

// stripVisual removes the visual separators of a telephone number:
// - . ( ) and spaces. It allocates only when there is one to remove.
func stripVisual(s string) string {
	if strings.IndexAny(s, "-.() ") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '-', '.', '(', ')', ' ':
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// checkNumber accepts an optional leading '+' followed by digits, '*' and '#'.
func checkNumber(s string) error {
	digits := strings.TrimPrefix(s, "+")
	if digits == "" {
		return errors.New("empty telephone number")
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if !(c >= '0' && c <= '9' || c == '*' || c == '#') {
			return fmt.Errorf("telephone number %q: only digits, '*', '#' and a leading '+' are allowed", s)
		}
	}
	return nil
}

// String returns the canonical form of the address: lower-case scheme,
// IPv6 literals in brackets, the transport parameter first (omitted for
// sips:), host##alias written as h323:alias@host. ParseCallString of the
// result gives back the same Address.
func (a Address) String() string { return a.format(false) }

// Redacted is String with a URL password replaced by "***", for logs,
// records and user interfaces.
func (a Address) Redacted() string { return a.format(true) }

func (a Address) format(redact bool) string {
	if a.Scheme == "" {
		return a.Alias + dtmfSuffix(a.DTMF)
	}
	var b strings.Builder
	b.Grow(len(a.Scheme) + len(a.User) + len(a.Password) + len(a.Host) + len(a.Transport) + len(a.Params) +
		len(a.Path) + len(a.DTMF) + 32)
	switch a.Scheme {
	case "rtsp", "rtsps", "rtmp", "rtmps":
		b.WriteString(a.Scheme)
		b.WriteString("://")
		if a.User != "" || a.Password != "" {
			b.WriteString(a.User)
			if a.Password != "" {
				b.WriteByte(':')
				if redact {
					b.WriteString("***")
				} else {
					b.WriteString(a.Password)
				}
			}
			b.WriteByte('@')
		}
		writeHostPort(&b, a.Host, a.Port)
		b.WriteString(a.Path)
		return b.String()
	case "tel":
		b.WriteString("tel:")
		b.WriteString(a.User)
	default:
		b.WriteString(a.Scheme)
		b.WriteByte(':')
		b.WriteString(a.User)
		if a.Host != "" {
			b.WriteByte('@')
			writeHostPort(&b, a.Host, a.Port)
		}
		if a.Transport != "" && !(a.Scheme == "sips" && a.Transport == "tls") {
			b.WriteString(";transport=")
			b.WriteString(a.Transport)
		}
	}
	if a.Params != "" {
		b.WriteByte(';')
		b.WriteString(a.Params)
	}
	if a.DTMF != "" {
		b.WriteByte('^')
		b.WriteString(a.DTMF)
	}
	return b.String()
}

func dtmfSuffix(d string) string {
	if d == "" {
		return ""
	}
	return "^" + d
}

func writeHostPort(b *strings.Builder, host string, port int) {
	if strings.IndexByte(host, ':') >= 0 {
		b.WriteByte('[')
		b.WriteString(host)
		b.WriteByte(']')
	} else {
		b.WriteString(host)
	}
	if port != 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(port))
	}
}

// StripAlias returns the form of a dialed string that aliases, services
// and rules match against by default: without a display name and <>,
// without a scheme or #scheme: prefix (and the // of a URL scheme), without
// URI parameters (;...), without a trailing ^DTMF suffix, and without
// leading spaces and trailing spaces and slashes. A tel: number also loses
// its visual separators.
//
//	sip:Alice@Example.com;transport=tcp   → Alice@Example.com
//	"Bob" <sips:bob@example.com>          → bob@example.com
//	#h323:1234^99                          → 1234
//	rtsp://cam.example.com/stream1        → cam.example.com/stream1
//
// It returns a substring of s, without allocating, except for a tel:
// number with separators.
func StripAlias(s string) string {
	s = trimAddress(s)
	if inner, ok := splitDisplay(s); ok {
		s = inner
	}
	sc, rest, hasScheme := splitScheme(s)
	if hasScheme {
		if sc.url {
			switch {
			case strings.HasPrefix(rest, "//"):
				rest = rest[2:]
			case len(rest) >= 6 && strings.EqualFold(rest[:6], "%2f%2f"):
				rest = rest[6:]
			}
			return rest
		}
		s = rest
	}
	s, _ = splitDTMF(s)
	start := strings.LastIndexByte(s, '@') + 1
	if i := strings.IndexByte(s[start:], ';'); i >= 0 {
		s = s[:start+i]
	}
	if hasScheme && sc.name == "tel" {
		s = stripVisual(s)
	}
	return trimAddress(s)
}
