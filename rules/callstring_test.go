package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/call"
)

func TestParseCallString(t *testing.T) {
	sip, h323 := call.ProtocolSIP, call.ProtocolH323
	tests := []struct {
		in    string
		want  Address
		canon string // String(); "" means the same as in
	}{
		{"sip:alice@example.com", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "example.com"}, ""},
		{"SIP:Alice@Example.com:5070", Address{Protocol: sip, Scheme: "sip", User: "Alice", Host: "Example.com", Port: 5070}, "sip:Alice@Example.com:5070"},
		{"sip:alice@example.com;transport=TCP", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "example.com", Transport: "tcp"}, "sip:alice@example.com;transport=tcp"},
		{"sip:alice@example.com;user=phone;transport=tls;lr", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "example.com", Transport: "tls", Params: "user=phone;lr"}, "sip:alice@example.com;transport=tls;user=phone;lr"},
		{"sip:alice@example.com;user=phone", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "example.com", Params: "user=phone"}, ""},
		{"sips:bob@example.com", Address{Protocol: sip, Scheme: "sips", User: "bob", Host: "example.com", Transport: "tls"}, ""},
		{"sips:bob@example.com;transport=tcp", Address{Protocol: sip, Scheme: "sips", User: "bob", Host: "example.com", Transport: "tls"}, "sips:bob@example.com"},
		{"sip:alice", Address{Protocol: sip, Scheme: "sip", User: "alice"}, ""},
		{"sip:alice;transport=tcp", Address{Protocol: sip, Scheme: "sip", User: "alice", Transport: "tcp"}, ""},
		{"sip:@192.0.2.10", Address{Protocol: sip, Scheme: "sip", Host: "192.0.2.10"}, ""},
		{"sip:alice@[2001:db8::1]:5062", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "2001:db8::1", Port: 5062}, ""},
		{"sip:alice@[2001:db8::1]", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "2001:db8::1"}, ""},
		{"sip:alice@2001:db8::1", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "2001:db8::1"}, "sip:alice@[2001:db8::1]"},
		{"sip:1234;phone-context=x@pbx", Address{Protocol: sip, Scheme: "sip", User: "1234;phone-context=x", Host: "pbx"}, ""},
		{"#sip:bridge@mcu.example.com^1234#", Address{Protocol: sip, Scheme: "sip", User: "bridge", Host: "mcu.example.com", DTMF: "1234#"}, "sip:bridge@mcu.example.com^1234#"},
		{"#SIP:@10.130.2.89", Address{Protocol: sip, Scheme: "sip", Host: "10.130.2.89"}, "sip:@10.130.2.89"},
		{`"Alice Smith" <sip:alice@example.com>`, Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "example.com"}, "sip:alice@example.com"},
		{"<sip:alice@example.com/>", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "example.com"}, "sip:alice@example.com"},
		{"  sip:alice@example.com/  ", Address{Protocol: sip, Scheme: "sip", User: "alice", Host: "example.com"}, "sip:alice@example.com"},
		{"h323:room1@gk.example.com", Address{Protocol: h323, Scheme: "h323", User: "room1", Host: "gk.example.com"}, ""},
		{"h323:room1@gk.example.com:1721", Address{Protocol: h323, Scheme: "h323", User: "room1", Host: "gk.example.com", Port: 1721}, ""},
		{"h323:room1", Address{Protocol: h323, Scheme: "h323", User: "room1"}, ""},
		{"#h323:@10.8.0.6", Address{Protocol: h323, Scheme: "h323", Host: "10.8.0.6"}, "h323:@10.8.0.6"},
		{"10.0.0.1##cam-lobby", Address{Protocol: h323, Scheme: "h323", User: "cam-lobby", Host: "10.0.0.1"}, "h323:cam-lobby@10.0.0.1"},
		{"gw.example.com:1720##00e22a39ba2a", Address{Protocol: h323, Scheme: "h323", User: "00e22a39ba2a", Host: "gw.example.com", Port: 1720}, "h323:00e22a39ba2a@gw.example.com:1720"},
		{"[2001:db8::7]##room", Address{Protocol: h323, Scheme: "h323", User: "room", Host: "2001:db8::7"}, "h323:room@[2001:db8::7]"},
		{"[2001:db8::7]:1720##room^55", Address{Protocol: h323, Scheme: "h323", User: "room", Host: "2001:db8::7", Port: 1720, DTMF: "55"}, "h323:room@[2001:db8::7]:1720^55"},
		{"tel:+44 20 7946-0123", Address{Scheme: "tel", User: "+442079460123"}, "tel:+442079460123"},
		{"tel:(020) 7946.0123", Address{Scheme: "tel", User: "02079460123"}, "tel:02079460123"},
		{"#tel:89261112233", Address{Scheme: "tel", User: "89261112233"}, "tel:89261112233"},
		{"tel:*9999#", Address{Scheme: "tel", User: "*9999#"}, ""},
		{"tel:+15551234;phone-context=example.com", Address{Scheme: "tel", User: "+15551234", Params: "phone-context=example.com"}, ""},
		{"rtsp://10.0.0.5/stream1", Address{Protocol: call.ProtocolRTSP, Scheme: "rtsp", Host: "10.0.0.5", Path: "/stream1"}, ""},
		{"rtsp://admin:secret@192.168.1.64:554/Streaming/Channels/101?transport=tcp", Address{Protocol: call.ProtocolRTSP, Scheme: "rtsp", User: "admin", Password: "secret", Host: "192.168.1.64", Port: 554, Path: "/Streaming/Channels/101?transport=tcp"}, ""},
		{"rtsps://cam.example.com:322/live", Address{Protocol: call.ProtocolRTSP, Scheme: "rtsps", Host: "cam.example.com", Port: 322, Path: "/live"}, ""},
		{"#rtsp://cam.example.com/a/b/", Address{Protocol: call.ProtocolRTSP, Scheme: "rtsp", Host: "cam.example.com", Path: "/a/b"}, "rtsp://cam.example.com/a/b"},
		{"#rtsp:%2f%2fdomainn.company.com:554", Address{Protocol: call.ProtocolRTSP, Scheme: "rtsp", Host: "domainn.company.com", Port: 554}, "rtsp://domainn.company.com:554"},
		{"rtsp://[2001:db8::5]:8554/s", Address{Protocol: call.ProtocolRTSP, Scheme: "rtsp", Host: "2001:db8::5", Port: 8554, Path: "/s"}, ""},
		{"rtmp://live.example.com/app/streamkey", Address{Protocol: call.ProtocolRTMP, Scheme: "rtmp", Host: "live.example.com", Path: "/app/streamkey"}, ""},
		{"RTMPS://live.example.com:443/app/key", Address{Protocol: call.ProtocolRTMP, Scheme: "rtmps", Host: "live.example.com", Port: 443, Path: "/app/key"}, "rtmps://live.example.com:443/app/key"},
		{"alice", Address{Alias: "alice"}, ""},
		{"meet.alice@other.domain", Address{Alias: "meet.alice@other.domain"}, ""},
		{"room-12^99", Address{Alias: "room-12", DTMF: "99"}, ""},
		{"#guest:6984d2f1@video.example.test/0000", Address{Alias: "#guest:6984d2f1@video.example.test/0000"}, ""},
		{"mssip:bob@example.com", Address{Alias: "mssip:bob@example.com"}, ""},
		{"1234", Address{Alias: "1234"}, ""},
		{"cam-lobby/", Address{Alias: "cam-lobby"}, "cam-lobby"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCallString(tc.in)
			if err != nil {
				t.Fatalf("ParseCallString(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("ParseCallString(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
			canon := tc.canon
			if canon == "" {
				canon = tc.in
			}
			if s := got.String(); s != canon {
				t.Errorf("String() = %q, want %q", s, canon)
			}
			again, err := ParseCallString(got.String())
			if err != nil || again != got {
				t.Errorf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseCallStringErrors(t *testing.T) {
	tests := []struct {
		name, in, detail string
	}{
		{"empty", "", "empty"},
		{"spaces", "   ", "empty"},
		{"slash only", "/", "empty"},
		{"too long", strings.Repeat("a", MaxDialedLen+1), "1025 bytes"},
		{"invalid utf8", "al\xffice", "UTF-8"},
		{"control char", "alice\x00", "control character"},
		{"newline", "sip:alice@example.com\r\nVia: x", "control character"},
		{"C1 control", "alice\u0085", "control character"},
		{"sip nothing", "sip:", "no user and no host"},
		{"two at", "sip:a@b@c", "more than one '@'"},
		{"host missing after at", "sip:alice@", "no host"},
		{"port zero", "sip:alice@example.com:0", "out of range"},
		{"port too big", "sip:alice@example.com:65536", "out of range"},
		{"port not number", "sip:alice@example.com:50x0", "not a number"},
		{"empty port", "sip:alice@example.com:", "port"},
		{"bad transport", "sip:alice@example.com;transport=sctp", "unsupported transport"},
		{"two transports", "sip:a@h;transport=tcp;transport=udp", "more than one transport"},
		{"sips udp", "sips:a@h;transport=udp", "sips"},
		{"unterminated bracket", "sip:a@[2001:db8::1", "missing ']'"},
		{"bracket not v6", "sip:a@[example.com]", "not an IPv6"},
		{"v6 with port no brackets", "sip:a@2001:db8::1:5060x", "IPv6"},
		{"v6 zone", "sip:a@[fe80::1%25eth0]", "not an IPv6"},
		{"caret in middle", "sip:a^b@h", "'^'"},
		{"hashhash no host", "##alias", "no host"},
		{"hashhash no alias", "gw##", "no alias"},
		{"hashhash at", "gw##a@b", "'@'"},
		{"tel letters", "tel:+44abc", "telephone number"},
		{"tel empty", "tel:+", "empty telephone number"},
		{"tel plus in middle", "tel:12+34", "telephone number"},
		{"rtsp no host", "rtsp:///stream", "no host"},
		{"rtmp bad port", "rtmp://h:99999/app", "port"},
		{"empty brackets", "Alice <>", "nothing inside"},
		{"nested brackets", "<<sip:a@b>>", "angle brackets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCallString(tc.in)
			if err == nil {
				t.Fatalf("ParseCallString(%q): no error", tc.in)
			}
			var ce *call.Error
			if !errors.As(err, &ce) || ce.Cause != call.BadRequest {
				t.Fatalf("ParseCallString(%q): %v, want a *call.Error with cause bad_request", tc.in, err)
			}
			if !strings.Contains(ce.Detail, tc.detail) {
				t.Errorf("detail %q does not say %q", ce.Detail, tc.detail)
			}
		})
	}
}

func TestStripAlias(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sip:Alice@Example.com;transport=tcp", "Alice@Example.com"},
		{"sips:bob@example.com", "bob@example.com"},
		{`"Bob" <sip:bob@example.com;lr>`, "bob@example.com"},
		{"#SIP:bob@example.com", "bob@example.com"},
		{"#h323:1234^99", "1234"},
		{"h323:room@gk:1720", "room@gk:1720"},
		{"tel:+44 20 7946-0123", "+442079460123"},
		{"#tel:+4420", "+4420"},
		{"rtsp://cam.example.com/stream1", "cam.example.com/stream1"},
		{"alice", "alice"},
		{"alice/", "alice"},
		{" alice ", "alice"},
		{"sip:alice;transport=tcp", "alice"},
		{"sip:1234;phone-context=x@pbx;user=phone", "1234;phone-context=x@pbx"},
		{"10.0.0.1##cam", "10.0.0.1##cam"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := StripAlias(tc.in); got != tc.want {
			t.Errorf("StripAlias(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStripAliasDoesNotAllocate(t *testing.T) {
	for _, in := range []string{"sip:Alice@Example.com;transport=tcp", "alice", "<sips:bob@example.com>", "#h323:1234^99"} {
		if n := testing.AllocsPerRun(100, func() { _ = StripAlias(in) }); n != 0 {
			t.Errorf("StripAlias(%q): %v allocations", in, n)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := func(s string) Address {
		t.Helper()
		a, err := ParseCallString(s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name string
		addr Address
		err  string // "" means valid
	}{
		{"sip", ok("sip:alice@example.com"), ""},
		{"sip ip", ok("sip:alice@192.0.2.1:5060"), ""},
		{"sip v6", ok("sip:alice@[2001:db8::1]"), ""},
		{"sip escaped user", ok("sip:a%20b@example.com"), ""},
		{"sip phone user", ok("sip:+44(0)20;isub=1@example.com"), ""},
		{"sip no host", ok("sip:alice"), "no host"},
		{"sip bad host", Address{Protocol: call.ProtocolSIP, Scheme: "sip", User: "alice", Host: "exa mple.com"}, "not allowed"},
		{"sip host underscore", ok("sip:alice@_sip.example.com"), ""},
		{"sip host dash", ok("sip:alice@-example.com"), "'-'"},
		{"sip numeric tld", ok("sip:alice@1.2.3.999"), "IP address"},
		{"sip user space", ok("sip:a b@example.com"), "escaped"},
		{"sip user hash", ok("sip:123#@example.com"), "escaped"},
		{"sip user non-ascii", ok("sip:élan@example.com"), "escaped"},
		{"sip bad escape", ok("sip:a%2@example.com"), "escape"},
		{"sip label too long", ok("sip:a@" + strings.Repeat("x", 64) + ".com"), "63"},
		{"h323", ok("h323:room@gk.example.com"), ""},
		{"h323 host only", ok("h323:@10.0.0.1"), ""},
		{"h323 no host", ok("h323:room"), "no host"},
		{"h323 alias too long", Address{Protocol: call.ProtocolH323, Scheme: "h323", User: strings.Repeat("r", 129), Host: "gk"}, "128"},
		{"h323 alias 128", Address{Protocol: call.ProtocolH323, Scheme: "h323", User: strings.Repeat("r", 128), Host: "gk"}, ""},
		{"tel", ok("tel:+4420*1#"), ""},
		{"tel bad", Address{Scheme: "tel", User: "12a"}, "telephone number"},
		{"rtsp", ok("rtsp://cam/stream"), ""},
		{"rtsp no host", Address{Protocol: call.ProtocolRTSP, Scheme: "rtsp", Path: "/x"}, "no host"},
		{"rtmp space in path", ok("rtmp://live.example.com/app/my key"), "white space"},
		{"port out of range", Address{Protocol: call.ProtocolSIP, Scheme: "sip", User: "a", Host: "h", Port: 70000}, "out of range"},
		{"wrong protocol", Address{Protocol: call.ProtocolH323, Scheme: "sip", User: "a", Host: "h"}, "protocol"},
		{"bad dtmf", Address{Protocol: call.ProtocolSIP, Scheme: "sip", User: "a", Host: "h", DTMF: "x"}, "DTMF"},
		{"plain", ok("alice"), ""},
		{"plain empty", Address{}, "empty alias"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.addr.Validate()
			if tc.err == "" {
				if err != nil {
					t.Fatalf("Validate(%+v): %v", tc.addr, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Validate(%+v) = %v, want an error saying %q", tc.addr, err, tc.err)
			}
			if call.CauseOf(err) != call.BadRequest {
				t.Errorf("cause %v, want bad_request", call.CauseOf(err))
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	a, err := ParseCallString("rtsp://admin:secret@cam/s")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Redacted(); got != "rtsp://admin:***@cam/s" {
		t.Errorf("Redacted() = %q", got)
	}
	if got := a.String(); got != "rtsp://admin:secret@cam/s" {
		t.Errorf("String() = %q", got)
	}
}
