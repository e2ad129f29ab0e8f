package webrtc

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "0.0.0.0:8443" || c.ICE.UDP != "0.0.0.0:8189" || c.ICE.TCP != "0.0.0.0:8189" || c.TokenTTL != 2*time.Minute {
		t.Errorf("defaults changed: %+v", c)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		paths []string
	}{
		{"bad listen", func(c *Config) { c.Listen = "8443" }, []string{"listen"}},
		{"bad http port", func(c *Config) { c.HTTPListen = "127.0.0.1:99999" }, []string{"http_listen"}},
		{"cert without key", func(c *Config) { c.TLS.Cert = "a.pem" }, []string{"tls"}},
		{"no ice udp", func(c *Config) { c.ICE.UDP = "" }, []string{"ice.udp"}},
		{"ice host name", func(c *Config) { c.ICE.TCP = "example.com:8189" }, []string{"ice.tcp"}},
		{"public ip", func(c *Config) { c.ICE.PublicIPs = []string{"198.51.100.7", "gw.example.com"} }, []string{"ice.public_ips[1]"}},
		{"ice server url", func(c *Config) {
			c.ICE.Servers = []ICEServer{{URLs: []string{"stun:stun.example.com"}}, {URLs: []string{"http://x"}}}
		}, []string{"ice.servers[1].urls[0]"}},
		{"turn without credentials", func(c *Config) { c.ICE.Servers = []ICEServer{{URLs: []string{"turn:t.example.com"}}} }, []string{"ice.servers[0]"}},
		{"turn secret and user", func(c *Config) {
			c.ICE.Servers = []ICEServer{{URLs: []string{"turn:t.example.com"}, Secret: "s", Username: "u", Credential: "c"}}
		}, []string{"ice.servers[0].username"}},
		{"no urls", func(c *Config) { c.ICE.Servers = []ICEServer{{}} }, []string{"ice.servers[0].urls"}},
		{"timeouts", func(c *Config) { c.ICE.ConnectTimeout, c.ICE.FailedTimeout = 0, time.Millisecond }, []string{"ice.connect_timeout", "ice.failed_timeout"}},
		{"token ttl", func(c *Config) { c.TokenTTL = time.Second }, []string{"token_ttl"}},
		{"answer timeout", func(c *Config) { c.AnswerTimeout = 0 }, []string{"answer_timeout"}},
		{"bitrate", func(c *Config) { c.MaxBitrate = -1 }, []string{"max_bitrate"}},
		{"outbound", func(c *Config) { c.Outbound = []OutboundAuth{{URLPrefix: "ftp://x", Token: ""}} }, []string{"outbound[0].url_prefix", "outbound[0].token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			var got []string
			for _, e := range flattenErrs(err) {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("%v is not a FieldError", e)
				}
				got = append(got, fe.FieldPath())
				if !strings.HasPrefix(fe.Error(), fe.FieldPath()+": ") {
					t.Errorf("message %q does not start with its path", fe.Error())
				}
			}
			if !slices.Equal(got, tt.paths) {
				t.Errorf("paths %v, want %v (%v)", got, tt.paths, err)
			}
		})
	}
}

func flattenErrs(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenErrs(e)...)
		}
		return out
	}
	return []error{err}
}
