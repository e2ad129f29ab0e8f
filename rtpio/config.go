package rtpio

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Config is the `media:` section of the configuration file.
type Config struct {
	// RTPPorts is the UDP port range for media, "first-last". RTP takes the
	// even ports, RTCP the odd port that follows each.
	RTPPorts string `yaml:"rtp_ports"`
	// MediaTimeout ends a call when no media arrives from a leg for this
	// long; 0 turns the check off.
	MediaTimeout time.Duration `yaml:"media_timeout"`
	// BindIP is the local address media sockets bind to; empty binds every
	// interface.
	BindIP string `yaml:"bind_ip"`
}

// DefaultConfig returns the shipped media settings.
func DefaultConfig() Config {
	return Config{RTPPorts: "40000-49999", MediaTimeout: 30 * time.Second}
}

// FieldError names the field of the media section that is wrong.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldPath returns the field's YAML key within the media section.
func (e *FieldError) FieldPath() string { return e.Field }

// Validate checks the port range, the timeout and the bind address.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := ParsePortRange(c.RTPPorts); err != nil {
		errs = append(errs, &FieldError{"rtp_ports", err})
	}
	if c.MediaTimeout < 0 {
		errs = append(errs, &FieldError{"media_timeout", errors.New("must not be negative (0 turns the check off)")})
	}
	if c.BindIP != "" {
		if _, err := parseBindIP(c.BindIP); err != nil {
			errs = append(errs, &FieldError{"bind_ip", err})
		}
	}
	return errors.Join(errs...)
}

// ParsePortRange parses "first-last": 1024 <= first < last <= 65535, and the
// range must hold at least one even port followed by its odd neighbour.
func ParsePortRange(s string) (first, last uint16, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return 0, 0, fmt.Errorf("port range %q: want first-last, for example 40000-49999", s)
	}
	lo, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
	hi, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("port range %q: ports must be numbers from 1024 to 65535", s)
	}
	switch {
	case lo < 1024:
		return 0, 0, fmt.Errorf("port range %q: first port must be at least 1024", s)
	case lo >= hi:
		return 0, 0, fmt.Errorf("port range %q: first port must be below the last", s)
	case firstEven(uint16(lo))+1 > uint16(hi) || firstEven(uint16(lo)) < uint16(lo):
		return 0, 0, fmt.Errorf("port range %q: holds no even RTP port with its RTCP port", s)
	}
	return uint16(lo), uint16(hi), nil
}

// firstEven returns p rounded up to an even port (65535 wraps to 0, which
// the caller rejects).
func firstEven(p uint16) uint16 { return p + p&1 }

func parseBindIP(s string) (netip.Addr, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
	}
	return ip.Unmap(), nil
}
