package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

func TestEmbeddedDefaultIsValid(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatalf("embedded default does not load: %v", err)
	}
	if cfg.Source != EmbeddedName {
		t.Errorf("Source = %q", cfg.Source)
	}
	if cfg.API.Listen != "127.0.0.1:8080" || cfg.Gateway.ShutdownGrace != 30*time.Second {
		t.Errorf("unexpected defaults: api %q grace %v", cfg.API.Listen, cfg.Gateway.ShutdownGrace)
	}
	names := map[string]bool{}
	for _, s := range cfg.Dialplan.Services {
		names[s.Name] = true
	}
	if !names["echo"] || !names["testsrc"] {
		t.Errorf("built-in services missing: %v", names)
	}
}

// TestEmbeddedDefaultDocumentsEveryOption checks that every field of the
// schema appears in the embedded default, which is the option reference.
func TestEmbeddedDefaultDocumentsEveryOption(t *testing.T) {
	var doc map[string]any
	if err := yaml.Unmarshal(defaultYAML, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, typ reflect.Type, node any)
	walk = func(path string, typ reflect.Type, node any) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch typ.Kind() {
		case reflect.Struct:
			if typ == reflect.TypeOf(time.Duration(0)) {
				return
			}
			m, ok := node.(map[string]any)
			if !ok {
				t.Errorf("%s: expected a mapping in the default config", path)
				return
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				key := strings.Split(f.Tag.Get("yaml"), ",")[0]
				if key == "" || key == "-" || !f.IsExported() {
					continue
				}
				v, ok := m[key]
				if !ok {
					t.Errorf("option %s.%s is not in default.yaml", path, key)
					continue
				}
				walk(path+"."+key, f.Type, v)
			}
		case reflect.Slice:
			list, ok := node.([]any)
			if !ok || len(list) == 0 {
				if typ.Elem().Kind() == reflect.Struct && !commentedExample(path) {
					t.Errorf("%s: the default should show one example entry", path)
				}
				return
			}
			walk(path+"[0]", typ.Elem(), list[0])
		}
	}
	walk("$", reflect.TypeOf(Config{}), doc)
}

// commentedExample lists lists whose example entry is a comment in
// default.yaml because an active entry would change behaviour.
// (an example registrar user would ship a known password).
func commentedExample(path string) bool {
	switch path {
	case "$.dialplan.aliases", "$.sip.registrar.users", "$.webrtc.outbound", "$.webrtc.ice.servers":
		return true
	}
	return false
}

func TestEmptyFileGivesDefaults(t *testing.T) {
	for _, src := range []string{"", "\n# nothing\n", "---\n"} {
		cfg, err := Parse("empty.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if cfg.Log.Level != "info" || cfg.API.Listen != "127.0.0.1:8080" || len(cfg.Dialplan.Services) < 2 {
			t.Errorf("%q: defaults not applied: %+v", src, cfg)
		}
	}
}

func TestErrorsNameFileLineAndField(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top-level key", "gateway:\n  name: a\nbogus: 1\n", []string{"t.yaml:3", "bogus"}},
		{"unknown nested key", "gateway:\n  name: a\n  max_cals: 3\n", []string{"t.yaml:3", "max_cals"}},
		{"wrong type", "gateway:\n  max_calls: lots\n", []string{"t.yaml:2"}},
		{"bad duration", "gateway:\n  shutdown_grace: soon\n", []string{"t.yaml:2"}},
		{"negative limit", "log:\n  level: info\ngateway:\n  max_calls: -1\n", []string{"t.yaml:4", "gateway.max_calls"}},
		{"bad log level", "log:\n  level: loud\n", []string{"t.yaml:2", "log.level", "loud"}},
		{"bad listen", "api:\n  listen: nowhere\n", []string{"t.yaml:2", "api.listen"}},
		{"syntax", "gateway: [\n", []string{"t.yaml:"}},
		{"bad regex", `dialplan:
  rules:
    - name: ok
      match: '\d+'
      target: sip
      replace: 'sip:$0@h.example.com'
    - name: broken
      match: '(\d{4}'
      target: sip
`, []string{"t.yaml:8", "dialplan.rules[1].match"}},
		{"two default SIP trunks", `dialplan:
  trunks:
    - name: a
      protocol: sip
      host: a.example.com
      roles: [default_sip_trunk]
    - name: b
      protocol: sip
      host: b.example.com
      roles: [default_sip_trunk]
`, []string{"t.yaml:", "dialplan.trunks[1].roles", "default_sip_trunk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadFileAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sy.yaml")
	if err := os.WriteFile(path, []byte("gateway:\n  name: node-a\n  shutdown_grace: 45s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SWITCHYARD_API_LISTEN": "127.0.0.1:9999", "SWITCHYARD_LOG_LEVEL": "DEBUG"}
	cfg, err := Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Gateway.Name != "node-a" || cfg.Gateway.ShutdownGrace != 45*time.Second || cfg.Source != path {
		t.Errorf("file not applied: %+v", cfg.Gateway)
	}
	if cfg.API.Listen != "127.0.0.1:9999" || cfg.Log.Level != "debug" {
		t.Errorf("environment not applied: api %q level %q", cfg.API.Listen, cfg.Log.Level)
	}
	env["SWITCHYARD_API_LISTEN"] = "no-port"
	if _, err := Load(path, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "SWITCHYARD_API_LISTEN") {
		t.Errorf("bad environment value: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), nil); err == nil {
		t.Error("missing file accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte("gateway:\n  max_calls: 3\n"))
	f.Add([]byte("dialplan:\n  rules:\n    - name: a\n      match: '(.*)'\n      target: sip\n"))
	f.Add([]byte("dialplan: {aliases: [{name: x, target: 'h323:a@b'}]}"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
	})
}

func TestSIPTrunksLinkToDialplan(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte(`
dialplan:
  trunks:
    - {name: pbx, protocol: sip, host: pbx.example.com, transport: tcp}
    - {name: carrier, protocol: sip, host: 192.0.2.9, port: 5080}
    - {name: gk, protocol: h323, host: gk.example.com}
sip:
  trunks:
    - name: pbx
      username: gw
      password: pw
      registration: permanent
`))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, tr := range cfg.SIP.Trunks {
		byName[tr.Name] = i
	}
	if len(cfg.SIP.Trunks) != 2 {
		t.Fatalf("sip trunks = %+v (want pbx and carrier, not the h323 trunk)", cfg.SIP.Trunks)
	}
	pbx := cfg.SIP.Trunks[byName["pbx"]]
	if pbx.Host != "pbx.example.com" || pbx.Transport != "tcp" || pbx.Port != 5060 || pbx.Username != "gw" {
		t.Errorf("pbx = %+v", pbx)
	}
	carrier := cfg.SIP.Trunks[byName["carrier"]]
	if carrier.Host != "192.0.2.9" || carrier.Port != 5080 || carrier.Registration != "off" {
		t.Errorf("carrier = %+v", carrier)
	}

	_, err = Parse("t.yaml", []byte("dialplan:\n  trunks: []\nsip:\n  trunks:\n    - name: ghost\n      username: x\n"))
	if err == nil || !strings.Contains(err.Error(), "t.yaml:5") || !strings.Contains(err.Error(), "sip.trunks[0].name") {
		t.Errorf("unknown sip trunk: %v", err)
	}
}
