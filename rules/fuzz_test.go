package rules

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/call"
)

var callStringSeeds = []string{
	"sip:alice@example.com", "sips:bob@example.com;transport=tcp", "sip:alice", "sip:@10.0.0.1",
	"sip:a@[2001:db8::1]:5062;transport=tls;lr", "#sip:bridge@mcu^1234#", `"A" <sip:a@b>`,
	"h323:room@gk:1720", "h323:room", "#h323:@10.8.0.6", "10.0.0.1##cam", "[::1]:1720##x^9",
	"tel:+44 20 7946-0123", "#tel:*99#", "tel:1;phone-context=x",
	"rtsp://u:p@cam:554/s?x=1", "#rtsp:%2f%2fcam", "rtmps://h/app/key", "rtmp:h",
	"alice", "room-1^12", "a//", "<x/>", "sip:a;b@h;c^1", "", "\xff", "sip:a@h;x;;transport=udp;",
}

func FuzzParseCallString(f *testing.F) {
	for _, s := range callStringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseCallString(s)
		if err != nil {
			var ce *call.Error
			if !errors.As(err, &ce) || ce.Cause != call.BadRequest {
				t.Fatalf("ParseCallString(%q): %v is not a bad_request *call.Error", s, err)
			}
			return
		}
		out := a.String()
		b, err := ParseCallString(out)
		if err != nil {
			t.Fatalf("ParseCallString(%q) = %+v; String() = %q does not parse: %v", s, a, out, err)
		}
		if a != b {
			t.Fatalf("round trip of %q:\n first %+v\nsecond %+v (via %q)", s, a, b, out)
		}
		_ = a.Validate()
		_ = StripAlias(s)
	})
}

// fuzzEngine is a small dial plan with every kind of rule the index files
// differently.
func fuzzEngine(tb testing.TB) *Engine {
	tb.Helper()
	e, err := New(Config{
		InternationalPrefix: "00",
		LocalDomains:        []string{"gw.example.com"},
		Aliases: []Alias{
			{Name: "cam-lobby", Target: "rtsp://10.0.0.5/stream1"},
			{Name: "loop-a", Target: "loop-b"},
			{Name: "loop-b", Target: "loop-a"},
			{Name: "reception", Target: "1000"},
		},
		Trunks: []Trunk{
			{Name: "pbx", Protocol: "sip", Host: "pbx.example.com", Roles: []Role{RoleDefaultSIPTrunk, RoleDefaultVoIP}},
			{Name: "gk", Protocol: "h323", Host: "10.1.1.1", Roles: []Role{RoleDefaultGatekeeper}},
		},
		Rules: []Rule{
			{Name: "uk", Priority: 5, Match: `\+44(\d+)`, Replace: "tel:+44$1", OnFailure: OnFailureContinue},
			{Name: "ext", Priority: 10, Match: `(\d{4})`, Replace: "sip:$1", FromProtocols: []ProtocolName{"sip", "webrtc"}},
			{Name: "ext-h323", Priority: 10, Match: `(\d{4})`, Replace: "$1", Target: TargetH323},
			{Name: "tenant", Priority: 20, Match: `(?P<user>[^@]+)@tenant1\.example\.com`, Replace: "sip:${user}@sbc.tenant1.example.com"},
			{Name: "rooms", Priority: 30, Match: `(?i)room-(\d+)`, Replace: "h323:room$1", Sources: []string{"10.0.0.0/8", "gk"}},
			{Name: "conf", Priority: 40, Match: `(?i).*conf.*`, Target: TargetWebRTC, Directions: []DirectionName{"incoming", "outgoing"}},
			{Name: "yes-no", Priority: 45, Match: `yes|no|ma?ybe`, Target: TargetRegistered, OnlyRegistered: true},
			{Name: "uri", Priority: 50, Match: `sips?:(.+)@partner\.example\.com`, MatchFullURI: true, Replace: "sip:$1@partner.example.com;transport=tls"},
			{Name: "off", Priority: 55, Match: `.*`, Enabled: Bool(false)},
			{Name: "any-class", Priority: 60, Match: `[a-z]\w*`, Replace: "sip:$0", OnFailure: OnFailureContinue},
			{Name: "bad", Priority: 70, Match: `bad(.*)`, Replace: "sip:$1@bad host"},
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func FuzzRoute(f *testing.F) {
	for _, s := range callStringSeeds {
		f.Add(s, uint8(call.ProtocolSIP), false)
	}
	for _, s := range []string{"+442079460123", "1234", "bob@tenant1.example.com", "Room-12", "ROOM-KONF",
		"maybe", "sip:x@partner.example.com", "echo", "echo@gw.example.com", "cam-lobby", "loop-a",
		"reception", "bad thing", "\u212aonf", "ſoo"} {
		f.Add(s, uint8(call.ProtocolH323), true)
	}
	e := fuzzEngine(f)
	f.Fuzz(func(t *testing.T, dialed string, proto uint8, registered bool) {
		req := &Request{Protocol: call.Protocol(proto % 7), Dialed: dialed, Registered: registered,
			Source: netip.MustParseAddr("10.2.3.4"), Direction: Direction(proto % 2)}
		got, err := e.Route(req)
		if err != nil {
			var ce *call.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Route(%q): %v is not a *call.Error", dialed, err)
			}
			switch ce.Cause {
			case call.NoRoute, call.InvalidTransform, call.BadRequest:
			default:
				t.Fatalf("Route(%q): unexpected cause %v", dialed, ce.Cause)
			}
			if len(got) != 0 {
				t.Fatalf("Route(%q): decisions and an error", dialed)
			}
		} else if len(got) == 0 {
			t.Fatalf("Route(%q): no decision and no error", dialed)
		}
		// The index is only a filter: Explain, which runs every rule,
		// must reach the same outcome.
		ex := e.Explain(req)
		if !reflect.DeepEqual(ex.Decisions, got) {
			t.Fatalf("Route(%q) = %+v\nExplain found %+v", dialed, got, ex.Decisions)
		}
		if (err == nil) != (ex.Cause == "") || (err != nil && ex.Cause != call.CauseOf(err).String()) {
			t.Fatalf("Route(%q) error %v, Explain cause %q", dialed, err, ex.Cause)
		}
		for _, d := range got {
			if d.Kind == DecisionGateway {
				if err := d.Destination.Validate(); err != nil {
					t.Fatalf("Route(%q) gave an invalid destination %+v: %v", dialed, d.Destination, err)
				}
			}
		}
	})
}
