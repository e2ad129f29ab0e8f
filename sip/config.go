package sip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Config is the `sip:` section of the configuration file.
type Config struct {
	// Listen holds one address per transport; an empty address disables it.
	Listen Listen `yaml:"listen"`
	// TLS names the certificate and key of the TLS listener. Both empty: a
	// self-signed certificate is generated at start.
	TLS TLSFiles `yaml:"tls"`
	// ExternalIP is written into SDP c=/o= lines, Via and Contact (1:1 NAT).
	ExternalIP string `yaml:"external_ip"`
	// Domain is our domain in From when a trunk gives none.
	Domain string `yaml:"domain"`
	// UserAgent is sent in User-Agent and Server headers.
	UserAgent string `yaml:"user_agent"`
	// InviteTimeout bounds the wait for a final answer to an outbound INVITE:
	// past it the INVITE is cancelled and the leg fails with cause timeout.
	InviteTimeout time.Duration `yaml:"invite_timeout"`
	// SessionTimer configures RFC 4028 session timers.
	SessionTimer SessionTimer `yaml:"session_timer"`
	// CompactHeaders is the default of every trunk's compact_headers.
	CompactHeaders bool `yaml:"compact_headers"`
	// Registrar is the REGISTER service for SIP endpoints.
	Registrar Registrar `yaml:"registrar"`
	// Trunks holds the SIP options of dial-plan trunks, by name.
	Trunks []Trunk `yaml:"trunks"`
}

// Listen holds the listen address of each transport.
type Listen struct {
	UDP string `yaml:"udp"`
	TCP string `yaml:"tcp"`
	TLS string `yaml:"tls"`
}

// TLSFiles names a PEM certificate chain and its private key.
type TLSFiles struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// SessionTimer configures RFC 4028 session timers.
type SessionTimer struct {
	Enabled bool `yaml:"enabled"`
	// Expires is the session interval we ask for (Session-Expires).
	Expires time.Duration `yaml:"expires"`
	// MinSE is the smallest session interval we accept (Min-SE); a shorter
	// one is refused with 422.
	MinSE time.Duration `yaml:"min_se"`
}

// Registrar configures the REGISTER service.
type Registrar struct {
	Enabled    bool          `yaml:"enabled"`
	Realm      string        `yaml:"realm"`
	MinExpires time.Duration `yaml:"min_expires"`
	MaxExpires time.Duration `yaml:"max_expires"`
	Users      []User        `yaml:"users"`
	// MaxFailures failed authentications from one source IP within
	// FailureWindow ban that IP (403) for BanTime.
	MaxFailures   int           `yaml:"max_failures"`
	FailureWindow time.Duration `yaml:"failure_window"`
	BanTime       time.Duration `yaml:"ban_time"`
}

// User is a registrar account.
type User struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// RegistrationMode says when the gateway registers to a trunk.
type RegistrationMode string

// Registration modes.
const (
	RegistrationOff        RegistrationMode = "off"
	RegistrationPermanent  RegistrationMode = "permanent"
	RegistrationBeforeCall RegistrationMode = "before-call"
)

// SRTPMode is a trunk's SDES-SRTP policy.
type SRTPMode string

// SRTP modes.
const (
	SRTPOff        SRTPMode = "off"
	SRTPBestEffort SRTPMode = "best-effort"
	SRTPRequired   SRTPMode = "required"
)

// Trunk holds the SIP options of one dial-plan trunk.
type Trunk struct {
	// Name must name a dial-plan trunk whose protocol is sip.
	Name string `yaml:"name"`
	// OutboundProxy, when set, receives every request to this trunk
	// (sip:proxy.example.com:5060).
	OutboundProxy string `yaml:"outbound_proxy"`
	Username      string `yaml:"username"`
	// AuthUsername is the digest user name; empty means Username.
	AuthUsername string `yaml:"auth_username"`
	Password     string `yaml:"password"`
	// Registration is off, permanent or before-call.
	Registration    RegistrationMode `yaml:"registration"`
	RegisterExpires time.Duration    `yaml:"register_expires"`
	// FromDomain is the caller-ID domain in From.
	FromDomain string `yaml:"from_domain"`
	// ExternalIP overrides Config.ExternalIP for this trunk.
	ExternalIP string `yaml:"external_ip"`
	// Codecs is an allow-list of codec names as in dial-plan rules; empty
	// allows every codec.
	Codecs []string `yaml:"codecs"`
	// SRTP is off, best-effort or required (SDES).
	SRTP           SRTPMode `yaml:"srtp"`
	CompactHeaders bool     `yaml:"compact_headers"`
	// TrimSDP drops a=rtpmap for the static payload types 0, 8, 9 and 18.
	TrimSDP bool `yaml:"trim_sdp"`
	// OptionsInterval is the period of OPTIONS keepalives; 0 disables them.
	OptionsInterval time.Duration `yaml:"options_interval"`

	// Host, Port and Transport are the dial-plan trunk's address. They are
	// not read from the `sip:` section: the configuration composer copies
	// them from the dial-plan trunk of the same name. Inbound calls whose
	// source address is Host's are attributed to this trunk.
	Host      string `yaml:"-"`
	Port      int    `yaml:"-"`
	Transport string `yaml:"-"`
}

// AuthUser returns the digest user name of the trunk.
func (t Trunk) AuthUser() string {
	if t.AuthUsername != "" {
		return t.AuthUsername
	}
	return t.Username
}

// DefaultConfig is the `sip:` section of the embedded default configuration.
func DefaultConfig() Config {
	return Config{
		Listen:        Listen{UDP: "0.0.0.0:5060", TCP: "0.0.0.0:5060", TLS: "0.0.0.0:5061"},
		UserAgent:     "Switchyard",
		InviteTimeout: 60 * time.Second,
		SessionTimer:  SessionTimer{Enabled: true, Expires: 1800 * time.Second, MinSE: 90 * time.Second},
		Registrar: Registrar{
			Enabled:       true,
			Realm:         "switchyard",
			MinExpires:    60 * time.Second,
			MaxExpires:    3600 * time.Second,
			MaxFailures:   5,
			FailureWindow: 60 * time.Second,
			BanTime:       300 * time.Second,
		},
	}
}

// DefaultTrunk is a trunk entry with every option at its default.
func DefaultTrunk(name string) Trunk {
	return Trunk{Name: name, Registration: RegistrationOff, RegisterExpires: 3600 * time.Second, SRTP: SRTPOff}
}

// Trunk returns the SIP options of the named trunk.
func (c *Config) Trunk(name string) (Trunk, bool) {
	if name == "" {
		return Trunk{}, false
	}
	for _, t := range c.Trunks {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return Trunk{}, false
}

// FieldError names a field of the `sip:` section by its YAML path, such as
// "trunks[0].registration".
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string     { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error     { return e.Err }
func (e *FieldError) FieldPath() string { return e.Field }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// Validate checks every field. Each error is a *FieldError; several are
// joined with errors.Join.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(validListen("listen.udp", c.Listen.UDP))
	add(validListen("listen.tcp", c.Listen.TCP))
	add(validListen("listen.tls", c.Listen.TLS))
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		add(fieldErrorf("tls", "cert and key must be given together"))
	}
	add(validIP("external_ip", c.ExternalIP))
	if strings.ContainsAny(c.Domain, " \t@;<>") {
		add(fieldErrorf("domain", "%q is not a domain name", c.Domain))
	}
	if strings.ContainsAny(c.UserAgent, "\r\n") {
		add(fieldErrorf("user_agent", "must be one line"))
	}
	if c.InviteTimeout <= 0 {
		add(fieldErrorf("invite_timeout", "must be positive"))
	}
	if st := c.SessionTimer; st.Enabled {
		if st.MinSE < time.Second {
			add(fieldErrorf("session_timer.min_se", "must be at least 1s (RFC 4028 recommends 90s)"))
		}
		if st.Expires < st.MinSE {
			add(fieldErrorf("session_timer.expires", "must not be shorter than min_se (%s)", st.MinSE))
		}
	}
	r := c.Registrar
	if r.Enabled {
		if r.MinExpires <= 0 {
			add(fieldErrorf("registrar.min_expires", "must be positive"))
		}
		if r.MaxExpires < r.MinExpires {
			add(fieldErrorf("registrar.max_expires", "must not be shorter than min_expires"))
		}
		if r.MaxFailures < 0 {
			add(fieldErrorf("registrar.max_failures", "must not be negative"))
		}
		if r.FailureWindow < 0 {
			add(fieldErrorf("registrar.failure_window", "must not be negative"))
		}
		if r.BanTime < 0 {
			add(fieldErrorf("registrar.ban_time", "must not be negative"))
		}
	}
	seenUser := map[string]bool{}
	for i, u := range r.Users {
		p := fmt.Sprintf("registrar.users[%d]", i)
		switch {
		case u.Username == "":
			add(fieldErrorf(p+".username", "is required"))
		case strings.ContainsAny(u.Username, " \t@:;<>\""):
			add(fieldErrorf(p+".username", "%q is not a SIP user name", u.Username))
		case seenUser[strings.ToLower(u.Username)]:
			add(fieldErrorf(p+".username", "%q appears twice", u.Username))
		}
		seenUser[strings.ToLower(u.Username)] = true
	}
	seenTrunk := map[string]bool{}
	for i, t := range c.Trunks {
		for _, err := range t.validate(fmt.Sprintf("trunks[%d]", i)) {
			add(err)
		}
		if t.Name != "" {
			if seenTrunk[strings.ToLower(t.Name)] {
				add(fieldErrorf(fmt.Sprintf("trunks[%d].name", i), "%q appears twice", t.Name))
			}
			seenTrunk[strings.ToLower(t.Name)] = true
		}
	}
	return errors.Join(errs...)
}

func (t Trunk) validate(p string) []error {
	var errs []error
	if t.Name == "" {
		errs = append(errs, fieldErrorf(p+".name", "is required"))
	}
	if t.OutboundProxy != "" {
		if _, err := parseURI(t.OutboundProxy); err != nil {
			errs = append(errs, fieldErrorf(p+".outbound_proxy", "%v", err))
		}
	}
	switch t.Registration {
	case "", RegistrationOff:
	case RegistrationPermanent, RegistrationBeforeCall:
		if t.Username == "" {
			errs = append(errs, fieldErrorf(p+".username", "is required when registration is %s", t.Registration))
		}
	default:
		errs = append(errs, fieldErrorf(p+".registration", "%q is not one of off, permanent, before-call", t.Registration))
	}
	if t.RegisterExpires < 0 {
		errs = append(errs, fieldErrorf(p+".register_expires", "must not be negative"))
	}
	if strings.ContainsAny(t.FromDomain, " \t@;<>") {
		errs = append(errs, fieldErrorf(p+".from_domain", "%q is not a domain name", t.FromDomain))
	}
	if err := validIP(p+".external_ip", t.ExternalIP); err != nil {
		errs = append(errs, err)
	}
	for j, name := range t.Codecs {
		if !knownCodecName(name) {
			errs = append(errs, fieldErrorf(fmt.Sprintf("%s.codecs[%d]", p, j), "unknown codec %q", name))
		}
	}
	switch t.SRTP {
	case "", SRTPOff, SRTPBestEffort, SRTPRequired:
	default:
		errs = append(errs, fieldErrorf(p+".srtp", "%q is not one of off, best-effort, required", t.SRTP))
	}
	if t.OptionsInterval < 0 {
		errs = append(errs, fieldErrorf(p+".options_interval", "must not be negative"))
	}
	return errs
}

func validListen(field, addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &FieldError{Field: field, Err: err}
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil {
			return fieldErrorf(field, "host %q is not an IP address", host)
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fieldErrorf(field, "port must be a number from 0 to 65535")
	}
	return nil
}

func validIP(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return fieldErrorf(field, "%q is not an IP address", s)
	}
	return nil
}

// parseURI parses a SIP or SIPS URI; a bare host[:port] is read as sip:host[:port].
func parseURI(s string) (sip.Uri, error) {
	var u sip.Uri
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if s == "" {
		return u, errors.New("empty SIP URI")
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "sip:") && !strings.HasPrefix(lower, "sips:") {
		s = "sip:" + s
	}
	if err := sip.ParseUri(s, &u); err != nil {
		return u, fmt.Errorf("parse SIP URI %q: %w", s, err)
	}
	if u.Host == "" {
		return u, fmt.Errorf("SIP URI %q has no host", s)
	}
	return u, nil
}
