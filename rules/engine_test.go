package rules

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/call"
)

const basePlan = `
dialplan:
  international_prefix: "00"
  local_domains: [gw.example.com]
  services:
    - name: echo
      kind: echo
      aliases: [echo, "*9999"]
  aliases:
    - name: cam-lobby
      target: rtsp://admin:secret@10.0.0.5/stream1
    - name: lobby
      target: cam-lobby
    - name: helpdesk
      target: "5000"
    - name: pattern
      target: testsrc
    - name: loop-a
      target: loop-b
    - name: loop-b
      target: loop-a
    - name: boss
      target: sip:ceo
    - name: london
      target: tel:+44 20 7946 0000
  trunks:
    - name: pbx
      protocol: sip
      host: pbx.example.com
      port: 5080
      transport: tcp
      roles: [default_sip_trunk]
    - name: carrier
      protocol: sip
      host: 203.0.113.50
      roles: [default_voip]
    - name: carrier2
      protocol: sip
      host: carrier2.example.net
      international_prefix: "011"
    - name: h323-carrier
      protocol: h323
      host: 198.51.100.7
    - name: gk
      protocol: h323
      host: gk.example.com
      roles: [default_gatekeeper]
`

// planWith returns the base plan with the given rules (YAML list items).
func planWith(rules string) string {
	if rules == "" {
		return basePlan
	}
	return basePlan + "  rules:\n" + indent(rules, 4)
}

// routeCase is one routing scenario.
type routeCase struct {
	name  string
	rules string
	req   Request
	// want lists "rule → destination" per decision (rule "" for aliases,
	// "service:KIND" for services), or is empty when cause is set.
	want  []string
	cause call.Cause
	// detail is a substring of the error detail.
	detail string
}

func runRouteCases(t *testing.T, tests []routeCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := engineFromYAML(t, planWith(tc.rules))
			req := tc.req
			got, err := e.Route(&req)
			if tc.cause != call.CauseNone {
				if err == nil {
					t.Fatalf("Route(%q) = %v, want cause %v", req.Dialed, summarize(got), tc.cause)
				}
				cause, detail := causeOf(t, err)
				if cause != tc.cause || !strings.Contains(detail, tc.detail) {
					t.Fatalf("Route(%q) error %v, want cause %v with detail containing %q", req.Dialed, err, tc.cause, tc.detail)
				}
				return
			}
			if err != nil {
				t.Fatalf("Route(%q): %v", req.Dialed, err)
			}
			if s := summarize(got); strings.Join(s, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("Route(%q)\n got %q\nwant %q", req.Dialed, s, tc.want)
			}
		})
	}
}

func summarize(ds []Decision) []string {
	var out []string
	for _, d := range ds {
		if d.Kind == DecisionService {
			out = append(out, "service:"+d.Service)
			continue
		}
		s := d.Rule + " → " + d.Destination.String()
		if d.Trunk != "" {
			s += " via " + d.Trunk
		}
		if d.ToRegistered {
			s += " (registered)"
		}
		if d.Target == call.ProtocolWebRTC {
			s += " (webrtc)"
		}
		out = append(out, s)
	}
	return out
}

func sipReq(dialed string) Request {
	return Request{Protocol: call.ProtocolSIP, Dialed: dialed, Source: netip.MustParseAddr("192.0.2.10")}
}

func TestRouteOrder(t *testing.T) {
	runRouteCases(t, []routeCase{
		{
			name: "first match wins",
			rules: `
- {name: ext, match: '(\d{4})', replace: 'sip:$1@pbx.example.com'}
- {name: any, match: '.*', replace: 'sip:other@pbx.example.com'}
`,
			req:  sipReq("1234"),
			want: []string{"ext → sip:1234@pbx.example.com:5080;transport=tcp via pbx"},
		},
		{
			name: "lower priority first",
			rules: `
- {name: late, priority: 20, match: '1234', replace: 'sip:late@h1.example.com'}
- {name: early, priority: 10, match: '\d+', replace: 'sip:early@h2.example.com'}
`,
			req:  sipReq("1234"),
			want: []string{"early → sip:early@h2.example.com"},
		},
		{
			name: "ties keep file order",
			rules: `
- {name: z-first, priority: 10, match: '\d+', replace: 'sip:z@h.example.com'}
- {name: a-second, priority: 10, match: '1234', replace: 'sip:a@h.example.com'}
- {name: before-both, priority: 9, match: '9.*', replace: 'sip:b@h.example.com'}
`,
			req:  sipReq("1234"),
			want: []string{"z-first → sip:z@h.example.com"},
		},
		{
			name: "pattern is anchored",
			rules: `
- {name: ext, match: '\d{4}', replace: 'sip:$0@h.example.com'}
`,
			req:    sipReq("12345"),
			cause:  call.NoRoute,
			detail: `"12345"`,
		},
		{
			name: "alternation cannot escape the anchors",
			rules: `
- {name: alt, match: 'ab|cd', replace: 'sip:$0@h.example.com'}
`,
			req:   sipReq("abcd"),
			cause: call.NoRoute,
		},
		{
			name: "disabled rule is skipped",
			rules: `
- {name: off, enabled: false, match: '.*', replace: 'sip:off@h.example.com'}
- {name: on, match: '.*', replace: 'sip:on@h.example.com'}
`,
			req:  sipReq("x"),
			want: []string{"on → sip:on@h.example.com"},
		},
	})
}

func TestRouteFilters(t *testing.T) {
	twoRules := func(first string) string {
		return "- {name: filtered, match: '1234', replace: 'sip:filtered@h.example.com', " + first + "}\n" +
			"- {name: fallback, match: '1234', replace: 'sip:fallback@h.example.com'}\n"
	}
	filtered := []string{"filtered → sip:filtered@h.example.com"}
	fallback := []string{"fallback → sip:fallback@h.example.com"}
	with := func(mod func(*Request)) Request {
		r := sipReq("1234")
		mod(&r)
		return r
	}
	runRouteCases(t, []routeCase{
		{name: "protocol allowed", rules: twoRules("from_protocols: [sip, webrtc]"), req: sipReq("1234"), want: filtered},
		{name: "protocol not allowed", rules: twoRules("from_protocols: [sip]"),
			req: with(func(r *Request) { r.Protocol = call.ProtocolWebRTC }), want: fallback},
		{name: "protocol in any case", rules: twoRules("from_protocols: [H323]"),
			req: with(func(r *Request) { r.Protocol = call.ProtocolH323 }), want: filtered},
		{name: "registered only, registered", rules: twoRules("only_registered: true"),
			req: with(func(r *Request) { r.Registered = true }), want: filtered},
		{name: "registered only, not registered", rules: twoRules("only_registered: true"), req: sipReq("1234"), want: fallback},
		{name: "source in CIDR", rules: twoRules(`sources: ["192.0.2.0/24"]`), req: sipReq("1234"), want: filtered},
		{name: "source not in CIDR", rules: twoRules(`sources: ["10.0.0.0/8"]`), req: sipReq("1234"), want: fallback},
		{name: "source IP", rules: twoRules(`sources: ["10.0.0.0/8", "192.0.2.10"]`), req: sipReq("1234"), want: filtered},
		{name: "source IPv6 CIDR", rules: twoRules(`sources: ["2001:db8::/32"]`),
			req: with(func(r *Request) { r.Source = netip.MustParseAddr("2001:db8::99") }), want: filtered},
		{name: "source v4-mapped caller", rules: twoRules(`sources: ["192.0.2.0/24"]`),
			req: with(func(r *Request) { r.Source = netip.MustParseAddr("::ffff:192.0.2.10") }), want: filtered},
		{name: "source unknown", rules: twoRules(`sources: ["192.0.2.0/24"]`),
			req: with(func(r *Request) { r.Source = netip.Addr{} }), want: fallback},
		{name: "source trunk by name", rules: twoRules(`sources: [pbx]`),
			req: with(func(r *Request) { r.Trunk = "pbx" }), want: filtered},
		{name: "source trunk other name", rules: twoRules(`sources: [pbx]`),
			req: with(func(r *Request) { r.Trunk = "carrier" }), want: fallback},
		{name: "source trunk by its IP", rules: twoRules(`sources: [carrier]`),
			req: with(func(r *Request) { r.Source = netip.MustParseAddr("203.0.113.50") }), want: filtered},
		{name: "default direction is incoming", rules: twoRules(`only_registered: false`),
			req: with(func(r *Request) { r.Direction = DirectionOutgoing }), cause: call.NoRoute},
		{name: "outgoing rule, outgoing call", rules: twoRules(`directions: [outgoing]`),
			req: with(func(r *Request) { r.Direction = DirectionOutgoing }), want: filtered},
		{name: "outgoing rule, incoming call", rules: twoRules(`directions: [outgoing]`), req: sipReq("1234"), want: fallback},
		{name: "both directions", rules: twoRules(`directions: [incoming, outgoing]`),
			req: with(func(r *Request) { r.Direction = DirectionOutgoing }), want: filtered},
	})
}

func TestRouteTransform(t *testing.T) {
	runRouteCases(t, []routeCase{
		{
			name:  "groups",
			rules: `- {name: r, match: '(\d{2})(\d{2})', replace: 'sip:$2$1@pbx.example.com'}`,
			req:   sipReq("1234"),
			want:  []string{"r → sip:3412@pbx.example.com:5080;transport=tcp via pbx"},
		},
		{
			name:  "named groups and braces",
			rules: `- {name: r, match: '(?P<user>[a-z]+)\.(?P<dept>[a-z]+)', replace: 'sip:${user}_${dept}@${dept}.example.com'}`,
			req:   sipReq("alice.sales"),
			want:  []string{"r → sip:alice_sales@sales.example.com"},
		},
		{
			name:  "empty replace keeps the dialed string",
			rules: `- {name: r, match: '.+@partner\.example\.com'}`,
			req:   sipReq("sip:bob@partner.example.com;transport=tls"),
			want:  []string{"r → sip:bob@partner.example.com;transport=tls"},
		},
		{
			name:  "matches the stripped alias by default",
			rules: `- {name: r, match: 'Alice@Example\.com', replace: 'sip:alice@example.net'}`,
			req:   sipReq(`"Alice" <sip:Alice@Example.com;transport=tcp>`),
			want:  []string{"r → sip:alice@example.net"},
		},
		{
			name:  "match_full_uri sees the scheme",
			rules: `- {name: r, match: 'sips:(.+)', match_full_uri: true, replace: 'sips:$1'}`,
			req:   sipReq("sips:bob@example.com"),
			want:  []string{"r → sips:bob@example.com"},
		},
		{
			name:  "match_full_uri does not see a plain alias as a URI",
			rules: `- {name: r, match: 'sips:(.+)', match_full_uri: true, replace: 'sips:$1'}`,
			req:   sipReq("bob@example.com"),
			cause: call.NoRoute,
		},
		{
			name:  "sip:user without host takes the default SIP trunk",
			rules: `- {name: r, match: '(\d{4})', replace: 'sip:$1'}`,
			req:   sipReq("1234"),
			want:  []string{"r → sip:1234@pbx.example.com:5080;transport=tcp via pbx"},
		},
		{
			name:  "plain result with target sip takes the default SIP trunk",
			rules: `- {name: r, match: '(\d{4})', target: sip}`,
			req:   sipReq("1234"),
			want:  []string{"r → sip:1234@pbx.example.com:5080;transport=tcp via pbx"},
		},
		{
			name:  "rule trunk wins over the default",
			rules: `- {name: r, match: '(\d{4})', replace: 'sip:$1', trunk: carrier2}`,
			req:   sipReq("1234"),
			want:  []string{"r → sip:1234@carrier2.example.net via carrier2"},
		},
		{
			name:  "address host kept, trunk used as proxy, transport filled",
			rules: `- {name: r, match: '(\d{4})', replace: 'sip:$1@other.example.com', trunk: pbx}`,
			req:   sipReq("1234"),
			want:  []string{"r → sip:1234@other.example.com;transport=tcp via pbx"},
		},
		{
			name:  "h323:alias via the default gatekeeper",
			rules: `- {name: r, match: '(.+)', replace: 'h323:$1'}`,
			req:   sipReq("alice"),
			want:  []string{"r → h323:alice@gk.example.com via gk"},
		},
		{
			name:  "plain result with target h323",
			rules: `- {name: r, match: 'room-(\d+)', replace: 'room$1', target: h323}`,
			req:   sipReq("room-12"),
			want:  []string{"r → h323:room12@gk.example.com via gk"},
		},
		{
			name:  "host##alias result",
			rules: `- {name: r, match: 'room-(\d+)', replace: '10.9.9.9##room$1'}`,
			req:   sipReq("room-12"),
			want:  []string{"r → h323:room12@10.9.9.9"},
		},
		{
			name:  "tel with the global international prefix",
			rules: `- {name: r, match: '\+44(\d+)', replace: 'tel:+44$1'}`,
			req:   sipReq("+442079460123"),
			want:  []string{"r → sip:00442079460123@203.0.113.50 via carrier"},
		},
		{
			name:  "tel with the trunk's international prefix",
			rules: `- {name: r, match: '\+44(\d+)', replace: 'tel:+44$1', trunk: carrier2}`,
			req:   sipReq("+442079460123"),
			want:  []string{"r → sip:011442079460123@carrier2.example.net via carrier2"},
		},
		{
			name:  "tel through an H.323 trunk",
			rules: `- {name: r, match: '(\d+)', replace: 'tel:$1', trunk: h323-carrier}`,
			req:   sipReq("5551234"),
			want:  []string{"r → h323:5551234@198.51.100.7 via h323-carrier"},
		},
		{
			name:  "tel with # is escaped in SIP",
			rules: `- {name: r, match: '(\*\d+#)', replace: 'tel:$1'}`,
			req:   sipReq("*99#"),
			want:  []string{"r → sip:*99%23@203.0.113.50 via carrier"},
		},
		{
			name:  "dialed tel: number through an empty replace",
			rules: `- {name: r, match: '\+.*'}`,
			req:   sipReq("tel:+1 555 0100"),
			want:  []string{"r → sip:0015550100@203.0.113.50 via carrier"},
		},
		{
			name:  "DTMF suffix of the dialed string is carried",
			rules: `- {name: r, match: '(\d{4})@gw\.example\.com', replace: 'sip:$1@mcu.example.com'}`,
			req:   sipReq("sip:1234@gw.example.com^5678#"),
			want:  []string{"r → sip:1234@mcu.example.com^5678#"},
		},
		{
			name:  "target webrtc",
			rules: `- {name: r, match: 'web-(.+)', replace: '$1', target: webrtc}`,
			req:   sipReq("web-alice"),
			want:  []string{"r → alice (webrtc)"},
		},
		{
			name:  "target registered",
			rules: `- {name: r, match: '(.+)@gw\.example\.com', replace: '$1', target: registered}`,
			req:   sipReq("sip:bob@gw.example.com"),
			want:  []string{"r → bob (registered)"},
		},
		{
			name:  "target rtsp",
			rules: `- {name: r, match: 'cam(\d+)', replace: 'rtsp://10.0.0.$1/stream1', target: rtsp}`,
			req:   sipReq("cam7"),
			want:  []string{"r → rtsp://10.0.0.7/stream1"},
		},
		{
			name:  "target rtmp",
			rules: `- {name: r, match: 'stream-(\w+)', replace: 'rtmp://live.example.com/app/$1'}`,
			req:   Request{Protocol: call.ProtocolWebRTC, Dialed: "stream-abc"},
			want:  []string{"r → rtmp://live.example.com/app/abc"},
		},
	})
}

func TestRouteInvalidTransform(t *testing.T) {
	runRouteCases(t, []routeCase{
		{
			name:   "result is not a valid host",
			rules:  `- {name: bad-host, match: '(.+)', replace: 'sip:$1@bad host.example.com'}`,
			req:    sipReq("alice"),
			cause:  call.InvalidTransform,
			detail: `rule "bad-host": result "sip:alice@bad host.example.com"`,
		},
		{
			name:   "result is not a call string",
			rules:  `- {name: r, match: '(.+)', replace: 'sip:$1@'}`,
			req:    sipReq("alice"),
			cause:  call.InvalidTransform,
			detail: "not a call string",
		},
		{
			name:   "result user needs escaping",
			rules:  `- {name: r, match: '(.+)', replace: 'sip:$1@h.example.com'}`,
			req:    sipReq("a b"),
			cause:  call.InvalidTransform,
			detail: "escaped",
		},
		{
			name:   "target conflicts with the result",
			rules:  `- {name: r, match: '(.+)', replace: 'sip:$1@h.example.com', target: h323}`,
			req:    sipReq("alice"),
			cause:  call.InvalidTransform,
			detail: "target is h323 but the result is a sip address",
		},
		{
			name:   "rtsp target needs a URL",
			rules:  `- {name: r, match: '(.+)', replace: '$1', target: rtsp}`,
			req:    sipReq("cam"),
			cause:  call.InvalidTransform,
			detail: "needs a rtsp:// URL",
		},
		{
			name:   "plain result without a target",
			rules:  `- {name: r, match: '(.+)', replace: 'x$1'}`,
			req:    sipReq("cam"),
			cause:  call.InvalidTransform,
			detail: "needs a target protocol",
		},
		{
			name:   "tel to a webrtc target",
			rules:  `- {name: r, match: '(\d+)', replace: 'tel:$1', target: webrtc}`,
			req:    sipReq("123"),
			cause:  call.InvalidTransform,
			detail: "tel: number cannot go",
		},
		{
			name:   "result host from trunk of another protocol",
			rules:  `- {name: r, match: '(.+)', replace: 'h323:$1', trunk: pbx}`,
			req:    sipReq("alice"),
			cause:  call.InvalidTransform,
			detail: `trunk "pbx" is sip`,
		},
		{
			name:   "the first of a continue chain is checked",
			rules:  "- {name: a, match: '(.+)', replace: 'sip:$1@ok.example.com', on_failure: continue}\n- {name: b, match: '(.+)', replace: 'sip:$1@bad_host-.example.com'}",
			req:    sipReq("alice"),
			cause:  call.InvalidTransform,
			detail: `rule "b"`,
		},
	})
}

func TestRouteMissingDefaultTrunk(t *testing.T) {
	e := engineFromYAML(t, `
dialplan:
  rules:
    - {name: sip-no-host, match: 'sip-(.+)', replace: 'sip:$1'}
    - {name: h323-no-host, match: 'h323-(.+)', replace: 'h323:$1'}
    - {name: tel, match: '(\+\d+)', replace: 'tel:$1'}
`)
	for dialed, detail := range map[string]string{
		"sip-alice":  "no trunk has the default_sip_trunk role",
		"h323-alice": "no trunk has the default_gatekeeper role",
		"+4420":      "default_voip",
	} {
		_, err := e.Route(&Request{Protocol: call.ProtocolSIP, Dialed: dialed})
		cause, d := causeOf(t, err)
		if cause != call.InvalidTransform || !strings.Contains(d, detail) {
			t.Errorf("Route(%q): %v, want invalid_transform saying %q", dialed, err, detail)
		}
	}
}

func TestRouteContinue(t *testing.T) {
	runRouteCases(t, []routeCase{
		{
			name: "fallback list until a stop rule",
			rules: `
- {name: primary, priority: 1, match: '(\d{4})', replace: 'sip:$1@pbx1.example.com', on_failure: continue}
- {name: not-matching, priority: 2, match: 'x', replace: 'sip:x@h.example.com', on_failure: continue}
- {name: secondary, priority: 3, match: '(\d+)', replace: 'h323:$1', on_failure: continue}
- {name: last-resort, priority: 4, match: '.*', replace: 'sip:operator@pbx.example.com'}
- {name: never, priority: 5, match: '.*', replace: 'sip:never@h.example.com'}
`,
			req: sipReq("1234"),
			want: []string{
				"primary → sip:1234@pbx1.example.com",
				"secondary → h323:1234@gk.example.com via gk",
				"last-resort → sip:operator@pbx.example.com:5080;transport=tcp via pbx",
			},
		},
		{
			name: "stop in the middle",
			rules: `
- {name: primary, match: '(\d{4})', replace: 'sip:$1@pbx1.example.com', on_failure: continue}
- {name: stopper, match: '(\d{4})', replace: 'sip:$1@pbx2.example.com', on_failure: stop}
- {name: unreached, match: '(\d{4})', replace: 'sip:$1@pbx3.example.com'}
`,
			req: sipReq("1234"),
			want: []string{
				"primary → sip:1234@pbx1.example.com",
				"stopper → sip:1234@pbx2.example.com",
			},
		},
		{
			name: "continue at the end of the list",
			rules: `
- {name: only, match: '(\d{4})', replace: 'sip:$1@pbx1.example.com', on_failure: continue}
`,
			req:  sipReq("1234"),
			want: []string{"only → sip:1234@pbx1.example.com"},
		},
		{
			name: "fallback skips rules whose filters fail",
			rules: `
- {name: primary, match: '(\d{4})', replace: 'sip:$1@pbx1.example.com', on_failure: continue}
- {name: h323-only, match: '(\d{4})', replace: 'sip:$1@pbx2.example.com', from_protocols: [h323]}
- {name: backup, match: '(\d{4})', replace: 'sip:$1@pbx3.example.com'}
`,
			req: sipReq("1234"),
			want: []string{
				"primary → sip:1234@pbx1.example.com",
				"backup → sip:1234@pbx3.example.com",
			},
		},
	})
}

func TestRouteServicesAndAliases(t *testing.T) {
	catchAll := `- {name: catch-all, match: '.*', replace: 'sip:catch@h.example.com'}`
	runRouteCases(t, []routeCase{
		{name: "service before rules", rules: catchAll, req: sipReq("echo"), want: []string{"service:echo"}},
		{name: "service alias any case", rules: catchAll, req: sipReq("sip:ECHO"), want: []string{"service:echo"}},
		{name: "service second alias", rules: catchAll, req: sipReq("*9999"), want: []string{"service:echo"}},
		{name: "built-in testsrc present when not listed", rules: catchAll, req: sipReq("testsrc"), want: []string{"service:testsrc"}},
		{name: "service by user part at a local domain", rules: catchAll, req: sipReq("sip:echo@GW.example.com;transport=tcp"), want: []string{"service:echo"}},
		{name: "service by user part at an IP literal", rules: catchAll, req: sipReq("sip:echo@192.0.2.1:5060"), want: []string{"service:echo"}},
		{name: "service by user part at an IPv6 literal", rules: catchAll, req: sipReq("sip:echo@[2001:db8::1]"), want: []string{"service:echo"}},
		{name: "service at localhost", rules: catchAll, req: sipReq("echo@localhost"), want: []string{"service:echo"}},
		{name: "service by H.323 host##alias", rules: catchAll, req: Request{Protocol: call.ProtocolH323, Dialed: "10.0.0.1##echo"}, want: []string{"service:echo"}},
		{name: "not a service at a foreign domain", rules: catchAll, req: sipReq("echo@example.org"), want: []string{"catch-all → sip:catch@h.example.com"}},
		{name: "alias to an RTSP camera", rules: catchAll, req: sipReq("cam-lobby"), want: []string{" → rtsp://admin:secret@10.0.0.5/stream1"}},
		{name: "alias by user part", rules: catchAll, req: sipReq("sip:Cam-Lobby@gw.example.com"), want: []string{" → rtsp://admin:secret@10.0.0.5/stream1"}},
		{name: "alias chain", rules: catchAll, req: sipReq("lobby"), want: []string{" → rtsp://admin:secret@10.0.0.5/stream1"}},
		{name: "alias to a service", rules: catchAll, req: sipReq("pattern"), want: []string{"service:testsrc"}},
		{name: "alias to sip:user takes the default trunk", rules: catchAll, req: sipReq("boss"), want: []string{" → sip:ceo@pbx.example.com:5080;transport=tcp via pbx"}},
		{name: "alias to tel:", rules: catchAll, req: sipReq("london"), want: []string{" → sip:00442079460000@203.0.113.50 via carrier"}},
		{name: "alias to a plain alias goes through the rules",
			rules: `- {name: ext, match: '(\d{4})', replace: 'sip:$1@pbx.example.com'}`,
			req:   sipReq("helpdesk"), want: []string{"ext → sip:5000@pbx.example.com:5080;transport=tcp via pbx"}},
		{name: "alias chain keeps the DTMF suffix",
			rules: `- {name: ext, match: '(\d{4})', replace: 'sip:$1@pbx.example.com'}`,
			req:   sipReq("helpdesk^42"), want: []string{"ext → sip:5000@pbx.example.com:5080;transport=tcp^42 via pbx"}},
		{name: "alias to a URL keeps the DTMF suffix", rules: catchAll, req: sipReq("boss^7"), want: []string{" → sip:ceo@pbx.example.com:5080;transport=tcp^7 via pbx"}},
		{name: "alias cycle", rules: catchAll, req: sipReq("loop-a"), cause: call.InvalidTransform, detail: "longer than 8"},
		{name: "no route names the alias", req: sipReq("sip:Nobody@Example.com;transport=tcp"), cause: call.NoRoute, detail: `"Nobody@Example.com"`},
	})
}

func TestRouteAliasDepth(t *testing.T) {
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString("dialplan:\n  aliases:\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "    - {name: a%d, target: a%d}\n", i, i+1)
		}
		fmt.Fprintf(&b, "    - {name: a%d, target: 'sip:end@h.example.com'}\n", n)
		return b.String()
	}
	for _, tc := range []struct {
		n  int
		ok bool
	}{{1, true}, {8, true}, {9, false}} {
		e := engineFromYAML(t, chain(tc.n))
		got, err := e.Route(&Request{Dialed: "a1"})
		if tc.ok {
			if err != nil || len(got) != 1 || got[0].Alias != "a1" || got[0].Destination.User != "end" {
				t.Errorf("chain of %d: %v, %v", tc.n, summarize(got), err)
			}
			continue
		}
		if cause, _ := causeOf(t, err); cause != call.InvalidTransform {
			t.Errorf("chain of %d: %v, want invalid_transform", tc.n, err)
		}
	}
}

func TestRouteDisabledService(t *testing.T) {
	e := engineFromYAML(t, `
dialplan:
  services:
    - name: echo
      enabled: false
  rules:
    - {name: any, match: '(.*)', replace: 'sip:$1@h.example.com'}
`)
	got, err := e.Route(&Request{Dialed: "echo"})
	if err != nil || summarize(got)[0] != "any → sip:echo@h.example.com" {
		t.Fatalf("disabled echo: %v %v", summarize(got), err)
	}
	got, err = e.Route(&Request{Dialed: "testsrc"})
	if err != nil || got[0].Kind != DecisionService || got[0].Service != "testsrc" {
		t.Fatalf("testsrc: %v %v", summarize(got), err)
	}
}

func TestRouteBadInput(t *testing.T) {
	e := engineFromYAML(t, planWith(`- {name: any, match: '.*', replace: 'sip:x@h.example.com'}`))
	for name, dialed := range map[string]string{
		"empty":        "",
		"blank":        "  / ",
		"1025 bytes":   strings.Repeat("1", 1025),
		"invalid UTF8": "\xc3\x28",
		"control":      "12\x0034",
	} {
		got, err := e.Route(&Request{Dialed: dialed})
		if cause, _ := causeOf(t, err); cause != call.BadRequest || got != nil {
			t.Errorf("%s: %v %v, want bad_request", name, got, err)
		}
	}
	if _, err := e.Route(nil); call.CauseOf(err) != call.BadRequest {
		t.Errorf("nil request: %v", err)
	}
	if got, err := e.Route(&Request{Dialed: strings.Repeat("1", 1024)}); err != nil || len(got) != 1 {
		t.Errorf("1024 bytes: %v", err)
	}
}

func TestRoutePolicy(t *testing.T) {
	e := engineFromYAML(t, planWith(`
- name: audio-only
  match: 'a(\d+)'
  replace: 'sip:$1@h.example.com'
  call_type: audio
  max_bitrate_in: 64
  max_bitrate_out: 128
  codecs: [opus, PCMA]
  srtp: required
  dtmf: info
  content: true
  fecc: true
  on_failure: continue
- name: video
  match: 'v(\d+)'
  replace: 'sip:$1@h.example.com'
  call_type: video
  content: true
  fecc: false
- name: defaults
  match: 'd(\d+)'
  replace: 'sip:$1@h.example.com'
`))
	tests := []struct {
		dialed string
		want   MediaPolicy
		onFail OnFailure
	}{
		{"a1", MediaPolicy{CallType: CallTypeAudio, MaxBitrateIn: 64, MaxBitrateOut: 128, Codecs: []Codec{CodecOpus, CodecPCMA},
			SRTP: SRTPRequired, DTMF: DTMFInfo}, OnFailureContinue},
		{"v1", MediaPolicy{CallType: CallTypeVideo, SRTP: SRTPBestEffort, DTMF: DTMFRFC4733}, OnFailureStop},
		{"d1", DefaultPolicy(), OnFailureStop},
		{"cam-lobby", DefaultPolicy(), OnFailureStop},
	}
	for _, tc := range tests {
		got, err := e.Route(&Request{Dialed: tc.dialed})
		if err != nil {
			t.Fatalf("%s: %v", tc.dialed, err)
		}
		if fmt.Sprint(got[0].Policy) != fmt.Sprint(tc.want) || got[0].OnFailure != tc.onFail {
			t.Errorf("%s: policy %+v %s, want %+v %s", tc.dialed, got[0].Policy, got[0].OnFailure, tc.want, tc.onFail)
		}
	}
}

func TestDecisionFields(t *testing.T) {
	e := engineFromYAML(t, planWith(`- {name: ext, match: '(\d{4})', replace: 'sip:$1'}`))
	got, err := e.Route(&Request{Protocol: call.ProtocolH323, Dialed: "h323:1234"})
	if err != nil {
		t.Fatal(err)
	}
	d := got[0]
	want := Decision{
		Kind: DecisionGateway, Rule: "ext", Dialed: "h323:1234",
		Transformed: "sip:1234@pbx.example.com:5080;transport=tcp",
		Target:      call.ProtocolSIP,
		Destination: Address{Protocol: call.ProtocolSIP, Scheme: "sip", User: "1234", Host: "pbx.example.com", Port: 5080, Transport: "tcp"},
		Trunk:       "pbx", Policy: DefaultPolicy(), OnFailure: OnFailureStop,
	}
	if fmt.Sprintf("%+v", d) != fmt.Sprintf("%+v", want) {
		t.Errorf("decision\n got %+v\nwant %+v", d, want)
	}
	got, err = e.Route(&Request{Dialed: "cam-lobby"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Transformed != "rtsp://admin:***@10.0.0.5/stream1" || got[0].Destination.Password != "secret" ||
		got[0].Alias != "cam-lobby" || got[0].Target != call.ProtocolRTSP {
		t.Errorf("alias decision %+v", got[0])
	}
}

func TestRouteConcurrent(t *testing.T) {
	e := fuzzEngine(t)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 200; i++ {
				_, _ = e.Route(&Request{Protocol: call.ProtocolSIP, Dialed: fmt.Sprintf("%04d", i)})
				_ = e.Explain(&Request{Dialed: "room-1"})
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
