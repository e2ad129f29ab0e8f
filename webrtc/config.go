package webrtc

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the `webrtc:` section of the configuration file.
type Config struct {
	// Enabled turns browser calls, WHIP and WHEP on. When false the
	// signalling API refuses every offer (503) while other protocols work.
	Enabled bool `yaml:"enabled"`
	// Listen is the HTTPS address of the web app, its signalling API and the
	// WHIP/WHEP endpoints. Browsers need a secure context to use a camera
	// anywhere but on localhost, so this is TLS. Empty: no TLS listener.
	Listen string `yaml:"listen"`
	// HTTPListen is an optional plain-HTTP address for the same handler:
	// for localhost use (a secure context without a certificate) or behind a
	// TLS-terminating reverse proxy. Empty: none.
	HTTPListen string `yaml:"http_listen"`
	// TLS names the certificate and key of Listen. Both empty: a
	// self-signed certificate is generated at start.
	TLS TLSFiles `yaml:"tls"`
	// ICE configures media connectivity.
	ICE ICE `yaml:"ice"`
	// TokenTTL is how long a call's token lives without a refresh. A call
	// whose client stops refreshing ends with the timeout cause.
	TokenTTL time.Duration `yaml:"token_ttl"`
	// AnswerTimeout bounds how long a WHIP or WHEP request waits for the far
	// side to answer before it fails with 504.
	AnswerTimeout time.Duration `yaml:"answer_timeout"`
	// MaxBitrate caps, in kbit/s, each video stream a browser sends to the
	// gateway (b=AS in the answer); 0: no cap beyond the call's own.
	MaxBitrate int `yaml:"max_bitrate"`
	// WebApp serves the web app at /. API, WHIP and WHEP stay available when
	// it is off.
	WebApp bool `yaml:"web_app"`
	// WHIP and WHEP configure the ingest and playback endpoints.
	WHIP Endpoint `yaml:"whip"`
	WHEP Endpoint `yaml:"whep"`
	// Outbound holds credentials for WHIP/WHEP dial-outs, by URL prefix.
	Outbound []OutboundAuth `yaml:"outbound"`
}

// TLSFiles names a PEM certificate chain and its private key.
type TLSFiles struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// ICE configures candidates and the servers handed to browsers.
type ICE struct {
	// UDP is the one UDP address every PeerConnection shares (ICE UDP mux).
	// An unspecified host (0.0.0.0) opens the port on every interface.
	UDP string `yaml:"udp"`
	// TCP is the ICE-TCP (passive) address, a fallback for networks that
	// block UDP. Empty: no ICE-TCP.
	TCP string `yaml:"tcp"`
	// PublicIPs replace the host addresses in our candidates (1:1 NAT: the
	// public addresses of a server with private interface addresses).
	PublicIPs []string `yaml:"public_ips"`
	// Loopback offers loopback candidates too (same-host clients, tests).
	Loopback bool `yaml:"loopback"`
	// Servers are the STUN and TURN servers handed to browsers.
	Servers []ICEServer `yaml:"servers"`
	// ConnectTimeout is how long an answered leg may take to connect
	// (ICE and DTLS) before it fails with ice_failed.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// FailedTimeout is how long a connected leg may lose connectivity
	// before it ends.
	FailedTimeout time.Duration `yaml:"failed_timeout"`
}

// ICEServer is a STUN or TURN server for browsers.
type ICEServer struct {
	// URLs are stun:, stuns:, turn: or turns: URIs.
	URLs []string `yaml:"urls"`
	// Username and Credential are static TURN credentials.
	Username   string `yaml:"username"`
	Credential string `yaml:"credential"`
	// Secret, when set, replaces Username and Credential with time-limited
	// credentials made per request (the TURN REST API scheme, coturn's
	// use-auth-secret): username "EXPIRY:switchyard", credential
	// base64(HMAC-SHA1(secret, username)).
	Secret string `yaml:"secret"`
	// CredentialTTL is the lifetime of credentials made from Secret.
	CredentialTTL time.Duration `yaml:"credential_ttl"`
}

// Endpoint configures the WHIP or WHEP endpoint.
type Endpoint struct {
	Enabled bool `yaml:"enabled"`
	// Token, when set, must be presented as "Authorization: Bearer TOKEN".
	Token string `yaml:"token"`
}

// OutboundAuth is the bearer token for dial-outs to URLs under a prefix.
type OutboundAuth struct {
	URLPrefix string `yaml:"url_prefix"`
	Token     string `yaml:"token"`
}

// DefaultConfig is the `webrtc:` section of the embedded default
// configuration. The admin API keeps 127.0.0.1:8080; the web port is 8443
// with TLS.
func DefaultConfig() Config {
	return Config{
		Enabled:       true,
		Listen:        "0.0.0.0:8443",
		ICE:           ICE{UDP: "0.0.0.0:8189", TCP: "0.0.0.0:8189", ConnectTimeout: 15 * time.Second, FailedTimeout: 15 * time.Second},
		TokenTTL:      2 * time.Minute,
		AnswerTimeout: 30 * time.Second,
		MaxBitrate:    2500,
		WebApp:        true,
		WHIP:          Endpoint{Enabled: true},
		WHEP:          Endpoint{Enabled: true},
	}
}

// FieldError names a field of the `webrtc:` section by its YAML path, such
// as "ice.servers[0].urls[1]".
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldPath returns the field's YAML path within the section.
func (e *FieldError) FieldPath() string { return e.Field }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// Validate checks every field; the errors name fields by their YAML path.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(checkListen("listen", c.Listen, true))
	add(checkListen("http_listen", c.HTTPListen, true))
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		add(fieldErrorf("tls", "give both cert and key, or neither for a self-signed certificate"))
	}
	if c.ICE.UDP == "" {
		add(fieldErrorf("ice.udp", "an ICE UDP address is required (for example 0.0.0.0:8189)"))
	} else {
		add(checkListen("ice.udp", c.ICE.UDP, false))
	}
	add(checkListen("ice.tcp", c.ICE.TCP, false))
	for i, ip := range c.ICE.PublicIPs {
		if _, err := netip.ParseAddr(ip); err != nil {
			add(fieldErrorf(fmt.Sprintf("ice.public_ips[%d]", i), "%q is not an IP address", ip))
		}
	}
	for i, s := range c.ICE.Servers {
		add(s.validate(fmt.Sprintf("ice.servers[%d]", i)))
	}
	if c.ICE.ConnectTimeout < time.Second {
		add(fieldErrorf("ice.connect_timeout", "must be at least 1s"))
	}
	if c.ICE.FailedTimeout < time.Second {
		add(fieldErrorf("ice.failed_timeout", "must be at least 1s"))
	}
	if c.TokenTTL < 10*time.Second {
		add(fieldErrorf("token_ttl", "must be at least 10s (clients refresh at a third of it)"))
	}
	if c.AnswerTimeout < time.Second {
		add(fieldErrorf("answer_timeout", "must be at least 1s"))
	}
	if c.MaxBitrate < 0 || c.MaxBitrate > 100000 {
		add(fieldErrorf("max_bitrate", "must be from 0 (no cap) to 100000 kbit/s"))
	}
	for i, o := range c.Outbound {
		at := fmt.Sprintf("outbound[%d]", i)
		u, err := url.Parse(o.URLPrefix)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add(fieldErrorf(at+".url_prefix", "%q is not an http:// or https:// URL", o.URLPrefix))
		}
		if o.Token == "" {
			add(fieldErrorf(at+".token", "must not be empty"))
		}
	}
	return errors.Join(errs...)
}

// checkListen accepts host:port; an empty value is allowed (the listener is
// off). Port 0 asks the system for a free port.
func checkListen(field, addr string, hostNameOK bool) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &FieldError{Field: field, Err: err}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fieldErrorf(field, "port must be a number from 0 to 65535")
	}
	if host == "" {
		return nil
	}
	if _, err := netip.ParseAddr(host); err != nil && !hostNameOK {
		return fieldErrorf(field, "%q is not an IP address", host)
	}
	return nil
}

func (s ICEServer) validate(at string) error {
	var errs []error
	if len(s.URLs) == 0 {
		errs = append(errs, fieldErrorf(at+".urls", "give at least one stun: or turn: URL"))
	}
	turn := false
	for j, u := range s.URLs {
		scheme, rest, ok := strings.Cut(u, ":")
		switch strings.ToLower(scheme) {
		case "stun", "stuns":
		case "turn", "turns":
			turn = true
		default:
			ok = false
		}
		if !ok || rest == "" {
			errs = append(errs, fieldErrorf(fmt.Sprintf("%s.urls[%d]", at, j), "%q is not a stun:, stuns:, turn: or turns: URL", u))
		}
	}
	if turn && s.Secret == "" && (s.Username == "" || s.Credential == "") {
		errs = append(errs, fieldErrorf(at, "a TURN server needs username and credential, or a secret"))
	}
	if s.Secret != "" && s.Username != "" {
		errs = append(errs, fieldErrorf(at+".username", "give username/credential or secret, not both"))
	}
	if s.CredentialTTL < 0 {
		errs = append(errs, fieldErrorf(at+".credential_ttl", "must not be negative"))
	}
	return errors.Join(errs...)
}
