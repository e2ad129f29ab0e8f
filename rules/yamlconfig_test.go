package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/switchyard/switchyard/call"
)

// decodeConfig decodes a YAML document with a top-level dialplan: key the
// way the config package does: unknown fields are errors.
func decodeConfig(tb testing.TB, doc string) Config {
	tb.Helper()
	var file struct {
		Dialplan Config `yaml:"dialplan"`
	}
	if err := yaml.UnmarshalWithOptions([]byte(doc), &file, yaml.DisallowUnknownField()); err != nil {
		tb.Fatalf("decode YAML: %v", err)
	}
	return file.Dialplan
}

func engineFromYAML(tb testing.TB, doc string) *Engine {
	tb.Helper()
	e, err := New(decodeConfig(tb, doc))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return e
}

// causeOf returns the cause and detail of a *call.Error.
func causeOf(tb testing.TB, err error) (call.Cause, string) {
	tb.Helper()
	var ce *call.Error
	if !errors.As(err, &ce) {
		tb.Fatalf("error %v (%T) is not a *call.Error", err, err)
	}
	return ce.Cause, ce.Detail
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func yamlStrict(doc string, v any) error {
	return yaml.UnmarshalWithOptions([]byte(doc), v, yaml.DisallowUnknownField())
}
