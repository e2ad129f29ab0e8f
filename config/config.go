package config

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchyard/switchyard/api"
	"github.com/switchyard/switchyard/rtpio"
	"github.com/switchyard/switchyard/rules"
	"github.com/switchyard/switchyard/sip"
	"github.com/switchyard/switchyard/transcode"
	"github.com/switchyard/switchyard/webrtc"
)

// Config is the whole configuration file.
type Config struct {
	Gateway   Gateway          `yaml:"gateway"`
	Log       Log              `yaml:"log"`
	API       api.Config       `yaml:"api"`
	Media     rtpio.Config     `yaml:"media"`
	SIP       sip.Config       `yaml:"sip"`
	Transcode transcode.Config `yaml:"transcode"`
	WebRTC    webrtc.Config    `yaml:"webrtc"`
	Dialplan  rules.Config     `yaml:"dialplan"`

	// Source names where the configuration came from (a file path, or
	// "embedded default"); it is not read from YAML.
	Source string `yaml:"-"`
}

// Gateway holds the node's own settings.
type Gateway struct {
	// Name identifies this node in logs and call records; empty means the host name.
	Name string `yaml:"name"`
	// MaxCalls is the number of concurrent calls the node admits; further calls
	// are refused with the capacity cause. 0 means no limit.
	MaxCalls int `yaml:"max_calls"`
	// Maintenance refuses every new call with the maintenance cause while
	// current calls continue.
	Maintenance bool `yaml:"maintenance"`
	// ShutdownGrace is how long a stopping node waits for its calls to end
	// before it hangs them up.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// CallRecords is a file that receives one JSON line per call (appended);
	// empty writes them to the log output.
	CallRecords string `yaml:"call_records"`
}

// Log holds logging settings.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// SlogLevel returns the slog level for Level; Validate has checked it.
func (l Log) SlogLevel() slog.Level {
	switch strings.ToLower(l.Level) {
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Validate checks every section. Errors name the field by its YAML path.
func (c *Config) Validate() error {
	var errs []error
	if c.Gateway.MaxCalls < 0 {
		errs = append(errs, fieldErr("gateway.max_calls", "must not be negative"))
	}
	if c.Gateway.ShutdownGrace < 0 {
		errs = append(errs, fieldErr("gateway.shutdown_grace", "must not be negative"))
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "warning", "error":
	default:
		errs = append(errs, fieldErr("log.level", fmt.Sprintf("%q is not one of debug, info, warn, error", c.Log.Level)))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fieldErr("log.format", fmt.Sprintf("%q is not one of text, json", c.Log.Format)))
	}
	errs = append(errs, prefixed("api", c.API.Validate())...)
	errs = append(errs, prefixed("media", c.Media.Validate())...)
	errs = append(errs, prefixed("sip", c.SIP.Validate())...)
	errs = append(errs, prefixed("transcode", c.Transcode.Validate())...)
	errs = append(errs, prefixed("webrtc", c.WebRTC.Validate())...)
	errs = append(errs, c.linkSIPTrunks()...)
	errs = append(errs, prefixed("dialplan", c.Dialplan.Validate())...)
	return joinErrors(errs)
}
