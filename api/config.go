package api

import (
	"errors"
	"net"
	"strconv"
)

// Config is the `api:` section of the configuration file.
type Config struct {
	// Listen is the admin API's host:port. Empty disables the API.
	Listen string `yaml:"listen"`
	// Token, when set, must be sent as "Authorization: Bearer TOKEN" on every
	// request except the health probes.
	Token string `yaml:"token"`
}

// DefaultConfig binds the admin API to loopback.
func DefaultConfig() Config { return Config{Listen: "127.0.0.1:8080"} }

// FieldError names a field of the api section.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string     { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error     { return e.Err }
func (e *FieldError) FieldPath() string { return e.Field }

// Validate checks the listen address.
func (c Config) Validate() error {
	if c.Listen == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return &FieldError{"listen", err}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return &FieldError{"listen", errors.New("port must be a number from 0 to 65535")}
	}
	return nil
}
