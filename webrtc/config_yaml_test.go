package webrtc

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestDefaultYAML: the annotated section in default.yaml (which the
// configuration's embedded default carries) decodes, with unknown keys
// refused, into exactly DefaultConfig.
func TestDefaultYAML(t *testing.T) {
	b, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		WebRTC Config `yaml:"webrtc"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField()).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	if !reflect.DeepEqual(normalize(doc.WebRTC), normalize(want)) {
		t.Errorf("default.yaml decodes to\n%+v\nwant DefaultConfig\n%+v", doc.WebRTC, want)
	}
}

// normalize treats nil and empty lists alike.
func normalize(c Config) Config {
	if len(c.ICE.PublicIPs) == 0 {
		c.ICE.PublicIPs = nil
	}
	if len(c.ICE.Servers) == 0 {
		c.ICE.Servers = nil
	}
	if len(c.Outbound) == 0 {
		c.Outbound = nil
	}
	return c
}
