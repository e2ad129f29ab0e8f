package rules

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/switchyard/switchyard/call"
)

// bigPlan is a dial plan of n rules in a realistic mix, in priority
// order: 60% number prefixes (\+44NNNN\d{6}, 00CCNNN(\d+)), 20% extension
// ranges (7NNNN\d{2}), 5% free expressions ((?i)room-N.*, (?i).*confN.*,
// .*-vmr-N) and 15% tenant domains ((.+)@tenantN\.example\.com), the
// domains last.
func bigPlan(n int) Config {
	cfg := Config{
		Trunks: []Trunk{
			{Name: "pbx", Protocol: "sip", Host: "pbx.example.com", Roles: []Role{RoleDefaultSIPTrunk}},
			{Name: "voip", Protocol: "sip", Host: "voip.example.net", InternationalPrefix: "00", Roles: []Role{RoleDefaultVoIP}},
			{Name: "gk", Protocol: "h323", Host: "gk.example.com", Roles: []Role{RoleDefaultGatekeeper}},
		},
	}
	add := func(r Rule) {
		r.Priority = len(cfg.Rules)
		r.Name = fmt.Sprintf("r%05d", len(cfg.Rules))
		cfg.Rules = append(cfg.Rules, r)
	}
	numbers, exts := n*30/100, n*20/100
	for i := 0; i < numbers; i++ {
		add(Rule{Match: fmt.Sprintf(`\+44%04d\d{6}`, i), Replace: "tel:$0"})
	}
	for i := 0; i < numbers; i++ {
		add(Rule{Match: fmt.Sprintf(`00%d%03d(\d+)`, 30+i%60, i/60), Replace: "sip:$1@carrier.example.net", FromProtocols: []ProtocolName{"sip", "h323"}})
	}
	for i := 0; i < exts; i++ {
		add(Rule{Match: fmt.Sprintf(`7%04d\d{2}`, i), Replace: "sip:$0", OnlyRegistered: i%2 == 0})
	}
	for i := 0; i < n*5/100; i++ {
		switch i % 4 {
		case 0, 1:
			add(Rule{Match: fmt.Sprintf(`(?i)room-%d.*`, i), Replace: "h323:$0", Target: TargetH323})
		case 2:
			add(Rule{Match: fmt.Sprintf(`(?i).*conf%d.*`, i), Target: TargetWebRTC})
		case 3:
			add(Rule{Match: fmt.Sprintf(`.*-vmr-%d`, i), Replace: "sip:$0@mcu.example.com"})
		}
	}
	for len(cfg.Rules) < n {
		i := len(cfg.Rules)
		add(Rule{Match: fmt.Sprintf(`(.+)@tenant%d\.example\.com`, i), Replace: fmt.Sprintf("sip:$1@sbc%d.example.com", i),
			Sources: []string{"10.0.0.0/8", "192.0.2.0/24"}})
	}
	return cfg
}

func bigEngine(tb testing.TB, n int) *Engine {
	tb.Helper()
	e, err := New(bigPlan(n))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func BenchmarkRoute(b *testing.B) {
	e := bigEngine(b, 10000)
	last := e.rules[len(e.rules)-1].name
	cases := []struct {
		name, dialed, rule string
	}{
		{"late-rule", "sip:alice@tenant9999.example.com;transport=tcp", last},
		{"number", "+442999123456", "r02999"},
		{"international", "0089049123456", "r05999"},
		{"extension", "7123456", ""},
		{"free-regex", "Room-20-Oslo", "r08020"},
		{"no-match", "sip:nobody@nowhere.example.org", ""},
	}
	for _, tc := range cases {
		req := &Request{Protocol: call.ProtocolSIP, Dialed: tc.dialed, Source: netip.MustParseAddr("192.0.2.10"), Registered: true}
		got, err := e.Route(req)
		if tc.name == "no-match" {
			if err == nil {
				b.Fatalf("%s: %v", tc.dialed, summarize(got))
			}
		} else if err != nil || (tc.rule != "" && got[0].Rule != tc.rule) {
			b.Fatalf("%s: %v %v", tc.dialed, summarize(got), err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = e.Route(req)
			}
		})
	}
}

func BenchmarkParseCallString(b *testing.B) {
	for _, s := range []string{
		"sip:alice@example.com:5060;transport=tcp",
		"#h323:room@[2001:db8::1]:1720^1234",
		"rtsp://admin:secret@192.168.1.64:554/Streaming/Channels/101",
		"tel:+44 20 7946 0123",
		"cam-lobby",
	} {
		b.Run(s[:min(len(s), 12)], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseCallString(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStripAlias(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = StripAlias(`"Alice" <sip:Alice@Example.com;transport=tcp>`)
	}
}

// TestRouteAllocations checks that rules that do not match cost no
// allocation: routing to the last of 10,000 rules allocates as much as
// routing with that rule alone, and a dial that matches nothing
// allocates only its error.
func TestRouteAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-rule plan")
	}
	big := bigEngine(t, 10000)
	cfg := bigPlan(10000)
	alone, err := New(Config{Trunks: cfg.Trunks, Rules: cfg.Rules[len(cfg.Rules)-1:]})
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddr("192.0.2.10")
	for _, dialed := range []string{"sip:alice@tenant9999.example.com;transport=tcp", "alice@tenant9999.example.com"} {
		req := &Request{Protocol: call.ProtocolSIP, Dialed: dialed, Source: src}
		nBig := testing.AllocsPerRun(50, func() { _, _ = big.Route(req) })
		nAlone := testing.AllocsPerRun(50, func() { _, _ = alone.Route(req) })
		if nBig != nAlone {
			t.Errorf("%s: %v allocations with 10,000 rules, %v with the matching rule alone", dialed, nBig, nAlone)
		}
	}
	for _, dialed := range []string{"sip:nobody@nowhere.example.org", "+1555", "7", "room", "echo@example.org"} {
		req := &Request{Protocol: call.ProtocolSIP, Dialed: dialed, Source: src}
		if _, err := big.Route(req); call.CauseOf(err) != call.NoRoute {
			t.Fatalf("%s: %v", dialed, err)
		}
		if n := testing.AllocsPerRun(50, func() { _, _ = big.Route(req) }); n > 2 {
			t.Errorf("%s: %v allocations for no_route, want at most 2 (the error)", dialed, n)
		}
	}
}
