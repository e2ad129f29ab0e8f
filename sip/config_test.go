package sip

import (
	"errors"
	"testing"
	"time"
)

func TestDefaultConfigValid(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*Config)
		field string
	}{
		{"bad udp listen", func(c *Config) { c.Listen.UDP = "nowhere" }, "listen.udp"},
		{"listen host name", func(c *Config) { c.Listen.TCP = "example.com:5060" }, "listen.tcp"},
		{"cert without key", func(c *Config) { c.TLS.Cert = "a.pem" }, "tls"},
		{"external ip", func(c *Config) { c.ExternalIP = "gw.example.com" }, "external_ip"},
		{"invite timeout", func(c *Config) { c.InviteTimeout = 0 }, "invite_timeout"},
		{"session expires below min_se", func(c *Config) { c.SessionTimer.Expires = 30 * time.Second }, "session_timer.expires"},
		{"registrar expiries", func(c *Config) { c.Registrar.MaxExpires = time.Second }, "registrar.max_expires"},
		{"duplicate user", func(c *Config) {
			c.Registrar.Users = []User{{Username: "a", Password: "x"}, {Username: "A", Password: "y"}}
		}, "registrar.users[1].username"},
		{"trunk without name", func(c *Config) { c.Trunks = []Trunk{{}} }, "trunks[0].name"},
		{"registration mode", func(c *Config) { c.Trunks = []Trunk{{Name: "pbx", Registration: "always"}} }, "trunks[0].registration"},
		{"registration needs user", func(c *Config) {
			c.Trunks = []Trunk{{Name: "pbx", Registration: RegistrationPermanent}}
		}, "trunks[0].username"},
		{"srtp mode", func(c *Config) { c.Trunks = []Trunk{{Name: "pbx", SRTP: "maybe"}} }, "trunks[0].srtp"},
		{"codec", func(c *Config) { c.Trunks = []Trunk{{Name: "pbx", Codecs: []string{"pcmu", "mp3"}}} }, "trunks[0].codecs[1]"},
		{"proxy", func(c *Config) { c.Trunks = []Trunk{{Name: "pbx", OutboundProxy: "sip:"}} }, "trunks[0].outbound_proxy"},
		{"duplicate trunk", func(c *Config) { c.Trunks = []Trunk{{Name: "pbx"}, {Name: "PBX"}} }, "trunks[1].name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mod(&c)
			err := c.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("no field error: %v", err)
			}
			if fe.FieldPath() != tc.field {
				t.Errorf("field %q (%v), want %q", fe.FieldPath(), err, tc.field)
			}
		})
	}
}

func TestTrunkLookup(t *testing.T) {
	c := DefaultConfig()
	c.Trunks = []Trunk{{Name: "PBX", Username: "gw", AuthUsername: "auth"}, {Name: "carrier", Username: "u"}}
	tr, ok := c.Trunk("pbx")
	if !ok || tr.AuthUser() != "auth" {
		t.Errorf("pbx: %+v %v", tr, ok)
	}
	if tr, _ := c.Trunk("carrier"); tr.AuthUser() != "u" {
		t.Errorf("carrier auth user %q", tr.AuthUser())
	}
	if _, ok := c.Trunk(""); ok {
		t.Error("empty name matched")
	}
}
