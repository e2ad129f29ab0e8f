package rules

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/call"
)

func TestExplainReasons(t *testing.T) {
	e := engineFromYAML(t, planWith(`
- {name: off, priority: 1, enabled: false, match: '.*'}
- {name: outgoing-only, priority: 2, match: '.*', directions: [outgoing]}
- {name: sip-only, priority: 3, match: '.*', from_protocols: [sip]}
- {name: registered-only, priority: 4, match: '.*', only_registered: true}
- {name: internal, priority: 5, match: '.*', sources: ['10.0.0.0/8']}
- {name: numbers, priority: 6, match: '\+44\d+', replace: 'tel:$0'}
- {name: rooms, priority: 7, match: 'room-.*', replace: 'h323:$0'}
- {name: bob, priority: 8, match: 'bob', replace: 'sip:bob@pbx.example.com', on_failure: continue}
- {name: bob-backup, priority: 9, match: 'b.b', replace: 'sip:bob@backup.example.com'}
- {name: after, priority: 10, match: '.*', replace: 'sip:x@y.example.com'}
`))
	req := &Request{Protocol: call.ProtocolWebRTC, Dialed: "sip:bob@gw.example.com", Source: netip.MustParseAddr("203.0.113.9")}
	ex := e.Explain(req)
	want := []struct {
		kind, name string
		matched    bool
		reason     string
	}{
		{"service", "", false, `no service alias equals "bob@gw.example.com" or "bob"`},
		{"alias", "", false, `no alias named "bob@gw.example.com" or "bob"`},
		{"rule", "off", false, "disabled"},
		{"rule", "outgoing-only", false, "direction incoming not allowed (the rule takes [outgoing])"},
		{"rule", "sip-only", false, "protocol webrtc not in [sip]"},
		{"rule", "registered-only", false, "caller not registered"},
		{"rule", "internal", false, "source 203.0.113.9 not in [10.0.0.0/8]"},
		{"rule", "numbers", false, `pattern did not match "bob@gw.example.com"`},
		{"rule", "rooms", false, `pattern did not match "bob@gw.example.com"`},
		{"rule", "bob", false, `pattern did not match "bob@gw.example.com"`},
		{"rule", "bob-backup", false, `pattern did not match "bob@gw.example.com"`},
		{"rule", "after", true, `matched "bob@gw.example.com" → sip:x@y.example.com`},
	}
	if len(ex.Trace) != len(want) {
		t.Fatalf("trace has %d steps, want %d:\n%s", len(ex.Trace), len(want), ex)
	}
	for i, w := range want {
		s := ex.Trace[i]
		if s.Kind != w.kind || s.Name != w.name || s.Matched != w.matched || s.Reason != w.reason {
			t.Errorf("step %d = %+v, want %+v", i, s, w)
		}
	}
	if ex.Cause != "" || len(ex.Decisions) != 1 || ex.Subject != "bob@gw.example.com" {
		t.Errorf("explanation %+v", ex)
	}

	// A dial that the index sends straight to rule "bob": Explain still
	// gives a line for every rule ahead of it, those the index skipped
	// included.
	ex = e.Explain(&Request{Protocol: call.ProtocolH323, Dialed: "bob", Source: netip.MustParseAddr("192.0.2.1")})
	var lines []string
	for _, s := range ex.Trace[2:] {
		lines = append(lines, s.Name+": "+s.Reason)
	}
	wantLines := []string{
		"off: disabled",
		"outgoing-only: direction incoming not allowed (the rule takes [outgoing])",
		"sip-only: protocol h323 not in [sip]",
		"registered-only: caller not registered",
		"internal: source 192.0.2.1 not in [10.0.0.0/8]",
		`numbers: pattern did not match "bob"`,
		`rooms: pattern did not match "bob"`,
		`bob: matched "bob" → sip:bob@pbx.example.com:5080;transport=tcp; on_failure continue: the next matching rule is the fallback`,
		`bob-backup: matched "bob" → sip:bob@backup.example.com`,
	}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
	if ex.Cause != "" || len(ex.Decisions) != 2 {
		t.Errorf("cause %q decisions %v", ex.Cause, summarize(ex.Decisions))
	}
	route, err := e.Route(&ex.Request)
	if err != nil || len(route) != 2 || route[1].Rule != "bob-backup" {
		t.Errorf("Route: %v %v", summarize(route), err)
	}
	ex = e.Explain(&Request{Protocol: call.ProtocolSIP, Dialed: "x", Registered: true, Source: netip.MustParseAddr("10.1.1.1")})
	if ex.Cause != "invalid_transform" || !strings.Contains(ex.Detail, `rule "sip-only"`) || !ex.Trace[4].Matched {
		t.Errorf("cause %q detail %q", ex.Cause, ex.Detail)
	}
}

func TestExplainFallbackAndNoRoute(t *testing.T) {
	e := engineFromYAML(t, planWith(`
- {name: numbers, match: '\+44\d+', replace: 'tel:$0', on_failure: continue}
- {name: rooms, match: 'room-.*', replace: 'h323:$0'}
- {name: uk-backup, match: '\+44(\d+)', replace: 'sip:0$1@backup.example.com'}
- {name: never, match: '.*', replace: 'sip:never@h.example.com'}
`))
	ex := e.Explain(&Request{Dialed: "+442079460123"})
	if len(ex.Decisions) != 2 || len(ex.Trace) != 5 {
		t.Fatalf("explanation:\n%s", ex)
	}
	if r := ex.Trace[2].Reason; !strings.Contains(r, "on_failure continue") {
		t.Errorf("continue step: %q", r)
	}
	if r := ex.Trace[4]; r.Name != "uk-backup" || !r.Matched {
		t.Errorf("last step: %+v", r)
	}

	e = engineFromYAML(t, planWith(`- {name: numbers, match: '\+44\d+', replace: 'tel:$0'}`))
	ex = e.Explain(&Request{Dialed: "bob"})
	if ex.Cause != "no_route" || !strings.Contains(ex.Detail, `"bob"`) || len(ex.Decisions) != 0 {
		t.Errorf("no route: %+v", ex)
	}
	if last := ex.Trace[len(ex.Trace)-1]; last.Name != "numbers" || last.Reason != `pattern did not match "bob"` {
		t.Errorf("last step %+v", last)
	}

	ex = e.Explain(&Request{Dialed: ""})
	if ex.Cause != "bad_request" || len(ex.Trace) != 0 {
		t.Errorf("empty: %+v", ex)
	}
	if ex = e.Explain(nil); ex.Cause != "bad_request" {
		t.Errorf("nil: %+v", ex)
	}
}

func TestExplainServicesAndAliases(t *testing.T) {
	e := engineFromYAML(t, planWith(""))
	ex := e.Explain(&Request{Dialed: "lobby"})
	var steps []string
	for _, s := range ex.Trace {
		steps = append(steps, s.Kind+" "+s.Name+": "+s.Reason)
	}
	want := []string{
		`service : no service alias equals "lobby"`,
		`alias lobby: "lobby" is an alias for cam-lobby`,
		`service : no service alias equals "cam-lobby"`,
		`alias cam-lobby: "cam-lobby" is an alias for rtsp://admin:***@10.0.0.5/stream1`,
	}
	if strings.Join(steps, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s", strings.Join(steps, "\n"))
	}
	ex = e.Explain(&Request{Dialed: "echo@gw.example.com"})
	if len(ex.Trace) != 1 || ex.Trace[0].Name != "echo" || !ex.Trace[0].Matched || ex.Decisions[0].Service != "echo" {
		t.Errorf("service: %+v", ex)
	}
}

func TestExplanationJSON(t *testing.T) {
	e := engineFromYAML(t, planWith(`- {name: ext, match: '(\d{4})', replace: 'sip:$1', codecs: [opus]}`))
	ex := e.Explain(&Request{Protocol: call.ProtocolSIP, Dialed: "1234", Source: netip.MustParseAddr("192.0.2.1"), Registered: true})
	b, err := json.Marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"request", "subject", "decisions", "cause", "trace"} {
		if _, ok := generic[key]; !ok {
			t.Errorf("JSON has no %q: %s", key, b)
		}
	}
	for _, frag := range []string{
		`"protocol":"sip"`, `"direction":"incoming"`, `"source":"192.0.2.1"`, `"kind":"gateway"`,
		`"target":"sip"`, `"destination":{"protocol":"sip","scheme":"sip","user":"1234","host":"pbx.example.com","port":5080,"transport":"tcp"}`,
		`"policy":{"call_type":"video+content","max_bitrate_in":0,"max_bitrate_out":0,"codecs":["opus"],"srtp":"best-effort","dtmf":"rfc4733","content":true,"fecc":true}`,
		`"on_failure":"stop"`, `"trace":[{"kind":"service"`, `"matched":true`,
	} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("JSON lacks %s:\n%s", frag, b)
		}
	}
	cam := e.Explain(&Request{Dialed: "cam-lobby"})
	b, _ = json.Marshal(cam)
	if strings.Contains(string(b), "secret") {
		t.Errorf("password in JSON: %s", b)
	}
	if text := cam.String(); strings.Contains(text, "secret") || !strings.Contains(text, "rtsp://admin:***@10.0.0.5/stream1") {
		t.Errorf("text:\n%s", text)
	}
}
