package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/switchyard/switchyard/api"
	"github.com/switchyard/switchyard/rtpio"
	"github.com/switchyard/switchyard/rules"
	"github.com/switchyard/switchyard/sip"
	"github.com/switchyard/switchyard/transcode"
	"github.com/switchyard/switchyard/webrtc"
)

//go:embed default.yaml
var defaultYAML []byte

// EmbeddedName is the Source of the embedded default configuration.
const EmbeddedName = "embedded default"

// maxFileSize bounds what Load reads; a configuration is a few kilobytes.
const maxFileSize = 16 << 20

// DefaultYAML returns the embedded default configuration file, which is also
// the annotated reference of every option.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// base returns what each field means when the file does not give it.
func base() *Config {
	return &Config{
		Gateway:   Gateway{MaxCalls: 0, ShutdownGrace: 30 * time.Second},
		Log:       Log{Level: "info", Format: "text"},
		API:       api.DefaultConfig(),
		Media:     rtpio.DefaultConfig(),
		SIP:       sip.DefaultConfig(),
		Transcode: transcode.DefaultConfig(),
		WebRTC:    webrtc.DefaultConfig(),
		Dialplan:  rules.DefaultConfig(),
	}
}

// Load reads the configuration from path, or the embedded default when path
// is empty, applies environment overrides (getenv may be nil for none) and
// validates it.
func Load(path string, getenv func(string) string) (*Config, error) {
	name, data := EmbeddedName, defaultYAML
	if path != "" {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if st.Size() > maxFileSize {
			return nil, fmt.Errorf("config: %s is %d bytes, larger than the %d allowed", path, st.Size(), maxFileSize)
		}
		if data, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		name = path
	}
	cfg, file, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	if getenv != nil {
		if err := applyEnv(cfg, getenv); err != nil {
			return nil, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, locate(name, file, err)
	}
	return cfg, nil
}

// Parse decodes and validates configuration bytes; name is used in errors.
// It applies no environment overrides.
func Parse(name string, data []byte) (*Config, error) {
	cfg, file, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, locate(name, file, err)
	}
	return cfg, nil
}

// decode parses YAML onto the defaults, rejecting unknown fields.
func decode(name string, data []byte) (*Config, *ast.File, error) {
	cfg := base()
	cfg.Source = name
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, yamlError(name, err)
	}
	if len(bytes.TrimSpace(data)) == 0 || isEmptyDocument(file) {
		return cfg, file, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if err := dec.Decode(cfg); err != nil {
		var ye yaml.Error
		if !errors.As(err, &ye) {
			if located := locateValueError(name, file, reflect.TypeOf(*cfg)); located != nil {
				return nil, nil, located
			}
		}
		return nil, nil, yamlError(name, err)
	}
	return cfg, file, nil
}

func isEmptyDocument(f *ast.File) bool {
	for _, d := range f.Docs {
		if d.Body != nil {
			return false
		}
	}
	return true
}

// yamlError turns a decoder error into "file:line:col: message".
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return fmt.Errorf("%s:%d:%d: %s", name, tk.Position.Line, tk.Position.Column, ye.GetMessage())
		}
		return fmt.Errorf("%s: %s", name, ye.GetMessage())
	}
	return fmt.Errorf("%s: %w", name, err)
}

// locate fills in the file and line of each FieldError.
func locate(name string, file *ast.File, err error) error {
	var out []error
	for _, e := range flatten(err) {
		var fe *FieldError
		if !errors.As(e, &fe) {
			out = append(out, fmt.Errorf("%s: %w", name, e))
			continue
		}
		fe.File = name
		fe.Line = lineOf(file, fe.Field)
		out = append(out, fe)
	}
	return errors.Join(out...)
}

// lineOf finds the line of a field path such as "dialplan.rules[3].match",
// falling back to the nearest ancestor present in the file; 0 if none is.
func lineOf(file *ast.File, field string) int {
	if file == nil || field == "" {
		return 0
	}
	for p := field; p != ""; p = parentPath(p) {
		path, err := yaml.PathString("$." + p)
		if err != nil {
			continue
		}
		node, err := path.FilterFile(file)
		if err != nil || node == nil {
			continue
		}
		if tk := node.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position.Line
		}
	}
	return 0
}

// parentPath drops the last element of a field path.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i > 0 {
			return p[:i]
		}
		return ""
	}
	if i := strings.LastIndexAny(p, ".["); i > 0 {
		return p[:i]
	}
	return ""
}
