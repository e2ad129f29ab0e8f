package config

import (
	"fmt"
	"net"
	"sort"
	"strings"
)

// envOverride sets one field from an environment variable.
type envOverride struct {
	field string
	set   func(c *Config, v string) error
}

// envOverrides maps each SWITCHYARD_* variable to the field it sets. Listen
// addresses can be set from the environment so that one file serves several
// nodes or containers.
var envOverrides = map[string]envOverride{
	"SWITCHYARD_API_LISTEN": {"api.listen", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return err
		}
		c.API.Listen = v
		return nil
	}},
	"SWITCHYARD_SIP_LISTEN_UDP": {"sip.listen.udp", func(c *Config, v string) error {
		c.SIP.Listen.UDP = v
		return nil
	}},
	"SWITCHYARD_SIP_LISTEN_TCP": {"sip.listen.tcp", func(c *Config, v string) error {
		c.SIP.Listen.TCP = v
		return nil
	}},
	"SWITCHYARD_SIP_LISTEN_TLS": {"sip.listen.tls", func(c *Config, v string) error {
		c.SIP.Listen.TLS = v
		return nil
	}},
	"SWITCHYARD_SIP_EXTERNAL_IP": {"sip.external_ip", func(c *Config, v string) error {
		c.SIP.ExternalIP = v
		return nil
	}},
	"SWITCHYARD_RTP_PORTS": {"media.rtp_ports", func(c *Config, v string) error {
		c.Media.RTPPorts = v
		return nil
	}},
	"SWITCHYARD_WEBRTC_LISTEN": {"webrtc.listen", func(c *Config, v string) error {
		c.WebRTC.Listen = v
		return nil
	}},
	"SWITCHYARD_WEBRTC_ICE_UDP": {"webrtc.ice.udp", func(c *Config, v string) error {
		c.WebRTC.ICE.UDP = v
		return nil
	}},
	"SWITCHYARD_NODE_NAME": {"gateway.name", func(c *Config, v string) error {
		c.Gateway.Name = v
		return nil
	}},
	"SWITCHYARD_LOG_LEVEL": {"log.level", func(c *Config, v string) error {
		c.Log.Level = strings.ToLower(v)
		return nil
	}},
}

// EnvVars lists the environment variables that override configuration, with
// the field each sets, sorted by name.
func EnvVars() [][2]string {
	out := make([][2]string, 0, len(envOverrides))
	for k, o := range envOverrides {
		out = append(out, [2]string{k, o.field})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func applyEnv(c *Config, getenv func(string) string) error {
	for _, kv := range EnvVars() {
		v := getenv(kv[0])
		if v == "" {
			continue
		}
		if err := envOverrides[kv[0]].set(c, v); err != nil {
			return fmt.Errorf("environment %s=%q (%s): %w", kv[0], v, kv[1], err)
		}
	}
	return nil
}
