package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/call"
)

// briefExample is the annotated example of the dial plan section.
const briefExample = `
dialplan:
  international_prefix: ""
  local_domains: [gw.example.com]
  services:
    - name: echo
      kind: echo
      aliases: [echo, "*9999"]
      enabled: true
  aliases:
    - name: cam-lobby
      target: rtsp://10.0.0.5/stream1
  trunks:
    - name: pbx
      protocol: sip
      host: pbx.example.com
      port: 5060
      transport: udp
      roles: [default_sip_trunk, default_voip]
      international_prefix: "00"
  rules:
    - name: pbx-extensions
      priority: 10
      enabled: true
      match: '(\d{4})'
      match_full_uri: false
      replace: 'sip:$1@pbx.example.com'
      from_protocols: [sip, webrtc]
      only_registered: false
      directions: [incoming]
      sources: ["10.0.0.0/8", "192.0.2.7", "pbx"]
      target: sip
      trunk: pbx
      call_type: video+content
      max_bitrate_in: 0
      max_bitrate_out: 0
      codecs: []
      srtp: best-effort
      dtmf: rfc4733
      content: true
      fecc: true
      on_failure: stop
`

func TestDecodeExample(t *testing.T) {
	cfg := decodeConfig(t, briefExample)
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	r := cfg.Rules[0]
	if r.Name != "pbx-extensions" || r.Priority != 10 || r.Enabled == nil || !*r.Enabled || r.Match != `(\d{4})` ||
		r.Replace != "sip:$1@pbx.example.com" || len(r.FromProtocols) != 2 || r.Target != TargetSIP ||
		r.Trunk != "pbx" || r.CallType != CallTypeVideoContent || r.SRTP != SRTPBestEffort ||
		r.DTMF != DTMFRFC4733 || r.Content == nil || r.FECC == nil || r.OnFailure != OnFailureStop || len(r.Sources) != 3 {
		t.Errorf("rule decoded as %+v", r)
	}
	if tr := cfg.Trunks[0]; tr.Port != 5060 || tr.Transport != TransportUDP || len(tr.Roles) != 2 || tr.InternationalPrefix != "00" {
		t.Errorf("trunk decoded as %+v", tr)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Route(&Request{Protocol: call.ProtocolSIP, Dialed: "sip:1234@gw.example.com", Trunk: "pbx"})
	if err == nil {
		t.Fatalf("1234@gw.example.com is not a 4-digit alias, got %v", summarize(got))
	}
	got, err = e.Route(&Request{Protocol: call.ProtocolWebRTC, Dialed: "1234", Trunk: "pbx"})
	if err != nil || summarize(got)[0] != "pbx-extensions → sip:1234@pbx.example.com:5060;transport=udp via pbx" {
		t.Fatalf("1234: %v %v", summarize(got), err)
	}
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	var file struct {
		Dialplan Config `yaml:"dialplan"`
	}
	for _, doc := range []string{
		"dialplan:\n  rules:\n    - {name: a, match: b, replce: c}\n",
		"dialplan:\n  trunk: []\n",
	} {
		if err := yamlStrict(doc, &file); err == nil {
			t.Errorf("%q decoded without error", doc)
		}
	}
}

func TestDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Services) != 2 || cfg.Services[0].Name != "echo" || cfg.Services[1].Name != "testsrc" {
		t.Fatalf("built-ins: %+v", cfg.Services)
	}
	for _, c := range []Config{cfg, {}} {
		e, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, alias := range []string{"echo", "testsrc"} {
			got, err := e.Route(&Request{Dialed: alias})
			if err != nil || got[0].Service != alias {
				t.Errorf("%s: %v %v", alias, summarize(got), err)
			}
		}
	}
}

func TestBuiltinAliasYields(t *testing.T) {
	e := engineFromYAML(t, `
dialplan:
  aliases:
    - {name: echo, target: 'sip:echo@lab.example.com'}
`)
	got, err := e.Route(&Request{Dialed: "echo"})
	if err != nil || got[0].Kind != DecisionGateway || got[0].Alias != "echo" {
		t.Fatalf("echo: %v %v", summarize(got), err)
	}
}

func TestValidateFieldErrors(t *testing.T) {
	long := strings.Repeat("n", 65)
	tests := []struct {
		name  string
		doc   string // under dialplan:, indented by two
		field string
		msg   string
	}{
		{"rule name required", "rules:\n  - {match: a}", "rules[0].name", "required"},
		{"duplicate rule name", "rules:\n  - {name: a, match: a}\n  - {name: a, match: b}", "rules[1].name", `duplicate rule name "a" (also rules[0])`},
		{"match required", "rules:\n  - {name: a}", "rules[0].match", "required"},
		{"match does not compile", "rules:\n  - {name: a, match: '(ab'}", "rules[0].match", "missing closing )"},
		{"match escapes the anchors", "rules:\n  - {name: a, match: 'a)|(b'}", "rules[0].match", "unexpected )"},
		{"replace group beyond", "rules:\n  - {name: a, match: '(a)', replace: 'sip:$2@h'}", "rules[0].replace", "group 2"},
		{"replace unknown name", "rules:\n  - {name: a, match: '(?P<u>a)', replace: 'sip:${user}@h'}", "rules[0].replace", `"user"`},
		{"replace $1x", "rules:\n  - {name: a, match: '(a)', replace: 'sip:$1x@h'}", "rules[0].replace", "${1}x"},
		{"replace lone dollar", "rules:\n  - {name: a, match: '(a)', replace: 'cost$'}", "rules[0].replace", "$$"},
		{"unknown protocol", "rules:\n  - {name: a, match: a, from_protocols: [sip, skype]}", "rules[0].from_protocols[1]", "skype"},
		{"local is not an inbound protocol", "rules:\n  - {name: a, match: a, from_protocols: [local]}", "rules[0].from_protocols[0]", "local"},
		{"unknown direction", "rules:\n  - {name: a, match: a, directions: [sideways]}", "rules[0].directions[0]", "sideways"},
		{"bad source", "rules:\n  - {name: a, match: a, sources: ['10.0.0.0/8', 'nowhere']}", "rules[0].sources[1]", "not a CIDR, an IP address or a trunk name"},
		{"bad CIDR", "rules:\n  - {name: a, match: a, sources: ['10.0.0.0/33']}", "rules[0].sources[0]", "not a CIDR"},
		{"unknown target", "rules:\n  - {name: a, match: a, target: fax}", "rules[0].target", "fax"},
		{"unknown trunk", "rules:\n  - {name: a, match: a, trunk: nope}", "rules[0].trunk", `no trunk named "nope"`},
		{"trunk protocol against target", "trunks:\n  - {name: gk, protocol: h323, host: gk.example.com}\nrules:\n  - {name: a, match: a, target: sip, trunk: gk}",
			"rules[0].trunk", `trunk "gk" is h323 but the rule's target is sip`},
		{"trunk for webrtc", "trunks:\n  - {name: p, protocol: sip, host: p.example.com}\nrules:\n  - {name: a, match: a, target: webrtc, trunk: p}",
			"rules[0].trunk", "does not go through a trunk"},
		{"unknown call type", "rules:\n  - {name: a, match: a, call_type: hologram}", "rules[0].call_type", "hologram"},
		{"negative bitrate in", "rules:\n  - {name: a, match: a, max_bitrate_in: -1}", "rules[0].max_bitrate_in", "negative"},
		{"negative bitrate out", "rules:\n  - {name: a, match: a, max_bitrate_out: -5}", "rules[0].max_bitrate_out", "negative"},
		{"unknown codec", "rules:\n  - {name: a, match: a, codecs: [opus, h265]}", "rules[0].codecs[1]", "h265"},
		{"unknown srtp", "rules:\n  - {name: a, match: a, srtp: maybe}", "rules[0].srtp", "maybe"},
		{"unknown dtmf", "rules:\n  - {name: a, match: a, dtmf: pulse}", "rules[0].dtmf", "pulse"},
		{"unknown on_failure", "rules:\n  - {name: a, match: a, on_failure: retry}", "rules[0].on_failure", "retry"},
		{"two default SIP trunks", "trunks:\n  - {name: pbx1, protocol: sip, host: a.example.com, roles: [default_sip_trunk]}\n  - {name: pbx2, protocol: sip, host: b.example.com, roles: [default_voip, default_sip_trunk]}",
			"trunks[1].roles", `held by both trunk "pbx1" (trunks[0]) and trunk "pbx2" (trunks[1])`},
		{"default SIP trunk must be sip", "trunks:\n  - {name: gk, protocol: h323, host: gk.example.com, roles: [default_sip_trunk]}", "trunks[0].roles", "must be a sip trunk"},
		{"default gatekeeper must be h323", "trunks:\n  - {name: p, protocol: sip, host: p.example.com, roles: [default_gatekeeper]}", "trunks[0].roles", "must be an h323 trunk"},
		{"unknown role", "trunks:\n  - {name: p, protocol: sip, host: p.example.com, roles: [default_fax]}", "trunks[0].roles", "default_fax"},
		{"role twice", "trunks:\n  - {name: p, protocol: sip, host: p.example.com, roles: [default_voip, default_voip]}", "trunks[0].roles", "listed twice"},
		{"trunk name required", "trunks:\n  - {protocol: sip, host: p.example.com}", "trunks[0].name", "required"},
		{"duplicate trunk", "trunks:\n  - {name: p, protocol: sip, host: p.example.com}\n  - {name: p, protocol: sip, host: q.example.com}", "trunks[1].name", "duplicate trunk name"},
		{"trunk protocol", "trunks:\n  - {name: p, protocol: webrtc, host: p.example.com}", "trunks[0].protocol", "want sip or h323"},
		{"trunk protocol required", "trunks:\n  - {name: p, host: p.example.com}", "trunks[0].protocol", "required"},
		{"trunk host", "trunks:\n  - {name: p, protocol: sip, host: 'p example'}", "trunks[0].host", "not allowed"},
		{"trunk host required", "trunks:\n  - {name: p, protocol: sip}", "trunks[0].host", "no host"},
		{"trunk port", "trunks:\n  - {name: p, protocol: sip, host: p.example.com, port: 70000}", "trunks[0].port", "out of range"},
		{"trunk transport for h323", "trunks:\n  - {name: p, protocol: h323, host: p.example.com, transport: tcp}", "trunks[0].transport", "H.323"},
		{"trunk transport", "trunks:\n  - {name: p, protocol: sip, host: p.example.com, transport: sctp}", "trunks[0].transport", "sctp"},
		{"trunk international prefix", "trunks:\n  - {name: p, protocol: sip, host: p.example.com, international_prefix: '+00'}", "trunks[0].international_prefix", "digits only"},
		{"international prefix", "international_prefix: '0x'", "international_prefix", "digits only"},
		{"local domain", "local_domains: [gw.example.com, 'bad domain']", "local_domains[1]", "not allowed"},
		{"alias name too long", "aliases:\n  - {name: " + long + ", target: 'sip:a@b.example.com'}", "aliases[0].name", "longer than 64"},
		{"alias name required", "aliases:\n  - {target: 'sip:a@b.example.com'}", "aliases[0].name", "empty"},
		{"duplicate alias", "aliases:\n  - {name: Lobby, target: a}\n  - {name: lobby, target: b}", "aliases[1].name", `duplicate alias name "lobby" (also aliases[0])`},
		{"alias equal to a service alias", "services:\n  - {name: echo, kind: echo, aliases: [echo, test]}\naliases:\n  - {name: TEST, target: a}", "aliases[0].name", `alias of service "echo"`},
		{"alias target required", "aliases:\n  - {name: a}", "aliases[0].target", "required"},
		{"alias target does not parse", "aliases:\n  - {name: a, target: 'sip:x@y:99999'}", "aliases[0].target", "out of range"},
		{"alias target not dialable", "aliases:\n  - {name: a, target: 'rtsp://bad_host-/x'}", "aliases[0].target", "'-'"},
		{"alias target user", "aliases:\n  - {name: a, target: 'sip:a b'}", "aliases[0].target", "escaped"},
		{"service name required", "services:\n  - {kind: echo, aliases: [e]}", "services[0].name", "required"},
		{"duplicate service", "services:\n  - {name: s, kind: echo, aliases: [a]}\n  - {name: s, kind: testsrc, aliases: [b]}", "services[1].name", "duplicate service name"},
		{"service kind", "services:\n  - {name: s, kind: music, aliases: [a]}", "services[0].kind", "music"},
		{"service kind required", "services:\n  - {name: s, aliases: [a]}", "services[0].kind", "required"},
		{"service alias twice", "services:\n  - {name: s, kind: echo, aliases: [a]}\n  - {name: t, kind: testsrc, aliases: [A]}", "services[1].aliases[0]", "already used by services[0].aliases[0]"},
		{"service alias empty", "services:\n  - {name: s, kind: echo, aliases: ['']}", "services[0].aliases[0]", "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := decodeConfig(t, "dialplan:\n"+indent(tc.doc, 2))
			err := cfg.Validate()
			if err == nil {
				t.Fatal("Validate: no error")
			}
			var found []string
			for _, fe := range fieldErrors(err) {
				found = append(found, fe.Error())
				if fe.FieldPath() == tc.field && strings.Contains(fe.Err.Error(), tc.msg) {
					if _, err := New(cfg); err == nil {
						t.Error("New accepted what Validate rejected")
					}
					return
				}
			}
			t.Fatalf("want %s: ...%s..., got %q", tc.field, tc.msg, found)
		})
	}
}

// fieldErrors lists the *FieldErrors inside a joined validation error.
func fieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		var fe *FieldError
		if errors.As(err, &fe) && fe == err {
			out = append(out, fe)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

func TestValidateJoinsErrors(t *testing.T) {
	cfg := decodeConfig(t, `
dialplan:
  rules:
    - {name: a, match: '(', srtp: sometimes}
    - {name: a, match: 'x', codecs: [mp3]}
`)
	got := fieldErrors(cfg.Validate())
	var paths []string
	for _, fe := range got {
		paths = append(paths, fe.FieldPath())
	}
	want := "rules[0].match rules[0].srtp rules[1].name rules[1].codecs[0]"
	if strings.Join(paths, " ") != want {
		t.Errorf("paths %q, want %q", paths, want)
	}
}

func TestValidLimits(t *testing.T) {
	cfg := decodeConfig(t, `
dialplan:
  aliases:
    - {name: `+strings.Repeat("n", 64)+`, target: 'sip:user'}
    - {name: später, target: 'h323:room'}
  rules:
    - {name: a, match: '(a)(?P<x>b)', replace: '$$$1${1}x${x}$2$0'}
`)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}
