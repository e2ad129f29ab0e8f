package rtpio

import (
	"errors"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string // "" = valid
	}{
		{"default", DefaultConfig(), ""},
		{"odd first", Config{RTPPorts: "40001-40010"}, ""},
		{"one pair", Config{RTPPorts: "40000-40001"}, ""},
		{"spaces", Config{RTPPorts: " 40000 - 40003 "}, ""},
		{"ipv6 bind", Config{RTPPorts: "40000-40010", BindIP: "::1"}, ""},
		{"empty", Config{}, "rtp_ports"},
		{"no dash", Config{RTPPorts: "40000"}, "rtp_ports"},
		{"below 1024", Config{RTPPorts: "1000-2000"}, "rtp_ports"},
		{"reversed", Config{RTPPorts: "5000-4000"}, "rtp_ports"},
		{"equal", Config{RTPPorts: "5000-5000"}, "rtp_ports"},
		{"above 65535", Config{RTPPorts: "60000-70000"}, "rtp_ports"},
		{"no pair", Config{RTPPorts: "40001-40002"}, "rtp_ports"},
		{"top pair", Config{RTPPorts: "65533-65535"}, ""},
		{"top no pair", Config{RTPPorts: "65535-65535"}, "rtp_ports"},
		{"junk", Config{RTPPorts: "a-b"}, "rtp_ports"},
		{"negative timeout", Config{RTPPorts: "40000-40010", MediaTimeout: -time.Second}, "media_timeout"},
		{"bad bind", Config{RTPPorts: "40000-40010", BindIP: "example.com"}, "bind_ip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe interface{ FieldPath() string }
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a field error on %s", err, tt.field)
			}
			if fe.FieldPath() != tt.field {
				t.Fatalf("field = %q, want %q (%v)", fe.FieldPath(), tt.field, err)
			}
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if c.RTPPorts != "40000-49999" || c.MediaTimeout != 30*time.Second || c.BindIP != "" {
		t.Fatalf("DefaultConfig() = %+v", c)
	}
}
