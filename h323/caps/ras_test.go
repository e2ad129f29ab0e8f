package caps

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
)

var (
	testVendor  = Vendor{CountryCode: 0xb5, Manufacturer: 0x1234, Product: "Switchyard", Version: "1.0"}
	gwEndpoint  = Endpoint{Kind: KindGateway, Vendor: testVendor}
	gwRAS       = netip.MustParseAddrPort("192.0.2.1:1719")
	gwSignal    = netip.MustParseAddrPort("192.0.2.1:1720")
	gkRAS       = netip.MustParseAddrPort("192.0.2.2:1719")
	gkSignal    = netip.MustParseAddrPort("192.0.2.2:1721")
	peerSignal  = netip.MustParseAddrPort("[2001:db8::5]:1720")
	testConfID  = GUID{0x46, 0x95, 0x1e, 0x30, 0x08, 0xe4, 0xf1, 0x11, 0x8b, 0x42, 0x02, 0xfc, 0, 0, 0, 1}
	testCallID  = GUID{0x46, 0x95, 0x1e, 0x30, 0x08, 0xe4, 0xf1, 0x11, 0x8b, 0x41, 0x02, 0xfc, 0, 0, 0, 1}
	testAliases = []Alias{H323ID("gateway-1"), E164("1001")}
)

// rasCase builds one RAS message and parses it back.
type rasCase struct {
	name  string
	build func() (h225.RasMessage, error)
	parse func(*h225.RasMessage) (any, error)
	want  any
}

func rasCases() []rasCase {
	grq := GRQ{Seq: 1, RAS: gwRAS, Endpoint: gwEndpoint, GatekeeperID: "TestGK", Aliases: testAliases}
	rrq := RRQ{Seq: 2, CallSignal: gwSignal, RAS: gwRAS, Endpoint: gwEndpoint, Aliases: testAliases,
		GatekeeperID: "TestGK", TTL: 300, DiscoveryComplete: true}
	keep := RRQ{Seq: 3, CallSignal: gwSignal, RAS: gwRAS, Endpoint: Endpoint{Kind: KindTerminal, Vendor: Vendor{CountryCode: 9, Manufacturer: 61}},
		KeepAlive: true, EndpointID: "1707396457_endp", TTL: 60}
	rcf := RCF{Seq: 2, CallSignal: gkSignal, Aliases: testAliases, GatekeeperID: "TestGK", EndpointID: "1707396457_endp", TTL: 60}
	urq := URQ{Seq: 4, CallSignal: gwSignal, Aliases: testAliases, EndpointID: "1707396457_endp", GatekeeperID: "TestGK"}
	arq := ARQ{Seq: 5, EndpointID: "1707396457_endp", Dest: []Alias{H323ID("bob")}, DestCallSignal: peerSignal,
		Src: testAliases, SrcCallSignal: gwSignal, BandWidth: 7680, CallReference: 32184,
		ConferenceID: testConfID, CallID: testCallID, GatekeeperID: "TestGK", CanMapAlias: true}
	answer := ARQ{Seq: 6, EndpointID: "x", Src: []Alias{E164("2002")}, BandWidth: 1280, ConferenceID: testConfID, CallID: testCallID, AnswerCall: true}
	acf := ACF{Seq: 5, BandWidth: 7680, Routed: true, DestCallSignal: gkSignal, IRRFrequency: 120}
	acfDirect := ACF{Seq: 6, BandWidth: 1280, DestCallSignal: peerSignal}
	drq := DRQ{Seq: 7, EndpointID: "1707396457_endp", ConferenceID: testConfID, CallID: testCallID, CallReference: 32184, AnsweredCall: true, GatekeeperID: "TestGK"}
	forced := DRQ{Seq: 8, EndpointID: "e", ConferenceID: testConfID, CallID: testCallID, Forced: true}
	return []rasCase{
		{"GRQ", grq.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseGRQ(m.GatekeeperRequest) }, grq},
		{"RRQ", rrq.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseRRQ(m.RegistrationRequest) }, rrq},
		{"RRQ keepAlive", keep.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseRRQ(m.RegistrationRequest) }, keep},
		{"RCF", rcf.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseRCF(m.RegistrationConfirm) }, rcf},
		{"URQ", urq.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseURQ(m.UnregistrationRequest) }, urq},
		{"ARQ", arq.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseARQ(m.AdmissionRequest) }, arq},
		{"ARQ answer", answer.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseARQ(m.AdmissionRequest) }, answer},
		{"ACF routed", acf.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseACF(m.AdmissionConfirm) }, acf},
		{"ACF direct", acfDirect.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseACF(m.AdmissionConfirm) }, acfDirect},
		{"DRQ", drq.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseDRQ(m.DisengageRequest) }, drq},
		{"DRQ forced", forced.RasMessage, func(m *h225.RasMessage) (any, error) { return ParseDRQ(m.DisengageRequest) }, forced},
	}
}

func TestRASRoundTrip(t *testing.T) {
	for _, c := range rasCases() {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := roundTrip(t, &m)
			p, err := c.parse(got)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, c.want) {
				t.Errorf("parsed %+v, want %+v", p, c.want)
			}
		})
	}
}

func TestRASErrors(t *testing.T) {
	long := string(make([]byte, 129))
	for name, build := range map[string]func() (h225.RasMessage, error){
		"GRQ no address":   GRQ{Endpoint: gwEndpoint}.RasMessage,
		"GRQ bad alias":    GRQ{RAS: gwRAS, Endpoint: gwEndpoint, Aliases: []Alias{E164("12a")}}.RasMessage,
		"GRQ long gk":      GRQ{RAS: gwRAS, Endpoint: gwEndpoint, GatekeeperID: long}.RasMessage,
		"RRQ no kind":      RRQ{CallSignal: gwSignal, RAS: gwRAS}.RasMessage,
		"RCF no endpoint":  RCF{Seq: 1}.RasMessage,
		"ARQ no endpoint":  ARQ{Seq: 1}.RasMessage,
		"ACF no address":   ACF{Seq: 1}.RasMessage,
		"DRQ no endpoint":  DRQ{Seq: 1}.RasMessage,
		"URQ no address":   URQ{Seq: 1}.RasMessage,
		"RRQ long product": RRQ{CallSignal: gwSignal, RAS: gwRAS, Endpoint: Endpoint{Kind: KindGateway, Vendor: Vendor{Product: string(make([]byte, 257))}}}.RasMessage,
	} {
		if _, err := build(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestAliases(t *testing.T) {
	for _, a := range []Alias{E164("#*,0123456789"), H323ID("Sälen 𝄞"), {Kind: AliasURL, Value: "h323:bob@example.com"}, {Kind: AliasEmail, Value: "bob@example.com"}} {
		aa, err := a.AliasAddress()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := roundTrip(t, &aa)
		p, err := ParseAlias(got)
		if err != nil || p != a {
			t.Errorf("ParseAlias = %+v, %v; want %+v", p, err, a)
		}
	}
	if s := E164("1001").String() + " " + H323ID("bob").String(); s != "e164:1001 h323-id:bob" {
		t.Errorf("String = %q", s)
	}
	if _, err := ParseAlias(&h225.AliasAddress{Choice: h225.AliasAddressChoicePartyNumber}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("partyNumber: %v", err)
	}
	if testCallID.String() != "46951e30-08e4-f111-8b41-02fc00000001" {
		t.Errorf("GUID.String = %s", testCallID)
	}
	g, err := NewGUID(bytes.NewReader(bytes.Repeat([]byte{0xff}, 16)))
	if err != nil || g.String() != "ffffffff-ffff-4fff-bfff-ffffffffffff" {
		t.Errorf("NewGUID = %s, %v", g, err)
	}
	if _, err := NewGUID(bytes.NewReader(nil)); err == nil {
		t.Error("NewGUID from an empty source: no error")
	}
}

func TestAddresses(t *testing.T) {
	for _, a := range []netip.AddrPort{gwRAS, peerSignal, netip.MustParseAddrPort("[::ffff:10.0.0.1]:5")} {
		t225, err := H225Address(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseH225Address(&t225)
		if err != nil || got != netip.AddrPortFrom(a.Addr().Unmap(), a.Port()) {
			t.Errorf("H.225 %v -> %v, %v", a, got, err)
		}
		t245, err := H245Address(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err = ParseH245Address(&t245)
		if err != nil || got != netip.AddrPortFrom(a.Addr().Unmap(), a.Port()) {
			t.Errorf("H.245 %v -> %v, %v", a, got, err)
		}
	}
	if _, err := H225Address(netip.AddrPort{}); !errors.Is(err, ErrInvalid) {
		t.Error("zero address")
	}
	bad := h225.TransportAddress{Choice: h225.TransportAddressChoiceIPAddress, IPAddress: &h225.TransportAddressIPAddress{IP: []byte{1, 2}}}
	if _, err := ParseH225Address(&bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("2-octet IP: %v", err)
	}
	nb := h225.TransportAddress{Choice: h225.TransportAddressChoiceNetBios}
	if _, err := ParseH225Address(&nb); !errors.Is(err, ErrUnsupported) {
		t.Errorf("netBios: %v", err)
	}
}
